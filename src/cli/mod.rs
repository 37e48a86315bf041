//! The command line: arguments, one module per subcommand, and the one place where
//! results and errors become exit codes.

mod args;
mod batch;
mod check;
mod compile;
mod eval;
mod fmt;
mod log;
mod output;
mod request;
mod test;

use std::ffi::OsString;

use clap::Parser;

pub use args::{Cli, Command};

use crate::error::{Error, ErrorClass};
use crate::exit::Exit;

/// Runs verdict with these arguments (the first is the program name) and says how it ends.
pub fn run(arguments: impl IntoIterator<Item = OsString>) -> Exit {
    let arguments: Vec<OsString> = arguments.into_iter().collect();
    let cli = match Cli::try_parse_from(&arguments) {
        Ok(cli) => cli,
        Err(error) => {
            let exit = usage_error(&error);
            if exit != Exit::Success
                && let Some((form, outcome)) = machine_form_asked(&arguments)
            {
                let message = first_line(&error.to_string()).to_string();
                output::print_error_for_machines(&Error::usage(message), form, outcome);
            }
            return exit;
        }
    };
    crate::guard::set_memory_limit(cli.max_memory);
    let colour = output::Colour::from_choice(cli.colour);
    let result = match cli.command {
        Command::Eval(arguments) => eval::run(&arguments, colour),
        Command::Test(arguments) => test::run(&arguments, colour),
        Command::Check(arguments) => check::run(&arguments, colour),
        Command::Fmt(arguments) => fmt::run(&arguments),
        Command::Compile(arguments) => compile::run(&arguments),
        Command::Request(arguments) => request::run(&arguments),
        Command::Log(command) => log::run(&command),
        Command::Schema => output::print_stdout(crate::input::SCHEMA).map(|()| Exit::Success),
    };
    match result {
        Ok(exit) => exit,
        Err(error) => output::report_error(&error, colour),
    }
}

/// clap's own errors: help and version go to stdout and succeed; anything else is a usage
/// error, exit 64 (clap's own 2 would read as pending).
fn usage_error(error: &clap::Error) -> Exit {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            Exit::Success
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            Exit::Error(ErrorClass::Usage)
        }
        _ => {
            let _ = error.print();
            Exit::Error(ErrorClass::Usage)
        }
    }
}

/// The form of output a command line that clap refused asked for, if it asked for one a
/// program reads (`-f json`, `--format=github`), with what the refusal cost, so that the
/// program still finds an error where it looks for the result.
fn machine_form_asked(arguments: &[OsString]) -> Option<(output::MachineForm, &'static str)> {
    let words: Vec<&str> = arguments.iter().filter_map(|word| word.to_str()).collect();
    // The subcommand: the first word that is neither an option nor the value of one of the
    // options taken before it (`--color never eval`).
    let mut rest = words.get(1..)?.iter();
    let subcommand = loop {
        match *rest.next()? {
            "--color" | "--max-memory" => {
                rest.next();
            }
            word if word.starts_with('-') => {}
            word => break word,
        }
    };
    let outcome = match subcommand {
        "eval" => "no decision",
        "check" => "check failed",
        "test" => "tests not run",
        _ => return None,
    };
    let format = words
        .iter()
        .enumerate()
        .rev()
        .find_map(|(position, word)| match *word {
            "-f" | "--format" => words.get(position + 1).copied(),
            _ => word
                .strip_prefix("--format=")
                .or_else(|| word.strip_prefix("-f").filter(|value| !value.is_empty())),
        })?;
    match format {
        "json" => Some((output::MachineForm::Json, outcome)),
        "github" => Some((output::MachineForm::Github, outcome)),
        _ => None,
    }
}

fn first_line(text: &str) -> &str {
    let text = text.trim_start_matches("error: ");
    text.lines().next().unwrap_or(text)
}

/// A usage error found after parsing, such as a flag value clap could not check.
pub(crate) fn usage(message: impl Into<String>, help: impl Into<String>) -> Error {
    let mut error = Error::usage(message);
    if let Some(first) = error.diagnostics.first_mut() {
        first.help = Some(help.into());
    }
    error
}
