//! Evaluation is total (SPEC 4.3): random expressions over random inputs compile and
//! evaluate without an error or a panic, limits aside.

use chrono::DateTime;
use proptest::prelude::*;
use serde_json::{Map, Value as Json};

use super::*;
use crate::dsl::eval::Limits;
use crate::dsl::eval::builtins::Builtin;
use crate::error::ErrorClass;

const NAMES: &[&str] = &[
    "approvers",
    "plan",
    "x",
    "s",
    "n",
    "v",
    "input",
    "config",
    "now",
    "policyData",
];
const FIELDS: &[&str] = &["a", "b", "email", "name", "resource_changes", "x", "é"];
const OPERATORS: &[BinaryOp] = &[
    BinaryOp::Or,
    BinaryOp::And,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Gt,
    BinaryOp::Ge,
    BinaryOp::In,
    BinaryOp::NotIn,
    BinaryOp::Coalesce,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Mod,
];
const KINDS: &[ComprehensionKind] = &[
    ComprehensionKind::List,
    ComprehensionKind::Any,
    ComprehensionKind::All,
    ComprehensionKind::Count,
    ComprehensionKind::Sum,
    ComprehensionKind::Min,
    ComprehensionKind::Max,
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2026-11-21T10:00:00Z".to_string()),
        Just("Europe/Berlin".to_string()),
        Just("90m".to_string()),
        Just("a*/**".to_string()),
        Just("[".to_string()),
        "[a-zé/ *]{0,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(expr(ExprKind::Null)),
        any::<bool>().prop_map(|flag| expr(ExprKind::Bool(flag))),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(1e308),
            Just(0.5),
            Just(-3.0),
            any::<f64>()
        ]
        .prop_map(|number| expr(ExprKind::Number(number))),
        text_strategy().prop_map(|value| text(&value)),
        (0i64..10_000_000_000).prop_map(|millis| expr(ExprKind::Duration {
            text: String::new(),
            millis
        })),
        proptest::sample::select(NAMES).prop_map(name),
    ]
}

pub(super) fn expression() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 48, 4, |inner| {
        let builtins: Vec<Builtin> = Builtin::names().filter_map(Builtin::from_name).collect();
        prop_oneof![
            inner
                .clone()
                .prop_map(|inside| expr(ExprKind::Paren(Box::new(inside)))),
            (
                inner.clone(),
                proptest::collection::vec(access(inner.clone()), 1..4)
            )
                .prop_map(|(base, accesses)| expr(ExprKind::Path {
                    base: Box::new(base),
                    accesses
                })),
            (inner.clone(), any::<bool>()).prop_map(|(operand, not)| {
                let op = if not { UnaryOp::Not } else { UnaryOp::Neg };
                expr(ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                })
            }),
            (
                inner.clone(),
                proptest::sample::select(OPERATORS),
                inner.clone()
            )
                .prop_map(|(left, op, right)| binary(left, op, right)),
            (
                proptest::sample::select(builtins),
                proptest::collection::vec(inner.clone(), 3)
            )
                .prop_map(|(builtin, mut args)| {
                    args.truncate(
                        builtin
                            .arity()
                            .max
                            .unwrap_or(3)
                            .min(3)
                            .max(builtin.arity().min),
                    );
                    call(builtin.name(), args)
                }),
            (
                proptest::sample::select(KINDS),
                inner.clone(),
                inner.clone(),
                proptest::option::of(inner.clone())
            )
                .prop_map(|(kind, element, iterable, condition)| comprehension(
                    kind, element, "v", iterable, condition
                )),
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|items| expr(ExprKind::Array(items))),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(|values| {
                let entries = values
                    .into_iter()
                    .enumerate()
                    .map(|(position, value)| ObjectEntry {
                        key: StrLit {
                            value: format!("k{position}"),
                            span: at(8),
                        },
                        quoted: false,
                        value,
                        span: at(8),
                    })
                    .collect();
                expr(ExprKind::Object(entries))
            }),
            proptest::collection::vec(inner, 1..3).prop_map(|values| {
                template(
                    values
                        .into_iter()
                        .map(TemplatePart::Interpolation)
                        .collect(),
                )
            }),
        ]
    })
}

fn access(index: impl Strategy<Value = Expr>) -> impl Strategy<Value = Access> {
    prop_oneof![
        proptest::sample::select(FIELDS).prop_map(|field| Access::Field(ident(field, 3))),
        index.prop_map(|index| Access::Index { index, span: at(3) }),
        Just(Access::Each { span: at(3) }),
    ]
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i32>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        text_strategy().prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            proptest::collection::vec((proptest::sample::select(FIELDS), inner), 0..4).prop_map(
                |entries| {
                    Json::Object(
                        entries
                            .into_iter()
                            .map(|(key, value)| (key.to_string(), value))
                            .collect::<Map<_, _>>(),
                    )
                }
            ),
        ]
    })
}

pub(super) fn input_document() -> impl Strategy<Value = Json> {
    proptest::collection::vec((proptest::sample::select(NAMES), json_value()), 0..6).prop_map(
        |entries| {
            Json::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.to_string(), value))
                    .collect(),
            )
        },
    )
}

/// Gives each comprehension's variable a name of its own by nesting depth, and points
/// every `v` at the innermost one (or at the input field `v` outside any).
pub(super) fn scope_loop_variables(expr: &mut Expr, depth: usize) {
    match &mut expr.kind {
        ExprKind::Name(ident) if ident.name == "v" && depth > 0 => {
            ident.name = format!("v{}", depth - 1)
        }
        ExprKind::Comprehension {
            element,
            each,
            condition,
            ..
        } => {
            scope_loop_variables(&mut each.iterable, depth);
            each.variable.name = format!("v{depth}");
            scope_loop_variables(element, depth + 1);
            if let Some(condition) = condition {
                scope_loop_variables(condition, depth + 1);
            }
        }
        ExprKind::Paren(inside) => scope_loop_variables(inside, depth),
        ExprKind::Path { base, accesses } => {
            scope_loop_variables(base, depth);
            for access in accesses {
                if let Access::Index { index, .. } = access {
                    scope_loop_variables(index, depth);
                }
            }
        }
        ExprKind::Unary { operand, .. } => scope_loop_variables(operand, depth),
        ExprKind::Binary { left, right, .. } => {
            scope_loop_variables(left, depth);
            scope_loop_variables(right, depth);
        }
        ExprKind::Call { args: items, .. } | ExprKind::Array(items) => {
            items
                .iter_mut()
                .for_each(|item| scope_loop_variables(item, depth));
        }
        ExprKind::Object(entries) => entries
            .iter_mut()
            .for_each(|entry| scope_loop_variables(&mut entry.value, depth)),
        ExprKind::String(parts) => parts.iter_mut().for_each(|part| {
            if let TemplatePart::Interpolation(inside) = part {
                scope_loop_variables(inside, depth);
            }
        }),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_never_fails_but_for_limits(mut condition in expression(), mut message in expression(), input in input_document()) {
        scope_loop_variables(&mut condition, 0);
        scope_loop_variables(&mut message, 0);
        let statements = vec![
            let_("l", message.clone()),
            rule(Verdict::Deny, None, None, Some(condition)),
            rule(Verdict::Allow, Some(template(vec![TemplatePart::Interpolation(message)])), None, None),
            rule(Verdict::Warn, None, Some(for_clause("item", name("l"))), Some(name("item"))),
            rule(Verdict::Pending, Some(template(vec![TemplatePart::Interpolation(name("item"))])), Some(for_clause("item", name("l"))), None),
        ];
        let limits = Limits { max_iterations: 10_000, ..Limits::default() };
        let compiled = CompiledPolicy::compile_with_limits(&policy(statements), &source(), &limits);
        let compiled = match compiled {
            Ok(compiled) => compiled,
            // Literal patterns and time zones the generator made up may be invalid: those
            // are the only errors it can cause.
            Err(errors) => {
                for error in &errors {
                    prop_assert!(error.message.starts_with("invalid") || error.message.starts_with("unknown time zone"), "{}", error.message);
                }
                return Ok(());
            }
        };
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        if let Err(error) = compiled.evaluate(&input, now) {
            prop_assert_eq!(error.class, ErrorClass::Evaluation);
            prop_assert!(error.diagnostics[0].message.contains("stopped"), "{}", error);
        }
    }
}
