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
