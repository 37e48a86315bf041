//! `open`: active grants at the edges of every window, imports and their cycles, the
//! requester checks, and the grants an open activates.

use serde_json::{Value, json};

use super::*;
use crate::verdict::Verdict;
use RulesetAction::*;

fn prod_open() -> Ruleset {
    Ruleset {
        environments: globs(&["acme/*/prod", "acme/*/prod-*"]),
        approvers: vec![team("sre")],
        required: 2,
        ..ruleset("prod-open", &[Open])
    }
}

fn shared_open() -> Ruleset {
    Ruleset {
        environments: globs(&["acme/shared/aws-*", "acme/chain/*", "acme/loop/*"]),
        ..ruleset("shared-open", &[Open])
    }
}

/// A grant approved at 09:00 for one hour, applied at 09:05, with two hours of access.
fn grant(patch: Value) -> Value {
    with(
        json!({
            "environment": "acme/payments/prod", "identity": "alice@acme.io", "request": "req-1",
            "approvedAt": "2026-11-21T09:00:00Z", "appliedAt": "2026-11-21T09:05:00Z",
            "firstOpenedAt": null, "accessDuration": "2h", "grantExpiration": "1h",
            "revokedAt": null,
        }),
        patch,
    )
}

fn open(grants: Value, environments: Value) -> Value {
    esc(
        "open",
        "acme/payments/prod",
        json!({"grants": grants, "environments": environments}),
    )
}

fn open_at(now: &str, grant_patch: Value) -> RulesetDecision {
    decide_at(
        &[prod_open(), shared_open()],
        &open(json!([grant(grant_patch)]), json!({})),
        now,
    )
}

/// The verdict and message of the one outcome.
fn single(decision: &RulesetDecision) -> (Verdict, String) {
    let all = outcomes(decision);
    assert_eq!(all.len(), 1, "{:?}", lines(decision));
    (all[0].verdict, all[0].message.clone())
}

fn denies_because(decision: &RulesetDecision, reason: &str) {
    let (verdict, message) = single(decision);
    assert_eq!(verdict, Verdict::Deny, "{message}");
    assert_eq!(
        message,
        format!(
            "alice@acme.io has no active grant for acme/payments/prod ({reason}); each needs an approved, applied grant"
        )
    );
}

#[test]
fn an_unopened_grant_is_active_until_approval_plus_expiration() {
    let decision = open_at("2026-11-21T09:59:59Z", json!({}));
    assert_eq!(
        single(&decision),
        (
            Verdict::Allow,
            "alice@acme.io holds an active grant for acme/payments/prod; access ends at 2026-11-21T11:59:59Z (this open starts it)".to_string()
        )
    );
    denies_because(
        &open_at("2026-11-21T10:00:00Z", json!({})),
        "expired at 2026-11-21T10:00:00Z",
    );
    denies_because(
        &open_at("2026-11-21T10:00:01Z", json!({})),
        "expired at 2026-11-21T10:00:00Z",
    );
}

#[test]
fn an_opened_grant_is_active_until_first_open_plus_access_duration() {
    let opened = json!({"firstOpenedAt": "2026-11-21T09:30:00Z"});
    let decision = open_at("2026-11-21T11:29:59Z", opened.clone());
    assert_eq!(
        single(&decision),
        (
            Verdict::Allow,
            "alice@acme.io holds an active grant for acme/payments/prod; access ends at 2026-11-21T11:30:00Z".to_string()
        )
    );
    assert!(decision.grant_activations.is_empty(), "already opened");
    for now in ["2026-11-21T11:30:00Z", "2026-11-21T11:30:01Z"] {
        denies_because(
            &open_at(now, opened.clone()),
            "access ended at 2026-11-21T11:30:00Z",
        );
    }
}

#[test]
fn an_unopened_grant_with_no_access_time_is_not_active() {
    for zero in ["0s", "PT0S", "0m"] {
        denies_because(
            &open_at("2026-11-21T09:30:00Z", json!({"accessDuration": zero})),
            "its accessDuration is zero",
        );
    }
}

#[test]
fn a_leap_second_is_read_as_the_next_minutes_instant() {
    // 10:00:60.5 is 10:01:00.5, after the grant expired at 10:00:00 plus a minute.
    let decision = open_at(
        "2026-11-21T10:00:60.5Z",
        json!({"approvedAt": "2026-11-21T09:01:00Z"}),
    );
    denies_because(&decision, "expired at 2026-11-21T10:01:00Z");
}

#[test]
fn access_may_outlast_the_grant_expiration_but_must_start_before_it() {
    let just_in_time = json!({"firstOpenedAt": "2026-11-21T09:59:59Z"});
    let decision = open_at("2026-11-21T11:00:00Z", just_in_time);
    assert_eq!(single(&decision).0, Verdict::Allow);
    let too_late = json!({"firstOpenedAt": "2026-11-21T10:00:00Z"});
    denies_because(
        &open_at("2026-11-21T10:30:00Z", too_late),
        "first opened at 2026-11-21T10:00:00Z, after it expired at 2026-11-21T10:00:00Z",
    );
}

#[test]
fn a_revocation_at_or_before_now_ends_the_grant() {
    let revoked = json!({"revokedAt": "2026-11-21T09:30:00Z"});
    assert_eq!(
        single(&open_at("2026-11-21T09:29:59Z", revoked.clone())).0,
        Verdict::Allow
    );
    for now in ["2026-11-21T09:30:00Z", "2026-11-21T09:30:01Z"] {
        denies_because(
            &open_at(now, revoked.clone()),
            "revoked at 2026-11-21T09:30:00Z",
        );
    }
}

#[test]
fn approval_alone_grants_nothing() {
    denies_because(
        &open_at("2026-11-21T09:30:00Z", json!({"appliedAt": null})),
        "approved but not applied",
    );
}

#[test]
fn grants_approved_or_applied_after_now_are_not_honoured() {
    let approved =
        json!({"approvedAt": "2026-11-21T09:30:00Z", "appliedAt": "2026-11-21T09:30:00Z"});
    denies_because(
        &open_at("2026-11-21T09:29:59Z", approved.clone()),
        "not yet valid: approved at 2026-11-21T09:30:00Z",
    );
    assert_eq!(
        single(&open_at("2026-11-21T09:30:00Z", approved)).0,
        Verdict::Allow
    );
    let applied = json!({"appliedAt": "2026-11-21T09:30:00Z"});
    denies_because(
        &open_at("2026-11-21T09:29:59Z", applied.clone()),
        "not yet valid: applied at 2026-11-21T09:30:00Z",
    );
    assert_eq!(
        single(&open_at("2026-11-21T09:30:00Z", applied)).0,
        Verdict::Allow
    );
}

#[test]
fn a_grant_with_missing_or_malformed_fields_is_inactive() {
    let now = "2026-11-21T09:30:00Z";
    let cases = [
        (
            json!({"revokedAt": "yesterday"}),
            "its revokedAt `yesterday` is malformed",
        ),
        (
            json!({"firstOpenedAt": 5}),
            "its firstOpenedAt `5` is malformed",
        ),
        (json!({"accessDuration": null}), "it has no accessDuration"),
        (
            json!({"grantExpiration": "1 day"}),
            "its grantExpiration `1 day` is malformed",
        ),
        (json!({"approvedAt": null}), "it has no approvedAt"),
        (
            json!({"appliedAt": "soon"}),
            "its appliedAt `soon` is malformed",
        ),
    ];
    for (patch, reason) in cases {
        denies_because(&open_at(now, patch), reason);
    }
}

#[test]
fn grants_match_by_environment_and_identity_ignoring_case_and_spaces() {
    let now = "2026-11-21T09:30:00Z";
    let variant = json!({"environment": " ACME/Payments/Prod ", "identity": "Alice@ACME.io "});
    assert_eq!(single(&open_at(now, variant)).0, Verdict::Allow);
    denies_because(
        &open_at(now, json!({"identity": "bob@acme.io"})),
        "no grant",
    );
    denies_because(
        &open_at(now, json!({"environment": "acme/payments/prod-eu"})),
        "no grant",
    );
}

#[test]
fn one_active_grant_among_dead_ones_is_enough_and_reasons_are_all_given() {
    let grants = json!([
        grant(json!({"revokedAt": "2026-11-21T09:10:00Z"})),
        grant(json!({"approvedAt": "2026-11-21T09:20:00Z", "request": "req-2"})),
    ]);
    let decision = decide_at(
        &[prod_open()],
        &open(grants, json!({})),
        "2026-11-21T10:10:00Z",
    );
    assert_eq!(single(&decision).0, Verdict::Allow);
    let dead = json!([
        grant(json!({"revokedAt": "2026-11-21T09:10:00Z"})),
        grant(json!({"appliedAt": null})),
    ]);
    let decision = decide_at(
        &[prod_open()],
        &open(dead, json!({})),
        "2026-11-21T09:30:00Z",
    );
    denies_because(
        &decision,
        "approved but not applied; revoked at 2026-11-21T09:10:00Z",
    );
}

#[test]
fn an_open_uses_an_already_opened_grant_before_a_fresh_one() {
    let grants = json!([
        grant(json!({"request": "fresh"})),
        grant(json!({"request": "opened", "firstOpenedAt": "2026-11-21T09:10:00Z"})),
    ]);
    let decision = decide_at(
        &[prod_open()],
        &open(grants, json!({})),
        "2026-11-21T09:30:00Z",
    );
    assert!(
        single(&decision)
            .1
            .ends_with("access ends at 2026-11-21T11:10:00Z")
    );
    assert!(decision.grant_activations.is_empty());
}

#[test]
fn an_allowed_open_reports_the_grants_it_activates_requested_first() {
    let grants = json!([
        grant(json!({"environment": "acme/shared/aws-creds", "accessDuration": "30m"})),
        grant(json!({})),
    ]);
    let environments = json!({"acme/payments/prod": {"imports": ["acme/shared/aws-creds"]}});
    let now = "2026-11-21T09:30:00Z";
    let decision = decide_at(
        &[prod_open(), shared_open()],
        &open(grants, environments),
        now,
    );
    assert_eq!(verdict(&decision), Some(Verdict::Allow));
    assert_eq!(
        lines(&decision),
        [
            "allow grant: alice@acme.io holds an active grant for acme/payments/prod; access ends at 2026-11-21T11:30:00Z (this open starts it); \
          import acme/shared/aws-creds: access ends at 2026-11-21T10:00:00Z (this open starts it)"
        ]
    );
    let activated: Vec<_> = decision
        .grant_activations
        .iter()
        .map(|a| {
            (
                a.environment.as_str(),
                a.identity.as_str(),
                a.first_opened_at,
                a.access_ends_at,
            )
        })
        .collect();
    assert_eq!(
        activated,
        [
            (
                "acme/payments/prod",
                "alice@acme.io",
                time(now),
                time("2026-11-21T11:30:00Z")
            ),
            (
                "acme/shared/aws-creds",
                "alice@acme.io",
                time(now),
                time("2026-11-21T10:00:00Z")
            ),
        ]
    );
}

#[test]
fn every_gated_transitive_import_needs_its_own_grant() {
    let environments = json!({
        "acme/payments/prod": {"imports": ["acme/shared/logging", "acme/shared/aws-creds"]},
        "acme/shared/logging": {"imports": ["acme/chain/one"]},
        "acme/chain/one": {"imports": ["acme/chain/two"]},
    });
    let grants = json!([
        grant(json!({})),
        grant(json!({"environment": "acme/chain/one"}))
    ]);
    let decision = decide_at(
        &[prod_open(), shared_open()],
        &open(grants, environments),
        "2026-11-21T09:30:00Z",
    );
    assert_eq!(
        lines(&decision),
        [
            "deny grant: alice@acme.io has no active grant for acme/chain/two (no grant), acme/shared/aws-creds (no grant); each needs an approved, applied grant"
        ]
    );
    assert!(
        decision.grant_activations.is_empty(),
        "a denied open activates nothing"
    );
}

#[test]
fn import_cycles_are_reported_and_each_environment_checked_once() {
    let environments = json!({
        "acme/payments/prod": {"imports": ["acme/loop/a"]},
        "acme/loop/a": {"imports": ["acme/loop/b"]},
        "acme/loop/b": {"imports": ["acme/loop/a", "acme/payments/prod"]},
    });
    let grants = json!([
        grant(json!({})),
        grant(json!({"environment": "acme/loop/a"})),
        grant(json!({"environment": "acme/loop/b"})),
    ]);
    let decision = decide_at(
        &[prod_open(), shared_open()],
        &open(grants, environments),
        "2026-11-21T09:30:00Z",
    );
    let rules: Vec<_> = outcomes(&decision)
        .iter()
        .map(|o| (o.verdict, &*o.rule))
        .collect();
    assert_eq!(
        rules,
        [
            (Verdict::Allow, "grant"),
            (Verdict::Warn, "imports"),
            (Verdict::Warn, "imports")
        ]
    );
    assert_eq!(
        lines(&decision)[1..],
        [
            "warn imports: the imports of acme/payments/prod form a cycle: acme/loop/a → acme/loop/b → acme/loop/a",
            "warn imports: the imports of acme/payments/prod form a cycle: acme/payments/prod → acme/loop/a → acme/loop/b → acme/payments/prod",
        ]
    );
    assert_eq!(
        decision.grant_activations.len(),
        3,
        "a warn still lets the open through"
    );
}

#[test]
fn a_self_import_is_a_cycle_not_a_hang() {
    let environments = json!({"acme/payments/prod": {"imports": ["acme/payments/prod"]}});
    let decision = decide_at(
        &[prod_open()],
        &open(json!([grant(json!({}))]), environments),
        "2026-11-21T09:30:00Z",
    );
    assert_eq!(
        lines(&decision)[1],
        "warn imports: the imports of acme/payments/prod form a cycle: acme/payments/prod → acme/payments/prod"
    );
}

fn open_as(requester: Value) -> RulesetDecision {
    let mut input = open(json!([grant(json!({}))]), json!({}));
    input["request"]["requester"] = requester;
    decide_at(&[prod_open()], &input, "2026-11-21T09:30:00Z")
}

#[test]
fn an_ephemeral_token_cannot_open() {
    let decision = open_as(json!({"id": "alice@acme.io", "ephemeral": true}));
    assert_eq!(
        lines(&decision),
        [
            "deny ephemeral: alice@acme.io is an ephemeral token, which cannot hold a grant; use a dedicated identity to open acme/payments/prod"
        ]
    );
    assert!(decision.grant_activations.is_empty());
}

#[test]
fn a_requester_whose_permissions_lack_open_cannot_open() {
    let decision = open_as(json!({"id": "alice@acme.io", "permissions": ["read"]}));
    assert_eq!(
        lines(&decision),
        [
            "deny permission: alice@acme.io lacks the open permission needed to open acme/payments/prod"
        ]
    );
    let decision = open_as(json!({"id": "alice@acme.io", "permissions": "open"}));
    assert_eq!(
        verdict(&decision),
        Some(Verdict::Deny),
        "a malformed list holds nothing"
    );
    let decision = open_as(json!({"id": "alice@acme.io"}));
    assert_eq!(
        verdict(&decision),
        Some(Verdict::Allow),
        "no list, no permission check"
    );
}

#[test]
fn a_request_without_a_requester_cannot_open() {
    let decision = open_as(json!({"teams": ["sre"]}));
    assert_eq!(
        lines(&decision),
        [
            "deny grant: the request names no requester, so no grant can let it open acme/payments/prod"
        ]
    );
}

#[test]
fn the_specification_example_opens_and_activates_the_grant() {
    let input = json!({
        "request": {
            "id": "req-1842", "action": "open", "environment": "acme/payments/prod",
            "requester": {"id": "alice@acme.io", "name": "Alice", "teams": ["sre"],
                          "permissions": ["open"], "ephemeral": false},
            "revision": 7, "description": "Investigating production API errors",
            "accessDuration": "2h", "grantExpiration": "24h"
        },
        "reviews": [{"by": {"id": "bob@acme.io", "teams": ["sre"], "permissions": []},
                     "decision": "approve", "revision": 7, "at": "2026-11-21T09:40:00Z", "comment": "ok"}],
        "grants": [{"environment": "acme/payments/prod", "identity": "alice@acme.io", "request": "req-1842",
                    "approvedAt": "2026-11-21T09:40:00Z", "appliedAt": "2026-11-21T09:45:00Z",
                    "firstOpenedAt": null, "accessDuration": "2h", "grantExpiration": "24h", "revokedAt": null}],
        "environments": {"acme/payments/prod": {"imports": ["acme/shared/aws-creds"]},
                         "acme/shared/aws-creds": {"imports": []}},
        "now": "2026-11-21T10:00:00Z"
    });
    let decision = decide(&[prod_open()], &input);
    assert_eq!(verdict(&decision), Some(Verdict::Allow));
    assert_eq!(decision.grant_activations.len(), 1);
    let activation = &decision.grant_activations[0];
    assert_eq!(activation.first_opened_at, time("2026-11-21T10:00:00Z"));
    assert_eq!(activation.access_ends_at, time("2026-11-21T12:00:00Z"));
}
