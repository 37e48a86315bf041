//! Random policies going over the same lists of random inputs decide alike whether one
//! walk serves them all or each walks on its own: the same outcomes in the same order, and
//! the same error when a limit stops one.

use chrono::DateTime;
use proptest::prelude::*;

use super::random::{expression, input_document, scope_loop_variables};
use super::*;
use crate::document::Document;
use crate::dsl::compile::lower_policy;
use crate::dsl::eval::program::{Explainers, Program};
use crate::dsl::eval::shared::{SharedWalks, run_all};
use crate::dsl::eval::{Limits, run};

/// What a `for` goes over: lists at the same few paths, written in different ways.
fn shared_list() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(fields(name("plan"), &["resource_changes"])),
        Just(fields(name("input"), &["plan", "resource_changes"])),
        Just(name("approvers")),
        Just(fields(name("input"), &["approvers"])),
        expression(),
    ]
}

/// A random input, with lists long enough to take several stretches at the shared paths.
fn input_with_lists() -> impl Strategy<Value = Json> {
    let items = proptest::collection::vec(
        prop_oneof![
            any::<i8>().prop_map(|n| json!(n)),
            "[a-c]{0,2}".prop_map(|text| json!(text)),
            (any::<i8>(), "[a-c]{0,2}").prop_map(|(x, a)| json!({"x": x, "a": a})),
        ],
        0..80,
    );
    (input_document(), items.clone(), items).prop_map(|(mut input, changes, approvers)| {
        if let Json::Object(map) = &mut input {
            map.insert("plan".into(), json!({"resource_changes": changes}));
            map.insert("approvers".into(), json!(approvers));
        }
        input
    })
}

/// A `let` that reads only the input, from a few that policies may have in common.
fn common_let() -> impl Strategy<Value = Expr> {
    let changes = || fields(name("plan"), &["resource_changes"]);
    let x = || fields(name("c"), &["x"]);
    prop_oneof![
        Just(comprehension(
            ComprehensionKind::All,
            binary(x(), BinaryOp::Gt, num(0.0)),
            "c",
            changes(),
            None
        )),
        Just(comprehension(
            ComprehensionKind::Count,
            name("c"),
            "c",
            changes(),
            Some(binary(x(), BinaryOp::Lt, num(10.0)))
        )),
        Just(comprehension(
            ComprehensionKind::List,
            x(),
            "c",
            name("approvers"),
            None
        )),
        Just(comprehension(
            ComprehensionKind::Any,
            binary(name("c"), BinaryOp::Eq, text("b")),
            "c",
            changes(),
            None
        )),
    ]
}

/// One random policy: `let`s (one of them perhaps in common with others), two `for` rules
/// over shared lists, two rules without.
fn random_policy() -> impl Strategy<Value = (PolicyBlock, u64)> {
    (
        expression(),
        expression(),
        shared_list(),
        shared_list(),
        prop_oneof![Just(60u64), Just(10_000u64)],
        common_let(),
    )
        .prop_map(
            |(mut condition, mut value, mut first, mut second, iterations, common)| {
                for expr in [&mut condition, &mut value, &mut first, &mut second] {
                    scope_loop_variables(expr, 0);
                }
                let item = |field: &str| fields(name("item"), &[field]);
                let statements = vec![
                    let_("l", value.clone()),
                    let_("common", common),
                    rule(
                        Verdict::Allow,
                        Some(template(vec![TemplatePart::Interpolation(name("common"))])),
                        None,
                        None,
                    ),
                    rule(
                        Verdict::Deny,
                        Some(template(vec![TemplatePart::Interpolation(name("item"))])),
                        Some(for_clause("item", first)),
                        Some(binary(
                            condition.clone(),
                            BinaryOp::Or,
                            binary(item("x"), BinaryOp::Gt, num(3.0)),
                        )),
                    ),
                    rule(
                        Verdict::Warn,
                        Some(template(vec![TemplatePart::Interpolation(name("l"))])),
                        None,
                        Some(condition),
                    ),
                    rule(
                        Verdict::Pending,
                        Some(template(vec![TemplatePart::Interpolation(value)])),
                        Some(for_clause("item", second)),
                        Some(binary(item("a"), BinaryOp::Eq, text("b"))),
                    ),
                ];
                (policy(statements), iterations)
            },
        )
}

fn shown(result: Result<Vec<crate::decision::Outcome>, crate::error::Error>) -> String {
    match result {
        Ok(outcomes) => format!("{outcomes:?}"),
        Err(error) => format!("error: {error}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn one_walk_decides_as_a_walk_per_policy(blocks in proptest::collection::vec(random_policy(), 1..4), input in input_with_lists()) {
        let source = source();
        let mut lowered: Vec<(Program, Limits)> = Vec::new();
        for (block, iterations) in &blocks {
            let limits = Limits { max_iterations: *iterations, ..Limits::default() };
            let (program, diagnostics) = lower_policy(block, &source, &limits, Explainers::Skip);
            if diagnostics.iter().any(|d| d.severity == crate::diagnostic::Severity::Error) {
                return Ok(());
            }
            lowered.push((program, limits));
        }
        let policies: Vec<(&Program, &Limits)> = lowered.iter().map(|(p, l)| (p, l)).collect();
        let walks = SharedWalks::plan(&policies);
        let arena = crate::document::Arena::new();
        let document = Document::from_json(&input, &arena);
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let together: Vec<String> = run_all(&policies, &walks, &document, now).into_iter().map(shown).collect();
        let alone: Vec<String> = policies.iter().map(|(program, limits)| shown(run(program, &document, now, limits))).collect();
        prop_assert_eq!(together, alone, "shared {:?}", walks.lists());
    }
}
