//! The floor: the shipped policies written by hand in Rust, once over `serde_json::Value`
//! and once over typed structs, giving the same outcomes as the policy-language twins.
//! Nothing verdict does can be faster than code written for one policy set.

#![allow(dead_code)]

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use verdict::Outcome;
use verdict::Verdict;
use verdict::source::Location;

use super::workloads::{SHIPPED, Shipped, shipped_kind};

const CRITICAL: [&str; 5] = [
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_s3_bucket",
    "aws_dynamodb_table",
    "aws_kms_key",
];
const OWNED: [&str; 4] = [
    "aws_iam_role",
    "aws_iam_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_user",
];
const CRITICAL_MESSAGE: &str = "Critical resource deleted: This plan deletes a database, bucket, table or key; remove it from the plan or delete it by hand";
const DESTROY_MESSAGE: &str =
    "Environment destroyed: This deployment destroys every resource of the environment";

/// A policy of a generated set: its name and where its outcomes say it is. Its outcomes
/// share the names, as verdict's do.
pub struct FloorPolicy {
    pub kind: usize,
    pub name: Arc<str>,
    pub location: Location,
    /// Each verdict's name, by the verdict's place in [`Verdict`]'s order.
    rule_names: [Arc<str>; 4],
}

/// The policies of a set of `count`, named as [`super::workloads::dsl_set`] names them.
pub fn policies(count: usize) -> Vec<FloorPolicy> {
    (0..count)
        .map(|index| {
            let shipped: &Shipped = shipped_kind(index);
            let copy = index / SHIPPED.len();
            let name = if copy == 0 {
                shipped.dsl_name.to_string()
            } else {
                format!("{}-{copy}", shipped.dsl_name)
            };
            FloorPolicy {
                kind: index % SHIPPED.len(),
                location: Location::new("floor.rs", 1, 1),
                name: name.into(),
                rule_names: [
                    Verdict::Allow,
                    Verdict::Warn,
                    Verdict::Pending,
                    Verdict::Deny,
                ]
                .map(|verdict| verdict.as_str().into()),
            }
        })
        .collect()
}

/// The strictest verdict of the outcomes, `pending` when there are none.
pub fn verdict_of(outcomes: &[Outcome]) -> Verdict {
    outcomes
        .iter()
        .map(|outcome| outcome.verdict)
        .max()
        .unwrap_or(Verdict::Pending)
}

fn outcome(policy: &FloorPolicy, verdict: Verdict, message: String) -> Outcome {
    Outcome {
        verdict,
        message,
        policy: policy.name.clone(),
        rule: policy.rule_names[verdict as usize].clone(),
        source: policy.location.clone(),
        details: None,
    }
}

fn number(value: f64) -> String {
    format!("{}", if value == 0.0 { 0.0 } else { value })
}

// ---------------------------------------------------------------------------------------
// Over `serde_json::Value`.

/// Every policy of the set over an input document.
pub fn decide_json(set: &[FloorPolicy], input: &Value) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for policy in set {
        match policy.kind {
            0 => protect_critical(policy, input, &mut outcomes),
            1 => require_approvers(policy, input, &mut outcomes),
            2 => cost_threshold(policy, input, &mut outcomes),
            3 => cost_hard_limit(policy, input, &mut outcomes),
            4 => team_owned(policy, input, &mut outcomes),
            5 => warn_destroy(policy, input, &mut outcomes),
            _ => auto_allow(policy, input, &mut outcomes),
        }
    }
    outcomes
}

fn changes(input: &Value) -> &[Value] {
    input
        .pointer("/plan/resource_changes")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn actions(change: &Value) -> &[Value] {
    change
        .pointer("/change/actions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn address(change: &Value) -> &str {
    change
        .get("address")
        .and_then(Value::as_str)
        .unwrap_or("null")
}

fn setting(input: &Value, key: &str, default: f64) -> f64 {
    input
        .get("policyData")
        .and_then(|data| data.get(key))
        .and_then(Value::as_f64)
        .unwrap_or(default)
}

fn protect_critical(policy: &FloorPolicy, input: &Value, out: &mut Vec<Outcome>) {
    for change in changes(input) {
        let deletes = actions(change).iter().any(|action| action == "delete");
        let critical = change
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|kind| CRITICAL.contains(&kind));
        if deletes && critical {
            let message = format!("{CRITICAL_MESSAGE} ({})", address(change));
            out.push(outcome(policy, Verdict::Deny, message));
        }
    }
}

/// Whether the plan has changes and every one of them is a no-op.
fn only_no_ops(input: &Value) -> bool {
    let Some(changes) = input
        .pointer("/plan/resource_changes")
        .and_then(Value::as_array)
    else {
        return false;
    };
    !changes.is_empty()
        && changes
            .iter()
            .all(|change| actions(change).len() == 1 && actions(change)[0] == "no-op")
}

fn scheduled(input: &Value) -> bool {
    input
        .pointer("/deploymentRequest/triggerName")
        .and_then(Value::as_str)
        == Some("scheduled")
}

fn require_approvers(policy: &FloorPolicy, input: &Value, out: &mut Vec<Outcome>) {
    if input.get("deploymentRequest").is_none_or(Value::is_null) {
        return;
    }
    let required = setting(input, "requiredApprovers", 1.0);
    let deployer = input
        .pointer("/deployerUser/email")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let mut others: Vec<String> = input
        .get("approvers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|approver| approver.get("email").and_then(Value::as_str))
        .map(str::to_lowercase)
        .filter(|email| *email != deployer)
        .collect();
    others.sort();
    others.dedup();
    if scheduled(input) || only_no_ops(input) {
        return;
    }
    let count = others.len() as f64;
    if count < required {
        let message = format!(
            "{} of {} approvals from someone other than the deployer",
            number(count),
            number(required)
        );
        out.push(outcome(policy, Verdict::Pending, message));
    } else {
        let message = format!("approved by {}", others.join(", "));
        out.push(outcome(policy, Verdict::Allow, message));
    }
}

fn cost_threshold(policy: &FloorPolicy, input: &Value, out: &mut Vec<Outcome>) {
    let threshold = setting(input, "maxCostIncrease", 100.0);
    let increase = input
        .pointer("/costEstimation/monthlyCostDiff")
        .and_then(Value::as_f64);
    if let Some(increase) = increase.filter(|&increase| increase > threshold) {
        let message = format!(
            "monthly cost increase of {} exceeds the review threshold of {}",
            number(increase),
            number(threshold)
        );
        out.push(outcome(policy, Verdict::Pending, message));
    }
}

fn cost_hard_limit(policy: &FloorPolicy, input: &Value, out: &mut Vec<Outcome>) {
    let limit = setting(input, "hardMonthlyLimit", 5000.0);
    let total = input
        .pointer("/costEstimation/totalMonthlyCost")
        .and_then(Value::as_f64);
    if let Some(total) = total.filter(|&total| total > limit) {
        let message = format!(
            "total monthly cost of {} exceeds the hard limit of {}",
            number(total),
            number(limit)
        );
        out.push(outcome(policy, Verdict::Deny, message));
    }
}

fn team_owned(policy: &FloorPolicy, input: &Value, out: &mut Vec<Outcome>) {
    let in_team = input
        .pointer("/deployerUser/teams")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|team| {
            team.get("id") == Some(&"security".into())
                || team.get("name") == Some(&"security".into())
        });
    if in_team {
        return;
    }
    for change in changes(input) {
        let owned = change
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|kind| OWNED.contains(&kind));
        let changes_it = actions(change)
            .iter()
            .any(|action| action != "no-op" && action != "read");
        if owned && changes_it {
            let message = format!("only the security team may change {}", address(change));
            out.push(outcome(policy, Verdict::Deny, message));
        }
    }
}

fn warn_destroy(policy: &FloorPolicy, input: &Value, out: &mut Vec<Outcome>) {
    let kind = input
        .pointer("/deploymentRequest/type")
        .and_then(Value::as_str);
    if kind == Some("destroy") {
        out.push(outcome(policy, Verdict::Warn, DESTROY_MESSAGE.to_string()));
    }
}

fn auto_allow(policy: &FloorPolicy, input: &Value, out: &mut Vec<Outcome>) {
    if scheduled(input) {
        let message = "scheduled drift correction goes ahead without review".to_string();
        out.push(outcome(policy, Verdict::Allow, message));
    }
    if only_no_ops(input) {
        out.push(outcome(
            policy,
            Verdict::Allow,
            "the plan changes nothing".to_string(),
        ));
    }
}

// ---------------------------------------------------------------------------------------
// Over typed structs: the parse reads only what the policies need and skips the rest.

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Document {
    deployment_request: Option<DeploymentRequest>,
    cost_estimation: Option<CostEstimation>,
    plan: Option<Plan>,
    deployer_user: Option<User>,
    approvers: Vec<User>,
    policy_data: PolicyData,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct DeploymentRequest {
    #[serde(rename = "type")]
    kind: Option<String>,
    trigger_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CostEstimation {
    total_monthly_cost: Option<f64>,
    monthly_cost_diff: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Plan {
    resource_changes: Option<Vec<Change>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Change {
    address: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    change: ChangeDetail,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChangeDetail {
    actions: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct User {
    email: Option<String>,
    teams: Vec<Team>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Team {
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PolicyData {
    required_approvers: Option<f64>,
    max_cost_increase: Option<f64>,
    hard_monthly_limit: Option<f64>,
}

/// JSON text to outcomes: the typed parse, then every policy of the set.
pub fn decide_text_typed(set: &[FloorPolicy], text: &str) -> Vec<Outcome> {
    let document: Document = serde_json::from_str(text).expect("the workload is valid");
    decide_typed(set, &document)
}

/// JSON text to outcomes through `serde_json::Value`.
pub fn decide_text_json(set: &[FloorPolicy], text: &str) -> Vec<Outcome> {
    let document: Value = serde_json::from_str(text).expect("the workload is valid");
    decide_json(set, &document)
}

pub fn decide_typed(set: &[FloorPolicy], input: &Document) -> Vec<Outcome> {
    let mut out = Vec::new();
    let changes: &[Change] = input
        .plan
        .as_ref()
        .and_then(|plan| plan.resource_changes.as_deref())
        .unwrap_or(&[]);
    let request = input.deployment_request.as_ref();
    let scheduled = request.and_then(|r| r.trigger_name.as_deref()) == Some("scheduled");
    let only_no_ops = !changes.is_empty()
        && changes
            .iter()
            .all(|change| change.change.actions == ["no-op"]);
    let address = |change: &Change| change.address.clone().unwrap_or_else(|| "null".into());
    for policy in set {
        match policy.kind {
            0 => {
                for change in changes {
                    let deletes = change.change.actions.iter().any(|a| a == "delete");
                    let critical = change
                        .kind
                        .as_deref()
                        .is_some_and(|kind| CRITICAL.contains(&kind));
                    if deletes && critical {
                        let message = format!("{CRITICAL_MESSAGE} ({})", address(change));
                        out.push(outcome(policy, Verdict::Deny, message));
                    }
                }
            }
            1 => {
                if request.is_none() || scheduled || only_no_ops {
                    continue;
                }
                let required = input.policy_data.required_approvers.unwrap_or(1.0);
                let deployer = input
                    .deployer_user
                    .as_ref()
                    .and_then(|user| user.email.as_deref())
                    .unwrap_or("")
                    .to_lowercase();
                let mut others: Vec<String> = input
                    .approvers
                    .iter()
                    .filter_map(|approver| approver.email.as_deref())
                    .map(str::to_lowercase)
                    .filter(|email| *email != deployer)
                    .collect();
                others.sort();
                others.dedup();
                let count = others.len() as f64;
                if count < required {
                    let message = format!(
                        "{} of {} approvals from someone other than the deployer",
                        number(count),
                        number(required)
                    );
                    out.push(outcome(policy, Verdict::Pending, message));
                } else {
                    let message = format!("approved by {}", others.join(", "));
                    out.push(outcome(policy, Verdict::Allow, message));
                }
            }
            2 => {
                let threshold = input.policy_data.max_cost_increase.unwrap_or(100.0);
                let increase = input
                    .cost_estimation
                    .as_ref()
                    .and_then(|cost| cost.monthly_cost_diff);
                if let Some(increase) = increase.filter(|&increase| increase > threshold) {
                    let message = format!(
                        "monthly cost increase of {} exceeds the review threshold of {}",
                        number(increase),
                        number(threshold)
                    );
                    out.push(outcome(policy, Verdict::Pending, message));
                }
            }
            3 => {
                let limit = input.policy_data.hard_monthly_limit.unwrap_or(5000.0);
                let total = input
                    .cost_estimation
                    .as_ref()
                    .and_then(|cost| cost.total_monthly_cost);
                if let Some(total) = total.filter(|&total| total > limit) {
                    let message = format!(
                        "total monthly cost of {} exceeds the hard limit of {}",
                        number(total),
                        number(limit)
                    );
                    out.push(outcome(policy, Verdict::Deny, message));
                }
            }
            4 => {
                let in_team = input.deployer_user.as_ref().is_some_and(|user| {
                    user.teams.iter().any(|team| {
                        team.id.as_deref() == Some("security")
                            || team.name.as_deref() == Some("security")
                    })
                });
                if in_team {
                    continue;
                }
                for change in changes {
                    let owned = change
                        .kind
                        .as_deref()
                        .is_some_and(|kind| OWNED.contains(&kind));
                    let changes_it = change
                        .change
                        .actions
                        .iter()
                        .any(|a| a != "no-op" && a != "read");
                    if owned && changes_it {
                        let message =
                            format!("only the security team may change {}", address(change));
                        out.push(outcome(policy, Verdict::Deny, message));
                    }
                }
            }
            5 => {
                if request.and_then(|r| r.kind.as_deref()) == Some("destroy") {
                    out.push(outcome(policy, Verdict::Warn, DESTROY_MESSAGE.to_string()));
                }
            }
            _ => {
                if scheduled {
                    let message = "scheduled drift correction goes ahead without review";
                    out.push(outcome(policy, Verdict::Allow, message.to_string()));
                }
                if only_no_ops {
                    let message = "the plan changes nothing".to_string();
                    out.push(outcome(policy, Verdict::Allow, message));
                }
            }
        }
    }
    out
}
