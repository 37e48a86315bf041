//! `verdict check`: load every policy as `eval` would (parse, check, compile) and report
//! every problem, without evaluating anything.

use super::args::CheckArgs;
use super::eval::load_whole;
use super::output::{self, Colour};
use crate::error::Result;
use crate::exit::Exit;

pub fn run(args: &CheckArgs, colour: Colour) -> Result<Exit> {
    let set = load_whole(&args.paths, colour)?;
    let files = set.files().len();
    let warnings = set.warnings.len();
    output::print_stdout(&format!(
        "checked {files} file{}: no errors{}\n",
        if files == 1 { "" } else { "s" },
        match warnings {
            0 => String::new(),
            1 => ", 1 warning".to_string(),
            n => format!(", {n} warnings"),
        }
    ))?;
    Ok(Exit::Success)
}
