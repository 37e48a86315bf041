//! Rego's own tests (`test_*` rules, as `opa test` runs them) and which verdict rules
//! fired while coverage was on.

use std::sync::Arc;

use regorus::Value;

use super::{RegoPolicies, engine, load, rule_path};
use crate::source::Location;

/// A `test_*` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegoTest {
    /// The package, without `data.`.
    pub package: String,
    pub name: String,
    /// Its first definition.
    pub location: Location,
    /// The engine path: `data.pkg.test_x`.
    path: String,
}

/// How one test went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegoTestResult {
    pub passed: bool,
    /// Why it failed, when it failed with an error.
    pub message: Option<String>,
    /// What it printed, each line `file:line: text`.
    pub prints: Vec<String>,
}

/// Whether one definition of a verdict rule fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCoverage {
    pub policy: String,
    pub rule: String,
    /// The definition: `file:line:col` of its head.
    pub location: Location,
    pub fired: bool,
}

/// How [`RegoPolicies::policy_rule_coverage`] decides that a definition fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Firing {
    /// An outcome came from it, or its lines ran: what coverage needs, since a Rego
    /// `test_*` rule reads verdict rules without producing outcomes.
    ByLinesToo,
    /// Where outcomes tell the definition, they alone decide (a line also runs when its
    /// statement is false): what one explained evaluation needs.
    ByOutcomesWhereTheyTell,
}

/// Every `test_*` rule of the loaded files, one per package and name, in file order.
pub(super) fn find_tests(loaded: &load::Loaded) -> Vec<RegoTest> {
    let mut tests: Vec<RegoTest> = Vec::new();
    for file in &loaded.parsed {
        let package = file.syntax.package.join(".");
        for rule in &file.syntax.rules {
            let [name] = rule.path.as_slice() else {
                continue;
            };
            let is_test =
                name.starts_with("test_") && matches!(rule.kind, super::syntax::RuleKind::Complete);
            let known = tests
                .iter()
                .any(|t| t.package == package && t.name == *name);
            if is_test && !known {
                tests.push(RegoTest {
                    package: package.clone(),
                    name: name.clone(),
                    location: file.source.location(rule.span.start),
                    path: rule_path(loaded.engine_package(&file.syntax.package), name),
                });
            }
        }
    }
    tests
}

impl RegoPolicies {
    /// The `test_*` rules of every package, test packages included.
    pub fn tests(&self) -> Vec<RegoTest> {
        self.shared.tests.clone()
    }

    /// Runs one test as `opa test` does: it passes when its rule is `true`; a false or
    /// undefined rule fails, and an error fails with its message. Tests see no input but
    /// what they give with `with input as`, so this clears the input set before.
    pub fn run_test(&mut self, test: &RegoTest) -> RegoTestResult {
        self.engine.set_input(Value::Undefined);
        let engine = &mut self.engine;
        let outcome = engine::guarded(|| engine.eval_rule(test.path.clone()));
        let prints = self.engine.take_prints().unwrap_or_default();
        match outcome {
            Ok(value) => RegoTestResult {
                passed: value == Value::Bool(true),
                message: None,
                prints,
            },
            Err(error) => {
                let context = format!("test `{}` of package `{}`", test.name, test.package);
                let diagnostic = super::diagnose::diagnostic(&self.shared.files, &error, &context);
                RegoTestResult {
                    passed: false,
                    message: Some(diagnostic.one_line()),
                    prints,
                }
            }
        }
    }

    /// Starts (clearing what was gathered) or stops gathering which verdict rules fire.
    pub fn enable_coverage(&mut self, on: bool) {
        self.engine.set_enable_coverage(on);
        if on {
            self.engine.clear_coverage_data();
            self.fired.clear();
        }
        self.coverage = on;
    }

    /// Every definition of every verdict rule, with whether it fired in an evaluation or
    /// a test since coverage was enabled. A definition fired when an outcome came from it
    /// for certain, or when the engine evaluated its head's value (which it does only
    /// after a body succeeds), or, for heads without a value of their own line, when every
    /// statement of its bodies ran.
    pub fn rule_coverage(&self) -> Vec<RuleCoverage> {
        let report = self.engine.get_coverage_report().ok();
        (0..self.shared.policies.len())
            .flat_map(|policy| self.coverage_of(policy, Firing::ByLinesToo, report.as_ref()))
            .collect()
    }

    /// [`RegoPolicies::rule_coverage`] for one policy.
    pub fn policy_rule_coverage(&self, policy: usize, firing: Firing) -> Vec<RuleCoverage> {
        let report = self.engine.get_coverage_report().ok();
        self.coverage_of(policy, firing, report.as_ref())
    }

    fn coverage_of(
        &self,
        policy: usize,
        firing: Firing,
        report: Option<&regorus::coverage::Report>,
    ) -> Vec<RuleCoverage> {
        let (Some(package), Some(rules)) = (
            self.shared.policies.get(policy),
            self.shared.rules.get(policy),
        ) else {
            return Vec::new();
        };
        let covered = |file: &Arc<str>, line: u32| {
            report.is_some_and(|report| {
                report
                    .files
                    .iter()
                    .any(|f| f.path == **file && f.covered.contains(&line))
            })
        };
        let mut coverage = Vec::new();
        for rule in rules {
            for definition in &rule.definitions {
                let file = &definition.location.file;
                let by_lines = match definition.head_line {
                    Some(line) => covered(file, line),
                    None => {
                        !definition.body_lines.is_empty()
                            && definition
                                .body_lines
                                .iter()
                                .all(|&line| covered(file, line))
                    }
                };
                coverage.push(RuleCoverage {
                    policy: package.package.clone(),
                    rule: rule.name.to_string(),
                    location: definition.location.clone(),
                    fired: self.fired.contains(&definition.location)
                        || (by_lines
                            && (firing == Firing::ByLinesToo
                                || !definition.told_by_outcomes(rule))),
                });
            }
        }
        coverage
    }
}
