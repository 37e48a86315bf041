//! Strategies for random syntax trees, shaped as the parser builds them (no empty or
//! adjacent text parts, object keys quoted when they must be), and a way to compare trees
//! by grouping alone.

use proptest::prelude::*;

use crate::dsl::ast::*;
use crate::source::Span;

fn expr(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: Span::default(),
    }
}

fn str_lit(value: String) -> StrLit {
    StrLit {
        value,
        span: Span::default(),
    }
}

fn is_identifier(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "xs",
        "input",
        "config",
        "now",
        "description",
        "_x1",
    ])
    .prop_map(str::to_string)
}

fn field() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["b", "type", "if", "in", "not", "deny", "x_1", "Type"])
        .prop_map(str::to_string)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z #\"\\\\${}\\n\\t\\r]{0,8}",
        "\\PC{0,6}",
        Just("${x}".to_string()),
        Just("$".to_string()),
    ]
}

/// Merges adjacent text parts and drops empty ones, as the parser reads strings.
fn template(parts: Vec<TemplatePart>) -> ExprKind {
    let mut merged: Vec<TemplatePart> = Vec::new();
    for part in parts {
        match (merged.last_mut(), part) {
            (_, TemplatePart::Text(text)) if text.is_empty() => {}
            (Some(TemplatePart::Text(previous)), TemplatePart::Text(text)) => {
                previous.push_str(&text)
            }
            (_, part) => merged.push(part),
        }
    }
    if merged.is_empty() {
        merged.push(TemplatePart::Text(String::new()));
    }
    ExprKind::String(merged)
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(ExprKind::Null),
        any::<bool>().prop_map(ExprKind::Bool),
        (0u32..100_000).prop_map(|n| ExprKind::Number(f64::from(n) / 8.0)),
        prop::sample::select(vec![1e20, 1e-7, 123_456_789.0]).prop_map(ExprKind::Number),
        prop::sample::select(vec!["90m", "1h30m", "2d", "30s", "1w", "1.5s"]).prop_map(|text| {
            ExprKind::Duration {
                text: text.to_string(),
                millis: crate::duration::parse_millis(text).unwrap(),
            }
        }),
        name().prop_map(|name| ExprKind::Name(ident(&name))),
        text().prop_map(|text| template(vec![TemplatePart::Text(text)])),
    ]
    .prop_map(expr)
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    use BinaryOp::*;
    prop::sample::select(vec![
        Or, And, Eq, Ne, Lt, Le, Gt, Ge, In, NotIn, Coalesce, Add, Sub, Mul, Div, Mod,
    ])
}

fn comprehension_kind() -> impl Strategy<Value = ComprehensionKind> {
    use ComprehensionKind::*;
    prop::sample::select(vec![List, Any, All, Count, Sum, Min, Max])
}

fn expression() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 48, 3, |inner| {
        let access = prop_oneof![
            field().prop_map(|name| Access::Field(ident(&name))),
            inner.clone().prop_map(|index| Access::Index {
                index,
                span: Span::default()
            }),
            Just(Access::Each {
                span: Span::default()
            }),
        ];
        let entry = (prop_oneof![name(), text()], any::<bool>(), inner.clone()).prop_map(
            |(key, quoted, value)| ObjectEntry {
                quoted: quoted || !is_identifier(&key),
                key: str_lit(key),
                value,
                span: Span::default(),
            },
        );
        let part = prop_oneof![
            text().prop_map(TemplatePart::Text),
            inner.clone().prop_map(TemplatePart::Interpolation),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(ExprKind::Array),
            prop::collection::vec(entry, 0..3).prop_map(ExprKind::Object),
            inner
                .clone()
                .prop_map(|inner| ExprKind::Paren(Box::new(inner))),
            (inner.clone(), prop::collection::vec(access, 1..3)).prop_map(|(base, accesses)| {
                ExprKind::Path {
                    base: Box::new(base),
                    accesses,
                }
            }),
            (any::<bool>(), inner.clone()).prop_map(|(not, operand)| ExprKind::Unary {
                op: if not { UnaryOp::Not } else { UnaryOp::Neg },
                operand: Box::new(operand),
            }),
            (binary_op(), inner.clone(), inner.clone()).prop_map(|(op, left, right)| {
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                }
            }),
            (name(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(function, args)| {
                ExprKind::Call {
                    function: ident(&function),
                    args,
                }
            }),
            (
                comprehension_kind(),
                inner.clone(),
                name(),
                inner.clone(),
                prop::option::of(inner.clone())
            )
                .prop_map(|(kind, element, variable, iterable, condition)| {
                    ExprKind::Comprehension {
                        kind,
                        element: Box::new(element),
                        each: Box::new(for_clause(&variable, iterable)),
                        condition: condition.map(Box::new),
                    }
                }),
            prop::collection::vec(part, 0..4).prop_map(template),
        ]
        .prop_map(expr)
    })
}

fn for_clause(variable: &str, iterable: Expr) -> ForClause {
    ForClause {
        variable: ident(variable),
        iterable,
        span: Span::default(),
    }
}

fn verdict() -> impl Strategy<Value = VerdictKw> {
    prop::sample::select(crate::verdict::Verdict::STRICTEST_FIRST.to_vec()).prop_map(|verdict| {
        VerdictKw {
            verdict,
            span: Span::default(),
        }
    })
}

fn object() -> impl Strategy<Value = Expr> {
    prop::collection::vec((name(), expression()), 0..3).prop_map(|entries| {
        expr(ExprKind::Object(
            entries
                .into_iter()
                .map(|(key, value)| ObjectEntry {
                    key: str_lit(key),
                    quoted: false,
                    value,
                    span: Span::default(),
                })
                .collect(),
        ))
    })
}

fn policy_statement() -> impl Strategy<Value = Statement> {
    let message = prop::collection::vec(
        prop_oneof![
            text().prop_map(TemplatePart::Text),
            expression().prop_map(TemplatePart::Interpolation),
        ],
        0..3,
    )
    .prop_map(|parts| expr(template(parts)));
    prop_oneof![
        text().prop_map(|text| Statement::Description {
            text: str_lit(text),
            span: Span::default()
        }),
        expression().prop_map(|condition| Statement::When {
            condition,
            span: Span::default()
        }),
        object().prop_map(|defaults| Statement::Config {
            defaults,
            span: Span::default()
        }),
        (name(), expression()).prop_map(|(name, value)| Statement::Let {
            name: ident(&name),
            value,
            span: Span::default()
        }),
        (
            verdict(),
            prop::option::of(message),
            prop::option::of((name(), expression())),
            prop::option::of(expression())
        )
            .prop_map(|(verdict, message, each, condition)| Statement::Rule(Rule {
                verdict,
                message,
                each: each.map(|(variable, iterable)| for_clause(&variable, iterable)),
                condition,
                span: Span::default(),
            })),
    ]
}

fn ruleset_statement() -> impl Strategy<Value = RulesetStatement> {
    let duration = prop::sample::select(vec!["4h", "PT4H", "1h30m", "4x", "four hours", ""])
        .prop_map(|text| DurationText {
            text: text.to_string(),
            span: Span::default(),
        });
    let approver = (0..3u8, text()).prop_map(|(kind, value)| Approver {
        kind: [
            ApproverKind::Team,
            ApproverKind::User,
            ApproverKind::Permission,
        ][usize::from(kind)],
        value: str_lit(value),
        span: Span::default(),
    });
    let action = prop::sample::select(vec!["open", "update", "open-request", "deployResume"])
        .prop_map(ident);
    prop_oneof![
        text().prop_map(|text| (
            "description",
            RulesetStatementKind::Description(str_lit(text))
        )),
        prop::collection::vec(action, 1..3)
            .prop_map(|names| ("action", RulesetStatementKind::Action(names))),
        prop::collection::vec(text(), 1..3).prop_map(|globs| (
            "environments",
            RulesetStatementKind::Environments(globs.into_iter().map(str_lit).collect())
        )),
        prop::collection::vec(approver, 1..3)
            .prop_map(|approvers| ("approvers", RulesetStatementKind::Approvers(approvers))),
        any::<i64>().prop_map(|count| (
            "require",
            RulesetStatementKind::Require {
                count,
                count_span: Span::default()
            }
        )),
        any::<bool>().prop_map(|allowed| (
            "self_approval",
            RulesetStatementKind::SelfApproval { allowed }
        )),
        any::<bool>().prop_map(|flag| (
            "reapprove_on_change",
            RulesetStatementKind::ReapproveOnChange(flag)
        )),
        any::<bool>().prop_map(|flag| ("enabled", RulesetStatementKind::Enabled(flag))),
        duration.clone().prop_map(|text| (
            "max_access_duration",
            RulesetStatementKind::MaxAccessDuration(text)
        )),
        duration.prop_map(|text| (
            "max_grant_expiration",
            RulesetStatementKind::MaxGrantExpiration(text)
        )),
    ]
    .prop_map(|(keyword, kind)| RulesetStatement {
        keyword: ident(keyword),
        kind,
        span: Span::default(),
    })
}

fn test_statement() -> impl Strategy<Value = TestStatement> {
    let literal_index = prop_oneof![
        (0u32..10).prop_map(|n| expr(ExprKind::Number(f64::from(n)))),
        text().prop_map(|text| expr(template(vec![TemplatePart::Text(text)]))),
    ];
    let target_access = prop_oneof![
        field().prop_map(|name| Access::Field(ident(&name))),
        literal_index.prop_map(|index| Access::Index {
            index,
            span: Span::default()
        }),
    ];
    let target =
        (name(), prop::collection::vec(target_access, 0..3)).prop_map(|(root, accesses)| {
            let root = expr(ExprKind::Name(ident(&root)));
            if accesses.is_empty() {
                root
            } else {
                expr(ExprKind::Path {
                    base: Box::new(root),
                    accesses,
                })
            }
        });
    let expectation = prop_oneof![
        verdict().prop_map(Expectation::Verdict),
        verdict().prop_map(Expectation::No),
        any::<i64>().prop_map(|count| Expectation::Outcomes {
            count,
            count_span: Span::default()
        }),
        text().prop_map(|text| Expectation::MessageContains(str_lit(text))),
        text().prop_map(|text| Expectation::MessageEquals(str_lit(text))),
        any::<bool>().prop_map(Expectation::Defaulted),
    ];
    prop_oneof![
        text().prop_map(|path| TestStatementKind::Input(TestInput::File(str_lit(path)))),
        object().prop_map(|value| TestStatementKind::Input(TestInput::Inline(value))),
        (target, expression()).prop_map(|(target, value)| TestStatementKind::Set { target, value }),
        text().prop_map(|time| TestStatementKind::Now(str_lit(time))),
        expectation.prop_map(TestStatementKind::Expect),
    ]
    .prop_map(|kind| TestStatement {
        kind,
        span: Span::default(),
    })
}

pub fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (text(), prop::collection::vec(policy_statement(), 0..4)).prop_map(|(name, statements)| {
            Item::Policy(PolicyBlock {
                name: str_lit(name),
                statements,
                span: Span::default(),
            })
        }),
        (text(), prop::collection::vec(ruleset_statement(), 0..4)).prop_map(
            |(name, statements)| Item::Ruleset(RulesetBlock {
                name: str_lit(name),
                statements,
                span: Span::default(),
            })
        ),
        (text(), prop::collection::vec(test_statement(), 0..4)).prop_map(|(name, statements)| {
            Item::Test(TestBlock {
                name: str_lit(name),
                statements,
                span: Span::default(),
            })
        }),
    ]
}

/// Removes every `Paren` node: what is left is the grouping the tree's shape carries.
fn unparen(expr: &mut Expr) {
    while let ExprKind::Paren(inner) = &mut expr.kind {
        let inner = std::mem::replace(inner.as_mut(), self::expr(ExprKind::Null));
        *expr = inner;
    }
    match &mut expr.kind {
        ExprKind::String(parts) => {
            for part in parts {
                if let TemplatePart::Interpolation(inner) = part {
                    unparen(inner);
                }
            }
        }
        ExprKind::Array(elements) => elements.iter_mut().for_each(unparen),
        ExprKind::Object(entries) => entries
            .iter_mut()
            .for_each(|entry| unparen(&mut entry.value)),
        ExprKind::Path { base, accesses } => {
            unparen(base);
            for access in accesses {
                if let Access::Index { index, .. } = access {
                    unparen(index);
                }
            }
        }
        ExprKind::Unary { operand, .. } => unparen(operand),
        ExprKind::Binary { left, right, .. } => {
            unparen(left);
            unparen(right);
        }
        ExprKind::Call { args, .. } => args.iter_mut().for_each(unparen),
        ExprKind::Comprehension {
            element,
            each,
            condition,
            ..
        } => {
            unparen(element);
            unparen(&mut each.iterable);
            if let Some(condition) = condition {
                unparen(condition);
            }
        }
        _ => {}
    }
}

pub fn unparen_file(file: &mut File) {
    for item in &mut file.items {
        match item {
            Item::Policy(block) => {
                for statement in &mut block.statements {
                    match statement {
                        Statement::When { condition, .. } => unparen(condition),
                        Statement::Config { defaults, .. } => unparen(defaults),
                        Statement::Let { value, .. } => unparen(value),
                        Statement::Rule(rule) => {
                            rule.message.iter_mut().for_each(unparen);
                            rule.each
                                .iter_mut()
                                .for_each(|each| unparen(&mut each.iterable));
                            rule.condition.iter_mut().for_each(unparen);
                        }
                        Statement::Description { .. } => {}
                    }
                }
            }
            Item::Test(block) => {
                for statement in &mut block.statements {
                    match &mut statement.kind {
                        TestStatementKind::Input(TestInput::Inline(value)) => unparen(value),
                        TestStatementKind::Set { target, value } => {
                            unparen(target);
                            unparen(value);
                        }
                        _ => {}
                    }
                }
            }
            Item::Ruleset(_) => {}
        }
    }
}
