//! `verdict eval --explain`: every rule of a policy, whether it fired, and the values that
//! decided it.
//!
//! Explaining evaluates the policy again with the [`Explainer`]s the compiler built beside
//! each condition, so plain evaluation pays nothing for it. Whether a guard held or a rule
//! fired is decided by the same nodes plain evaluation runs; the explainers only show why.

mod text;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use text::render;

use super::limits::{Halt, Limits, watch_halt};
use super::machine::Machine;
use super::operators::compare;
use super::program::{Comparison, Explainer, Program, RuleProgram, Test, TestKind};
use super::render::{json_text, to_json};
use super::value::{Document, Json, Value};
use super::{halted, outcome};
use crate::decision::Outcome;
use crate::document::Arena;
use crate::error::Error;
use crate::source::Location;
use crate::verdict::Verdict;

/// Why a policy produced the outcomes it did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyExplanation {
    pub policy: String,
    pub source: Location,
    /// Whether every `when` guard held; when one did not, no rule was evaluated.
    pub applies: bool,
    /// The guards evaluated, in order, up to the first that did not hold.
    pub guards: Vec<GuardExplanation>,
    pub rules: Vec<RuleExplanation>,
    /// The same outcomes plain evaluation gives.
    pub outcomes: Vec<Outcome>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GuardExplanation {
    pub source: Location,
    pub condition: String,
    pub held: bool,
    pub tests: Vec<Fact>,
    pub reads: Vec<Read>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleExplanation {
    pub verdict: Verdict,
    pub source: Location,
    /// `for r in XS` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    /// The `if` condition as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// False when a guard did not hold and the rule was not evaluated.
    pub evaluated: bool,
    /// How many outcomes the rule produced.
    pub fired: usize,
    /// One case for a rule without `for`; one per item for a rule with it.
    pub cases: Vec<Case>,
}

/// One evaluation of a rule's condition: the rule itself, or one item of its `for`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Case {
    /// The item, as shortened JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub fired: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub tests: Vec<Fact>,
    pub reads: Vec<Read>,
}

/// One test of a condition, in evaluation order: `diff > config.maxCostIncrease` showed
/// as `150 > 10`, giving `true`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fact {
    pub test: String,
    pub values: String,
    pub result: Json,
}

/// The value of a name or path a condition reads, when no test reached showed it as an
/// operand already.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Read {
    pub expression: String,
    pub value: Json,
}

/// Values longer than this are shortened in explanations.
const SHOWN_CHARS: usize = 200;

/// Explains one evaluation of a policy.
pub fn explain(
    program: &Program,
    location: &Location,
    input: &Json,
    now: DateTime<Utc>,
    limits: &Limits,
) -> Result<PolicyExplanation, Error> {
    let arena = Arena::new();
    let document = Document::from_json(input, &arena);
    let mut machine = Machine::new(program, &document, now, limits);
    let mut guards = Vec::new();
    let mut applies = true;
    for guard in &program.guards {
        let explained = (|| {
            let held = machine.eval(&guard.condition)?.is_true();
            let (tests, reads) = match &guard.explainer {
                Some(explainer) => explain_condition(&mut machine, explainer)?,
                None => (Vec::new(), Vec::new()),
            };
            watch_halt()?;
            Ok((held, tests, reads))
        })();
        let (held, tests, reads) =
            explained.map_err(|halt| halted(program, guard.span, "its `when` guard", &halt))?;
        guards.push(GuardExplanation {
            source: source_location(program, guard.span.start),
            condition: guard
                .explainer
                .as_ref()
                .map_or_else(String::new, |explainer| explainer.test.text.to_string()),
            held,
            tests,
            reads,
        });
        if !held {
            applies = false;
            break;
        }
    }
    let mut rules = Vec::new();
    let mut outcomes = Vec::new();
    for rule in &program.rules {
        let explained = if applies {
            explain_rule(&mut machine, program, rule, &mut outcomes)
                .and_then(|explained| watch_halt().map(|()| explained))
                .map_err(|halt| {
                    let what = format!("its {} rule at line {}", rule.verdict, rule.location.line);
                    halted(program, rule.span, &what, &halt)
                })?
        } else {
            unevaluated(rule)
        };
        rules.push(explained);
    }
    Ok(PolicyExplanation {
        policy: program.name.to_string(),
        source: location.clone(),
        applies,
        guards,
        rules,
        outcomes,
    })
}

fn source_location(program: &Program, offset: usize) -> Location {
    match &program.source {
        Some(source) => source.location(offset),
        None => Location::new("", 0, 0),
    }
}

fn unevaluated(rule: &RuleProgram) -> RuleExplanation {
    RuleExplanation {
        verdict: rule.verdict,
        source: rule.location.clone(),
        each: rule.each_text.as_deref().map(str::to_string),
        condition: condition_text(rule),
        evaluated: false,
        fired: 0,
        cases: Vec::new(),
    }
}

fn condition_text(rule: &RuleProgram) -> Option<String> {
    rule.explainer
        .as_ref()
        .map(|explainer| explainer.test.text.to_string())
}

fn explain_rule<'a>(
    machine: &mut Machine<'a>,
    program: &'a Program,
    rule: &'a RuleProgram,
    outcomes: &mut Vec<Outcome>,
) -> Result<RuleExplanation, Halt> {
    let mut explained = unevaluated(rule);
    explained.evaluated = true;
    let Some(iterable) = &rule.each else {
        explained
            .cases
            .push(explain_case(machine, program, rule, None, outcomes)?);
        explained.fired = usize::from(explained.cases.iter().any(|case| case.fired));
        return Ok(explained);
    };
    let items = machine.eval(iterable)?;
    for item in items.elements().into_iter().flatten() {
        machine.budget.iterate()?;
        let shown = shortened(json_text(&item));
        machine.locals.push(item);
        let case = explain_case(machine, program, rule, Some(shown), outcomes);
        machine.locals.pop();
        explained.cases.push(case?);
    }
    explained.fired = explained.cases.iter().filter(|case| case.fired).count();
    Ok(explained)
}

fn explain_case<'a>(
    machine: &mut Machine<'a>,
    program: &'a Program,
    rule: &'a RuleProgram,
    item: Option<String>,
    outcomes: &mut Vec<Outcome>,
) -> Result<Case, Halt> {
    let fired = match &rule.condition {
        Some(condition) => machine.eval(condition)?.is_true(),
        None => true,
    };
    let (tests, reads) = match &rule.explainer {
        Some(explainer) => explain_condition(machine, explainer)?,
        None => (Vec::new(), Vec::new()),
    };
    let mut message = None;
    if fired {
        let fired_outcome = outcome(machine, program, rule)?;
        message = Some(fired_outcome.message.clone());
        outcomes.push(fired_outcome);
    }
    Ok(Case {
        item,
        fired,
        message,
        tests,
        reads,
    })
}

fn explain_condition<'a>(
    machine: &mut Machine<'a>,
    explainer: &'a Explainer,
) -> Result<(Vec<Fact>, Vec<Read>), Halt> {
    let mut facts = Vec::new();
    let mut shown_operands = Vec::new();
    explain_test(machine, &explainer.test, &mut facts, &mut shown_operands)?;
    let mut reads = Vec::with_capacity(explainer.reads.len());
    for (expression, node) in &explainer.reads {
        if shown_operands.contains(&&**expression) {
            continue;
        }
        let value = machine.eval(node)?;
        reads.push(Read {
            expression: expression.to_string(),
            value: to_json(&value),
        });
    }
    Ok((facts, reads))
}

/// Evaluates a test as the condition does (`and` and `or` stop early), recording a fact
/// for every comparison, `not` and other test it reaches.
fn explain_test<'a>(
    machine: &mut Machine<'a>,
    test: &'a Test,
    facts: &mut Vec<Fact>,
    shown_operands: &mut Vec<&'a str>,
) -> Result<Value<'a>, Halt> {
    let (values, result) = match &test.kind {
        TestKind::And(left, right) => {
            let holds = explain_test(machine, left, facts, shown_operands)?.is_true()
                && explain_test(machine, right, facts, shown_operands)?.is_true();
            return Ok(Value::Bool(holds));
        }
        TestKind::Or(left, right) => {
            let holds = explain_test(machine, left, facts, shown_operands)?.is_true()
                || explain_test(machine, right, facts, shown_operands)?.is_true();
            return Ok(Value::Bool(holds));
        }
        TestKind::Not(inner) => {
            let inner = explain_test(machine, inner, facts, shown_operands)?;
            let shown = format!("not {}", shown(&inner));
            (shown, Value::Bool(!inner.is_true()))
        }
        TestKind::Compare { op, left, right } => {
            shown_operands.extend([&*left.text, &*right.text]);
            let (left, right) = (machine.eval(&left.node)?, machine.eval(&right.node)?);
            let shown = format!("{} {} {}", shown(&left), symbol(*op), shown(&right));
            (shown, Value::Bool(compare(*op, &left, &right)))
        }
        TestKind::In {
            negated,
            element,
            container,
        } => {
            shown_operands.extend([&*element.text, &*container.text]);
            let (element, container) =
                (machine.eval(&element.node)?, machine.eval(&container.node)?);
            let keyword = if *negated { "not in" } else { "in" };
            let shown = format!("{} {keyword} {}", shown(&element), shown(&container));
            (shown, Value::Bool(container.has(&element) != *negated))
        }
        TestKind::Value(node) => {
            shown_operands.push(&test.text);
            let value = machine.eval(node)?;
            (shown(&value), value)
        }
    };
    facts.push(Fact {
        test: test.text.to_string(),
        values,
        result: to_json(&result),
    });
    Ok(result)
}

fn symbol(op: Comparison) -> &'static str {
    match op {
        Comparison::Eq => "==",
        Comparison::Ne => "!=",
        Comparison::Lt => "<",
        Comparison::Le => "<=",
        Comparison::Gt => ">",
        Comparison::Ge => ">=",
    }
}

/// A value as JSON, shortened past [`SHOWN_CHARS`] characters.
fn shown(value: &Value<'_>) -> String {
    shortened(json_text(value))
}

fn shortened(text: String) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text,
    }
}
