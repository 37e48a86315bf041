//! `sprintf` for policies, replacing the engine's: values reach Go's formatter the way
//! OPA passes them (see `gofmt`), so messages read exactly as OPA writes them.

use std::fmt::Write as _;

use regorus::Value;

use super::gofmt::{self, GoArg};

/// What `sprintf(format, values)` gives; `None` when the arguments have the wrong types,
/// which OPA reports as a builtin error.
pub fn sprintf(arguments: &[Value]) -> Option<String> {
    let [format, values] = arguments else {
        return None;
    };
    let format = format.as_string().ok()?;
    let values = values.as_array().ok()?;
    let values: Vec<GoArg> = values.iter().map(go_arg).collect();
    Some(gofmt::sprintf(format, &values))
}

/// Numbers go as `int64` when integral and in range, as big integers when integral and
/// beyond, else as `float64`; strings as strings; anything else as its Rego text.
fn go_arg(value: &Value) -> GoArg {
    match value {
        Value::Number(number) if number.is_integer() => match number.as_i64() {
            Some(integer) => GoArg::Int(integer),
            None => GoArg::Big(number.format_decimal()),
        },
        Value::Number(number) => GoArg::Float(number.as_f64().unwrap_or(f64::NAN)),
        Value::String(text) => GoArg::Str(text.to_string()),
        other => GoArg::Str(rego_text(other)),
    }
}

/// A value as OPA prints a Rego term: `{"a": [true, null]}`, `{1, 2}`, `set()`.
pub fn rego_text(value: &Value) -> String {
    let mut text = String::new();
    write_term(&mut text, value);
    text
}

fn write_term(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => {
            let _ = write!(out, "{flag}");
        }
        Value::Number(_) => out.push_str(&number_text(value)),
        Value::String(text) => out.push_str(&gofmt::quote(text, false)),
        Value::Array(items) => {
            out.push('[');
            write_joined(out, items.iter());
            out.push(']');
        }
        Value::Set(items) if items.is_empty() => out.push_str("set()"),
        Value::Set(items) => {
            out.push('{');
            write_joined(out, items.iter_sorted());
            out.push('}');
        }
        Value::Object(fields) => {
            out.push('{');
            for (index, (key, field)) in fields.iter_sorted().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_term(out, key);
                out.push_str(": ");
                write_term(out, field);
            }
            out.push('}');
        }
        Value::Undefined => out.push_str("<undefined>"),
    }
}

fn write_joined<'a>(out: &mut String, items: impl Iterator<Item = &'a Value>) {
    for (index, item) in items.enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write_term(out, item);
    }
}

fn number_text(value: &Value) -> String {
    match go_arg(value) {
        GoArg::Int(integer) => integer.to_string(),
        GoArg::Big(digits) => digits,
        GoArg::Float(float) => gofmt::sprintf("%v", &[GoArg::Float(float)]),
        GoArg::Str(text) => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str) -> Value {
        Value::from_json_str(json).unwrap_or(Value::Undefined)
    }

    #[test]
    fn values_print_as_rego_terms() {
        // OPA: sprintf("%v|%v", [{"b": 1, "a": [true, null, "x"]}, set()]).
        let arguments = [
            Value::from("%v|%v|%s|%d"),
            Value::from(vec![
                value(r#"{"b": 1, "a": [true, null, "x"]}"#),
                Value::new_set(),
                value(r#"{"k": "v"}"#),
                Value::Bool(true),
            ]),
        ];
        assert_eq!(
            sprintf(&arguments).as_deref(),
            Some(r#"{"a": [true, null, "x"], "b": 1}|set()|{"k": "v"}|%!d(string=true)"#)
        );
    }

    #[test]
    fn big_integers_and_wrong_types() {
        let arguments = [
            Value::from("%d"),
            Value::from(vec![value("12345678901234567890")]),
        ];
        assert_eq!(sprintf(&arguments).as_deref(), Some("12345678901234567890"));
        assert_eq!(sprintf(&[Value::from("%d"), Value::from(1)]), None);
    }
}
