//! A decision as JSON: the fields SPEC 7 names, and a little more.

use crate::decision::Decision;

/// The decision as one pretty-printed JSON object.
pub fn decision(decision: &Decision) -> String {
    serde_json::to_string_pretty(decision).unwrap_or_else(|error| serialisation_failure(&error))
}

/// The decision on one line, for `--batch`.
pub fn decision_line(decision: &Decision) -> String {
    serde_json::to_string(decision).unwrap_or_else(|error| serialisation_failure(&error))
}

/// Serialising our own types cannot fail (string keys, finite numbers); if it ever did,
/// the output still must not read as an allow.
fn serialisation_failure(error: &serde_json::Error) -> String {
    serde_json::json!({"verdict": null, "error": {"class": "evaluation", "message": error.to_string()}})
        .to_string()
}
