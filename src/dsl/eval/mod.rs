//! Evaluation of compiled policies: values, operators, builtins, and the machine that runs
//! a [`program::Program`] over an input document.

pub mod builtins;
pub mod explain;
pub mod limits;
pub mod machine;
pub mod operators;
pub mod program;
pub mod render;
pub mod shared;
pub mod value;

use std::rc::Rc;

use chrono::{DateTime, Utc};

use limits::Halt;
pub use limits::Limits;
use machine::Machine;
use program::{Program, RuleProgram};
use value::{Document, Value};

use crate::decision::Outcome;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::source::Span;

/// Evaluates a policy: when every `when` guard holds, the outcomes of its rules in order;
/// none when a guard does not hold.
pub fn run(
    program: &Program,
    input: &Document<'_>,
    now: DateTime<Utc>,
    limits: &Limits,
) -> Result<Vec<Outcome>, Error> {
    let mut machine = Machine::new(program, input, now, limits);
    run_on(&mut machine, program)
}

/// Evaluates each of `policies` over `input` as [`run`] does, one after another on one
/// machine: making a machine for each policy and dropping it again took 3% of the
/// instructions of a small decision's evaluation.
pub(super) fn run_each<'a>(
    policies: impl IntoIterator<Item = (&'a Program, &'a Limits)>,
    input: &'a Document<'a>,
    now: DateTime<Utc>,
) -> Vec<Result<Vec<Outcome>, Error>> {
    let mut machine: Option<Machine<'a>> = None;
    policies
        .into_iter()
        .map(|(program, limits)| {
            let machine = match &mut machine {
                Some(machine) => {
                    machine.restart(program, limits);
                    machine
                }
                None => machine.insert(Machine::new(program, input, now, limits)),
            };
            run_on(machine, program)
        })
        .collect()
}

/// Evaluates `program` on a machine set up for it.
fn run_on<'a>(machine: &mut Machine<'a>, program: &'a Program) -> Result<Vec<Outcome>, Error> {
    if !guards_hold(machine, program)? {
        return Ok(Vec::new());
    }
    let mut outcomes = Vec::new();
    for rule in &program.rules {
        fire_rule(machine, program, rule, &mut outcomes)?;
    }
    Ok(outcomes)
}

/// Whether every `when` guard of the policy holds, evaluated in order up to the first
/// that does not.
#[inline(always)]
fn guards_hold<'a>(machine: &mut Machine<'a>, program: &'a Program) -> Result<bool, Error> {
    for guard in &program.guards {
        let holds = machine
            .holds(&guard.condition)
            .and_then(|holds| limits::watch_halt().map(|()| holds))
            .map_err(|halt| halted(program, guard.span, "its `when` guard", &halt))?;
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Adds the outcomes of one rule, or gives the error of the limit it ran into.
#[inline(always)]
fn fire_rule<'a>(
    machine: &mut Machine<'a>,
    program: &'a Program,
    rule: &'a RuleProgram,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), Error> {
    fire(machine, program, rule, outcomes)
        .and_then(|()| limits::watch_halt())
        .map_err(|halt| {
            let what = format!("its {} rule at line {}", rule.verdict, rule.location.line);
            halted(program, rule.span, &what, &halt)
        })
}

/// Adds the outcomes of one rule: one when it has no `for` and its `if` holds (or it has
/// none), one per item passing `if` when it has a `for`.
fn fire<'a>(
    machine: &mut Machine<'a>,
    program: &'a Program,
    rule: &'a RuleProgram,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), Halt> {
    let Some(iterable) = &rule.each else {
        return fire_once(machine, program, rule, outcomes);
    };
    let items = machine.eval(iterable)?;
    for item in items.elements().into_iter().flatten() {
        fire_for(machine, program, rule, item, outcomes)?;
    }
    Ok(())
}

/// Adds the outcome of a rule with a `for` for one item, when the item passes its `if`.
#[inline(always)]
fn fire_for<'a>(
    machine: &mut Machine<'a>,
    program: &'a Program,
    rule: &'a RuleProgram,
    item: Value<'a>,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), Halt> {
    machine.budget.iterate()?;
    machine.locals.push(item);
    let fired = fire_once(machine, program, rule, outcomes);
    machine.locals.pop();
    fired
}

/// Adds the rule's outcome when its `if` holds, for the item in scope if it has a `for`.
/// Pushed where it is made: an `Option<Outcome>` in between was copied out of line for
/// every item, fired or not.
#[inline(always)]
fn fire_once<'a>(
    machine: &mut Machine<'a>,
    program: &'a Program,
    rule: &'a RuleProgram,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), Halt> {
    if holds(machine, rule)? {
        outcomes.push(outcome(machine, program, rule)?);
    }
    Ok(())
}

fn holds<'a>(machine: &mut Machine<'a>, rule: &'a RuleProgram) -> Result<bool, Halt> {
    match &rule.condition {
        Some(condition) => machine.holds(condition),
        None => Ok(true),
    }
}

pub(super) fn outcome<'a>(
    machine: &mut Machine<'a>,
    program: &'a Program,
    rule: &'a RuleProgram,
) -> Result<Outcome, Halt> {
    let message = match &rule.message {
        Some(node) => match machine.eval(node)? {
            Value::String(text) => Rc::try_unwrap(text).unwrap_or_else(|shared| shared.to_string()),
            other => render::interpolated(&other),
        },
        None => rule.default_message.clone(),
    };
    Ok(Outcome {
        verdict: rule.verdict,
        message,
        policy: program.name.clone(),
        rule: rule.name.clone(),
        source: rule.location.clone(),
        details: None,
    })
}

/// The error of an evaluation stopped by a limit: it names the policy and the rule, and
/// fails the gate closed.
pub(super) fn halted(program: &Program, span: Span, what: &str, halt: &Halt) -> Error {
    let mut diagnostic = Diagnostic::error(format!(
        "evaluation of policy `{}` stopped in {what}: it took {}",
        program.name,
        halt.describe()
    ))
    .with_label("stopped here")
    .with_help("a resource limit protects the gate from runaway policies; narrow the loop or the data it reads");
    if let Some(source) = &program.source {
        diagnostic = diagnostic.at(source, span);
    }
    Error::evaluation(diagnostic)
}

#[cfg(test)]
pub(crate) mod tests;
