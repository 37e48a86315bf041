//! Properties that must hold for any reviews and grants: more approvals never make a
//! request stricter, a reject never makes it laxer, duplicates count once, grant activity
//! is the half-open window of SPEC 5.1, and order never matters.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::approvals::Tally;
use super::super::grants;
use super::super::request::{Grant, Request};
use super::*;
use crate::decision::format_time;
use crate::verdict::Verdict;
use RulesetAction::*;

const PEOPLE: [&str; 4] = [
    "alice@acme.io",
    "bob@acme.io",
    "carol@acme.io",
    "dave@acme.io",
];
const TEAMS: [&str; 3] = ["sre", "sre-contractors", "platform"];

/// The same identity written with other case and spacing.
fn variant(identity: &str, style: u8) -> String {
    match style % 4 {
        0 => identity.to_string(),
        1 => identity.to_uppercase(),
        2 => format!("  {identity} "),
        _ => format!(" {} ", identity.to_uppercase()),
    }
}

fn reviewer() -> impl Strategy<Value = Value> {
    (
        0..PEOPLE.len(),
        any::<u8>(),
        proptest::sample::subsequence(TEAMS.to_vec(), 0..=2),
        0..3u8,
    )
        .prop_map(|(person, style, teams, field)| {
            let identity = variant(PEOPLE[person], style);
            match field {
                0 => json!({"id": identity, "teams": teams}),
                1 => json!({"email": identity, "teams": teams}),
                _ => json!({"id": identity, "teams": teams, "permissions": ["env:admin"]}),
            }
        })
}

fn review_with(decision: impl Strategy<Value = &'static str>) -> impl Strategy<Value = Value> {
    (reviewer(), decision, prop_oneof![Just(json!(7)), Just(json!(6)), Just(Value::Null)])
        .prop_map(|(by, decision, revision)| json!({"by": by, "decision": decision, "revision": revision}))
}

fn any_review() -> impl Strategy<Value = Value> {
    review_with(prop_oneof![
        Just("approve"),
        Just("reject"),
        Just("comment")
    ])
}

fn change_ruleset() -> impl Strategy<Value = Ruleset> {
    (
        proptest::sample::subsequence(
            vec![
                team("sre"),
                team("platform"),
                user("carol@acme.io"),
                permission("env:admin"),
            ],
            0..=4,
        ),
        1..4u32,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(approvers, required, self_approval, reapprove)| Ruleset {
            approvers,
            required,
            self_approval_allowed: self_approval,
            reapprove_on_change: reapprove,
            ..ruleset("changes", &[Update])
        })
}

fn update_verdict(ruleset: &Ruleset, reviews: &[Value]) -> Option<Verdict> {
    verdict(&decide(
        std::slice::from_ref(ruleset),
        &esc("update", "acme/app/prod", json!({"reviews": reviews})),
    ))
}

fn counted(ruleset: &Ruleset, reviews: &[Value]) -> usize {
    let input = esc("update", "acme/app/prod", json!({"reviews": reviews}));
    let request = Request::read(&input).unwrap().unwrap();
    Tally::of(ruleset, &request).counted
}

proptest! {
    #[test]
    fn an_added_approval_never_makes_an_update_stricter(
        ruleset in change_ruleset(),
        reviews in proptest::collection::vec(any_review(), 0..6),
        approval in review_with(Just("approve")),
        at in 0..7usize,
    ) {
        let before = update_verdict(&ruleset, &reviews);
        let mut more = reviews.clone();
        more.insert(at.min(reviews.len()), approval);
        prop_assert!(update_verdict(&ruleset, &more) <= before);
    }

    #[test]
    fn an_added_reject_never_makes_an_update_laxer(
        ruleset in change_ruleset(),
        reviews in proptest::collection::vec(any_review(), 0..6),
        reject in review_with(Just("reject")),
        at in 0..7usize,
    ) {
        let before = update_verdict(&ruleset, &reviews);
        let mut more = reviews.clone();
        more.insert(at.min(reviews.len()), reject);
        prop_assert!(update_verdict(&ruleset, &more) >= before);
    }

    #[test]
    fn a_review_repeated_under_another_spelling_counts_once(
        ruleset in change_ruleset(),
        reviews in proptest::collection::vec(any_review(), 1..6),
        pick in any::<proptest::sample::Index>(),
        style in any::<u8>(),
    ) {
        let mut repeated = pick.get(&reviews).clone();
        for field in ["id", "email"] {
            if let Some(Value::String(identity)) = repeated["by"].get(field).cloned() {
                repeated["by"][field] = json!(variant(identity.trim(), style));
            }
        }
        let mut more = reviews.clone();
        more.push(repeated);
        prop_assert_eq!(counted(&ruleset, &more), counted(&ruleset, &reviews));
    }

    #[test]
    fn the_order_of_reviews_and_grants_never_changes_the_decision(
        change in change_ruleset(),
        reviews in proptest::collection::vec(any_review(), 0..6)
            .prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
        grants in proptest::collection::vec(any_grant(), 0..5)
            .prop_flat_map(|g| (Just(g.clone()), Just(g).prop_shuffle())),
    ) {
        let (reviews, shuffled_reviews) = reviews;
        prop_assert_eq!(update_verdict(&change, &reviews), update_verdict(&change, &shuffled_reviews));
        prop_assert_eq!(counted(&change, &reviews), counted(&change, &shuffled_reviews));
        let (grants, shuffled_grants) = grants;
        let open = ruleset("open", &[Open]);
        let imports = json!({"acme/app/prod": {"imports": ["acme/app/db"]}});
        let decide_open = |grants: &[GrantSpec]| {
            let grants: Vec<Value> = grants.iter().map(GrantSpec::to_json).collect();
            let input = esc("open", "acme/app/prod", json!({"grants": grants, "environments": imports}));
            let decision = decide(std::slice::from_ref(&open), &input);
            let activations: Vec<_> = decision
                .grant_activations
                .iter()
                .map(|a| (a.environment.to_lowercase(), a.access_ends_at))
                .collect();
            (lines(&decision), activations)
        };
        prop_assert_eq!(decide_open(&grants), decide_open(&shuffled_grants));
    }

    #[test]
    fn grant_activity_is_the_half_open_window(grant in any_grant(), pick in any::<proptest::sample::Index>()) {
        let candidates = grant.boundaries();
        let now = *pick.get(&candidates);
        let read = Grant::read(&grant.to_json()).unwrap();
        let active = grants::status(&read, now).is_ok();
        prop_assert_eq!(active, grant.active_at(now), "now {}", format_time(&now));
    }
}

/// A grant as offsets in seconds from a fixed base time, so windows can be computed
/// independently of the code under test.
#[derive(Clone, Debug)]
struct GrantSpec {
    environment: &'static str,
    identity: String,
    approved: i64,
    applied: Option<i64>,
    first_opened: Option<i64>,
    revoked: Option<i64>,
    access: i64,
    expiration: i64,
}

fn base() -> DateTime<Utc> {
    time(NOW)
}

fn at(offset: i64) -> DateTime<Utc> {
    base() + TimeDelta::seconds(offset)
}

fn any_grant() -> impl Strategy<Value = GrantSpec> {
    (
        prop_oneof![Just("acme/app/prod"), Just("acme/app/db")],
        any::<u8>(),
        -300..300i64,
        proptest::option::of(-300..300i64),
        proptest::option::of(-300..300i64),
        proptest::option::of(-300..300i64),
        1..300i64,
        1..300i64,
    )
        .prop_map(
            |(environment, style, approved, applied, first_opened, revoked, access, expiration)| {
                GrantSpec {
                    environment,
                    identity: variant("alice@acme.io", style),
                    approved,
                    applied,
                    first_opened,
                    revoked,
                    access,
                    expiration,
                }
            },
        )
}

impl GrantSpec {
    fn to_json(&self) -> Value {
        let time = |offset: Option<i64>| offset.map(|o| format_time(&at(o)));
        json!({
            "environment": self.environment,
            "identity": self.identity,
            "approvedAt": format_time(&at(self.approved)),
            "appliedAt": time(self.applied),
            "firstOpenedAt": time(self.first_opened),
            "revokedAt": time(self.revoked),
            "accessDuration": format!("{}s", self.access),
            "grantExpiration": format!("{}s", self.expiration),
        })
    }

    /// SPEC 5.1 read literally, plus: nothing approved or applied after `now` counts.
    fn active_at(&self, now: DateTime<Utc>) -> bool {
        let expires = at(self.approved + self.expiration);
        let applied = self.applied.is_some_and(|applied| at(applied) <= now);
        let not_revoked = self.revoked.is_none_or(|revoked| at(revoked) > now);
        let window = match self.first_opened {
            None => now < expires,
            Some(opened) => at(opened) < expires && now < at(opened + self.access),
        };
        applied && not_revoked && at(self.approved) <= now && window
    }

    /// Each instant where the answer may change, and a second either side.
    fn boundaries(&self) -> Vec<DateTime<Utc>> {
        let edges = [
            Some(self.approved),
            self.applied,
            self.revoked,
            Some(self.approved + self.expiration),
            self.first_opened.map(|opened| opened + self.access),
        ];
        edges
            .into_iter()
            .flatten()
            .flat_map(|edge| [at(edge - 1), at(edge), at(edge + 1)])
            .collect()
    }
}
