//! The last guards of the process, for what no evaluation limit can see: a ceiling on the
//! memory in use, and a handler for a stack that runs out. Each ends the run at once with
//! exit 70 and a message, as the `--timeout` watchdog does: a gate that cannot finish
//! fails closed.
//!
//! The evaluators bound loops, strings, nesting and time; these guards catch the rest,
//! such as a Rego builtin asked to build gigabytes in one call, or a chain of thousands
//! of rules each calling the next.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU8, AtomicUsize, Ordering};

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

use crate::error::ErrorClass;
use crate::exit::Exit;

/// The memory ceiling when no flag sets one (`--max-memory`): room for the largest input
/// document the default input limit lets in, many times over.
pub const DEFAULT_MEMORY_LIMIT: u64 = 2 << 30;

/// The stack size of every thread verdict starts: deep enough for any policy we know of,
/// since evaluators recurse as policies nest.
pub const THREAD_STACK_BYTES: usize = 64 << 20;

/// Bytes in use that a thread has not yet added to the shared count. Counting per thread
/// keeps the shared counter out of the way of most allocations.
const FLUSH_BYTES: isize = 256 << 10;

static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static IN_USE: AtomicIsize = AtomicIsize::new(0);
static EXCEEDED: AtomicBool = AtomicBool::new(false);

thread_local! {
    static UNFLUSHED: Cell<isize> = const { Cell::new(0) };
}

/// mimalloc (faster than the C library's allocator for verdict's many small values), or
/// the C library's allocator for a process that asked for it before its first allocation
/// ([`prefer_system_allocator`]), counting the bytes in use and ending the process when
/// they pass the ceiling set by [`set_memory_limit`]. Install it with
/// `#[global_allocator]`.
pub struct CountingAllocator;

/// Which allocator serves the process: chosen by its first allocation, or before it by
/// [`prefer_system_allocator`], and never changed after, so that every block goes back
/// to the allocator it came from.
static SOURCE: AtomicU8 = AtomicU8::new(UNCHOSEN);
const UNCHOSEN: u8 = 0;
const MIMALLOC: u8 = 1;
const SYSTEM: u8 = 2;

/// The alignment of every block mimalloc hands out, whatever its size (its size classes
/// are multiples of a word): blocks aligned no more strictly come from its plain entry
/// points, which skip the aligned ones' checks (about 20 instructions an allocation).
const MI_ALIGNMENT: usize = std::mem::size_of::<usize>();

/// Asks for the C library's allocator instead of mimalloc; answers whether it was
/// granted, which it is only before the process's first allocation (from a constructor
/// that runs before `main`, as the binary's does).
///
/// A process that decides one document starts faster with it: mimalloc begins a page of
/// its own for each size of block and writes a free list across it, and each page a
/// process touches for the first time costs a page fault, which on some virtual
/// machines takes longer than all of a small decision. A stream of decisions is faster
/// with mimalloc, whose pages, once touched, serve every later decision.
pub fn prefer_system_allocator() -> bool {
    SOURCE
        .compare_exchange(UNCHOSEN, SYSTEM, Ordering::Relaxed, Ordering::Relaxed)
        .is_ok()
}

/// The allocator serving the process; the first call to find none chosen chooses
/// mimalloc.
#[inline(always)]
fn source() -> u8 {
    match SOURCE.load(Ordering::Relaxed) {
        UNCHOSEN => choose_mimalloc(),
        chosen => chosen,
    }
}

#[cold]
fn choose_mimalloc() -> u8 {
    match SOURCE.compare_exchange(UNCHOSEN, MIMALLOC, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => MIMALLOC,
        Err(chosen) => chosen,
    }
}

/// Sets the ceiling on memory in use, in bytes.
pub fn set_memory_limit(bytes: u64) {
    LIMIT.store(
        usize::try_from(bytes).unwrap_or(usize::MAX),
        Ordering::Relaxed,
    );
}

/// Adds `bytes` (negative when freed) to this thread's count; the few calls that fill it
/// past [`FLUSH_BYTES`] go on to the shared count, out of the way of the rest.
#[inline(always)]
fn charge(bytes: isize) {
    let flushed = UNFLUSHED
        .try_with(|unflushed| {
            let pending = unflushed.get().saturating_add(bytes);
            if pending.unsigned_abs() >= FLUSH_BYTES.unsigned_abs() {
                unflushed.set(0);
                pending
            } else {
                unflushed.set(pending);
                0
            }
        })
        .unwrap_or(bytes);
    if flushed != 0 {
        flush(flushed);
    }
}

#[cold]
#[inline(never)]
fn flush(flushed: isize) {
    let in_use = IN_USE
        .fetch_add(flushed, Ordering::Relaxed)
        .saturating_add(flushed);
    let limit = LIMIT.load(Ordering::Relaxed);
    if flushed > 0 && usize::try_from(in_use).is_ok_and(|used| used > limit) {
        out_of_memory(limit);
    }
}

/// Says why and ends the process. Nothing here allocates: the message is written from the
/// stack, and only the first thread to get here writes it.
#[cold]
fn out_of_memory(limit: usize) {
    if EXCEEDED.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut buffer = [0u8; 256];
    let mut cursor = std::io::Cursor::new(&mut buffer[..]);
    let (amount, unit) = match limit {
        bytes if bytes >= 1 << 30 && bytes % (1 << 30) == 0 => (bytes >> 30, "GiB"),
        bytes if bytes >= 1 << 20 => (bytes >> 20, "MiB"),
        bytes => (bytes, "bytes"),
    };
    let _ = write!(
        cursor,
        "error: verdict needed more than the memory limit of {amount} {unit}; no decision was made\n  = help: a policy or input document builds values far larger than itself; raise the limit with `--max-memory` if this is expected\n",
    );
    let written = usize::try_from(cursor.position()).unwrap_or(0);
    let message = buffer.get(..written).unwrap_or_default();
    let _ = std::io::stderr().write_all(message);
    std::process::exit(i32::from(Exit::Error(ErrorClass::Evaluation).code()));
}

fn signed(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

// SAFETY: every method forwards to the allocator serving the process, the same one for
// every call (see `SOURCE`), with the same arguments; the counting around it never
// touches the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(signed(layout.size()));
        // SAFETY: the caller's guarantees about `layout` are passed on unchanged.
        unsafe {
            match source() {
                SYSTEM => System.alloc(layout),
                _ if layout.align() <= MI_ALIGNMENT => mi_malloc(layout.size()).cast(),
                _ => mi_malloc_aligned(layout.size(), layout.align()).cast(),
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(signed(layout.size()));
        // SAFETY: as for `alloc`.
        unsafe {
            match source() {
                SYSTEM => System.alloc_zeroed(layout),
                _ if layout.align() <= MI_ALIGNMENT => mi_zalloc(layout.size()).cast(),
                _ => mi_zalloc_aligned(layout.size(), layout.align()).cast(),
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout`, so from the allocator
        // serving the process, which has not changed since.
        unsafe {
            match source() {
                SYSTEM => System.dealloc(ptr, layout),
                _ => mi_free(ptr.cast()),
            }
        }
        charge(-signed(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        charge(signed(new_size).saturating_sub(signed(layout.size())));
        // SAFETY: as for `dealloc`, and the caller's guarantees about `new_size`.
        unsafe {
            match source() {
                SYSTEM => System.realloc(ptr, layout, new_size),
                _ if layout.align() <= MI_ALIGNMENT => mi_realloc(ptr.cast(), new_size).cast(),
                _ => mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast(),
            }
        }
    }
}

/// Makes every thread started without an explicit stack size get
/// [`THREAD_STACK_BYTES`], unless `RUST_MIN_STACK` says otherwise.
///
/// # Safety
///
/// Changes the environment: call it before any other thread exists.
pub unsafe fn set_thread_stacks() {
    if std::env::var_os("RUST_MIN_STACK").is_none() {
        // SAFETY: the caller guarantees no other thread reads the environment.
        unsafe { std::env::set_var("RUST_MIN_STACK", THREAD_STACK_BYTES.to_string()) };
    }
}

/// The stack size [`set_thread_stacks`] settled on: `RUST_MIN_STACK` read as the runtime
/// reads it, else [`THREAD_STACK_BYTES`].
fn thread_stack_bytes() -> usize {
    std::env::var("RUST_MIN_STACK")
        .ok()
        .and_then(|bytes| bytes.parse().ok())
        .unwrap_or(THREAD_STACK_BYTES)
}

/// Lets the main thread's stack grow as far as any thread verdict starts, by setting the
/// soft stack limit, which Linux consults each time the main stack grows. The work can
/// then run on the main thread instead of on one started for it, which took a quarter of
/// a millisecond of every run (its stack mapped and unmapped, a second allocator arena,
/// two context switches). Returns whether it could; where it cannot (a hard limit below
/// the size, or a system whose main stack is fixed at start), the caller starts a thread.
/// Call it after [`set_thread_stacks`], before other threads exist.
#[cfg(target_os = "linux")]
pub fn size_main_stack() -> bool {
    let Ok(bytes) = libc::rlim_t::try_from(thread_stack_bytes()) else {
        return false;
    };
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes only the `rlimit` it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) } != 0 {
        return false;
    }
    if limit.rlim_max != libc::RLIM_INFINITY && limit.rlim_max < bytes {
        return false;
    }
    limit.rlim_cur = bytes;
    // SAFETY: `setrlimit` reads only the `rlimit` it is given.
    unsafe { libc::setrlimit(libc::RLIMIT_STACK, &limit) == 0 }
}

/// Elsewhere the main thread's stack is fixed when the process starts.
#[cfg(not(target_os = "linux"))]
pub fn size_main_stack() -> bool {
    false
}

/// Replaces the runtime's abort on a stack overflow (and on any other fault of memory
/// access) with a message and exit 70.
#[cfg(unix)]
pub fn handle_stack_overflow() {
    extern "C" fn on_fault(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
        const MESSAGE: &[u8] = b"error: verdict stopped on a memory fault, most likely its stack running out: a policy or document nests or chains too deeply; no decision was made\n";
        // SAFETY: `write` and `_exit` are async-signal-safe; the message is static.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(i32::from(Exit::Error(ErrorClass::Evaluation).code()));
        }
    }
    for signal in [libc::SIGSEGV, libc::SIGBUS] {
        // SAFETY: a zeroed `sigaction` is a valid empty one; the handler only calls
        // async-signal-safe functions, and runs on the alternate stack the Rust runtime
        // gives every thread it starts.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_fault as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Elsewhere, the runtime's own handling stays.
#[cfg(not(unix))]
pub fn handle_stack_overflow() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_is_not_changed_once_chosen() {
        let chosen = source();
        assert_ne!(chosen, UNCHOSEN);
        assert!(!prefer_system_allocator());
        assert_eq!(source(), chosen);
        // Word-aligned blocks take mimalloc's plain entry points, others its aligned ones.
        for align in [1, 8, 64] {
            let layout = Layout::from_size_align(24, align).unwrap();
            // SAFETY: the layout is not zero-sized; the block is freed with its layout.
            unsafe {
                let block = CountingAllocator.alloc(layout);
                assert!(!block.is_null());
                assert_eq!(block.addr() % align, 0);
                block.write_bytes(7, layout.size());
                let grown = Layout::from_size_align(4096, align).unwrap();
                let block = CountingAllocator.realloc(block, layout, grown.size());
                assert_eq!(block.addr() % align, 0);
                assert_eq!(block.add(23).read(), 7);
                CountingAllocator.dealloc(block, grown);
                let zeroed = CountingAllocator.alloc_zeroed(grown);
                assert_eq!(zeroed.addr() % align, 0);
                assert!(
                    std::slice::from_raw_parts(zeroed, grown.size())
                        .iter()
                        .all(|&b| b == 0)
                );
                CountingAllocator.dealloc(zeroed, grown);
            }
        }
    }
}
