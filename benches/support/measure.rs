//! Side-by-side timing for ratios: two subjects sampled in turn, so that whatever else the
//! machine is doing weighs on both alike, and the ratio of their medians reported.

#![allow(dead_code)]

use std::hint::black_box;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one sample should take, and how long a comparison may take in all.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub sample: Duration,
    pub total: Duration,
    pub samples: usize,
}

impl Budget {
    pub const BENCH: Budget = Budget {
        sample: Duration::from_millis(4),
        total: Duration::from_secs(4),
        samples: 31,
    };
}

/// The median time of one call of each subject, measured in alternating samples.
pub fn pair(
    budget: Budget,
    mut a: impl FnMut() -> usize,
    mut b: impl FnMut() -> usize,
) -> (Duration, Duration) {
    let a_iterations = calibrate(budget.sample, &mut a);
    let b_iterations = calibrate(budget.sample, &mut b);
    let started = Instant::now();
    let mut a_times = Vec::new();
    let mut b_times = Vec::new();
    while a_times.len() < budget.samples && (a_times.len() < 3 || started.elapsed() < budget.total)
    {
        a_times.push(sample(a_iterations, &mut a));
        b_times.push(sample(b_iterations, &mut b));
    }
    (median(a_times), median(b_times))
}

/// The median time of one call of a subject.
pub fn single(budget: Budget, mut subject: impl FnMut() -> usize) -> Duration {
    let iterations = calibrate(budget.sample, &mut subject);
    let started = Instant::now();
    let mut times = Vec::new();
    while times.len() < budget.samples && (times.len() < 3 || started.elapsed() < budget.total) {
        times.push(sample(iterations, &mut subject));
    }
    median(times)
}

/// How many calls make a sample last about `sample` (at least one).
fn calibrate(sample_time: Duration, subject: &mut impl FnMut() -> usize) -> u32 {
    let mut iterations = 1u32;
    loop {
        let took = sample(iterations, subject) * iterations;
        if took >= sample_time / 2 || iterations >= 1 << 20 {
            let per_call = took.as_secs_f64() / f64::from(iterations);
            let wanted = sample_time.as_secs_f64() / per_call.max(1e-9);
            return wanted.clamp(1.0, f64::from(1u32 << 20)) as u32;
        }
        iterations *= 4;
    }
}

/// The time of one call, averaged over `iterations` calls.
fn sample(iterations: u32, subject: &mut impl FnMut() -> usize) -> Duration {
    let started = Instant::now();
    for _ in 0..iterations {
        black_box(subject());
    }
    started.elapsed() / iterations
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Runs the verdict binary once with `args`, stdin from `input` when given; returns the
/// exit code.
pub fn run_binary(binary: &str, args: &[&str], input: Option<&std::path::Path>) -> i32 {
    let mut command = Command::new(binary);
    command
        .args(args)
        .env_remove("RUST_LIB_BACKTRACE")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(path) = input {
        command.stdin(std::fs::File::open(path).expect("the input file exists"));
    }
    let status = command.status().expect("the binary runs");
    status.code().unwrap_or(-1)
}

/// Runs the binary as [`run_binary`] does; returns the wall time and the CPU time (user
/// and system, every thread) the process took. The CPU time is what a process costs
/// whatever else the machine runs; where it cannot be read, it is the wall time.
pub fn run_binary_timed(
    binary: &str,
    args: &[&str],
    input: Option<&std::path::Path>,
) -> (Duration, Duration) {
    let cpu_before = children_cpu();
    let started = Instant::now();
    run_binary(binary, args, input);
    let wall = started.elapsed();
    let cpu = match (cpu_before, children_cpu()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => wall,
    };
    (wall, cpu)
}

/// The CPU time of every child process waited for so far.
#[cfg(unix)]
fn children_cpu() -> Option<Duration> {
    // SAFETY: `getrusage` fills the zeroed struct it is given and reads nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) != 0 {
            return None;
        }
        usage
    };
    let time = |value: libc::timeval| {
        Duration::from_secs(value.tv_sec as u64) + Duration::from_micros(value.tv_usec as u64)
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

#[cfg(not(unix))]
fn children_cpu() -> Option<Duration> {
    None
}

/// Shows a duration with a unit that suits it.
pub fn show(duration: Duration) -> String {
    let nanos = duration.as_secs_f64() * 1e9;
    if nanos < 1e3 {
        format!("{nanos:.0} ns")
    } else if nanos < 1e6 {
        format!("{:.1} µs", nanos / 1e3)
    } else if nanos < 1e9 {
        format!("{:.2} ms", nanos / 1e6)
    } else {
        format!("{:.2} s", nanos / 1e9)
    }
}
