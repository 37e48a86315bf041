//! Tests of the parser, grouped by grammar rule. Cases are one line each, through the
//! helpers below; the tree is shown as s-expressions (see [`sexp`]).

use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{File, Item, Statement};
use crate::source::SourceFile;

mod errors;
mod expressions;
mod robustness;
pub(crate) mod sexp;
mod skipping;
mod spec;
mod statements;

pub(crate) fn parse_text(text: &str) -> Result<File, Vec<Diagnostic>> {
    super::parse(&SourceFile::new("test.policy", text))
}

/// Asserts that a whole file parses to the given tree.
#[track_caller]
pub(crate) fn parses_to(text: &str, expected: &str) {
    match parse_text(text) {
        Ok(file) => assert_eq!(sexp::file(&file), expected, "\nsource:\n{text}"),
        Err(errors) => panic!("{text:?} did not parse:\n{}", render(&errors)),
    }
}

/// Asserts that an expression (read as a policy's `when` guard) parses to the given tree.
#[track_caller]
pub(crate) fn expr(text: &str, expected: &str) {
    let source = format!("policy \"p\" {{\n  when {text}\n}}\n");
    let file = match parse_text(&source) {
        Ok(file) => file,
        Err(errors) => panic!("{text:?} did not parse:\n{}", render(&errors)),
    };
    match file.items.as_slice() {
        [Item::Policy(policy)] => match policy.statements.as_slice() {
            [Statement::When { condition, .. }] => {
                assert_eq!(sexp::expr(condition), expected, "\nexpression: {text}")
            }
            other => panic!("{text:?} parsed as several statements: {other:?}"),
        },
        other => panic!("unexpected items {other:?}"),
    }
}

/// The rendered errors of a file that must not parse.
#[track_caller]
pub(crate) fn errors_of(text: &str) -> String {
    match parse_text(text) {
        Ok(file) => panic!("{text:?} parsed, to:\n{}", sexp::file(&file)),
        Err(errors) => render(&errors),
    }
}

/// Asserts that an expression (read as a `when` guard) is rejected with this first line.
#[track_caller]
pub(crate) fn expr_error(text: &str, expected: &str) {
    let rendered = errors_of(&format!("policy \"p\" {{\n  when {text}\n}}\n"));
    let first = rendered.lines().next().unwrap_or("");
    assert_eq!(first, expected, "\nexpression: {text}\nerrors:\n{rendered}");
}

/// Diagnostics as `file:line:col: message`, with the label and help indented below.
pub(crate) fn render(errors: &[Diagnostic]) -> String {
    let mut out = String::new();
    for error in errors {
        out.push_str(&error.one_line());
        out.push('\n');
        if let Some(label) = &error.label {
            out.push_str(&format!("  label: {label}\n"));
        }
        if let Some(help) = &error.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    out
}
