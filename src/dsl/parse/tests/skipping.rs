//! Parsing for a decision leaves `test` blocks out: everything else must come out exactly
//! as a full parse gives it, spans included, and problems outside the blocks must read the
//! same.

use std::path::Path;
use std::sync::Arc;

use super::{parse_text, render};
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{File, Item};
use crate::dsl::parse::{TestBlocks, parse_with};
use crate::source::SourceFile;

fn skipping(text: &str) -> Result<File, Vec<Diagnostic>> {
    parse_with(&SourceFile::new("test.policy", text), TestBlocks::Skip)
}

/// The full parse without its test blocks.
fn without_tests(file: File) -> Vec<Item> {
    file.items
        .into_iter()
        .filter(|item| !matches!(item, Item::Test(_)))
        .collect()
}

#[track_caller]
fn same_as_full_parse(text: &str) {
    match (parse_text(text), skipping(text)) {
        (Ok(full), Ok(skipped)) => {
            assert_eq!(skipped.comments, full.comments, "\nsource:\n{text}");
            assert_eq!(skipped.items, without_tests(full), "\nsource:\n{text}");
        }
        (Err(full), Err(skipped)) => {
            assert_eq!(render(&skipped), render(&full), "\nsource:\n{text}")
        }
        (full, skipped) => panic!("{text:?}\nfull parse: {full:?}\nskipping: {skipped:?}"),
    }
}

const TRICKY_TEST: &str = r##"
# a comment with "quotes" and { braces
test "braces } and \" in names" {
  input { a: { b: "}" }, c: ["{", "\"}"] }   # } in a comment
  set a.b = "é ${ {"x": "}"}.x } ✓"
  expect message contains "{"
}
"##;

#[test]
fn every_shipped_and_sample_file_parses_the_same_without_its_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    for folder in ["policies", "tests/data", "fuzz/seeds"] {
        for entry in walkdir::WalkDir::new(root.join(folder)) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|ext| ext == "policy") {
                same_as_full_parse(&std::fs::read_to_string(entry.path()).unwrap());
                files += 1;
            }
        }
    }
    assert!(files >= 15, "only {files} .policy files found");
}

#[test]
fn items_around_test_blocks_keep_their_places() {
    let text = format!(
        "policy \"a\" {{\n  deny \"x\" if true\n}}\n{TRICKY_TEST}\nruleset \"r\" {{\n  action deploy\n  approvers team \"ops\"\n  require 1 approval\n}}\n{TRICKY_TEST}"
    );
    same_as_full_parse(&text);
    let skipped = skipping(&text).unwrap();
    assert_eq!(skipped.items.len(), 2);
}

#[test]
fn a_mistake_outside_test_blocks_reads_the_same() {
    same_as_full_parse(&format!(
        "{TRICKY_TEST}\npolicy \"p\" {{\n  deny \"x\" if a ==\n}}\n"
    ));
    same_as_full_parse(&format!(
        "{TRICKY_TEST}\npolicy \"p\" {{\n  denny \"x\"\n}}\n"
    ));
    same_as_full_parse(&format!("{TRICKY_TEST}\nstray\n"));
    same_as_full_parse(&format!("{TRICKY_TEST}{TRICKY_TEST}"));
}

#[test]
fn every_common_mistake_outside_a_test_block_reads_the_same() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dsl/errors/common-mistakes.txt");
    let text = std::fs::read_to_string(path).unwrap();
    for case in text.split("\n=== ").skip(1) {
        let (_, body) = case.split_once('\n').unwrap();
        if !body.contains("test \"") {
            same_as_full_parse(body);
        }
    }
}

#[test]
fn a_mistake_inside_a_test_block_is_left_to_the_test_command() {
    let text = "policy \"p\" {\n  allow\n}\ntest \"t\" {\n  expect maybe\n}\n";
    assert!(parse_text(text).is_err());
    let skipped = skipping(text).unwrap();
    assert_eq!(skipped.items.len(), 1);
}

#[test]
fn unbalanced_test_blocks_are_still_refused() {
    for text in [
        "test \"t\" {\n  input { a: 1 \n}\n",
        "test \"t\" {\n  expect message == \"open\n}\n",
        "test \"t\" {\n  expect allow\n",
    ] {
        same_as_full_parse(text);
        assert!(skipping(text).is_err(), "{text:?}");
    }
}

#[test]
fn text_holding_the_markers_is_read_whole() {
    let text = "policy \"p\" {\n  allow \"\u{1}\"\n}\ntest \"t\" {\n  expect maybe\n}\n";
    let full = parse_text(text).unwrap_err();
    let skipped = skipping(text).unwrap_err();
    assert_eq!(render(&skipped), render(&full));
}

#[test]
fn a_file_of_tests_only_holds_nothing_to_decide() {
    let source: Arc<SourceFile> = SourceFile::new("t.policy", TRICKY_TEST);
    let file = parse_with(&source, TestBlocks::Skip).unwrap();
    assert!(file.items.is_empty());
    assert_eq!(parse_text(TRICKY_TEST).unwrap().items.len(), 1);
}
