//! Writing to stdout and stderr: colour decisions, a closed pipe, and errors as
//! diagnostics.

use std::io::Write;

use super::args::ColourChoice;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::exit::Exit;
use crate::render;

/// Whether each stream gets colour.
#[derive(Clone, Copy, Debug)]
pub struct Colour {
    pub stdout: bool,
    pub stderr: bool,
}

impl Colour {
    pub fn from_choice(choice: ColourChoice) -> Colour {
        match choice {
            ColourChoice::Always => {
                let allowed = !render::no_color();
                Colour {
                    stdout: allowed,
                    stderr: allowed,
                }
            }
            ColourChoice::Never => Colour {
                stdout: false,
                stderr: false,
            },
            ColourChoice::Auto => Colour {
                stdout: render::colour_enabled(&std::io::stdout()),
                stderr: render::colour_enabled(&std::io::stderr()),
            },
        }
    }
}

/// Writes to stdout. A reader that went away (`| head`) is not an error: the exit code
/// still tells the decision.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) => stdout_failure(&error).map_or(Ok(()), Err),
    }
}

/// The error of a write to stdout that failed; none when the reader has gone away (a
/// closed pipe, as with `| head`), which ends the output without failing the run.
pub fn stdout_failure(error: &std::io::Error) -> Option<Error> {
    (error.kind() != std::io::ErrorKind::BrokenPipe).then(|| {
        Error::evaluation(Diagnostic::error(format!(
            "cannot write the output: {}",
            crate::error::io_reason(error)
        )))
    })
}

/// The forms in which a program reads an error on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineForm {
    /// `{"error": {...}}`
    Json,
    /// GitHub workflow commands, ending with one that says what the error cost (`outcome`)
    Github,
}

/// Prints an error on stdout in the form a program asked for; people read it on stderr,
/// where the caller reports it. `outcome` says what the error cost (`no decision`).
pub fn print_error_for_machines(error: &Error, form: MachineForm, outcome: &str) {
    let text = match form {
        MachineForm::Json => format!("{}\n", render::diagnostics::to_json(error)),
        MachineForm::Github => render::github::error(error, outcome),
    };
    let _ = print_stdout(&text);
}

/// `result`, its error also printed on stdout in `form` where a program asked for one
/// (see [`print_error_for_machines`]).
pub fn with_error_for_machines<T>(
    result: Result<T, Error>,
    form: Option<MachineForm>,
    outcome: &str,
) -> Result<T, Error> {
    if let (Err(error), Some(form)) = (&result, form) {
        print_error_for_machines(error, form, outcome);
    }
    result
}

/// Writes to stderr; there is nowhere left to report a failure to.
pub fn print_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// Draws diagnostics on stderr.
pub fn print_diagnostics(diagnostics: &[Diagnostic], colour: Colour) {
    if !diagnostics.is_empty() {
        print_stderr(&render::diagnostics::to_text(diagnostics, colour.stderr));
    }
}

/// Reports an error on stderr and returns its exit.
pub fn report_error(error: &Error, colour: Colour) -> Exit {
    print_diagnostics(&error.diagnostics, colour);
    Exit::Error(error.class)
}
