//! A decision as text for people: the verdict first, then each outcome with its policy,
//! message and `file:line:col`, strictest first.

use std::fmt::Write as _;

use crate::decision::{Decision, Outcome, format_time};
use crate::verdict::Verdict;

/// ANSI styles for the verdict words; empty when colour is off.
struct Palette {
    enabled: bool,
}

impl Palette {
    fn verdict(&self, verdict: Verdict, text: &str) -> String {
        if !self.enabled {
            return text.to_string();
        }
        let code = match verdict {
            Verdict::Deny => "1;31",
            Verdict::Pending => "1;33",
            Verdict::Warn => "1;35",
            Verdict::Allow => "1;32",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    fn dim(&self, text: &str) -> String {
        match self.enabled {
            true => format!("\x1b[2m{text}\x1b[0m"),
            false => text.to_string(),
        }
    }
}

/// Renders a decision; `colour` adds ANSI colours to the verdict words.
pub fn decision(decision: &Decision, colour: bool) -> String {
    let palette = Palette { enabled: colour };
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(decision, &palette));
    let mut outcomes: Vec<&Outcome> = decision.outcomes.iter().collect();
    outcomes.sort_by_key(|outcome| std::cmp::Reverse(outcome.verdict));
    for outcome in outcomes {
        let word = palette.verdict(outcome.verdict, &format!("{:<7}", outcome.verdict.as_str()));
        let _ = writeln!(out, "  {word} {}: {}", outcome.policy, outcome.message);
        let _ = writeln!(
            out,
            "          {}",
            palette.dim(&format!("at {}", outcome.source))
        );
    }
    for activation in &decision.grant_activations {
        let _ = writeln!(
            out,
            "  grant   {} for {} activates now; access ends at {}",
            activation.environment,
            activation.identity,
            format_time(&activation.access_ends_at)
        );
    }
    let policies: Vec<String> = decision
        .policies
        .iter()
        .map(|p| format!("{} {}", p.policy, p.verdict.map_or("none", Verdict::as_str)))
        .collect();
    if !policies.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            palette.dim(&format!("policies: {}", policies.join(", ")))
        );
    }
    out
}

fn headline(decision: &Decision, palette: &Palette) -> String {
    let word = palette.verdict(decision.verdict, decision.verdict.as_str());
    if decision.defaulted {
        return format!("{word} (default: no policy produced an outcome)");
    }
    let count = decision.outcomes.len();
    let policies = decision
        .policies
        .iter()
        .filter(|p| p.verdict.is_some())
        .count();
    format!(
        "{word} ({count} outcome{} from {policies} polic{})",
        if count == 1 { "" } else { "s" },
        if policies == 1 { "y" } else { "ies" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::PolicyResult;
    use crate::source::Location;
    use chrono::DateTime;

    fn result(policy: &str, outcomes: &[(Verdict, &str, u32)]) -> PolicyResult {
        PolicyResult {
            policy: policy.into(),
            source: Location::new(format!("policies/{policy}.rego"), 1, 1),
            outcomes: outcomes
                .iter()
                .map(|&(verdict, message, line)| Outcome {
                    verdict,
                    message: message.to_string(),
                    policy: policy.into(),
                    rule: verdict.as_str().into(),
                    source: Location::new(format!("policies/{policy}.rego"), line, 1),
                    details: None,
                })
                .collect(),
        }
    }

    #[test]
    fn verdict_first_then_outcomes_strictest_first() {
        let now = DateTime::from_timestamp(0, 0).unwrap();
        let decision = Decision::combine(
            vec![
                result(
                    "cost",
                    &[
                        (Verdict::Warn, "costly", 4),
                        (Verdict::Deny, "too costly", 9),
                    ],
                ),
                result("quiet", &[]),
            ],
            Verdict::Pending,
            now,
        );
        insta::assert_snapshot!(super::decision(&decision, false), @r"
        deny (2 outcomes from 1 policy)
          deny    cost: too costly
                  at policies/cost.rego:9:1
          warn    cost: costly
                  at policies/cost.rego:4:1
        policies: cost deny, quiet none
        ");
    }

    #[test]
    fn a_defaulted_decision_says_so() {
        let now = DateTime::from_timestamp(0, 0).unwrap();
        let decision = Decision::combine(vec![result("quiet", &[])], Verdict::Pending, now);
        let text = super::decision(&decision, false);
        assert!(
            text.starts_with("pending (default: no policy produced an outcome)\n"),
            "{text}"
        );
        let coloured = super::decision(&decision, true);
        assert!(
            coloured.starts_with("\x1b[1;33mpending\x1b[0m"),
            "{coloured:?}"
        );
    }
}
