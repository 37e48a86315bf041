//! Behaviour of the Rego backend, policy by policy. Cases marked "OPA:" were checked
//! against OPA 1.20 with the same policy and input.

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
