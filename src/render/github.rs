//! A decision as GitHub Actions workflow commands: `::error` for deny and pending,
//! `::warning` for warn, `::notice` for allow, each pointing at the rule's file and line.

use std::fmt::Write as _;

use crate::decision::{Decision, Outcome};
use crate::verdict::Verdict;

/// Renders one workflow command per outcome, then one for the decision.
pub fn decision(decision: &Decision) -> String {
    let mut out = String::new();
    for outcome in &decision.outcomes {
        let _ = writeln!(out, "{}", outcome_command(outcome));
    }
    let summary = if decision.defaulted {
        format!(
            "{} (default: no policy produced an outcome)",
            decision.verdict
        )
    } else {
        format!(
            "{} ({} outcomes)",
            decision.verdict,
            decision.outcomes.len()
        )
    };
    let _ = writeln!(
        out,
        "::{} title={}::{}",
        command(decision.verdict),
        escape_property("verdict"),
        escape_data(&summary)
    );
    out
}

fn command(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Deny | Verdict::Pending => "error",
        Verdict::Warn => "warning",
        Verdict::Allow => "notice",
    }
}

fn outcome_command(outcome: &Outcome) -> String {
    let title = format!("{} by {}", outcome.verdict, outcome.policy);
    format!(
        "::{} file={},line={},col={},title={}::{}",
        command(outcome.verdict),
        escape_property(&outcome.source.file),
        outcome.source.line,
        outcome.source.column,
        escape_property(&title),
        escape_data(&outcome.message)
    )
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::PolicyResult;
    use crate::source::Location;
    use chrono::DateTime;

    #[test]
    fn outcomes_become_annotations_on_the_rule() {
        let outcome = |verdict, message: &str| Outcome {
            verdict,
            message: message.to_string(),
            policy: "cost, guard".to_string(),
            rule: "deny".to_string(),
            source: Location::new("policies/cost.policy", 12, 3),
            details: None,
        };
        let decision = Decision::combine(
            vec![PolicyResult {
                policy: "cost, guard".to_string(),
                source: Location::new("policies/cost.policy", 1, 1),
                outcomes: vec![
                    outcome(Verdict::Deny, "100% over\nbudget"),
                    outcome(Verdict::Warn, "destroy"),
                ],
            }],
            Verdict::Pending,
            DateTime::from_timestamp(0, 0).unwrap(),
        );
        insta::assert_snapshot!(super::decision(&decision), @r"
        ::error file=policies/cost.policy,line=12,col=3,title=deny by cost%2C guard::100%25 over%0Abudget
        ::warning file=policies/cost.policy,line=12,col=3,title=warn by cost%2C guard::destroy
        ::error title=verdict::deny (2 outcomes)
        ");
    }
}
