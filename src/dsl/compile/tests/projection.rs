//! A policy evaluated over the parts of the input its compiled form says it reads decides
//! exactly as it does over the whole input.

use chrono::DateTime;
use proptest::prelude::*;

use super::random::{expression, input_document, scope_loop_variables};
use super::*;
use crate::dsl::eval::Limits;

/// What a `for` iterates: mostly a field of the input, else any expression.
fn iterable() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => proptest::sample::select(&["plan", "approvers", "x", "input", "policyData"][..]).prop_map(name),
        1 => expression(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_parts_read_decide_as_the_whole_does(mut condition in expression(), mut message in expression(), mut iterated in iterable(), input in input_document()) {
        scope_loop_variables(&mut condition, 0);
        scope_loop_variables(&mut message, 0);
        scope_loop_variables(&mut iterated, 0);
        let statements = vec![
            let_("l", message.clone()),
            rule(Verdict::Deny, None, None, Some(condition.clone())),
            rule(Verdict::Allow, Some(template(vec![TemplatePart::Interpolation(message)])), None, None),
            rule(Verdict::Warn, Some(template(vec![TemplatePart::Interpolation(name("item"))])), Some(for_clause("item", iterated.clone())), None),
            rule(Verdict::Warn, None, Some(for_clause("item", iterated)), Some(condition)),
            rule(Verdict::Pending, None, Some(for_clause("item", name("l"))), Some(name("item"))),
        ];
        let limits = Limits { max_iterations: 10_000, ..Limits::default() };
        let Ok(compiled) = CompiledPolicy::compile_with_limits(&policy(statements), &source(), &limits) else {
            return Ok(());
        };
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let text = input.to_string();
        let arena = crate::document::Arena::new();
        let projected = compiled.input_reads().parse(&text, &arena).unwrap();
        let whole = compiled.evaluate(&input, now);
        let parts = compiled.evaluate_document(&projected, now);
        match (whole, parts) {
            (Ok(whole), Ok(parts)) => prop_assert_eq!(whole, parts, "read {}", projected.to_json()),
            // Limits count work, and less input can mean less work.
            (Err(_), _) | (_, Err(_)) => {}
        }
    }
}

/// Every fixture, and a plan of every kind of change, decided by the shipped policies over
/// the parts they read and over the whole document.
#[test]
fn the_shipped_policies_decide_the_fixtures_alike_over_the_parts_they_read() {
    use crate::policy_set::{LoadOptions, PolicySet};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut set = PolicySet::load(&[root.join("policies/dsl")], &LoadOptions::default()).unwrap();
    let projection = set.input_projection();
    assert!(!projection.is_whole());
    let mut documents = Vec::new();
    for folder in ["fixtures/env0", "fixtures/esc"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                documents.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    documents.push(
        json!({"plan": {"resource_changes": [
            {"address": "a", "type": "aws_db_instance", "change": {"actions": ["delete"], "before": {"x": 1}}},
            {"address": "b", "type": "aws_iam_role", "change": {"actions": ["no-op"]}},
            {"address": "c", "type": "aws_iam_role", "change": {"actions": ["update"]}},
            "not a change", null
        ]}, "deploymentRequest": {"type": "destroy"}, "approvers": [{"email": "A@x"}, {"name": "n"}],
            "deployerUser": {"email": "a@x", "teams": ["security", {"id": "security"}]},
            "policyData": {"requiredApprovers": 2, "owningTeam": "platform"}})
        .to_string(),
    );
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    for text in documents {
        let whole: Json = serde_json::from_str(&text).unwrap();
        let arena = crate::document::Arena::new();
        let parts = projection.parse(&text, &arena).unwrap();
        let expected = set.decide(&whole, now, Verdict::Pending).unwrap();
        let actual = set.decide_document(&parts, now, Verdict::Pending).unwrap();
        assert_eq!(actual, expected, "{text}");
    }
}

/// A stream of documents decided from their text, as `--batch` decides them, through the
/// one arena the set keeps between decisions: a document larger than it keeps, then
/// smaller ones, each decided as its whole `serde_json` value is.
#[test]
fn a_stream_of_texts_decides_as_each_whole_document_through_the_kept_arena() {
    use crate::policy_set::{LoadOptions, PolicySet};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut set = PolicySet::load(&[root.join("policies/dsl")], &LoadOptions::default()).unwrap();
    let projection = set.input_projection();
    let change = |index: usize, kind: &str, action: &str| {
        json!({"address": format!("{kind}.r{index}"), "type": kind,
            "change": {"actions": [action], "before": {"padding": "x".repeat(40)}}})
    };
    let large: Vec<Json> = (0..20_000)
        .map(|index| change(index, "aws_s3_bucket", "update"))
        .chain([change(20_000, "aws_db_instance", "delete")])
        .collect();
    let documents = [
        json!({"plan": {"resource_changes": large}, "deploymentRequest": {"type": "deploy"},
            "deployerUser": {"email": "a@x", "teams": []}, "approvers": [{"email": "b@x"}]}),
        json!({"plan": {"resource_changes": [change(1, "aws_iam_role", "update")]},
            "deploymentRequest": {"type": "deploy"}, "deployerUser": {"email": "a\u{e9}@x"}}),
        json!({"deploymentRequest": {"type": "destroy", "triggerName": "sched\"uled"},
            "approvers": [{"email": " B@X "}, {"email": "c@x"}]}),
        json!({"plan": {"resource_changes": [change(2, "aws_kms_key", "delete")]},
            "deploymentRequest": {"type": "deploy"}}),
    ];
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    for round in 0..2 {
        for document in &documents {
            let text = document.to_string();
            let expected = set.decide(document, now, Verdict::Pending).unwrap();
            let actual = set
                .decide_text("input", &text, &projection, Some(now), Verdict::Pending)
                .unwrap();
            assert_eq!(
                actual,
                expected,
                "round {round}: {}",
                &text[..text.len().min(200)]
            );
        }
    }
}
