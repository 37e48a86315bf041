//! Tests of the formatter: layouts by construct, comments, and the promise that formatting
//! never changes meaning and is idempotent.

use crate::dsl::format::{format, strip_spans};
use crate::dsl::parse::parse;
use crate::source::SourceFile;

mod comments;
mod generate;
mod layout;
mod meaning;

/// The formatted text of a source, which must parse.
#[track_caller]
pub(crate) fn formatted(text: &str) -> String {
    match format(&SourceFile::new("test.policy", text)) {
        Ok(output) => output,
        Err(errors) => panic!(
            "{text:?} did not parse: {}",
            errors
                .iter()
                .map(|e| e.one_line())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// Asserts that `input` formats to `expected`, that `expected` is already formatted, and
/// that both mean the same.
#[track_caller]
pub(crate) fn formats(input: &str, expected: &str) {
    let output = formatted(input);
    assert_eq!(output, expected, "\ninput:\n{input}");
    assert_eq!(formatted(&output), output, "formatting is not idempotent");
    assert_same_meaning(input, &output);
}

/// Asserts that formatted text is left as it is.
#[track_caller]
pub(crate) fn unchanged(text: &str) {
    formats(text, text);
}

/// Asserts that two sources parse to the same tree, spans aside.
#[track_caller]
pub(crate) fn assert_same_meaning(original: &str, formatted: &str) {
    let mut before = parse(&SourceFile::new("a.policy", original)).unwrap();
    let mut after = parse(&SourceFile::new("b.policy", formatted)).unwrap();
    strip_spans(&mut before);
    strip_spans(&mut after);
    assert_eq!(
        before, after,
        "\nformatting changed the meaning of:\n{original}\ninto:\n{formatted}"
    );
}
