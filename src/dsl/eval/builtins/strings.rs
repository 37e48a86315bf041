//! String builtins: `lower`, `upper`, `trim`, `starts_with`, `ends_with`, `split`, `join`.
//! Case mapping is Unicode-aware; results that equal their argument reuse it.

use crate::dsl::eval::limits::{Budget, Halt};
use crate::dsl::eval::render::write_interpolated;
use crate::dsl::eval::value::Value;

pub fn lower<'a>(value: &Value<'a>) -> Value<'a> {
    map_case(value, u8::is_ascii_uppercase, str::to_lowercase)
}

pub fn upper<'a>(value: &Value<'a>) -> Value<'a> {
    map_case(value, u8::is_ascii_lowercase, str::to_uppercase)
}

/// Applies a case mapping, reusing the argument when no character would change (the usual
/// case for identities that are already lowercase).
fn map_case<'a>(
    value: &Value<'a>,
    changes: fn(&u8) -> bool,
    mapping: fn(&str) -> String,
) -> Value<'a> {
    let Some(text) = value.as_str() else {
        return Value::Null;
    };
    // Characters that are neither upper- nor lowercase may still map (titlecase letters),
    // so only plain ASCII text with no letter of the other case is taken as unchanged.
    let unchanged = text.is_ascii() && !text.bytes().any(|byte| changes(&byte));
    if unchanged {
        value.clone()
    } else {
        Value::string(mapping(text))
    }
}

/// Removes leading and trailing whitespace; a borrowed string stays borrowed.
pub fn trim<'a>(value: &Value<'a>) -> Value<'a> {
    match value {
        Value::Str(text) => Value::Str(text.trim()),
        Value::String(text) if text.trim().len() == text.len() => value.clone(),
        Value::String(text) => Value::string(text.trim().to_string()),
        _ => Value::Null,
    }
}

pub fn starts_with<'a>(text: &Value<'a>, prefix: &Value<'a>) -> Value<'a> {
    match (text.as_str(), prefix.as_str()) {
        (Some(text), Some(prefix)) => Value::Bool(text.starts_with(prefix)),
        _ => Value::Null,
    }
}

pub fn ends_with<'a>(text: &Value<'a>, suffix: &Value<'a>) -> Value<'a> {
    match (text.as_str(), suffix.as_str()) {
        (Some(text), Some(suffix)) => Value::Bool(text.ends_with(suffix)),
        _ => Value::Null,
    }
}

/// Splits a string at each separator; an empty separator splits into characters.
pub fn split<'a>(text: &Value<'a>, separator: &Value<'a>) -> Value<'a> {
    let Some(separator) = separator.as_str() else {
        return Value::Null;
    };
    let parts: Vec<Value<'a>> = match text {
        Value::Str(text) if separator.is_empty() => text
            .char_indices()
            .map(|(at, c)| Value::Str(text.get(at..at + c.len_utf8()).unwrap_or_default()))
            .collect(),
        Value::Str(text) => text.split(separator).map(Value::Str).collect(),
        Value::String(text) if separator.is_empty() => {
            text.chars().map(|c| Value::string(c.to_string())).collect()
        }
        Value::String(text) => text
            .split(separator)
            .map(|part| Value::string(part.to_string()))
            .collect(),
        _ => return Value::Null,
    };
    Value::list(parts)
}

/// Joins a list of strings and numbers with a separator; `null` when an element is
/// anything else.
pub fn join<'a>(
    items: &Value<'a>,
    separator: &Value<'a>,
    budget: &mut Budget,
) -> Result<Value<'a>, Halt> {
    let (Some(elements), Some(separator)) = (items.elements(), separator.as_str()) else {
        return Ok(Value::Null);
    };
    if !items.is_list() {
        return Ok(Value::Null);
    }
    let mut joined = String::new();
    for (position, item) in elements.enumerate() {
        if !(item.is_string() || matches!(item, Value::Number(_))) {
            return Ok(Value::Null);
        }
        if position > 0 {
            joined.push_str(separator);
        }
        write_interpolated(&item, &mut joined);
        budget.check_length(joined.len())?;
    }
    budget.build_string(joined.len())?;
    Ok(Value::string(joined))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::dsl::eval::builtins::test_support::call_json as call;

    #[test]
    fn case_mapping_is_unicode_aware() {
        assert_eq!(
            call("lower", &[json!("Alice@ACME.io")]),
            json!("alice@acme.io")
        );
        assert_eq!(
            call("lower", &[json!("ÉCOLE Straße")]),
            json!("école straße")
        );
        assert_eq!(call("upper", &[json!("straße")]), json!("STRASSE"));
        assert_eq!(call("lower", &[json!("ǅ")]), json!("ǆ"));
        assert_eq!(call("upper", &[json!("")]), json!(""));
        assert_eq!(call("lower", &[json!(null)]), json!(null));
        assert_eq!(call("upper", &[json!(["a"])]), json!(null));
    }

    #[test]
    fn trim_removes_surrounding_whitespace() {
        assert_eq!(
            call("trim", &[json!("  bob@acme.io\n")]),
            json!("bob@acme.io")
        );
        assert_eq!(call("trim", &[json!("\u{3000}x\u{a0}")]), json!("x"));
        assert_eq!(call("trim", &[json!("   ")]), json!(""));
        assert_eq!(call("trim", &[json!(1)]), json!(null));
    }

    #[test]
    fn prefixes_and_suffixes() {
        assert_eq!(
            call("starts_with", &[json!("acme/prod"), json!("acme/")]),
            json!(true)
        );
        assert_eq!(
            call("starts_with", &[json!("acme"), json!("")]),
            json!(true)
        );
        assert_eq!(call("starts_with", &[json!("é"), json!("e")]), json!(false));
        assert_eq!(
            call("ends_with", &[json!("acme/prod"), json!("/prod")]),
            json!(true)
        );
        assert_eq!(
            call("ends_with", &[json!("prod"), json!("acme/prod")]),
            json!(false)
        );
        assert_eq!(call("ends_with", &[json!(null), json!("x")]), json!(null));
        assert_eq!(call("starts_with", &[json!("x"), json!(1)]), json!(null));
    }

    #[test]
    fn split_and_join() {
        assert_eq!(
            call("split", &[json!("acme/payments/prod"), json!("/")]),
            json!(["acme", "payments", "prod"])
        );
        assert_eq!(call("split", &[json!(""), json!(",")]), json!([""]));
        assert_eq!(call("split", &[json!("né"), json!("")]), json!(["n", "é"]));
        assert_eq!(call("split", &[json!(1), json!(",")]), json!(null));
        assert_eq!(
            call("join", &[json!(["a", 2, "c"]), json!(", ")]),
            json!("a, 2, c")
        );
        assert_eq!(call("join", &[json!([]), json!(",")]), json!(""));
        assert_eq!(call("join", &[json!(["a", null]), json!(",")]), json!(null));
        assert_eq!(call("join", &[json!({"a": "b"}), json!(",")]), json!(null));
    }
}
