//! Checking a log: every line one canonical entry whose hash matches it, numbered without
//! gaps, each naming the hash of the one before it.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use super::canonical::{canonical_bytes, is_sha256_hex, sha256_hex};
use super::entry::{FORMAT, GENESIS};
use crate::error::Error;

/// What is wrong with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Damage {
    /// The line is not a JSON object.
    BadJson,
    /// The last line does not end with a newline.
    Unterminated,
    /// The line is JSON but not in the canonical form the log writes.
    NotCanonical,
    /// The entry is of a format this version does not read.
    UnsupportedFormat,
    /// A chain field (`seq`, `prev`, `hash`) is missing or malformed.
    MissingField,
    /// The entry's contents do not hash to its `hash`.
    HashMismatch,
    /// The entry's `seq` is not one more than the previous entry's.
    SeqGap,
    /// The entry's `prev` is not the previous entry's `hash`.
    PrevMismatch,
    /// The anchor given to `verify` is not the hash of any entry.
    MissingAnchor,
}

/// A line that broke the chain, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// 1-based line number in the file.
    pub line: usize,
    pub kind: Damage,
    pub reason: String,
}

/// The result of checking a whole log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// How many entries from the start of the file are intact.
    pub entries: usize,
    /// The hash of the last intact entry: record it elsewhere to detect a cut tail later.
    pub head: Option<String>,
    pub first_broken: Option<Broken>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = match self.entries {
            1 => "1 entry".to_string(),
            count => format!("{count} entries"),
        };
        match (&self.first_broken, &self.head) {
            (Some(broken), _) => write!(
                f,
                "broken at line {}: {} ({entries} before it intact)",
                broken.line, broken.reason
            ),
            (None, Some(head)) => write!(f, "intact: {entries}, head {head}"),
            (None, None) => write!(f, "intact: {entries}"),
        }
    }
}

/// A problem found in one line, before its line number is attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub kind: Damage,
    pub reason: String,
}

impl Fault {
    fn new(kind: Damage, reason: impl Into<String>) -> Fault {
        Fault {
            kind,
            reason: reason.into(),
        }
    }

    fn at(self, line: usize) -> Broken {
        Broken {
            line,
            kind: self.kind,
            reason: self.reason,
        }
    }
}

/// The chain fields of an entry that was checked against its own hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Links {
    pub seq: u64,
    pub prev: String,
    pub hash: String,
}

/// Reads a line (without its newline) as a JSON object.
pub fn parse_entry(line: &[u8]) -> Result<Map<String, Value>, Fault> {
    if line.is_empty() {
        return Err(Fault::new(Damage::BadJson, "an empty line"));
    }
    match serde_json::from_slice(line) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Fault::new(Damage::BadJson, "not a JSON object")),
        Err(error) => Err(Fault::new(
            Damage::BadJson,
            format!("not a JSON object: {error}"),
        )),
    }
}

/// Checks an entry on its own: canonical form, format, chain fields, and its hash.
pub fn check_links(entry: &Map<String, Value>, line: &[u8]) -> Result<Links, Fault> {
    let mut value = Value::Object(entry.clone());
    if canonical_bytes(&value) != line {
        return Err(Fault::new(
            Damage::NotCanonical,
            "the line is not in the canonical form the log writes: it was reformatted or edited",
        ));
    }
    match entry.get("format").and_then(Value::as_u64) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(Fault::new(
                Damage::UnsupportedFormat,
                format!(
                    "entry format `{other}` is not supported: this version reads format {FORMAT}"
                ),
            ));
        }
        None => return Err(missing("format")),
    }
    let hash = sha256_field(entry, "hash")?;
    let prev = sha256_field(entry, "prev")?;
    let seq = entry
        .get("seq")
        .and_then(Value::as_u64)
        .filter(|seq| *seq > 0)
        .ok_or_else(|| missing("seq"))?;
    if let Value::Object(map) = &mut value {
        map.remove("hash");
    }
    if sha256_hex(&canonical_bytes(&value)) != hash {
        return Err(Fault::new(
            Damage::HashMismatch,
            "the entry does not match its `hash`: it was changed after it was written",
        ));
    }
    Ok(Links { seq, prev, hash })
}

fn sha256_field(entry: &Map<String, Value>, field: &str) -> Result<String, Fault> {
    entry
        .get(field)
        .and_then(Value::as_str)
        .filter(|text| is_sha256_hex(text))
        .map(str::to_string)
        .ok_or_else(|| missing(field))
}

fn missing(field: &str) -> Fault {
    Fault::new(
        Damage::MissingField,
        format!("field `{field}` is missing or malformed"),
    )
}

/// Where the chain stands after the entries seen so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The `seq` of the last entry, 0 before the first.
    pub seq: u64,
    /// The `hash` of the last entry, the genesis value before the first.
    pub head: String,
}

impl Chain {
    pub fn start() -> Chain {
        Chain {
            seq: 0,
            head: GENESIS.to_string(),
        }
    }

    /// Checks that `links` continue the chain, and moves the chain past them.
    pub fn follow(&mut self, links: &Links) -> Result<(), Fault> {
        let expected = self.seq.saturating_add(1);
        if links.seq != expected {
            let why = if expected == 1 {
                "the entries before it are missing"
            } else {
                "entries are missing or out of order"
            };
            return Err(Fault::new(
                Damage::SeqGap,
                format!(
                    "expected entry {expected}, found entry {}: {why}",
                    links.seq
                ),
            ));
        }
        if links.prev != self.head {
            let why = if expected == 1 {
                "`prev` of the first entry is not the genesis value"
            } else {
                "`prev` is not the hash of the entry before it: that entry was replaced"
            };
            return Err(Fault::new(Damage::PrevMismatch, why));
        }
        self.seq = links.seq;
        self.head.clone_from(&links.hash);
        Ok(())
    }
}

/// One line of a log as [`scan`] hands it out.
pub struct ScannedLine<'a> {
    pub line: usize,
    /// The entry, when the line is a JSON object (even one that breaks the chain).
    pub entry: Option<&'a Map<String, Value>>,
    /// Set on the first line that breaks the chain only.
    pub broken: Option<&'a Broken>,
    /// Whether the chain broke before this line, so that it was not checked.
    pub after_break: bool,
}

/// Reads a log line by line under a shared lock (so that no append is seen half written),
/// checks the chain up to its first break, and shows every line to `visit`.
pub fn scan(
    path: &Path,
    expect_head: Option<&str>,
    mut visit: impl FnMut(ScannedLine<'_>),
) -> Result<VerifyReport, Error> {
    let display = path.display().to_string();
    let file = File::open(path).map_err(|error| Error::io(&display, &error))?;
    file.lock_shared()
        .map_err(|error| Error::io(&display, &error))?;
    let mut reader = BufReader::new(file);
    let mut chain = Chain::start();
    let mut report = VerifyReport {
        entries: 0,
        head: None,
        first_broken: None,
    };
    let mut anchor_seen = false;
    let mut buffer = Vec::new();
    let mut line_number = 0;
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|error| Error::io(&display, &error))?;
        if read == 0 {
            break;
        }
        line_number += 1;
        let terminated = buffer.last() == Some(&b'\n');
        let line = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
        let parsed = parse_entry(line);
        let mut broken_here = None;
        if report.first_broken.is_none() {
            match check_line(&parsed, line, terminated, &mut chain) {
                Ok(()) => {
                    report.entries += 1;
                    anchor_seen |= expect_head == Some(chain.head.as_str());
                    report.head = Some(chain.head.clone());
                }
                Err(fault) => broken_here = Some(fault.at(line_number)),
            }
        }
        visit(ScannedLine {
            line: line_number,
            entry: parsed.as_ref().ok(),
            broken: broken_here.as_ref(),
            after_break: report.first_broken.is_some(),
        });
        if broken_here.is_some() {
            report.first_broken = broken_here;
        }
    }
    if let (Some(anchor), None) = (expect_head, &report.first_broken)
        && !anchor_seen
    {
        report.first_broken = Some(Broken {
            line: line_number + 1,
            kind: Damage::MissingAnchor,
            reason: format!(
                "no entry has the expected head hash `{anchor}`: the log was cut short or rewritten"
            ),
        });
    }
    Ok(report)
}

fn check_line(
    parsed: &Result<Map<String, Value>, Fault>,
    line: &[u8],
    terminated: bool,
    chain: &mut Chain,
) -> Result<(), Fault> {
    if !terminated {
        return Err(Fault::new(
            Damage::Unterminated,
            "the last line is incomplete: it does not end with a newline",
        ));
    }
    let entry = parsed.as_ref().map_err(Clone::clone)?;
    let links = check_links(entry, line)?;
    chain.follow(&links)
}

/// Checks a whole log: see the module documentation for what this can and cannot detect.
/// `expect_head` is a hash recorded earlier (a previous report's `head`); the log must still
/// hold that entry, which detects a tail cut off since then.
pub fn verify(path: &Path, expect_head: Option<&str>) -> Result<VerifyReport, Error> {
    let anchor = match expect_head {
        Some(text) => Some(normalise_anchor(text)?),
        None => None,
    };
    scan(path, anchor.as_deref(), |_| {})
}

fn normalise_anchor(text: &str) -> Result<String, Error> {
    let anchor = text.trim().to_ascii_lowercase();
    if is_sha256_hex(&anchor) {
        Ok(anchor)
    } else {
        Err(Error::new(
            crate::error::ErrorClass::Usage,
            crate::diagnostic::Diagnostic::error(format!("`{text}` is not an entry hash"))
                .with_help("give the `hash` of an entry: 64 hexadecimal digits"),
        ))
    }
}
