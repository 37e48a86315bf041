//! A micro-benchmark: the SPEC 4.1 policy, compiled, against the same policy written by
//! hand in Rust over `serde_json::Value`. Run it optimised:
//! `cargo test --release --lib bench -- --ignored --nocapture`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::json;

use super::spec_example::{COST_GUARD, env0_document};
use super::*;
use crate::source::Location;
use crate::verdict::Verdict;

/// SPEC 4.1's policy as one would write it by hand.
fn hand_written(input: &Json, location: &Location) -> Vec<Outcome> {
    let outcome = |verdict: Verdict, message: String| Outcome {
        verdict,
        message,
        policy: "cost-guard".into(),
        rule: verdict.as_str().into(),
        source: location.clone(),
        details: None,
    };
    let kind = input
        .pointer("/deploymentRequest/type")
        .and_then(Json::as_str);
    if !matches!(kind, Some("deploy" | "deployResume" | "destroy")) {
        return Vec::new();
    }
    let setting = |key: &str, default: f64| {
        input
            .get("policyData")
            .and_then(|data| data.get(key))
            .and_then(Json::as_f64)
            .unwrap_or(default)
    };
    let (max_cost_increase, hard_limit) = (
        setting("maxCostIncrease", 10.0),
        setting("hardLimit", 5000.0),
    );
    let diff = input
        .pointer("/costEstimation/monthlyCostDiff")
        .and_then(Json::as_f64)
        .unwrap_or(0.0);
    let deployer = input
        .pointer("/deployerUser/email")
        .and_then(Json::as_str)
        .map(str::to_lowercase);
    let others: Vec<&Json> = input
        .get("approvers")
        .and_then(Json::as_array)
        .map(|approvers| {
            approvers
                .iter()
                .filter(|approver| {
                    approver
                        .get("email")
                        .and_then(Json::as_str)
                        .map(str::to_lowercase)
                        != deployer
                })
                .collect()
        })
        .unwrap_or_default();
    let mut outcomes = Vec::new();
    if diff > hard_limit {
        outcomes.push(outcome(
            Verdict::Deny,
            format!("Monthly cost increase of {diff} exceeds the hard limit of {hard_limit}"),
        ));
    }
    if diff > max_cost_increase && others.is_empty() {
        outcomes.push(outcome(
            Verdict::Pending,
            format!("Monthly cost increase of {diff} needs an approver other than the deployer"),
        ));
    }
    if kind == Some("destroy") {
        outcomes.push(outcome(
            Verdict::Warn,
            "This deployment destroys the environment".to_string(),
        ));
    }
    if let Some(first) = others.first() {
        let name = first.get("name").and_then(Json::as_str).unwrap_or("null");
        outcomes.push(outcome(Verdict::Allow, format!("Approved by {name}")));
    }
    let changes = input
        .pointer("/plan/resource_changes")
        .and_then(Json::as_array);
    for change in changes.into_iter().flatten() {
        let deletes = change
            .pointer("/change/actions")
            .and_then(Json::as_array)
            .is_some_and(|actions| actions.iter().any(|action| action == "delete"));
        let kind = change.get("type").and_then(Json::as_str);
        if deletes && matches!(kind, Some("aws_db_instance" | "aws_s3_bucket")) {
            let address = change
                .get("address")
                .and_then(Json::as_str)
                .unwrap_or("null");
            outcomes.push(outcome(
                Verdict::Deny,
                format!("Deleting {address} is not allowed"),
            ));
        }
    }
    outcomes
}

fn large_plan_document(changes: usize) -> Json {
    let mut document = env0_document();
    let types = [
        "aws_db_instance",
        "aws_s3_bucket",
        "aws_instance",
        "aws_iam_role",
    ];
    let actions = [
        json!(["update"]),
        json!(["create"]),
        json!(["delete"]),
        json!(["delete", "create"]),
        json!(["no-op"]),
    ];
    let resource_changes: Vec<Json> = (0..changes)
        .map(|n| {
            json!({
                "address": format!("{}.r{n}", types[n % 4]),
                "type": types[n % 4],
                "change": {"actions": actions[n % 5], "before": {"id": n}, "after": {"id": n, "tags": {"n": n}}}
            })
        })
        .collect();
    document["plan"] = json!({"resource_changes": resource_changes});
    document
}

fn timed(iterations: u32, mut run: impl FnMut() -> usize) -> Duration {
    let started = Instant::now();
    for _ in 0..iterations {
        black_box(run());
    }
    started.elapsed() / iterations
}

#[test]
#[ignore = "a benchmark: run it with --release"]
fn compiled_policies_run_close_to_hand_written_rust() {
    let policy = compiled(COST_GUARD);
    let location = policy.location().clone();
    for (name, document, iterations) in [
        ("small input", env0_document(), 200_000),
        (
            "plan of 10,000 resource changes",
            large_plan_document(10_000),
            200,
        ),
    ] {
        let expected = hand_written(&document, &location);
        let actual = policy.evaluate(&document, now()).unwrap();
        let messages = |outcomes: &[Outcome]| {
            outcomes
                .iter()
                .map(|o| o.message.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(messages(&actual), messages(&expected));
        // Warm up, then measure each twice, interleaved.
        timed(iterations / 10, || {
            hand_written(black_box(&document), &location).len()
        });
        let mut by_hand = Duration::MAX;
        let mut by_policy = Duration::MAX;
        for _ in 0..2 {
            by_hand = by_hand.min(timed(iterations, || {
                hand_written(black_box(&document), &location).len()
            }));
            by_policy = by_policy.min(timed(iterations, || {
                policy
                    .evaluate(black_box(&document), now())
                    .map_or(0, |o| o.len())
            }));
        }
        let ratio = by_policy.as_secs_f64() / by_hand.as_secs_f64();
        println!(
            "{name}: hand-written {by_hand:?}, compiled policy {by_policy:?}, ratio {ratio:.2}"
        );
    }
}
