//! Diagnostics as data: what went wrong, where, and what to do about it.
//!
//! Every module reports problems as [`Diagnostic`]s; they are drawn for people
//! (`file:line:col`, the source line and a caret) or serialised for machines only at
//! the edge, in [`crate::render`].

use std::sync::Arc;

use serde::Serialize;

use crate::source::{Location, SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with the place it was found when that is known.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One line, lowercase, no final period, user input in backticks.
    pub message: String,
    /// The file the problem is in, when it is about a file.
    pub path: Option<Arc<str>>,
    /// The file's text, when it could be read, so the line can be shown.
    pub source: Option<Arc<SourceFile>>,
    pub span: Option<Span>,
    /// A short note drawn under the caret.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            path: None,
            source: None,
            span: None,
            label: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Points the diagnostic at a file without a position in it.
    pub fn in_file(mut self, path: impl Into<Arc<str>>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// Points the diagnostic at a span of a source file.
    pub fn at(mut self, source: &Arc<SourceFile>, span: Span) -> Diagnostic {
        self.path = Some(source.name.clone());
        self.source = Some(source.clone());
        self.span = Some(span);
        self
    }

    /// Points the diagnostic at a 1-based line and column of a source file; falls back to
    /// the file alone when the position is not in it.
    pub fn at_line_column(self, source: &Arc<SourceFile>, line: u32, column: u32) -> Diagnostic {
        match source.offset_of(line, column) {
            Some(offset) => {
                let end = next_char_boundary(&source.text, offset);
                self.at(source, Span::new(offset, end))
            }
            None => {
                let mut located = self.in_file(source.name.clone());
                located.source = Some(source.clone());
                located
            }
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col` when the position is known.
    pub fn location(&self) -> Option<Location> {
        let source = self.source.as_ref()?;
        let span = self.span?;
        Some(source.location(span.start))
    }

    /// The diagnostic as one line of plain text: `file:line:col: message` (the file is left
    /// out when the message already names it).
    pub fn one_line(&self) -> String {
        match (self.location(), &self.path) {
            (Some(location), _) => format!("{location}: {}", self.message),
            (None, Some(path)) if !self.message.contains(&format!("`{path}`")) => {
                format!("{path}: {}", self.message)
            }
            (None, _) => self.message.clone(),
        }
    }
}

fn next_char_boundary(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8())
}

/// The machine-readable form of a diagnostic, as it appears in JSON output.
#[derive(Serialize)]
pub struct DiagnosticRecord<'a> {
    pub severity: Severity,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for DiagnosticRecord<'a> {
    fn from(diagnostic: &'a Diagnostic) -> Self {
        let location = diagnostic.location();
        DiagnosticRecord {
            severity: diagnostic.severity,
            message: &diagnostic.message,
            file: diagnostic.path.as_deref(),
            line: location.as_ref().map(|l| l.line),
            column: location.as_ref().map(|l| l.column),
            help: diagnostic.help.as_deref(),
        }
    }
}
