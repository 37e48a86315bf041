//! Tests of the policy language's semantics (SPEC 4), written as policy source text and
//! grouped by the sentence of the SPEC they check. Cases are one line through the helpers
//! below, in the manner of `eval("1 + 2", json!({}))`.

mod bench;
mod builtins;
mod explain;
mod expressions;
mod hostile;
mod limits;
mod rules;
pub(crate) mod spec_example;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use crate::decision::Outcome;
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{File, Item, PolicyBlock};
use crate::dsl::compile::{CompiledPolicy, lower_policy};
use crate::dsl::eval::Limits;
use crate::dsl::eval::machine::Machine;
use crate::dsl::eval::program::Explainers;
use crate::dsl::eval::render::{interpolated, to_json};
use crate::dsl::parse::parse;
use crate::source::SourceFile;

/// The evaluation time of every test: SPEC 2.2's `now`.
pub(crate) const NOW: &str = "2026-11-21T10:00:00Z";

pub(crate) fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW).unwrap().to_utc()
}

pub(crate) fn source(text: &str) -> Arc<SourceFile> {
    SourceFile::new("test.policy", text)
}

#[track_caller]
pub(crate) fn parsed(source: &Arc<SourceFile>) -> File {
    parse(source).unwrap_or_else(|errors| panic!("does not parse: {}", lines(&errors).join("\n")))
}

#[track_caller]
fn first_policy(file: &File) -> &PolicyBlock {
    match file.items.first() {
        Some(Item::Policy(block)) => block,
        other => panic!("not a policy: {other:?}"),
    }
}

/// Diagnostics as `line:col: severity: message (help)`.
pub(crate) fn lines(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let location = diagnostic
                .location()
                .map_or(String::new(), |at| format!("{}:{}: ", at.line, at.column));
            let severity = format!("{:?}", diagnostic.severity).to_lowercase();
            let help = diagnostic
                .help
                .as_ref()
                .map_or(String::new(), |help| format!(" ({help})"));
            format!("{location}{severity}: {}{help}", diagnostic.message)
        })
        .collect()
}

/// Runs `f` on the value of an expression (a `let` of a policy) over an input.
#[track_caller]
fn with_value<T>(
    expr: &str,
    input: &Json,
    f: impl FnOnce(&crate::dsl::eval::value::Value<'_>) -> T,
) -> T {
    let source = source(&format!("policy \"t\" {{\n  let value = {expr}\n}}\n"));
    let file = parsed(&source);
    let (program, diagnostics) = lower_policy(
        first_policy(&file),
        &source,
        &Limits::default(),
        Explainers::Skip,
    );
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .cloned()
        .collect();
    assert!(errors.is_empty(), "{expr}: {:?}", lines(&errors));
    let arena = crate::document::Arena::new();
    let input = crate::document::Document::from_json(input, &arena);
    let mut machine = Machine::new(&program, &input, now(), &Limits::default());
    let value = machine
        .eval(&program.lets[0])
        .unwrap_or_else(|halt| panic!("{expr}: halted: {halt:?}"));
    f(&value)
}

/// The value of an expression over an input, as JSON (times and durations as strings).
#[track_caller]
pub(crate) fn eval(expr: &str, input: Json) -> Json {
    with_value(expr, &input, to_json)
}

/// The value of an expression as `${...}` shows it.
#[track_caller]
pub(crate) fn shown(expr: &str, input: Json) -> String {
    with_value(expr, &input, interpolated)
}

#[track_caller]
pub(crate) fn compiled(policy: &str) -> CompiledPolicy {
    let source = source(policy);
    let file = parsed(&source);
    CompiledPolicy::compile(first_policy(&file), &source)
        .unwrap_or_else(|errors| panic!("does not compile: {:?}", lines(&errors)))
}

/// The outcomes of a policy over an input.
#[track_caller]
pub(crate) fn outcomes(policy: &str, input: Json) -> Vec<Outcome> {
    compiled(policy)
        .evaluate(&input, now())
        .unwrap_or_else(|error| panic!("failed: {error}"))
}

/// The outcomes of a policy over an input, as `verdict: message`.
#[track_caller]
pub(crate) fn fires(policy: &str, input: Json) -> Vec<String> {
    outcomes(policy, input)
        .iter()
        .map(|outcome| format!("{}: {}", outcome.verdict, outcome.message))
        .collect()
}

/// The messages of a one-rule policy `deny "..." <rule>` over an input: one per firing.
#[track_caller]
pub(crate) fn fires_rule(rule: &str, input: Json) -> usize {
    outcomes(&format!("policy \"t\" {{\n  deny {rule}\n}}\n"), input).len()
}

/// Whether `deny if CONDITION` fires.
#[track_caller]
pub(crate) fn holds(condition: &str, input: Json) -> bool {
    fires_rule(&format!("if {condition}"), input) == 1
}

/// The diagnostics of `verdict check` on a file.
#[track_caller]
pub(crate) fn check(text: &str) -> Vec<String> {
    let source = source(text);
    lines(&crate::dsl::check::check(&parsed(&source), &source))
}
