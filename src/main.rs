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

/// Runs before `main` and before the process's first allocation: a run that decides one
/// document, or checks, formats or prints, takes the C library's allocator, which starts
/// faster (see [`guard::prefer_system_allocator`]); a stream of decisions (`--batch`),
/// a test run and a decision log's entries keep mimalloc. glibc passes the program's
/// arguments to every function in `.init_array`, as it does to `main`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[unsafe(link_section = ".init_array")]
static CHOOSE_ALLOCATOR: extern "C" fn(
    std::ffi::c_int,
    *const *const std::ffi::c_char,
    *const *const std::ffi::c_char,
) = choose_allocator;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn choose_allocator(
    argc: std::ffi::c_int,
    argv: *const *const std::ffi::c_char,
    _environment: *const *const std::ffi::c_char,
) {
    let count = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() {
        return;
    }
    let many_decisions = (1..count).any(|position| {
        // SAFETY: the C runtime passes `argc` pointers in `argv`, each null or a
        // NUL-terminated string that lives as long as the process.
        #[allow(unsafe_code)]
        let argument = unsafe { *argv.add(position) };
        if argument.is_null() {
            return false;
        }
        // SAFETY: as above.
        #[allow(unsafe_code)]
        let argument = unsafe { std::ffi::CStr::from_ptr(argument) };
        matches!(argument.to_bytes(), b"--batch" | b"test" | b"log")
    });
    if !many_decisions {
        guard::prefer_system_allocator();
    }
}

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
