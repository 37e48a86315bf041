//! Pattern builtins: `matches(s, glob)` and `regex(s, pattern)`.
//!
//! A literal pattern is compiled once, when the policy is compiled, and an invalid one is
//! a check error; a pattern computed at evaluation time is compiled per call, and an
//! invalid one makes the call `false`.

use globset::{GlobBuilder, GlobMatcher};
use regex::{Regex, RegexBuilder};

use crate::dsl::eval::value::Value;

/// The most memory a compiled regular expression may take; patterns come from policies
/// and inputs, and a pathological one must not exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A glob over whole strings: `*` and `?` do not cross `/`, `**` does; `{a,b}` and
/// `[abc]` as usual; `\` escapes.
pub fn compile_glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|glob| glob.compile_matcher())
}

/// A regular expression (the `regex` crate's syntax), matched anywhere in the string
/// unless anchored with `^` and `$`.
pub fn compile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// The one-line reason a regular expression does not compile.
pub fn regex_error_reason(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .rev()
        .find_map(|line| line.strip_prefix("error: "))
        .map_or_else(
            || text.lines().last().unwrap_or("").to_string(),
            str::to_string,
        )
}

pub fn matches_glob<'a>(text: &Value<'a>, pattern: &Value<'a>) -> Value<'a> {
    let (Some(text), Some(pattern)) = (text.as_str(), pattern.as_str()) else {
        return Value::Null;
    };
    Value::Bool(compile_glob(pattern).is_ok_and(|glob| glob.is_match(text)))
}

pub fn matches_regex<'a>(text: &Value<'a>, pattern: &Value<'a>) -> Value<'a> {
    let (Some(text), Some(pattern)) = (text.as_str(), pattern.as_str()) else {
        return Value::Null;
    };
    Value::Bool(compile_regex(pattern).is_ok_and(|regex| regex.is_match(text)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::dsl::eval::builtins::test_support::call_json as call;

    #[test]
    fn globs_match_whole_strings_and_stars_stay_in_a_segment() {
        let glob = |text: &str, pattern: &str| call("matches", &[json!(text), json!(pattern)]);
        assert_eq!(glob("acme/payments/prod", "acme/*/prod"), json!(true));
        assert_eq!(glob("acme/a/b/prod", "acme/*/prod"), json!(false));
        assert_eq!(glob("acme/a/b/prod", "acme/**/prod"), json!(true));
        assert_eq!(glob("acme/payments/prod-eu", "acme/*/prod-*"), json!(true));
        assert_eq!(glob("acme/payments/prod", "acme/*/prod-*"), json!(false));
        assert_eq!(glob("xacme/p/prod", "acme/*/prod"), json!(false));
        assert_eq!(glob("acme/p/dev", "acme/p/{dev,test}"), json!(true));
        assert_eq!(glob("a*b", "a\\*b"), json!(true));
        assert_eq!(glob("ab", "a\\*b"), json!(false));
        assert_eq!(glob("", "*"), json!(true));
    }

    #[test]
    fn invalid_dynamic_globs_are_false_and_wrong_types_null() {
        assert_eq!(call("matches", &[json!("a"), json!("[a")]), json!(false));
        assert_eq!(call("matches", &[json!(null), json!("*")]), json!(null));
        assert_eq!(call("matches", &[json!("a"), json!(1)]), json!(null));
    }

    #[test]
    fn regexes_match_anywhere_unless_anchored() {
        let regex = |text: &str, pattern: &str| call("regex", &[json!(text), json!(pattern)]);
        assert_eq!(regex("release-1.2", r"\d+\.\d+"), json!(true));
        assert_eq!(regex("release-1.2", r"^\d"), json!(false));
        assert_eq!(regex("ÉCOLE", r"(?i)^école$"), json!(true));
        assert_eq!(regex("", ""), json!(true));
        assert_eq!(regex("abc", "(unclosed"), json!(false));
        assert_eq!(call("regex", &[json!(["a"]), json!("a")]), json!(null));
    }

    #[test]
    fn regex_errors_read_in_one_line() {
        let error = compile_regex("a(").unwrap_err();
        assert_eq!(regex_error_reason(&error), "unclosed group");
    }
}
