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

/// A compiled glob, matched against whole strings.
#[derive(Clone, Debug)]
pub enum Glob {
    /// Literal text with `*` and `?` alone (as `acme/*/prod`), matched as `globset` would
    /// but without building its regular expression: building one takes a one-shot
    /// `verdict eval` longer than its whole decision, and reads the process's CPU quota
    /// from the file system for the expression's cache.
    Simple(Box<str>),
    /// Every other glob, by `globset`.
    Full(GlobMatcher),
}

impl Glob {
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Glob::Simple(pattern) => simple_match(pattern.as_bytes(), text.as_bytes()),
            Glob::Full(matcher) => matcher.is_match(text),
        }
    }
}

/// A glob over whole strings: `*` and `?` do not cross `/`, `**` does; `{a,b}` and
/// `[abc]` as usual; `\` escapes.
pub fn compile_glob(pattern: &str) -> Result<Glob, globset::Error> {
    if is_simple(pattern) {
        return Ok(Glob::Simple(pattern.into()));
    }
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|glob| Glob::Full(glob.compile_matcher()))
}

/// Whether a glob has nothing but literal text, `*` and `?`: no `**`, no classes,
/// alternatives or escapes (nor a `,` or a `]`, which `globset` reads within them).
fn is_simple(pattern: &str) -> bool {
    !pattern.contains(['[', ']', '{', '}', ',', '\\']) && !pattern.contains("**")
}

/// Matches a simple glob as `globset` does with a literal separator: byte by byte, `?`
/// any one byte but `/`, `*` any run of them. Since neither crosses a `/`, the pattern's
/// and the text's segments between slashes pair up one to one.
fn simple_match(pattern: &[u8], text: &[u8]) -> bool {
    let mut patterns = pattern.split(|&byte| byte == b'/');
    let mut texts = text.split(|&byte| byte == b'/');
    loop {
        match (patterns.next(), texts.next()) {
            (Some(pattern), Some(text)) if segment_matches(pattern, text) => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Matches one segment, with no `/` in either: on a mismatch, the last `*` seen takes
/// one more byte and matching resumes after it (an earlier `*` taking more could only
/// leave the later one less to match).
fn segment_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut at_pattern, mut at_text) = (0, 0);
    // Where matching resumes after the last `*`: the pattern after it, and the text
    // after what it has taken so far.
    let mut last_star: Option<(usize, usize)> = None;
    while let Some(&byte) = text.get(at_text) {
        match pattern.get(at_pattern) {
            Some(b'*') => {
                at_pattern += 1;
                last_star = Some((at_pattern, at_text));
            }
            Some(&wanted) if wanted == b'?' || wanted == byte => {
                at_pattern += 1;
                at_text += 1;
            }
            _ => match last_star {
                Some((after_star, taken)) => {
                    at_pattern = after_star;
                    at_text = taken + 1;
                    last_star = Some((after_star, taken + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(at_pattern..)
        .is_some_and(|rest| rest.iter().all(|&byte| byte == b'*'))
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

    /// `globset` itself, as `compile_glob` builds it for any pattern.
    fn by_globset(pattern: &str) -> Option<GlobMatcher> {
        GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .ok()
            .map(|glob| glob.compile_matcher())
    }

    #[test]
    fn simple_globs_skip_globset_and_the_rest_use_it() {
        for simple in ["acme/*/prod", "", "*", "a?c", "é/*.x", "a/*/"] {
            assert!(
                matches!(compile_glob(simple), Ok(Glob::Simple(_))),
                "{simple}"
            );
        }
        for full in ["**/prod", "a**", "[ab]", "{a,b}", "a\\*", "a,b", "a]"] {
            assert!(!matches!(compile_glob(full), Ok(Glob::Simple(_))), "{full}");
        }
    }

    #[test]
    fn simple_globs_match_as_globset_does_at_the_edges() {
        let cases = [
            ("acme/*/prod", "acme//prod"),
            ("*/", "a/"),
            ("*", "a/"),
            ("/*", "/"),
            ("a*b*c", "abcbc"),
            ("a*b*c", "abcb"),
            ("*a", "aaa"),
            ("?", "é"),
            ("??", "é"),
            ("*é", "aé"),
            ("a?/b", "a/b"),
        ];
        for (pattern, text) in cases {
            let expected = by_globset(pattern).expect("valid").is_match(text);
            assert_eq!(
                simple_match(pattern.as_bytes(), text.as_bytes()),
                expected,
                "{pattern} {text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn simple_globs_match_as_globset_does(
            pattern in "[ab*?/é.]{0,8}",
            text in "[ab/é.]{0,10}",
        ) {
            proptest::prop_assume!(is_simple(&pattern));
            let expected = by_globset(&pattern).expect("a simple glob is valid").is_match(&text);
            proptest::prop_assert_eq!(compile_glob(&pattern).expect("valid").is_match(&text), expected);
        }
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
