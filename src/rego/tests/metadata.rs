//! `# METADATA` blocks, `rego.metadata.rule()` and `rego.metadata.chain()`.

use super::*;

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
fn an_object_element_written_as_a_literal_points_at_its_own_definition() {
    let policy = r#"package gate
import rego.v1

warn contains {"msg": "first", "level": 1} if true
warn contains {"message": "second"} if true
warn contains {"msg": input.note} if input.note
"#;
    let mut policies = load(&[("p.rego", policy)]);
    assert!(policies.set_input(&json!({"note": "third"})).is_ok());
    let outcomes = policies.evaluate(0, now()).unwrap_or_default();
    let mut seen: Vec<(String, String)> = outcomes
        .iter()
        .map(|o| (o.message.clone(), o.source.to_string()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("first".to_string(), "p.rego:4:1".to_string()),
            ("second".to_string(), "p.rego:5:1".to_string()),
            // Not a literal: the first definition stands for the rule.
            ("third".to_string(), "p.rego:4:1".to_string()),
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

#[test]
fn a_reference_may_follow_the_metadata_call() {
    // OPA: `rego.metadata.rule().title` is the rule's title, `chain()[0].path` its path.
    let policy = r#"package env0
import rego.v1

# METADATA
# title: Late deploys
deny contains msg if {
    input.late
    msg := rego.metadata.rule().title
}

warn contains concat(".", rego.metadata.chain()[0].path) if input.late
"#;
    let outcomes = decide(&[("p.rego", policy)], json!({"late": true}));
    assert_eq!(
        outcomes,
        [
            deny("Late deploys"),
            (Verdict::Warn, "env0.warn".to_string())
        ]
    );
}
