//! A decision as GitHub Actions workflow commands: `::error` for deny and pending,
//! `::warning` for warn, `::notice` for allow, each pointing at the rule's file and line.
//! An error that stops a decision, a check or a test run is an `::error` too, a check's
//! warnings are `::warning`s, and a test run's failures and unfired rules are annotated
//! at their tests and rules.

use std::fmt::Write as _;

use crate::decision::{Decision, Outcome};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Error, ErrorClass};
use crate::exit::Exit;
use crate::source::Location;
use crate::testing::TestResult;
use crate::testing::coverage::Coverage;
use crate::verdict::Verdict;

/// Renders one workflow command per outcome, then one for the decision: an `::error` when
/// it stops the gate (a warn does under `--fail-on-warn`, `warn_blocks`).
pub fn decision(decision: &Decision, warn_blocks: bool) -> String {
    let mut out = String::new();
    for outcome in &decision.outcomes {
        let _ = writeln!(out, "{}", outcome_command(outcome));
    }
    let summary = if decision.defaulted {
        format!(
            "{} (default: no policy produced an outcome)",
            decision.verdict
        )
    } else {
        let count = decision.outcomes.len();
        let plural = if count == 1 { "" } else { "s" };
        format!("{} ({count} outcome{plural})", decision.verdict)
    };
    let stops = decision.verdict == Verdict::Warn && warn_blocks;
    let _ = writeln!(
        out,
        "::{} title={}::{}",
        if stops {
            "error"
        } else {
            command(decision.verdict)
        },
        escape_property("verdict"),
        escape_data(&summary)
    );
    out
}

/// Renders one workflow command per diagnostic of an error, each at the file, line and
/// column it names where it names them, then one for the run (`outcome`: what the error
/// cost, such as `no decision`), so that a gate stopped by a broken input or policy shows
/// why in the job's annotations.
pub fn error(error: &Error, outcome: &str) -> String {
    let mut out = diagnostics(&error.diagnostics);
    let reason = match error.class {
        ErrorClass::Usage => "the command line is wrong",
        ErrorClass::Invalid => "the input or a policy cannot be used",
        ErrorClass::Unreadable => "a named file or directory cannot be read",
        ErrorClass::Evaluation => "the evaluation failed",
    };
    let _ = writeln!(
        out,
        "::error title={}::{} (exit {}): {reason}",
        escape_property("verdict"),
        escape_data(outcome),
        Exit::Error(error.class).code()
    );
    out
}

/// Renders one workflow command per warning, then a notice for the check: what
/// `verdict check -f github` prints for policies that load.
pub fn checked(files: usize, warnings: &[Diagnostic]) -> String {
    let mut out = diagnostics(warnings);
    let _ = writeln!(
        out,
        "::notice title={}::{}",
        escape_property("verdict check"),
        escape_data(&super::checked_summary(files, warnings.len()))
    );
    out
}

/// A test run as workflow commands: an `::error` at each failed test with why it failed and
/// what the decision was, a `::warning` at each rule no test fired (with coverage), an
/// `::error` for coverage below the minimum (`shortfall`), then the closing line, as an
/// `::error` when the run fails and a `::notice` otherwise.
pub fn tests(
    results: &[TestResult],
    coverage: Option<&Coverage>,
    shortfall: Option<&str>,
) -> String {
    let mut out = String::new();
    for result in results.iter().filter(|result| !result.passed()) {
        let mut lines = result.failures.clone();
        if let Some(decision) = &result.decision {
            lines.extend(decision.outcomes.iter().map(|outcome| {
                format!(
                    "got {} from {}: {}",
                    outcome.verdict, outcome.policy, outcome.message
                )
            }));
        }
        lines.extend(result.prints.iter().map(|line| format!("print: {line}")));
        let _ = writeln!(
            out,
            "::error {},title={}::{}",
            location_properties(&result.location),
            escape_property(&format!("test failed: {}", result.name)),
            escape_data(&lines.join("\n"))
        );
    }
    for file in coverage.iter().flat_map(|coverage| &coverage.files) {
        for rule in file.rules.iter().filter(|rule| !rule.fired) {
            let _ = writeln!(
                out,
                "::warning {},title={}::{} {} never fired in any test",
                location_properties(&rule.location),
                escape_property("never fired"),
                escape_data(&rule.policy),
                escape_data(&rule.rule)
            );
        }
    }
    if let Some(shortfall) = shortfall {
        let _ = writeln!(
            out,
            "::error title={}::{}",
            escape_property("coverage"),
            escape_data(shortfall)
        );
    }
    let summary = crate::testing::report::summary_line(results);
    let command = if results.iter().all(TestResult::passed) && shortfall.is_none() {
        "notice"
    } else {
        "error"
    };
    let _ = writeln!(
        out,
        "::{command} title={}::{}",
        escape_property("verdict test"),
        escape_data(&summary)
    );
    out
}

/// The `file`, `line` and `col` properties of a place in a file.
fn location_properties(location: &Location) -> String {
    format!(
        "file={},line={},col={}",
        escape_property(&location.file),
        location.line,
        location.column
    )
}

/// One workflow command per diagnostic: `::error` or `::warning` at the file, line and
/// column it names, with its help.
pub fn diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let _ = writeln!(out, "{}", diagnostic_command(diagnostic));
    }
    out
}

fn diagnostic_command(diagnostic: &Diagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    let mut message = String::new();
    let file = diagnostic
        .source
        .as_ref()
        .map(|source| source.name.as_ref())
        .or(diagnostic.path.as_deref());
    match (file, diagnostic.location()) {
        (Some(file), location) if names_a_file(file) => {
            properties.push(format!("file={}", escape_property(file)));
            if let Some(location) = location {
                properties.push(format!("line={},col={}", location.line, location.column));
            }
        }
        // GitHub attaches an annotation only to a file of the repository: the place in
        // a document read from stdin goes into the message instead.
        (_, Some(location)) => message = format!("{location}: "),
        (_, None) => {}
    }
    properties.push(format!("title={}", escape_property("verdict")));
    message.push_str(&diagnostic.message);
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

fn command(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Deny | Verdict::Pending => "error",
        Verdict::Warn => "warning",
        Verdict::Allow => "notice",
    }
}

fn outcome_command(outcome: &Outcome) -> String {
    let title = format!("{} by {}", outcome.verdict, outcome.policy);
    format!(
        "::{} {},title={}::{}",
        command(outcome.verdict),
        location_properties(&outcome.source),
        escape_property(&title),
        escape_data(&outcome.message)
    )
}

/// Whether a source's name is a file's path, not a name in angle brackets such as
/// `<stdin>`.
fn names_a_file(name: &str) -> bool {
    !(name.starts_with('<') && name.ends_with('>'))
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::PolicyResult;
    use crate::source::Location;
    use chrono::DateTime;

    /// An input error: invalid JSON at line 2, column 8 of a document named `name`, then
    /// the `more` diagnostics.
    fn invalid_json_in(name: &str, more: Vec<Diagnostic>) -> Error {
        use crate::source::{SourceFile, Span};
        let source = SourceFile::new(name, "{\n  \"a\": }\n");
        let mut diagnostics = vec![
            Diagnostic::error("invalid JSON: expected value")
                .at(&source, Span::new(9, 10))
                .with_help("the input document must be one JSON object"),
        ];
        diagnostics.extend(more);
        Error {
            class: ErrorClass::Invalid,
            diagnostics,
        }
    }

    #[test]
    fn an_error_becomes_annotations_at_what_it_names_and_one_for_the_run() {
        let error = invalid_json_in(
            "in, put.json",
            vec![
                Diagnostic::error("cannot read `p.rego`: permission denied").in_file("p.rego"),
                Diagnostic::warning("100% sure"),
            ],
        );
        insta::assert_snapshot!(super::error(&error, "no decision"), @r"
        ::error file=in%2C put.json,line=2,col=8,title=verdict::invalid JSON: expected value%0Ahelp: the input document must be one JSON object
        ::error file=p.rego,title=verdict::cannot read `p.rego`: permission denied
        ::warning title=verdict::100%25 sure
        ::error title=verdict::no decision (exit 65): the input or a policy cannot be used
        ");
    }

    #[test]
    fn a_place_in_a_document_from_stdin_goes_into_the_message() {
        let error = invalid_json_in("<stdin>", Vec::new());
        insta::assert_snapshot!(super::error(&error, "no decision"), @r"
        ::error title=verdict::<stdin>:2:8: invalid JSON: expected value%0Ahelp: the input document must be one JSON object
        ::error title=verdict::no decision (exit 65): the input or a policy cannot be used
        ");
    }

    #[test]
    fn outcomes_become_annotations_on_the_rule() {
        let outcome = |verdict, message: &str| Outcome {
            verdict,
            message: message.to_string(),
            policy: "cost, guard".into(),
            rule: "deny".into(),
            source: Location::new("policies/cost.policy", 12, 3),
            details: None,
        };
        let decision = Decision::combine(
            vec![PolicyResult {
                policy: "cost, guard".into(),
                source: Location::new("policies/cost.policy", 1, 1),
                outcomes: vec![
                    outcome(Verdict::Deny, "100% over\nbudget"),
                    outcome(Verdict::Warn, "destroy"),
                ],
            }],
            Verdict::Pending,
            DateTime::from_timestamp(0, 0).unwrap(),
        );
        insta::assert_snapshot!(super::decision(&decision, false), @r"
        ::error file=policies/cost.policy,line=12,col=3,title=deny by cost%2C guard::100%25 over%0Abudget
        ::warning file=policies/cost.policy,line=12,col=3,title=warn by cost%2C guard::destroy
        ::error title=verdict::deny (2 outcomes)
        ");
    }

    #[test]
    fn a_warn_is_an_error_for_the_run_when_it_stops_the_gate() {
        let decision = Decision::combine(
            vec![PolicyResult {
                policy: "guard".into(),
                source: Location::new("policies/guard.policy", 1, 1),
                outcomes: vec![Outcome {
                    verdict: Verdict::Warn,
                    message: "destroy".to_string(),
                    policy: "guard".into(),
                    rule: "warn".into(),
                    source: Location::new("policies/guard.policy", 4, 3),
                    details: None,
                }],
            }],
            Verdict::Pending,
            DateTime::from_timestamp(0, 0).unwrap(),
        );
        insta::assert_snapshot!(super::decision(&decision, false), @r"
        ::warning file=policies/guard.policy,line=4,col=3,title=warn by guard::destroy
        ::warning title=verdict::warn (1 outcome)
        ");
        insta::assert_snapshot!(super::decision(&decision, true), @r"
        ::warning file=policies/guard.policy,line=4,col=3,title=warn by guard::destroy
        ::error title=verdict::warn (1 outcome)
        ");
    }
}
