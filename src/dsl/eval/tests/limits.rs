//! SPEC 4.3: "Resource limits (nesting depth, loop size, time) are errors that fail
//! closed." The error names the policy and the rule, and carries its position.

use serde_json::json;

use super::*;
use crate::error::{Error, ErrorClass};

fn failure(policy: &str, input: Json, limits: Limits) -> Error {
    let source = source(policy);
    let file = parsed(&source);
    let Some(Item::Policy(block)) = file.items.first() else {
        panic!("not a policy")
    };
    let compiled = CompiledPolicy::compile_with_limits(block, &source, &limits).unwrap();
    compiled.evaluate(&input, now()).unwrap_err()
}

#[test]
fn too_many_iterations_stop_the_evaluation() {
    let policy =
        "policy \"loops\" {\n  deny if count([x for x in xs if all(y != -1 for y in xs)]) > 0\n}\n";
    let xs: Vec<u32> = (0..1100).collect();
    let error = failure(policy, json!({"xs": xs}), Limits::default());
    assert_eq!(error.class, ErrorClass::Evaluation);
    assert_eq!(
        error.diagnostics[0].one_line(),
        "test.policy:2:3: evaluation of policy `loops` stopped in its deny rule at line 2: it took more than 1000000 loop iterations"
    );
    // Under the limit the same policy evaluates.
    let small: Vec<u32> = (0..900).collect();
    assert_eq!(outcomes(policy, json!({"xs": small})).len(), 1);
}

#[test]
fn rule_loops_and_projections_count_too() {
    let limits = Limits {
        max_iterations: 5,
        ..Limits::default()
    };
    let each = "policy \"p\" {\n  warn for x in xs\n}\n";
    assert!(
        failure(each, json!({"xs": [1, 2, 3, 4, 5, 6]}), limits.clone())
            .to_string()
            .contains("more than 5 loop iterations")
    );
    let projection = "policy \"p\" {\n  warn if count(xs[*].a) > 0\n}\n";
    assert!(
        failure(projection, json!({"xs": [1, 2, 3, 4, 5, 6]}), limits)
            .to_string()
            .contains("more than 5 loop iterations")
    );
}

#[test]
fn strings_that_grow_too_long_stop_the_evaluation() {
    let limits = Limits {
        max_string_bytes: 64,
        ..Limits::default()
    };
    let doubling = "policy \"p\" {\n  let a = \"${s}${s}\"\n  let b = \"${a}${a}\"\n  let c = \"${b}${b}\"\n  deny \"${c}\"\n}\n";
    let error = failure(doubling, json!({"s": "0123456789"}), limits.clone());
    assert!(
        error.to_string().contains("a string longer than 64 bytes"),
        "{error}"
    );
    let interpolated = "policy \"p\" {\n  deny \"${s}${s}${s}${s}${s}${s}${s}\"\n}\n";
    assert!(
        failure(interpolated, json!({"s": "0123456789"}), limits.clone())
            .to_string()
            .contains("longer than 64")
    );
    let joined = "policy \"p\" {\n  deny \"${join(xs, s)}\"\n}\n";
    let error = failure(
        joined,
        json!({"s": "0123456789", "xs": vec!["a"; 10]}),
        limits,
    );
    assert!(error.to_string().contains("longer than 64"), "{error}");
}

#[test]
fn many_strings_together_stop_the_evaluation() {
    let limits = Limits {
        max_total_string_bytes: 1000,
        ..Limits::default()
    };
    let many = "policy \"p\" {\n  deny if count([\"${s}${x}\" for x in xs]) > 0\n}\n";
    let xs: Vec<u32> = (0..100).collect();
    let error = failure(many, json!({"s": "0123456789", "xs": xs}), limits);
    assert!(
        error
            .to_string()
            .contains("more than 1000 bytes of strings"),
        "{error}"
    );
}

#[test]
fn a_guard_that_runs_out_of_resources_is_named() {
    let limits = Limits {
        max_iterations: 2,
        ..Limits::default()
    };
    let guarded = "policy \"p\" {\n  when any(x == 9 for x in xs)\n  deny\n}\n";
    let error = failure(guarded, json!({"xs": [1, 2, 3]}), limits);
    assert_eq!(
        error.diagnostics[0].one_line(),
        "test.policy:2:3: evaluation of policy `p` stopped in its `when` guard: it took more than 2 loop iterations"
    );
}

#[test]
fn expressions_nested_too_deeply_do_not_compile() {
    let limits = Limits {
        max_depth: 8,
        ..Limits::default()
    };
    let deep = format!(
        "policy \"p\" {{\n  deny if {}1{} == 1\n}}\n",
        "(".repeat(10),
        ")".repeat(10)
    );
    let source = source(&deep);
    let file = parsed(&source);
    let Some(Item::Policy(block)) = file.items.first() else {
        panic!("not a policy")
    };
    let errors = CompiledPolicy::compile_with_limits(block, &source, &limits).unwrap_err();
    assert_eq!(
        lines(&errors),
        ["2:18: error: expression nests deeper than 8 levels (split the expression with `let`)"]
    );
    assert!(CompiledPolicy::compile(block, &source).is_ok());
}

#[test]
fn the_clock_limit_fails_closed() {
    let limits = Limits {
        max_time: Some(std::time::Duration::ZERO),
        ..Limits::default()
    };
    let slow = "policy \"p\" {\n  deny if count([x for x in xs]) > 0\n}\n";
    let xs: Vec<u32> = (0..5000).collect();
    let error = failure(slow, json!({"xs": xs}), limits);
    assert!(
        error.to_string().contains("it took more than 0 ms"),
        "{error}"
    );
}

#[test]
fn the_deepest_expressions_the_parser_builds_compile_evaluate_and_explain() {
    let terms = vec!["x"; 250].join(" + ");
    let negations = "not ".repeat(120);
    let policy = format!(
        "policy \"p\" {{\n  let x = n\n  deny \"${{{terms}}}\" if {terms} > 0 and {negations}true\n}}\n"
    );
    let input = json!({"n": 1});
    assert_eq!(fires(&policy, input.clone()), ["deny: 250"]);
    assert_eq!(
        compiled(&policy)
            .explain(&input, now())
            .unwrap()
            .outcomes
            .len(),
        1
    );
    assert_eq!(
        check(&policy),
        [
            "2:11: warning: unknown input field `n` (a bare name is a `let`, a loop variable, or a field of the input document)"
        ]
    );
}
