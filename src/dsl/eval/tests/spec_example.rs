//! SPEC 4.1: the example policy behaves as described, over the documents of SPEC 2.

use serde_json::json;

use super::*;

pub(crate) const COST_GUARD: &str = r#"# Hold costly or destructive deployments for review.
policy "cost-guard" {
  description "Cost and destroy guard for production deployments"
  when deploymentRequest.type in ["deploy", "deployResume", "destroy"]
  config { maxCostIncrease: 10, hardLimit: 5000 }

  let diff = costEstimation.monthlyCostDiff ?? 0
  let others = [a for a in approvers if lower(a.email) != lower(deployerUser.email)]

  deny    "Monthly cost increase of ${diff} exceeds the hard limit of ${config.hardLimit}" if diff > config.hardLimit
  pending "Monthly cost increase of ${diff} needs an approver other than the deployer"   if diff > config.maxCostIncrease and count(others) == 0
  warn    "This deployment destroys the environment"                                     if deploymentRequest.type == "destroy"
  allow   "Approved by ${others[0].name}"                                                 if count(others) > 0

  deny "Deleting ${r.address} is not allowed"
    for r in plan.resource_changes
    if "delete" in r.change.actions and r.type in ["aws_db_instance", "aws_s3_bucket"]
}
"#;

/// The env0 document of SPEC 2.1.
pub(crate) fn env0_document() -> Json {
    json!({
      "deploymentRequest": {"type": "deploy", "triggerName": "user", "revision": "main"},
      "template": {"id": "t-1", "name": "payments", "type": "terraform",
                   "repository": "https://example.com/acme/infra.git", "path": "payments", "revision": "main"},
      "costEstimation": {"totalMonthlyCost": 412.5, "monthlyCostDiff": 150},
      "plan": {"resource_changes": [{"address": "aws_db_instance.main", "type": "aws_db_instance",
                "change": {"actions": ["delete"], "before": {}, "after": null}}]},
      "deployerUser": {"name": "Alice", "email": "alice@acme.io", "teams": [{"id": "t1", "name": "payments"}]},
      "approvers": [{"name": "Bob", "email": "bob@acme.io", "teams": [{"id": "t9", "name": "security"}]}],
      "policyData": {"maxCostIncrease": 100}
    })
}

fn with(mut document: Json, pointer: &str, value: Json) -> Json {
    *document.pointer_mut(pointer).unwrap() = value;
    document
}

#[test]
fn the_spec_document_is_approved_by_bob_and_its_database_deletion_denied() {
    assert_eq!(
        fires(COST_GUARD, env0_document()),
        [
            "allow: Approved by Bob",
            "deny: Deleting aws_db_instance.main is not allowed"
        ]
    );
}

#[test]
fn outcomes_name_the_policy_the_verdict_and_the_rule_position() {
    let outcomes = outcomes(COST_GUARD, env0_document());
    let allow = &outcomes[0];
    assert_eq!(&*allow.policy, "cost-guard");
    assert_eq!(&*allow.rule, "allow");
    assert_eq!(allow.source.to_string(), "test.policy:13:3");
    assert_eq!(outcomes[1].source.to_string(), "test.policy:15:3");
}

#[test]
fn a_cost_increase_without_another_approver_waits() {
    let document = with(env0_document(), "/approvers", json!([]));
    let document = with(document, "/plan", json!(null));
    assert_eq!(
        fires(COST_GUARD, document.clone()),
        ["pending: Monthly cost increase of 150 needs an approver other than the deployer"]
    );
    // The deployer approving their own deployment does not count, whatever the case.
    let own = with(
        document,
        "/approvers",
        json!([{"name": "Alice", "email": "ALICE@acme.io"}]),
    );
    assert_eq!(fires(COST_GUARD, own).len(), 1);
}

#[test]
fn policy_data_overrides_the_config_defaults() {
    let document = with(env0_document(), "/approvers", json!([]));
    let document = with(document, "/plan", json!(null));
    // 150 is within the maxCostIncrease of 200 given by the input.
    assert!(
        fires(
            COST_GUARD,
            with(
                document.clone(),
                "/policyData",
                json!({"maxCostIncrease": 200})
            )
        )
        .is_empty()
    );
    // Without policyData the default of 10 applies.
    let without = with(document, "/policyData", json!(null));
    assert_eq!(fires(COST_GUARD, without).len(), 1);
}

#[test]
fn above_the_hard_limit_is_denied() {
    let document = with(
        env0_document(),
        "/costEstimation/monthlyCostDiff",
        json!(10000.5),
    );
    assert_eq!(
        fires(COST_GUARD, document)[0],
        "deny: Monthly cost increase of 10000.5 exceeds the hard limit of 5000"
    );
}

#[test]
fn destroying_warns() {
    let document = with(env0_document(), "/deploymentRequest/type", json!("destroy"));
    assert!(
        fires(COST_GUARD, document)
            .contains(&"warn: This deployment destroys the environment".to_string())
    );
}

#[test]
fn the_guard_leaves_other_deployment_types_alone() {
    for kind in [json!("destroyResume"), json!(null), json!(["deploy"])] {
        let document = with(env0_document(), "/deploymentRequest/type", kind);
        assert!(fires(COST_GUARD, document).is_empty());
    }
    assert!(fires(COST_GUARD, json!({})).is_empty());
}

#[test]
fn a_missing_cost_estimation_counts_as_no_increase() {
    let document = with(env0_document(), "/costEstimation", json!(null));
    let document = with(document, "/approvers", json!([]));
    assert!(
        fires(COST_GUARD, document)
            .iter()
            .all(|fired| !fired.starts_with("pending"))
    );
}

#[test]
fn only_deletions_of_listed_types_are_denied_one_outcome_each() {
    let plan = json!({"resource_changes": [
        {"address": "aws_db_instance.a", "type": "aws_db_instance", "change": {"actions": ["delete", "create"]}},
        {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "change": {"actions": ["delete"]}},
        {"address": "aws_s3_bucket.c", "type": "aws_s3_bucket", "change": {"actions": ["update"]}},
        {"address": "aws_instance.d", "type": "aws_instance", "change": {"actions": ["delete"]}},
        {"address": "broken"}
    ]});
    let document = with(env0_document(), "/plan", plan);
    let denied: Vec<String> = fires(COST_GUARD, document)
        .into_iter()
        .filter(|f| f.starts_with("deny"))
        .collect();
    assert_eq!(
        denied,
        [
            "deny: Deleting aws_db_instance.a is not allowed",
            "deny: Deleting aws_s3_bucket.b is not allowed"
        ]
    );
}
