//! The README's first decision prints what the README shows, and its policy-language
//! example and that example's test hold as a reader would copy them.

use crate::harness::{Scratch, Verdict};

/// The command the README gives, and the text block that follows it.
fn first_decision() -> (Vec<String>, Vec<String>) {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let command = readme
        .lines()
        .find(|line| line.starts_with("cargo run --release -- eval"))
        .expect("the README gives a first decision");
    let args = command
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let after = readme.split_once(command).unwrap().1;
    let block = after
        .split_once("```text\n")
        .unwrap()
        .1
        .split_once("```")
        .unwrap()
        .0;
    (args, block.lines().map(str::to_string).collect())
}

#[test]
fn the_first_decision_prints_what_the_readme_shows() {
    let (args, shown) = first_decision();
    let output = Verdict::new(&args).run().code(2);
    let printed: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(printed.len(), shown.len(), "{}", output.stdout);
    for (printed, shown) in printed.iter().zip(&shown) {
        match shown.strip_suffix("...") {
            Some(prefix) => assert!(
                printed.starts_with(prefix),
                "{printed:?} does not start with {prefix:?}"
            ),
            None => assert_eq!(printed, shown),
        }
    }
}

/// The text of the README's code block that starts with `first_line`.
fn block_starting(first_line: &str) -> String {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme
        .find(first_line)
        .unwrap_or_else(|| panic!("the README shows `{first_line}`"));
    let block = &readme[start..];
    block[..block.find("```").expect("the block ends")].to_string()
}

#[test]
fn the_policy_example_is_formatted_and_its_test_passes() {
    let policy = block_starting("policy \"cost-guard\" {");
    let test = block_starting("test \"cost above the threshold");
    let fixture = std::fs::read("fixtures/env0/deploy-cost-150.json").unwrap();
    // Laid out as the test's `input` path expects: the policies beside the fixtures.
    let scratch = Scratch::new()
        .file("policies/cost-guard.policy", &policy)
        .file("policies/tests.policy", &test)
        .file("fixtures/env0/deploy-cost-150.json", fixture);
    Verdict::new([
        "fmt",
        "--check",
        &scratch.path("policies/cost-guard.policy"),
    ])
    .run()
    .code(0);
    Verdict::new(["test", &scratch.path("policies")])
        .run()
        .code(0)
        .stdout_has("1 passed, 0 failed");
}
