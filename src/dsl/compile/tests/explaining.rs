//! Policies loaded to decide are compiled without explainers and build them when first
//! explained: the explanation must be the one a policy compiled with them gives.

use std::path::Path;

use super::super::CompiledPolicy;
use crate::dsl::ast::{Item, PolicyBlock};
use crate::dsl::check::check_compiling;
use crate::dsl::eval::Limits;
use crate::dsl::eval::program::Explainers;
use crate::dsl::parse::{TestBlocks, parse_with};
use crate::source::SourceFile;

fn blocks(file: &crate::dsl::ast::File) -> Vec<&PolicyBlock> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Policy(block) => Some(block),
            _ => None,
        })
        .collect()
}

#[test]
fn every_shipped_policy_explains_as_if_compiled_with_its_explainers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
        .unwrap()
        .to_utc();
    let inputs: Vec<serde_json::Value> = std::fs::read_dir(root.join("fixtures/env0"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect();
    assert!(inputs.len() > 10);
    let mut explained = 0;
    for entry in std::fs::read_dir(root.join("policies/dsl")).unwrap() {
        let path = entry.unwrap().path();
        let source = SourceFile::new("p.policy", std::fs::read_to_string(&path).unwrap());
        for tests in [TestBlocks::Skip, TestBlocks::Read] {
            let file = parse_with(&source, tests).unwrap();
            let (lean, diagnostics) = check_compiling(&file, &source, &Limits::default());
            assert!(
                diagnostics.is_empty(),
                "{}: {diagnostics:?}",
                path.display()
            );
            for (block, lean) in blocks(&file).into_iter().zip(lean) {
                let lean = lean.unwrap();
                let full = CompiledPolicy::compile(block, &source).unwrap();
                for input in &inputs {
                    assert_eq!(
                        lean.explain(input, now).unwrap(),
                        full.explain(input, now).unwrap()
                    );
                    assert_eq!(
                        lean.evaluate(input, now).unwrap(),
                        full.evaluate(input, now).unwrap()
                    );
                }
                explained += 1;
            }
        }
    }
    assert!(explained >= 14, "{explained} policies");
}

#[test]
fn a_policy_not_found_again_in_its_file_is_not_explained() {
    let text = "policy \"p\" {\n  deny \"no\" if input.x == 1\n}\n";
    let source = SourceFile::new("p.policy", text);
    let file = parse_with(&source, TestBlocks::Skip).unwrap();
    // The same block, but its file says something else by the time it is explained.
    let elsewhere = SourceFile::new("p.policy", "policy \"q\" {\n  allow\n}\n");
    let block = blocks(&file)[0];
    let (lean, _) =
        CompiledPolicy::compile_checked(block, &elsewhere, &Limits::default(), Explainers::Skip);
    let error = lean
        .unwrap()
        .explain(&serde_json::json!({"x": 1}), chrono::Utc::now());
    let message = format!("{:?}", error.unwrap_err());
    assert!(message.contains("could not be compiled again"), "{message}");
}
