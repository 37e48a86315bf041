//! `verdict eval --explain`: for each policy, why it answered as it did. Policy-language
//! rules show the values that decided them, rulesets the reviews and grants they counted
//! or set aside, Rego packages the rules that produced outcomes and what they printed.

use std::fmt::Write as _;

use serde::Serialize;

use crate::decision::Outcome;
use crate::dsl::eval::explain::{self as dsl_explain, PolicyExplanation};
use crate::ruleset;
use crate::source::Location;

/// One policy's explanation.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Explained {
    /// A policy of the policy language.
    Policy(PolicyExplanation),
    /// Every ruleset, applying or not.
    Rulesets(ruleset::Explanation),
    /// A Rego package.
    Rego(RegoExplanation),
}

#[derive(Clone, Debug, Serialize)]
pub struct RegoExplanation {
    pub policy: String,
    pub source: Location,
    /// Every definition of its verdict rules, and whether it fired.
    pub rules: Vec<RegoRule>,
    /// The outcomes its verdict rules produced, each at the rule that produced it.
    pub outcomes: Vec<Outcome>,
    /// `print()` output, `file:line: text`.
    pub prints: Vec<String>,
}

/// One definition of a Rego verdict rule.
#[derive(Clone, Debug, Serialize)]
pub struct RegoRule {
    pub rule: String,
    pub source: Location,
    pub fired: bool,
}

/// The explanations as text for people.
pub fn render(explanations: &[Explained]) -> String {
    let mut out = String::new();
    for explained in explanations {
        match explained {
            Explained::Policy(policy) => out.push_str(&dsl_explain::render(policy)),
            Explained::Rulesets(rulesets) => {
                let _ = write!(out, "{rulesets}");
            }
            Explained::Rego(rego) => out.push_str(&render_rego(rego)),
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn render_rego(rego: &RegoExplanation) -> String {
    let mut out = format!("policy `{}` (Rego, {})\n", rego.policy, rego.source);
    if rego.rules.is_empty() {
        out.push_str("  no deny, violation, pending, warn or allow rule\n");
    }
    for rule in &rego.rules {
        let messages: Vec<&str> = rego
            .outcomes
            .iter()
            .filter(|outcome| outcome.source == rule.source)
            .map(|outcome| outcome.message.as_str())
            .collect();
        let state = match (rule.fired, messages.is_empty()) {
            (false, _) => "did not fire".to_string(),
            (true, true) => "fired".to_string(),
            (true, false) => format!("fired: {}", messages.join("; ")),
        };
        let _ = writeln!(out, "  {} ({}): {state}", rule.rule, rule.source);
    }
    // Outcomes that cannot be told apart by definition (several definitions of one rule).
    for outcome in &rego.outcomes {
        if !rego.rules.iter().any(|rule| rule.source == outcome.source) {
            let _ = writeln!(
                out,
                "  {} ({}): {}",
                outcome.rule, outcome.source, outcome.message
            );
        }
    }
    for line in &rego.prints {
        let _ = writeln!(out, "  print {line}");
    }
    out
}
