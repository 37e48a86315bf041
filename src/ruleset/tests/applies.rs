//! Which rulesets apply, the ungated allow, the env0 dialect, and malformed requests.

use serde_json::json;

use super::*;
use crate::error::ErrorClass;
use crate::verdict::Verdict;
use RulesetAction::*;

fn prod_change() -> Ruleset {
    Ruleset {
        environments: globs(&["acme/*/prod"]),
        ..ruleset("prod-change", &[Update])
    }
}

#[test]
fn an_esc_request_no_ruleset_gates_is_allowed_and_says_so() {
    let decision = decide(
        &[prod_change()],
        &esc("update", "acme/payments/dev", json!({})),
    );
    assert_eq!(
        lines(&decision),
        ["allow ungated: no ruleset gates update on acme/payments/dev"]
    );
    assert_eq!(&*decision.results[0].policy, "rulesets");
    assert_eq!(decision.results[0].source.to_string(), "rules.policy:1:1");
}

#[test]
fn globs_stay_within_a_segment_and_ignore_case() {
    let rulesets = [prod_change()];
    let gated = |environment: &str| {
        let decision = decide(&rulesets, &esc("update", environment, json!({})));
        &*decision.results[0].policy == "prod-change"
    };
    assert!(gated("acme/payments/prod"));
    assert!(gated(" ACME/Payments/PROD "));
    assert!(!gated("acme/payments/prod-eu"));
    assert!(!gated("acme/payments/team/prod"));
    assert!(!gated("other/payments/prod"));
}

#[test]
fn open_covers_open_requests_and_update_covers_writes() {
    let open = ruleset("open", &[Open]);
    let update = ruleset("update", &[Update]);
    let rulesets = [open, update];
    let policies = |action: &str| -> Vec<String> {
        decide(&rulesets, &esc(action, "acme/app/prod", json!({})))
            .results
            .iter()
            .map(|r| r.policy.to_string())
            .collect()
    };
    assert_eq!(policies("open"), ["open"]);
    assert_eq!(policies("open-request"), ["open"]);
    assert_eq!(policies("update"), ["update"]);
    assert_eq!(policies("write"), ["update"]);
}

#[test]
fn a_disabled_ruleset_does_not_apply() {
    let disabled = Ruleset {
        enabled: false,
        ..prod_change()
    };
    let decision = decide(&[disabled], &esc("update", "acme/payments/prod", json!({})));
    assert_eq!(verdict(&decision), Some(Verdict::Allow));
    assert_eq!(&*decision.results[0].policy, "rulesets");
}

#[test]
fn every_applying_ruleset_is_evaluated_in_load_order() {
    let anyone = ruleset("anyone", &[Update]);
    let two = Ruleset {
        required: 2,
        ..prod_change()
    };
    let input = esc(
        "update",
        "acme/payments/prod",
        json!({"reviews": [review(json!({"id": "bob@acme.io"}), "approve")]}),
    );
    let decision = decide(&[anyone, two], &input);
    let per_policy: Vec<_> = decision
        .results
        .iter()
        .map(|r| (&*r.policy, r.outcomes[0].verdict))
        .collect();
    assert_eq!(
        per_policy,
        [
            ("anyone", Verdict::Allow),
            ("prod-change", Verdict::Pending)
        ]
    );
}

#[test]
fn a_direct_write_under_an_update_ruleset_is_denied() {
    let decision = decide(
        &[prod_change()],
        &esc("write", "acme/payments/prod", json!({})),
    );
    assert_eq!(
        lines(&decision),
        [
            "deny write: direct writes to acme/payments/prod are blocked by ruleset prod-change; submit a change request (update) instead"
        ]
    );
}

fn env0(kind: &str, approvers: serde_json::Value) -> serde_json::Value {
    json!({
        "deploymentRequest": {"type": kind, "triggerName": "user", "revision": "main"},
        "deployerUser": {"name": "Alice", "email": "alice@acme.io", "teams": [{"id": "t1", "name": "payments"}]},
        "approvers": approvers,
    })
}

fn security() -> Ruleset {
    Ruleset {
        approvers: vec![team("security")],
        ..ruleset("destroy-needs-security", &[Destroy])
    }
}

#[test]
fn env0_approvers_are_approvals_of_the_current_revision() {
    let bob = json!([{"name": "Bob", "email": "bob@acme.io", "teams": [{"id": "t9", "name": "security"}]}]);
    let decision = decide(&[security()], &env0("destroy", bob));
    assert_eq!(
        lines(&decision),
        ["allow approvals: approved by bob@acme.io (1 of 1 approvals)"]
    );
    let decision = decide(&[security()], &env0("destroy", json!([])));
    assert_eq!(
        lines(&decision),
        [
            "pending approvals: 0 of 1 approvals; eligible: team security (not the requester); no reviews yet"
        ]
    );
}

#[test]
fn env0_deployer_approving_their_own_deployment_is_self_approval() {
    let alice = json!([{"name": "Alice", "email": "ALICE@acme.io", "teams": ["security"]}]);
    let decision = decide(&[security()], &env0("destroy", alice));
    assert_eq!(verdict(&decision), Some(Verdict::Pending));
    assert!(lines(&decision)[0].contains("not counted: ALICE@acme.io (self-approval)"));
}

#[test]
fn env0_actions_match_their_own_names_only() {
    let deploy = ruleset("deploys", &[Deploy, DeployResume]);
    let gated = |kind: &str| {
        !decide(std::slice::from_ref(&deploy), &env0(kind, json!([])))
            .results
            .is_empty()
    };
    assert!(gated("deploy"));
    assert!(gated("deployResume"));
    assert!(!gated("destroy"));
    assert!(!gated("destroyResume"));
    assert!(!gated("something-else"));
    assert!(!gated("open"));
}

#[test]
fn env0_deployments_meet_only_rulesets_without_environments() {
    let scoped = Ruleset {
        environments: globs(&["**"]),
        ..ruleset("scoped", &[Destroy])
    };
    let decision = decide(&[scoped], &env0("destroy", json!([])));
    assert!(
        decision.results.is_empty(),
        "no ungated allow for env0 either"
    );
}

#[test]
fn a_document_without_a_request_gives_no_result() {
    let decision = decide(
        &[security()],
        &json!({"costEstimation": {"monthlyCostDiff": 5}}),
    );
    assert!(decision.results.is_empty());
    let none = Rulesets::new(Vec::new())
        .evaluate(&json!({"request": 5}), time(NOW))
        .unwrap();
    assert!(none.results.is_empty(), "no rulesets, nothing to decide");
}

fn error_of(input: serde_json::Value) -> (ErrorClass, String) {
    let error = Rulesets::new(vec![security(), prod_change()])
        .evaluate(&input, time(NOW))
        .unwrap_err();
    (error.class, error.diagnostics[0].message.clone())
}

#[test]
fn a_request_that_cannot_be_read_is_invalid_never_allowed() {
    let cases = [
        (json!([1, 2]), "the input is not a JSON object"),
        (json!({"request": "req-1"}), "`request` is not an object"),
        (
            json!({"request": {"environment": "acme/a/prod"}}),
            "`request.action` is missing",
        ),
        (
            json!({"request": {"action": 3, "environment": "acme/a/prod"}}),
            "`request.action` is not a string",
        ),
        (
            json!({"request": {"action": "rotate", "environment": "acme/a/prod"}}),
            "`request.action` `rotate` is not an ESC action",
        ),
        (
            json!({"request": {"action": "open"}}),
            "`request.environment` is missing or not a string",
        ),
        (
            json!({"request": {"action": "update", "environment": "  "}}),
            "`request.environment` is missing or not a string",
        ),
        (
            json!({"deploymentRequest": {"triggerName": "user"}}),
            "`deploymentRequest.type` is missing or not a string",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(error_of(input), (ErrorClass::Invalid, message.to_string()));
    }
}

#[test]
fn a_missing_deployment_type_passes_when_no_ruleset_could_gate_it() {
    let decision = decide(&[prod_change()], &json!({"deploymentRequest": {}}));
    assert!(decision.results.is_empty());
}

#[test]
fn esc_action_names_are_read_without_regard_to_case_or_spaces() {
    let decision = decide(
        &[prod_change()],
        &esc(" Write ", "acme/payments/prod", json!({})),
    );
    assert_eq!(verdict(&decision), Some(Verdict::Deny));
}
