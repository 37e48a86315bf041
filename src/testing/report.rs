//! Test reports: text for people (ending with `N passed, M failed`), JSON, and JUnit XML
//! for CI systems (one testsuite per file, one testcase per test).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use super::TestResult;
use super::coverage::Coverage;

/// The closing line of every text report.
pub fn summary_line(results: &[TestResult]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    format!("{passed} passed, {} failed", results.len() - passed)
}

pub fn text(results: &[TestResult], coverage: Option<&Coverage>) -> String {
    let mut out = String::new();
    for result in results {
        if result.passed() {
            let _ = writeln!(out, "ok    {}  ({})", result.name, result.location);
            continue;
        }
        let label = if result.error.is_some() {
            "ERROR"
        } else {
            "FAIL "
        };
        let _ = writeln!(out, "{label} {}  ({})", result.name, result.location);
        for failure in &result.failures {
            let _ = writeln!(out, "      {failure}");
        }
        if let Some(decision) = &result.decision {
            for outcome in &decision.outcomes {
                let _ = writeln!(
                    out,
                    "        got {} from {}: {}  ({})",
                    outcome.verdict, outcome.policy, outcome.message, outcome.source
                );
            }
        }
        for line in &result.prints {
            let _ = writeln!(out, "      print: {line}");
        }
    }
    if let Some(coverage) = coverage {
        out.push_str(&coverage_text(coverage));
    }
    let _ = writeln!(out, "{}", summary_line(results));
    out
}

fn coverage_text(coverage: &Coverage) -> String {
    let mut out = String::from("\ncoverage:\n");
    for file in &coverage.files {
        let _ = writeln!(
            out,
            "  {:>5.1}%  {} ({} of {} rules)",
            file.percent, file.file, file.covered, file.total
        );
        for rule in file.rules.iter().filter(|rule| !rule.fired) {
            let _ = writeln!(
                out,
                "          never fired: {} {} at {}",
                rule.policy, rule.rule, rule.location
            );
        }
    }
    let _ = writeln!(
        out,
        "  {:>5.1}%  total ({} of {} rules)\n",
        coverage.percent, coverage.covered, coverage.total
    );
    out
}

pub fn json(results: &[TestResult], coverage: Option<&Coverage>) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    let tests: Vec<serde_json::Value> = results
        .iter()
        .map(|result| {
            json!({
                "name": result.name,
                "kind": result.kind,
                "file": result.location.file.as_ref(),
                "line": result.location.line,
                "source": result.location,
                "passed": result.passed(),
                "errored": result.error.is_some(),
                "failures": result.failures,
                "verdict": result.decision.as_ref().map(|d| d.verdict),
                "outcomes": result.decision.as_ref().map(|d| &d.outcomes),
                "prints": result.prints,
            })
        })
        .collect();
    let report = json!({
        "passed": passed,
        "failed": results.len() - passed,
        "tests": tests,
        "coverage": coverage,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    )
}

/// JUnit XML: one `testsuite` per file, one `testcase` per test, a `failure` element with
/// the differences for each failed test, an `error` element for each test an error
/// stopped.
pub fn junit(results: &[TestResult]) -> String {
    let mut suites: BTreeMap<&str, Vec<&TestResult>> = BTreeMap::new();
    for result in results {
        suites
            .entry(&result.location.file)
            .or_default()
            .push(result);
    }
    let (failed, errored) = failed_and_errored(results.iter());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"verdict\" tests=\"{}\" failures=\"{failed}\" errors=\"{errored}\">",
        results.len()
    );
    for (file, tests) in suites {
        let (suite_failed, suite_errored) = failed_and_errored(tests.iter().copied());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failed}\" errors=\"{suite_errored}\" skipped=\"0\">",
            escape(file),
            tests.len()
        );
        for test in tests {
            let attributes = format!(
                "name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                escape(&test.name),
                escape(file),
                escape(file),
                test.location.line
            );
            if test.passed() {
                let _ = writeln!(out, "    <testcase {attributes}/>");
                continue;
            }
            let summary = test
                .failures
                .first()
                .map(String::as_str)
                .unwrap_or("failed");
            let mut details = test.failures.join("\n");
            if let Some(decision) = &test.decision {
                for outcome in &decision.outcomes {
                    let _ = write!(
                        details,
                        "\ngot {} from {}: {} ({})",
                        outcome.verdict, outcome.policy, outcome.message, outcome.source
                    );
                }
            }
            let (element, kind) = match test.error {
                Some(_) => ("error", "error"),
                None => ("failure", "assertion"),
            };
            let _ = writeln!(out, "    <testcase {attributes}>");
            let _ = writeln!(
                out,
                "      <{element} message=\"{}\" type=\"{kind}\">{}</{element}>",
                escape(summary),
                escape(&details)
            );
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// How many of the tests failed an expectation, and how many an error stopped.
fn failed_and_errored<'a>(tests: impl Iterator<Item = &'a TestResult>) -> (usize, usize) {
    tests
        .filter(|test| !test.passed())
        .fold((0, 0), |(failed, errored), test| match test.error {
            Some(_) => (failed, errored + 1),
            None => (failed + 1, errored),
        })
}

/// Escapes text for XML attributes and content; characters XML 1.0 cannot carry at all
/// become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", u32::from(c))),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Location;
    use crate::testing::TestKind;

    fn result(name: &str, file: &str, failures: &[&str]) -> TestResult {
        TestResult {
            name: name.to_string(),
            kind: TestKind::Policy,
            location: Location::new(file, 3, 1),
            failures: failures.iter().map(|f| f.to_string()).collect(),
            decision: None,
            prints: Vec::new(),
            error: None,
        }
    }

    #[test]
    fn junit_groups_tests_by_file_and_escapes() {
        let results = [
            result("a <passes>", "a.policy", &[]),
            result(
                "b",
                "a.policy",
                &["expected verdict pending, got deny & \"more\""],
            ),
            result("c", "b.rego", &[]),
            TestResult {
                error: Some(crate::error::ErrorClass::Evaluation),
                ..result("d", "b.rego", &["test `d`: divide by zero"])
            },
        ];
        insta::assert_snapshot!(junit(&results), @r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="verdict" tests="4" failures="1" errors="1">
          <testsuite name="a.policy" tests="2" failures="1" errors="0" skipped="0">
            <testcase name="a &lt;passes&gt;" classname="a.policy" file="a.policy" line="3"/>
            <testcase name="b" classname="a.policy" file="a.policy" line="3">
              <failure message="expected verdict pending, got deny &amp; &quot;more&quot;" type="assertion">expected verdict pending, got deny &amp; &quot;more&quot;</failure>
            </testcase>
          </testsuite>
          <testsuite name="b.rego" tests="2" failures="0" errors="1" skipped="0">
            <testcase name="c" classname="b.rego" file="b.rego" line="3"/>
            <testcase name="d" classname="b.rego" file="b.rego" line="3">
              <error message="test `d`: divide by zero" type="error">test `d`: divide by zero</error>
            </testcase>
          </testsuite>
        </testsuites>
        "#);
    }

    #[test]
    fn text_ends_with_the_counts() {
        let results = [
            result("a", "a.policy", &[]),
            result("b", "a.policy", &["expected verdict allow, got pending"]),
        ];
        let report = text(&results, None);
        assert!(report.ends_with("\n1 passed, 1 failed\n"), "{report}");
        assert!(
            report.contains("FAIL  b  (a.policy:3:1)\n      expected verdict allow, got pending\n")
        );
        let stopped = TestResult {
            error: Some(crate::error::ErrorClass::Evaluation),
            ..result("c", "a.policy", &["the decision failed: boom"])
        };
        let report = text(&[stopped], None);
        assert!(
            report.starts_with("ERROR c  (a.policy:3:1)\n      the decision failed: boom\n"),
            "{report}"
        );
    }
}
