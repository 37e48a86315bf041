//! `verdict eval` on the shipped env0 policies and fixtures, and every way it can end.

use crate::harness::{Scratch, Verdict};

fn eval_fixture(policies: &str, fixture: &str) -> crate::harness::Output {
    Verdict::new([
        "eval",
        "-p",
        policies,
        "-i",
        &format!("fixtures/env0/{fixture}.json"),
    ])
    .run()
}

#[test]
fn each_env0_fixture_gets_its_verdict_and_exit_code() {
    let cases = [
        ("deploy-small", "allow", 0),
        ("deploy-unapproved", "pending", 2),
        ("deploy-self-approved", "pending", 2),
        ("deploy-two-approvers-needed", "pending", 2),
        ("deploy-cost-150", "pending", 2),
        ("deploy-cost-6000", "deny", 1),
        ("delete-database", "deny", 1),
        ("replace-database", "deny", 1),
        ("iam-change-by-payments", "deny", 1),
        ("iam-change-by-security", "allow", 0),
        ("destroy", "warn", 0),
        ("drift-scheduled", "allow", 0),
        ("noop-plan", "allow", 0),
    ];
    for (fixture, verdict, code) in cases {
        let output = eval_fixture("policies/env0", fixture).code(code);
        assert!(
            output.stdout.starts_with(&format!("{verdict} (")),
            "{fixture}: {}",
            output.stdout
        );
    }
}

#[test]
fn text_output_puts_the_verdict_first_then_each_outcome_with_its_source() {
    let output = eval_fixture("policies/env0", "deploy-cost-6000").code(1);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn json_output_has_the_fields_the_specification_names() {
    let output = Verdict::new([
        "eval",
        "-p",
        "policies/env0",
        "-i",
        "fixtures/env0/destroy.json",
        "-f",
        "json",
        "--now",
        "2026-11-21T10:00:00Z",
    ])
    .run()
    .code(0);
    let decision = output.json();
    assert_eq!(decision["verdict"], "warn");
    assert_eq!(decision["defaulted"], false);
    assert_eq!(decision["now"], "2026-11-21T10:00:00Z");
    let warn = &decision["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["verdict"] == "warn")
        .unwrap();
    assert_eq!(warn["policy"], "env0.warn_destroy");
    assert_eq!(warn["rule"], "warn");
    assert_eq!(warn["source"], "policies/env0/warn-destroy.rego:11:1");
    assert_eq!(
        warn["message"],
        "Environment destroyed: This deployment destroys every resource of the environment"
    );
    for policy in decision["policies"].as_array().unwrap() {
        assert!(policy["policy"].is_string() && policy["source"].is_string());
        assert!(
            ["deny", "pending", "warn", "allow", "none"]
                .contains(&policy["verdict"].as_str().unwrap())
        );
    }
}

#[test]
fn fail_on_warn_exits_3() {
    Verdict::new([
        "eval",
        "-p",
        "policies/env0",
        "-i",
        "fixtures/env0/destroy.json",
        "--fail-on-warn",
    ])
    .run()
    .code(3);
}

#[test]
fn input_comes_from_stdin_when_absent_or_dash() {
    let document = std::fs::read_to_string("fixtures/env0/deploy-cost-6000.json").unwrap();
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin(&document)
        .run()
        .code(1);
    Verdict::new(["eval", "-p", "policies/env0", "-i", "-"])
        .stdin(&document)
        .run()
        .code(1);
}

#[test]
fn nothing_fired_means_pending_unless_default_says_otherwise() {
    let scratch = Scratch::new().file(
        "quiet.rego",
        "package quiet\n\ndeny contains \"never\" if false\n",
    );
    let policy = scratch.path("quiet.rego");
    let output = Verdict::new(["eval", "-p", &policy, "-f", "json"])
        .stdin("{}")
        .run()
        .code(2);
    assert_eq!(output.json()["verdict"], "pending");
    assert_eq!(output.json()["defaulted"], true);
    assert_eq!(output.json()["policies"][0]["verdict"], "none");
    let output = Verdict::new(["eval", "-p", &policy, "-f", "json", "--default", "allow"])
        .stdin("{}")
        .run()
        .code(0);
    assert_eq!(output.json()["verdict"], "allow");
    assert_eq!(output.json()["defaulted"], true);
    Verdict::new(["eval", "-p", &policy, "--default", "deny"])
        .stdin("{}")
        .run()
        .code(1);
}

#[test]
fn the_default_policy_path_is_policies_when_it_exists() {
    let scratch = Scratch::new().file(
        "policies/p.rego",
        "package p\n\ndeny contains \"no\" if true\n",
    );
    Verdict::new(["eval"])
        .current_dir(scratch.dir.path())
        .stdin("{}")
        .run()
        .code(1)
        .stdout_has("p: no");
}

#[test]
fn github_format_annotates_the_rule() {
    let output = Verdict::new([
        "eval",
        "-p",
        "policies/env0",
        "-i",
        "fixtures/env0/delete-database.json",
        "-f",
        "github",
    ])
    .run()
    .code(1);
    assert!(output.stdout.contains(
        "::error file=policies/env0/protect-critical-resources.rego,line=18,col=1,title=deny by env0.protect_critical_resources::Critical resource deleted"
    ), "{}", output.stdout);
    assert!(
        output
            .stdout
            .ends_with("::error title=verdict::deny (2 outcomes)\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn github_format_annotates_an_error_that_leaves_no_decision() {
    let output = Verdict::new(["eval", "-p", "policies/env0", "-f", "github"])
        .stdin("{\n  \"approvers\": [,]\n}")
        .run()
        .code(65);
    assert_eq!(
        output.stdout,
        "::error title=verdict::<stdin>:2:17: invalid JSON in `<stdin>`: expected value%0Ahelp: the input document must be one JSON object\n\
         ::error title=verdict::no decision (exit 65): the input or a policy cannot be used\n",
    );
    assert!(output.stderr.contains("<stdin>:2:17"), "{}", output.stderr);
}

#[test]
fn print_input_shows_the_document_on_stderr() {
    let output = Verdict::new(["eval", "-p", "policies/env0", "--print-input"])
        .stdin("{\"now\": null}")
        .run();
    assert!(output.stderr.contains("\"now\": null"), "{}", output.stderr);
    let output = Verdict::new(["eval", "-p", "policies/env0"])
        .env("VERDICT_PRINT_INPUT", "1")
        .stdin("{\"marker\": 7}")
        .run();
    assert!(output.stderr.contains("\"marker\": 7"), "{}", output.stderr);
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let args = [
        "eval",
        "-p",
        "policies/env0",
        "-i",
        "fixtures/env0/destroy.json",
    ];
    let plain = Verdict::new(args).run();
    assert!(!plain.stdout.contains('\x1b'), "not a terminal: no colour");
    let forced = Verdict::new(args.iter().copied().chain(["--color", "always"])).run();
    assert!(
        forced.stdout.contains("\x1b[1;35mwarn"),
        "{}",
        forced.stdout
    );
    let refused = Verdict::new(args.iter().copied().chain(["--color", "always"]))
        .env("NO_COLOR", "1")
        .run();
    assert!(!refused.stdout.contains('\x1b'), "{}", refused.stdout);
    assert!(!refused.stderr.contains('\x1b'), "{}", refused.stderr);
}

#[test]
fn a_catalog_folder_is_one_policy_named_by_its_metadata_with_schema_defaults() {
    let output = Verdict::new([
        "eval",
        "-p",
        "policies/env0/require-approvers",
        "-f",
        "json",
    ])
    .stdin(r#"{"deploymentRequest": {"type": "deploy"}, "deployerUser": {"email": "a@x.io"}, "approvers": [{"email": "b@x.io"}]}"#)
    .run()
    .code(0);
    let decision = output.json();
    assert_eq!(decision["policies"][0]["policy"], "require-approvers");
    assert_eq!(decision["outcomes"][0]["message"], "approved by b@x.io");
    let output = Verdict::new(["eval", "-p", "policies/env0/require-approvers"])
        .stdin(r#"{"deploymentRequest": {"type": "deploy"}, "approvers": [], "policyData": {"requiredApprovers": 3}}"#)
        .run()
        .code(2);
    assert!(
        output.stdout.contains("0 of 3 approvals"),
        "{}",
        output.stdout
    );
}

#[test]
fn explain_shows_the_values_that_decided_each_rule() {
    let output = Verdict::new([
        "eval",
        "-p",
        "policies/dsl/cost.policy",
        "-p",
        "policies/env0/cost-threshold.rego",
        "-i",
        "fixtures/env0/deploy-cost-150.json",
        "--explain",
    ])
    .run()
    .code(2);
    assert!(
        output
            .stdout
            .contains("increase > config.maxCostIncrease: 150 > 100 → true"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("total > config.hardMonthlyLimit: 562.5 > 5000 → false"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("  pending (policies/env0/cost-threshold.rego:13:1): fired: monthly cost increase of 150"),
        "{}",
        output.stdout
    );

    let output = Verdict::new([
        "eval",
        "-p",
        "policies/dsl/cost.policy",
        "-i",
        "fixtures/env0/deploy-cost-150.json",
        "--explain",
        "-f",
        "json",
    ])
    .run()
    .code(2);
    let explained = &output.json()["explain"];
    assert_eq!(explained[0]["kind"], "policy");
    assert_eq!(explained[0]["policy"], "cost-threshold");
    assert!(explained[0]["rules"].is_array());
}

#[test]
fn explain_lists_every_rego_definition_and_whether_it_fired() {
    let scratch = Scratch::new().file(
        "p.rego",
        "package p\nimport rego.v1\n\npending contains \"one\" if count(input.approvers) < 1\npending contains \"two\" if count(input.approvers) < 2\nallow contains \"ok\" if count(input.approvers) >= 1\nwarn contains \"big\" if input.big\n",
    );
    let policy = scratch.path("p.rego");
    let output = Verdict::new(["eval", "-p", &policy, "--explain"])
        .stdin(r#"{"approvers": [1]}"#)
        .run()
        .code(2);
    for line in [
        "policy `p` (Rego, ".to_string(),
        format!("  pending ({policy}:4:1): did not fire"),
        format!("  pending ({policy}:5:1): fired: two"),
        format!("  allow ({policy}:6:1): fired: ok"),
        format!("  warn ({policy}:7:1): did not fire"),
    ] {
        assert!(output.stdout.contains(&line), "{line}\n{}", output.stdout);
    }
    let output = Verdict::new(["eval", "-p", &policy, "--explain", "-f", "json"])
        .stdin(r#"{"approvers": []}"#)
        .run()
        .code(2);
    let rules = &output.json()["explain"][0]["rules"];
    let fired: Vec<(String, bool)> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            (
                rule["rule"].as_str().unwrap().to_string(),
                rule["fired"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fired,
        [
            ("pending".to_string(), true),
            ("pending".to_string(), true),
            ("warn".to_string(), false),
            ("allow".to_string(), false),
        ]
    );
}

#[test]
fn explain_shows_rego_prints_and_counted_reviews() {
    let scratch = Scratch::new().file(
        "p.rego",
        "package p\nimport rego.v1\n\ndeny contains \"no\" if {\n  print(\"size is\", input.size)\n  input.size > 1\n}\n",
    );
    let output = Verdict::new(["eval", "-p", &scratch.path("p.rego"), "--explain"])
        .stdin(r#"{"size": 2}"#)
        .run()
        .code(1);
    assert!(output.stdout.contains("print "), "{}", output.stdout);
    assert!(output.stdout.contains("size is 2"), "{}", output.stdout);

    let output = Verdict::new([
        "eval",
        "-p",
        "policies/esc",
        "-i",
        "fixtures/esc/update-pending.json",
        "--explain",
    ])
    .run()
    .code(2);
    assert!(
        output
            .stdout
            .contains("review 1: erin@acme.io approve on revision 7: stale revision 7, current 8"),
        "{}",
        output.stdout
    );
}

#[test]
fn rego_print_goes_to_stderr_with_file_and_line() {
    let scratch = Scratch::new().file(
        "p.rego",
        "package p\nimport rego.v1\n\nallow if {\n  print(\"checked\")\n}\n",
    );
    let output = Verdict::new(["eval", "-p", &scratch.path("p.rego")])
        .stdin("{}")
        .run()
        .code(0);
    assert!(
        output.stderr.contains("p.rego:5: checked"),
        "{}",
        output.stderr
    );
    assert!(!output.stdout.contains("checked"));
}

/// `eval -f github` of a policy whose loading warns of an unknown field, on `stdin`,
/// exiting with `code`: its stdout, which starts with the warning's annotation.
fn github_eval_with_a_load_warning(stdin: &str, code: i32) -> String {
    let scratch = Scratch::new().file("p.policy", crate::check::UNKNOWN_FIELD);
    let path = scratch.path("p.policy");
    let output = Verdict::new(["eval", "-p", &path, "-f", "github"])
        .stdin(stdin)
        .run()
        .code(code);
    let warning = format!(
        "::warning file={path},line=2,col=15,title=verdict::unknown input field `costt`%0A\
         help: a bare name is a `let`, a loop variable, or a field of the input document\n"
    );
    assert!(output.stdout.starts_with(&warning), "{}", output.stdout);
    output.stdout[warning.len()..].to_string()
}

#[test]
fn eval_annotates_the_warnings_of_loading_before_the_decision() {
    assert_eq!(
        github_eval_with_a_load_warning("{}", 2),
        "::error title=verdict::pending (default: no policy produced an outcome)\n"
    );
}

#[test]
fn eval_annotates_the_warnings_of_loading_before_an_error() {
    assert_eq!(
        github_eval_with_a_load_warning("[]", 65),
        "::error title=verdict::`<stdin>` is a JSON array, not an object: the input document is one JSON object\n\
         ::error title=verdict::no decision (exit 65): the input or a policy cannot be used\n"
    );
}
