//! `to_number` as OPA has it: strings are read with Go's number syntax, so a policy
//! accepts and rejects the same text under verdict as under OPA (a padded `" 5"` is no
//! number there, `"007"` and `"1_000"` are).

use regorus::Value;

/// What `to_number(value)` gives; `None` when OPA reports a builtin error.
pub fn to_number(arguments: &[Value]) -> Option<Value> {
    match arguments {
        [Value::Null] => Some(Value::from(0u64)),
        [Value::Bool(flag)] => Some(Value::from(u64::from(*flag))),
        [number @ Value::Number(_)] => Some(number.clone()),
        [Value::String(text)] => go_decimal(text).and_then(|json| Value::from_json_str(&json).ok()),
        _ => None,
    }
}

/// A string Go's `strconv.ParseFloat` accepts as a finite decimal number, rewritten as a
/// JSON number; `None` for anything else. Go's hexadecimal floats, infinities and NaN are
/// left out: OPA rejects the last two, and no policy writes the first.
fn go_decimal(text: &str) -> Option<String> {
    let (sign, unsigned) = match text.as_bytes().first()? {
        b'-' => ("-", text.get(1..)?),
        b'+' => ("", text.get(1..)?),
        _ => ("", text),
    };
    if !underscores_between_digits(unsigned) {
        return None;
    }
    let plain: String = unsigned.chars().filter(|c| *c != '_').collect();
    let (mantissa, exponent) = match plain.find(['e', 'E']) {
        Some(at) => (plain.get(..at)?, Some(plain.get(at + 1..)?)),
        None => (plain.as_str(), None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut json = format!("{sign}{}", whole.trim_start_matches('0'));
    if json.len() == sign.len() {
        json.push('0');
    }
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !all_digits(digits) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    // Go reports a value beyond the range of a float64 as an error.
    json.parse::<f64>().ok().filter(|value| value.is_finite())?;
    Some(json)
}

/// Go allows `_` in a number only between two digits.
fn underscores_between_digits(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(at, byte)| {
        *byte != b'_'
            || at
                .checked_sub(1)
                .and_then(|before| bytes.get(before))
                .is_some_and(u8::is_ascii_digit)
                && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Option<String> {
        to_number(&[Value::from(text)]).map(|value| value.to_json_str().unwrap_or_default())
    }

    #[test]
    fn numbers_read_as_go_reads_them() {
        // OPA: each of these is a number.
        assert_eq!(number("42").as_deref(), Some("42"));
        assert_eq!(number("+5").as_deref(), Some("5"));
        assert_eq!(number(".5").as_deref(), Some("0.5"));
        assert_eq!(number("5.").as_deref(), Some("5"));
        assert_eq!(number("00012").as_deref(), Some("12"));
        assert_eq!(number("-0012.50").as_deref(), Some("-12.5"));
        assert_eq!(number("1_000").as_deref(), Some("1000"));
        assert_eq!(number("1E-2").as_deref(), Some("0.01"));
        assert_eq!(
            number("12345678901234567890").as_deref(),
            Some("12345678901234567890")
        );
        // OPA: each of these is an error.
        for text in [
            " 5", "5 ", "", "-", ".", "1_", "_1", "1__0", "1_.5", "Inf", "NaN", "1e400", "1e",
            "0x10", "- 5", "1.5.2",
        ] {
            assert_eq!(number(text), None, "{text:?}");
        }
    }

    #[test]
    fn other_values_convert_as_in_opa() {
        assert_eq!(to_number(&[Value::Null]), Some(Value::from(0u64)));
        assert_eq!(to_number(&[Value::Bool(true)]), Some(Value::from(1u64)));
        assert_eq!(to_number(&[Value::new_array()]), None);
    }
}
