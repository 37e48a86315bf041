//! Rego literals for the values a policy writes: numbers as the doubles the policy language
//! reads, strings escaped for Rego, and `sprintf` formats.

use crate::render::json::{Escapes, write_quoted};

/// The largest integer below which every integer is a double.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53

/// A number literal that reads back as the same double: the shortest form for fractions
/// and for whole numbers up to 2^53 (`150`, `10.01`), and every digit of larger whole
/// numbers (`1e23` is `99999999999999991611392`), which Rego reads exactly. `-0` is `0`,
/// as in the policy language; a number that is not finite is `null`.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "null".to_string();
    }
    let value = if value == 0.0 { 0.0 } else { value };
    if value.fract() == 0.0 && value.abs() > EXACT_INTEGERS {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// A Rego string literal: JSON's escapes are Rego's.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    write_quoted(&mut out, text, Escapes::Rego);
    out
}

/// Text as a `sprintf` format shows it: `%` doubled.
pub fn format_text(text: &str) -> String {
    text.replace('%', "%%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_as_the_same_double() {
        assert_eq!(number(150.0), "150");
        assert_eq!(number(10.01), "10.01");
        assert_eq!(number(-0.5), "-0.5");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1e-7), "0.0000001");
        assert_eq!(number(9_007_199_254_740_992.0), "9007199254740992");
        assert_eq!(number(1e23), "99999999999999991611392");
        assert_eq!(number(f64::NAN), "null");
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_control_characters() {
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(string("line\nnext\u{1}"), r#""line\nnext\u0001""#);
        assert_eq!(string("naïve ✓"), "\"naïve ✓\"");
    }

    #[test]
    fn formats_double_percent_signs() {
        assert_eq!(format_text("100% of ${x}"), "100%% of ${x}");
    }
}
