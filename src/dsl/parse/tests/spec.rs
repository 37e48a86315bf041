//! The examples of the specification parse into the trees they describe.

use super::parses_to;

fn spec_example(name: &str) -> String {
    let path = format!("{}/tests/data/dsl/spec/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

#[test]
fn cost_guard_policy() {
    parses_to(
        &spec_example("cost-guard.policy"),
        r#"(policy "cost-guard"
  (description "Cost and destroy guard for production deployments")
  (when (in (path deploymentRequest .type) ["deploy" "deployResume" "destroy"]))
  (config {maxCostIncrease: 10, hardLimit: 5000})
  (let diff (?? (path costEstimation .monthlyCostDiff) 0))
  (let others (list a (for a approvers) (if (!= (call lower (path a .email)) (call lower (path deployerUser .email))))))
  (deny (str "Monthly cost increase of " diff " exceeds the hard limit of " (path config .hardLimit)) (if (> diff (path config .hardLimit))))
  (pending (str "Monthly cost increase of " diff " needs an approver other than the deployer") (if (and (> diff (path config .maxCostIncrease)) (== (call count others) 0))))
  (warn "This deployment destroys the environment" (if (== (path deploymentRequest .type) "destroy")))
  (allow (str "Approved by " (path others [0] .name)) (if (> (call count others) 0)))
  (deny (str "Deleting " (path r .address) " is not allowed") (for r (path plan .resource_changes)) (if (and (in "delete" (path r .change .actions)) (in (path r .type) ["aws_db_instance" "aws_s3_bucket"])))))"#,
    );
}

#[test]
fn approval_rulesets() {
    parses_to(
        &spec_example("rulesets.policy"),
        r#"(ruleset "prod-open"
  (description "JIT access to production")
  (action open)
  (environments "acme/*/prod" "acme/*/prod-*")
  (approvers (team "sre") (user "carol@acme.io") (permission "env:admin"))
  (require 2)
  (self_approval denied)
  (reapprove_on_change true)
  (max_access_duration "4h")
  (max_grant_expiration "24h"))
(ruleset "prod-change"
  (action update)
  (environments "acme/*/prod")
  (approvers (team "platform"))
  (require 1))
(ruleset "destroy-needs-security"
  (action destroy)
  (approvers (team "security"))
  (require 1)
  (self_approval denied))"#,
    );
}

#[test]
fn policy_test_block() {
    parses_to(
        &spec_example("cost-test.policy"),
        r#"(test "cost above the threshold waits for approval"
  (input "../fixtures/env0/deploy-cost-150.json")
  (set (path costEstimation .monthlyCostDiff) 150)
  (now "2026-11-21T10:00:00Z")
  (expect pending)
  (expect message contains "needs an approver"))"#,
    );
}
