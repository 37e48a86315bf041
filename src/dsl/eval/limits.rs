//! Resource limits of one evaluation, and the halt that ends an evaluation beyond them.
//!
//! Evaluation is total (SPEC 4.3): no input makes an expression fail. What can end an
//! evaluation early is running out of resources, and that fails closed with an error.

use std::cell::Cell;
use std::time::Duration;

/// Limits on the work of compiling and evaluating one policy. The defaults suit every
/// policy we know of with room to spare; a command-line flag may change them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The deepest an expression may nest (checked when the policy is compiled).
    pub max_depth: usize,
    /// Loop, comprehension and projection steps in one evaluation of one policy.
    pub max_iterations: u64,
    /// The longest string interpolation or `join` may build, in bytes.
    pub max_string_bytes: usize,
    /// All the bytes of strings built in one evaluation of one policy.
    pub max_total_string_bytes: usize,
    /// Wall-clock time one evaluation of one policy may take, checked between iterations.
    pub max_time: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 256,
            max_iterations: 1_000_000,
            max_string_bytes: 16 * 1024 * 1024,
            max_total_string_bytes: 256 * 1024 * 1024,
            max_time: Some(Duration::from_secs(10)),
        }
    }
}

/// Why an evaluation stopped before its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Halt {
    Iterations(u64),
    StringLength(usize),
    TotalStrings(usize),
    Time(Duration),
}

impl Halt {
    /// What was exceeded, for the error message.
    pub fn describe(&self) -> String {
        match self {
            Halt::Iterations(limit) => format!("more than {limit} loop iterations"),
            Halt::StringLength(limit) => format!("a string longer than {limit} bytes"),
            Halt::TotalStrings(limit) => format!("more than {limit} bytes of strings"),
            Halt::Time(limit) => format!("more than {} ms", limit.as_millis()),
        }
    }
}

/// How often (in iterations) the clock is read; reading it on every step would cost more
/// than most steps.
const CLOCK_EVERY: u64 = 1024;

/// A reading of the monotonic clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Moment(Duration);

/// The start of an evaluation whose clock could not be read: any look at the time finds
/// its limit passed, whatever the clock says since.
const UNREADABLE: Moment = Moment(Duration::MAX);

/// Limits this long or longer start from the coarse clock (see [`Moment::start`]).
const COARSE_START_FROM: Duration = Duration::from_secs(1);

impl Moment {
    /// The start of an evaluation with a time limit of `limit`. A decision starts one
    /// evaluation per policy, and the precise clock costs about three times what the
    /// coarse one does (which reads the time of the kernel's last tick instead of asking
    /// the processor's counter), a few percent of a small decision. The coarse clock is
    /// at most one tick (1 to 10 ms) behind, so an evaluation may be stopped that much
    /// before its limit: for limits of a second or more; shorter ones start precisely.
    fn start(limit: Duration) -> Moment {
        Moment::start_on(if limit >= COARSE_START_FROM {
            COARSE
        } else {
            PRECISE
        })
    }

    /// A start read from `clock`. One that cannot be read fails closed: the evaluation
    /// stops at its first look at the time. (Counting it as started at the clock's
    /// beginning would not: the monotonic clock starts near the machine's boot, so a
    /// machine up for less than the limit would have let it run on.)
    fn start_on(clock: libc::clockid_t) -> Moment {
        Moment::read(clock).unwrap_or(UNREADABLE)
    }

    fn elapsed(self) -> Duration {
        if self == UNREADABLE {
            return Duration::MAX;
        }
        let now = Moment::read(PRECISE).unwrap_or(UNREADABLE);
        now.0.saturating_sub(self.0)
    }

    #[allow(unsafe_code)]
    fn read(clock: libc::clockid_t) -> Option<Moment> {
        let mut time = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `time` is a valid timespec for the call to fill.
        let status = unsafe { libc::clock_gettime(clock, &mut time) };
        let seconds = u64::try_from(time.tv_sec).ok()?;
        let nanoseconds = u32::try_from(time.tv_nsec)
            .ok()
            .filter(|nanoseconds| *nanoseconds < 1_000_000_000)?;
        (status == 0).then(|| Moment(Duration::new(seconds, nanoseconds)))
    }
}

const PRECISE: libc::clockid_t = libc::CLOCK_MONOTONIC;
#[cfg(any(target_os = "linux", target_os = "android"))]
const COARSE: libc::clockid_t = libc::CLOCK_MONOTONIC_COARSE;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const COARSE: libc::clockid_t = libc::CLOCK_MONOTONIC;

/// What one evaluation has used so far.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    iterations: u64,
    string_bytes: usize,
    started: Option<Moment>,
    /// The traversal watch of the evaluation this budget replaced on its thread, if any.
    outer_watch: Watch,
    /// This evaluation's watch while it is set aside ([`Budget::park`]).
    parked: Option<Watch>,
}

impl Budget {
    /// The budget of an evaluation on this thread; until it is dropped, walks over whole
    /// values on the thread ([`traversal_step`], [`text_fits`]) are held to its limits.
    pub fn new(limits: &Limits) -> Budget {
        let (started, watch) = Watch::start(limits);
        Budget {
            limits: limits.clone(),
            iterations: 0,
            string_bytes: 0,
            started,
            outer_watch: WATCH.replace(watch),
            parked: None,
        }
    }

    /// Starts a new evaluation under `limits` in this budget's place, as dropping it and
    /// making a new one would, without the copy of a budget in between.
    pub fn restart(&mut self, limits: &Limits) {
        let (started, watch) = Watch::start(limits);
        match &mut self.parked {
            Some(parked) => *parked = watch,
            None => WATCH.set(watch),
        }
        self.limits.clone_from(limits);
        self.iterations = 0;
        self.string_bytes = 0;
        self.started = started;
    }

    /// Sets this evaluation aside so that another can run on the thread: the watch it
    /// replaced is back until [`Budget::resume`]. Evaluations of several policies that
    /// take turns park and resume; one that runs alone never needs to.
    pub fn park(&mut self) {
        if self.parked.is_none() {
            self.parked = Some(WATCH.replace(self.outer_watch));
        }
    }

    /// Makes a parked evaluation the thread's own again, where it left off.
    pub fn resume(&mut self) {
        if let Some(watch) = self.parked.take() {
            self.outer_watch = WATCH.replace(watch);
        }
    }

    /// Counts one step of a loop.
    pub fn iterate(&mut self) -> Result<(), Halt> {
        watch_halt()?;
        self.iterations += 1;
        if self.iterations > self.limits.max_iterations {
            return Err(Halt::Iterations(self.limits.max_iterations));
        }
        if self.iterations.is_multiple_of(CLOCK_EVERY) {
            self.check_clock()?;
        }
        Ok(())
    }

    fn check_clock(&self) -> Result<(), Halt> {
        match (self.started, self.limits.max_time) {
            (Some(started), Some(limit)) if started.elapsed() > limit => Err(Halt::Time(limit)),
            _ => Ok(()),
        }
    }

    /// The loop steps and string bytes counted so far.
    pub fn spent(&self) -> (u64, usize) {
        (self.iterations, self.string_bytes)
    }

    /// Counts work done elsewhere on this evaluation's behalf (a `let` another policy
    /// evaluated, see [`super::shared`]) as if it had been done here.
    pub fn charge(&mut self, iterations: u64, string_bytes: usize) -> Result<(), Halt> {
        self.iterations = self.iterations.saturating_add(iterations);
        if self.iterations > self.limits.max_iterations {
            return Err(Halt::Iterations(self.limits.max_iterations));
        }
        self.string_bytes = self.string_bytes.saturating_add(string_bytes);
        if self.string_bytes > self.limits.max_total_string_bytes {
            return Err(Halt::TotalStrings(self.limits.max_total_string_bytes));
        }
        Ok(())
    }

    /// Checks that a string being built is still within the length limit.
    pub fn check_length(&self, bytes: usize) -> Result<(), Halt> {
        watch_halt()?;
        if bytes > self.limits.max_string_bytes {
            return Err(Halt::StringLength(self.limits.max_string_bytes));
        }
        Ok(())
    }

    /// Accounts for a string of `bytes` about to be built.
    pub fn build_string(&mut self, bytes: usize) -> Result<(), Halt> {
        self.check_length(bytes)?;
        self.string_bytes = self.string_bytes.saturating_add(bytes);
        if self.string_bytes > self.limits.max_total_string_bytes {
            return Err(Halt::TotalStrings(self.limits.max_total_string_bytes));
        }
        Ok(())
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        if self.parked.is_none() {
            WATCH.set(self.outer_watch);
        }
    }
}

/// Walks over whole values (comparing, rendering) are not loop steps, yet a policy can
/// build values that share parts, `let b = [a, a]` over and over, whose walk takes
/// forever. The walks report each node here, and stop when the evaluation's time or
/// string limit has passed; the evaluation then halts with that limit.
#[derive(Clone, Copy, Debug)]
struct Watch {
    steps: u32,
    deadline: Option<(Moment, Duration)>,
    max_text: usize,
    stopped: Option<WatchStop>,
}

impl Watch {
    /// The start of an evaluation under `limits`, and its watch.
    fn start(limits: &Limits) -> (Option<Moment>, Watch) {
        let started = limits.max_time.map(Moment::start);
        let watch = Watch {
            steps: 0,
            deadline: started.zip(limits.max_time),
            max_text: limits.max_string_bytes,
            stopped: None,
        };
        (started, watch)
    }
}

#[derive(Clone, Copy, Debug)]
enum WatchStop {
    Time(Duration),
    Text(usize),
}

/// Walk steps between two looks at the clock.
const WATCH_CLOCK_EVERY: u32 = 4096;

thread_local! {
    static WATCH: Cell<Watch> = const {
        Cell::new(Watch { steps: 0, deadline: None, max_text: usize::MAX, stopped: None })
    };
}

/// Counts one node of a walk over a value; false once the walk must stop.
pub fn traversal_step() -> bool {
    let mut watch = WATCH.get();
    if watch.stopped.is_some() {
        return false;
    }
    watch.steps = watch.steps.wrapping_add(1);
    if watch.steps.is_multiple_of(WATCH_CLOCK_EVERY)
        && let Some((started, limit)) = watch.deadline
        && started.elapsed() > limit
    {
        watch.stopped = Some(WatchStop::Time(limit));
    }
    WATCH.set(watch);
    watch.stopped.is_none()
}

/// Whether text of `bytes` is within the string limit; false (and the walk stops) when not.
pub fn text_fits(bytes: usize) -> bool {
    let mut watch = WATCH.get();
    if bytes > watch.max_text && watch.stopped.is_none() {
        watch.stopped = Some(WatchStop::Text(watch.max_text));
        WATCH.set(watch);
    }
    watch.stopped.is_none()
}

/// The limit a walk stopped at, if one did during this evaluation.
pub fn watch_halt() -> Result<(), Halt> {
    match WATCH.get().stopped {
        None => Ok(()),
        Some(WatchStop::Time(limit)) => Err(Halt::Time(limit)),
        Some(WatchStop::Text(limit)) => Err(Halt::StringLength(limit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterations_beyond_the_limit_halt() {
        let limits = Limits {
            max_iterations: 3,
            ..Limits::default()
        };
        let mut budget = Budget::new(&limits);
        for _ in 0..3 {
            assert_eq!(budget.iterate(), Ok(()));
        }
        assert_eq!(budget.iterate(), Err(Halt::Iterations(3)));
    }

    #[test]
    fn strings_are_limited_one_by_one_and_in_total() {
        let limits = Limits {
            max_string_bytes: 10,
            max_total_string_bytes: 15,
            ..Limits::default()
        };
        let mut budget = Budget::new(&limits);
        assert_eq!(budget.build_string(11), Err(Halt::StringLength(10)));
        assert_eq!(budget.build_string(10), Ok(()));
        assert_eq!(budget.build_string(6), Err(Halt::TotalStrings(15)));
    }

    #[test]
    fn the_clock_stops_long_evaluations() {
        let limits = Limits {
            max_time: Some(Duration::ZERO),
            ..Limits::default()
        };
        let mut budget = Budget::new(&limits);
        let halted = (0..CLOCK_EVERY)
            .map(|_| budget.iterate())
            .find(Result::is_err);
        assert_eq!(halted, Some(Err(Halt::Time(Duration::ZERO))));
    }

    #[test]
    fn long_limits_start_from_the_coarse_clock_never_after_now() {
        let precise_before = Moment::read(PRECISE).unwrap();
        let coarse = Moment::start(Duration::from_secs(10));
        let precise = Moment::start(Duration::from_millis(10));
        assert!(coarse.0 <= precise.0);
        assert!(precise_before.0 <= precise.0);
        // One tick is 10 ms at most; a second leaves room for a slow machine.
        assert!(coarse.elapsed() < Duration::from_secs(1));
        assert!(Moment::read(PRECISE).unwrap().0 >= precise.0);
    }

    #[test]
    fn an_unreadable_clock_stops_the_evaluation() {
        let unknown_clock = 1000;
        assert!(Moment::read(unknown_clock).is_none());
        let limits = Limits {
            max_time: Some(Duration::from_secs(3600)),
            ..Limits::default()
        };
        let mut budget = Budget::new(&limits);
        budget.started = Some(Moment::start_on(unknown_clock));
        let halted = (0..CLOCK_EVERY)
            .map(|_| budget.iterate())
            .find(Result::is_err);
        assert_eq!(halted, Some(Err(Halt::Time(Duration::from_secs(3600)))));
    }

    #[test]
    fn walks_stop_at_the_time_limit_and_halt_the_evaluation() {
        let limits = Limits {
            max_time: Some(Duration::ZERO),
            ..Limits::default()
        };
        let budget = Budget::new(&limits);
        let stopped = (0..WATCH_CLOCK_EVERY).any(|_| !traversal_step());
        assert!(stopped);
        assert_eq!(budget.check_length(0), Err(Halt::Time(Duration::ZERO)));
        drop(budget);
        assert!(traversal_step(), "the watch ends with its evaluation");
    }

    #[test]
    fn evaluations_taking_turns_keep_their_own_watch() {
        let stopping = Limits {
            max_time: Some(Duration::ZERO),
            ..Limits::default()
        };
        let mut stopped = Budget::new(&stopping);
        assert!((0..WATCH_CLOCK_EVERY).any(|_| !traversal_step()));
        stopped.park();
        let mut running = Budget::new(&Limits::default());
        running.park();
        running.resume();
        assert!(
            traversal_step(),
            "a stop of one evaluation is not another's"
        );
        assert_eq!(running.check_length(0), Ok(()));
        running.park();
        stopped.resume();
        assert_eq!(stopped.check_length(0), Err(Halt::Time(Duration::ZERO)));
        stopped.park();
        drop(stopped);
        drop(running);
        assert!(
            traversal_step(),
            "parked evaluations leave the thread's watch alone"
        );
    }
}
