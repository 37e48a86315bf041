//! One walk over a list shared by several policies decides as a walk per policy does.

use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};

use crate::document::Document;
use crate::dsl::ast::Item;
use crate::dsl::compile::CompiledPolicy;
use crate::dsl::eval::Limits;
use crate::dsl::eval::shared::SharedWalks;
use crate::dsl::eval::tests::{now, parsed, source};

/// Every policy of a file, compiled.
fn policies(text: &str) -> Vec<CompiledPolicy> {
    let source = source(text);
    parsed(&source)
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Policy(block) => Some(CompiledPolicy::compile(block, &source).unwrap()),
            _ => None,
        })
        .collect()
}

fn shipped() -> Vec<CompiledPolicy> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/dsl");
    let mut all = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|name| name != "tests.policy") {
            all.extend(policies(&std::fs::read_to_string(path).unwrap()));
        }
    }
    all
}

/// Each policy's outcomes or error, as text: walked once for all, and each on its own.
fn both_ways(
    policies: &[CompiledPolicy],
    input: &Json,
    at: DateTime<Utc>,
) -> (Vec<String>, Vec<String>) {
    let arena = crate::document::Arena::new();
    let document = Document::from_json(input, &arena);
    let walks = CompiledPolicy::share_walks(policies);
    let shown = |result: &Result<Vec<crate::decision::Outcome>, crate::error::Error>| match result {
        Ok(outcomes) => format!("{outcomes:?}"),
        Err(error) => format!("error: {error}"),
    };
    let together = CompiledPolicy::evaluate_all(policies, &walks, &document, at)
        .iter()
        .map(shown)
        .collect();
    let alone = policies
        .iter()
        .map(|policy| shown(&policy.evaluate_document(&document, at)))
        .collect();
    (together, alone)
}

/// A plan of `changes` changes, most of which one shipped policy or another denies: a
/// change walked twice or left out shows in the outcomes.
fn plan(changes: usize) -> Json {
    let changes: Vec<Json> = (0..changes)
        .map(|n| {
            let kind = if n % 2 == 0 {
                "aws_db_instance"
            } else {
                "aws_iam_role"
            };
            let actions = match (n % 7, n % 11) {
                (3, _) => json!(["no-op"]),
                (_, 4) => json!(["read"]),
                _ => json!(["delete"]),
            };
            json!({"address": format!("r{n}"), "type": kind, "change": {"actions": actions}})
        })
        .collect();
    json!({
        "deploymentRequest": {"type": "deploy", "triggerName": "manual"},
        "deployerUser": {"email": "a@acme.io", "teams": [{"id": "t", "name": "payments"}]},
        "approvers": [{"email": "b@acme.io"}],
        "plan": {"resource_changes": changes},
    })
}

#[test]
fn the_shipped_policies_walk_the_plan_once() {
    let policies = shipped();
    let walks = CompiledPolicy::share_walks(&policies);
    assert_eq!(
        walks.lists(),
        vec![("plan.resource_changes".to_string(), 2)]
    );
}

#[test]
fn one_walk_decides_as_a_walk_per_policy_at_every_length() {
    let policies = shipped();
    // Around the length of a stretch, and well beyond it.
    for changes in [0, 1, 2, 31, 32, 33, 63, 64, 65, 100, 1000] {
        let (together, alone) = both_ways(&policies, &plan(changes), now());
        assert_eq!(together, alone, "{changes} changes");
    }
}

#[test]
fn one_walk_decides_as_a_walk_per_policy_over_odd_lists() {
    let policies = shipped();
    let mut object = plan(40);
    let as_object: serde_json::Map<String, Json> = object["plan"]["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, change)| (format!("k{n:02}"), change.clone()))
        .collect();
    object["plan"]["resource_changes"] = Json::Object(as_object);
    let mut odd = plan(5);
    odd["plan"]["resource_changes"]
        .as_array_mut()
        .unwrap()
        .extend([
            json!(null),
            json!("text"),
            json!(7),
            json!({"change": null}),
        ]);
    let inputs = [
        object,
        odd,
        json!({"plan": {"resource_changes": "not a list"}}),
        json!({"plan": null}),
        json!({}),
    ];
    for input in inputs {
        let (together, alone) = both_ways(&policies, &input, now());
        assert_eq!(together, alone, "{input}");
    }
}

#[test]
fn a_policy_whose_guard_does_not_hold_is_left_out_of_the_walk() {
    let policies = policies(
        r#"
policy "guarded" {
  when request.action == "open"
  deny "${c}" for c in plan.resource_changes if c > 1
}
policy "open" {
  deny "${c}" for c in plan.resource_changes if c > 2
}
"#,
    );
    let input = json!({"plan": {"resource_changes": [1, 2, 3]}});
    let (together, alone) = both_ways(&policies, &input, now());
    assert_eq!(together, alone);
    assert_eq!(together[0], "[]");
    assert!(together[1].contains("message: \"3\""), "{}", together[1]);
}

#[test]
fn rules_keep_their_order_within_a_policy() {
    let policies = policies(
        r#"
policy "first" {
  warn "before ${count(plan.resource_changes)}"
  deny "${c}" for c in plan.resource_changes if c % 2 == 0
  warn "after"
  pending "again ${c}" for c in plan.resource_changes if c == 1
}
policy "second" {
  allow "${c}" for c in input.plan.resource_changes
}
"#,
    );
    let walks = CompiledPolicy::share_walks(&policies);
    assert_eq!(
        walks.lists(),
        vec![("plan.resource_changes".to_string(), 3)]
    );
    let input = json!({"plan": {"resource_changes": (0..70).collect::<Vec<_>>()}});
    let arena = crate::document::Arena::new();
    let document = Document::from_json(&input, &arena);
    let results = CompiledPolicy::evaluate_all(&policies, &walks, &document, now());
    let messages: Vec<String> = results[0]
        .as_ref()
        .unwrap()
        .iter()
        .map(|outcome| outcome.message.clone())
        .collect();
    let mut expected = vec!["before 70".to_string()];
    expected.extend((0..70).filter(|n| n % 2 == 0).map(|n| n.to_string()));
    expected.push("after".to_string());
    expected.push("again 1".to_string());
    assert_eq!(messages, expected);
    assert_eq!(results[1].as_ref().unwrap().len(), 70);
}

#[test]
fn a_policy_halting_in_the_walk_has_the_error_it_has_alone() {
    let mut policies = policies(
        r#"
policy "bounded" {
  let all_changes = count(plan.resource_changes)
  deny "${c}" for c in plan.resource_changes if c < 0
  warn "${c}" for c in plan.resource_changes if c < 0
}
policy "free" {
  deny "${c}" for c in plan.resource_changes if c == 5
}
"#,
    );
    let limits = Limits {
        max_iterations: 150,
        ..Limits::default()
    };
    policies[0] = policies[0].clone().with_limits(limits);
    let input = json!({"plan": {"resource_changes": (0..100).collect::<Vec<_>>()}});
    let (together, alone) = both_ways(&policies, &input, now());
    assert_eq!(together, alone);
    assert!(
        together[0].contains("stopped in its warn rule at line 5"),
        "{}",
        together[0]
    );
    assert!(together[1].contains("message: \"5\""), "{}", together[1]);
}

#[test]
fn only_lists_at_plain_paths_of_the_input_are_shared() {
    let policies = policies(
        r#"
policy "a" {
  let changes = plan.resource_changes
  deny for c in changes
  deny for c in plan.resource_changes[*].change
  deny for c in approvers
  deny for c in config.items
}
policy "b" {
  deny for c in plan.resource_changes[0].x
  deny for c in approvers
  warn for c in approvers if c == 1
  deny for c in config.items
}
"#,
    );
    let walks: SharedWalks = CompiledPolicy::share_walks(&policies);
    assert_eq!(walks.lists(), vec![("approvers".to_string(), 3)]);
}

#[test]
fn a_let_in_common_is_evaluated_once_for_each_group() {
    let policies = policies(
        r#"
policy "a1" {
  let over = count(c for c in plan.resource_changes if c > 10)
  warn "a1 ${over}"
}
policy "b1" {
  let over = count(c for c in plan.resource_changes if c > 20)
  warn "b1 ${over}"
}
policy "a2" {
  let others = 1
  let over = count(c for c in plan.resource_changes if c > 10)
  warn "a2 ${over}"
}
policy "b2" {
  let over = count(c for c in plan.resource_changes if c > 20)
  let others = 2
  warn "b2 ${over} ${others}"
}
"#,
    );
    let walks = CompiledPolicy::share_walks(&policies);
    assert_eq!(walks.shared_lets(), 2);
    let input = json!({"plan": {"resource_changes": (0..100).collect::<Vec<_>>()}});
    let (together, alone) = both_ways(&policies, &input, now());
    assert_eq!(together, alone);
    for (result, expected) in together.iter().zip(["a1 89", "b1 79", "a2 89", "b2 79 2"]) {
        assert!(
            result.contains(&format!("message: \"{expected}\"")),
            "{result}"
        );
    }
}

#[test]
fn a_let_taken_from_another_policy_counts_against_the_limits_of_each() {
    let mut policies = policies(
        r#"
policy "first" {
  let all_changes = count(c for c in plan.resource_changes)
  warn "${all_changes}"
}
policy "second" {
  let all_changes = count(c for c in plan.resource_changes)
  deny "${c}" for c in plan.resource_changes if c < 0
  warn "${all_changes}"
}
"#,
    );
    let limits = Limits {
        max_iterations: 150,
        ..Limits::default()
    };
    for policy in &mut policies {
        *policy = policy.clone().with_limits(limits.clone());
    }
    assert_eq!(CompiledPolicy::share_walks(&policies).shared_lets(), 1);
    let input = json!({"plan": {"resource_changes": (0..100).collect::<Vec<_>>()}});
    let (together, alone) = both_ways(&policies, &input, now());
    assert_eq!(together, alone);
    assert!(together[0].contains("message: \"100\""), "{}", together[0]);
    assert!(
        together[1].contains("stopped in its warn rule at line 9"),
        "{}",
        together[1]
    );
}

#[test]
fn lets_reading_config_or_other_lets_or_under_other_limits_are_not_shared() {
    let mut policies = policies(
        r#"
policy "a" {
  config { n: 1 }
  let base = plan.resource_changes
  let from_let = count(c for c in base)
  let from_config = count(c for c in plan.resource_changes if c > config.n)
  let limited = all(c > 0 for c in plan.resource_changes)
}
policy "b" {
  config { n: 2 }
  let base = approvers
  let from_let = count(c for c in base)
  let from_config = count(c for c in plan.resource_changes if c > config.n)
  let limited = all(c > 0 for c in plan.resource_changes)
}
"#,
    );
    let limits = Limits {
        max_iterations: 500,
        ..Limits::default()
    };
    policies[1] = policies[1].clone().with_limits(limits);
    assert_eq!(CompiledPolicy::share_walks(&policies).shared_lets(), 0);
}

#[test]
fn policies_evaluated_on_one_machine_each_start_afresh() {
    // Lists this short are not walked together: the policies run one after another on
    // one machine. None may see another's `let`s, config, loop variables or spent limits.
    let mut policies = policies(
        r#"
policy "spends" {
  config { label: "first" }
  let items = [i * 2 for i in plan.resource_changes]
  let spent = count(i for i in plan.resource_changes if all(j > 0 for j in plan.resource_changes))
  warn "${config} ${items} ${spent}"
}
policy "stopped" {
  let spent = count(i for i in plan.resource_changes if all(j > 0 for j in plan.resource_changes))
  deny "${spent}"
}
policy "fresh" {
  config { label: "third" }
  let items = [i + 1 for i in plan.resource_changes]
  let spent = count(i for i in plan.resource_changes if all(j > 0 for j in plan.resource_changes))
  allow "${config} ${items} ${spent}"
}
"#,
    );
    // `spent` takes 3 + 3 × 3 = 12 iterations, `items` 3 more; the second may take 8.
    let limits = |max_iterations| Limits {
        max_iterations,
        ..Limits::default()
    };
    policies[0] = policies[0].clone().with_limits(limits(20));
    policies[1] = policies[1].clone().with_limits(limits(8));
    policies[2] = policies[2].clone().with_limits(limits(20));
    let input = json!({"plan": {"resource_changes": [1, 2, 3]}});
    let (together, alone) = both_ways(&policies, &input, now());
    assert_eq!(together, alone);
    assert!(
        together[0].contains(r#"message: "{\"label\":\"first\"} [2,4,6] 3""#),
        "{}",
        together[0]
    );
    assert!(together[1].starts_with("error: "), "{}", together[1]);
    assert!(
        together[2].contains(r#"message: "{\"label\":\"third\"} [2,3,4] 3""#),
        "{}",
        together[2]
    );
}
