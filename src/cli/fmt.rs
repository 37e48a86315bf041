//! `verdict fmt`: rewrite `.policy` files in their canonical layout, or with `--check`
//! and `--diff` only say which would change and how.

use std::path::Path;

use super::args::FmtArgs;
use super::eval::policy_paths;
use super::output;
use crate::dsl;
use crate::error::{Error, ErrorClass, Result};
use crate::exit::Exit;
use crate::limits::Limits;
use crate::load;

pub fn run(args: &FmtArgs) -> Result<Exit> {
    let paths = policy_paths(&args.paths)?;
    let sources = load::discover(&paths, Limits::default().policy_bytes)?;
    let mut errors = Vec::new();
    let mut unformatted = Vec::new();
    for source in &sources.policy_files {
        let formatted = match dsl::format::format(source) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                errors.push(Error {
                    class: ErrorClass::Invalid,
                    diagnostics,
                });
                continue;
            }
        };
        if formatted == *source.text {
            continue;
        }
        unformatted.push(source.name.to_string());
        if args.diff {
            output::print_stdout(&unified_diff(&source.name, &source.text, &formatted))?;
        }
        if !args.check && !args.diff {
            write_atomically(Path::new(source.name.as_ref()), &formatted)?;
        }
    }
    if let Some(error) = Error::merge(errors) {
        return Err(error);
    }
    if args.check || args.diff {
        for name in &unformatted {
            output::print_stderr(&format!("not formatted: {name}\n"));
        }
        return Ok(if unformatted.is_empty() {
            Exit::Success
        } else {
            Exit::Failure
        });
    }
    for name in &unformatted {
        output::print_stderr(&format!("formatted {name}\n"));
    }
    Ok(Exit::Success)
}

fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

/// Replaces a file's contents through a temporary file in the same directory, so a
/// crash never leaves half a policy behind.
fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let name = path.display().to_string();
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = directory.join(format!(".{file_name}.verdict-fmt"));
    let written = std::fs::write(&temporary, contents).and_then(|()| {
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temporary, metadata.permissions())?;
        }
        std::fs::rename(&temporary, path)
    });
    written.map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        Error::cannot_write(&name, &error)
    })
}
