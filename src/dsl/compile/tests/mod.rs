//! Tests of lowering and evaluation over syntax trees built by hand, independent of the
//! parser: name resolution, slots, `let`s, `config`, rules and the checker's errors.

mod explaining;
mod projection;
mod random;
mod shared_walks;

use std::sync::Arc;

use chrono::DateTime;
use serde_json::{Value as Json, json};

use super::CompiledPolicy;
use crate::dsl::ast::*;
use crate::source::{SourceFile, Span};
use crate::verdict::Verdict;

/// Spans point into a source of dots, so that every position exists.
fn at(start: usize) -> Span {
    Span::new(start, start + 1)
}

fn expr(kind: ExprKind) -> Expr {
    Expr { kind, span: at(1) }
}

fn ident(name: &str, start: usize) -> Ident {
    Ident {
        name: name.to_string(),
        span: at(start),
    }
}

fn name(text: &str) -> Expr {
    expr(ExprKind::Name(ident(text, 2)))
}

fn num(number: f64) -> Expr {
    expr(ExprKind::Number(number))
}

fn text(value: &str) -> Expr {
    expr(ExprKind::String(vec![TemplatePart::Text(
        value.to_string(),
    )]))
}

fn template(parts: Vec<TemplatePart>) -> Expr {
    expr(ExprKind::String(parts))
}

fn fields(base: Expr, names: &[&str]) -> Expr {
    let accesses = names
        .iter()
        .map(|name| Access::Field(ident(name, 3)))
        .collect();
    expr(ExprKind::Path {
        base: Box::new(base),
        accesses,
    })
}

fn binary(left: Expr, op: BinaryOp, right: Expr) -> Expr {
    expr(ExprKind::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
    })
}

fn call(function: &str, args: Vec<Expr>) -> Expr {
    expr(ExprKind::Call {
        function: ident(function, 4),
        args,
    })
}

fn for_clause(variable: &str, iterable: Expr) -> ForClause {
    ForClause {
        variable: ident(variable, 5),
        iterable,
        span: at(5),
    }
}

fn comprehension(
    kind: ComprehensionKind,
    element: Expr,
    variable: &str,
    iterable: Expr,
    condition: Option<Expr>,
) -> Expr {
    expr(ExprKind::Comprehension {
        kind,
        element: Box::new(element),
        each: Box::new(for_clause(variable, iterable)),
        condition: condition.map(Box::new),
    })
}

fn let_(variable: &str, value: Expr) -> Statement {
    Statement::Let {
        name: ident(variable, 6),
        value,
        span: at(6),
    }
}

fn rule(
    verdict: Verdict,
    message: Option<Expr>,
    each: Option<ForClause>,
    condition: Option<Expr>,
) -> Statement {
    Statement::Rule(Rule {
        verdict: VerdictKw {
            verdict,
            span: at(7),
        },
        message,
        each,
        condition,
        span: at(7),
    })
}

fn policy(statements: Vec<Statement>) -> PolicyBlock {
    PolicyBlock {
        name: StrLit {
            value: "p".to_string(),
            span: at(0),
        },
        statements,
        span: at(0),
    }
}

fn source() -> Arc<SourceFile> {
    SourceFile::new("p.policy", ".".repeat(64))
}

fn compile(statements: Vec<Statement>) -> Result<CompiledPolicy, Vec<String>> {
    CompiledPolicy::compile(&policy(statements), &source())
        .map_err(|errors| errors.iter().map(|error| error.message.clone()).collect())
}

/// The messages of the outcomes of a policy over an input.
fn messages(statements: Vec<Statement>, input: Json) -> Vec<String> {
    let now = DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .unwrap()
        .to_utc();
    let compiled = compile(statements).unwrap();
    let outcomes = compiled.evaluate(&input, now).unwrap();
    outcomes
        .into_iter()
        .map(|outcome| outcome.message)
        .collect()
}

/// The value of an expression, rendered as a rule message would show it.
fn shown(value: Expr, input: Json) -> String {
    let message = template(vec![TemplatePart::Interpolation(value)]);
    let mut fired = messages(vec![rule(Verdict::Deny, Some(message), None, None)], input);
    fired.pop().unwrap()
}

#[test]
fn bare_names_read_lets_then_loop_variables_then_the_input() {
    let statements = vec![
        let_(
            "diff",
            binary(
                fields(name("costEstimation"), &["monthlyCostDiff"]),
                BinaryOp::Coalesce,
                num(0.0),
            ),
        ),
        rule(
            Verdict::Deny,
            Some(template(vec![TemplatePart::Interpolation(name("diff"))])),
            None,
            None,
        ),
        rule(
            Verdict::Warn,
            Some(template(vec![TemplatePart::Interpolation(name("diff"))])),
            Some(for_clause("diff", name("items"))),
            None,
        ),
    ];
    assert_eq!(
        compile(statements).unwrap_err(),
        ["loop variable `diff` shadows a `let` of the same name"]
    );
    let input = json!({"costEstimation": {"monthlyCostDiff": 150}, "x": "from input"});
    assert_eq!(
        shown(
            fields(name("costEstimation"), &["monthlyCostDiff"]),
            input.clone()
        ),
        "150"
    );
    assert_eq!(shown(name("x"), input), "from input");
}

#[test]
fn rules_with_for_fire_once_per_passing_item() {
    let condition = binary(name("r"), BinaryOp::Gt, num(1.0));
    let message = template(vec![
        TemplatePart::Text("item ".into()),
        TemplatePart::Interpolation(name("r")),
    ]);
    let statements = vec![rule(
        Verdict::Deny,
        Some(message),
        Some(for_clause("r", name("items"))),
        Some(condition),
    )];
    assert_eq!(
        messages(statements.clone(), json!({"items": [1, 2, 3]})),
        ["item 2", "item 3"]
    );
    assert!(messages(statements.clone(), json!({"items": null})).is_empty());
    assert!(messages(statements, json!({"items": "123"})).is_empty());
}

#[test]
fn a_rule_without_a_message_names_its_policy_verdict_and_line() {
    assert_eq!(
        messages(vec![rule(Verdict::Pending, None, None, None)], json!({})),
        ["p: pending rule at line 1"]
    );
}

#[test]
fn lets_are_visible_after_their_definition_only() {
    let statements = vec![
        rule(Verdict::Deny, None, None, Some(name("late"))),
        let_(
            "late",
            Expr {
                kind: ExprKind::Bool(true),
                span: at(9),
            },
        ),
        let_("late", num(2.0)),
    ];
    assert_eq!(
        compile(statements).unwrap_err(),
        [
            "`late` is used before its definition",
            "`late` is defined twice"
        ]
    );
}

#[test]
fn comprehensions_bind_their_variable_per_item() {
    let element = fields(name("a"), &["name"]);
    let condition = binary(
        call("lower", vec![fields(name("a"), &["email"])]),
        BinaryOp::Ne,
        text("alice@acme.io"),
    );
    let others = comprehension(
        ComprehensionKind::List,
        element,
        "a",
        name("approvers"),
        Some(condition),
    );
    let input = json!({"approvers": [{"name": "Alice", "email": "ALICE@acme.io"}, {"name": "Bob", "email": "bob@acme.io"}]});
    assert_eq!(shown(others, input), r#"["Bob"]"#);
}

#[test]
fn config_defaults_sit_under_policy_data() {
    let defaults = expr(ExprKind::Object(vec![
        ObjectEntry {
            key: StrLit {
                value: "max".into(),
                span: at(8),
            },
            quoted: false,
            value: num(10.0),
            span: at(8),
        },
        ObjectEntry {
            key: StrLit {
                value: "min".into(),
                span: at(8),
            },
            quoted: false,
            value: num(1.0),
            span: at(8),
        },
    ]));
    let show = template(vec![
        TemplatePart::Interpolation(fields(name("config"), &["max"])),
        TemplatePart::Text(" ".into()),
        TemplatePart::Interpolation(fields(name("config"), &["min"])),
        TemplatePart::Text(" ".into()),
        TemplatePart::Interpolation(name("config")),
    ]);
    let statements = vec![
        Statement::Config {
            defaults,
            span: at(8),
        },
        rule(Verdict::Warn, Some(show), None, None),
    ];
    assert_eq!(
        messages(statements.clone(), json!({})),
        [r#"10 1 {"max":10,"min":1}"#]
    );
    assert_eq!(
        messages(
            statements,
            json!({"policyData": {"max": 50, "min": null, "extra": true}})
        ),
        [r#"50 1 {"extra":true,"max":50,"min":1}"#]
    );
}

#[test]
fn unknown_functions_and_wrong_argument_counts_are_errors() {
    let statements = vec![
        rule(
            Verdict::Deny,
            None,
            None,
            Some(call("lowr", vec![text("A")])),
        ),
        rule(
            Verdict::Deny,
            None,
            None,
            Some(call("lower", vec![text("A"), text("B")])),
        ),
        rule(
            Verdict::Deny,
            None,
            None,
            Some(call("regex", vec![name("x"), text("a(")])),
        ),
        rule(
            Verdict::Deny,
            None,
            None,
            Some(call("hour", vec![name("now"), text("Europe/Berln")])),
        ),
    ];
    let mut errors = compile(statements).unwrap_err();
    errors.sort();
    assert_eq!(
        errors,
        [
            "`lower` takes 1 argument, found 2",
            "invalid regular expression `a(`: unclosed group",
            "unknown function `lowr`",
            "unknown time zone `Europe/Berln`",
        ]
    );
}

#[test]
fn compiled_policies_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<CompiledPolicy>();
    // Sets keep an arena for the documents they read, and compiled constants own one.
    shareable::<crate::policy_set::PolicySet>();
    shareable::<crate::document::OwnedDocument>();
}
