//! Rulesets written as `.policy` source and requests as JSON files, from
//! `tests/data/ruleset`: the way a user meets them.

use serde_json::Value;

use super::*;
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::Item;
use crate::dsl::parse::parse;
use crate::source::SourceFile;
use crate::verdict::Verdict;

const SPEC: &str = include_str!("../../../tests/data/ruleset/spec.policy");
const SHARED: &str = include_str!("../../../tests/data/ruleset/shared.policy");

/// Parses and lowers every ruleset of the files given, in order.
fn load(files: &[(&str, &str)]) -> Result<Rulesets, Vec<Diagnostic>> {
    let mut rulesets = Vec::new();
    let mut problems = Vec::new();
    for (name, text) in files {
        let source = SourceFile::new(*name, *text);
        for item in parse(&source)?.items {
            if let Item::Ruleset(block) = item {
                match lower(&block, &source) {
                    Ok(ruleset) => rulesets.push(ruleset),
                    Err(diagnostics) => problems.extend(diagnostics),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Rulesets::new(rulesets))
    } else {
        Err(problems)
    }
}

fn input(name: &str) -> Value {
    let path = format!(
        "{}/tests/data/ruleset/inputs/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Decides an input file at its own `now`.
fn decide_file(rulesets: &Rulesets, name: &str) -> RulesetDecision {
    let input = input(name);
    let now = input["now"].as_str().unwrap_or(NOW).to_string();
    rulesets.evaluate(&input, time(&now)).unwrap()
}

fn sourced_lines(decision: &RulesetDecision) -> Vec<String> {
    outcomes(decision)
        .iter()
        .map(|o| {
            format!(
                "{} {} {}/{}: {}",
                o.source, o.verdict, o.policy, o.rule, o.message
            )
        })
        .collect()
}

#[test]
fn the_specification_rulesets_lower_as_written() {
    let rulesets = load(&[("spec.policy", SPEC)]).unwrap();
    let summary: Vec<String> = rulesets
        .iter()
        .map(|r| {
            let actions: Vec<&str> = r.actions.iter().map(|a| a.keyword()).collect();
            format!(
                "{} {} {} requires {}",
                r.location,
                r.name,
                actions.join(","),
                r.required
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "spec.policy:2:1 prod-open open requires 2",
            "spec.policy:14:1 prod-change update requires 1",
            "spec.policy:21:1 destroy-needs-security destroy requires 1",
        ]
    );
}

#[test]
fn the_specification_open_is_allowed_and_activates_its_grant() {
    let rulesets = load(&[("spec.policy", SPEC)]).unwrap();
    let decision = decide_file(&rulesets, "open.json");
    assert_eq!(
        sourced_lines(&decision),
        [
            "spec.policy:2:1 allow prod-open/grant: alice@acme.io holds an active grant for acme/payments/prod; access ends at 2026-11-21T12:00:00Z (this open starts it)"
        ]
    );
    let activation = serde_json::to_value(&decision.grant_activations).unwrap();
    assert_eq!(
        activation,
        serde_json::json!([{
            "environment": "acme/payments/prod", "identity": "alice@acme.io",
            "firstOpenedAt": "2026-11-21T10:00:00Z", "accessEndsAt": "2026-11-21T12:00:00Z",
        }])
    );
}

#[test]
fn a_gated_import_without_its_own_grant_denies_the_open() {
    let rulesets = load(&[("spec.policy", SPEC), ("shared.policy", SHARED)]).unwrap();
    let decision = decide_file(&rulesets, "open.json");
    assert_eq!(
        sourced_lines(&decision),
        [
            "spec.policy:2:1 deny prod-open/grant: alice@acme.io has no active grant for acme/shared/aws-creds (no grant); each needs an approved, applied grant"
        ]
    );
    assert!(decision.grant_activations.is_empty());
}

#[test]
fn an_open_request_over_the_limit_with_self_and_duplicate_reviews() {
    let rulesets = load(&[("spec.policy", SPEC), ("shared.policy", SHARED)]).unwrap();
    let decision = decide_file(&rulesets, "open-request.json");
    assert_eq!(
        sourced_lines(&decision),
        [
            "spec.policy:2:1 allow prod-open/approvals: approved by bob@acme.io, carol@acme.io (2 of 2 approvals)",
            "spec.policy:10:23 deny prod-open/access-duration: requested accessDuration 6h exceeds the limit of 4h",
            "spec.policy:2:1 warn prod-open/imports: acme/payments/prod imports acme/shared/aws-creds, which ruleset shared-creds-open gates: it needs its own approved grant",
        ]
    );
}

#[test]
fn an_update_waits_when_its_approval_is_for_an_older_revision() {
    let rulesets = load(&[("spec.policy", SPEC), ("shared.policy", SHARED)]).unwrap();
    let decision = decide_file(&rulesets, "update.json");
    assert_eq!(
        sourced_lines(&decision),
        [
            "spec.policy:14:1 pending prod-change/approvals: 0 of 1 approvals; eligible: team platform (not the requester); \
          not counted: erin@acme.io (stale revision 7, current 8), frank@acme.io (not eligible)"
        ]
    );
}

#[test]
fn an_env0_destroy_counts_the_security_approver_but_not_the_deployer() {
    let rulesets = load(&[("spec.policy", SPEC)]).unwrap();
    let decision = decide_file(&rulesets, "env0-destroy.json");
    assert_eq!(verdict(&decision), Some(Verdict::Allow));
    assert_eq!(
        sourced_lines(&decision),
        [
            "spec.policy:21:1 allow destroy-needs-security/approvals: approved by bob@acme.io (1 of 1 approvals)"
        ]
    );
}

#[test]
fn static_problems_are_reported_with_their_places() {
    let errors = load(&[(
        "errors.policy",
        include_str!("../../../tests/data/ruleset/errors.policy"),
    )])
    .unwrap_err();
    let shown: Vec<String> = errors.iter().map(Diagnostic::one_line).collect();
    assert_eq!(
        shown,
        [
            "errors.policy:2:16: unknown action `opne`",
            "errors.policy:3:16: `acme/[prod` is not a valid glob: unclosed character class; missing ']'",
            "errors.policy:4:11: `require` needs at least one approval, not `0`",
            "errors.policy:5:23: `4 hours` is not a duration",
            "errors.policy:6:3: `require` is given twice in ruleset `broken`",
            "errors.policy:9:9: ruleset `no-action` has no `action`",
        ]
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some(
            "did you mean `open`? actions are open, update, deploy, destroy, deployResume and destroyResume"
        )
    );
}
