//! Formatting never changes meaning: every `.policy` file in the repository, and trees
//! generated at random, read back the same after formatting.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::generate::{item, unparen_file};
use super::{assert_same_meaning, formatted};
use crate::dsl::ast::File;
use crate::dsl::format::{print_file, strip_spans};
use crate::dsl::parse::parse;
use crate::source::SourceFile;

// ---------------------------------------------------------------------------------------
// the repository's policy files

fn policy_files(directory: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if name == "target" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            policy_files(&path, found);
        } else if name.ends_with(".policy") {
            found.push(path);
        }
    }
}

#[test]
fn every_policy_file_keeps_its_meaning_and_formats_once() {
    let mut files = Vec::new();
    policy_files(Path::new(env!("CARGO_MANIFEST_DIR")), &mut files);
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if parse(&SourceFile::new("f.policy", text.as_str())).is_err() {
            // Files that exist to show errors have nothing to format.
            continue;
        }
        let output = formatted(&text);
        assert_same_meaning(&text, &output);
        assert_eq!(
            formatted(&output),
            output,
            "{} formats differently twice",
            path.display()
        );
    }
}

// ---------------------------------------------------------------------------------------
// generated trees

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_trees_read_back_the_same(items in prop::collection::vec(item(), 0..3)) {
        let mut original = File { items, comments: Vec::new() };
        let printed = print_file(&original);
        let mut read_back = match parse(&SourceFile::new("generated.policy", printed.as_str())) {
            Ok(file) => file,
            Err(errors) => {
                let errors: Vec<String> = errors.iter().map(|e| e.one_line()).collect();
                return Err(TestCaseError::fail(format!("{printed}\n{}", errors.join("\n"))));
            }
        };
        strip_spans(&mut read_back);
        prop_assert_eq!(print_file(&read_back), printed.clone(), "printing is not stable");
        unparen_file(&mut original);
        unparen_file(&mut read_back);
        prop_assert_eq!(read_back, original, "{}", printed);
    }
}

// ---------------------------------------------------------------------------------------
// edited examples: line breaks, blank lines and comments in odd places

fn spec_examples() -> String {
    ["cost-guard.policy", "rulesets.policy", "cost-test.policy"]
        .iter()
        .map(|name| {
            let path = format!("{}/tests/data/dsl/spec/{name}", env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(path).unwrap()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Inserts a fragment at the `at`-th whitespace of the text (wrapping around).
fn insert_at_whitespace(text: &str, at: usize, fragment: &str) -> String {
    let spaces: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(index, _)| index)
        .collect();
    let Some(&offset) = spaces.get(at % spaces.len().max(1)) else {
        return text.to_string();
    };
    format!("{}{fragment}{}", &text[..offset], &text[offset..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn edited_examples_format_stably(
        edits in prop::collection::vec(
            (any::<usize>(), prop::sample::select(vec!["\n", "\n\n", " # c\n", "\n# own\n", "\t", " "])),
            1..8,
        ),
    ) {
        let mut text = spec_examples();
        for (at, fragment) in &edits {
            text = insert_at_whitespace(&text, *at, fragment);
        }
        if parse(&SourceFile::new("edited.policy", text.as_str())).is_ok() {
            let output = formatted(&text);
            assert_same_meaning(&text, &output);
            prop_assert_eq!(formatted(&output), output.clone(), "not idempotent:\n{}", text);
        }
    }
}

#[test]
fn line_ends_may_be_crlf() {
    let text = spec_examples().replace('\n', "\r\n");
    let output = formatted(&text);
    assert!(!output.contains('\r'));
    assert_eq!(output, formatted(&spec_examples()));
}
