//! `verdict test` through the binary: test blocks, Rego `test_` rules, `--run`, the
//! closing line, JSON and JUnit reports, coverage, and exit codes.

use crate::harness::{Scratch, Verdict};

const POLICY: &str = r#"
policy "cost-guard" {
  config { maxCostIncrease: 10 }
  let diff = costEstimation.monthlyCostDiff ?? 0
  pending "Monthly cost increase of ${diff} needs an approver" if diff > config.maxCostIncrease
  allow "Small change" if diff <= config.maxCostIncrease
}
"#;

/// Two tests against [`POLICY`]: one that passes, one that fails.
const PASSES_AND_FAILS: &str = r#"test "passes" {
  input {}
  expect allow
}
test "fails" {
  input {}
  expect deny
}
"#;

fn project(tests: &str) -> Scratch {
    Scratch::new()
        .file("policies/cost.policy", POLICY)
        .file("policies/cost_test.policy", tests)
        .file(
            "fixtures/deploy.json",
            r#"{"costEstimation": {"monthlyCostDiff": 5}}"#,
        )
}

#[test]
fn test_blocks_with_file_and_inline_inputs_overrides_and_now() {
    let scratch = project(
        r#"
test "small change from a file" {
  input "../fixtures/deploy.json"
  expect allow
  expect message == "Small change"
}

test "override makes it costly" {
  input "../fixtures/deploy.json"
  set costEstimation.monthlyCostDiff = 150
  now "2026-11-21T10:00:00Z"
  expect pending
  expect message contains "needs an approver"
  expect outcomes 1
  expect no allow
}

test "inline input" {
  input { costEstimation: { monthlyCostDiff: 11 } }
  expect pending
  expect not defaulted
}
"#,
    );
    let output = Verdict::new(["test", &scratch.path("policies")])
        .run()
        .code(0);
    assert!(
        output.stdout.ends_with("3 passed, 0 failed\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn a_failure_shows_expected_and_actual_with_the_tests_location() {
    let scratch = project(
        r#"test "wrong expectation" {
  input { costEstimation: { monthlyCostDiff: 150 } }
  expect allow
  expect message contains "no such text"
}
"#,
    );
    let output = Verdict::new(["test", &scratch.path("policies")])
        .run()
        .code(1);
    assert!(
        output.stdout.contains("FAIL  wrong expectation"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("cost_test.policy:1:1"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("expected verdict allow, got pending"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("Monthly cost increase of 150 needs an approver"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.ends_with("0 passed, 1 failed\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn run_filters_tests_by_name() {
    let scratch = project(
        r#"test "alpha" {
  input {}
  expect allow
}
test "beta" {
  input {}
  expect deny
}
"#,
    );
    Verdict::new(["test", &scratch.path("policies"), "--run", "^alp"])
        .run()
        .code(0)
        .stdout_has("1 passed, 0 failed");
    Verdict::new(["test", &scratch.path("policies"), "--run", "("])
        .run()
        .code(64)
        .stderr_has("not a valid regular expression");
    Verdict::new(["test", &scratch.path("policies"), "--run", "^gamma"])
        .run()
        .code(0)
        .stdout_has("0 passed, 0 failed")
        .stderr_has("warning: no test's name matches `--run ^gamma`");
}

#[test]
fn rego_test_rules_pass_and_fail_as_in_opa_test() {
    let scratch = Scratch::new()
        .file(
            "policies/gate.rego",
            "package gate\nimport rego.v1\n\ndeny contains \"too big\" if input.size > 10\n",
        )
        .file(
            "policies/gate_test.rego",
            "package gate_test\nimport rego.v1\n\ntest_big_is_denied if {\n  data.gate.deny with input as {\"size\": 11}\n}\n\ntest_small_is_denied if {\n  data.gate.deny[\"too big\"] with input as {\"size\": 1}\n}\n",
        );
    let output = Verdict::new(["test", &scratch.path("policies")])
        .run()
        .code(1);
    assert!(
        output.stdout.contains("ok    gate_test.test_big_is_denied"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("FAIL  gate_test.test_small_is_denied"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.ends_with("1 passed, 1 failed\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn junit_has_one_suite_per_file_and_one_case_per_test() {
    let scratch = project(PASSES_AND_FAILS);
    let output = Verdict::new(["test", &scratch.path("policies"), "-f", "junit"])
        .run()
        .code(1);
    let xml = &output.stdout;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"verdict\" tests=\"2\" failures=\"1\""), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert!(
        xml.contains("<failure message=\"expected verdict deny, got allow\""),
        "{xml}"
    );
}

#[test]
fn github_annotates_each_failed_test_and_each_rule_never_fired() {
    let scratch = project(PASSES_AND_FAILS);
    let policies = scratch.path("policies");
    let output = Verdict::new(["test", &policies, "-f", "github", "--coverage"])
        .run()
        .code(1);
    let tests = format!("{policies}/cost_test.policy");
    let policy = format!("{policies}/cost.policy");
    assert_eq!(
        output.stdout,
        format!(
            "::error file={tests},line=5,col=1,title=test failed%3A fails::expected verdict deny, got allow%0A\
             got allow from cost-guard: Small change\n\
             ::warning file={policy},line=5,col=3,title=never fired::cost-guard pending never fired in any test\n\
             ::error title=verdict test::1 passed, 1 failed\n"
        )
    );
    Verdict::new(["test", &policies, "-f", "github", "--run", "passes"])
        .run()
        .code(0)
        .stdout_has("::notice title=verdict test::1 passed, 0 failed\n");
}

#[test]
fn a_run_that_stops_or_misses_its_coverage_says_so_on_stdout() {
    let scratch = Scratch::new().file(
        "policies/p.policy",
        "policy \"p\" {\n  deny \"x\" if nosuch(1)\n}\n",
    );
    let output = Verdict::new(["test", &scratch.path("policies"), "-f", "github"])
        .run()
        .code(65);
    assert!(
        output.stdout.ends_with(
            "::error title=verdict::tests not run (exit 65): the input or a policy cannot be used\n"
        ),
        "{}",
        output.stdout
    );
    let output = Verdict::new(["test", &scratch.path("policies"), "-f", "json"])
        .run()
        .code(65);
    assert_eq!(output.json()["error"]["exit_code"], 65);
    let scratch = project("test \"t\" {\n  input {}\n  expect allow\n}\n");
    let policies = scratch.path("policies");
    let args = ["test", &policies, "-f", "github", "--coverage-min", "90"];
    let output = Verdict::new(args).run().code(1);
    assert!(
        output.stdout.contains(
            "::error title=coverage::rule coverage is 50.0%25, below the minimum of 90.0%25\n"
        ),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .ends_with("::error title=verdict test::1 passed, 0 failed\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn json_report_counts_and_lists_tests() {
    let scratch = project("test \"t\" {\n  input {}\n  expect allow\n}\n");
    let output = Verdict::new(["test", &scratch.path("policies"), "-f", "json"])
        .run()
        .code(0);
    let report = output.json();
    assert_eq!(report["passed"], 1);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["tests"][0]["name"], "t");
    assert_eq!(report["tests"][0]["verdict"], "allow");
}

#[test]
fn coverage_names_rules_no_test_fired_and_can_fail_the_run() {
    let scratch = project("test \"only the cheap path\" {\n  input {}\n  expect allow\n}\n");
    let output = Verdict::new(["test", &scratch.path("policies"), "--coverage"])
        .run()
        .code(0);
    assert!(output.stdout.contains("50.0%"), "{}", output.stdout);
    assert!(
        output.stdout.contains("never fired: cost-guard pending"),
        "{}",
        output.stdout
    );
    Verdict::new(["test", &scratch.path("policies"), "--coverage-min", "75"])
        .run()
        .code(1)
        .stderr_has("below the minimum of 75.0%");
}

#[test]
fn a_test_file_that_does_not_parse_is_65() {
    let scratch = project("test \"broken\" {\n  expect maybe\n}\n");
    Verdict::new(["test", &scratch.path("policies")])
        .run()
        .code(65)
        .stderr_has("cost_test.policy:2");
}

#[test]
fn a_test_stopped_by_an_error_exits_with_that_errors_code() {
    // Every test still runs and is reported; the run exits as `eval` would have.
    let passing = "test \"small\" {\n  input \"../fixtures/deploy.json\"\n  expect allow\n}\n";
    let missing = format!(
        "{passing}test \"missing input\" {{\n  input \"../fixtures/nowhere.json\"\n  expect allow\n}}\n"
    );
    let output = Verdict::new(["test", &project(&missing).path("policies")])
        .run()
        .code(66);
    assert!(
        output.stdout.contains("1 passed, 1 failed"),
        "{}",
        output.stdout
    );
    assert!(output.stdout.contains("nowhere.json"), "{}", output.stdout);

    let bad_time =
        format!("{passing}test \"bad now\" {{\n  input {{ now: \"soon\" }}\n  expect allow\n}}\n");
    Verdict::new(["test", &project(&bad_time).path("policies")])
        .run()
        .code(65);

    let failing_rego = Scratch::new()
        .file(
            "policies/odd.rego",
            "package odd\nimport rego.v1\n\ndeny := 42\n",
        )
        .file(
            "policies/odd_test.policy",
            "test \"odd\" {\n  input { }\n  expect allow\n}\n",
        );
    Verdict::new(["test", &failing_rego.path("policies")])
        .run()
        .code(70)
        .stdout_has("rule `deny` of policy `odd`")
        .stdout_has("ERROR odd");

    // A Rego test rule whose evaluation fails is stopped by an error, not failed.
    let erring_rego_test = Scratch::new()
        .file(
            "policies/gate.rego",
            "package gate\nimport rego.v1\n\nsize := 1 if input.a\nsize := 2 if input.a\n\ndeny contains \"big\" if size > 1\n",
        )
        .file(
            "policies/gate_test.rego",
            "package gate_test\nimport rego.v1\n\ntest_conflict if {\n  data.gate.deny with input as {\"a\": true}\n}\n\ntest_quiet if {\n  count(data.gate.deny) == 0 with input as {}\n}\n",
        );
    let output = Verdict::new(["test", &erring_rego_test.path("policies")])
        .run()
        .code(70)
        .stdout_has("ERROR gate_test.test_conflict")
        .stdout_has("ok    gate_test.test_quiet")
        .stdout_has("1 passed, 1 failed");
    let junit = Verdict::new(["test", &erring_rego_test.path("policies"), "-f", "junit"])
        .run()
        .code(70);
    assert!(
        junit.stdout.contains("failures=\"0\" errors=\"1\"") && junit.stdout.contains("<error "),
        "{}\n{}",
        junit.stdout,
        output.stdout
    );
}

#[test]
fn the_shipped_policies_pass_their_tests_with_full_coverage() {
    let output = Verdict::new(["test", "policies", "--coverage-min", "100"]).run();
    assert_eq!(output.code, 0, "{}\n{}", output.stdout, output.stderr);
    assert!(output.stdout.contains(" 0 failed\n"));
}

/// Deciding leaves test blocks unread (they are half the shipped sets' text), so a mistake
/// inside one stops `verdict test` and `verdict check` but not a decision.
#[test]
fn a_broken_test_block_stops_test_and_check_but_not_eval() {
    let scratch = project(
        "test \"t\" {\n  input { costEstimation: { monthlyCostDiff: 5 } }\n  expect maybe\n}\n",
    );
    let policies = scratch.path("policies");
    let input = scratch.path("fixtures/deploy.json");
    Verdict::new(["eval", "-p", &policies, "-i", &input])
        .run()
        .code(0)
        .stdout_has("allow");
    for command in ["test", "check"] {
        Verdict::new([command, &policies])
            .run()
            .code(65)
            .stderr_has("cost_test.policy:3:");
    }
}
