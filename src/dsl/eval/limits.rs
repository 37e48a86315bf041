//! Resource limits of one evaluation, and the halt that ends an evaluation beyond them.
//!
//! Evaluation is total (SPEC 4.3): no input makes an expression fail. What can end an
//! evaluation early is running out of resources, and that fails closed with an error.

use std::time::{Duration, Instant};

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

/// What one evaluation has used so far.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    iterations: u64,
    string_bytes: usize,
    started: Option<Instant>,
}

impl Budget {
    pub fn new(limits: &Limits) -> Budget {
        Budget {
            limits: limits.clone(),
            iterations: 0,
            string_bytes: 0,
            started: limits.max_time.map(|_| Instant::now()),
        }
    }

    /// Counts one step of a loop.
    pub fn iterate(&mut self) -> Result<(), Halt> {
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

    /// Checks that a string being built is still within the length limit.
    pub fn check_length(&self, bytes: usize) -> Result<(), Halt> {
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
}
