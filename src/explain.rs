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
    /// The outcomes its verdict rules produced, each at the rule that produced it.
    pub outcomes: Vec<Outcome>,
    /// `print()` output, `file:line: text`.
    pub prints: Vec<String>,
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
    let mut out = format!("policy {} (Rego) at {}\n", rego.policy, rego.source);
    if rego.outcomes.is_empty() {
        out.push_str("  no deny, pending, warn or allow rule produced anything\n");
    }
    for outcome in &rego.outcomes {
        let _ = writeln!(
            out,
            "  {} fired at {}: {}",
            outcome.rule, outcome.source, outcome.message
        );
    }
    for line in &rego.prints {
        let _ = writeln!(out, "  print {line}");
    }
    out
}
