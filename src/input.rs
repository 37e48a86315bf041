//! Reading the input document: from a file or stdin, within the size limit, as UTF-8
//! (a byte-order mark is allowed), as one JSON object (SPEC 2); and the evaluation time.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use serde_json::Value;

use crate::catalog::json_reason;
use crate::diagnostic::Diagnostic;
use crate::document::{Arena, Document};
use crate::error::{Error, ErrorClass, Result};
use crate::limits::{JSON_DEPTH, format_size};
use crate::projection::Projection;
use crate::rego::RegoInput;
use crate::source::SourceFile;

/// The JSON Schema of the input document (SPEC 2), printed by `verdict schema`.
pub const SCHEMA: &str = include_str!("input.schema.json");

/// Where the input document comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSource {
    Stdin,
    File(PathBuf),
}

impl InputSource {
    /// `-` and no flag at all both mean stdin.
    pub fn from_flag(flag: Option<&Path>) -> InputSource {
        match flag {
            Some(path) if path != Path::new("-") => InputSource::File(path.to_path_buf()),
            _ => InputSource::Stdin,
        }
    }

    /// The name diagnostics use for it.
    pub fn display_name(&self) -> String {
        match self {
            InputSource::Stdin => "<stdin>".to_string(),
            InputSource::File(path) => path.display().to_string(),
        }
    }

    /// All of the input's bytes, refusing more than `limit`.
    pub fn read(&self, limit: u64) -> Result<Vec<u8>> {
        let name = self.display_name();
        match self {
            InputSource::Stdin => read_limited(std::io::stdin().lock(), limit, &name, 0),
            InputSource::File(path) => {
                let file = std::fs::File::open(path).map_err(|error| Error::io(&name, &error))?;
                let metadata = file.metadata().ok();
                if metadata.as_ref().is_some_and(std::fs::Metadata::is_dir) {
                    return Err(Error::unreadable(
                        Diagnostic::error(format!("cannot read `{name}`: it is a directory"))
                            .in_file(name.as_str())
                            .with_help("pass the input document's file, or `-` for stdin"),
                    ));
                }
                let expected = metadata.map_or(0, |metadata| metadata.len());
                read_limited(file, limit, &name, expected)
            }
        }
    }
}

/// Reads everything from `reader`, failing once more than `limit` bytes arrive.
pub fn read_limited(reader: impl Read, limit: u64, name: &str, expected: u64) -> Result<Vec<u8>> {
    let bytes = read_up_to(reader, limit, expected).map_err(|error| Error::io(name, &error))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(name, limit));
    }
    Ok(bytes)
}

/// Everything `reader` gives, but no more than one byte past `limit`: more than `limit`
/// bytes back means the source is over it. With the `expected` length (a file's), the
/// bytes are read in one call rather than in doubling pieces; the limit applies to what
/// is read, whatever was expected.
pub fn read_up_to(reader: impl Read, limit: u64, expected: u64) -> std::io::Result<Vec<u8>> {
    let capacity = usize::try_from(expected.min(limit).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The error of an input over the size limit.
pub fn too_large(name: &str, limit: u64) -> Error {
    Error::invalid(
        Diagnostic::error(format!(
            "`{name}` is larger than the input limit of {}",
            format_size(limit)
        ))
        .in_file(name)
        .with_help(
            "raise the limit with `--max-input-size` if the document is expected to be this large",
        ),
    )
}

/// The bytes as text: UTF-8, with a leading byte-order mark dropped.
pub fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str> {
    let (bytes, skipped) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, 3),
        None => (bytes, 0),
    };
    std::str::from_utf8(bytes).map_err(|error| {
        let at = error.valid_up_to() + skipped;
        Error::invalid(
            Diagnostic::error(format!("`{name}` is not valid UTF-8 (at byte {at})"))
                .in_file(name)
                .with_help("input documents and policies must be UTF-8 text"),
        )
    })
}

/// Parses the text of an input document: one JSON object.
pub fn parse_document(name: &str, text: &str) -> Result<Value> {
    parse_document_with(name, text, serde_json::from_str, |value: &Value| {
        (!value.is_object()).then(|| json_type(value))
    })
}

/// Parses the text of an input document, keeping only what `projection` keeps (the parts
/// the policies read); it is checked and refused exactly as [`parse_document`] does.
pub fn parse_projected<'t>(
    name: &str,
    text: &'t str,
    projection: &Projection,
    arena: &'t Arena,
) -> Result<Document<'t>> {
    parse_document_with(
        name,
        text,
        |text| projection.parse(text, arena),
        |document| {
            (!matches!(document, Document::Object(_))).then(|| json_type(&document.to_json()))
        },
    )
}

/// Parses the text of an input document straight into the Rego engines' form, for a set
/// that only Rego reads; it is checked and refused exactly as [`parse_document`] does.
pub fn parse_rego_document(name: &str, text: &str) -> Result<RegoInput> {
    parse_document_with(name, text, RegoInput::parse, |document| {
        document
            .value()
            .as_object()
            .is_err()
            .then(|| rego_type(document.value()))
    })
}

fn rego_type(value: &regorus::Value) -> &'static str {
    match value {
        regorus::Value::Null => "null",
        regorus::Value::Bool(_) => "boolean",
        regorus::Value::Number(_) => "number",
        regorus::Value::String(_) => "string",
        regorus::Value::Array(_) | regorus::Value::Set(_) => "array",
        regorus::Value::Object(_) => "object",
        regorus::Value::Undefined => "undefined",
    }
}

/// Parses with `parse`, refusing an empty text, invalid JSON, and a value `not_object`
/// names the kind of.
fn parse_document_with<'t, T>(
    name: &str,
    text: &'t str,
    parse: impl FnOnce(&'t str) -> serde_json::Result<T>,
    not_object: impl FnOnce(&T) -> Option<&'static str>,
) -> Result<T> {
    if text.trim().is_empty() {
        return Err(Error::invalid(
            Diagnostic::error(format!("`{name}` is empty: expected a JSON object"))
                .in_file(name)
                .with_help("pipe the request document in, or name it with `--input FILE`"),
        ));
    }
    let value = parse(text).map_err(|error| json_error(name, text, &error))?;
    if let Some(kind) = not_object(&value) {
        return Err(Error::invalid(
            Diagnostic::error(format!(
                "`{name}` is a JSON {kind}, not an object: the input document is one JSON object",
            ))
            .in_file(name),
        ));
    }
    Ok(value)
}

/// A JSON syntax error, pointing at the line and column serde_json reports.
pub fn json_error(name: &str, text: &str, error: &serde_json::Error) -> Error {
    let reason = json_reason(error);
    let (message, help) = if reason.contains("recursion limit") {
        (
            format!("`{name}` is nested deeper than {JSON_DEPTH} levels"),
            "flatten the document; deeper nesting is refused to keep evaluation bounded",
        )
    } else {
        (
            format!("invalid JSON in `{name}`: {reason}"),
            "the input document must be one JSON object",
        )
    };
    let diagnostic = Diagnostic::error(message).with_help(help);
    let located = if error.line() > 0 {
        let source = SourceFile::new(name, text);
        diagnostic.at_line_column(&source, to_u32(error.line()), to_u32(error.column().max(1)))
    } else {
        diagnostic.in_file(name)
    };
    Error {
        class: ErrorClass::Invalid,
        diagnostics: vec![located],
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The JSON type name of a value, as messages say it.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Reads an RFC 3339 time. A leap second (`23:59:60.5Z`) is the instant it names, in the
/// next minute (`00:00:00.5Z`): read as chrono keeps it, it would come before that
/// minute's start, and a grant expiring then would still be active.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let time = DateTime::parse_from_rfc3339(text.trim())
        .ok()?
        .with_timezone(&Utc);
    match time.nanosecond().checked_sub(1_000_000_000) {
        None => Some(time),
        Some(past) => time
            .with_nanosecond(0)?
            .checked_add_signed(TimeDelta::seconds(1) + TimeDelta::nanoseconds(i64::from(past))),
    }
}

/// The evaluation time: `--now`, else the input's `now`, else the system clock.
pub fn resolve_now(
    flag: Option<DateTime<Utc>>,
    input: &Value,
    name: &str,
) -> Result<DateTime<Utc>> {
    resolve_now_from(flag, name, || match input.get("now") {
        None | Some(Value::Null) => NowField::Missing,
        Some(Value::String(text)) => NowField::Text(text),
        Some(other) => NowField::Other(other.to_string()),
    })
}

/// [`resolve_now`] for a document in the Rego engines' form.
pub fn resolve_rego_now(
    flag: Option<DateTime<Utc>>,
    input: &RegoInput,
    name: &str,
) -> Result<DateTime<Utc>> {
    resolve_now_from(flag, name, || match input.field("now") {
        None | Some(regorus::Value::Null) => NowField::Missing,
        Some(regorus::Value::String(text)) => NowField::Text(text),
        Some(other) => NowField::Other(other.to_string()),
    })
}

/// [`resolve_now`] for a document read with a projection (which always keeps `now`).
pub fn resolve_document_now(
    flag: Option<DateTime<Utc>>,
    input: &Document<'_>,
    name: &str,
) -> Result<DateTime<Utc>> {
    resolve_now_from(flag, name, || match input.get("now") {
        None | Some(Document::Null) => NowField::Missing,
        Some(Document::String(text)) => NowField::Text(text),
        Some(other) => NowField::Other(other.to_json().to_string()),
    })
}

/// What a document holds as `now`, whatever its form.
enum NowField<'a> {
    Missing,
    Text(&'a str),
    /// Not a string: the value as JSON, for the message.
    Other(String),
}

fn resolve_now_from<'a>(
    flag: Option<DateTime<Utc>>,
    name: &str,
    field: impl FnOnce() -> NowField<'a>,
) -> Result<DateTime<Utc>> {
    if let Some(now) = flag {
        return Ok(now);
    }
    match field() {
        NowField::Missing => Ok(Utc::now()),
        NowField::Text(text) => parse_time(text).ok_or_else(|| bad_now(name, text)),
        NowField::Other(json) => Err(bad_now(name, &json)),
    }
}

fn bad_now(name: &str, text: &str) -> Error {
    Error::invalid(
        Diagnostic::error(format!(
            "`now` in `{name}` is not an RFC 3339 time: `{text}`"
        ))
        .in_file(name)
        .with_help(
            "write it as `2026-11-21T10:00:00Z`, or leave it out to use `--now` or the clock",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_leap_second_is_the_instant_it_names_in_the_next_minute() {
        let at = |text: &str| parse_time(text).map(|time| time.to_rfc3339());
        assert_eq!(
            at("2026-11-21T10:00:60.5Z").as_deref(),
            Some("2026-11-21T10:01:00.500+00:00")
        );
        assert_eq!(
            at(" 2016-12-31T23:59:60+00:00 ").as_deref(),
            Some("2017-01-01T00:00:00+00:00")
        );
        assert!(parse_time("2026-11-21T10:00:60.5Z") > parse_time("2026-11-21T10:01:00Z"));
        assert_eq!(
            at("2026-11-21T11:00:00+01:00").as_deref(),
            Some("2026-11-21T10:00:00+00:00")
        );
        assert_eq!(at("2026-11-21T10:00:61Z"), None);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_bad_utf8_refused() {
        assert_eq!(decode("x", b"\xEF\xBB\xBF{}").unwrap(), "{}");
        let error = decode("x", b"{\"a\": \"\xff\"}").unwrap_err();
        assert_eq!(error.class, ErrorClass::Invalid);
        assert!(error.diagnostics[0].message.contains("at byte 7"));
    }

    #[test]
    fn only_an_object_is_an_input_document() {
        assert!(parse_document("x", "{\"a\": 1}").is_ok());
        for (text, says) in [
            ("[]", "array"),
            ("3", "number"),
            ("  ", "empty"),
            ("{", "EOF"),
        ] {
            let error = parse_document("x", text).unwrap_err();
            assert!(
                error.diagnostics[0].message.contains(says),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn syntax_errors_point_at_line_and_column() {
        let error = parse_document("in.json", "{\n  \"a\": 1,,\n}").unwrap_err();
        let location = error.diagnostics[0].location().unwrap();
        assert_eq!((location.line, location.column), (2, 10));
    }

    #[test]
    fn deep_nesting_is_a_clear_limit() {
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        let error = parse_document("x", &deep).unwrap_err();
        assert!(
            error.diagnostics[0]
                .message
                .contains("nested deeper than 128")
        );
    }

    #[test]
    fn reading_stops_at_the_limit() {
        assert!(read_limited(&b"12345"[..], 5, "x", 5).is_ok());
        let error = read_limited(&b"123456"[..], 5, "x", 0).unwrap_err();
        assert!(
            error.diagnostics[0]
                .message
                .contains("larger than the input limit of 5 bytes")
        );
        // What a file's length promised does not change what the limit lets in.
        assert!(read_limited(&b"123456"[..], 5, "x", 2).is_err());
        assert!(read_limited(&b"123456"[..], 5, "x", u64::MAX).is_err());
        assert_eq!(
            read_limited(&b"1234"[..], 5, "x", 9).ok(),
            Some(b"1234".to_vec())
        );
    }

    #[test]
    fn now_comes_from_the_flag_then_the_input() {
        let flag = parse_time("2026-01-01T00:00:00Z");
        let input = json!({"now": "2026-11-21T10:00:00+01:00"});
        assert_eq!(resolve_now(flag, &input, "x").unwrap(), flag.unwrap());
        let from_input = resolve_now(None, &input, "x").unwrap();
        assert_eq!(from_input.to_rfc3339(), "2026-11-21T09:00:00+00:00");
        assert!(resolve_now(None, &json!({"now": "yesterday"}), "x").is_err());
    }
}
