//! `verdict test`: `test` blocks of `.policy` files and Rego `test_*` rules, run against
//! the policies loaded from the same paths (SPEC 6), with coverage of which rules fired.

pub mod coverage;
mod literal;
pub mod report;

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde_json::{Map, Value};

use crate::decision::Decision;
use crate::dsl::ast::{Expectation, TestInput, TestStatementKind};
use crate::error::ErrorClass;
use crate::input;
use crate::policy_set::{PolicySet, TestCase};
use crate::source::Location;
use crate::verdict::Verdict;

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    /// Only tests whose name matches (`--run`).
    pub filter: Option<Regex>,
    /// The default verdict when nothing fires, as `verdict eval --default`.
    pub default: Option<Verdict>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestKind {
    /// A `test` block of a `.policy` file.
    Policy,
    /// A Rego rule named `test_*`.
    Rego,
}

/// One test's result.
#[derive(Clone, Debug)]
pub struct TestResult {
    pub name: String,
    pub kind: TestKind,
    pub location: Location,
    /// Why it failed; empty when it passed.
    pub failures: Vec<String>,
    /// The decision a `test` block got, when it got that far.
    pub decision: Option<Decision>,
    /// What the test printed (Rego `print`).
    pub prints: Vec<String>,
    /// The class of the error that stopped the test before it could be decided (its input
    /// unreadable or invalid, the decision failing); the run then exits with its code.
    pub error: Option<ErrorClass>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every `test` block of the set whose name passes the filter.
pub fn run_policy_tests(set: &mut PolicySet, options: &TestOptions) -> Vec<TestResult> {
    let cases: Vec<TestCase> = set
        .tests()
        .iter()
        .filter(|case| {
            options
                .filter
                .as_ref()
                .is_none_or(|filter| filter.is_match(&case.block.name.value))
        })
        .cloned()
        .collect();
    cases
        .iter()
        .map(|case| run_case(set, case, options.default.unwrap_or(Verdict::Pending)))
        .collect()
}

/// Runs every Rego `test_*` rule whose name (`package.test_name`) passes the filter, as
/// `opa test` does: a test passes when its rule is true.
pub fn run_rego_tests(set: &mut PolicySet, options: &TestOptions) -> Vec<TestResult> {
    let mut results = Vec::new();
    for engine in set.rego_engines_mut() {
        for test in engine.tests() {
            let name = format!("{}.{}", test.package, test.name);
            if options
                .filter
                .as_ref()
                .is_some_and(|filter| !filter.is_match(&name))
            {
                continue;
            }
            let outcome = engine.run_test(&test);
            // A test whose evaluation fails is stopped by an error, as in `opa test`.
            let error = outcome.message.is_some().then_some(ErrorClass::Evaluation);
            let failures = match (outcome.passed, outcome.message) {
                (true, _) => Vec::new(),
                (false, Some(message)) => vec![message],
                (false, None) => vec!["the test rule is not true (false or undefined)".to_string()],
            };
            results.push(TestResult {
                name,
                kind: TestKind::Rego,
                location: test.location.clone(),
                failures,
                decision: None,
                prints: outcome.prints,
                error,
            });
        }
    }
    results
}

/// Starts recording which Rego rule bodies fire.
pub fn enable_rego_coverage(set: &mut PolicySet) {
    for engine in set.rego_engines_mut() {
        engine.enable_coverage(true);
    }
}

/// Every rule a test can make fire, and the locations of those that fired: `.policy` rules
/// (fired when an outcome came from them) and Rego verdict rule bodies (as the engine
/// recorded them).
pub fn coverage_of(set: &mut PolicySet, results: &[TestResult]) -> coverage::Coverage {
    let mut rules = set.coverable_rules().to_vec();
    let mut fired: HashSet<Location> = results
        .iter()
        .filter_map(|result| result.decision.as_ref())
        .flat_map(|decision| {
            decision
                .outcomes
                .iter()
                .map(|outcome| outcome.source.clone())
        })
        .collect();
    for engine in set.rego_engines_mut() {
        for rule in engine.rule_coverage() {
            if rule.fired {
                fired.insert(rule.location.clone());
            }
            rules.push(coverage::CoverableRule {
                policy: rule.policy,
                rule: rule.rule,
                location: rule.location,
            });
        }
    }
    coverage::compute(&rules, &fired)
}

/// The document, time and expectations a `test` block describes.
struct Prepared<'a> {
    document: Value,
    now: Option<DateTime<Utc>>,
    expectations: Vec<&'a Expectation>,
}

fn run_case(set: &mut PolicySet, case: &TestCase, default: Verdict) -> TestResult {
    let mut result = TestResult {
        name: case.block.name.value.clone(),
        kind: TestKind::Policy,
        location: case.source.location(case.block.span.start),
        failures: Vec::new(),
        decision: None,
        prints: Vec::new(),
        error: None,
    };
    let prepared = match prepare(case) {
        Ok(prepared) => prepared,
        Err((problem, class)) => {
            result.failures.push(problem);
            result.error = Some(class);
            return result;
        }
    };
    if prepared.expectations.is_empty() {
        result.failures.push(
            "the test expects nothing: add an `expect` statement, such as `expect deny`"
                .to_string(),
        );
        return result;
    }
    let now = match prepared.now {
        Some(now) => Ok(now),
        None => input::resolve_now(None, &prepared.document, &result.name),
    };
    let decision = match now.and_then(|now| set.decide(&prepared.document, now, default)) {
        Ok(decision) => decision,
        Err(error) => {
            result
                .failures
                .push(format!("the decision failed: {error}"));
            result.error = Some(error.class);
            return result;
        }
    };
    for expectation in prepared.expectations {
        if let Some(failure) = check(expectation, &decision) {
            result.failures.push(failure);
        }
    }
    result.decision = Some(decision);
    result
}

/// What a `test` block describes, or why it cannot be run and the class of that error.
fn prepare(case: &TestCase) -> Result<Prepared<'_>, (String, ErrorClass)> {
    let source = &case.source;
    let mut prepared = Prepared {
        document: Value::Object(Map::new()),
        now: None,
        expectations: Vec::new(),
    };
    for statement in &case.block.statements {
        match &statement.kind {
            TestStatementKind::Input(TestInput::File(path)) => {
                prepared.document = read_input_file(&source.name, &path.value)?;
            }
            TestStatementKind::Input(TestInput::Inline(expr)) => {
                let value = literal::to_json(expr, source).map_err(invalid)?;
                if !value.is_object() {
                    return Err(invalid(format!(
                        "{}: an inline input must be an object",
                        source.location(expr.span.start)
                    )));
                }
                prepared.document = value;
            }
            TestStatementKind::Set { target, value } => {
                let value = literal::to_json(value, source).map_err(invalid)?;
                literal::set(&mut prepared.document, target, value, source).map_err(invalid)?;
            }
            TestStatementKind::Now(text) => {
                prepared.now = Some(input::parse_time(&text.value).ok_or_else(|| {
                    invalid(format!(
                        "{}: `{}` is not an RFC 3339 time such as 2026-11-21T10:00:00Z",
                        source.location(text.span.start),
                        text.value
                    ))
                })?);
            }
            TestStatementKind::Expect(expectation) => prepared.expectations.push(expectation),
        }
    }
    Ok(prepared)
}

fn invalid(problem: String) -> (String, ErrorClass) {
    (problem, ErrorClass::Invalid)
}

/// Reads an input file named relative to the test's own file.
fn read_input_file(test_file: &str, relative: &str) -> Result<Value, (String, ErrorClass)> {
    let base = Path::new(test_file).parent().unwrap_or(Path::new(""));
    let path = base.join(relative);
    let name = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|error| {
        (
            format!(
                "cannot read input `{name}`: {}",
                crate::error::io_reason(&error)
            ),
            ErrorClass::Unreadable,
        )
    })?;
    let text = input::decode(&name, &bytes).map_err(|error| (error.to_string(), error.class))?;
    input::parse_document(&name, text).map_err(|error| (error.to_string(), error.class))
}

/// Checks one expectation; the failure message when it does not hold.
fn check(expectation: &Expectation, decision: &Decision) -> Option<String> {
    let messages = || {
        let listed: Vec<String> = decision
            .outcomes
            .iter()
            .map(|o| format!("{} {:?}", o.verdict, o.message))
            .collect();
        match listed.is_empty() {
            true => "there were no outcomes".to_string(),
            false => format!("the outcomes were: {}", listed.join("; ")),
        }
    };
    match expectation {
        Expectation::Verdict(expected) => (decision.verdict != expected.verdict).then(|| {
            format!(
                "expected verdict {}, got {}{}",
                expected.verdict,
                decision.verdict,
                defaulted_note(decision)
            )
        }),
        Expectation::No(unwanted) => {
            let found: Vec<&str> = decision
                .outcomes
                .iter()
                .filter(|o| o.verdict == unwanted.verdict)
                .map(|o| o.message.as_str())
                .collect();
            (!found.is_empty()).then(|| {
                format!(
                    "expected no {} outcome, got {}: {:?}",
                    unwanted.verdict,
                    found.len(),
                    found
                )
            })
        }
        Expectation::Outcomes { count, .. } => {
            let actual = decision.outcomes.len();
            (i64::try_from(actual).ok() != Some(*count))
                .then(|| format!("expected {count} outcomes, got {actual}; {}", messages()))
        }
        Expectation::MessageContains(text) => {
            let found = decision
                .outcomes
                .iter()
                .any(|o| o.message.contains(&text.value));
            (!found).then(|| {
                format!(
                    "expected a message containing {:?}; {}",
                    text.value,
                    messages()
                )
            })
        }
        Expectation::MessageEquals(text) => {
            let found = decision.outcomes.iter().any(|o| o.message == text.value);
            (!found).then(|| {
                format!(
                    "expected a message equal to {:?}; {}",
                    text.value,
                    messages()
                )
            })
        }
        Expectation::Defaulted(expected) => {
            (decision.defaulted != *expected).then(|| match expected {
                true => format!(
                    "expected a defaulted decision, but policies decided {}",
                    decision.verdict
                ),
                false => {
                    "expected a decided verdict, but no policy produced an outcome".to_string()
                }
            })
        }
    }
}

fn defaulted_note(decision: &Decision) -> &'static str {
    match decision.defaulted {
        true => " (the default: no policy produced an outcome)",
        false => "",
    }
}
