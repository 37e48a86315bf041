//! Exit codes, decided in one place (SPEC 7).

use std::process::{ExitCode, Termination};

use crate::error::ErrorClass;
use crate::verdict::Verdict;

/// How a `verdict` process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// allow, or warn without `--fail-on-warn`; tests passed; files formatted; log intact.
    Success,
    /// deny.
    Deny,
    /// pending.
    Pending,
    /// warn with `--fail-on-warn`.
    Warn,
    /// A test failed, a file needs formatting, or a decision log is broken.
    Failure,
    Error(ErrorClass),
}

impl Exit {
    /// The exit of a decision with this verdict.
    pub fn for_verdict(verdict: Verdict, fail_on_warn: bool) -> Exit {
        match verdict {
            Verdict::Allow => Exit::Success,
            Verdict::Warn if fail_on_warn => Exit::Warn,
            Verdict::Warn => Exit::Success,
            Verdict::Pending => Exit::Pending,
            Verdict::Deny => Exit::Deny,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Deny | Exit::Failure => 1,
            Exit::Pending => 2,
            Exit::Warn => 3,
            Exit::Error(ErrorClass::Usage) => 64,
            Exit::Error(ErrorClass::Invalid) => 65,
            Exit::Error(ErrorClass::Unreadable) => 66,
            Exit::Error(ErrorClass::Evaluation) => 70,
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_specification() {
        assert_eq!(Exit::for_verdict(Verdict::Allow, true).code(), 0);
        assert_eq!(Exit::for_verdict(Verdict::Warn, false).code(), 0);
        assert_eq!(Exit::for_verdict(Verdict::Warn, true).code(), 3);
        assert_eq!(Exit::for_verdict(Verdict::Pending, false).code(), 2);
        assert_eq!(Exit::for_verdict(Verdict::Deny, false).code(), 1);
        assert_eq!(Exit::Error(ErrorClass::Usage).code(), 64);
        assert_eq!(Exit::Error(ErrorClass::Invalid).code(), 65);
        assert_eq!(Exit::Error(ErrorClass::Unreadable).code(), 66);
        assert_eq!(Exit::Error(ErrorClass::Evaluation).code(), 70);
    }
}
