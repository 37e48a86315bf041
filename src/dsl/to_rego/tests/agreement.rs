//! Every shipped policy on every fixture: the compiled Rego decides as the policy does.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::support::{Both, parse_text};
use crate::dsl::ast::{File, Item};
use crate::source::SourceFile;

/// Files under `dir` (recursively) whose name ends with `extension`, sorted.
fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path, extension));
        } else if path.to_string_lossy().ends_with(extension) {
            found.push(path);
        }
    }
    found.sort();
    found
}

pub fn fixtures() -> Vec<(String, Value)> {
    let mut inputs: Vec<PathBuf> = files_under(Path::new("fixtures"), ".json");
    inputs.extend(
        files_under(Path::new("tests/data"), ".json")
            .into_iter()
            .filter(|path| path.parent().is_some_and(|dir| dir.ends_with("inputs"))),
    );
    inputs
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (
                path.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect()
}

/// The shipped policy files that hold policy blocks, with those blocks only.
pub fn shipped_policies() -> Vec<(File, Arc<SourceFile>)> {
    let mut files = files_under(Path::new("policies/dsl"), ".policy");
    files.extend(files_under(Path::new("tests/data/dsl/spec"), ".policy"));
    let mut parsed = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (mut file, source) = parse_text(&path.display().to_string(), &text);
        file.items.retain(|item| matches!(item, Item::Policy(_)));
        if !file.items.is_empty() {
            parsed.push((file, source));
        }
    }
    parsed
}

#[test]
fn every_shipped_policy_decides_every_fixture_as_compiled() {
    let files = shipped_policies();
    let mut both = Both::compile(&files);
    assert!(both.policies.len() >= 9, "{} policies", both.policies.len());
    let inputs = fixtures();
    assert!(inputs.len() >= 40, "{} fixtures", inputs.len());
    for index in 0..both.policies.len() {
        for (name, input) in &inputs {
            let context = format!("policy `{}` on {name}", both.policies[index].0.name());
            both.assert_agree(index, input, &context);
        }
    }
}
