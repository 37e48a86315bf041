//! Resource limits that fail closed: a gate that would need more than these ends in an
//! error, never in a hang, a crash or an allow.

use std::time::Duration;

/// The limits of one run; every one has a flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input document, in bytes (`--max-input-size`).
    pub input_bytes: u64,
    /// Largest policy, data or schema file, in bytes (`--max-policy-size`).
    pub policy_bytes: u64,
    /// Deepest nesting of arrays and objects in an input document.
    pub json_depth: usize,
    /// Longest a whole run may take (`--timeout`).
    pub timeout: Option<Duration>,
    /// Longest the evaluation of one policy-language policy, or of a Rego package's verdict
    /// rules, may take (`--eval-timeout`).
    pub eval_time: Duration,
}

/// serde_json refuses documents nested deeper than this; verdict reports it as a limit.
pub const JSON_DEPTH: usize = 128;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            input_bytes: 64 * 1024 * 1024,
            policy_bytes: 8 * 1024 * 1024,
            json_depth: JSON_DEPTH,
            timeout: None,
            eval_time: Duration::from_secs(10),
        }
    }
}

/// Reads a size such as `64MiB`, `512k`, `1G` or a plain number of bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(scale)
}

/// A byte count as people read it: `64 MiB`, `512 KiB`, `100 bytes`.
pub fn format_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_binary_units() {
        assert_eq!(parse_size("64MiB"), Some(64 << 20));
        assert_eq!(parse_size("512k"), Some(512 << 10));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("1 G"), Some(1 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
        assert_eq!(format_size(64 << 20), "64 MiB");
        assert_eq!(format_size(1000), "1000 bytes");
    }
}
