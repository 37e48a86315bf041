//! `open-request`: approvals, the duration limits, and warnings for gated imports.

use serde_json::{Value, json};

use super::*;
use crate::verdict::Verdict;
use RulesetAction::*;

fn prod_open() -> Ruleset {
    Ruleset {
        environments: globs(&["acme/*/prod"]),
        approvers: vec![team("sre")],
        max_access_duration: limit("4h"),
        max_grant_expiration: limit("24h"),
        ..ruleset("prod-open", &[Open])
    }
}

fn approved_request(durations: Value) -> Value {
    let bob = json!({"id": "bob@acme.io", "teams": ["sre"]});
    let mut input = esc(
        "open-request",
        "acme/payments/prod",
        json!({"reviews": [review(bob, "approve")]}),
    );
    if let (Some(request), Value::Object(durations)) = (input["request"].as_object_mut(), durations)
    {
        request.extend(durations);
    }
    input
}

#[test]
fn durations_within_the_limits_are_allowed_up_to_the_limit_itself() {
    let decision = decide(
        &[prod_open()],
        &approved_request(json!({"accessDuration": "4h", "grantExpiration": "PT24H"})),
    );
    assert_eq!(
        lines(&decision),
        ["allow approvals: approved by bob@acme.io (1 of 1 approvals)"]
    );
}

#[test]
fn durations_above_the_limits_are_denied_naming_limit_and_value() {
    let decision = decide(
        &[prod_open()],
        &approved_request(json!({"accessDuration": "4h0m1s", "grantExpiration": "1d1s"})),
    );
    assert_eq!(
        lines(&decision)[1..],
        [
            "deny access-duration: requested accessDuration 4h1s exceeds the limit of 4h",
            "deny grant-expiration: requested grantExpiration 1d1s exceeds the limit of 1d",
        ]
    );
    let limits: Vec<String> = outcomes(&decision)[1..]
        .iter()
        .map(|o| o.source.to_string())
        .collect();
    assert_eq!(
        limits,
        ["rules.policy:9:3", "rules.policy:9:3"],
        "they point at the limit"
    );
}

#[test]
fn missing_or_malformed_durations_under_a_limit_are_denied() {
    let decision = decide(
        &[prod_open()],
        &approved_request(json!({"accessDuration": "forever"})),
    );
    assert_eq!(
        lines(&decision)[1..],
        [
            "deny access-duration: requested accessDuration `forever` is not a duration; the limit is 4h",
            "deny grant-expiration: the request gives no grantExpiration; this ruleset allows at most 1d",
        ]
    );
    let unlimited = Ruleset {
        max_access_duration: None,
        max_grant_expiration: None,
        ..prod_open()
    };
    let decision = decide(&[unlimited], &approved_request(json!({})));
    assert_eq!(
        verdict(&decision),
        Some(Verdict::Allow),
        "no limit, nothing to check"
    );
}

#[test]
fn open_requests_wait_for_approval_and_rejections_deny() {
    let input = esc(
        "open-request",
        "acme/payments/prod",
        json!({
            "request": {"action": "open-request", "environment": "acme/payments/prod",
                        "requester": {"id": "alice@acme.io"}, "accessDuration": "1h", "grantExpiration": "1h"}
        }),
    );
    let decision = decide(&[prod_open()], &input);
    assert_eq!(verdict(&decision), Some(Verdict::Pending));
    let mut rejected = input.clone();
    rejected["reviews"] = json!([{"by": {"id": "bob@acme.io", "teams": ["sre"]}, "decision": "reject", "comment": "use staging"}]);
    assert_eq!(
        lines(&decide(&[prod_open()], &rejected)),
        ["deny rejection: rejected by bob@acme.io: use staging"]
    );
}

#[test]
fn each_gated_import_is_named_in_a_warning() {
    let shared = Ruleset {
        environments: globs(&["acme/shared/*"]),
        ..ruleset("shared-open", &[Open])
    };
    let disabled = Ruleset {
        enabled: false,
        environments: globs(&["acme/ungated/*"]),
        ..ruleset("off", &[Open])
    };
    let updates_only = Ruleset {
        environments: globs(&["acme/config/*"]),
        ..ruleset("config-change", &[Update])
    };
    let mut input = approved_request(json!({"accessDuration": "1h", "grantExpiration": "1h"}));
    input["environments"] = json!({
        "acme/payments/prod": {"imports": ["acme/shared/aws-creds", "acme/ungated/x", "acme/config/y"]},
        "acme/config/y": {"imports": ["acme/shared/db"]},
    });
    let decision = decide(&[prod_open(), shared, disabled, updates_only], &input);
    assert_eq!(
        lines(&decision)[1..],
        [
            "warn imports: acme/payments/prod imports acme/shared/aws-creds, which ruleset shared-open gates: it needs its own approved grant",
            "warn imports: acme/payments/prod imports acme/shared/db, which ruleset shared-open gates: it needs its own approved grant",
        ]
    );
    assert_eq!(verdict(&decision), Some(Verdict::Warn));
}
