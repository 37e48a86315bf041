//! The `--explain` view of rulesets.

use serde_json::json;

use super::*;
use RulesetAction::*;

#[test]
fn explains_reviews_grants_and_rulesets_that_do_not_apply() {
    let prod_open = Ruleset {
        environments: globs(&["acme/*/prod"]),
        ..ruleset("prod-open", &[Open])
    };
    let changes = ruleset("changes", &[Update]);
    let input = esc(
        "open",
        "acme/payments/prod",
        json!({
            "grants": [
                {"environment": "acme/payments/prod", "identity": "alice@acme.io", "request": "req-1",
                 "approvedAt": "2026-11-21T09:00:00Z", "appliedAt": "2026-11-21T09:01:00Z",
                 "accessDuration": "2h", "grantExpiration": "1h", "revokedAt": "2026-11-21T09:10:00Z"},
                {"environment": "acme/payments/prod", "identity": "alice@acme.io", "request": "req-2",
                 "approvedAt": "2026-11-21T09:20:00Z", "appliedAt": "2026-11-21T09:21:00Z",
                 "accessDuration": "2h", "grantExpiration": "1h"},
            ],
            "environments": {"acme/payments/prod": {"imports": ["acme/payments/prod"]}},
        }),
    );
    let explanation = Rulesets::new(vec![prod_open, changes])
        .explain(&input, time("2026-11-21T09:30:00Z"))
        .unwrap();
    assert_eq!(
        explanation.to_string(),
        "request: open acme/payments/prod by alice@acme.io
  import cycle: acme/payments/prod → acme/payments/prod
ruleset prod-open (rules.policy:1:1): applies
  allow grant: alice@acme.io holds an active grant for acme/payments/prod; access ends at 2026-11-21T11:30:00Z (this open starts it)
  warn imports: the imports of acme/payments/prod form a cycle: acme/payments/prod → acme/payments/prod
  grants for acme/payments/prod: active
    grant 1 (req-1): revoked at 2026-11-21T09:10:00Z
    grant 2 (req-2): active; this open starts access until 2026-11-21T11:30:00Z
ruleset changes (rules.policy:1:1): gates update, not open
"
    );
    let json = serde_json::to_value(&explanation).unwrap();
    assert_eq!(json["rulesets"][1]["applicability"], "action-not-gated");
    assert_eq!(
        json["rulesets"][0]["grants"][0]["grants"][1]["active"],
        true
    );
}

#[test]
fn explains_which_reviews_counted() {
    let change = Ruleset {
        approvers: vec![team("platform")],
        ..ruleset("changes", &[Update])
    };
    let input = esc(
        "update",
        "acme/app/prod",
        json!({"reviews": [
            review(json!({"id": "bob@acme.io", "teams": ["platform"]}), "approve"),
            review(json!({"id": "eve@acme.io"}), "approve"),
        ]}),
    );
    let explanation = Rulesets::new(vec![change])
        .explain(&input, time(NOW))
        .unwrap();
    let text = explanation.to_string();
    assert!(text.contains("  approvals: 1 of 1\n"), "{text}");
    assert!(text.contains("    review 1: bob@acme.io approve on revision 7: counted\n"));
    assert!(text.contains("    review 2: eve@acme.io approve on revision 7: not eligible\n"));
}

#[test]
fn an_input_without_a_request_explains_as_much() {
    let explanation = Rulesets::new(vec![ruleset("d", &[Deploy])])
        .explain(&json!({}), time(NOW))
        .unwrap();
    assert_eq!(
        explanation.to_string(),
        "rulesets: the input carries no request to gate\n"
    );
}
