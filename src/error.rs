//! The library's error: a class that decides the exit code, and the diagnostics behind it.

use std::fmt;

use crate::diagnostic::Diagnostic;

/// What kind of failure an error is; each class has one exit code (SPEC 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// A bad flag or flag value (64).
    Usage,
    /// Invalid input or policy: JSON, syntax, schema, type (65).
    Invalid,
    /// A named file or directory cannot be read (66).
    Unreadable,
    /// An evaluation or internal error (70).
    Evaluation,
}

/// A failure with everything known about it. Loading collects every problem it finds,
/// so one error can carry many diagnostics.
#[derive(Debug, Clone)]
pub struct Error {
    pub class: ErrorClass,
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    pub fn new(class: ErrorClass, diagnostic: Diagnostic) -> Error {
        Error {
            class,
            diagnostics: vec![diagnostic],
        }
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorClass::Usage, Diagnostic::error(message))
    }

    pub fn invalid(diagnostic: Diagnostic) -> Error {
        Error::new(ErrorClass::Invalid, diagnostic)
    }

    pub fn unreadable(diagnostic: Diagnostic) -> Error {
        Error::new(ErrorClass::Unreadable, diagnostic)
    }

    pub fn evaluation(diagnostic: Diagnostic) -> Error {
        Error::new(ErrorClass::Evaluation, diagnostic)
    }

    /// An error of a file that cannot be read; the message says why.
    pub fn io(path: &str, error: &std::io::Error) -> Error {
        Error::unreadable(
            Diagnostic::error(format!("cannot read `{path}`: {}", io_reason(error))).in_file(path),
        )
    }

    /// A file that cannot be written (class unreadable: exit 66).
    pub fn cannot_write(path: &str, error: &std::io::Error) -> Error {
        Error::unreadable(
            Diagnostic::error(format!("cannot write `{path}`: {}", io_reason(error))).in_file(path),
        )
    }

    /// Merges several errors into one; the class is the one whose exit code a user most
    /// needs to see (an unreadable file over an invalid one over an evaluation failure).
    pub fn merge(errors: Vec<Error>) -> Option<Error> {
        let class = ErrorClass::most_urgent(errors.iter().map(|error| error.class))?;
        let diagnostics = errors
            .into_iter()
            .flat_map(|error| error.diagnostics)
            .collect();
        Some(Error { class, diagnostics })
    }
}

impl ErrorClass {
    /// The class whose exit code a user most needs to see among several: a usage error
    /// over an unreadable file over an invalid one over an evaluation failure.
    pub fn most_urgent(classes: impl Iterator<Item = ErrorClass>) -> Option<ErrorClass> {
        classes.min_by_key(|class| match class {
            ErrorClass::Usage => 0,
            ErrorClass::Unreadable => 1,
            ErrorClass::Invalid => 2,
            ErrorClass::Evaluation => 3,
        })
    }
}

/// The reason of an I/O error without the `(os error N)` noise.
pub fn io_reason(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "it is a directory".to_string(),
        ErrorKind::InvalidData => "it is not valid UTF-8".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(at) => text.get(..at).unwrap_or(&text).to_lowercase(),
                None => text,
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.first() {
            Some(first) => f.write_str(&first.one_line())?,
            None => f.write_str("unknown error")?,
        }
        if self.diagnostics.len() > 1 {
            write!(f, " (and {} more)", self.diagnostics.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
