//! `verdict check`: load every policy as `eval` would (parse, check, compile) and report
//! every problem, without evaluating anything.

use super::args::{CheckArgs, CheckFormat};
use super::eval::load_whole;
use super::output::{self, Colour};
use crate::error::Result;
use crate::exit::Exit;
use crate::render;

pub fn run(args: &CheckArgs, colour: Colour) -> Result<Exit> {
    let set = match load_whole(&args.paths, colour) {
        Ok(set) => set,
        Err(error) => {
            // People read the problems on stderr (printed by the caller); a program reads
            // them here, on stdout, in the format it asked for.
            let machine = match args.format {
                CheckFormat::Text => None,
                CheckFormat::Json => Some(format!("{}\n", render::diagnostics::to_json(&error))),
                CheckFormat::Github => Some(render::github::error(&error, "check failed")),
            };
            if let Some(text) = machine {
                let _ = output::print_stdout(&text);
            }
            return Err(error);
        }
    };
    let files = set.files().len();
    let report = match args.format {
        CheckFormat::Text => format!("{}\n", render::checked_summary(files, set.warnings.len())),
        CheckFormat::Json => format!(
            "{}\n",
            render::diagnostics::checked_json(files, &set.warnings)
        ),
        CheckFormat::Github => render::github::checked(files, &set.warnings),
    };
    output::print_stdout(&report)?;
    Ok(Exit::Success)
}
