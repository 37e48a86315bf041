//! The tamper-evident decision log: one JSON line per decision, each sealed by a SHA-256
//! that also covers the hash of the entry before it.
//!
//! # Entries
//!
//! Each line is one entry, a JSON object in the canonical form of [`canonical_bytes`]
//! followed by a newline. Its fields:
//!
//! | field | meaning |
//! | --- | --- |
//! | `format` | entry format version, `1` |
//! | `seq` | 1 for the first entry, one more for each next one |
//! | `time` | wall-clock time the entry was written, RFC 3339 UTC with microseconds |
//! | `decision_id` | a unique identifier in the layout of a UUID version 4 |
//! | `tool` | `verdict` and its version |
//! | `now` | the evaluation time the decision used |
//! | `input_logging` | `full`, `hash` or `none`: what was kept of the input |
//! | `input_sha256` | SHA-256 of the input bytes as received (absent with `none`) |
//! | `input` | the input document with masked fields replaced (only with `full`) |
//! | `masked` | the masks applied to `input` (absent when there were none) |
//! | `policies` | `files`: each policy file's `path` and `sha256`; `sha256`: the set digest |
//! | `verdict`, `defaulted`, `outcomes` | the decision, as `verdict eval -f json` gives them |
//! | `grant_activations` | grants this decision activates (absent when none) |
//! | `prev` | the previous entry's `hash`; 64 zeros for the first entry |
//! | `hash` | SHA-256 of the canonical form of the entry without its `hash` field |
//!
//! Masking happens before the stored copy is written and hashed: `input` holds the marker
//! `***sha256:<hash of the field's canonical JSON>` in place of each masked field, while
//! `input_sha256` stays the hash of the original bytes, so a holder of the original input
//! can prove it is the one decided on. Messages and details of outcomes are kept as the
//! policies wrote them and may quote input values that a mask hides.
//!
//! # What the log proves and what it does not
//!
//! [`verify`] finds the first line where any of these happened: a field edited, an entry
//! deleted (first, middle), entries reordered, a line reformatted, garbage added, a last
//! line cut short. It proves the integrity of the recorded sequence: which input (by hash,
//! or in full) was decided, by which policy files (by hash), with what verdict and reasons.
//!
//! It does not prove more than that:
//! - it is not signed: someone who can rewrite the whole file can rebuild a valid chain;
//! - removing whole entries from the end leaves a valid, shorter log: only an anchor kept
//!   elsewhere (the head hash of an earlier [`verify`] or [`DecisionLog::append`], given
//!   back as `expect_head`) detects it;
//! - it says a decision was made, not that anyone enforced it.
//!
//! `docs/decision-log.md` says the same for users, with how to check a hash by hand.
//!
//! # Writing
//!
//! [`DecisionLog::append`] takes an exclusive lock on the file (threads of one process queue
//! on a mutex first), reads the last line backwards from the end to continue the chain,
//! writes the new line with one `write_all` on a file opened for appending, calls
//! `fsync`, and unlocks. Processes and threads sharing a log therefore chain correctly. An
//! append refuses to continue a log whose last line is damaged: a gate fails closed.

mod canonical;
mod digest;
mod entry;
mod mask;
mod show;
mod tail;
mod verify;

#[cfg(test)]
mod tests;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use canonical::{canonical_bytes, sha256_hex};
pub use digest::{PolicyDigest, PolicySetDigest, policy_set_digest};
pub use entry::GENESIS;
pub use mask::{MASK_PREFIX, Mask, MaskError};
pub use show::{ShowFormat, Shown, show};
pub use verify::{Broken, Damage, VerifyReport, verify};

use crate::decision::Decision;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, ErrorClass, io_reason};
use entry::{Stamp, entry_body, seal};
use tail::{Tail, read_tail};
use verify::{Chain, check_links, parse_entry};

/// How much of the input an entry keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputLogging {
    /// The whole input, with masked fields replaced, and its hash.
    #[default]
    Full,
    /// Only the SHA-256 of the input bytes.
    HashOnly,
    /// Nothing: not even the hash, which would confirm a guessed input.
    Omit,
}

impl InputLogging {
    /// The keyword used on the command line and in entries: `full`, `hash`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputLogging::Full => "full",
            InputLogging::HashOnly => "hash",
            InputLogging::Omit => "none",
        }
    }
}

impl fmt::Display for InputLogging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InputLogging {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "full" => Ok(InputLogging::Full),
            "hash" => Ok(InputLogging::HashOnly),
            "none" => Ok(InputLogging::Omit),
            _ => Err(Error::new(
                ErrorClass::Usage,
                Diagnostic::error(format!("`{text}` is not an input logging mode"))
                    .with_help("use one of full, hash, none"),
            )),
        }
    }
}

/// What entries keep of the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    pub input: InputLogging,
    /// Paths of input fields to mask, e.g. `policyData.secret`, `approvers[*].email`.
    pub masks: Vec<String>,
}

/// What an append wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub decision_id: String,
    pub prev: String,
    /// The new head of the log: keep it elsewhere to detect a cut tail later.
    pub hash: String,
}

/// A decision log open for appending; share it between threads by reference.
#[derive(Debug)]
pub struct DecisionLog {
    path: PathBuf,
    display: String,
    input: InputLogging,
    masks: Vec<Mask>,
    file: Mutex<File>,
}

impl DecisionLog {
    /// Opens the log at `path` for appending, creating an empty one when it is missing.
    /// Invalid masks are usage errors.
    pub fn open(path: &Path, options: LogOptions) -> Result<DecisionLog, Error> {
        let masks = parse_masks(&options.masks)?;
        let display = path.display().to_string();
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|error| {
                Error::unreadable(
                    Diagnostic::error(format!(
                        "cannot open decision log `{display}`: {}",
                        io_reason(&error)
                    ))
                    .in_file(display.as_str()),
                )
            })?;
        if !existed {
            sync_parent_directory(path);
        }
        Ok(DecisionLog {
            path: path.to_path_buf(),
            display,
            input: options.input,
            masks,
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry for `decision`. `input` is the document as received and
    /// `input_bytes` the bytes it was read from (one line of a batch, without its newline).
    pub fn append(
        &self,
        decision: &Decision,
        input: &Value,
        input_bytes: &[u8],
        policies: &PolicySetDigest,
    ) -> Result<LogEntry, Error> {
        self.append_stamped(decision, input, input_bytes, policies, Stamp::now)
    }

    /// [`DecisionLog::append`] with the stamp taken from `stamp`, called under the lock so
    /// that `time` follows `seq`.
    fn append_stamped(
        &self,
        decision: &Decision,
        input: &Value,
        input_bytes: &[u8],
        policies: &PolicySetDigest,
        stamp: impl FnOnce() -> Stamp,
    ) -> Result<LogEntry, Error> {
        let body = entry_body(
            decision,
            input,
            input_bytes,
            policies,
            self.input,
            &self.masks,
        )?;
        // Nothing under this mutex panics, so a poisoned one still guards a sound file.
        let file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.lock()
            .map_err(|error| self.write_error("cannot lock", &error))?;
        let _unlock = Unlock(&file);
        let len = file
            .metadata()
            .map_err(|error| self.write_error("cannot read", &error))?
            .len();
        let chain = self.chain_end(&file, len)?;
        let stamp = stamp();
        let seq = chain.seq.saturating_add(1);
        let sealed = seal(body, &stamp, seq, &chain.head);
        if let Err(error) = (&*file).write_all(&sealed.line) {
            // Take back a partly written line so the log stays whole; should this fail too,
            // the cut line blocks later appends and `verify` reports it.
            let _ = file.set_len(len);
            return Err(self.write_error("cannot write to", &error));
        }
        file.sync_data()
            .map_err(|error| self.write_error("cannot flush", &error))?;
        Ok(LogEntry {
            seq,
            time: stamp.time,
            decision_id: stamp.decision_id,
            prev: chain.head,
            hash: sealed.hash,
        })
    }

    /// The chain as the last entry leaves it; a damaged last entry is an error.
    fn chain_end(&self, file: &File, len: u64) -> Result<Chain, Error> {
        let tail = read_tail(file, len).map_err(|error| self.write_error("cannot read", &error))?;
        let line = match tail {
            Tail::Empty => return Ok(Chain::start()),
            Tail::Unterminated => {
                return Err(self.damaged("the last line does not end with a newline"));
            }
            Tail::Line(line) => line,
        };
        let links = parse_entry(&line)
            .and_then(|entry| check_links(&entry, &line))
            .map_err(|fault| self.damaged(&fault.reason))?;
        Ok(Chain {
            seq: links.seq,
            head: links.hash,
        })
    }

    fn damaged(&self, reason: &str) -> Error {
        Error::invalid(
            Diagnostic::error(format!(
                "decision log `{}` ends with a damaged entry: {reason}",
                self.display
            ))
            .in_file(self.display.as_str())
            .with_help(
                "run `verdict log verify` on it to see where it breaks; start a new log in another file",
            ),
        )
    }

    fn write_error(&self, what: &str, error: &std::io::Error) -> Error {
        Error::evaluation(
            Diagnostic::error(format!(
                "{what} decision log `{}`: {}",
                self.display,
                io_reason(error)
            ))
            .in_file(self.display.as_str()),
        )
    }
}

/// Releases the file lock when an append ends, however it ends.
struct Unlock<'a>(&'a File);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        // Closing the file releases the lock too, so a failed unlock leaves nothing to undo.
        let _ = self.0.unlock();
    }
}

fn parse_masks(texts: &[String]) -> Result<Vec<Mask>, Error> {
    let mut masks = Vec::new();
    let mut errors = Vec::new();
    for text in texts {
        match Mask::parse(text) {
            Ok(mask) => masks.push(mask),
            Err(error) => errors.push(Error::new(
                ErrorClass::Usage,
                Diagnostic::error(error.to_string()).with_help(
                    "name fields with dots, `[*]` for every element of an array, `*` for every \
                     member of an object: `policyData.secret`, `approvers[*].email`",
                ),
            )),
        }
    }
    match Error::merge(errors) {
        Some(error) => Err(error),
        None => Ok(masks),
    }
}

/// Makes a new log's directory entry durable. Best effort: the log itself is synced on
/// every append, and some systems cannot open a directory to sync it.
fn sync_parent_directory(path: &Path) {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if let Ok(directory) = File::open(parent) {
            let _ = directory.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
