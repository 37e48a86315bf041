//! The canonical layout of `.policy` files (`verdict fmt`): two-space indentation, one
//! statement a line, a blank line between blocks, spacing normalised around operators,
//! strings escaped one way, comments kept where they were.
//!
//! Formatting never changes meaning: the author's parentheses stay, and the tree read back
//! from the output equals the tree of the input, spans aside. Layout choices the author
//! made by breaking lines are kept: a rule's `for` and `if` on continuation lines, and
//! arrays and objects written one entry a line. Rules in a run of single-line rules are
//! aligned in columns. Formatting formatted text changes nothing.

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{Expr, File};
use crate::dsl::parse::parse;
use crate::source::SourceFile;

mod expr;
mod layout;
mod printer;
mod strip;

#[cfg(test)]
mod tests;

use printer::Printer;
pub use strip::{strip_expr, strip_spans};

/// The canonical text of a `.policy` file, its comments kept; the parse errors when it
/// does not parse.
pub fn format(source: &Arc<SourceFile>) -> Result<String, Vec<Diagnostic>> {
    let file = parse(source)?;
    let mut printer = Printer::new(&source.text, &file.comments);
    printer.file(&file);
    Ok(printer.finish())
}

/// The canonical text of a syntax tree built without a source (comments are left out):
/// everything that can stand on one line does.
pub fn print_file(file: &File) -> String {
    let mut printer = Printer::new("", &[]);
    printer.file(file);
    printer.finish()
}

/// An expression on one line, as the formatter writes it: for messages that quote
/// policy code.
pub fn print_expr(expr: &Expr) -> String {
    let mut printer = Printer::flat();
    printer.expr(expr);
    printer.line_text().to_string()
}

/// The width in characters of an expression printed on one line.
fn flat_width(expr: &Expr) -> usize {
    print_expr(expr).chars().count()
}
