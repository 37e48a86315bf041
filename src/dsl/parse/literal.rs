//! Reading literal tokens: escapes, numbers, durations and whole numbers. Each function
//! returns what the text means or why it means nothing; the lowering adds the place.

use crate::duration;

/// What a problem with a literal is, as a message and advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LiteralError {
    pub message: String,
    pub help: Option<&'static str>,
}

impl LiteralError {
    fn new(message: String, help: Option<&'static str>) -> LiteralError {
        LiteralError { message, help }
    }
}

/// The character an escape (`\n`, `\u{1F600}`, including the backslash) stands for.
pub(super) fn unescape(escape: &str) -> Result<char, LiteralError> {
    let body = escape.strip_prefix('\\').unwrap_or(escape);
    match body {
        "\"" => Ok('"'),
        "\\" => Ok('\\'),
        "n" => Ok('\n'),
        "t" => Ok('\t'),
        "r" => Ok('\r'),
        "$" => Ok('$'),
        _ => match body
            .strip_prefix("u{")
            .and_then(|hex| hex.strip_suffix('}'))
        {
            Some(hex) => unicode_escape(escape, hex),
            None => Err(LiteralError::new(
                format!("unknown escape `{escape}`"),
                Some("the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\$` and `\\u{...}`"),
            )),
        },
    }
}

fn unicode_escape(escape: &str, hex: &str) -> Result<char, LiteralError> {
    let valid_digits =
        !hex.is_empty() && hex.len() <= 6 && hex.chars().all(|c| c.is_ascii_hexdigit());
    valid_digits
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
        .and_then(char::from_u32)
        .ok_or_else(|| {
            LiteralError::new(
                format!("invalid unicode escape `{escape}`"),
                Some("write one to six hexadecimal digits naming a character, as in `\\u{e9}`"),
            )
        })
}

/// What a numeric token is: a number or a duration in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Numeric {
    Number(f64),
    Duration(i64),
}

const DURATION_UNITS: [char; 5] = ['w', 'd', 'h', 'm', 's'];

/// Reads a numeric token (`10`, `2.5`, `1e-3`, `90m`, `1h30m`).
pub(super) fn numeric(text: &str) -> Result<Numeric, LiteralError> {
    if is_decimal(text) {
        return match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Numeric::Number(value)),
            _ => Err(LiteralError::new(
                format!("number `{text}` is too large"),
                None,
            )),
        };
    }
    if text.ends_with(DURATION_UNITS) {
        return duration::parse_millis(text)
            .map(Numeric::Duration)
            .ok_or_else(|| {
                LiteralError::new(
                    format!("invalid duration `{text}`"),
                    Some("write whole numbers with units from weeks down to seconds, each once, as in `90m`, `1h30m` or `2d`"),
                )
            });
    }
    Err(LiteralError::new(
        format!("invalid number `{text}`"),
        Some("numbers are written like `10`, `2.5` or `1e3`; durations like `90m` or `1h30m`"),
    ))
}

/// Digits, an optional fraction, an optional exponent: what `f64` parsing should read.
fn is_decimal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (text.get(..at).unwrap_or(""), text.get(at + 1..)),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    let exponent_ok = exponent
        .is_none_or(|exponent| digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent)));
    digits(whole) && fraction.is_none_or(digits) && exponent_ok
}

/// Reads a signed whole number (`2`, `-1`), as written after `require` or `outcomes`.
pub(super) fn whole_number(text: &str) -> Result<i64, LiteralError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(LiteralError::new(
            format!("expected a whole number, found `{text}`"),
            None,
        ));
    }
    text.parse::<i64>()
        .map_err(|_| LiteralError::new(format!("number `{text}` is too large"), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(unescape("\\n"), Ok('\n'));
        assert_eq!(unescape("\\$"), Ok('$'));
        assert_eq!(unescape("\\u{e9}"), Ok('é'));
        assert_eq!(unescape("\\u{1F600}"), Ok('😀'));
        assert!(unescape("\\q").is_err());
        assert!(unescape("\\u{}").is_err());
        assert!(unescape("\\u{D800}").is_err());
        assert!(unescape("\\u{1234567}").is_err());
        assert!(unescape("\\u").is_err());
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(numeric("10"), Ok(Numeric::Number(10.0)));
        assert_eq!(numeric("2.5"), Ok(Numeric::Number(2.5)));
        assert_eq!(numeric("1e-3"), Ok(Numeric::Number(0.001)));
        assert_eq!(numeric("1E3"), Ok(Numeric::Number(1000.0)));
        assert_eq!(numeric("90m"), Ok(Numeric::Duration(5_400_000)));
        assert_eq!(numeric("1h30m"), Ok(Numeric::Duration(5_400_000)));
        assert!(numeric("1e999").is_err());
        assert!(numeric("1m1h").is_err());
        assert!(numeric("2x").is_err());
        assert!(numeric("1_000").is_err());
        assert!(numeric("1e").is_err());
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole_number("2"), Ok(2));
        assert_eq!(whole_number("-1"), Ok(-1));
        assert!(whole_number("1.5").is_err());
        assert!(whole_number("99999999999999999999").is_err());
    }
}
