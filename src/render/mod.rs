//! Rendering decisions and diagnostics: text for people, JSON for machines, workflow
//! commands for GitHub Actions.

pub mod diagnostics;
pub mod github;
pub mod json;
pub mod text;

use std::io::IsTerminal;

/// Whether output to this stream may be coloured: only on a terminal, and never when
/// `NO_COLOR` is set to anything.
pub fn colour_enabled(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && !no_color()
}

/// Whether `NO_COLOR` is set (to anything but the empty string): then nothing is
/// coloured, whatever `--color` says.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

/// What `verdict check` says of policies that load: `checked 3 files: no errors, 1 warning`.
pub fn checked_summary(files: usize, warnings: usize) -> String {
    format!(
        "checked {files} file{}: no errors{}",
        if files == 1 { "" } else { "s" },
        match warnings {
            0 => String::new(),
            1 => ", 1 warning".to_string(),
            n => format!(", {n} warnings"),
        }
    )
}
