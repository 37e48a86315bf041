//! Showing a log to people (one block per entry) or to programs (JSON), with the result of
//! checking its chain.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::verify::{Broken, ScannedLine, scan};
use crate::diagnostic::Diagnostic;
use crate::error::Error;

/// How [`show`] writes a log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShowFormat {
    /// One block per entry, then whether the chain is intact.
    #[default]
    Text,
    /// `{"entries": [...], "verify": {"entries", "head", "first_broken"}}`; lines that are
    /// not JSON objects are left out of `entries`.
    Json,
}

/// A log as [`show`] writes it, and whether its chain is intact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub text: String,
    pub intact: bool,
}

/// Reads the log at `path` and writes it in `format`; the chain is checked on the way.
pub fn show(path: &Path, format: ShowFormat) -> Result<Shown, Error> {
    match format {
        ShowFormat::Text => show_text(path),
        ShowFormat::Json => show_json(path),
    }
}

fn show_text(path: &Path) -> Result<Shown, Error> {
    let mut out = String::new();
    let report = scan(path, None, |scanned| text_block(&scanned, &mut out))?;
    let _ = writeln!(out, "{report}");
    Ok(Shown {
        text: out,
        intact: report.is_intact(),
    })
}

fn show_json(path: &Path) -> Result<Shown, Error> {
    let mut entries = Vec::new();
    let report = scan(path, None, |scanned| {
        if let Some(entry) = scanned.entry {
            entries.push(Value::Object(entry.clone()));
        }
    })?;
    let intact = report.is_intact();
    let document = json!({"entries": entries, "verify": report});
    serde_json::to_string_pretty(&document)
        .map(|mut text| {
            text.push('\n');
            Shown { text, intact }
        })
        .map_err(|error| {
            Error::evaluation(Diagnostic::error(format!(
                "cannot write the decision log as JSON: {error}"
            )))
        })
}

// Writing to a `String` cannot fail, so the results of `writeln!` below are ignored.
fn text_block(scanned: &ScannedLine<'_>, out: &mut String) {
    match scanned.entry {
        Some(entry) => entry_block(entry, scanned.line, out),
        None => {
            let _ = writeln!(out, "line {}: not an entry", scanned.line);
        }
    }
    if let Some(Broken { reason, .. }) = scanned.broken {
        let _ = writeln!(out, "  BROKEN    {reason}");
    }
    if scanned.after_break {
        let _ = writeln!(out, "  UNCHECKED the chain is broken before this line");
    }
    out.push('\n');
}

fn entry_block(entry: &Map<String, Value>, line: usize, out: &mut String) {
    let _ = writeln!(
        out,
        "entry {} (line {line}), logged {}",
        scalar(entry, "seq"),
        scalar(entry, "time")
    );
    let verdict = scalar(entry, "verdict");
    let verdict = match entry.get("defaulted") {
        Some(Value::Bool(true)) => format!("{verdict} (default: no policy had an outcome)"),
        _ => verdict,
    };
    let _ = writeln!(out, "  verdict   {verdict}");
    let _ = writeln!(out, "  decision  {}", scalar(entry, "decision_id"));
    let _ = writeln!(out, "  now       {}", scalar(entry, "now"));
    let _ = writeln!(out, "  input     {}", input_summary(entry));
    policies_lines(entry.get("policies"), out);
    outcome_lines(entry.get("outcomes"), out);
    grant_lines(entry.get("grant_activations"), out);
    let _ = writeln!(out, "  tool      {}", scalar(entry, "tool"));
    let _ = writeln!(out, "  prev      {}", scalar(entry, "prev"));
    let _ = writeln!(out, "  hash      {}", scalar(entry, "hash"));
}

/// A field as text: strings as they are, other values as JSON, `?` when missing.
fn scalar(object: &Map<String, Value>, field: &str) -> String {
    match object.get(field) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => "?".to_string(),
    }
}

fn input_summary(entry: &Map<String, Value>) -> String {
    let hash = match entry.get("input_sha256") {
        Some(_) => format!("sha256 {}", scalar(entry, "input_sha256")),
        None => "not recorded".to_string(),
    };
    let masks: Vec<String> = entry
        .get("masked")
        .and_then(Value::as_array)
        .map(|masks| {
            masks
                .iter()
                .map(|m| m.as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default();
    match (entry.get("input").is_some(), masks.is_empty()) {
        (true, true) => format!("{hash}, stored"),
        (true, false) => format!("{hash}, stored with {} masked", masks.join(", ")),
        (false, _) if entry.get("input_sha256").is_some() => format!("{hash}, not stored"),
        (false, _) => hash,
    }
}

fn policies_lines(policies: Option<&Value>, out: &mut String) {
    let Some(Value::Object(policies)) = policies else {
        let _ = writeln!(out, "  policies  ?");
        return;
    };
    let _ = writeln!(out, "  policies  set {}", scalar(policies, "sha256"));
    let files = policies.get("files").and_then(Value::as_array);
    for file in files.into_iter().flatten() {
        if let Value::Object(file) = file {
            let _ = writeln!(
                out,
                "            {}  {}",
                scalar(file, "sha256"),
                scalar(file, "path")
            );
        }
    }
}

fn outcome_lines(outcomes: Option<&Value>, out: &mut String) {
    let outcomes: Vec<&Map<String, Value>> = outcomes
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    if outcomes.is_empty() {
        let _ = writeln!(out, "  outcomes  none");
    }
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let label = if index == 0 { "outcomes" } else { "" };
        let _ = writeln!(
            out,
            "  {label:<8}  {:<7}  {}: {} ({})",
            scalar(outcome, "verdict"),
            scalar(outcome, "policy"),
            scalar(outcome, "message"),
            scalar(outcome, "source")
        );
    }
}

fn grant_lines(grants: Option<&Value>, out: &mut String) {
    let grants = grants.and_then(Value::as_array).into_iter().flatten();
    for grant in grants.filter_map(Value::as_object) {
        let _ = writeln!(
            out,
            "  grant     {} for {}, opened {}, access ends {}",
            scalar(grant, "environment"),
            scalar(grant, "identity"),
            scalar(grant, "firstOpenedAt"),
            scalar(grant, "accessEndsAt")
        );
    }
}
