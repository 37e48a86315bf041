//! Which reviews count, rejections, and the messages of update and open-request approvals.

use serde_json::{Value, json};

use super::*;
use crate::verdict::Verdict;
use RulesetAction::*;

fn prod_change(approvers: Vec<Approver>) -> Ruleset {
    Ruleset {
        environments: globs(&["acme/*/prod"]),
        approvers,
        ..ruleset("prod-change", &[Update])
    }
}

fn update(reviews: Value) -> Value {
    esc("update", "acme/payments/prod", json!({"reviews": reviews}))
}

fn decide_one(ruleset: Ruleset, reviews: Value) -> RulesetDecision {
    decide(&[ruleset], &update(reviews))
}

fn bob() -> Value {
    json!({"id": "bob@acme.io", "teams": ["platform"], "permissions": []})
}

#[test]
fn enough_eligible_approvals_allow_naming_the_approvers() {
    let decision = decide_one(
        prod_change(vec![team("platform")]),
        json!([review(bob(), "approve")]),
    );
    assert_eq!(
        lines(&decision),
        ["allow approvals: approved by bob@acme.io (1 of 1 approvals)"]
    );
}

#[test]
fn too_few_approvals_wait_saying_who_may_approve() {
    let ruleset = Ruleset {
        required: 2,
        ..prod_change(vec![
            team("platform"),
            user("carol@acme.io"),
            permission("env:admin"),
        ])
    };
    let decision = decide_one(ruleset, json!([review(bob(), "approve")]));
    assert_eq!(
        lines(&decision),
        [
            "pending approvals: 1 of 2 approvals; eligible: team platform, user carol@acme.io, permission env:admin (not the requester); counted: bob@acme.io"
        ]
    );
}

#[test]
fn a_reject_by_an_eligible_reviewer_on_the_current_revision_denies() {
    let ruleset = prod_change(vec![team("platform")]);
    let carol = json!({"id": "carol@acme.io", "teams": ["platform"]});
    let reject = json!({"by": bob(), "decision": "reject", "revision": 7, "comment": "too risky"});
    let decision = decide_one(
        ruleset.clone(),
        json!([review(carol.clone(), "approve"), reject]),
    );
    assert_eq!(
        lines(&decision),
        ["deny rejection: rejected by bob@acme.io: too risky"]
    );

    let silent = json!({"by": bob(), "decision": "reject", "revision": 7});
    let decision = decide_one(ruleset.clone(), json!([silent]));
    assert_eq!(
        lines(&decision),
        ["deny rejection: rejected by bob@acme.io (no comment)"]
    );

    let stale = json!({"by": bob(), "decision": "reject", "revision": 6});
    let decision = decide_one(
        ruleset.clone(),
        json!([stale, review(carol.clone(), "approve")]),
    );
    assert_eq!(
        verdict(&decision),
        Some(Verdict::Allow),
        "a stale reject does not deny"
    );

    let outsider = json!({"by": {"id": "eve@acme.io"}, "decision": "reject", "revision": 7});
    let decision = decide_one(ruleset, json!([outsider, review(carol, "approve")]));
    assert_eq!(
        verdict(&decision),
        Some(Verdict::Allow),
        "an ineligible reject does not deny"
    );
}

#[test]
fn a_reject_on_an_old_revision_does_not_deny_even_without_reapproval() {
    let ruleset = Ruleset {
        reapprove_on_change: false,
        ..prod_change(vec![])
    };
    let stale = json!({"by": bob(), "decision": "reject", "revision": 6});
    let decision = decide_one(ruleset, json!([stale]));
    assert_eq!(verdict(&decision), Some(Verdict::Pending));
}

#[test]
fn every_review_that_did_not_count_is_listed_with_its_reason() {
    let ruleset = Ruleset {
        required: 3,
        ..prod_change(vec![team("platform")])
    };
    let reviews = json!([
        review(json!({"id": "alice@acme.io", "teams": ["platform"]}), "approve"),
        {"by": bob(), "decision": "approve", "revision": 6},
        review(json!({"id": "dave@acme.io", "teams": ["platform-contractors"]}), "approve"),
        review(bob(), "approve"),
        review(json!({"id": " BOB@acme.io ", "teams": ["platform"]}), "approve"),
        review(json!({"teams": ["platform"]}), "approve"),
        review(json!({"id": "erin@acme.io", "teams": ["platform"]}), "comment"),
    ]);
    let decision = decide_one(ruleset, reviews);
    assert_eq!(
        lines(&decision),
        [
            "pending approvals: 1 of 3 approvals; eligible: team platform (not the requester); counted: bob@acme.io; \
          not counted: alice@acme.io (self-approval), bob@acme.io (stale revision 6, current 7), \
          dave@acme.io (not eligible), BOB@acme.io (duplicate), review 6 (no identity), \
          erin@acme.io (decision `comment` is not approve)"
        ]
    );
}

#[test]
fn self_approval_counts_only_when_allowed() {
    let alice = json!({"email": "Alice@Acme.io"});
    let denied = decide_one(
        prod_change(vec![]),
        json!([review(alice.clone(), "approve")]),
    );
    assert_eq!(verdict(&denied), Some(Verdict::Pending));
    let allowed = Ruleset {
        self_approval_allowed: true,
        ..prod_change(vec![])
    };
    let decision = decide_one(allowed, json!([review(alice, "approve")]));
    assert_eq!(verdict(&decision), Some(Verdict::Allow));
}

#[test]
fn stale_revisions_count_only_without_reapproval_on_change() {
    let stale = json!([{"by": bob(), "decision": "approve", "revision": 6}]);
    let strict = decide_one(prod_change(vec![]), stale.clone());
    assert_eq!(verdict(&strict), Some(Verdict::Pending));
    let lenient = Ruleset {
        reapprove_on_change: false,
        ..prod_change(vec![])
    };
    assert_eq!(verdict(&decide_one(lenient, stale)), Some(Verdict::Allow));
}

#[test]
fn revisions_compare_by_text_whether_numbers_or_strings() {
    let as_string = json!([{"by": bob(), "decision": "approve", "revision": " 7 "}]);
    assert_eq!(
        verdict(&decide_one(prod_change(vec![]), as_string)),
        Some(Verdict::Allow)
    );
    let as_float = json!([{"by": bob(), "decision": "approve", "revision": 7.0}]);
    assert_eq!(
        verdict(&decide_one(prod_change(vec![]), as_float)),
        Some(Verdict::Allow)
    );
    let missing = json!([{"by": bob(), "decision": "approve"}]);
    let decision = decide_one(prod_change(vec![]), missing);
    assert!(lines(&decision)[0].contains("bob@acme.io (stale revision none, current 7)"));
}

/// An update at `revision` with `reviews` (reviewer id, decision, revision), revisions
/// written as JSON text so that numbers past what a double holds reach the reader as
/// written.
fn update_at_revision(revision: &str, reviews: &[(&str, &str, &str)]) -> Value {
    let reviews: Vec<String> = reviews
        .iter()
        .map(|(by, decision, revision)| {
            format!(
                r#"{{"by": {{"id": "{by}"}}, "decision": "{decision}", "revision": {revision}}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"request": {{"action": "update", "environment": "acme/payments/prod",
            "requester": {{"id": "alice@acme.io"}}, "revision": {revision}}},
          "reviews": [{}]}}"#,
        reviews.join(", ")
    );
    serde_json::from_str(&text).unwrap()
}

#[test]
fn revisions_past_two_to_the_53_never_match_since_they_cannot_be_told_apart() {
    let at = |request: &str, review: &str| {
        let input = update_at_revision(request, &[("bob@acme.io", "approve", review)]);
        verdict(&decide(&[prod_change(vec![])], &input))
    };
    assert_eq!(
        at("9007199254740991", "9007199254740991"),
        Some(Verdict::Allow)
    );
    assert_eq!(
        at("18446744073709551615", "18446744073709551615"),
        Some(Verdict::Allow)
    );
    assert_eq!(
        at("12345678901234567890123", "12345678901234567890124"),
        Some(Verdict::Pending)
    );
    assert_eq!(at("1e22", "1e22"), Some(Verdict::Pending));
    assert_eq!(
        at("\"12345678901234567890123\"", "\"12345678901234567890123\""),
        Some(Verdict::Allow)
    );
}

#[test]
fn a_reject_on_a_revision_read_inexactly_still_denies() {
    // Without reapproval on change, an approval of any revision counts; a reject on what
    // may be the current revision must still deny.
    let ruleset = Ruleset {
        reapprove_on_change: false,
        ..prod_change(vec![])
    };
    for revision in ["7", "12345678901234567890123"] {
        let input = update_at_revision(
            revision,
            &[
                ("bob@acme.io", "reject", revision),
                ("carol@acme.io", "approve", "1"),
            ],
        );
        assert_eq!(
            verdict(&decide(std::slice::from_ref(&ruleset), &input)),
            Some(Verdict::Deny),
            "{revision}"
        );
    }
}

#[test]
fn an_env0_deployment_without_a_deployer_counts_its_approvers() {
    let ruleset = Ruleset {
        environments: None,
        ..ruleset("deploys", &[Deploy])
    };
    let input = json!({
        "deploymentRequest": {"type": "deploy"},
        "approvers": [{"email": "bob@acme.io"}],
    });
    assert_eq!(verdict(&decide(&[ruleset], &input)), Some(Verdict::Allow));
}

#[test]
fn duplicates_under_other_case_or_spacing_count_once() {
    let ruleset = Ruleset {
        required: 2,
        ..prod_change(vec![])
    };
    let reviews = json!([
        review(json!({"id": "bob@acme.io"}), "approve"),
        review(json!({"id": "  Bob@ACME.io"}), "approve"),
        review(json!({"email": "BOB@acme.io "}), "approve"),
    ]);
    let decision = decide_one(ruleset, reviews);
    assert_eq!(verdict(&decision), Some(Verdict::Pending));
    assert!(lines(&decision)[0].starts_with("pending approvals: 1 of 2 approvals"));
}

#[test]
fn a_listed_user_matches_the_identity_id_then_email_then_name() {
    let rulesets = |who: &str| prod_change(vec![user(who)]);
    let counts = |who: &str, by: Value| {
        verdict(&decide_one(rulesets(who), json!([review(by, "approve")]))) == Some(Verdict::Allow)
    };
    assert!(counts("bob@acme.io", json!({"id": " BOB@acme.io "})));
    assert!(counts(
        "bob@acme.io",
        json!({"email": "bob@acme.io", "name": "Bob"})
    ));
    assert!(counts("Bob Smith", json!({"name": "bob smith"})));
    assert!(
        !counts("bob@acme.io", json!({"id": "u-17", "email": "bob@acme.io"})),
        "the identity is the id when there is one"
    );
    assert!(!counts("bob@acme.io", json!({"id": "bob@acme.io.evil"})));
}

#[test]
fn teams_match_by_name_or_id_and_similar_names_do_not() {
    let counts = |listed: &str, teams: Value| {
        let by = json!({"id": "bob@acme.io", "teams": teams});
        verdict(&decide_one(
            prod_change(vec![team(listed)]),
            json!([review(by, "approve")]),
        )) == Some(Verdict::Allow)
    };
    assert!(counts(
        "security",
        json!([{"id": "t9", "name": "Security"}])
    ));
    assert!(counts("t9", json!([{"id": "t9", "name": "security"}])));
    assert!(counts("sre", json!([" SRE "])));
    assert!(!counts("sre", json!(["sre-contractors"])));
    assert!(!counts(
        "sre",
        json!([{"id": "sre-contractors", "name": "sre contractors"}])
    ));
    assert!(!counts("sre", json!("sre")), "teams must be a list");
}

#[test]
fn a_listed_permission_admits_its_holders() {
    let counts = |permissions: Value| {
        let by = json!({"id": "bob@acme.io", "permissions": permissions});
        verdict(&decide_one(
            prod_change(vec![permission("env:admin")]),
            json!([review(by, "approve")]),
        )) == Some(Verdict::Allow)
    };
    assert!(counts(json!(["env:read", "ENV:admin"])));
    assert!(!counts(json!(["env:admin-lite"])));
    assert!(!counts(json!("env:admin")));
}

#[test]
fn no_listed_approvers_lets_anyone_but_the_requester_approve() {
    let stranger = json!({"id": "zoe@elsewhere.io"});
    let decision = decide_one(prod_change(vec![]), json!([review(stranger, "approve")]));
    assert_eq!(verdict(&decision), Some(Verdict::Allow));
    let decision = decide_one(prod_change(vec![]), json!([]));
    assert_eq!(
        lines(&decision),
        ["pending approvals: 0 of 1 approvals; eligible: anyone but the requester; no reviews yet"]
    );
}

#[test]
fn the_requester_under_another_field_is_still_the_requester() {
    let input = esc(
        "update",
        "acme/payments/prod",
        json!({"reviews": [review(json!({"email": "ALICE@acme.io"}), "approve")]}),
    );
    let mut input = input;
    input["request"]["requester"] = json!({"id": "u-1", "email": "alice@acme.io"});
    let decision = decide(&[prod_change(vec![])], &input);
    assert!(lines(&decision)[0].contains("(self-approval)"));
}

#[test]
fn a_requester_with_no_identity_gets_no_approval_unless_self_approval_is_allowed() {
    for requester in [
        json!(null),
        json!({}),
        json!({"teams": ["platform"]}),
        json!({"id": " "}),
    ] {
        let mut input = update(json!([review(bob(), "approve")]));
        input["request"]["requester"] = requester.clone();
        let decision = decide(&[prod_change(vec![])], &input);
        assert_eq!(
            lines(&decision),
            [
                "pending approvals: 0 of 1 approvals; eligible: anyone but the requester; not counted: bob@acme.io (may be self-approval: the requester has no id, email or name)"
            ],
            "{requester}"
        );
        let allowed = Ruleset {
            self_approval_allowed: true,
            ..prod_change(vec![])
        };
        assert_eq!(verdict(&decide(&[allowed], &input)), Some(Verdict::Allow));
    }
}

#[test]
fn more_approvals_than_required_are_said_as_such() {
    let carol = json!({"id": "carol@acme.io"});
    let decision = decide_one(
        prod_change(vec![]),
        json!([review(bob(), "approve"), review(carol, "approve")]),
    );
    assert_eq!(
        lines(&decision),
        ["allow approvals: approved by bob@acme.io, carol@acme.io (2 approvals, 1 required)"]
    );
}

#[test]
fn review_fields_of_the_wrong_type_are_absent() {
    let reviews = json!([
        "bob approves",
        {"by": "bob@acme.io", "decision": "approve", "revision": 7},
        {"by": bob(), "decision": ["approve"], "revision": 7},
    ]);
    let decision = decide_one(prod_change(vec![]), reviews);
    assert_eq!(
        lines(&decision),
        [
            "pending approvals: 0 of 1 approvals; eligible: anyone but the requester; not counted: review 1 (no identity), bob@acme.io (no decision)"
        ]
    );
}
