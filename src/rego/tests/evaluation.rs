//! Reading verdict rules as outcomes, and what evaluation provides: prints, clock, limits.

use super::*;

#[test]
fn every_value_shape_reads_as_the_specification_says() {
    let policy = r#"package env0
import rego.v1

deny contains {"msg": "object message", "severity": "high"} if true
deny contains {"message": "second form"} if true
pending := ["one", "two"]
warn := "a single message"
allow := false
violation contains "violation is deny" if true
"#;
    let mut policies = load(&[("p.rego", policy)]);
    assert!(policies.set_input(&json!({})).is_ok());
    let outcomes = policies.evaluate(0, now()).unwrap_or_default();
    let seen: Vec<(Verdict, &str, &str)> = outcomes
        .iter()
        .map(|o| (o.verdict, &*o.rule, o.message.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (Verdict::Deny, "deny", "second form"),
            (Verdict::Deny, "deny", "object message"),
            (Verdict::Deny, "violation", "violation is deny"),
            (Verdict::Pending, "pending", "one"),
            (Verdict::Pending, "pending", "two"),
            (Verdict::Warn, "warn", "a single message"),
        ]
    );
    assert_eq!(
        outcomes[1].details,
        Some(json!({"msg": "object message", "severity": "high"}))
    );
    assert_eq!(&*outcomes[0].policy, "env0");
}

#[test]
fn empty_false_and_undefined_rules_give_no_outcome() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains \"x\" if input.never\npending := []\nwarn := false\nallow := \"\"\n";
    assert_eq!(decide(&[("p.rego", policy)], json!({})), []);
}

#[test]
fn other_shapes_are_evaluation_errors_naming_package_and_rule() {
    let number = evaluation_error(
        &[("p.rego", "package env0.cost\nimport rego.v1\n\ndeny := 3\n")],
        json!({}),
    );
    assert_eq!(number.class, ErrorClass::Evaluation);
    assert_eq!(
        first_message(&number),
        "p.rego:4:1: rule `deny` of policy `env0.cost` is a number: expected a set of messages, a message, or a boolean"
    );
    let element = evaluation_error(
        &[(
            "p.rego",
            "package env0\nimport rego.v1\n\nwarn contains 7 if true\n",
        )],
        json!({}),
    );
    assert_eq!(
        first_message(&element),
        "p.rego:4:1: rule `warn` of policy `env0` has an element that is a number: expected a string or an object with `msg` or `message`"
    );
    // In Rego v1, `deny[msg] if` is an object keyed by message: verdict says how to fix it.
    let object = evaluation_error(
        &[(
            "p.rego",
            "package env0\nimport rego.v1\n\ndeny[msg] if msg := \"x\"\n",
        )],
        json!({}),
    );
    assert_eq!(
        first_message(&object),
        "p.rego:4:1: rule `deny` of policy `env0` is an object without `msg` or `message`"
    );
    assert!(
        object.diagnostics[0]
            .help
            .as_deref()
            .is_some_and(|help| help.contains("deny contains msg if"))
    );
    let null = evaluation_error(
        &[("p.rego", "package env0\nimport rego.v1\n\nallow := null\n")],
        json!({}),
    );
    assert!(first_message(&null).contains("is null"));
}

#[test]
fn runtime_errors_are_evaluation_errors_with_a_place() {
    let policy = "package env0\nimport rego.v1\n\nlimit := 1 if input.a\nlimit := 2 if input.b\n\ndeny contains \"over\" if limit > 0\n";
    let error = evaluation_error(&[("p.rego", policy)], json!({"a": true, "b": true}));
    assert_eq!(error.class, ErrorClass::Evaluation);
    let message = first_message(&error);
    assert!(message.starts_with("p.rego:5:"), "{message}");
    assert!(
        message.contains("rule `deny` of policy `env0`"),
        "{message}"
    );
}

#[test]
fn prints_carry_file_and_line() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains msg if {\n  msg := \"x\"\n  print(\"checking\", input.a)\n}\n";
    let options = RegoOptions {
        capture_prints: true,
        ..RegoOptions::default()
    };
    let mut policies =
        load_with(&[("dir/p.rego", policy)], &options).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(evaluate(&mut policies, json!({"a": 1})).is_ok());
    assert_eq!(policies.take_prints(), ["dir/p.rego:6: checking 1"]);
    assert!(policies.take_prints().is_empty());
}

#[test]
fn time_now_ns_is_the_evaluation_time() {
    let policy =
        "package env0\nimport rego.v1\n\nwarn contains sprintf(\"%d\", [time.now_ns()]) if true\n";
    let outcomes = decide(&[("p.rego", policy)], json!({}));
    let expected = now().timestamp_nanos_opt().unwrap_or_default().to_string();
    assert_eq!(outcomes, [(Verdict::Warn, expected)]);
}

#[test]
fn the_time_limit_stops_runaway_policies() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains \"slow\" if {\n  count([x | some a in numbers.range(1, 400); some b in numbers.range(1, 400); x := a * b]) > 0\n}\n";
    let options = RegoOptions {
        timeout: Some(Duration::from_millis(1)),
        ..RegoOptions::default()
    };
    let mut policies =
        load_with(&[("p.rego", policy)], &options).unwrap_or_else(|e| panic!("{e:?}"));
    let error = evaluate(&mut policies, json!({})).err();
    assert_eq!(
        error.as_ref().map(|e| e.class),
        Some(ErrorClass::Evaluation)
    );
    assert_eq!(
        error.map(|e| e.diagnostics[0].message.clone()).as_deref(),
        Some("rule `deny` of policy `env0`: evaluation took longer than the time limit")
    );
}

#[test]
fn clones_evaluate_independently_on_other_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let policies = load(&[(
        "p.rego",
        "package env0\nimport rego.v1\ndeny contains input.who if input.who\n",
    )]);
    assert_send(&policies);
    let handles: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|who| {
            let mut mine = policies.clone();
            std::thread::spawn(move || evaluate(&mut mine, json!({"who": who})).unwrap_or_default())
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().unwrap_or_default())
        .collect();
    assert_eq!(results, [vec![deny("alice")], vec![deny("bob")]]);
}
