//! A decision as JSON: the fields SPEC 7 names, and a little more.

use std::sync::Arc;

use crate::decision::{Decision, GrantActivation, PolicyReport, format_time};
use crate::source::Location;
use crate::verdict::Verdict;

/// The decision as one pretty-printed JSON object.
pub fn decision(decision: &Decision) -> String {
    serde_json::to_string_pretty(decision).unwrap_or_else(|error| serialisation_failure(&error))
}

/// The start of each policy's entry in `policies`, as last written: a stream's decisions
/// list the same policies, so their names and sources are escaped once, not once a line
/// (they were a twentieth of a policy-language line's instructions).
#[derive(Debug, Default)]
pub struct ReportPrefixes {
    /// By position in `policies`. Holding the names keeps their memory from being reused,
    /// so the same pointer is the same text.
    written: Vec<ReportPrefix>,
}

#[derive(Debug)]
struct ReportPrefix {
    policy: Arc<str>,
    source: Location,
    /// `{"policy":"…","source":"…","verdict":`
    text: String,
}

impl ReportPrefixes {
    /// Appends the start of `report`'s entry, the one at `position`, and keeps it for the
    /// next decision when that position held another policy.
    fn write(&mut self, out: &mut String, position: usize, report: &PolicyReport) {
        let cached = self.written.get(position).filter(|cached| {
            Arc::ptr_eq(&cached.policy, &report.policy)
                && Arc::ptr_eq(&cached.source.file, &report.source.file)
                && cached.source.line == report.source.line
                && cached.source.column == report.source.column
        });
        if let Some(cached) = cached {
            out.push_str(&cached.text);
            return;
        }
        let start = out.len();
        out.push_str("{\"policy\":");
        write_str(out, &report.policy);
        out.push_str(",\"source\":");
        write_location(out, &report.source);
        out.push_str(",\"verdict\":");
        let prefix = ReportPrefix {
            policy: Arc::clone(&report.policy),
            source: report.source.clone(),
            text: out.get(start..).unwrap_or_default().to_string(),
        };
        if let Some(slot) = self.written.get_mut(position) {
            *slot = prefix;
        } else if self.written.len() == position {
            self.written.push(prefix);
        }
    }
}

/// Appends the decision on one line, for `--batch`: the same text as
/// `serde_json::to_string`, written directly, since `--batch` writes one per input and
/// serde's byte-by-byte string escaping was a tenth of a policy-language decision's
/// instructions.
pub fn write_decision_line(out: &mut String, decision: &Decision, reports: &mut ReportPrefixes) {
    let start = out.len();
    out.push_str("{\"verdict\":");
    write_name(out, decision.verdict.as_str());
    out.push_str(",\"defaulted\":");
    out.push_str(if decision.defaulted { "true" } else { "false" });
    out.push_str(",\"outcomes\":[");
    for (position, outcome) in decision.outcomes.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        out.push_str("{\"verdict\":");
        write_name(out, outcome.verdict.as_str());
        out.push_str(",\"message\":");
        write_str(out, &outcome.message);
        out.push_str(",\"policy\":");
        write_str(out, &outcome.policy);
        out.push_str(",\"rule\":");
        write_str(out, &outcome.rule);
        out.push_str(",\"source\":");
        write_location(out, &outcome.source);
        if let Some(details) = &outcome.details {
            out.push_str(",\"details\":");
            match serde_json::to_string(details) {
                Ok(text) => out.push_str(&text),
                Err(error) => {
                    out.truncate(start);
                    out.push_str(&serialisation_failure(&error));
                    return;
                }
            }
        }
        out.push('}');
    }
    out.push_str("],\"policies\":[");
    for (position, report) in decision.policies.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        reports.write(out, position, report);
        write_name(out, report.verdict.map_or("none", Verdict::as_str));
        out.push('}');
    }
    out.push_str("],\"now\":");
    write_str(out, &format_time(&decision.now));
    if let Some(activation) = &decision.grant_activation {
        out.push_str(",\"grant_activation\":");
        write_activation(out, activation);
    }
    if !decision.grant_activations.is_empty() {
        out.push_str(",\"grant_activations\":[");
        for (position, activation) in decision.grant_activations.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            write_activation(out, activation);
        }
        out.push(']');
    }
    out.push('}');
}

fn write_activation(out: &mut String, activation: &GrantActivation) {
    out.push_str("{\"environment\":");
    write_str(out, &activation.environment);
    out.push_str(",\"identity\":");
    write_str(out, &activation.identity);
    out.push_str(",\"firstOpenedAt\":");
    write_str(out, &format_time(&activation.first_opened_at));
    out.push_str(",\"accessEndsAt\":");
    write_str(out, &format_time(&activation.access_ends_at));
    out.push('}');
}

/// `"file:line:column"`, as `Location` serialises.
fn write_location(out: &mut String, location: &Location) {
    out.push('"');
    write_escaped(out, &location.file, Escapes::Serde);
    out.push(':');
    write_decimal(out, u64::from(location.line));
    out.push(':');
    write_decimal(out, u64::from(location.column));
    out.push('"');
}

/// `number` in decimal digits.
pub fn write_decimal(out: &mut String, number: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = number;
    loop {
        start -= 1;
        if let Some(digit) = digits.get_mut(start) {
            // `rest % 10` is below 10: the cast is exact.
            *digit = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || start == 0 {
            break;
        }
    }
    for &digit in digits.get(start..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

/// One of verdict's own names (a verdict, `none`), which never needs an escape.
fn write_name(out: &mut String, name: &'static str) {
    out.push('"');
    out.push_str(name);
    out.push('"');
}

fn write_str(out: &mut String, text: &str) {
    write_quoted(out, text, Escapes::Serde);
}

/// The escapes a JSON string is written with; they differ only in control characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escapes {
    /// `serde_json`'s, with `\b` and `\f` by name: decision lines.
    Serde,
    /// Go's, with only `\n`, `\r` and `\t` by name (`\u0008`): the policy language's JSON
    /// text, as OPA prints values.
    Go,
    /// A Rego string literal: Go's, and DEL written `\u007f` too.
    Rego,
}

/// `text` as a quoted JSON string.
pub fn write_quoted(out: &mut String, text: &str, escapes: Escapes) {
    out.push('"');
    write_escaped(out, text, escapes);
    out.push('"');
}

/// A string's contents escaped: `"`, `\` and control characters below U+0020 (and DEL for
/// Rego), the common ones by name. Most strings need no escape at all: eight bytes are
/// checked at a time, and such a string is copied whole.
pub fn write_escaped(out: &mut String, text: &str, escapes: Escapes) {
    if !any_needs_escape(text.as_bytes()) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        let code = u32::from(c);
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' if escapes == Escapes::Serde => out.push_str("\\b"),
            '\u{c}' if escapes == Escapes::Serde => out.push_str("\\f"),
            _ if code < 0x20 || (code == 0x7f && escapes == Escapes::Rego) => {
                // `\u00` and two lowercase hex digits.
                out.push_str("\\u00");
                out.push(char::from_digit(code >> 4, 16).unwrap_or('0'));
                out.push(char::from_digit(code & 0xf, 16).unwrap_or('0'));
            }
            c => out.push(c),
        }
    }
}

/// Whether any byte of `bytes` is `"`, `\`, below 0x20 or DEL, eight at a time; the last
/// few are padded with a byte that needs none.
#[inline]
fn any_needs_escape(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if needs_escape(u64::from_le_bytes(word)) {
            return true;
        }
    }
    let mut last = [b'a'; 8];
    for (slot, byte) in last.iter_mut().zip(chunks.remainder()) {
        *slot = *byte;
    }
    needs_escape(u64::from_le_bytes(last))
}

/// Whether any of eight bytes is `"`, `\`, below 0x20 or DEL (exact, by the usual bit
/// tricks for finding a zero byte or a byte less than a constant).
#[inline]
fn needs_escape(chunk: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below_space = chunk.wrapping_sub(ONES * 0x20) & !chunk;
    let quote = chunk ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = chunk ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    let delete = chunk ^ (ONES * 0x7f);
    let delete = delete.wrapping_sub(ONES) & !delete;
    (below_space | quote | backslash | delete) & HIGHS != 0
}

/// Serialising our own types cannot fail (string keys, finite numbers); if it ever did,
/// the output still must not read as an allow.
fn serialisation_failure(error: &serde_json::Error) -> String {
    serde_json::json!({"verdict": null, "error": {"class": "evaluation", "message": error.to_string()}})
        .to_string()
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use serde_json::json;

    use super::*;
    use crate::decision::{Outcome, PolicyReport};

    fn decision_line(decision: &Decision) -> String {
        let mut out = String::new();
        write_decision_line(&mut out, decision, &mut ReportPrefixes::default());
        out
    }

    fn outcome(verdict: Verdict, message: &str, details: Option<serde_json::Value>) -> Outcome {
        Outcome {
            verdict,
            message: message.to_string(),
            policy: "p\"olicy".into(),
            rule: "deny".into(),
            source: Location::new("dir/with \\ and \"quotes\".rego", 12, 3),
            details,
        }
    }

    #[test]
    fn the_three_escapes_differ_only_in_control_characters() {
        let text = "a\u{8}\u{c}\u{7f}\u{1f}\"\\\n";
        let quoted = |escapes| {
            let mut out = String::new();
            write_quoted(&mut out, text, escapes);
            out
        };
        assert_eq!(
            quoted(Escapes::Serde),
            "\"a\\b\\f\u{7f}\\u001f\\\"\\\\\\n\""
        );
        assert_eq!(
            quoted(Escapes::Go),
            "\"a\\u0008\\u000c\u{7f}\\u001f\\\"\\\\\\n\""
        );
        assert_eq!(
            quoted(Escapes::Rego),
            "\"a\\u0008\\u000c\\u007f\\u001f\\\"\\\\\\n\""
        );
        assert_eq!(
            quoted(Escapes::Serde),
            serde_json::to_string(text).unwrap_or_default()
        );
    }

    #[test]
    fn a_decision_line_is_what_serde_json_writes() {
        let now = DateTime::from_timestamp(1_800_000_000, 5_000_000).unwrap();
        let every_byte: String = (0u8..0x80).map(char::from).collect();
        let messages = [
            String::new(),
            "plain text long enough to be read eight bytes at a time".to_string(),
            every_byte,
            "ünïcødé → \u{1F600} and a tab\tin the middle\n".to_string(),
            "\u{7f}\u{1f}\u{0}\"\\".to_string(),
        ];
        let decisions = [
            Decision::combine(Vec::new(), Verdict::Pending, now),
            Decision {
                verdict: Verdict::Deny,
                defaulted: false,
                outcomes: messages
                    .iter()
                    .map(|message| outcome(Verdict::Deny, message, None))
                    .chain([outcome(
                        Verdict::Warn,
                        "with details",
                        Some(json!({"msg": "m", "n": [1, 2.5, null], "nested": {"k": "\u{1}"}})),
                    )])
                    .collect(),
                policies: vec![
                    PolicyReport {
                        policy: "a".into(),
                        source: Location::new("a.policy", 1, 1),
                        verdict: None,
                    },
                    PolicyReport {
                        policy: "b".into(),
                        source: Location::new("b.policy", u32::MAX, 0),
                        verdict: Some(Verdict::Allow),
                    },
                ],
                now,
                grant_activation: Some(GrantActivation {
                    environment: "prod".to_string(),
                    identity: "a@x".to_string(),
                    first_opened_at: now,
                    access_ends_at: now,
                }),
                grant_activations: vec![GrantActivation {
                    environment: "shared".to_string(),
                    identity: "a@x".to_string(),
                    first_opened_at: now,
                    access_ends_at: now,
                }],
            },
        ];
        for decision in decisions {
            assert_eq!(
                decision_line(&decision),
                serde_json::to_string(&decision).unwrap()
            );
        }
    }

    #[test]
    fn lines_written_one_after_another_name_each_decision_s_own_policies() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let report = |policy: &Arc<str>, file: &Arc<str>, line| PolicyReport {
            policy: Arc::clone(policy),
            source: Location::new(Arc::clone(file), line, 1),
            verdict: Some(Verdict::Warn),
        };
        let (a, b, quoted): (Arc<str>, Arc<str>, Arc<str>) = ("a".into(), "b".into(), "a\"".into());
        let (one, two): (Arc<str>, Arc<str>) = ("one.policy".into(), "two\\.policy".into());
        let decision = |policies| Decision {
            policies,
            ..Decision::combine(Vec::new(), Verdict::Pending, now)
        };
        // The same policies again, another in a place, another line of the same file, a
        // name equal in text but held apart, fewer policies, then more.
        let stream = [
            vec![report(&a, &one, 1), report(&b, &two, 2)],
            vec![report(&a, &one, 1), report(&b, &two, 2)],
            vec![report(&b, &two, 2), report(&a, &one, 1)],
            vec![report(&b, &two, 3), report(&quoted, &one, 1)],
            vec![report(&"b".into(), &"two\\.policy".into(), 3)],
            vec![
                report(&a, &one, 1),
                report(&b, &two, 2),
                report(&quoted, &two, 9),
            ],
        ];
        let mut reports = ReportPrefixes::default();
        for policies in stream {
            let decision = decision(policies);
            let mut line = String::new();
            write_decision_line(&mut line, &decision, &mut reports);
            assert_eq!(line, serde_json::to_string(&decision).unwrap());
        }
    }

    proptest::proptest! {
        /// Any stream of decisions, whose policies come and go, change place, or share a
        /// name's text without sharing its memory, is written as `serde_json` writes it.
        #[test]
        fn any_stream_of_decisions_is_written_as_serde_json_writes_it(
            stream in proptest::collection::vec(
                proptest::collection::vec((0..4usize, 0..3usize, 1..4u32), 0..5),
                1..8,
            )
        ) {
            let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
            // Two names of the same text held apart, and files with characters to escape.
            let names: [Arc<str>; 4] = ["a".into(), "a".into(), "b\"".into(), "ç\\d".into()];
            let files: [Arc<str>; 3] = ["one.policy".into(), "t\\w\"o.policy".into(), "one.policy".into()];
            let mut reports = ReportPrefixes::default();
            for policies in stream {
                let decision = Decision {
                    policies: policies
                        .iter()
                        .map(|&(name, file, line)| PolicyReport {
                            policy: Arc::clone(&names[name]),
                            source: Location::new(Arc::clone(&files[file]), line, 2),
                            verdict: None,
                        })
                        .collect(),
                    ..Decision::combine(Vec::new(), Verdict::Allow, now)
                };
                let mut line = String::new();
                write_decision_line(&mut line, &decision, &mut reports);
                proptest::prop_assert_eq!(line, serde_json::to_string(&decision).unwrap());
            }
        }
    }
}
