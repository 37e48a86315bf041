//! Hostile policies: each ends in an error with a place and a reason, never in a crash,
//! a hang or an allow.

use super::*;

#[test]
fn a_function_that_calls_itself_is_refused_at_load_time() {
    let error = load_error(&[(
        "p.rego",
        "package p\nimport rego.v1\n\nf(x) := f(x + 1)\n\ndeny contains \"x\" if f(1) > 0\n",
    )]);
    assert_eq!(error.class, ErrorClass::Invalid);
    let message = first_message(&error);
    assert!(
        message.contains("p.rego:4:9")
            && message.contains("function `data.p.f` is recursive: `data.p.f` calls `data.p.f`"),
        "{message}"
    );
}

#[test]
fn mutual_recursion_across_packages_is_refused() {
    let error = load_error(&[
        (
            "a.rego",
            "package a\nimport rego.v1\nimport data.b\n\nf(x) := b.g(x)\n\ndeny contains \"x\" if f(1)\n",
        ),
        (
            "b.rego",
            "package b\nimport rego.v1\n\ng(x) := y if {\n  y := data.a.f(x)\n}\n",
        ),
    ]);
    assert_eq!(error.class, ErrorClass::Invalid);
    assert_eq!(error.diagnostics.len(), 1, "{error:?}");
    let message = first_message(&error);
    assert!(
        message.contains("`data.a.f` calls `data.b.g` calls `data.a.f`"),
        "{message}"
    );
}

#[test]
fn functions_that_share_callees_are_not_recursive() {
    let outcomes = decide(
        &[(
            "p.rego",
            "package p\nimport rego.v1\n\nsq(x) := x * x\ntwice(x) := sq(x) + sq(x)\nquad(x) := twice(x) + twice(x)\n\ndeny contains \"big\" if quad(input.n) > 10\n",
        )],
        json!({"n": 2}),
    );
    assert_eq!(outcomes, [deny("big")]);
}

#[test]
fn recursive_rules_are_an_evaluation_error() {
    let error = evaluation_error(
        &[(
            "p.rego",
            "package p\nimport rego.v1\n\na if b\nb if a\n\ndeny contains \"x\" if a\n",
        )],
        json!({}),
    );
    assert_eq!(error.class, ErrorClass::Evaluation);
    assert!(first_message(&error).contains("recursion"), "{error:?}");
}

/// Found by fuzzing: sixteen unclosed brackets took the engine's parser seconds (twenty
/// in the fuzzing build). Deep nesting is refused before the engine parses anything.
#[test]
fn deep_or_unclosed_brackets_are_refused_before_the_engine_parses() {
    for text in [
        "package deep\nx := [[[[[[[[[[[[[[[[:1]]]yyyyyy]]]]]]]]]]]]]]\nall x\n",
        "package deep\nx := {{{{{{{{{{{{{{{{1",
        "package deep\nx := [{\"a\": [{\"a\": [{\"a\": [{\"a\": [{\"a\": [{\"a\": [{\"a\": 1}]}]}]}]}]}]}]\n",
    ] {
        let error = load_error(&[("deep.rego", text)]);
        assert_eq!(error.class, ErrorClass::Invalid);
        assert!(
            first_message(&error).contains("brackets nested deeper than 12 levels"),
            "{text}: {error:?}"
        );
    }
}

#[test]
fn a_panic_in_the_engine_is_an_error_and_the_engine_is_not_trusted_again() {
    let caught = super::super::engine::guarded(|| -> anyhow::Result<()> { panic!("boom") });
    let error = caught.unwrap_err();
    assert!(super::super::engine::is_panic(&error));
    assert_eq!(
        error.to_string(),
        "internal error in the policy engine: boom"
    );

    let mut policies = load(&[(
        "p.rego",
        "package p\nimport rego.v1\n\nallow contains \"ok\" if true\n",
    )]);
    assert!(evaluate(&mut policies, json!({})).is_ok());
    policies.poisoned = true;
    let error = evaluate(&mut policies, json!({})).unwrap_err();
    assert_eq!(error.class, ErrorClass::Evaluation);
    assert!(first_message(&error).contains("stopped on an internal error earlier"));
}
