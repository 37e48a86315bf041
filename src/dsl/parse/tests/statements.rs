//! Items and statements: policy, ruleset and test blocks, and where statements end.

use super::{parse_text, parses_to};
use crate::dsl::ast::{Item, Statement};
use crate::source::Span;

// ---------------------------------------------------------------------------------------
// policy statements

#[test]
fn empty_blocks_and_several_items() {
    parses_to(
        "policy \"a\" {}\nruleset \"b\" {\n}\ntest \"c\" {}",
        "(policy \"a\")\n(ruleset \"b\")\n(test \"c\")",
    );
    parses_to("", "");
    parses_to("# only a comment\n", "");
}

#[test]
fn rule_forms() {
    parses_to("policy \"p\" {\n  deny\n}", "(policy \"p\"\n  (deny))");
    parses_to(
        "policy \"p\" {\n  warn \"careful\"\n}",
        "(policy \"p\"\n  (warn \"careful\"))",
    );
    parses_to(
        "policy \"p\" {\n  allow if x\n}",
        "(policy \"p\"\n  (allow (if x)))",
    );
    parses_to(
        "policy \"p\" {\n  pending for r in rs\n}",
        "(policy \"p\"\n  (pending (for r rs)))",
    );
    parses_to(
        "policy \"p\" {\n  deny \"m ${r}\"\n    for r in rs\n    if r.bad\n}",
        "(policy \"p\"\n  (deny (str \"m \" r) (for r rs) (if (path r .bad))))",
    );
}

#[test]
fn a_statement_ends_where_the_next_begins() {
    parses_to(
        "policy \"p\" {\n  let a = x\n  deny if a\n  allow\n  when b\n}",
        "(policy \"p\"\n  (let a x)\n  (deny (if a))\n  (allow)\n  (when b))",
    );
    // an operator at the start of a line continues the expression
    parses_to(
        "policy \"p\" {\n  when a\n    and b\n}",
        "(policy \"p\"\n  (when (and a b)))",
    );
}

#[test]
fn some_statement_words_are_still_names_in_expressions() {
    parses_to(
        "policy \"p\" {\n  when description == approvers[0].deny\n}",
        "(policy \"p\"\n  (when (== description (path approvers [0] .deny))))",
    );
    parses_to(
        "policy \"p\" {\n  when config.x and expect and set\n}",
        "(policy \"p\"\n  (when (and (and (path config .x) expect) set)))",
    );
}

#[test]
fn rule_spans_end_at_the_last_token() {
    let file = parse_text("policy \"p\" {\n  deny \"m\" if a.b   # why\n}\n").unwrap();
    let Item::Policy(policy) = &file.items[0] else {
        panic!()
    };
    let Statement::Rule(rule) = &policy.statements[0] else {
        panic!()
    };
    assert_eq!(rule.span, Span::new(15, 30));
    assert_eq!(rule.condition.as_ref().unwrap().span, Span::new(27, 30));
    assert_eq!(policy.span, Span::new(0, 40));
    assert_eq!(file.comments.len(), 1);
    assert_eq!(file.comments[0].text, " why");
    assert_eq!(file.comments[0].span, Span::new(33, 38));
}

// ---------------------------------------------------------------------------------------
// ruleset statements

#[test]
fn ruleset_statements() {
    parses_to(
        "ruleset \"r\" {\n  action open, update,\n    deploy\n  require -1 approval\n  self_approval allowed\n  reapprove_on_change false\n  enabled false\n  max_access_duration \"PT4H\"\n  max_grant_expiration 1h30m\n}",
        "(ruleset \"r\"\n  (action open update deploy)\n  (require -1)\n  (self_approval allowed)\n  (reapprove_on_change false)\n  (enabled false)\n  (max_access_duration \"PT4H\")\n  (max_grant_expiration \"1h30m\"))",
    );
    // action names are checked later; the parser reads hyphenated ones too
    parses_to(
        "ruleset \"r\" {\n  action open-request\n}",
        "(ruleset \"r\"\n  (action open-request))",
    );
}

// ---------------------------------------------------------------------------------------
// test statements

#[test]
fn test_statements() {
    parses_to(
        "test \"t\" {\n  input { request: { action: \"open\" }, \"now\": null }\n  set reviews[0][\"by\"].id = \"bob\"\n  expect deny\n  expect no warn\n  expect outcomes 2\n  expect message == \"x\"\n  expect defaulted\n  expect not defaulted\n}",
        "(test \"t\"\n  (input {request: {action: \"open\"}, \"now\": null})\n  (set (path reviews [0] [\"by\"] .id) \"bob\")\n  (expect deny)\n  (expect no warn)\n  (expect outcomes 2)\n  (expect message == \"x\")\n  (expect defaulted)\n  (expect not defaulted))",
    );
}
