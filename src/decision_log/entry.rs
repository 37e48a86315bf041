//! Building one log entry: the recorded decision, the input as the options allow, and the
//! chain fields that seal it.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::InputLogging;
use super::canonical::{canonical_bytes, sha256_hex};
use super::digest::PolicySetDigest;
use super::mask::{Mask, apply_masks};
use crate::decision::{Decision, GrantActivation, Outcome, format_time};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::verdict::Verdict;

/// The version of the entry format this module writes and reads.
pub const FORMAT: u64 = 1;

/// The `prev` of the first entry of a log.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// When an entry was logged and the identifier it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub time: DateTime<Utc>,
    pub decision_id: String,
}

impl Stamp {
    /// A stamp from the system clock with a fresh identifier.
    pub fn now() -> Stamp {
        let time = Utc::now();
        Stamp {
            decision_id: new_decision_id(&time),
            time,
        }
    }
}

/// A random-looking UUID (version 4 layout) without a random-number crate: the SHA-256 of
/// the time, the process id, a per-process counter, and a per-thread key that the standard
/// library seeds from the operating system's random source.
fn new_decision_id(time: &DateTime<Utc>) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut hasher = Sha256::new();
    hasher.update(time.timestamp().to_le_bytes());
    hasher.update(time.timestamp_subsec_nanos().to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(count.to_le_bytes());
    hasher.update(RandomState::new().hash_one(count).to_le_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    for (byte, source) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *source;
    }
    // Version 4 in the high nibble of byte 6, the RFC 4122 variant in the top bits of byte 8.
    if let Some(byte) = bytes.get_mut(6) {
        *byte = (*byte & 0x0f) | 0x40;
    }
    if let Some(byte) = bytes.get_mut(8) {
        *byte = (*byte & 0x3f) | 0x80;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    )
}

/// The fields of an entry that do not depend on its place in the chain.
#[derive(Serialize)]
struct Body<'a> {
    format: u64,
    tool: String,
    now: String,
    input_logging: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<Cow<'a, Value>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    masked: Vec<&'a str>,
    policies: &'a PolicySetDigest,
    verdict: Verdict,
    defaulted: bool,
    outcomes: &'a [Outcome],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    grant_activations: &'a [GrantActivation],
}

/// Builds the chain-independent part of an entry: masking and hashing happen here, outside
/// the file lock.
pub fn entry_body(
    decision: &Decision,
    input: &Value,
    input_bytes: &[u8],
    policies: &PolicySetDigest,
    logging: InputLogging,
    masks: &[Mask],
) -> Result<Map<String, Value>, Error> {
    let stored_input = match logging {
        InputLogging::Full if masks.is_empty() => Some(Cow::Borrowed(input)),
        InputLogging::Full => {
            let mut copy = input.clone();
            apply_masks(&mut copy, masks);
            Some(Cow::Owned(copy))
        }
        InputLogging::HashOnly | InputLogging::Omit => None,
    };
    let body = Body {
        format: FORMAT,
        tool: format!("verdict {}", env!("CARGO_PKG_VERSION")),
        now: format_time(&decision.now),
        input_logging: logging.as_str(),
        input_sha256: (logging != InputLogging::Omit).then(|| sha256_hex(input_bytes)),
        input: stored_input,
        masked: match logging {
            InputLogging::Full => masks.iter().map(Mask::as_str).collect(),
            InputLogging::HashOnly | InputLogging::Omit => Vec::new(),
        },
        policies,
        verdict: decision.verdict,
        defaulted: decision.defaulted,
        outcomes: &decision.outcomes,
        grant_activations: &decision.grant_activations,
    };
    match serde_json::to_value(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(unrecordable("it is not a JSON object")),
        Err(error) => Err(unrecordable(&error.to_string())),
    }
}

fn unrecordable(reason: &str) -> Error {
    Error::evaluation(Diagnostic::error(format!(
        "cannot record the decision in the decision log: {reason}"
    )))
}

/// The wall-clock time as the `time` field writes it: RFC 3339 in UTC, microseconds.
pub fn format_log_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A finished entry: its line (canonical JSON and a newline) and its hash.
pub struct Sealed {
    pub line: Vec<u8>,
    pub hash: String,
}

/// Adds the stamp and the chain fields, computes the hash over everything else, and writes
/// the line.
pub fn seal(mut body: Map<String, Value>, stamp: &Stamp, seq: u64, prev: &str) -> Sealed {
    body.insert("time".into(), Value::String(format_log_time(&stamp.time)));
    body.insert(
        "decision_id".into(),
        Value::String(stamp.decision_id.clone()),
    );
    body.insert("seq".into(), Value::from(seq));
    body.insert("prev".into(), Value::String(prev.to_string()));
    let mut entry = Value::Object(body);
    let hash = sha256_hex(&canonical_bytes(&entry));
    if let Value::Object(map) = &mut entry {
        map.insert("hash".into(), Value::String(hash.clone()));
    }
    let mut line = canonical_bytes(&entry);
    line.push(b'\n');
    Sealed { line, hash }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_ids_are_version_4_uuids_and_differ() {
        let time = Utc::now();
        let first = new_decision_id(&time);
        let second = new_decision_id(&time);
        assert_ne!(first, second);
        let groups: Vec<&str> = first.split('-').collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12]);
        assert!(groups[2].starts_with('4'));
        assert!(matches!(
            groups[3].chars().next(),
            Some('8' | '9' | 'a' | 'b')
        ));
    }
}
