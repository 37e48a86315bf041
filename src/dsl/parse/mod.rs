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
use crate::source::{SourceFile, Span};

mod cache;
mod literal;
mod lower;
mod lower_expr;
mod scan;
mod syntax_error;
mod tree;

pub use cache::ParseCache;

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

/// What a parse does with `test` blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TestBlocks {
    /// Parse them like the rest of the file.
    #[default]
    Read,
    /// Leave them out of the syntax tree, unparsed: deciding never needs them, and in the
    /// shipped policy sets they are half the text. The scan still checks their strings and
    /// brackets; `verdict test` and `verdict check` read them whole.
    Skip,
}

/// Parses a `.policy` file. Every problem found is a diagnostic pointing into `source`.
pub fn parse(source: &Arc<SourceFile>) -> Result<ast::File, Vec<Diagnostic>> {
    parse_with(source, TestBlocks::Read)
}

/// Parses a `.policy` file, reading or skipping its `test` blocks.
pub fn parse_with(
    source: &Arc<SourceFile>,
    tests: TestBlocks,
) -> Result<ast::File, Vec<Diagnostic>> {
    let scanned = scan::scan(source).map_err(|diagnostic| vec![*diagnostic])?;
    let without_tests = match tests {
        TestBlocks::Skip => without_tests(&source.text, &scanned.test_blocks),
        TestBlocks::Read => None,
    };
    let (rule, text) = match &without_tests {
        Some(text) => (Rule::file_without_tests, text.as_str()),
        None => (Rule::file, &*source.text),
    };
    let tree = PolicyParser::parse(rule, text)
        .map_err(|error| vec![syntax_error::diagnose(source, &scanned.comments, &error)])?;
    lower::file(source, tree, scanned.comments)
}

/// `text` with each of `spans` replaced by `\u{1}`, blanks (line breaks kept) and `\u{2}`,
/// so that what remains keeps its offsets, lines and columns; `None` when there is nothing
/// to replace or the text itself holds one of the two markers.
fn without_tests(text: &str, spans: &[Span]) -> Option<String> {
    if spans.is_empty() || text.bytes().any(|byte| byte == 1 || byte == 2) {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let range = bytes.get_mut(span.start..span.end)?;
        for byte in range.iter_mut().filter(|byte| **byte != b'\n') {
            *byte = b' ';
        }
        // Each span starts at the keyword `test` and ends at its block's `}`.
        *range.first_mut()? = 1;
        *range.last_mut()? = 2;
    }
    // Whole characters were replaced, each byte by an ASCII one: still UTF-8.
    String::from_utf8(bytes).ok()
}

/// Whether `text` reads as one bare number-or-duration token (`4h`, `1h30m`), so that a
/// printer may write it without quotes and read the same text back.
pub fn is_bare_duration(text: &str) -> bool {
    PolicyParser::parse(Rule::numeric, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|pair| pair.as_str().len() == text.len())
}
