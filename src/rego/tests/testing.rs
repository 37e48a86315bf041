//! `test_*` rules and coverage.

use super::*;

const POLICY_WITH_TESTS: &str = r#"package env0
import rego.v1

deny contains "too costly" if input.cost > 100

deny contains msg if {
  input.cost > 1000
  msg := "far too costly"
}

warn contains "weekend" if {
  input.weekend
}
"#;

const TESTS: &str = r#"package env0_test
import rego.v1

test_denies_costly if {
  "too costly" in data.env0.deny with input as {"cost": 500}
}

test_fails if {
  data.env0.deny == set() with input as {"cost": 500}
}

test_undefined if input.never

test_errors if {
  print("about to fail")
  x := {"a": 1}
  object.get(x, "a", 0) == 1
  y := 1 / input.zero
  y
}

test_sees_no_input if {
  not input
}
"#;

#[test]
fn test_rules_run_like_opa_test() {
    let mut policies = load(&[("p.rego", POLICY_WITH_TESTS), ("p_test.rego", TESTS)]);
    assert!(policies.set_input(&json!({"cost": 5})).is_ok());
    let tests = policies.tests();
    let names: Vec<(String, String, String)> = tests
        .iter()
        .map(|t| (t.package.clone(), t.name.clone(), t.location.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "env0_test".into(),
                "test_denies_costly".into(),
                "p_test.rego:4:1".into()
            ),
            (
                "env0_test".into(),
                "test_fails".into(),
                "p_test.rego:8:1".into()
            ),
            (
                "env0_test".into(),
                "test_undefined".into(),
                "p_test.rego:12:1".into()
            ),
            (
                "env0_test".into(),
                "test_errors".into(),
                "p_test.rego:14:1".into()
            ),
            (
                "env0_test".into(),
                "test_sees_no_input".into(),
                "p_test.rego:22:1".into()
            ),
        ]
    );
    let results: Vec<(bool, Option<String>, Vec<String>)> = tests
        .iter()
        .map(|test| {
            let result = policies.run_test(test);
            (result.passed, result.message, result.prints)
        })
        .collect();
    assert_eq!(results[0], (true, None, vec![]));
    assert_eq!(results[1], (false, None, vec![]));
    assert_eq!(results[2], (false, None, vec![]));
    assert!(!results[3].0);
    assert_eq!(results[3].2, ["p_test.rego:15: about to fail"]);
    assert_eq!(results[4], (true, None, vec![]));
    // The test package is not a policy.
    let packages: Vec<&str> = policies
        .policies()
        .iter()
        .map(|p| p.package.as_str())
        .collect();
    assert_eq!(packages, ["env0"]);
}

#[test]
fn a_failing_test_says_why() {
    let tests = "package t_test\nimport rego.v1\n\ntest_conflict if {\n  x := {\"a\": 1}\n  x.a == 1\n  f(1) == 1\n}\n\nf(_) := 1\nf(_) := 2\n";
    let mut policies = load(&[("t.rego", tests)]);
    let test = policies.tests().into_iter().next();
    let result = test.map(|test| policies.run_test(&test));
    let message = result.and_then(|r| r.message).unwrap_or_default();
    assert!(message.starts_with("t.rego:"), "{message}");
    assert!(
        message.contains("test `test_conflict` of package `t_test`"),
        "{message}"
    );
}

#[test]
fn coverage_tells_which_verdict_rules_fired() {
    let mut policies = load(&[("p.rego", POLICY_WITH_TESTS), ("p_test.rego", TESTS)]);
    policies.enable_coverage(true);
    assert!(policies.set_input(&json!({"cost": 500})).is_ok());
    assert!(policies.evaluate(0, now()).is_ok());
    let fired = |policies: &RegoPolicies| -> Vec<(String, String, bool)> {
        policies
            .rule_coverage()
            .into_iter()
            .map(|c| (c.rule, c.location.to_string(), c.fired))
            .collect()
    };
    assert_eq!(
        fired(&policies),
        [
            ("deny".into(), "p.rego:4:1".into(), true),
            ("deny".into(), "p.rego:6:1".into(), false),
            ("warn".into(), "p.rego:11:1".into(), false),
        ]
    );
    // Rego tests count too: `test_denies_costly` makes the first `deny` fire.
    policies.enable_coverage(true);
    assert!(fired(&policies).iter().all(|(_, _, fired)| !fired));
    let tests = policies.tests();
    if let Some(first) = tests.first() {
        assert!(policies.run_test(first).passed);
    }
    assert_eq!(
        fired(&policies)[0],
        ("deny".into(), "p.rego:4:1".into(), true)
    );
    assert!(!fired(&policies)[1].2);
    // A multi-line body counts once every statement ran and its head value was computed.
    assert!(
        policies
            .set_input(&json!({"cost": 5000, "weekend": true}))
            .is_ok()
    );
    assert!(policies.evaluate(0, now()).is_ok());
    assert!(fired(&policies).iter().all(|(_, _, fired)| *fired));
}

#[test]
fn tests_can_replace_data_and_input() {
    let policy =
        "package env0\nimport rego.v1\n\ndeny contains \"blocked\" if input.user in data.blocked\n";
    let tests = "package env0_test\nimport rego.v1\n\ntest_blocked if {\n  \"blocked\" in data.env0.deny with input as {\"user\": \"eve\"} with data.blocked as [\"eve\"]\n}\n\ntest_not_blocked if {\n  count(data.env0.deny) == 0 with input as {\"user\": \"bob\"} with data.blocked as [\"eve\"]\n}\n";
    let data = vec![(Arc::<str>::from("d.json"), json!({"blocked": []}))];
    let mut policies = RegoPolicies::load(
        modules(&[("p.rego", policy), ("t.rego", tests)]),
        data,
        &RegoOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let results: Vec<bool> = policies
        .tests()
        .iter()
        .map(|t| policies.run_test(t).passed)
        .collect();
    assert_eq!(results, [true, true]);
}
