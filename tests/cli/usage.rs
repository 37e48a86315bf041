//! Help, version and usage errors: exit 0 for help and version, 64 for any misuse.

use crate::harness::Verdict;

#[test]
fn help_and_version_exit_zero() {
    Verdict::new(["--help"])
        .run()
        .code(0)
        .stdout_has("Exit codes:");
    Verdict::new(["eval", "--help"])
        .run()
        .code(0)
        .stdout_has("--fail-on-warn");
    Verdict::new(["--version"])
        .run()
        .code(0)
        .stdout_has("verdict ");
    for command in ["eval", "test", "check", "fmt", "compile", "schema", "log"] {
        Verdict::new([command, "--version"])
            .run()
            .code(0)
            .stdout_has("verdict");
    }
    Verdict::new(["eval", "-V"])
        .run()
        .code(0)
        .stdout_has("verdict");
}

#[test]
fn misuse_is_exit_64_not_clap_2() {
    Verdict::new(["eval", "--no-such-flag"])
        .run()
        .code(64)
        .stderr_has("--no-such-flag");
    Verdict::new(["no-such-command"]).run().code(64);
    Verdict::new(Vec::<&str>::new()).run().code(64);
}

#[test]
fn bad_flag_values_are_usage_errors() {
    Verdict::new(["eval", "--now", "yesterday"])
        .run()
        .code(64)
        .stderr_has("RFC 3339");
    Verdict::new(["eval", "--default", "maybe"])
        .run()
        .code(64)
        .stderr_has("not a verdict");
    Verdict::new(["eval", "-f", "yaml"]).run().code(64);
    Verdict::new(["eval", "--rego-version", "v2"])
        .run()
        .code(64);
    Verdict::new(["eval", "--max-input-size", "lots"])
        .run()
        .code(64);
    Verdict::new(["eval", "--timeout", "soon"]).run().code(64);
    Verdict::new(["eval", "--batch", "-j", "0"]).run().code(64);
}

#[test]
fn without_policies_it_says_how_to_name_them() {
    let empty = tempfile::tempdir().unwrap();
    Verdict::new(["eval"])
        .current_dir(empty.path())
        .stdin("{}")
        .run()
        .code(64)
        .stderr_has("--policy PATH");
}

#[test]
fn schema_prints_the_input_document_schema() {
    let output = Verdict::new(["schema"]).run().code(0);
    let schema = output.json();
    assert_eq!(schema["title"], "verdict input document");
    assert!(schema["properties"]["deploymentRequest"].is_object());
    assert!(schema["properties"]["grants"].is_object());
}

#[test]
fn request_refuses_bad_durations_and_identities_as_usage_errors() {
    Verdict::new([
        "request",
        "open-request",
        "acme/payments/prod",
        "--access-duration",
        "2x",
        "--requester",
        "alice@acme.io",
    ])
    .run()
    .code(64)
    .stderr_has("`2x` is not a duration");
    Verdict::new(["request", "open", "prod", "--requester", "alice@acme.io"])
        .run()
        .code(64)
        .stderr_has("org/project/env");
    Verdict::new(["request", "open", "acme/payments/prod", "--requester", "  "])
        .run()
        .code(64)
        .stderr_has("`--requester` is empty");
    Verdict::new([
        "request",
        "update",
        "acme/payments/prod",
        "--requester",
        "alice@acme.io",
    ])
    .run()
    .code(64);
}

#[test]
fn request_builds_a_document_eval_reads() {
    let output = Verdict::new([
        "request",
        "open-request",
        "acme/payments/prod",
        "--access-duration",
        "2h",
        "--grant-expiration",
        "24h",
        "--description",
        "Investigating production API errors",
        "--requester",
        "alice@acme.io",
    ])
    .run()
    .code(0);
    let document = output.json();
    assert_eq!(document["request"]["action"], "open-request");
    assert_eq!(document["request"]["accessDuration"], "2h");
    assert_eq!(document["request"]["requester"]["id"], "alice@acme.io");
    Verdict::new([
        "eval",
        "-p",
        "policies/esc",
        "--now",
        "2026-11-24T10:00:00Z",
    ])
    .stdin(&output.stdout)
    .run()
    .code(2)
    .stdout_has("0 of 2 approvals");
}

#[test]
fn the_shipped_policies_are_formatted_and_check_clean() {
    Verdict::new(["fmt", "--check", "policies"]).run().code(0);
    Verdict::new(["check", "policies"])
        .run()
        .code(0)
        .stdout_has("no errors");
}

#[test]
fn fmt_rewrites_a_file_and_check_mode_reports_it() {
    let scratch = crate::harness::Scratch::new().file(
        "p.policy",
        "policy \"p\" {\n    deny   \"x\"   if   1>2\n}\n",
    );
    let path = scratch.path("p.policy");
    let output = Verdict::new(["fmt", "--diff", &path]).run().code(1);
    assert!(
        output.stdout.contains("+  deny \"x\" if 1 > 2"),
        "{}",
        output.stdout
    );
    Verdict::new(["fmt", &path]).run().code(0);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "policy \"p\" {\n  deny \"x\" if 1 > 2\n}\n"
    );
    Verdict::new(["fmt", "--check", &path]).run().code(0);
}

#[test]
fn compiled_rego_decides_as_the_policy_does() {
    let scratch = crate::harness::Scratch::new();
    let out = scratch.path("rego");
    Verdict::new([
        "compile",
        "--to",
        "rego",
        "policies/dsl/cost.policy",
        "-o",
        &out,
    ])
    .run()
    .code(0);
    assert!(
        std::path::Path::new(&out)
            .join("verdict/lib.rego")
            .is_file()
    );
    for fixture in ["deploy-small", "deploy-cost-150", "deploy-cost-6000"] {
        let input = format!("fixtures/env0/{fixture}.json");
        let dsl = Verdict::new([
            "eval",
            "-p",
            "policies/dsl/cost.policy",
            "-i",
            &input,
            "-f",
            "json",
        ])
        .run();
        let rego = Verdict::new(["eval", "-p", &out, "-i", &input, "-f", "json"]).run();
        assert_eq!(dsl.code, rego.code, "{fixture}");
        let messages = |output: &crate::harness::Output| {
            let mut found: Vec<String> = output.json()["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["message"].to_string())
                .collect();
            found.sort();
            found
        };
        assert_eq!(messages(&dsl), messages(&rego), "{fixture}");
    }
    let printed = Verdict::new(["compile", "--to", "rego", "policies/dsl/cost.policy"])
        .run()
        .code(0);
    assert!(
        printed
            .stdout
            .contains("package verdict.policy.cost_threshold"),
        "{}",
        printed.stdout
    );
    Verdict::new(["compile", "--to", "python", "policies/dsl"])
        .run()
        .code(64);
}

#[test]
fn time_limits_under_a_second_are_written_in_iso_8601() {
    Verdict::new(["eval", "-p", "policies/env0", "--eval-timeout", "200ms"])
        .stdin("{}")
        .run()
        .code(64)
        .stderr_has("(under a second: ISO 8601, as PT0.5S)");
    Verdict::new(["eval", "-p", "policies/env0", "--eval-timeout", "PT0.5S"])
        .stdin("{}")
        .run()
        .code(2);
}

#[test]
fn a_refused_command_line_that_asked_for_json_gets_its_error_as_json() {
    for args in [
        &["eval", "-p", "policies/env0", "--now", "soon", "-f", "json"][..],
        &["eval", "--format=json", "--no-such-flag"][..],
        &["test", "-fjson", "--no-such-flag"][..],
        &[
            "--color",
            "never",
            "--max-memory",
            "1GiB",
            "eval",
            "-f",
            "json",
            "--no-such",
        ][..],
    ] {
        let output = Verdict::new(args.iter().copied()).run().code(64);
        let report = output.json();
        assert_eq!(report["error"]["class"], "usage", "{args:?}");
        assert_eq!(report["error"]["exit_code"], 64, "{args:?}");
    }
    let github = Verdict::new(["check", "-f", "github", "--no-such-flag"])
        .run()
        .code(64);
    assert!(
        github
            .stdout
            .starts_with("::error title=verdict::unexpected argument"),
        "{}",
        github.stdout
    );
    let text = Verdict::new(["eval", "--no-such-flag"]).run().code(64);
    assert!(text.stdout.is_empty(), "{}", text.stdout);
}
