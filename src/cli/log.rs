//! `verdict log verify` and `verdict log show`: read a decision log.

use super::args::{LogCommand, LogFormat};
use super::output;
use crate::decision_log::{self, ShowFormat};
use crate::error::Result;
use crate::exit::Exit;

pub fn run(command: &LogCommand) -> Result<Exit> {
    match command {
        LogCommand::Verify(args) => {
            let report = decision_log::verify(&args.file, args.expect_head.as_deref())?;
            let text = match args.format {
                LogFormat::Text => format!("{report}\n"),
                LogFormat::Json => format!(
                    "{}\n",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                ),
            };
            output::print_stdout(&text)?;
            Ok(if report.is_intact() {
                Exit::Success
            } else {
                Exit::Failure
            })
        }
        LogCommand::Show(args) => {
            let format = match args.format {
                LogFormat::Text => ShowFormat::Text,
                LogFormat::Json => ShowFormat::Json,
            };
            let shown = decision_log::show(&args.file, format)?;
            output::print_stdout(&shown.text)?;
            // A log shown with a broken chain fails as `verify` does: it was tampered with.
            Ok(if shown.intact {
                Exit::Success
            } else {
                Exit::Failure
            })
        }
    }
}
