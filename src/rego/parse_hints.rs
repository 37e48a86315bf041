//! A clearer report for two mistakes the engine's parser places badly: a bracket left open
//! and an operator with nothing after it. The engine tries a rule body as a query and then
//! as a set literal, and reports where its last try gave up (`expecting `}` while parsing
//! set`, at the line's `:=` rather than at the mistake). Looked for only in a file the
//! engine could not parse, and only in forms no valid file has.

use std::sync::Arc;

use super::scan::{self, Token, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// Characters that end an operator which needs a right-hand side: `+`, `:=`, `==`, `!=`,
/// `<=`, `|` and the like.
const NEEDS_OPERAND: [&str; 10] = ["+", "-", "*", "/", "%", "|", "&", "=", "<", ">"];

/// The first bracket left open or closed wrongly, else the first operator that nothing can
/// follow as its operand; `None` when neither is in the file.
pub fn problem(source: &Arc<SourceFile>) -> Option<Diagnostic> {
    let tokens = scan::tokenize(&source.text);
    let significant: Vec<&Token> = scan::significant(&tokens).collect();
    // A template string (`$"{concat("(", xs)}"`) holds strings inside a string, which the
    // tokenizer does not follow: its brackets and operators cannot be told apart.
    let templated = significant.windows(2).any(|pair| {
        matches!(pair, [dollar, string] if dollar.text(&source.text) == "$"
            && string.kind == TokenKind::String
            && dollar.end == string.start)
    });
    if templated {
        return None;
    }
    unbalanced(source, &significant).or_else(|| missing_operand(source, &significant))
}

fn unbalanced(source: &Arc<SourceFile>, tokens: &[&Token]) -> Option<Diagnostic> {
    let text = source.text.as_ref();
    let mut open: Vec<(&Token, &str)> = Vec::new();
    for &token in tokens.iter().filter(|token| token.kind == TokenKind::Punct) {
        let punct = token.text(text);
        if let Some(closer) = closer_of(punct) {
            open.push((token, closer));
            continue;
        }
        if !matches!(punct, ")" | "]" | "}") {
            continue;
        }
        match open.pop() {
            Some((_, expected)) if expected == punct => {}
            Some((opener, expected)) => {
                return Some(never_closed(source, opener, expected).with_help(format!(
                    "close it with `{expected}` before the `{punct}` on line {}",
                    token.line
                )));
            }
            None => {
                return Some(
                    Diagnostic::error(format!("`{punct}` closes nothing"))
                        .at(source, Span::new(token.start, token.end))
                        .with_label("no bracket is open here")
                        .with_help("remove it, or open the bracket it was meant to close"),
                );
            }
        }
    }
    let (opener, expected) = open.pop()?;
    Some(never_closed(source, opener, expected).with_help(format!("close it with `{expected}`")))
}

fn closer_of(punct: &str) -> Option<&'static str> {
    match punct {
        "(" => Some(")"),
        "[" => Some("]"),
        "{" => Some("}"),
        _ => None,
    }
}

fn never_closed(source: &Arc<SourceFile>, opener: &Token, expected: &str) -> Diagnostic {
    let punct = opener.text(&source.text);
    Diagnostic::error(format!("`{punct}` is never closed"))
        .at(source, Span::new(opener.start, opener.end))
        .with_label(format!("opened here; no `{expected}` matches it"))
}

fn missing_operand(source: &Arc<SourceFile>, tokens: &[&Token]) -> Option<Diagnostic> {
    let text = source.text.as_ref();
    // What follows an operator that cannot be its operand: a closing bracket, the end of
    // the file, or, on a later line, the start of an assignment (`msg := ...`), which no
    // operand can be (a comprehension's `|` is followed by its body, which may be one).
    let no_operand = |operator: &Token, next: &[&Token]| match next {
        [] => true,
        [closer, ..] if matches!(closer.text(text), ")" | "]" | "}") => true,
        [name, colon, equals, ..] => {
            operator.text(text) != "|"
                && name.line > operator.line
                && name.kind == TokenKind::Ident
                && colon.text(text) == ":"
                && equals.text(text) == "="
                && colon.end == equals.start
        }
        _ => false,
    };
    let at = tokens.iter().enumerate().position(|(index, token)| {
        token.kind == TokenKind::Punct
            && NEEDS_OPERAND.contains(&token.text(text))
            && no_operand(token, tokens.get(index + 1..).unwrap_or_default())
    })?;
    let last = tokens.get(at)?;
    // A two-character operator (`:=`, `==`, `<=`) is shown whole.
    let first = at
        .checked_sub(1)
        .and_then(|before| tokens.get(before))
        .filter(|before| {
            before.end == last.start && matches!(before.text(text), ":" | "=" | "!" | "<" | ">")
        })
        .unwrap_or(last);
    let operator = text.get(first.start..last.end).unwrap_or("");
    Some(
        Diagnostic::error(format!("expected an expression after `{operator}`"))
            .at(source, Span::new(first.start, last.end))
            .with_label("nothing follows this operator")
            .with_help("finish the expression, or remove the operator"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "package p\nimport rego.v1\n\ndeny contains msg if {\n";

    fn found(body: &str) -> Option<(String, Option<Span>, Option<String>)> {
        let source = SourceFile::new("p.rego", format!("{HEAD}{body}\n}}\n"));
        problem(&source).map(|diagnostic| (diagnostic.message, diagnostic.span, diagnostic.help))
    }

    /// The span of `part` found at its first place in `body`, as an offset into the file.
    fn span_of(body: &str, part: &str) -> Option<Span> {
        let start = HEAD.len() + body.find(part)?;
        Some(Span::new(start, start + part.len()))
    }

    #[test]
    fn a_bracket_left_open_is_reported_where_it_opens() {
        let body = "  msg := sprintf(\"%s\", [input.a]";
        let (message, span, help) = found(body).unwrap();
        assert_eq!(message, "`(` is never closed");
        assert_eq!(span, span_of(body, "("));
        assert_eq!(
            help.as_deref(),
            Some("close it with `)` before the `}` on line 6")
        );
    }

    #[test]
    fn a_stray_closer_and_an_unclosed_body_are_reported() {
        let source = SourceFile::new("p.rego", "package p\nx := 1)\n");
        let diagnostic = problem(&source).unwrap();
        assert_eq!(diagnostic.message, "`)` closes nothing");
        let source = SourceFile::new("p.rego", "package p\nallow if {\n  true\n");
        let diagnostic = problem(&source).unwrap();
        assert_eq!(diagnostic.message, "`{` is never closed");
        assert_eq!(diagnostic.span, Some(Span::new(19, 20)));
    }

    #[test]
    fn an_operator_with_no_operand_after_it_is_reported_whole() {
        let body = "  msg := \"x\" +";
        let (message, span, _) = found(body).unwrap();
        assert_eq!(message, "expected an expression after `+`");
        assert_eq!(span, span_of(body, "+"));
        let (message, span, _) = found("  msg :=").unwrap();
        assert_eq!(message, "expected an expression after `:=`");
        assert_eq!(span, span_of("  msg :=", ":="));
        let (message, _, _) = found("  input.a ==").unwrap();
        assert_eq!(message, "expected an expression after `==`");
        let body = "  input.a ==\n  msg := \"x\"";
        let (message, span, _) = found(body).unwrap();
        assert_eq!(message, "expected an expression after `==`");
        assert_eq!(span, span_of(body, "=="));
    }

    #[test]
    fn a_file_with_template_strings_is_left_to_the_engine() {
        assert_eq!(found("  msg := $\"{concat(\"(\", [\"a\"])}\""), None);
    }

    #[test]
    fn brackets_and_operators_in_strings_and_comments_are_not_looked_at() {
        assert_eq!(found("  msg := \"(+\" # [ -"), None);
        assert_eq!(found("  msg := `{\n=`"), None);
        assert_eq!(
            found("  x := [1, 2,]\n  msg := sprintf(\"%d\", [count(x)])"),
            None
        );
        // An operand on the next line is one, and a comprehension's body follows its `|`.
        assert_eq!(
            found("  x := 1 +\n    2\n  msg := sprintf(\"%d\", [x])"),
            None
        );
        assert_eq!(
            found("  xs := [y |\n    y := input.a\n  ]\n  msg := \"x\""),
            None
        );
    }
}
