//! Hostile policies: values that share their parts, `let b = [a, a]` over and over, are
//! small to build and exponential to walk. Walking them stops at the evaluation's limits,
//! and the evaluation fails closed.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::error::ErrorClass;

/// A policy whose `let`s double a list forty times, and a rule that walks the result.
fn doubling(rule: &str) -> String {
    let mut text = String::from("policy \"dag\" {\n  let x0 = [1, 2]\n  let y0 = [1, 3]\n");
    for level in 1..=40 {
        let below = level - 1;
        text.push_str(&format!(
            "  let x{level} = [x{below}, x{below}]\n  let y{level} = [x{below}, y{below}]\n"
        ));
    }
    text.push_str(&format!("  {rule}\n}}\n"));
    text
}

fn halted_with(rule: &str, limits: Limits) -> String {
    let source = source(&doubling(rule));
    let file = parsed(&source);
    let Some(Item::Policy(block)) = file.items.first() else {
        panic!("not a policy")
    };
    let compiled = CompiledPolicy::compile_with_limits(block, &source, &limits).unwrap();
    let error = compiled.evaluate(&json!({}), now()).unwrap_err();
    assert_eq!(error.class, ErrorClass::Evaluation);
    error.diagnostics[0].one_line()
}

fn quick() -> Limits {
    Limits {
        max_time: Some(Duration::from_millis(200)),
        ..Limits::default()
    }
}

#[test]
fn interpolating_a_shared_value_stops_at_the_string_limit() {
    let untimed = Limits {
        max_time: None,
        ..Limits::default()
    };
    let message = halted_with("deny \"${x40}\"", untimed);
    assert!(
        message.contains("a string longer than 16777216 bytes"),
        "{message}"
    );
}

#[test]
fn comparing_shared_values_stops_at_the_time_limit() {
    let message = halted_with("deny \"equal\" if x40 == y40", quick());
    assert!(message.contains("more than 200 ms"), "{message}");
    let message = halted_with("deny \"member\" if y39 in [x40, x39]", quick());
    assert!(message.contains("more than 200 ms"), "{message}");
    let message = halted_with("deny \"unique\" if count(unique([x40, y40])) > 1", quick());
    assert!(message.contains("more than 200 ms"), "{message}");
}
