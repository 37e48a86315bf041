//! The `verdict` binary: arguments in, an exit code out. Everything else is the library.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use verdict::error::ErrorClass;
use verdict::exit::Exit;

fn main() -> Exit {
    quiet_library_backtraces();
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("  = help: this is a bug in verdict; no decision was made");
    }));
    std::panic::catch_unwind(|| verdict::cli::run(std::env::args_os()))
        .unwrap_or(Exit::Error(ErrorClass::Evaluation))
}

/// Libraries that capture a backtrace with every error (regorus does) pay for it on every
/// load when `RUST_BACKTRACE` is set. Unless the user asks for library backtraces
/// explicitly, turn them off; panics still honour `RUST_BACKTRACE`.
fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists, so no
        // one can read the environment concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("RUST_LIB_BACKTRACE", "0");
        }
    }
}
