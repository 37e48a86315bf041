//! Every error class of SPEC 7 through the real binary: the exit code and the message.
//! A gate that errors never exits 0.

use crate::harness::{Scratch, Verdict};

#[test]
fn invalid_json_input_is_65_with_line_and_column() {
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin("{\n  \"a\": 1,,\n}")
        .run()
        .code(65)
        .stderr_has("invalid JSON in `<stdin>`")
        .stderr_has("<stdin>:2:10");
}

#[test]
fn an_input_that_is_not_an_object_is_65() {
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin("[1, 2]")
        .run()
        .code(65)
        .stderr_has("not an object");
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin("")
        .run()
        .code(65)
        .stderr_has("is empty");
}

#[test]
fn input_limits_fail_closed() {
    Verdict::new(["eval", "-p", "policies/env0", "--max-input-size", "10"])
        .stdin("{\"padding\": \"0123456789\"}")
        .run()
        .code(65)
        .stderr_has("larger than the input limit of 10 bytes");
    let deep = format!("{{\"a\": {}{}}}", "[".repeat(300), "]".repeat(300));
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin(deep)
        .run()
        .code(65)
        .stderr_has("nested deeper than 128");
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin(b"{\"a\": \"\xff\"}")
        .run()
        .code(65)
        .stderr_has("not valid UTF-8");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let document = std::fs::read("fixtures/env0/deploy-cost-6000.json").unwrap();
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), &document].concat();
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin(with_bom)
        .run()
        .code(1);
}

#[test]
fn a_missing_input_file_or_policy_path_is_66() {
    Verdict::new(["eval", "-p", "policies/env0", "-i", "no/such/input.json"])
        .run()
        .code(66)
        .stderr_has("cannot read `no/such/input.json`: no such file or directory");
    Verdict::new(["eval", "-p", "no/such/policies"])
        .stdin("{}")
        .run()
        .code(66)
        .stderr_has("cannot read policy path `no/such/policies`");
}

#[test]
fn a_rego_syntax_error_is_65_with_file_line_and_caret() {
    let scratch = Scratch::new().file(
        "broken.rego",
        "package broken\n\ndeny contains msg if {\n  msg := \n}\n",
    );
    let output = Verdict::new(["eval", "-p", &scratch.path("broken.rego")])
        .stdin("{}")
        .run()
        .code(65);
    assert!(output.stderr.contains("broken.rego:"), "{}", output.stderr);
    assert!(
        output.stderr.contains('^'),
        "a caret under the place: {}",
        output.stderr
    );
}

#[test]
fn every_broken_file_is_reported_not_only_the_first() {
    let scratch = Scratch::new()
        .file("a.rego", "package a\n\ndeny contains \"x\" if {\n")
        .file("b.rego", "package b\n\nallow := \n")
        .file("c.policy", "policy \"c\" {\n  deny if\n}\n");
    let output = Verdict::new(["eval", "-p", &scratch.path("")])
        .stdin("{}")
        .run()
        .code(65);
    for file in ["a.rego", "b.rego", "c.policy"] {
        assert!(
            output.stderr.contains(file),
            "{file} missing from:\n{}",
            output.stderr
        );
    }
}

#[test]
fn a_malformed_verdict_value_is_70_naming_package_and_rule() {
    let scratch = Scratch::new().file("odd.rego", "package odd\n\ndeny := 42\n");
    Verdict::new(["eval", "-p", &scratch.path("odd.rego")])
        .stdin("{}")
        .run()
        .code(70)
        .stderr_has("odd")
        .stderr_has("deny");
}

#[test]
fn a_catalog_schema_violation_is_65_naming_the_key() {
    Verdict::new(["eval", "-p", "policies/env0/require-approvers"])
        .stdin(r#"{"policyData": {"requiredApprovers": "two"}}"#)
        .run()
        .code(65)
        .stderr_has("`policyData.requiredApprovers`");
}

#[test]
fn a_bad_now_in_the_input_is_65() {
    Verdict::new(["eval", "-p", "policies/env0"])
        .stdin(r#"{"now": "tomorrow"}"#)
        .run()
        .code(65)
        .stderr_has("not an RFC 3339 time");
}

#[test]
fn json_format_also_reports_errors_as_json_on_stdout() {
    let output = Verdict::new(["eval", "-p", "policies/env0", "-f", "json"])
        .stdin("nope")
        .run()
        .code(65);
    let report = output.json();
    assert_eq!(report["error"]["class"], "invalid");
    assert_eq!(report["error"]["exit_code"], 65);
    assert_eq!(report["error"]["diagnostics"][0]["line"], 1);
}

#[test]
fn an_empty_policy_directory_is_an_error_not_a_silent_pending() {
    let scratch = Scratch::new().file("README.md", "no policies here");
    Verdict::new(["eval", "-p", &scratch.path("")])
        .stdin("{}")
        .run()
        .code(65)
        .stderr_has("no policies found");
}

#[test]
fn a_catalog_named_with_one_of_its_files_is_still_one_whole_policy() {
    let scratch = Scratch::new()
        .file(
            "cat/gate/policy.rego",
            "package gate\nimport rego.v1\n\ndeny contains \"too big\" if big\n",
        )
        .file(
            "cat/gate/lib.rego",
            "package gate\nimport rego.v1\n\nbig if input.size > 10\n",
        )
        .file("cat/gate/metadata.yml", "name: Gate\n");
    let folder = scratch.path("cat");
    for first in [
        "cat/gate/policy.rego",
        "cat/gate/lib.rego",
        "cat",
        "cat/gate",
    ] {
        let first = scratch.path(first);
        let output = Verdict::new(["eval", "-p", &first, "-p", &folder, "-f", "json"])
            .stdin(r#"{"size": 11}"#)
            .run()
            .code(1);
        let decision = output.json();
        assert_eq!(
            decision["policies"].as_array().map(Vec::len),
            Some(1),
            "{first}"
        );
        assert_eq!(decision["outcomes"][0]["policy"], "Gate", "{first}");
    }
}

#[test]
fn files_holding_only_comments_tests_or_helpers_are_no_policies_either() {
    let scratch = Scratch::new()
        .file("a.policy", "# nothing yet\n")
        .file("b.policy", "test \"t\" {\n  input { }\n  expect allow\n}\n")
        .file(
            "lib.rego",
            "package lib\nimport rego.v1\n\nbig if input.size > 10\n",
        );
    for extra in [&[][..], &["--default", "allow"][..], &["--batch"][..]] {
        let mut args = vec!["eval", "-p", scratch.dir.path().to_str().unwrap()];
        args.extend_from_slice(extra);
        Verdict::new(args)
            .stdin("{}")
            .run()
            .code(65)
            .stderr_has("no policies found");
    }
    Verdict::new(["check", scratch.dir.path().to_str().unwrap()])
        .run()
        .code(0);
}

#[cfg(unix)]
#[test]
fn a_policy_path_that_is_a_symlink_loop_is_66() {
    let scratch = Scratch::new().file("p.rego", "package p\n");
    let link = scratch.dir.path().join("loop");
    std::os::unix::fs::symlink(&link, &link).unwrap();
    Verdict::new(["eval", "-p", &link.display().to_string()])
        .stdin("{}")
        .run()
        .code(66);
    let inner = scratch.dir.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    std::os::unix::fs::symlink(scratch.dir.path(), inner.join("up")).unwrap();
    Verdict::new(["eval", "-p", &scratch.path("")])
        .stdin("{}")
        .run()
        .code(66)
        .stderr_has("symbolic link loop");
}

#[test]
fn a_rego_bracket_left_open_is_reported_where_it_opens() {
    let scratch = Scratch::new().file(
        "p.rego",
        "package p\nimport rego.v1\n\ndeny contains msg if {\n  msg := sprintf(\"%s\", [input.a]\n}\n",
    );
    Verdict::new(["check", &scratch.path("p.rego")])
        .run()
        .code(65)
        .stderr_has("error: `(` is never closed")
        .stderr_has("p.rego:5:17")
        .stderr_has("help: close it with `)` before the `}` on line 6");
}
