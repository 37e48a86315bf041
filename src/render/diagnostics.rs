//! Diagnostics for people: `file:line:col`, the source line with a caret, and help.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

use termcolor::{Buffer, WriteColor};

use crate::diagnostic::{Diagnostic, DiagnosticRecord, Severity};
use crate::error::{Error, ErrorClass};

/// Draws diagnostics as text, with colour when `colour` is set.
pub fn to_text(diagnostics: &[Diagnostic], colour: bool) -> String {
    let mut buffer = if colour {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for diagnostic in diagnostics {
        write_one(&mut buffer, diagnostic);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn write_one(out: &mut dyn WriteColor, diagnostic: &Diagnostic) {
    let severity = match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
    };
    let help: Vec<String> = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {help}"))
        .collect();
    if let (Some(source), Some(span)) = (&diagnostic.source, diagnostic.span)
        && source.line_length(span.start) <= LONGEST_LINE_SHOWN
    {
        let file = SimpleFile::new(source.name.as_ref(), source.text.as_ref());
        let label = Label::primary((), span.start..span.end.max(span.start))
            .with_message(diagnostic.label.clone().unwrap_or_default());
        let report = Report::new(severity)
            .with_message(&diagnostic.message)
            .with_labels(vec![label])
            .with_notes(help.clone());
        if term::emit(out, &Config::default(), &file, &report).is_ok() {
            return;
        }
        // A span the renderer cannot draw falls through to the plain form rather than
        // losing the diagnostic.
    }
    let plain = Report::new(severity)
        .with_message(diagnostic.one_line())
        .with_notes(help);
    let nowhere = SimpleFile::new("", "");
    if term::emit(out, &Config::default(), &nowhere, &plain).is_err() {
        let _ = writeln!(out, "{}", diagnostic.one_line());
    }
}

/// The longest source line drawn under a diagnostic: a longer one (minified JSON) would
/// flood the terminal, and the `file:line:col` says where anyway. Policy lines are far
/// shorter (the Rego engine refuses lines past 1,024 columns).
const LONGEST_LINE_SHOWN: usize = 1024;

/// The class of an error as JSON output names it.
pub fn class_name(class: ErrorClass) -> &'static str {
    match class {
        ErrorClass::Usage => "usage",
        ErrorClass::Invalid => "invalid",
        ErrorClass::Unreadable => "unreadable",
        ErrorClass::Evaluation => "evaluation",
    }
}

/// An error as one JSON object: `{"error": {"class", "exit_code", "message", "diagnostics"}}`.
pub fn to_json(error: &Error) -> serde_json::Value {
    let records: Vec<DiagnosticRecord<'_>> = error
        .diagnostics
        .iter()
        .map(DiagnosticRecord::from)
        .collect();
    serde_json::json!({
        "error": {
            "class": class_name(error.class),
            "exit_code": crate::exit::Exit::Error(error.class).code(),
            "message": error.to_string(),
            "diagnostics": records,
        }
    })
}

/// What `verdict check -f json` prints for policies that load: `{"files", "warnings"}`,
/// each warning as `eval -f json` gives a diagnostic.
pub fn checked_json(files: usize, warnings: &[Diagnostic]) -> serde_json::Value {
    let records: Vec<DiagnosticRecord<'_>> = warnings.iter().map(DiagnosticRecord::from).collect();
    serde_json::json!({"files": files, "warnings": records})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    #[test]
    fn a_located_diagnostic_shows_the_line_and_a_caret() {
        let source = SourceFile::new("p.policy", "policy \"p\" {\n  deny if costt > 1\n}\n");
        let diagnostic = Diagnostic::error("unknown input field `costt`")
            .at(&source, Span::new(23, 28))
            .with_label("not a field of the input document")
            .with_help("did you mean `cost`?");
        let text = to_text(&[diagnostic], false);
        assert_eq!(
            text,
            "error: unknown input field `costt`\n  ┌─ p.policy:2:11\n  │\n2 │   deny if costt > 1\n  │           ^^^^^ not a field of the input document\n  │\n  = help: did you mean `cost`?\n\n"
        );
    }

    #[test]
    fn a_long_line_is_named_not_drawn() {
        let line = format!("{{\"a\": [{}]}}", "1, ".repeat(1000));
        assert!(line.len() > LONGEST_LINE_SHOWN);
        let source = SourceFile::new("input.json", format!("\n{line}\n"));
        let diagnostic = Diagnostic::error("trailing comma").at(&source, Span::new(2500, 2501));
        let text = to_text(&[diagnostic], false);
        assert_eq!(text, "error: input.json:2:2500: trailing comma\n\n");
        let short = SourceFile::new("input.json", "{\"a\": 1,}\n");
        let diagnostic = Diagnostic::error("trailing comma").at(&short, Span::new(8, 9));
        assert!(to_text(&[diagnostic], false).contains("{\"a\": 1,}"));
    }

    #[test]
    fn an_unlocated_diagnostic_names_the_file_and_the_help() {
        let diagnostic = Diagnostic::error("cannot read `x.rego`: permission denied")
            .in_file("x.rego")
            .with_help("check the file's permissions");
        let text = to_text(&[diagnostic], false);
        assert_eq!(
            text,
            "error: cannot read `x.rego`: permission denied\n = help: check the file's permissions\n\n"
        );
    }
}
