//! `--explain`: every guard and rule, whether it held or fired, and the values that
//! decided it.

use serde_json::json;

use super::spec_example::{COST_GUARD, env0_document};
use super::*;
use crate::dsl::eval::explain::{PolicyExplanation, render};

fn explained(policy: &str, input: Json) -> PolicyExplanation {
    compiled(policy).explain(&input, now()).unwrap()
}

#[test]
fn the_spec_example_explained() {
    let mut document = env0_document();
    document["approvers"] = json!([]);
    let explanation = explained(COST_GUARD, document.clone());
    assert_eq!(explanation.outcomes, outcomes(COST_GUARD, document));
    assert_eq!(
        render(&explanation),
        r#"policy `cost-guard` (test.policy:2:1): applies
  when deploymentRequest.type in ["deploy", "deployResume", "destroy"]: held
    deploymentRequest.type in ["deploy", "deployResume", "destroy"]: "deploy" in ["deploy","deployResume","destroy"] → true
  deny (test.policy:10:3): did not fire
    diff > config.hardLimit: 150 > 5000 → false
  pending (test.policy:11:3): fired: Monthly cost increase of 150 needs an approver other than the deployer
    diff > config.maxCostIncrease: 150 > 100 → true
    count(others) == 0: 0 == 0 → true
    where others = []
  warn (test.policy:12:3): did not fire
    deploymentRequest.type == "destroy": "deploy" == "destroy" → false
  allow (test.policy:13:3): did not fire
    count(others) > 0: 0 > 0 → false
    where others = []
  deny (test.policy:15:3) for r in plan.resource_changes: fired for 1 of 1 items
    item {"address":"aws_db_instance.main","change":{"actions":["delete"],"after":null,"before":{}},"type":"aws_db_instance"}: fired: Deleting aws_db_instance.main is not allowed
      "delete" in r.change.actions: "delete" in ["delete"] → true
      r.type in ["aws_db_instance", "aws_s3_bucket"]: "aws_db_instance" in ["aws_db_instance","aws_s3_bucket"] → true
"#
    );
}

#[test]
fn a_guard_that_does_not_hold_leaves_the_rules_unevaluated() {
    let explanation = explained(
        COST_GUARD,
        json!({"deploymentRequest": {"type": "destroyResume"}}),
    );
    assert!(!explanation.applies);
    assert!(explanation.outcomes.is_empty());
    assert!(
        explanation
            .rules
            .iter()
            .all(|rule| !rule.evaluated && rule.cases.is_empty())
    );
    let text = render(&explanation);
    assert!(
        text.starts_with("policy `cost-guard` (test.policy:2:1): does not apply\n"),
        "{text}"
    );
    assert!(text.contains("  when deploymentRequest.type in [\"deploy\", \"deployResume\", \"destroy\"]: did not hold\n"), "{text}");
    assert!(
        text.contains("  deny (test.policy:10:3): not evaluated\n"),
        "{text}"
    );
}

#[test]
fn short_circuits_show_only_what_was_evaluated_and_not_shows_its_operand() {
    let policy = "policy \"p\" {\n  deny if not approved or (ready and count(items) > 2)\n}\n";
    let explanation = explained(
        policy,
        json!({"approved": true, "ready": false, "items": [1]}),
    );
    let rule = &explanation.rules[0];
    let tests: Vec<String> = rule.cases[0]
        .tests
        .iter()
        .map(|fact| format!("{} | {} | {}", fact.test, fact.values, fact.result))
        .collect();
    assert_eq!(
        tests,
        [
            "approved | true | true",
            "not approved | not true | false",
            "ready | false | false"
        ]
    );
    let reads: Vec<String> = rule.cases[0]
        .reads
        .iter()
        .map(|read| format!("{} = {}", read.expression, read.value))
        .collect();
    assert_eq!(reads, ["items = [1]"]);
}

#[test]
fn explanations_serialise() {
    let policy = "policy \"p\" {\n  warn \"${x}\" for x in xs if x > 1\n}\n";
    let explanation = explained(policy, json!({"xs": [1, 2]}));
    let json = serde_json::to_value(&explanation).unwrap();
    assert_eq!(json["policy"], "p");
    assert_eq!(json["rules"][0]["fired"], 1);
    assert_eq!(json["rules"][0]["each"], "for x in xs");
    assert_eq!(
        json["rules"][0]["cases"][1]["tests"][0],
        json!({"test": "x > 1", "values": "2 > 1", "result": true})
    );
    assert_eq!(json["outcomes"][0]["message"], "2");
}

#[test]
fn long_values_and_many_quiet_items_are_shortened_in_text() {
    let policy = "policy \"p\" {\n  warn for x in xs if x == \"hit\"\n}\n";
    let mut items = vec![json!("a".repeat(300))];
    items.extend((0..20).map(|n| json!(n)));
    items.push(json!("hit"));
    let text = render(&explained(policy, json!({"xs": items})));
    assert!(
        text.contains(&format!("item \"{}…: did not fire", "a".repeat(199))),
        "{text}"
    );
    assert!(
        text.contains("… and 11 more items that did not fire"),
        "{text}"
    );
    assert!(
        text.contains("item \"hit\": fired: p: warn rule at line 2"),
        "{text}"
    );
}
