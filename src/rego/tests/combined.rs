//! A package's verdict rules evaluated together, through the rule that holds them all.

use super::*;

/// `pending` and `allow` share `approvals`, which prints each time it is computed.
const SHARED_HELPER: &str = r#"package env0.approvals
import rego.v1

approvals := count(input.approvers) if {
	print("counting approvals")
}

pending contains "waiting for an approval" if approvals < 1

allow contains sprintf("approved %d times", [approvals]) if approvals >= 1
"#;

fn capturing() -> RegoOptions {
    RegoOptions {
        capture_prints: true,
        ..RegoOptions::default()
    }
}

#[test]
fn helpers_shared_by_verdict_rules_are_computed_once() {
    let mut policies =
        load_with(&[("p.rego", SHARED_HELPER)], &capturing()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        evaluate(&mut policies, json!({"approvers": ["bob"]})).ok(),
        Some(vec![(Verdict::Allow, "approved 1 times".to_string())])
    );
    assert_eq!(policies.take_prints(), ["p.rego:5: counting approvals"]);
}

#[test]
fn rules_are_evaluated_one_by_one_while_gathering_coverage() {
    let mut policies =
        load_with(&[("p.rego", SHARED_HELPER)], &capturing()).unwrap_or_else(|e| panic!("{e:?}"));
    policies.enable_coverage(true);
    assert_eq!(
        evaluate(&mut policies, json!({"approvers": []})).ok(),
        Some(vec![(
            Verdict::Pending,
            "waiting for an approval".to_string()
        )])
    );
    assert_eq!(policies.take_prints().len(), 2);
}

#[test]
fn the_values_are_those_of_the_rules_evaluated_one_by_one() {
    let policy = r#"package env0.shapes
import rego.v1

default warn := false

deny contains "never" if input.missing
pending := input.pending
warn := "careful" if input.careful
allow contains "yes" if input.yes
"#;
    for input in [
        json!({}),
        json!({"pending": ["a", "b"], "careful": true, "yes": true}),
        json!({"pending": "one", "missing": true}),
    ] {
        let mut together = load(&[("p.rego", policy)]);
        assert!(
            together
                .shared
                .combined
                .first()
                .is_some_and(Option::is_some)
        );
        let mut alone = load(&[("p.rego", policy)]);
        alone.enable_coverage(true);
        for policies in [&mut together, &mut alone] {
            assert!(policies.set_input(&input).is_ok());
        }
        let combined = together.interpreted_values(0).ok();
        let one_by_one = alone.interpreted_values(0).ok();
        assert!(combined.is_some(), "{input}");
        assert_eq!(combined, one_by_one, "{input}");
    }
}

#[test]
fn a_failing_rule_is_still_named() {
    let policy = r#"package env0.conflict
import rego.v1

pending contains "checked" if true

allow := "one" if input.a
allow := "two" if input.a
"#;
    let error = evaluation_error(&[("p.rego", policy)], json!({"a": true}));
    assert_eq!(error.class, ErrorClass::Evaluation);
    assert!(
        first_message(&error).contains("rule `allow` of policy `env0.conflict`"),
        "{}",
        first_message(&error)
    );
}

#[test]
fn the_rule_that_runs_out_of_time_is_named() {
    let policy = "package env0.slow\nimport rego.v1\n\npending contains \"quick\" if true\n\nallow contains \"slow\" if {\n  count([x | some a in numbers.range(1, 400); some b in numbers.range(1, 400); x := a * b]) > 0\n}\n";
    let options = RegoOptions {
        timeout: Some(Duration::from_millis(1)),
        ..RegoOptions::default()
    };
    let mut policies =
        load_with(&[("p.rego", policy)], &options).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        policies
            .shared
            .combined
            .first()
            .is_some_and(Option::is_some)
    );
    let error = evaluate(&mut policies, json!({})).err();
    assert_eq!(
        error.as_ref().map(first_message).as_deref(),
        Some("rule `allow` of policy `env0.slow`: evaluation took longer than the time limit")
    );
}

#[test]
fn reading_another_packages_rule_keeps_the_combined_rule() {
    let reads_data = r#"package env0.limits
import rego.v1

pending contains "over the limit" if input.n > data.env0.settings.max

allow contains "always" if true
"#;
    let settings = "package env0.settings\nimport rego.v1\n\nmax := 3\n";
    let files = [("limits.rego", reads_data), ("settings.rego", settings)];
    let policies = load(&files);
    assert_eq!(
        policies.shared.combined,
        [Some("data.env0.limits.__verdict_rules__".to_string()), None]
    );
    assert_eq!(
        decide(&files, json!({"n": 5})),
        [
            (Verdict::Pending, "over the limit".to_string()),
            (Verdict::Allow, "always".to_string())
        ]
    );
}

#[test]
fn a_package_whose_document_may_be_read_whole_has_none() {
    let other = |reads: &str| {
        format!(
            "package env0.other\nimport rego.v1\n\ndeny contains \"x\" if {{\n  x := {reads}\n  x == 1\n}}\n"
        )
    };
    for reads in [
        "data.env0.approvals",
        "data.env0[input.team]",
        "data[\"env0\"].approvals[input.rule]",
        "data",
    ] {
        let policies = load(&[("p.rego", SHARED_HELPER), ("o.rego", &other(reads))]);
        assert!(
            policies.shared.combined.iter().all(Option::is_none),
            "{reads}"
        );
    }
    for reads in [
        "data.env0.approvals.approvals",
        "data.env0.others[input.team]",
    ] {
        let policies = load(&[("p.rego", SHARED_HELPER), ("o.rego", &other(reads))]);
        assert_eq!(
            policies.shared.combined,
            [
                Some("data.env0.approvals.__verdict_rules__".to_string()),
                None
            ],
            "{reads}"
        );
    }
}

#[test]
fn a_package_with_one_verdict_rule_or_a_quoted_name_has_none() {
    let one = "package env0.one\nimport rego.v1\n\ndeny contains \"x\" if input.x\n";
    assert_eq!(load(&[("p.rego", one)]).shared.combined, [None]);
    let quoted = "package env0[\"team-a\"]\nimport rego.v1\n\ndeny contains \"x\" if input.x\nallow contains \"y\" if input.y\n";
    let mut policies = load(&[("p.rego", quoted)]);
    assert_eq!(policies.shared.combined, [None]);
    assert_eq!(
        evaluate(&mut policies, json!({"y": true})).ok(),
        Some(vec![(Verdict::Allow, "y".to_string())])
    );
}

#[test]
fn the_static_start_of_each_data_reference_is_read() {
    let paths = |text: &str| -> Vec<String> {
        crate::rego::combined::data_paths(text)
            .iter()
            .map(|path| path.join("."))
            .collect()
    };
    assert_eq!(paths("x := data.env0.limits.max"), ["env0.limits.max"]);
    assert_eq!(
        paths("x := data[\"env0\"].limits[name].max"),
        ["env0.limits"]
    );
    assert_eq!(paths("x := data[\"a\\\"b\"]"), [""]);
    assert_eq!(paths("x := data"), [""]);
    assert_eq!(
        paths("x := input.data; y := rego.metadata.rule()"),
        Vec::<String>::new()
    );
    assert_eq!(paths("# reads data\nx := \"data\""), Vec::<String>::new());
    assert_eq!(paths("policyData := data.a; b := data.c"), ["a", "c"]);
}

#[test]
fn tests_that_read_data_leave_the_combined_rule_in_place() {
    let tests = r#"package env0.approvals_test
import rego.v1

test_allows if {
	data.env0.approvals.allow with input as {"approvers": ["bob"]}
}
"#;
    let same_package_tests = r#"package env0.approvals
import rego.v1

test_waits if {
	data.env0.approvals.pending with input as {"approvers": []}
}
"#;
    let policies = load(&[
        ("p.rego", SHARED_HELPER),
        ("p_test.rego", tests),
        ("q_test.rego", same_package_tests),
    ]);
    assert_eq!(
        policies.shared.combined,
        [Some("data.env0.approvals.__verdict_rules__".to_string())]
    );
    let imports = "package env0.other\nimport rego.v1\nimport data.env0.approvals\n\ndeny contains \"x\" if input.x\n";
    let policies = load(&[("p.rego", SHARED_HELPER), ("o.rego", imports)]);
    assert!(policies.shared.combined.iter().all(Option::is_none));
    let imports = "package env0.other\nimport rego.v1\nimport data.env0.lib\n\ndeny contains \"x\" if input.x\n";
    let policies = load(&[("p.rego", SHARED_HELPER), ("o.rego", imports)]);
    assert_eq!(
        policies.shared.combined,
        [
            Some("data.env0.approvals.__verdict_rules__".to_string()),
            None
        ]
    );
}
