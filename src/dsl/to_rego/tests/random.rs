//! Random expressions over random inputs: the compiled Rego shows the same value and holds
//! the same conditions as the policy language.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

use super::support::{Both, parse_text};
use crate::dsl::ast::Item;
use crate::dsl::compile::CompiledPolicy;

/// The fields of the inputs, read by name.
const FIELDS: &[&str] = &["a", "b", "c", "d", "e", "t"];

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (-3i32..200).prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "0.5",
            "2.25",
            "1e21",
            "0.1",
            "-7.5",
            "9007199254740993"
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec![
            "\"x\"",
            "\"Alice@ACME.io\"",
            "\"\"",
            "\"acme/*/prod\"",
            "\"acme/x/prod\"",
            "\"2026-11-21T23:30:00Z\"",
            "\"90m\"",
            "\"Europe/Berlin\"",
            "\"k\"",
            "\"a%b\"",
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec!["true", "false", "null", "2h", "30m", "1d", "now"])
            .prop_map(str::to_string),
        prop::sample::select(vec![
            "a", "b", "c", "d", "e", "t", "z", "input.a", "config.k", "config.l", "e.k",
            "e[\"k\"]", "d[0]", "d[1]", "d[*]", "d[*].k", "e.m.k", "d[-1]", "v", "w",
        ])
        .prop_map(str::to_string),
    ]
}

const UNARY: &[&str] = &[
    "count",
    "len",
    "lower",
    "upper",
    "trim",
    "keys",
    "values",
    "unique",
    "sort",
    "any",
    "all",
    "sum",
    "min",
    "max",
    "round",
    "abs",
    "time",
    "duration",
    "hour",
    "minute",
    "weekday",
    "date",
    "is_string",
    "is_number",
    "is_bool",
    "is_array",
    "is_object",
    "exists",
];

const BINARY_CALLS: &[&str] = &[
    "starts_with",
    "ends_with",
    "contains",
    "split",
    "join",
    "matches",
    "regex",
    "min",
    "max",
    "round",
    "hour",
    "weekday",
    "date",
];

const OPERATORS: &[&str] = &[
    "or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "??", "+", "-", "*", "/", "%",
];

const AGGREGATES: &[&str] = &["any", "all", "count", "sum", "min", "max"];

fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            (prop::sample::select(vec!["not ", "-"]), inner.clone())
                .prop_map(|(op, x)| format!("{op}({x})")),
            (
                inner.clone(),
                prop::sample::select(OPERATORS),
                inner.clone()
            )
                .prop_map(|(x, op, y)| format!("({x} {op} {y})")),
            (prop::sample::select(UNARY), inner.clone()).prop_map(|(f, x)| format!("{f}({x})")),
            (
                prop::sample::select(BINARY_CALLS),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(f, x, y)| format!("{f}({x}, {y})")),
            (
                inner.clone(),
                prop::sample::select(vec!["v", "w"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(x, v, xs, c)| format!("[{x} for {v} in {xs} if {c}]")),
            (
                prop::sample::select(AGGREGATES),
                inner.clone(),
                prop::sample::select(vec!["v", "w"]),
                inner.clone()
            )
                .prop_map(|(f, x, v, xs)| format!("{f}({x} for {v} in {xs})")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("\"<${{{x}}}|${{{y}}}>\"")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("[{x}, {y}]")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("{{k: {x}, m: {y}}}")),
            (inner.clone(), inner).prop_map(|(x, i)| format!("({x})[{i}]")),
        ]
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..1000).prop_map(Value::from),
        prop::sample::select(vec![0.5, 10.01, -2.5, 1e21, 0.1]).prop_map(Value::from),
        prop::sample::select(vec![
            "x",
            "Alice@ACME.io",
            "",
            "acme/x/prod",
            "2026-11-21T23:30:00Z",
            "1h30m",
            "Europe/Berlin",
            "k",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(vec!["k", "m", "a b"]), inner), 0..3)
                .prop_map(|entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(key, value)| (key.to_string(), value))
                            .collect(),
                    )
                }),
        ]
    })
}

fn input() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(prop::option::weighted(0.85, json_value()), FIELDS.len()),
        prop::option::of(json_value()),
    )
        .prop_map(|(values, policy_data)| {
            let mut fields = Map::new();
            for (name, value) in FIELDS.iter().zip(values) {
                if let Some(value) = value {
                    fields.insert(name.to_string(), value);
                }
            }
            if let Some(data) = policy_data {
                fields.insert("policyData".to_string(), data);
            }
            Value::Object(fields)
        })
}

/// A policy showing each expression in a message and testing each as a condition; the
/// expressions that do not compile as a verdict policy (a loop variable shadowing another)
/// are left out.
fn policy_text(expressions: &[String]) -> String {
    let mut text = String::from("policy \"random\" {\n  config { k: 5, l: \"c\" }\n");
    let mut kept = 0;
    for expr in expressions {
        let rules = format!(
            "  deny \"v{kept}: ${{{expr}}}\"\n  warn \"c{kept}\" if {expr}\n  pending \"f{kept}: ${{x}}\" for x in {expr}\n"
        );
        let candidate = format!("{text}{rules}}}\n");
        if compiles(&candidate) {
            text.push_str(&rules);
            kept += 1;
        }
    }
    text.push_str("}\n");
    text
}

fn compiles(text: &str) -> bool {
    let source = crate::source::SourceFile::new("random.policy", text);
    let Ok(file) = crate::dsl::parse::parse(&source) else {
        return false;
    };
    file.items.iter().all(|item| match item {
        Item::Policy(block) => CompiledPolicy::compile(block, &source).is_ok(),
        _ => true,
    })
}

/// Whether an evaluation error is the library stopping on purpose, where Rego cannot give
/// the policy language's answer (`%` on numbers that are not whole, a time beyond the
/// years engines can take apart): the error points at a call of `unsupported`.
fn fails_closed(error: &str) -> bool {
    crate::dsl::to_rego::library().iter().any(|module| {
        module.text.lines().enumerate().any(|(index, line)| {
            line.contains("unsupported(\"")
                && error.starts_with(&format!("{}:{}:", module.path, index + 1))
        })
    })
}

/// The number of cases: `PROPTEST_CASES` when set, else `default`.
fn cases_or(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

proptest! {
    // Loading the library into regorus is most of the cost of a case: many expressions
    // share one. `PROPTEST_CASES=300` runs a longer search.
    #![proptest_config(Config { cases: cases_or(24), ..Config::default() })]

    #[test]
    fn random_expressions_decide_the_same(
        expressions in prop::collection::vec(expression(), 10),
        inputs in prop::collection::vec(input(), 3),
    ) {
        let text = policy_text(&expressions);
        let mut both = Both::compile(&[parse_text("random.policy", &text)]);
        for input in &inputs {
            let (expected, actual) = both.decide(0, input);
            let failed_closed = actual.as_ref().is_err_and(|error| fails_closed(error));
            if !failed_closed {
                prop_assert_eq!(&expected, &actual, "\n{}\ninput: {}", text, input);
            }
        }
    }
}
