//! Values as text: in `${...}` interpolation, as JSON, and back into `serde_json` values.

use std::fmt::Write as _;

use super::limits::{text_fits, traversal_step};
use serde_json::Value as Json;

use super::value::{Document, Value};
use crate::decision::format_time;
use crate::render::json::{Escapes, write_quoted};

/// A number in its shortest form: `150`, `10.01`, `-0.5`; never an exponent.
pub fn format_number(number: f64) -> String {
    let mut out = String::new();
    write_number(number, &mut out);
    out
}

fn write_number(number: f64, out: &mut String) {
    // `Display` for `f64` prints the shortest text that reads back as the same number,
    // and never prints `.0` for whole numbers. Writing to a `String` cannot fail.
    let _ = write!(out, "{}", if number == 0.0 { 0.0 } else { number });
}

/// Appends a value as `${...}` shows it: strings as they are, numbers in their shortest
/// form, times in RFC 3339, durations compactly (`1h30m`), everything else as JSON.
pub fn write_interpolated(value: &Value<'_>, out: &mut String) {
    match value {
        Value::Str(text) => out.push_str(text),
        Value::String(text) => out.push_str(text),
        Value::Number(number) => write_number(*number, out),
        Value::Time(time) => out.push_str(&format_time(time)),
        Value::Duration(delta) => out.push_str(&crate::duration::format(*delta)),
        _ => write_json(value, out),
    }
}

/// The text `${value}` renders to.
pub fn interpolated(value: &Value<'_>) -> String {
    let mut out = String::new();
    write_interpolated(value, &mut out);
    out
}

/// Appends a value as compact JSON; times and durations become strings. Stops early
/// when the evaluation's time or string limit passes (the evaluation then halts).
pub fn write_json(value: &Value<'_>, out: &mut String) {
    if !traversal_step() || !text_fits(out.len()) {
        return;
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => write_number(*number, out),
        Value::Str(text) => write_json_string(text, out),
        Value::String(text) => write_json_string(text, out),
        Value::Time(time) => write_json_string(&format_time(time), out),
        Value::Duration(delta) => write_json_string(&crate::duration::format(*delta), out),
        Value::Array(_) | Value::List(_) => {
            out.push('[');
            for (position, item) in value.elements().into_iter().flatten().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_json(&item, out);
            }
            out.push(']');
        }
        Value::Map(_) | Value::Object(_) => {
            out.push('{');
            for (position, (key, item)) in value.entries().into_iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_json(&item, out);
            }
            out.push('}');
        }
    }
}

/// The compact JSON text of a value.
pub fn json_text(value: &Value<'_>) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json_string(text: &str, out: &mut String) {
    write_quoted(out, text, Escapes::Go);
}

/// The value as a `serde_json` value; times and durations become strings, whole numbers
/// become integers.
pub fn to_json(value: &Value<'_>) -> Json {
    // As in `write_json`: a stopped walk gives up, and the evaluation halts.
    if matches!(value, Value::List(_) | Value::Object(_)) && !traversal_step() {
        return Json::Null;
    }
    match value {
        Value::Null => Json::Null,
        Value::Bool(flag) => Json::Bool(*flag),
        Value::Number(number) => number_to_json(*number),
        Value::Str(text) => Json::String((*text).to_string()),
        Value::String(text) => Json::String(text.to_string()),
        Value::Array(items) => Json::Array(items.iter().map(Document::to_json).collect()),
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(key, item)| (key.to_string(), item.to_json()))
                .collect(),
        ),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Object(map) => Json::Object(
            map.iter()
                .map(|(key, item)| ((*key).to_string(), to_json(item)))
                .collect(),
        ),
        Value::Time(time) => Json::String(format_time(time)),
        Value::Duration(delta) => Json::String(crate::duration::format(*delta)),
    }
}

/// Whole numbers within the exactly representable range become JSON integers, so that
/// `150` stays `150` rather than `150.0`.
pub fn number_to_json(number: f64) -> Json {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if number.fract() == 0.0 && number.abs() <= EXACT {
        // Whole and within ±2^53: the cast is exact.
        Json::from(number as i64)
    } else {
        serde_json::Number::from_f64(number).map_or(Json::Null, Json::Number)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_render_in_shortest_form() {
        assert_eq!(format_number(150.0), "150");
        assert_eq!(format_number(10.01), "10.01");
        assert_eq!(format_number(-0.5), "-0.5");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e21), "1000000000000000000000");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn interpolation_shows_strings_bare_and_the_rest_as_json() {
        let json = json!({"s": "a\"b", "list": [1, 2.5, "x"], "obj": {"k": null}});
        let arena = crate::document::Arena::new();
        let json = Document::from_json(&json, &arena);
        let document = Value::from_document(&json);
        assert_eq!(interpolated(&document.field("s")), "a\"b");
        assert_eq!(interpolated(&document.field("list")), r#"[1,2.5,"x"]"#);
        assert_eq!(interpolated(&document.field("obj")), r#"{"k":null}"#);
        assert_eq!(interpolated(&Value::Null), "null");
        assert_eq!(interpolated(&Value::Bool(true)), "true");
    }

    #[test]
    fn json_strings_escape_control_characters() {
        assert_eq!(json_text(&Value::Str("a\u{1}\n\"é")), r#""a\u0001\n\"é""#);
    }

    #[test]
    fn whole_numbers_become_integers() {
        assert_eq!(number_to_json(150.0), json!(150));
        assert_eq!(number_to_json(10.5), json!(10.5));
        assert_eq!(to_json(&Value::list(vec![Value::Number(1.0)])), json!([1]));
    }
}
