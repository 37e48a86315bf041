//! The `verdict` binary: arguments in, an exit code out. Everything else is the library.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use verdict::error::ErrorClass;
use verdict::exit::Exit;
use verdict::guard;

#[global_allocator]
static ALLOCATOR: guard::CountingAllocator = guard::CountingAllocator;

fn main() -> Exit {
    prepare_environment();
    guard::set_memory_limit(guard::DEFAULT_MEMORY_LIMIT);
    guard::handle_stack_overflow();
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("  = help: this is a bug in verdict; no decision was made");
    }));
    let work = || {
        std::panic::catch_unwind(|| verdict::cli::run(std::env::args_os()))
            .unwrap_or(Exit::Error(ErrorClass::Evaluation))
    };
    // The work needs the stack that `guard::set_thread_stacks` gives every thread verdict
    // starts: on the main thread where its limit can be raised to that, else on a thread
    // of its own.
    if guard::size_main_stack() {
        work()
    } else {
        std::thread::spawn(work)
            .join()
            .unwrap_or(Exit::Error(ErrorClass::Evaluation))
    }
}

/// Libraries that capture a backtrace with every error (regorus does) pay for it on every
/// load when `RUST_BACKTRACE` is set. Unless the user asks for library backtraces
/// explicitly, turn them off; panics still honour `RUST_BACKTRACE`. And threads get the
/// stack size verdict needs.
fn prepare_environment() {
    // SAFETY: called first thing in `main`, before any other thread exists, so no
    // one can read the environment concurrently.
    #[allow(unsafe_code)]
    unsafe {
        if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
            std::env::set_var("RUST_LIB_BACKTRACE", "0");
        }
        guard::set_thread_stacks();
    }
}
