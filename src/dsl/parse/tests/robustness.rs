//! The parser never panics and never overflows the stack, whatever it is given.

use proptest::prelude::*;

use super::{errors_of, parse_text};
use crate::dsl::parse::MAX_NESTING;

fn spec_examples() -> Vec<String> {
    ["cost-guard.policy", "rulesets.policy", "cost-test.policy"]
        .iter()
        .map(|name| {
            let path = format!("{}/tests/data/dsl/spec/{name}", env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(path).unwrap()
        })
        .collect()
}

/// Pieces of the language to splice into valid policies.
const FRAGMENTS: [&str; 24] = [
    "(", ")", "[", "]", "{", "}", "\"", "${", "\\", "#", "\n", " not ", " in ", " for ", " if ",
    "deny", "=", "==", ",", ".", "[*]", "1h", "é", "\u{0}",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, length: usize },
    Insert { at: usize, fragment: &'static str },
    Duplicate { at: usize, length: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, length)| Edit::Delete { at, length }),
        (any::<usize>(), prop::sample::select(FRAGMENTS.to_vec()))
            .prop_map(|(at, fragment)| Edit::Insert { at, fragment }),
        (any::<usize>(), 1..80usize).prop_map(|(at, length)| Edit::Duplicate { at, length }),
    ]
}

/// Applies an edit at a character boundary (positions wrap around the text).
fn apply(text: &str, edit: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let position = |at: usize| at % (chars.len() + 1);
    let slice = |from: usize, to: usize| {
        let to = to.min(chars.len());
        chars[from.min(to)..to].iter().collect::<String>()
    };
    match edit {
        Edit::Delete { at, length } => {
            let at = position(*at);
            slice(0, at) + &slice(at + length, chars.len())
        }
        Edit::Insert { at, fragment } => {
            let at = position(*at);
            slice(0, at) + fragment + &slice(at, chars.len())
        }
        Edit::Duplicate { at, length } => {
            let at = position(*at);
            let piece = slice(at, at + length);
            slice(0, at) + &piece + &slice(at, chars.len())
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = parse_text(&text);
    }

    #[test]
    fn policy_shaped_text_never_panics(
        text in "[a-z_ \"{}()\\[\\]<>=!?.,:#$\\\\\n0-9*+/%-]{0,300}",
    ) {
        let _ = parse_text(&format!("policy \"p\" {{\n  when {text}\n}}"));
        let _ = parse_text(&text);
    }

    #[test]
    fn edited_examples_never_panic(
        example in 0..3usize,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mut text = spec_examples().swap_remove(example);
        for edit in &edits {
            text = apply(&text, edit);
        }
        let _ = parse_text(&text);
    }
}

/// Runs a parse on a thread with a small stack, as a guard against unbounded recursion.
fn parse_on_small_stack(text: String) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || match parse_text(&text) {
            Ok(_) => Ok(()),
            Err(errors) => Err(super::render(&errors)),
        })
        .unwrap()
        .join()
        .unwrap()
}

fn when(expression: &str) -> String {
    format!("policy \"p\" {{\n  when {expression}\n}}\n")
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = [
        when(&format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000))),
        when(&format!("{}x{}", "[".repeat(10_000), "]".repeat(10_000))),
        when(&"(".repeat(100_000)),
        when(&format!("{}x", "not ".repeat(10_000))),
        when(&format!("{}x", "-".repeat(10_000))),
        when(&format!("x{}", " + x".repeat(10_000))),
        when(&format!("x{}", " or x".repeat(10_000))),
        when(&format!("{}x{}", "\"${".repeat(200), "}\"".repeat(200))),
        when(&format!("{}1{}", "{a: ".repeat(200), "}".repeat(200))),
        when(&format!("{}x{}", "f(".repeat(200), ")".repeat(200))),
    ];
    for text in deep {
        let errors = parse_on_small_stack(text).unwrap_err();
        assert!(errors.contains("expression nested too deeply"), "{errors}");
    }
}

#[test]
fn nesting_within_the_limits_parses() {
    let fine = [
        when(&format!("{}x{}", "(".repeat(60), ")".repeat(60))),
        when(&format!("x{}", " + x".repeat(200))),
        when(&format!("{}x", "not ".repeat(200))),
        when(&format!("{}x{}", "a[".repeat(30), "]".repeat(30))),
    ];
    // Every kind of nesting at the deepest the scan lets through (the policy's braces are
    // one level): the scan, not the parser, bounds the parser's recursion, so these must
    // parse on a small stack.
    let inside = MAX_NESTING - 1;
    let deepest = [
        when(&format!("{}x{}", "(".repeat(inside), ")".repeat(inside))),
        when(&format!("{}x{}", "[".repeat(inside), "]".repeat(inside))),
        when(&format!("{}1{}", "{a: ".repeat(inside), "}".repeat(inside))),
        when(&format!("{}x{}", "f(".repeat(inside), ")".repeat(inside))),
        when(&format!(
            "{}x{}",
            "\"${".repeat(inside / 2),
            "}\"".repeat(inside / 2)
        )),
        when(&format!(
            "{}x{}",
            "[-(not ".repeat(inside / 2),
            ")]".repeat(inside / 2)
        )),
    ];
    for text in fine.into_iter().chain(deepest) {
        parse_on_small_stack(text).unwrap();
    }
}

#[test]
fn nesting_errors_point_at_the_level_too_many() {
    let errors = errors_of(&when(&format!("{}x{}", "(".repeat(70), ")".repeat(70))));
    assert!(
        errors.starts_with("test.policy:2:71: expression nested too deeply"),
        "{errors}"
    );
}
