//! The loaded policy set: every Rego package, `.policy` policy and ruleset found under the
//! policy paths, compiled once and evaluated against any number of inputs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::decision::{Decision, PolicyResult};
use crate::diagnostic::{Diagnostic, Severity};
use crate::dsl;
use crate::error::{Error, ErrorClass, Result};
use crate::limits::Limits;
use crate::load::{self, Sources};
use crate::rego::{RegoModule, RegoOptions, RegoPolicies, RegoVersion};
use crate::ruleset::{self, Rulesets};
use crate::source::SourceFile;
use crate::verdict::Verdict;

/// How to load a policy set.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub rego_version: RegoVersion,
    /// `--data` files, added under `data` for Rego.
    pub data_files: Vec<PathBuf>,
    pub limits: Limits,
}

/// A policy found in the set, in the order the user's files name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PolicyRef {
    Rego(usize),
    Dsl(usize),
    Rulesets,
}

/// A `test` block and the file it is in.
#[derive(Clone, Debug)]
pub struct TestCase {
    pub source: Arc<SourceFile>,
    pub block: dsl::ast::TestBlock,
}

/// Everything loaded from the policy paths, ready to decide.
#[derive(Clone)]
pub struct PolicySet {
    files: Arc<Vec<Arc<SourceFile>>>,
    rego: Option<RegoPolicies>,
    rego_catalogs: Arc<Vec<Option<Arc<Catalog>>>>,
    dsl: Arc<Vec<dsl::CompiledPolicy>>,
    rulesets: Arc<Rulesets>,
    order: Arc<Vec<PolicyRef>>,
    tests: Arc<Vec<TestCase>>,
    /// Problems that do not stop loading, such as unknown input paths.
    pub warnings: Vec<Diagnostic>,
}

/// Where a policy sits among the user's files, for ordering.
type Position = (usize, usize);

impl PolicySet {
    /// Reads, parses, checks and compiles every policy under `paths`. Every problem in
    /// every file is reported, not only the first.
    pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Result<PolicySet> {
        let sources = load::discover(paths, options.limits.policy_bytes)?;
        if sources.is_empty() {
            let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
            return Err(Error::invalid(
                Diagnostic::error(format!("no policies found in {}", shown.join(", ")))
                    .with_help("policies are `.rego` files, `.policy` files, or env0 catalog folders holding `policy.rego`"),
            ));
        }
        let file_index: HashMap<Arc<str>, usize> = sources
            .files
            .iter()
            .enumerate()
            .map(|(index, file)| (file.name.clone(), index))
            .collect();
        let mut errors = Vec::new();
        let mut positioned: Vec<(Position, PolicyRef)> = Vec::new();

        let data = read_data_files(&options.data_files, options.limits.policy_bytes, &mut errors);
        let (rego, rego_catalogs) = load_rego(&sources, data, options, &mut errors);
        if let Some(rego) = &rego {
            for (index, policy) in rego.policies().iter().enumerate() {
                let first = policy.files.first().and_then(|f| file_index.get(f)).copied();
                positioned.push(((first.unwrap_or(usize::MAX), 0), PolicyRef::Rego(index)));
            }
        }

        let mut compiled = PolicyFiles::default();
        for source in &sources.policy_files {
            let at = file_index.get(&source.name).copied().unwrap_or(usize::MAX);
            compiled.add(source, at, &mut errors);
        }
        positioned.extend(compiled.dsl_positions.iter().enumerate().map(|(i, &p)| (p, PolicyRef::Dsl(i))));
        if let Some(&first) = compiled.ruleset_positions.first() {
            positioned.push((first, PolicyRef::Rulesets));
        }

        if let Some(error) = Error::merge(errors) {
            let mut error = error;
            error.diagnostics.extend(compiled.warnings);
            return Err(error);
        }
        positioned.sort_by_key(|&(position, _)| position);
        Ok(PolicySet {
            files: Arc::new(sources.files),
            rego,
            rego_catalogs: Arc::new(rego_catalogs),
            dsl: Arc::new(compiled.dsl),
            rulesets: Arc::new(Rulesets::new(compiled.rulesets)),
            order: Arc::new(positioned.into_iter().map(|(_, policy)| policy).collect()),
            tests: Arc::new(compiled.tests),
            warnings: compiled.warnings,
        })
    }

    /// Every file read while loading, in order.
    pub fn files(&self) -> &[Arc<SourceFile>] {
        &self.files
    }

    /// The `test` blocks of every `.policy` file.
    pub fn tests(&self) -> &[TestCase] {
        &self.tests
    }

    /// The Rego policies, for tests and coverage.
    pub fn rego_mut(&mut self) -> Option<&mut RegoPolicies> {
        self.rego.as_mut()
    }

    /// Decides one input at `now`: every policy is evaluated, their outcomes combine, and
    /// `default` decides when nothing fired. Any error fails the whole decision.
    pub fn decide(&mut self, input: &Value, now: DateTime<Utc>, default: Verdict) -> Result<Decision> {
        let mut slots: Vec<Vec<PolicyResult>> = vec![Vec::new(); self.order.len()];
        let mut activations = Vec::new();
        self.evaluate_rego(input, now, &mut slots)?;
        for (slot, policy) in self.order.iter().enumerate() {
            let produced = match *policy {
                PolicyRef::Rego(_) => continue,
                PolicyRef::Dsl(index) => {
                    let Some(policy) = self.dsl.get(index) else {
                        continue;
                    };
                    vec![PolicyResult {
                        policy: policy.name().to_string(),
                        source: policy.location().clone(),
                        outcomes: policy.evaluate(input, now)?,
                    }]
                }
                PolicyRef::Rulesets => {
                    let decided = self.rulesets.evaluate(input, now)?;
                    activations = decided.grant_activations;
                    decided.results
                }
            };
            if let Some(place) = slots.get_mut(slot) {
                *place = produced;
            }
        }
        let mut decision = Decision::combine(slots.into_iter().flatten().collect(), default, now);
        // A grant is activated only by an open that actually goes ahead.
        if matches!(decision.verdict, Verdict::Allow | Verdict::Warn) {
            decision.grant_activation = activations.first().cloned();
            decision.grant_activations = activations;
        }
        Ok(decision)
    }

    /// Rego packages share one input; a catalog policy sees its own, with its `policyData`
    /// defaults, so those are evaluated after the others to set the input as rarely as
    /// possible.
    fn evaluate_rego(&mut self, input: &Value, now: DateTime<Utc>, slots: &mut [Vec<PolicyResult>]) -> Result<()> {
        let Some(rego) = self.rego.as_mut() else {
            return Ok(());
        };
        let slot_of = |wanted: usize| {
            self.order
                .iter()
                .position(|policy| *policy == PolicyRef::Rego(wanted))
        };
        rego.set_input(input)?;
        let mut deferred = Vec::new();
        for index in 0..rego.policies().len() {
            let catalog = self.rego_catalogs.get(index).cloned().flatten();
            let adjusted = match &catalog {
                Some(catalog) => catalog.prepare_input(input)?,
                None => None,
            };
            match adjusted {
                Some(adjusted) => deferred.push((index, adjusted, catalog)),
                None => {
                    let result = evaluate_one(rego, index, now, catalog.as_deref())?;
                    place(slots, slot_of(index), result);
                }
            }
        }
        for (index, adjusted, catalog) in deferred {
            rego.set_input(&adjusted)?;
            let result = evaluate_one(rego, index, now, catalog.as_deref())?;
            place(slots, slot_of(index), result);
        }
        Ok(())
    }
}

fn evaluate_one(rego: &mut RegoPolicies, index: usize, now: DateTime<Utc>, catalog: Option<&Catalog>) -> Result<PolicyResult> {
    let mut outcomes = rego.evaluate(index, now)?;
    let policy = rego.policies().get(index).ok_or_else(|| {
        Error::evaluation(Diagnostic::error(format!("internal error: no Rego policy number {index}")))
    })?;
    let name = catalog.map_or_else(|| policy.package.clone(), |catalog| catalog.name.clone());
    if catalog.is_some() {
        for outcome in &mut outcomes {
            outcome.policy = name.clone();
        }
    }
    Ok(PolicyResult {
        policy: name,
        source: policy.location.clone(),
        outcomes,
    })
}

fn place(slots: &mut [Vec<PolicyResult>], slot: Option<usize>, result: PolicyResult) {
    if let Some(place) = slot.and_then(|slot| slots.get_mut(slot)) {
        *place = vec![result];
    }
}

fn read_data_files(paths: &[PathBuf], limit: u64, errors: &mut Vec<Error>) -> Vec<(Arc<str>, Value)> {
    let mut documents = Vec::new();
    for path in paths {
        match load::read_data(path, limit) {
            Ok((source, value)) => documents.push((source.name.clone(), value)),
            Err(error) => errors.push(error),
        }
    }
    documents
}

type RegoLoad = (Option<RegoPolicies>, Vec<Option<Arc<Catalog>>>);

fn load_rego(sources: &Sources, data: Vec<(Arc<str>, Value)>, options: &LoadOptions, errors: &mut Vec<Error>) -> RegoLoad {
    if sources.rego.is_empty() {
        return (None, Vec::new());
    }
    let modules = sources
        .rego
        .iter()
        .map(|rego| RegoModule {
            source: rego.source.clone(),
        })
        .collect();
    let rego_options = RegoOptions {
        version: options.rego_version,
        ..RegoOptions::default()
    };
    let rego = match RegoPolicies::load(modules, data, &rego_options) {
        Ok(rego) => rego,
        Err(error) => {
            errors.push(error);
            return (None, Vec::new());
        }
    };
    let catalog_of_file: HashMap<&str, &Arc<Catalog>> = sources
        .rego
        .iter()
        .filter_map(|rego| Some((rego.source.name.as_ref(), rego.catalog.as_ref()?)))
        .collect();
    let catalogs = rego
        .policies()
        .iter()
        .map(|policy| {
            policy
                .files
                .iter()
                .find_map(|file| catalog_of_file.get(file.as_ref()).map(|c| (*c).clone()))
        })
        .collect();
    (Some(rego), catalogs)
}

/// What the `.policy` files hold, compiled.
#[derive(Default)]
struct PolicyFiles {
    dsl: Vec<dsl::CompiledPolicy>,
    dsl_positions: Vec<Position>,
    rulesets: Vec<ruleset::Ruleset>,
    ruleset_positions: Vec<Position>,
    tests: Vec<TestCase>,
    warnings: Vec<Diagnostic>,
    names: HashMap<String, crate::source::Location>,
}

impl PolicyFiles {
    /// Parses, checks and compiles one file; every problem goes to `errors`.
    fn add(&mut self, source: &Arc<SourceFile>, file_at: usize, errors: &mut Vec<Error>) {
        let file = match dsl::parse::parse(source) {
            Ok(file) => file,
            Err(diagnostics) => {
                errors.push(invalid(diagnostics));
                return;
            }
        };
        let (problems, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = dsl::check::check(&file, source)
            .into_iter()
            .partition(|diagnostic| diagnostic.severity == Severity::Error);
        self.warnings.extend(warnings);
        if !problems.is_empty() {
            errors.push(invalid(problems));
            return;
        }
        for item in &file.items {
            let position = (file_at, item.span().start);
            match item {
                dsl::ast::Item::Policy(block) => {
                    if let Err(error) = self.claim_name(&block.name, source) {
                        errors.push(error);
                        continue;
                    }
                    match dsl::CompiledPolicy::compile(block, source) {
                        Ok(policy) => {
                            self.dsl.push(policy);
                            self.dsl_positions.push(position);
                        }
                        Err(diagnostics) => errors.push(invalid(diagnostics)),
                    }
                }
                dsl::ast::Item::Ruleset(block) => {
                    if let Err(error) = self.claim_name(&block.name, source) {
                        errors.push(error);
                        continue;
                    }
                    match ruleset::lower(block, source) {
                        Ok(ruleset) => {
                            self.rulesets.push(ruleset);
                            self.ruleset_positions.push(position);
                        }
                        Err(diagnostics) => errors.push(invalid(diagnostics)),
                    }
                }
                dsl::ast::Item::Test(block) => self.tests.push(TestCase {
                    source: source.clone(),
                    block: block.clone(),
                }),
            }
        }
    }

    /// Policy and ruleset names are unique across the set: outcomes are reported by name.
    fn claim_name(&mut self, name: &dsl::ast::StrLit, source: &Arc<SourceFile>) -> Result<()> {
        let here = source.location(name.span.start);
        match self.names.get(&name.value) {
            Some(first) => Err(Error::invalid(
                Diagnostic::error(format!("`{}` is defined twice", name.value))
                    .at(source, name.span)
                    .with_label("second definition")
                    .with_help(format!("the first is at {first}; give each policy and ruleset its own name")),
            )),
            None => {
                self.names.insert(name.value.clone(), here);
                Ok(())
            }
        }
    }
}

fn invalid(diagnostics: Vec<Diagnostic>) -> Error {
    Error {
        class: ErrorClass::Invalid,
        diagnostics,
    }
}
