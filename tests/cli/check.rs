//! `verdict check` in each format: problems for people on stderr, and for machines as JSON
//! or as GitHub annotations on stdout.

use crate::harness::{Scratch, Verdict};

pub const UNKNOWN_FIELD: &str = "policy \"p\" {\n  deny \"x\" if costt > 1\n}\n";
const UNKNOWN_FUNCTION: &str = "policy \"p\" {\n  deny \"x\" if nosuch(1)\n}\n";

#[test]
fn warnings_become_annotations_and_a_clean_check_a_notice() {
    let scratch = Scratch::new().file("p.policy", UNKNOWN_FIELD);
    let path = scratch.path("p.policy");
    let output = Verdict::new(["check", &path, "-f", "github"]).run().code(0);
    assert_eq!(
        output.stdout,
        format!(
            "::warning file={path},line=2,col=15,title=verdict::unknown input field `costt`%0A\
             help: a bare name is a `let`, a loop variable, or a field of the input document\n\
             ::notice title=verdict check::checked 1 file: no errors, 1 warning\n"
        )
    );
    let output = Verdict::new(["check", &path, "-f", "json"]).run().code(0);
    let report = output.json();
    assert_eq!(report["files"], 1);
    assert_eq!(report["warnings"][0]["line"], 2);
    assert_eq!(report["warnings"][0]["column"], 15);
    assert_eq!(report["warnings"][0]["severity"], "warning");
    Verdict::new(["check", &path])
        .run()
        .code(0)
        .stdout_has("checked 1 file: no errors, 1 warning");
}

#[test]
fn errors_become_annotations_and_the_check_fails() {
    let scratch = Scratch::new().file("p.policy", UNKNOWN_FUNCTION);
    let path = scratch.path("p.policy");
    let output = Verdict::new(["check", &path, "-f", "github"])
        .run()
        .code(65);
    assert_eq!(
        output.stdout,
        format!(
            "::error file={path},line=2,col=15,title=verdict::unknown function `nosuch`\n\
             ::error title=verdict::check failed (exit 65): the input or a policy cannot be used\n"
        )
    );
    assert!(output.stderr.contains("p.policy:2:15"), "{}", output.stderr);
    let output = Verdict::new(["check", &path, "-f", "json"]).run().code(65);
    let report = output.json();
    assert_eq!(report["error"]["exit_code"], 65);
    assert_eq!(report["error"]["diagnostics"][0]["line"], 2);
}
