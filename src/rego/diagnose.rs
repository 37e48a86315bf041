//! Turns the engine's errors, plain text with the place baked in, back into diagnostics
//! that point into the files on disk.

use std::sync::Arc;

use super::rewrite::EditedText;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// A file as the engine holds it: the text on disk and the edited text it parsed.
#[derive(Debug)]
pub struct EngineFile {
    pub source: Arc<SourceFile>,
    pub edited: EditedText,
}

impl EngineFile {
    /// The span in the file on disk of a 1-based line and column of the edited text.
    fn span_at(&self, line: u32, column: u32) -> Option<Span> {
        let edited = if self.edited.is_unchanged() {
            self.source.offset_of(line, column)?
        } else {
            let lines = SourceFile::new(self.source.name.clone(), self.edited.text.as_str());
            lines.offset_of(line, column)?
        };
        let start = self.edited.original_offset(edited);
        let end = self
            .source
            .text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(start, |c| start + c.len_utf8());
        Some(Span::new(start, end))
    }
}

/// What an engine error says: where, when it says so, and what.
#[derive(Debug, PartialEq, Eq)]
pub struct EngineMessage {
    pub place: Option<(String, u32, u32)>,
    pub message: String,
}

/// Reads the engine's `--> file:line:col ... error: message` text. Nested errors (an error
/// inside a function called from a rule) carry several places: the innermost, last, is
/// the one that explains.
pub fn read(text: &str) -> EngineMessage {
    let place = text
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--> "))
        .filter_map(parse_place)
        .next_back();
    let message = match text.rfind("error: ") {
        Some(at) => text.get(at + "error: ".len()..).unwrap_or(text),
        None => text,
    };
    let message = message
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("the policy engine failed without saying why");
    EngineMessage {
        place,
        message: tidy(message),
    }
}

fn parse_place(place: &str) -> Option<(String, u32, u32)> {
    let (rest, column) = place.trim().rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    Some((file.to_string(), line.parse().ok()?, column.parse().ok()?))
}

/// Messages follow verdict's style: no final period, no leading capital unless a name.
fn tidy(message: &str) -> String {
    // The engine appends its internal state to some messages: `(path [...], scopes [...])`.
    let message = message.split(" (path [").next().unwrap_or(message);
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match (chars.next(), chars.clone().next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => message.to_string(),
    }
}

/// A diagnostic for an engine error, pointing into the file on disk when the engine said
/// where.
pub fn diagnostic(files: &[EngineFile], error: &anyhow::Error, context: &str) -> Diagnostic {
    let read = read(&format!("{error}"));
    let message = if context.is_empty() {
        read.message
    } else {
        format!("{context}: {}", read.message)
    };
    let diagnostic = Diagnostic::error(message);
    let Some((name, line, column)) = read.place else {
        return diagnostic;
    };
    match files.iter().find(|file| *file.source.name == *name) {
        Some(file) => match file.span_at(line, column) {
            Some(span) => diagnostic.at(&file.source, span),
            None => diagnostic.at_line_column(&file.source, line, column),
        },
        None => diagnostic.in_file(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_place_and_message() {
        let text = "\n--> p.rego:3:10\n  |\n3 | g(x) = y { y := x }\n  |          ^\nerror: `if` keyword is required before rule body";
        let read = read(text);
        assert_eq!(read.place, Some(("p.rego".to_string(), 3, 10)));
        assert_eq!(read.message, "`if` keyword is required before rule body");
    }

    #[test]
    fn nested_errors_keep_the_innermost_place() {
        let text = "\n--> a.rego:9:3\n  |\n9 | f(1)\n  |   ^\nerror: \n--> b.rego:2:5\n  |\n2 | x / 0\n  |     ^\nerror: Division by zero.";
        let read = read(text);
        assert_eq!(read.place, Some(("b.rego".to_string(), 2, 5)));
        assert_eq!(read.message, "division by zero");
    }

    #[test]
    fn windows_style_names_with_colons_still_split() {
        assert_eq!(
            parse_place("C:/p/a.rego:4:2"),
            Some(("C:/p/a.rego".to_string(), 4, 2))
        );
    }
}
