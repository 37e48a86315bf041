//! A bound on bracket nesting, checked before the engine parses a file. The engine's
//! parser first tries every `[` and `{` as a comprehension and, when that fails, parses
//! it again as a literal, so its time doubles with each level: twenty levels take
//! minutes, and sixteen broken ones seconds. Real policies nest half as deep at most.

use std::sync::Arc;

use super::scan::{self, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// The deepest nesting of `[` and `{` (rule bodies included) a Rego file may use.
pub const MAX_BRACKET_NESTING: usize = 12;

/// The error for the first bracket that opens a level beyond the limit, if any.
pub fn too_deep(source: &Arc<SourceFile>) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for token in scan::tokenize(&source.text) {
        if token.kind != TokenKind::Punct {
            continue;
        }
        match token.text(&source.text) {
            "[" | "{" => depth += 1,
            "]" | "}" => depth = depth.saturating_sub(1),
            _ => continue,
        }
        if depth > MAX_BRACKET_NESTING {
            return Some(
                Diagnostic::error(format!(
                    "brackets nested deeper than {MAX_BRACKET_NESTING} levels"
                ))
                .at(source, Span::new(token.start, token.end))
                .with_help(
                    "name the inner parts with rules or local variables; deeper nesting is refused to keep loading bounded",
                ),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> Arc<SourceFile> {
        let value = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        SourceFile::new("p.rego", format!("package p\n\nx := {value}\n"))
    }

    #[test]
    fn nesting_up_to_the_limit_is_accepted() {
        assert!(too_deep(&nested(MAX_BRACKET_NESTING)).is_none());
        let error = too_deep(&nested(MAX_BRACKET_NESTING + 1)).unwrap();
        assert_eq!(error.span, Some(Span::new(28, 29)));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!(
            "package p\n# {}\nx := \"{}\"\n",
            "[".repeat(40),
            "{".repeat(40)
        );
        assert!(too_deep(&SourceFile::new("p.rego", text)).is_none());
    }
}
