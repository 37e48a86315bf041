//! `verdict check`: load every policy as `eval` would (parse, check, compile) and report
//! every problem, without evaluating anything.

use super::args::{CheckArgs, CheckFormat};
use super::eval::load_whole;
use super::output::{self, Colour};
use crate::error::Result;
use crate::exit::Exit;
use crate::render;

pub fn run(args: &CheckArgs, colour: Colour) -> Result<Exit> {
    let set = output::with_error_for_machines(
        load_whole(&args.paths, colour),
        args.format.machine_form(),
        "check failed",
    )?;
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
