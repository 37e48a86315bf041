//! Parsing `.policy` files: source text to the syntax tree of [`crate::dsl::ast`], or
//! diagnostics that say what is wrong and where.
//!
//! Three passes: [`scan`] reads the raw text for comments, strings and brackets (and
//! refuses nesting too deep to parse safely); the `pest` grammar in `grammar/policy.pest`
//! checks the syntax; the lowering turns the parse tree into the syntax tree, collecting
//! every problem it finds rather than stopping at the first.

use std::sync::Arc;

use pest::Parser;

use crate::diagnostic::Diagnostic;
use crate::dsl::ast;
use crate::source::SourceFile;

mod literal;
mod lower;
mod lower_expr;
mod scan;
mod syntax_error;
mod tree;

#[cfg(test)]
mod tests;

/// The deepest nesting of brackets, braces, parentheses and `${...}` a file may use.
pub const MAX_NESTING: usize = 64;

/// The deepest expression tree the parser builds; code that walks expressions recursively
/// can rely on it.
pub const MAX_EXPRESSION_DEPTH: usize = 256;

/// The parser generated from the grammar.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/policy.pest"]
struct PolicyParser;

/// Parses a `.policy` file. Every problem found is a diagnostic pointing into `source`.
pub fn parse(source: &Arc<SourceFile>) -> Result<ast::File, Vec<Diagnostic>> {
    let comments = scan::scan(source).map_err(|diagnostic| vec![*diagnostic])?;
    let tree = PolicyParser::parse(Rule::file, &source.text)
        .map_err(|error| vec![syntax_error::diagnose(source, &comments, &error)])?;
    lower::file(source, tree, comments)
}

/// Whether `text` reads as one bare number-or-duration token (`4h`, `1h30m`), so that a
/// printer may write it without quotes and read the same text back.
pub fn is_bare_duration(text: &str) -> bool {
    PolicyParser::parse(Rule::numeric, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|pair| pair.as_str().len() == text.len())
}
