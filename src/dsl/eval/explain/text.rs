//! The text form of an explanation, for people reading `verdict eval --explain`.

use std::fmt::Write as _;

use super::{Case, Fact, PolicyExplanation, Read, RuleExplanation};

/// Items of a `for` rule that did not fire are detailed up to this many; the rest are
/// counted.
const QUIET_ITEMS_SHOWN: usize = 10;

/// Renders an explanation as indented lines:
///
/// ```text
/// policy `cost-guard` (policies/cost.policy:2:1): applies
///   when deploymentRequest.type in ["deploy", "destroy"]: held
///     deploymentRequest.type in ["deploy", "destroy"]: "deploy" in ["deploy","destroy"] → true
///   pending (policies/cost.policy:9:3): fired: Monthly cost increase of 150 needs review
///     diff > config.maxCostIncrease: 150 > 10 → true
///     where diff = 150, config.maxCostIncrease = 10
/// ```
pub fn render(explanation: &PolicyExplanation) -> String {
    let mut out = String::new();
    let applies = if explanation.applies {
        "applies"
    } else {
        "does not apply"
    };
    line(
        &mut out,
        0,
        &format!(
            "policy `{}` ({}): {applies}",
            explanation.policy, explanation.source
        ),
    );
    for guard in &explanation.guards {
        let held = if guard.held { "held" } else { "did not hold" };
        line(&mut out, 1, &format!("when {}: {held}", guard.condition));
        facts(&mut out, 2, &guard.tests, &guard.reads);
    }
    for rule in &explanation.rules {
        render_rule(&mut out, rule);
    }
    out
}

fn render_rule(out: &mut String, rule: &RuleExplanation) {
    let mut head = format!("{} ({})", rule.verdict, rule.source);
    if let Some(each) = &rule.each {
        let _ = write!(head, " {each}");
    }
    if !rule.evaluated {
        line(out, 1, &format!("{head}: not evaluated"));
        return;
    }
    let Some(each) = rule.each.as_ref().map(|_| rule.cases.len()) else {
        if let Some(case) = rule.cases.first() {
            line(out, 1, &format!("{head}: {}", case_outcome(case)));
            facts(out, 2, &case.tests, &case.reads);
        }
        return;
    };
    line(
        out,
        1,
        &format!("{head}: fired for {} of {each} items", rule.fired),
    );
    let mut quiet_shown = 0;
    for case in &rule.cases {
        if !case.fired {
            quiet_shown += 1;
            if quiet_shown > QUIET_ITEMS_SHOWN {
                continue;
            }
        }
        let item = case.item.as_deref().unwrap_or("");
        line(out, 2, &format!("item {item}: {}", case_outcome(case)));
        facts(out, 3, &case.tests, &case.reads);
    }
    if quiet_shown > QUIET_ITEMS_SHOWN {
        let more = quiet_shown - QUIET_ITEMS_SHOWN;
        line(
            out,
            2,
            &format!("… and {more} more items that did not fire"),
        );
    }
}

fn case_outcome(case: &Case) -> String {
    match (&case.message, case.fired) {
        (Some(message), true) => format!("fired: {message}"),
        (None, true) => "fired".to_string(),
        (_, false) => "did not fire".to_string(),
    }
}

fn facts(out: &mut String, depth: usize, tests: &[Fact], reads: &[Read]) {
    for fact in tests {
        let result = fact.result.to_string();
        if fact.values == fact.test || fact.values == result {
            line(out, depth, &format!("{} → {result}", fact.test));
        } else {
            line(
                out,
                depth,
                &format!("{}: {} → {result}", fact.test, fact.values),
            );
        }
    }
    let shown: Vec<String> = reads
        .iter()
        .map(|read| format!("{} = {}", read.expression, read.value))
        .collect();
    if !shown.is_empty() {
        line(out, depth, &format!("where {}", shown.join(", ")));
    }
}

fn line(out: &mut String, depth: usize, text: &str) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}
