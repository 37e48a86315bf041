//! The README's first decision prints what the README shows.

use crate::harness::Verdict;

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
