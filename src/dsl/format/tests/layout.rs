//! Layout by construct: blocks, statements, rules, expressions, literals.

use super::{formats, unchanged};

/// A policy holding the given statement lines, indented canonically.
fn policy(lines: &[&str]) -> String {
    let mut out = String::from("policy \"p\" {\n");
    for line in lines {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str("}\n");
    out
}

/// Asserts that an expression, as a `when` guard, formats to `expected`.
#[track_caller]
fn expr(input: &str, expected: &str) {
    formats(
        &policy(&[&format!("when {input}")]),
        &policy(&[&format!("when {expected}")]),
    );
}

// ---------------------------------------------------------------------------------------
// blocks

#[test]
fn blocks_are_separated_by_one_blank_line() {
    formats(
        "policy \"a\" {}\n\n\n\npolicy \"b\" {\ndeny\n}\ntest \"c\" {}",
        "policy \"a\" {}\n\npolicy \"b\" {\n  deny\n}\n\ntest \"c\" {}\n",
    );
    formats("policy \"a\" {\n\n}", "policy \"a\" {}\n");
    formats("", "");
    formats("\n\n", "");
}

#[test]
fn statements_are_indented_with_blank_lines_kept_once() {
    formats(
        "policy \"p\" {\n\n      when a\n\n\n\n   let b = 1\n   deny\n\n}",
        &policy(&["when a", "", "let b = 1", "deny"]),
    );
}

#[test]
fn spec_examples_keep_their_shape() {
    for name in ["rulesets.policy", "cost-test.policy"] {
        let path = format!("{}/tests/data/dsl/spec/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        // The examples are written canonically, bar the alignment of trailing comments.
        formats(
            &text,
            &text
                .replace("\"   #", "\"  #")
                .replace("150          #", "150       #"),
        );
    }
}

// ---------------------------------------------------------------------------------------
// policy statements

#[test]
fn policy_statements() {
    unchanged(&policy(&[
        "description \"guard\"",
        "when a",
        "config { maxCost: 10, \"hard-limit\": 5000 }",
        "let x = a.b ?? 0",
    ]));
    formats(
        "policy \"p\" {\n  config {maxCost:10,}\n  let   x=1\n}",
        &policy(&["config { maxCost: 10 }", "let x = 1"]),
    );
}

#[test]
fn runs_of_rules_are_aligned() {
    formats(
        &policy(&[
            "deny \"long message here\" if a",
            "pending \"short\" if b",
            "warn if c",
            "allow",
        ]),
        &policy(&[
            "deny    \"long message here\" if a",
            "pending \"short\"             if b",
            "warn                        if c",
            "allow",
        ]),
    );
    formats(
        &policy(&["deny if a", "pending for x in xs if b"]),
        &policy(&["deny    if a", "pending for x in xs if b"]),
    );
}

#[test]
fn blank_lines_and_comments_end_a_run() {
    unchanged(&policy(&["deny \"a\" if a", "", "pending \"bb\" if b"]));
    unchanged(&policy(&[
        "deny \"a\" if a",
        "# why",
        "pending \"bb\" if b",
    ]));
    unchanged(&policy(&[
        "deny \"a\" if a",
        "let x = 1",
        "pending \"bb\" if b",
    ]));
}

#[test]
fn rules_broken_by_their_author_stay_broken() {
    unchanged(&policy(&["deny \"m\"", "  for r in rs", "  if r.bad"]));
    formats(
        &policy(&["deny \"m\" for r in rs", "      if r.bad"]),
        &policy(&["deny \"m\"", "  for r in rs", "  if r.bad"]),
    );
    formats(&policy(&["deny", "if  a"]), &policy(&["deny", "  if a"]));
    unchanged(&policy(&["deny \"m\" for r in rs if r.bad"]));
}

// ---------------------------------------------------------------------------------------
// rulesets and tests

#[test]
fn ruleset_statements_are_canonical() {
    formats(
        "ruleset \"r\" {\n  action open,update\n  require 1 approvals\n  require 3 approval\n  max_access_duration \"4h\"\n  max_grant_expiration \"PT4H\"\n  environments \"a\" ,\"b\"\n  approvers team \"x\",user \"y\"\n}",
        "ruleset \"r\" {\n  action open, update\n  require 1 approval\n  require 3 approvals\n  max_access_duration 4h\n  max_grant_expiration \"PT4H\"\n  environments \"a\", \"b\"\n  approvers team \"x\", user \"y\"\n}\n",
    );
}

#[test]
fn test_statements_are_canonical() {
    formats(
        "test \"t\" {\n  input {a:1}\n  set a [0] . b=2\n  expect  no  warn\n  expect outcomes 0\n  expect message==\"x\"\n  expect not   defaulted\n}",
        "test \"t\" {\n  input { a: 1 }\n  set a[0].b = 2\n  expect no warn\n  expect outcomes 0\n  expect message == \"x\"\n  expect not defaulted\n}\n",
    );
}

// ---------------------------------------------------------------------------------------
// expressions

#[test]
fn operators_are_spaced() {
    expr("a==b and(c)", "a == b and (c)");
    expr("a+b*c-d/e%f??g", "a + b * c - d / e % f ?? g");
    expr("x not  in xs or not(y)", "x not in xs or not (y)");
    expr("- a", "-a");
    expr("- (a + b)", "-(a + b)");
    expr("a  .  b [ 0 ] [*] .c", "a.b[0][*].c");
}

#[test]
fn parentheses_are_kept() {
    expr("((a))", "((a))");
    expr("(a + b) * c", "(a + b) * c");
    expr("a + (b * c)", "a + (b * c)");
}

#[test]
fn calls_and_comprehensions() {
    expr("f( a ,b, )", "f(a, b)");
    expr("count( x for x in xs if x )", "count(x for x in xs if x)");
    expr("[ x.a for x in xs ]", "[x.a for x in xs]");
}

#[test]
fn collections_on_one_line() {
    expr("[1 ,2,]", "[1, 2]");
    expr("[ ]", "[]");
    expr("{ }", "{}");
    expr("{a:1,\"b c\":[2]}", "{ a: 1, \"b c\": [2] }");
}

#[test]
fn collections_broken_by_their_author_stay_broken() {
    formats(
        &policy(&["when x in [\"a\",", "\"b\"]"]),
        &policy(&["when x in [", "  \"a\",", "  \"b\",", "]"]),
    );
    formats(
        "test \"t\" {\n  input {\n    request: {action: \"open\",\n      id: 1},\n    now: \"x\"}\n}",
        "test \"t\" {\n  input {\n    request: {\n      action: \"open\",\n      id: 1,\n    },\n    now: \"x\",\n  }\n}\n",
    );
}

// ---------------------------------------------------------------------------------------
// literals

#[test]
fn strings_are_escaped_canonically() {
    expr(r#""\u{41}\$x \${y} ${z}""#, r#""A$x \${y} ${z}""#);
    expr("\"tab\there\"", r#""tab\there""#);
    expr(r#""\u{7}\u{e9}""#, r#""\u{7}é""#);
    expr(r#""${ a + b }""#, r#""${a + b}""#);
}

#[test]
fn numbers_are_written_shortest() {
    expr("1.50", "1.5");
    expr("1e3", "1000");
    expr("007", "7");
    expr("1e21", "1e21");
    expr("0.000001", "1e-6");
    expr("2.5e-3", "0.0025");
}

#[test]
fn durations_are_kept_as_written() {
    expr("90m + 1h30m", "90m + 1h30m");
}

#[test]
fn a_messy_file() {
    let path = format!(
        "{}/tests/data/dsl/format/messy.policy",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let output = super::formatted(&text);
    super::assert_same_meaning(&text, &output);
    assert_eq!(super::formatted(&output), output);
    insta::assert_snapshot!("messy", output);
}

#[test]
fn files_that_do_not_parse_are_not_formatted() {
    let source = crate::source::SourceFile::new("bad.policy", "policy \"p\" {\n  denny\n}\n");
    let errors = crate::dsl::format::format(&source).unwrap_err();
    assert_eq!(
        errors[0].one_line(),
        "bad.policy:2:3: unknown statement `denny`"
    );
}
