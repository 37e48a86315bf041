//! The four verdicts and their order of strictness.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A verdict, ordered from the most lenient to the strictest: `allow < warn < pending < deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Warn,
    Pending,
    Deny,
}

impl Verdict {
    /// Every verdict, strictest first.
    pub const STRICTEST_FIRST: [Verdict; 4] = [
        Verdict::Deny,
        Verdict::Pending,
        Verdict::Warn,
        Verdict::Allow,
    ];

    /// The keyword that names this verdict in policies and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
            Verdict::Pending => "pending",
            Verdict::Deny => "deny",
        }
    }

    /// Reads a verdict keyword; `None` for anything else.
    pub fn from_keyword(word: &str) -> Option<Verdict> {
        match word {
            "allow" => Some(Verdict::Allow),
            "warn" => Some(Verdict::Warn),
            "pending" => Some(Verdict::Pending),
            "deny" => Some(Verdict::Deny),
            _ => None,
        }
    }

    /// The strictest of a sequence of verdicts, `None` when it is empty.
    pub fn strictest(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
        verdicts.into_iter().max()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of reading something that is not a verdict keyword.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a verdict: expected one of deny, pending, warn, allow")]
pub struct UnknownVerdict(pub String);

impl FromStr for Verdict {
    type Err = UnknownVerdict;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Verdict::from_keyword(text).ok_or_else(|| UnknownVerdict(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness_order_is_deny_pending_warn_allow() {
        assert!(Verdict::Deny > Verdict::Pending);
        assert!(Verdict::Pending > Verdict::Warn);
        assert!(Verdict::Warn > Verdict::Allow);
        assert_eq!(
            Verdict::strictest([Verdict::Warn, Verdict::Deny, Verdict::Allow]),
            Some(Verdict::Deny)
        );
        assert_eq!(Verdict::strictest([]), None);
    }

    #[test]
    fn keywords_round_trip() {
        for verdict in Verdict::STRICTEST_FIRST {
            assert_eq!(verdict.as_str().parse::<Verdict>(), Ok(verdict));
        }
        assert!("violation".parse::<Verdict>().is_err());
    }
}
