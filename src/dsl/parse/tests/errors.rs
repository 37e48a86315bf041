//! Parse errors: the messages people see for common mistakes.

use super::{errors_of, expr_error, parse_text, render};

/// Every case of `tests/data/dsl/errors/common-mistakes.txt` with its diagnostics, as one
/// snapshot to read through.
#[test]
fn common_mistakes() {
    let path = format!(
        "{}/tests/data/dsl/errors/common-mistakes.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut report = String::new();
    for case in text.split("\n=== ").skip(1) {
        let (title, body) = case.split_once('\n').unwrap();
        let body = body.trim_end();
        let outcome = match parse_text(body) {
            Ok(_) => "(parsed without errors)\n".to_string(),
            Err(errors) => render(&errors),
        };
        report.push_str(&format!("=== {title}\n{body}\n---\n{outcome}\n"));
    }
    insta::assert_snapshot!("common_mistakes", report);
}

#[test]
fn unknown_statement_suggests_the_closest_keyword() {
    let errors = errors_of("policy \"p\" {\n  denny \"x\" if true\n}");
    assert_eq!(
        errors.lines().next(),
        Some("test.policy:2:3: unknown statement `denny`")
    );
    assert!(errors.contains("help: did you mean `deny`?"), "{errors}");
}

#[test]
fn missing_parts_name_what_came_before() {
    expr_error(
        "a and",
        "test.policy:3:1: expected an expression after `and`, found `}`",
    );
    let errors = errors_of("policy \"p\" {\n  deny \"x\" if\n}");
    assert!(
        errors.starts_with("test.policy:3:1: expected an expression after `if`, found `}`"),
        "{errors}"
    );
    let errors = errors_of("policy \"p\" {\n  description 42\n}");
    assert!(
        errors.starts_with("test.policy:2:15: expected a string after `description`, found `42`"),
        "{errors}"
    );
}

#[test]
fn structure_problems_name_the_opening() {
    let errors = errors_of("\n\npolicy \"p\" {\n  deny if x\n");
    assert!(
        errors.starts_with(
            "test.policy:5:1: expected `}` to close the policy block opened at line 3"
        ),
        "{errors}"
    );
    let errors = errors_of("policy \"p\" {\n  deny \"oops if x\n}");
    assert!(
        errors.starts_with("test.policy:2:8: unterminated string"),
        "{errors}"
    );
}

#[test]
fn lowering_reports_every_problem_at_once() {
    let errors = errors_of("policy \"p\" {\n  when 2x\n  deny \"\\q\" if 1m1h\n}");
    assert_eq!(errors.matches("test.policy:").count(), 3, "{errors}");
}
