//! Behaviour of the Rego backend, policy by policy. Cases marked "OPA:" were checked
//! against OPA 1.20 with the same policy and input.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::*;
use crate::error::ErrorClass;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .map(|time| time.with_timezone(&Utc))
        .unwrap_or_default()
}

fn modules(files: &[(&str, &str)]) -> Vec<RegoModule> {
    files
        .iter()
        .map(|(name, text)| RegoModule {
            source: SourceFile::new(*name, *text),
        })
        .collect()
}

fn load_with(files: &[(&str, &str)], options: &RegoOptions) -> Result<RegoPolicies, Error> {
    RegoPolicies::load(modules(files), Vec::new(), options)
}

fn load(files: &[(&str, &str)]) -> RegoPolicies {
    match load_with(files, &RegoOptions::default()) {
        Ok(policies) => policies,
        Err(error) => panic!("policies should load: {error:?}"),
    }
}

fn load_error(files: &[(&str, &str)]) -> Error {
    match load_with(files, &RegoOptions::default()) {
        Ok(_) => panic!("policies should not load"),
        Err(error) => error,
    }
}

/// `(verdict, message)` of every outcome of every policy.
fn evaluate(policies: &mut RegoPolicies, input: Value) -> Result<Vec<(Verdict, String)>, Error> {
    policies.set_input(&input)?;
    let mut all = Vec::new();
    for index in 0..policies.policies().len() {
        for outcome in policies.evaluate(index, now())? {
            all.push((outcome.verdict, outcome.message));
        }
    }
    Ok(all)
}

fn decide(files: &[(&str, &str)], input: Value) -> Vec<(Verdict, String)> {
    let mut policies = load(files);
    match evaluate(&mut policies, input) {
        Ok(outcomes) => outcomes,
        Err(error) => panic!("evaluation should succeed: {error:?}"),
    }
}

fn deny(message: &str) -> (Verdict, String) {
    (Verdict::Deny, message.to_string())
}

#[test]
fn v0_policies_load_without_flags() {
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\n\ndeny[msg] {\n  input.cost > 10\n  msg := sprintf(\"cost %v\", [input.cost])\n}\n",
        )],
        json!({"cost": 20}),
    );
    assert_eq!(outcomes, [deny("cost 20")]);
}

#[test]
fn v1_policies_load_without_flags() {
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\nimport rego.v1\n\ndeny contains msg if {\n  input.cost > 10\n  msg := \"too costly\"\n}\n",
        )],
        json!({"cost": 20}),
    );
    assert_eq!(outcomes, [deny("too costly")]);
}

#[test]
fn v0_heads_with_if_are_sets_as_in_opa_v0() {
    // OPA (v0 with future keywords, as env0 runs it): `deny[msg] if` is a set of messages.
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\nimport future.keywords.if\n\ndeny[msg] if {\n  msg := \"a\"\n}\n\nwarn[msg] if msg := \"b\"\n",
        )],
        json!({}),
    );
    assert_eq!(outcomes, [deny("a"), (Verdict::Warn, "b".to_string())]);
}

#[test]
fn keywords_without_imports_mix_with_v0_heads() {
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\n\ndeny[msg] {\n  some x in input.xs\n  msg := x\n}\n\nwarn contains \"w\" if {\n  every x in input.xs { x != \"\" }\n}\n",
        )],
        json!({"xs": ["b", "a"]}),
    );
    assert_eq!(
        outcomes,
        [deny("a"), deny("b"), (Verdict::Warn, "w".to_string())]
    );
}

#[test]
fn forced_versions_reject_the_other_syntax() {
    let v0_file = [("p.rego", "package env0\ndeny[msg] { msg := \"a\" }\n")];
    let v1_file = [(
        "p.rego",
        "package env0\ndeny contains msg if { msg := \"a\" }\n",
    )];
    let v1 = RegoOptions {
        version: RegoVersion::V1,
        ..RegoOptions::default()
    };
    let v0 = RegoOptions {
        version: RegoVersion::V0,
        ..RegoOptions::default()
    };
    let error = load_with(&v0_file, &v1).err();
    assert_eq!(error.map(|e| e.class), Some(ErrorClass::Invalid));
    assert!(load_with(&v0_file, &v0).is_ok());
    assert!(load_with(&v1_file, &v1).is_ok());
    let error = load_with(&v1_file, &v0).err();
    assert_eq!(error.map(|e| e.class), Some(ErrorClass::Invalid));
}

const ENV0_V0_METADATA: &str = r#"package env0

# METADATA
# title: Require Approval
# description: require 1 approval
pending[format(rego.metadata.rule())] {
	count(input.approvers) < 1
}

# METADATA
# title: Allow if got approved
# description: approved
allow[format(rego.metadata.rule())] {
	count(input.approvers) >= 1
}

format(meta) := sprintf("%s: %s", [meta.title, meta.description])
"#;

#[test]
fn metadata_rule_builds_v0_messages() {
    // OPA: the same policy gives these messages.
    let pending = decide(&[("p.rego", ENV0_V0_METADATA)], json!({"approvers": []}));
    assert_eq!(
        pending,
        [(
            Verdict::Pending,
            "Require Approval: require 1 approval".to_string()
        )]
    );
    let allow = decide(
        &[("p.rego", ENV0_V0_METADATA)],
        json!({"approvers": [{"name": "Bob"}]}),
    );
    assert_eq!(
        allow,
        [(
            Verdict::Allow,
            "Allow if got approved: approved".to_string()
        )]
    );
}

#[test]
fn metadata_rule_builds_v1_messages_and_points_at_the_right_definition() {
    let policy = r#"package env0
import rego.v1

# METADATA
# title: Big cost
# description: cost over 100
deny contains format(rego.metadata.rule()) if input.cost > 100

# METADATA
# title: Huge cost
# description: cost over 1000
deny contains format(rego.metadata.rule()) if input.cost > 1000

format(meta) := sprintf("%s (%s)", [meta.title, meta.description])
"#;
    let mut policies = load(&[("p.rego", policy)]);
    assert!(policies.set_input(&json!({"cost": 5000})).is_ok());
    let outcomes = policies.evaluate(0, now()).unwrap_or_default();
    let seen: Vec<(String, String)> = outcomes
        .iter()
        .map(|o| (o.message.clone(), o.source.to_string()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "Big cost (cost over 100)".to_string(),
                "p.rego:7:1".to_string()
            ),
            (
                "Huge cost (cost over 1000)".to_string(),
                "p.rego:12:1".to_string()
            ),
        ]
    );
}

#[test]
fn metadata_chain_lists_rule_document_package_and_subpackages() {
    // OPA: chain() of `deny` gives exactly this list.
    let parent = "# METADATA\n# title: sub\n# scope: subpackages\npackage a\n";
    let child = r#"# METADATA
# title: pk
# description: pkd
package a.b
import rego.v1

# METADATA
# scope: document
# title: doc
deny contains json.marshal(rego.metadata.chain()) if true
"#;
    let outcomes = decide(&[("a.rego", parent), ("b.rego", child)], json!({}));
    let chain: Value = serde_json::from_str(&outcomes[0].1).unwrap_or_default();
    assert_eq!(
        chain,
        json!([
            {"path": ["a", "b", "deny"]},
            {"path": ["a", "b", "deny"], "annotations": {"scope": "document", "title": "doc"}},
            {"path": ["a", "b"], "annotations": {"scope": "package", "title": "pk", "description": "pkd"}},
            {"path": ["a"], "annotations": {"scope": "subpackages", "title": "sub"}},
        ])
    );
}

#[test]
fn metadata_rule_normalises_fields_as_opa_does() {
    // OPA: authors and related resources become objects; unknown keys are dropped; a
    // blank line between the block and the rule is allowed.
    let policy = r#"package env0
import rego.v1

# METADATA
# title: T
# authors:
# - John Doe <john@example.com>
# related_resources:
# - https://example.com
# organizations: [acme]
# custom:
#   severity: high
# foo: bar

warn contains json.marshal(rego.metadata.rule()) if true
allow contains json.marshal(rego.metadata.rule()) if true
"#;
    let outcomes = decide(&[("p.rego", policy)], json!({}));
    let warn: Value = serde_json::from_str(&outcomes[0].1).unwrap_or_default();
    assert_eq!(
        warn,
        json!({
            "scope": "rule",
            "title": "T",
            "authors": [{"name": "John Doe", "email": "john@example.com"}],
            "related_resources": [{"ref": "https://example.com"}],
            "organizations": ["acme"],
            "custom": {"severity": "high"},
        })
    );
    assert_eq!(outcomes[1], (Verdict::Allow, "{}".to_string()));
}

#[test]
fn true_rules_are_named_by_description_then_title_then_path() {
    let policy = r#"package env0
import rego.v1

# METADATA
# title: Needs review
# description: Production changes need a review
pending if input.env == "prod"

# METADATA
# title: Weekend change
warn if input.weekend

allow if input.approved
"#;
    let outcomes = decide(
        &[("p.rego", policy)],
        json!({"env": "prod", "weekend": true, "approved": true}),
    );
    assert_eq!(
        outcomes,
        [
            (
                Verdict::Pending,
                "Production changes need a review".to_string()
            ),
            (Verdict::Warn, "Weekend change".to_string()),
            (Verdict::Allow, "env0.allow".to_string()),
        ]
    );
}

#[test]
fn broken_metadata_is_a_load_error_at_the_block() {
    let policy = "package env0\n\n# METADATA\n# title: [unclosed\ndeny[\"x\"] { true }\n";
    let error = load_error(&[("p.rego", policy)]);
    assert_eq!(error.class, ErrorClass::Invalid);
    let location = error.diagnostics[0].location().map(|l| l.to_string());
    assert_eq!(location.as_deref(), Some("p.rego:3:1"));
    assert!(
        error.diagnostics[0]
            .message
            .starts_with("invalid METADATA block")
    );
}

fn first_message(error: &Error) -> String {
    error
        .diagnostics
        .first()
        .map(Diagnostic::one_line)
        .unwrap_or_default()
}

#[test]
fn a_function_defined_in_several_files_of_a_package_works() {
    // OPA: both definitions apply. The engine alone fails here (or misbinds arguments).
    let first = "package env0\n\nis_prod(name) { startswith(name, \"prod\") }\n";
    let second = "package env0\n\nx1 := [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]\n\nis_prod(name) { endswith(name, \"prod\") }\n\nwarn[msg] {\n  is_prod(input.env)\n  msg := \"production\"\n}\n";
    let files = [("a.rego", first), ("b.rego", second)];
    let warn = (Verdict::Warn, "production".to_string());
    assert_eq!(
        decide(&files, json!({"env": "x-prod"})),
        std::slice::from_ref(&warn)
    );
    assert_eq!(decide(&files, json!({"env": "prod-1"})), [warn]);
    assert_eq!(decide(&files, json!({"env": "dev"})), []);
}

#[test]
fn calling_an_undefined_function_is_a_load_error() {
    // OPA: "rego_type_error: undefined function nope".
    let error = load_error(&[(
        "p.rego",
        "package env0\n\ndeny[msg] {\n  msg := nope(input.a)\n}\n",
    )]);
    assert_eq!(error.class, ErrorClass::Invalid);
    assert_eq!(
        first_message(&error),
        "p.rego:4:10: undefined function `nope`"
    );
}

#[test]
fn removed_builtins_are_undefined_with_advice() {
    let error = load_error(&[(
        "p.rego",
        "package env0\ndeny[\"x\"] { re_match(\"a\", input.a) }\n",
    )]);
    assert_eq!(
        first_message(&error),
        "p.rego:2:13: undefined function `re_match`"
    );
    assert_eq!(
        error.diagnostics[0].help.as_deref(),
        Some("`re_match` was removed from Rego: use `regex.match`")
    );
}

#[test]
fn wrong_argument_counts_are_load_errors() {
    // OPA: "sprintf: arity mismatch" and "function data.env0.f has arity 1, got 2 arguments".
    let policy = "package env0\nimport rego.v1\n\nf(x) := x\n\ndeny contains sprintf(\"%s\", input.a, input.b) if true\nwarn contains f(1, 2) if true\n";
    let error = load_error(&[("p.rego", policy)]);
    let messages: Vec<String> = error.diagnostics.iter().map(Diagnostic::one_line).collect();
    assert_eq!(
        messages,
        [
            "p.rego:6:15: function `sprintf` takes 2 arguments, got 3",
            "p.rego:7:15: function `f` takes 1 argument, got 2",
        ]
    );
}

#[test]
fn an_extra_output_argument_is_fine_in_a_statement() {
    // OPA: `count(xs, n)` binds `n`.
    let policy = "package env0\nimport rego.v1\n\ndeny contains msg if {\n  count(input.xs, n)\n  msg := sprintf(\"%d items\", [n])\n}\n";
    assert_eq!(
        decide(&[("p.rego", policy)], json!({"xs": [1, 2]})),
        [deny("2 items")]
    );
}

#[test]
fn a_default_beside_a_multi_value_rule_is_a_load_error() {
    // OPA: "rego_type_error: conflicting rules data.t.deny found".
    let policy =
        "package env0\nimport rego.v1\n\ndefault deny := false\ndeny contains \"x\" if input.a\n";
    let error = load_error(&[("p.rego", policy)]);
    assert_eq!(error.class, ErrorClass::Invalid);
    assert_eq!(
        first_message(&error),
        "p.rego:4:9: conflicting rules `data.env0.deny`: a multi-value rule and a single-value rule"
    );
}

#[test]
fn every_broken_file_is_reported() {
    let error = load_error(&[
        ("a.rego", "package env0\ndeny[msg] {\n"),
        (
            "b.rego",
            "package env0\nwarn contains msg if { msg := undefined_fn(1) }\n",
        ),
        ("c.rego", "package env0\nallow := true\n"),
    ]);
    let files: Vec<String> = error
        .diagnostics
        .iter()
        .filter_map(|d| d.location().map(|l| format!("{}:{}", l.file, l.line)))
        .collect();
    assert_eq!(files, ["a.rego:2", "b.rego:2"]);
}

#[test]
fn not_of_a_call_with_an_undefined_argument_is_false() {
    // OPA: each of these `not` is false, so no rule below fires; `not input.missing` and
    // `not input.missing == 1` are true.
    let policy = r#"package env0
import rego.v1

g(x) := 1 if x > 0
h(x) if x == "a"

deny contains "g" if { not g(input.missing) }
deny contains "startswith" if { not startswith(input.missing, "a") }
deny contains "nested" if { not h(lower(input.missing)) }
deny contains "compare" if { not input.missing > 1 }
deny contains "array" if { not [input.missing] == [1] }
deny contains "braceless" if not h(input.obj.missing)
deny contains "comprehension" if { [x | x := 1; not h(input.missing)] == [] }
warn contains "plain" if { not input.missing }
warn contains "equality" if { not input.missing == 1 }
warn contains "defined" if { not h(input.n) }
"#;
    let outcomes = decide(&[("p.rego", policy)], json!({"n": 5, "obj": {}}));
    let messages: Vec<&str> = outcomes.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(messages, ["comprehension", "defined", "equality", "plain"]);
}

fn evaluation_error(files: &[(&str, &str)], input: Value) -> Error {
    let mut policies = load(files);
    match evaluate(&mut policies, input) {
        Ok(outcomes) => panic!("evaluation should fail, got {outcomes:?}"),
        Err(error) => error,
    }
}

#[test]
fn every_value_shape_reads_as_the_specification_says() {
    let policy = r#"package env0
import rego.v1

deny contains {"msg": "object message", "severity": "high"} if true
deny contains {"message": "second form"} if true
pending := ["one", "two"]
warn := "a single message"
allow := false
violation contains "violation is deny" if true
"#;
    let mut policies = load(&[("p.rego", policy)]);
    assert!(policies.set_input(&json!({})).is_ok());
    let outcomes = policies.evaluate(0, now()).unwrap_or_default();
    let seen: Vec<(Verdict, &str, &str)> = outcomes
        .iter()
        .map(|o| (o.verdict, o.rule.as_str(), o.message.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (Verdict::Deny, "deny", "second form"),
            (Verdict::Deny, "deny", "object message"),
            (Verdict::Deny, "violation", "violation is deny"),
            (Verdict::Pending, "pending", "one"),
            (Verdict::Pending, "pending", "two"),
            (Verdict::Warn, "warn", "a single message"),
        ]
    );
    assert_eq!(
        outcomes[1].details,
        Some(json!({"msg": "object message", "severity": "high"}))
    );
    assert_eq!(outcomes[0].policy, "env0");
}

#[test]
fn empty_false_and_undefined_rules_give_no_outcome() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains \"x\" if input.never\npending := []\nwarn := false\nallow := \"\"\n";
    assert_eq!(decide(&[("p.rego", policy)], json!({})), []);
}

#[test]
fn other_shapes_are_evaluation_errors_naming_package_and_rule() {
    let number = evaluation_error(
        &[("p.rego", "package env0.cost\nimport rego.v1\n\ndeny := 3\n")],
        json!({}),
    );
    assert_eq!(number.class, ErrorClass::Evaluation);
    assert_eq!(
        first_message(&number),
        "p.rego:4:1: rule `deny` of policy `env0.cost` is a number: expected a set of messages, a message, or a boolean"
    );
    let element = evaluation_error(
        &[(
            "p.rego",
            "package env0\nimport rego.v1\n\nwarn contains 7 if true\n",
        )],
        json!({}),
    );
    assert_eq!(
        first_message(&element),
        "p.rego:4:1: rule `warn` of policy `env0` has an element that is a number: expected a string or an object with `msg` or `message`"
    );
    // In Rego v1, `deny[msg] if` is an object keyed by message: verdict says how to fix it.
    let object = evaluation_error(
        &[(
            "p.rego",
            "package env0\nimport rego.v1\n\ndeny[msg] if msg := \"x\"\n",
        )],
        json!({}),
    );
    assert_eq!(
        first_message(&object),
        "p.rego:4:1: rule `deny` of policy `env0` is an object without `msg` or `message`"
    );
    assert!(
        object.diagnostics[0]
            .help
            .as_deref()
            .is_some_and(|help| help.contains("deny contains msg if"))
    );
    let null = evaluation_error(
        &[("p.rego", "package env0\nimport rego.v1\n\nallow := null\n")],
        json!({}),
    );
    assert!(first_message(&null).contains("is null"));
}

#[test]
fn runtime_errors_are_evaluation_errors_with_a_place() {
    let policy = "package env0\nimport rego.v1\n\nlimit := 1 if input.a\nlimit := 2 if input.b\n\ndeny contains \"over\" if limit > 0\n";
    let error = evaluation_error(&[("p.rego", policy)], json!({"a": true, "b": true}));
    assert_eq!(error.class, ErrorClass::Evaluation);
    let message = first_message(&error);
    assert!(message.starts_with("p.rego:5:"), "{message}");
    assert!(
        message.contains("rule `deny` of policy `env0`"),
        "{message}"
    );
}

#[test]
fn failing_builtins_make_their_expression_undefined_as_in_opa() {
    // OPA's default: `to_number("abc")` fails, so the rule does not fire.
    let policy = "package env0\nimport rego.v1\n\ndeny contains \"costly\" if to_number(input.cost) > 100\nwarn contains \"checked\" if true\n";
    let outcomes = decide(&[("p.rego", policy)], json!({"cost": "abc"}));
    assert_eq!(outcomes, [(Verdict::Warn, "checked".to_string())]);
    let strict = RegoOptions {
        strict_builtin_errors: true,
        ..RegoOptions::default()
    };
    let mut policies =
        load_with(&[("p.rego", policy)], &strict).unwrap_or_else(|e| panic!("{e:?}"));
    let error = evaluate(&mut policies, json!({"cost": "abc"})).err();
    assert_eq!(error.map(|e| e.class), Some(ErrorClass::Evaluation));
}

#[test]
fn prints_carry_file_and_line() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains msg if {\n  msg := \"x\"\n  print(\"checking\", input.a)\n}\n";
    let options = RegoOptions {
        capture_prints: true,
        ..RegoOptions::default()
    };
    let mut policies =
        load_with(&[("dir/p.rego", policy)], &options).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(evaluate(&mut policies, json!({"a": 1})).is_ok());
    assert_eq!(policies.take_prints(), ["dir/p.rego:6: checking 1"]);
    assert!(policies.take_prints().is_empty());
}

#[test]
fn data_documents_are_under_data() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains sprintf(\"%s is blocked\", [input.user]) if input.user in data.blocked.users\n";
    let data = vec![(
        Arc::<str>::from("blocked.json"),
        json!({"blocked": {"users": ["mallory"]}}),
    )];
    let mut policies = RegoPolicies::load(
        modules(&[("p.rego", policy)]),
        data,
        &RegoOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let outcomes = evaluate(&mut policies, json!({"user": "mallory"})).unwrap_or_default();
    assert_eq!(outcomes, [deny("mallory is blocked")]);
}

#[test]
fn data_must_be_an_object_and_must_not_conflict() {
    let load_data = |data: Vec<(Arc<str>, Value)>| {
        RegoPolicies::load(
            modules(&[("p.rego", "package env0\n")]),
            data,
            &RegoOptions::default(),
        )
        .err()
    };
    let error = load_data(vec![(Arc::from("list.json"), json!([1]))]);
    assert_eq!(error.as_ref().map(|e| e.class), Some(ErrorClass::Invalid));
    assert_eq!(
        error.map(|e| first_message(&e)),
        Some("list.json: data file `list.json` does not hold a JSON object".to_string())
    );
    let error = load_data(vec![
        (Arc::from("a.json"), json!({"x": 1})),
        (Arc::from("b.json"), json!({"x": 2})),
    ]);
    assert!(
        error
            .is_some_and(|e| first_message(&e).starts_with("b.json: data file `b.json` conflicts"))
    );
}

#[test]
fn time_now_ns_is_the_evaluation_time() {
    let policy =
        "package env0\nimport rego.v1\n\nwarn contains sprintf(\"%d\", [time.now_ns()]) if true\n";
    let outcomes = decide(&[("p.rego", policy)], json!({}));
    let expected = now().timestamp_nanos_opt().unwrap_or_default().to_string();
    assert_eq!(outcomes, [(Verdict::Warn, expected)]);
}

#[test]
fn the_time_limit_stops_runaway_policies() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains \"slow\" if {\n  count([x | some a in numbers.range(1, 400); some b in numbers.range(1, 400); x := a * b]) > 0\n}\n";
    let options = RegoOptions {
        timeout: Some(Duration::from_millis(1)),
        ..RegoOptions::default()
    };
    let mut policies =
        load_with(&[("p.rego", policy)], &options).unwrap_or_else(|e| panic!("{e:?}"));
    let error = evaluate(&mut policies, json!({})).err();
    assert_eq!(
        error.as_ref().map(|e| e.class),
        Some(ErrorClass::Evaluation)
    );
    assert_eq!(
        error.map(|e| e.diagnostics[0].message.clone()).as_deref(),
        Some("rule `deny` of policy `env0`: evaluation took longer than the time limit")
    );
}

#[test]
fn policies_are_packages_in_order_without_test_packages() {
    let files = [
        ("b.rego", "package env0.b\n\ndeny[\"b\"] { false }\n"),
        ("a.rego", "package env0.a\nimport rego.v1\nallow if true\n"),
        (
            "b_test.rego",
            "package env0.b_test\nimport rego.v1\ntest_b if true\n",
        ),
        ("b2.rego", "\n\npackage env0.b\nwarn[\"w\"] { true }\n"),
    ];
    let policies = load(&files);
    let listed: Vec<(String, String, Vec<String>)> = policies
        .policies()
        .iter()
        .map(|p| {
            (
                p.package.clone(),
                p.location.to_string(),
                p.files.iter().map(|f| f.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "env0.b".to_string(),
                "b.rego:1:1".to_string(),
                vec!["b.rego".to_string(), "b2.rego".to_string()]
            ),
            (
                "env0.a".to_string(),
                "a.rego:1:1".to_string(),
                vec!["a.rego".to_string()]
            ),
        ]
    );
}

#[test]
fn clones_evaluate_independently_on_other_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let policies = load(&[(
        "p.rego",
        "package env0\nimport rego.v1\ndeny contains input.who if input.who\n",
    )]);
    assert_send(&policies);
    let handles: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|who| {
            let mut mine = policies.clone();
            std::thread::spawn(move || evaluate(&mut mine, json!({"who": who})).unwrap_or_default())
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().unwrap_or_default())
        .collect();
    assert_eq!(results, [vec![deny("alice")], vec![deny("bob")]]);
}

#[test]
fn a_head_variable_no_body_binds_is_a_load_error() {
    // OPA: "rego_unsafe_var_error: var msg is unsafe".
    let policy = "package env0\nimport rego.v1\n\ndeny contains msg if { x := 1 }\nwarn contains name if { some name in input.names }\n";
    let error = load_error(&[("p.rego", policy)]);
    let messages: Vec<String> = error.diagnostics.iter().map(Diagnostic::one_line).collect();
    assert_eq!(
        messages,
        ["p.rego:4:15: var `msg` is unsafe: no body of the rule binds it"]
    );
}

const POLICY_WITH_TESTS: &str = r#"package env0
import rego.v1

deny contains "too costly" if input.cost > 100

deny contains msg if {
  input.cost > 1000
  msg := "far too costly"
}

warn contains "weekend" if {
  input.weekend
}
"#;

const TESTS: &str = r#"package env0_test
import rego.v1

test_denies_costly if {
  "too costly" in data.env0.deny with input as {"cost": 500}
}

test_fails if {
  data.env0.deny == set() with input as {"cost": 500}
}

test_undefined if input.never

test_errors if {
  print("about to fail")
  x := {"a": 1}
  object.get(x, "a", 0) == 1
  y := 1 / input.zero
  y
}

test_sees_no_input if {
  not input
}
"#;

#[test]
fn test_rules_run_like_opa_test() {
    let mut policies = load(&[("p.rego", POLICY_WITH_TESTS), ("p_test.rego", TESTS)]);
    assert!(policies.set_input(&json!({"cost": 5})).is_ok());
    let tests = policies.tests();
    let names: Vec<(String, String, String)> = tests
        .iter()
        .map(|t| (t.package.clone(), t.name.clone(), t.location.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "env0_test".into(),
                "test_denies_costly".into(),
                "p_test.rego:4:1".into()
            ),
            (
                "env0_test".into(),
                "test_fails".into(),
                "p_test.rego:8:1".into()
            ),
            (
                "env0_test".into(),
                "test_undefined".into(),
                "p_test.rego:12:1".into()
            ),
            (
                "env0_test".into(),
                "test_errors".into(),
                "p_test.rego:14:1".into()
            ),
            (
                "env0_test".into(),
                "test_sees_no_input".into(),
                "p_test.rego:22:1".into()
            ),
        ]
    );
    let results: Vec<(bool, Option<String>, Vec<String>)> = tests
        .iter()
        .map(|test| {
            let result = policies.run_test(test);
            (result.passed, result.message, result.prints)
        })
        .collect();
    assert_eq!(results[0], (true, None, vec![]));
    assert_eq!(results[1], (false, None, vec![]));
    assert_eq!(results[2], (false, None, vec![]));
    assert!(!results[3].0);
    assert_eq!(results[3].2, ["p_test.rego:15: about to fail"]);
    assert_eq!(results[4], (true, None, vec![]));
    // The test package is not a policy.
    let packages: Vec<&str> = policies
        .policies()
        .iter()
        .map(|p| p.package.as_str())
        .collect();
    assert_eq!(packages, ["env0"]);
}

#[test]
fn a_failing_test_says_why() {
    let tests = "package t_test\nimport rego.v1\n\ntest_conflict if {\n  x := {\"a\": 1}\n  x.a == 1\n  f(1) == 1\n}\n\nf(_) := 1\nf(_) := 2\n";
    let mut policies = load(&[("t.rego", tests)]);
    let test = policies.tests().into_iter().next();
    let result = test.map(|test| policies.run_test(&test));
    let message = result.and_then(|r| r.message).unwrap_or_default();
    assert!(message.starts_with("t.rego:"), "{message}");
    assert!(
        message.contains("test `test_conflict` of package `t_test`"),
        "{message}"
    );
}

#[test]
fn coverage_tells_which_verdict_rules_fired() {
    let mut policies = load(&[("p.rego", POLICY_WITH_TESTS), ("p_test.rego", TESTS)]);
    policies.enable_coverage(true);
    assert!(policies.set_input(&json!({"cost": 500})).is_ok());
    assert!(policies.evaluate(0, now()).is_ok());
    let fired = |policies: &RegoPolicies| -> Vec<(String, String, bool)> {
        policies
            .rule_coverage()
            .into_iter()
            .map(|c| (c.rule, c.location.to_string(), c.fired))
            .collect()
    };
    assert_eq!(
        fired(&policies),
        [
            ("deny".into(), "p.rego:4:1".into(), true),
            ("deny".into(), "p.rego:6:1".into(), false),
            ("warn".into(), "p.rego:11:1".into(), false),
        ]
    );
    // Rego tests count too: `test_denies_costly` makes the first `deny` fire.
    policies.enable_coverage(true);
    assert!(fired(&policies).iter().all(|(_, _, fired)| !fired));
    let tests = policies.tests();
    if let Some(first) = tests.first() {
        assert!(policies.run_test(first).passed);
    }
    assert_eq!(
        fired(&policies)[0],
        ("deny".into(), "p.rego:4:1".into(), true)
    );
    assert!(!fired(&policies)[1].2);
    // A multi-line body counts once every statement ran and its head value was computed.
    assert!(
        policies
            .set_input(&json!({"cost": 5000, "weekend": true}))
            .is_ok()
    );
    assert!(policies.evaluate(0, now()).is_ok());
    assert!(fired(&policies).iter().all(|(_, _, fired)| *fired));
}
