//! The loaded policy set: every Rego package, `.policy` policy and ruleset found under the
//! policy paths, compiled once and evaluated against any number of inputs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::decision::{Decision, GrantActivation, Outcome, PolicyResult};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{Arena, Document, OwnedDocument};
use crate::dsl;
use crate::dsl::compile::CompiledPolicy;
use crate::dsl::eval::shared::SharedWalks;
use crate::dsl::parse::{ParseCache, TestBlocks};
use crate::error::{Error, ErrorClass, Result};
use crate::explain::{Explained, RegoExplanation, RegoRule};
use crate::input;
use crate::limits::Limits;
use crate::load::{self, Sources};
use crate::projection::{PathStep, Projection};
use crate::rego::{
    CompiledMode, Firing, RegoInput, RegoModule, RegoOptions, RegoPolicies, RegoVersion,
};
use crate::ruleset::{self, Rulesets};
use crate::source::SourceFile;
use crate::testing::coverage::CoverableRule;
use crate::verdict::Verdict;

/// The most memory the arena that decisions read their input documents into keeps for the
/// next decision: a stream of small decisions reuses one block, and one large document
/// does not hold its memory for the rest of the stream.
const KEPT_ARENA_BYTES: usize = 1 << 20;

/// How to load a policy set.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub rego_version: RegoVersion,
    /// `--data` files, added under `data` for Rego.
    pub data_files: Vec<PathBuf>,
    pub limits: Limits,
    /// Keep Rego `print()` output for [`PolicySet::explain`] instead of writing it to stderr.
    pub capture_prints: bool,
    /// A failing Rego builtin is an evaluation error rather than undefined.
    pub strict_builtin_errors: bool,
    /// Whether the `test` blocks of `.policy` files are read ([`PolicySet::tests`]); a set
    /// loaded only to decide skips them.
    pub tests: TestBlocks,
    /// Where parsed `.policy` files are kept between loads, if anywhere.
    pub parse_cache: Option<ParseCache>,
    /// Rewrite Rego files for a set that decides a stream of documents (not one that
    /// explains, tests or measures coverage): constant rules written in where they are
    /// used, packages known to the engine by short names, `import rego.v1` left out of
    /// Rego v1 files.
    pub rewrite_for_stream: bool,
}

/// A policy found in the set, in the order the user's files name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PolicyRef {
    /// A package of a Rego group.
    Rego {
        group: usize,
        policy: usize,
    },
    Dsl(usize),
    Rulesets,
}

/// Rego files evaluated in one engine: the loose `.rego` files together, and each catalog
/// folder on its own (env0 evaluates every catalog policy by itself, and catalog policies
/// commonly share a package name such as `env0`).
#[derive(Clone)]
struct RegoGroup {
    engine: RegoPolicies,
    catalog: Option<Arc<Catalog>>,
}

/// An input document in the form every policy of a set reads it: see
/// [`PolicySet::prepare`].
#[derive(Clone, Debug)]
pub struct PreparedInput {
    document: Value,
    /// The document as the policy-language policies read it.
    parts: OwnedDocument,
    rego: Option<RegoInput>,
}

impl PreparedInput {
    /// The document as parsed.
    pub fn document(&self) -> &Value {
        &self.document
    }
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
    rego: Vec<RegoGroup>,
    dsl: Arc<Vec<dsl::compile::CompiledPolicy>>,
    /// The lists of the input that more than one policy-language rule goes over.
    dsl_walks: Arc<SharedWalks>,
    rulesets: Arc<Rulesets>,
    order: Arc<Vec<PolicyRef>>,
    tests: Arc<Vec<TestCase>>,
    coverable: Arc<Vec<CoverableRule>>,
    /// Whether a warn stops what is decided, as `--fail-on-warn` makes it.
    warn_blocks: bool,
    /// Problems that do not stop loading, such as unknown input paths.
    pub warnings: Vec<Diagnostic>,
    scratch: Scratch,
}

/// Where [`PolicySet::decide_text`] reads documents, kept between decisions. A copy of the
/// set starts its own, so that sets deciding on several threads share none. Only a
/// decision, which has the set to itself, reaches it; the mutex, never locked, is what
/// lets a set be shared between threads while no decision runs.
#[derive(Default)]
struct Scratch(Mutex<Arena>);

impl Scratch {
    fn take(&mut self) -> Arena {
        std::mem::take(self.0.get_mut().unwrap_or_else(PoisonError::into_inner))
    }

    /// Keeps `arena`, emptied, for the next decision, unless it grew past
    /// [`KEPT_ARENA_BYTES`].
    fn keep(&mut self, mut arena: Arena) {
        arena.reset();
        if arena.allocated_bytes() <= KEPT_ARENA_BYTES {
            *self.0.get_mut().unwrap_or_else(PoisonError::into_inner) = arena;
        }
    }
}

impl Clone for Scratch {
    fn clone(&self) -> Scratch {
        Scratch::default()
    }
}

/// Where a policy sits among the user's files, for ordering.
type Position = (usize, usize);

impl PolicySet {
    /// Reads, parses, checks and compiles every policy under `paths`. Every problem in
    /// every file is reported, not only the first.
    pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Result<PolicySet> {
        let sources = load::discover(paths, options.limits.policy_bytes)?;
        if sources.is_empty() {
            return Err(no_policies_found(
                paths,
                "policies are `.rego` files, `.policy` files, or env0 catalog folders holding `policy.rego`",
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

        let (data_sources, data) = read_data_files(
            &options.data_files,
            options.limits.policy_bytes,
            &mut errors,
        );
        let rego = load_rego(&sources, &data, options, &mut errors);
        for (group_index, group) in rego.iter().enumerate() {
            for (index, policy) in group.engine.policies().iter().enumerate() {
                let first = policy
                    .files
                    .first()
                    .and_then(|f| file_index.get(f))
                    .copied();
                let reference = PolicyRef::Rego {
                    group: group_index,
                    policy: index,
                };
                positioned.push(((first.unwrap_or(usize::MAX), 0), reference));
            }
        }

        let mut compiled = PolicyFiles::default();
        for source in &sources.policy_files {
            let at = file_index.get(&source.name).copied().unwrap_or(usize::MAX);
            compiled.add(source, at, options, &mut errors);
        }
        positioned.extend(
            compiled
                .dsl_positions
                .iter()
                .enumerate()
                .map(|(i, &p)| (p, PolicyRef::Dsl(i))),
        );
        if let Some(&first) = compiled.ruleset_positions.first() {
            positioned.push((first, PolicyRef::Rulesets));
        }

        if let Some(error) = Error::merge(errors) {
            let mut error = error;
            error.diagnostics.extend(compiled.warnings);
            return Err(error);
        }
        positioned.sort_by_key(|&(position, _)| position);
        let dsl = with_eval_time(compiled.dsl, options.limits.eval_time);
        Ok(PolicySet {
            files: Arc::new(sources.files.into_iter().chain(data_sources).collect()),
            rego,
            dsl_walks: Arc::new(CompiledPolicy::share_walks(&dsl)),
            dsl: Arc::new(dsl),
            rulesets: Arc::new(Rulesets::new(compiled.rulesets)),
            order: Arc::new(positioned.into_iter().map(|(_, policy)| policy).collect()),
            tests: Arc::new(compiled.tests),
            coverable: Arc::new(compiled.rules),
            warn_blocks: false,
            warnings: compiled.warnings,
            scratch: Scratch::default(),
        })
    }

    /// Whether policy-language rules of several policies that go over the same list of
    /// the input (`for c in plan.resource_changes`) walk it once between them, and `let`s
    /// they have in common are evaluated once, as they are unless told otherwise, or each
    /// policy is evaluated on its own. They decide alike either way; sharing is quicker
    /// over large lists. Turning it off is for comparing the two.
    pub fn share_walks(&mut self, share: bool) {
        self.dsl_walks = Arc::new(if share {
            CompiledPolicy::share_walks(&self.dsl)
        } else {
            SharedWalks::default()
        });
    }

    /// An error unless some policy of the set, loaded from `paths`, can produce an
    /// outcome: a Rego package with a verdict rule, a policy-language policy, a ruleset.
    /// Files holding only comments, tests or Rego helpers decide nothing, and a gate built
    /// on them would give every request the default.
    pub fn require_a_deciding_policy(&self, paths: &[PathBuf]) -> Result<()> {
        let decides = self.order.iter().any(|policy| match *policy {
            PolicyRef::Rego { group, policy } => self
                .rego
                .get(group)
                .is_some_and(|group| group.engine.decides(policy)),
            PolicyRef::Dsl(_) | PolicyRef::Rulesets => true,
        });
        if decides {
            return Ok(());
        }
        Err(no_policies_found(
            paths,
            "the files hold no `policy` or `ruleset` block and no Rego package with a `deny`, `pending`, `warn`, `allow` or `violation` rule; name the files that do",
        ))
    }

    /// Whether a warn verdict stops the request, as `--fail-on-warn` makes it, or lets it
    /// go ahead, as it does unless told otherwise. A decision that stops it activates no
    /// grant.
    pub fn warn_blocks(&mut self, blocks: bool) {
        self.warn_blocks = blocks;
    }

    /// The lists of the input walked once for several rules, as paths
    /// (`plan.resource_changes`), with the number of rules going over each.
    pub fn shared_walks(&self) -> Vec<(String, usize)> {
        self.dsl_walks.lists()
    }

    /// Every file read while loading, in order.
    pub fn files(&self) -> &[Arc<SourceFile>] {
        &self.files
    }

    /// The `test` blocks of every `.policy` file.
    pub fn tests(&self) -> &[TestCase] {
        &self.tests
    }

    /// Every rule a test can make fire, for coverage.
    pub fn coverable_rules(&self) -> &[CoverableRule] {
        &self.coverable
    }

    /// Turns on the Rego engines' compiled mode (see [`RegoPolicies::compile`]): worth
    /// its cost when many decisions follow, as in batch mode.
    /// The handle tells, after the decisions, how many packages compiled mode decided.
    pub fn compile_rego(&mut self) -> CompiledMode {
        CompiledMode::of(self.rego.iter_mut().map(|group| {
            group.engine.compile();
            &group.engine
        }))
    }

    /// The Rego engines, for tests and coverage.
    pub fn rego_engines_mut(&mut self) -> impl Iterator<Item = &mut RegoPolicies> {
        self.rego.iter_mut().map(|group| &mut group.engine)
    }

    /// The parts of an input document that [`PolicySet::decide`] reads, to parse no more
    /// of it than that: the paths the policy-language policies follow and the evaluation
    /// time (`now`). Rego policies and rulesets read the whole document.
    pub fn input_projection(&self) -> Projection {
        if !self.rego.is_empty() || !self.rulesets.is_empty() {
            return Projection::whole();
        }
        let mut projection = Projection::nothing();
        projection.keep_whole(&[PathStep::Field("now".into())]);
        for policy in self.dsl.iter() {
            projection.merge(&policy.input_reads());
        }
        projection
    }

    /// Decides one input at `now`: every policy is evaluated, their outcomes combine, and
    /// `default` decides when nothing fired. Any error fails the whole decision.
    pub fn decide(
        &mut self,
        input: &Value,
        now: DateTime<Utc>,
        default: Verdict,
    ) -> Result<Decision> {
        let rego = self.rego_input(input)?;
        let arena = Arena::new();
        let document = self.dsl_document(input, &arena);
        self.decide_with(input, &document, rego.as_ref(), now, default)
    }

    /// Decides an input document given as JSON text, as `verdict eval` and `--batch` do:
    /// parsed only as far as `projection` reads it (see [`PolicySet::input_projection`]),
    /// at the time `now` gives or else the document's `now`, or the clock.
    pub fn decide_text(
        &mut self,
        name: &str,
        text: &str,
        projection: &Projection,
        now: Option<DateTime<Utc>>,
        default: Verdict,
    ) -> Result<Decision> {
        if projection.is_whole() && self.dsl.is_empty() && self.rulesets.is_empty() {
            // Only Rego reads it: straight into the engines' form.
            let rego = input::parse_rego_document(name, text)?;
            let now = input::resolve_rego_now(now, &rego, name)?;
            let view = self.catalog_view(&rego)?;
            return self.decide_with(&view, &Document::Null, Some(&rego), now, default);
        }
        if projection.is_whole() {
            let document = input::parse_document(name, text)?;
            let now = input::resolve_now(now, &document, name)?;
            return self.decide(&document, now, default);
        }
        // The arena is out of the set while the document borrows it.
        let arena = self.scratch.take();
        let decided = input::parse_projected(name, text, projection, &arena).and_then(|document| {
            let now = input::resolve_document_now(now, &document, name)?;
            self.decide_document(&document, now, default)
        });
        self.scratch.keep(arena);
        decided
    }

    /// Decides a document read with [`PolicySet::input_projection`]. That projection is
    /// whole when the set has Rego policies or rulesets, which read a `serde_json`
    /// document: it is then built from this one.
    pub fn decide_document(
        &mut self,
        document: &Document<'_>,
        now: DateTime<Utc>,
        default: Verdict,
    ) -> Result<Decision> {
        if !self.rego.is_empty() || !self.rulesets.is_empty() {
            return self.decide(&document.to_json(), now, default);
        }
        // Only policy-language policies: nothing reads the `serde_json` form.
        self.decide_with(&Value::Null, document, None, now, default)
    }

    /// What each policy-language policy decides of `document`, by index, each taken once
    /// with [`PolicySet::dsl_result`].
    fn dsl_results(
        &self,
        document: &Document<'_>,
        now: DateTime<Utc>,
    ) -> Vec<Result<Vec<Outcome>>> {
        CompiledPolicy::evaluate_all(&self.dsl, &self.dsl_walks, document, now)
    }

    /// Takes what policy-language policy `index` decided out of `decided`.
    fn dsl_result(
        &self,
        decided: &mut [Result<Vec<Outcome>>],
        index: usize,
    ) -> Option<Result<PolicyResult>> {
        let policy = self.dsl.get(index)?;
        let outcomes = std::mem::replace(decided.get_mut(index)?, Ok(Vec::new()));
        Some(outcomes.map(|outcomes| PolicyResult {
            policy: policy.name().clone(),
            source: policy.location().clone(),
            outcomes,
        }))
    }

    /// What the catalog folders read of a document besides the engines: its
    /// `policyData`, to check against their schemas and fill in their defaults.
    fn catalog_view(&self, rego: &RegoInput) -> Result<Value> {
        let mut view = serde_json::Map::new();
        if self.rego.iter().any(|group| group.catalog.is_some())
            && let Some(policy_data) = rego.field("policyData")
        {
            let policy_data = serde_json::to_value(policy_data).map_err(|error| {
                Error::evaluation(Diagnostic::error(format!(
                    "cannot read `policyData` back from the engine's form: {error}"
                )))
            })?;
            view.insert("policyData".to_string(), policy_data);
        }
        Ok(Value::Object(view))
    }

    /// The document the policy-language policies read, borrowed from `input`.
    fn dsl_document<'v>(&self, input: &'v Value, arena: &'v Arena) -> Document<'v> {
        if self.dsl.is_empty() {
            Document::Null
        } else {
            Document::from_json(input, arena)
        }
    }

    /// Puts an input document in the form every kind of policy reads, once: deciding the
    /// prepared input any number of times costs no conversion.
    pub fn prepare(&self, document: Value) -> Result<PreparedInput> {
        let rego = self.rego_input(&document)?;
        // Only the parts the policies read, as a decision from text reads them: a whole
        // plan laid out in one arena spreads the fields a walk reads among those it skips.
        let parts = if self.dsl.is_empty() {
            OwnedDocument::from_json(&Value::Null)
        } else {
            let projection = self.input_projection();
            OwnedDocument::build(|arena| projection.copy_from_json(&document, arena))
        };
        Ok(PreparedInput {
            document,
            parts,
            rego,
        })
    }

    /// Decides a prepared input as [`PolicySet::decide`] decides its document.
    pub fn decide_prepared(
        &mut self,
        input: &PreparedInput,
        now: DateTime<Utc>,
        default: Verdict,
    ) -> Result<Decision> {
        self.decide_with(
            &input.document,
            input.parts.get(),
            input.rego.as_ref(),
            now,
            default,
        )
    }

    /// The input in the Rego engines' form, when there are Rego policies.
    fn rego_input(&self, input: &Value) -> Result<Option<RegoInput>> {
        if self.rego.is_empty() {
            return Ok(None);
        }
        RegoInput::new(input).map(Some)
    }

    fn decide_with(
        &mut self,
        input: &Value,
        document: &Document<'_>,
        rego: Option<&RegoInput>,
        now: DateTime<Utc>,
        default: Verdict,
    ) -> Result<Decision> {
        // What the Rego policies decided, by their place in the order; the others are
        // taken in order below, straight into the results.
        let mut rego_slots: Vec<Vec<PolicyResult>> = Vec::new();
        let mut activations = Vec::new();
        if let Some(rego) = rego {
            rego_slots = vec![Vec::new(); self.order.len()];
            self.evaluate_rego(input, rego, now, &mut rego_slots)?;
        }
        let mut decided = self.dsl_results(document, now);
        let mut results = Vec::with_capacity(self.order.len());
        for (slot, policy) in self.order.iter().enumerate() {
            match *policy {
                PolicyRef::Rego { .. } => {
                    if let Some(produced) = rego_slots.get_mut(slot) {
                        results.append(produced);
                    }
                }
                PolicyRef::Dsl(index) => {
                    if let Some(result) = self.dsl_result(&mut decided, index) {
                        results.push(result?);
                    }
                }
                PolicyRef::Rulesets => {
                    let decided = self.rulesets.evaluate(input, now)?;
                    activations = decided.grant_activations;
                    results.extend(decided.results);
                }
            }
        }
        let mut decision = Decision::combine(results, default, now);
        // A grant is activated only by an open that actually goes ahead.
        let goes_ahead = match decision.verdict {
            Verdict::Allow => true,
            Verdict::Warn => !self.warn_blocks,
            Verdict::Pending | Verdict::Deny => false,
        };
        if goes_ahead {
            decision.grant_activation = requested_activation(input, &activations);
            decision.grant_activations = activations;
        }
        Ok(decision)
    }

    /// Explains, policy by policy in the order of [`PolicySet::decide`], why each answered
    /// as it did.
    pub fn explain(&mut self, input: &Value, now: DateTime<Utc>) -> Result<Vec<Explained>> {
        let mut explained = Vec::with_capacity(self.order.len());
        for policy in self.order.iter().copied() {
            match policy {
                PolicyRef::Rego { group, policy } => {
                    let Some(group) = self.rego.get_mut(group) else {
                        continue;
                    };
                    explained.push(Explained::Rego(explain_rego(group, policy, input, now)?));
                }
                PolicyRef::Dsl(index) => {
                    if let Some(policy) = self.dsl.get(index) {
                        explained.push(Explained::Policy(policy.explain(input, now)?));
                    }
                }
                PolicyRef::Rulesets => {
                    explained.push(Explained::Rulesets(self.rulesets.explain(input, now)?))
                }
            }
        }
        Ok(explained)
    }

    /// Each Rego group gets the input once: the shared one, or for a catalog folder the
    /// input with its `policyData` defaults filled in. The input is put in the engines'
    /// form once for all groups.
    fn evaluate_rego(
        &mut self,
        input: &Value,
        shared: &RegoInput,
        now: DateTime<Utc>,
        slots: &mut [Vec<PolicyResult>],
    ) -> Result<()> {
        let mut slot_of: Vec<Vec<usize>> = self
            .rego
            .iter()
            .map(|group| vec![usize::MAX; group.engine.policies().len()])
            .collect();
        for (slot, policy) in self.order.iter().enumerate() {
            if let PolicyRef::Rego { group, policy } = *policy
                && let Some(place) = slot_of.get_mut(group).and_then(|g| g.get_mut(policy))
            {
                *place = slot;
            }
        }
        for (group, group_slots) in self.rego.iter_mut().zip(slot_of) {
            let filled = match &group.catalog {
                Some(catalog) => catalog.filled_policy_data(input)?,
                None => None,
            };
            match filled {
                Some(policy_data) => group
                    .engine
                    .set_engine_input(&shared.with_field("policyData", &policy_data)?),
                None => group.engine.set_engine_input(shared),
            }
            for (index, slot) in group_slots.into_iter().enumerate() {
                let result = evaluate_one(group, index, now)?;
                if let Some(place) = slots.get_mut(slot) {
                    *place = vec![result];
                }
            }
        }
        Ok(())
    }
}

/// The policies with the evaluation time limit of `--eval-timeout`.
fn with_eval_time(
    policies: Vec<dsl::compile::CompiledPolicy>,
    limit: std::time::Duration,
) -> Vec<dsl::compile::CompiledPolicy> {
    policies
        .into_iter()
        .map(|policy| {
            let limits = dsl::eval::Limits {
                max_time: Some(limit),
                ..policy.limits().clone()
            };
            policy.with_limits(limits)
        })
        .collect()
}

/// "no policies found in `a`, `b`", with what to do about it.
fn no_policies_found(paths: &[PathBuf], help: &str) -> Error {
    let shown: Vec<String> = paths
        .iter()
        .map(|path| format!("`{}`", path.display()))
        .collect();
    Error::invalid(
        Diagnostic::error(format!("no policies found in {}", shown.join(", "))).with_help(help),
    )
}

/// The activation of the requested environment's own grant, if this open starts it.
fn requested_activation(input: &Value, activations: &[GrantActivation]) -> Option<GrantActivation> {
    if activations.is_empty() {
        // Nothing to find, and no need to look up the request (a fifth of the time a
        // small policy-language decision spends outside its policies).
        return None;
    }
    let requested = input
        .pointer("/request/environment")?
        .as_str()?
        .trim()
        .to_lowercase();
    activations
        .iter()
        .find(|activation| activation.environment.trim().to_lowercase() == requested)
        .cloned()
}

/// One Rego package evaluated again, with what it printed.
fn explain_rego(
    group: &mut RegoGroup,
    index: usize,
    input: &Value,
    now: DateTime<Utc>,
) -> Result<RegoExplanation> {
    let adjusted = match &group.catalog {
        Some(catalog) => catalog.prepare_input(input)?,
        None => None,
    };
    group.engine.set_input(adjusted.as_ref().unwrap_or(input))?;
    group.engine.take_prints();
    // Coverage of this one evaluation tells which definitions fired.
    group.engine.enable_coverage(true);
    let result = evaluate_one(group, index, now);
    let rules = group
        .engine
        .policy_rule_coverage(index, Firing::ByOutcomesWhereTheyTell)
        .into_iter()
        .map(|rule| RegoRule {
            rule: rule.rule,
            source: rule.location,
            fired: rule.fired,
        })
        .collect();
    group.engine.enable_coverage(false);
    let result = result?;
    Ok(RegoExplanation {
        policy: result.policy.to_string(),
        source: result.source,
        rules,
        outcomes: result.outcomes,
        prints: group.engine.take_prints(),
    })
}

/// One Rego package's outcomes; a catalog folder's package is named by the catalog.
fn evaluate_one(group: &mut RegoGroup, index: usize, now: DateTime<Utc>) -> Result<PolicyResult> {
    let mut outcomes = group.engine.evaluate(index, now)?;
    let policy = group.engine.policies().get(index).ok_or_else(|| {
        Error::evaluation(Diagnostic::error(format!(
            "internal error: no Rego policy number {index}"
        )))
    })?;
    let name: Arc<str> = match &group.catalog {
        Some(catalog) if group.engine.policies().len() == 1 => catalog.name.as_str().into(),
        Some(catalog) => format!("{} ({})", catalog.name, policy.package).into(),
        None => policy.package.as_str().into(),
    };
    if group.catalog.is_some() {
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

/// A `--data` document and the file it came from.
type DataDocument = (Arc<str>, Value);

/// `--data` files: their sources (which decide as much as policies do, so they are part of
/// the policy set's digest) and their documents.
fn read_data_files(
    paths: &[PathBuf],
    limit: u64,
    errors: &mut Vec<Error>,
) -> (Vec<Arc<SourceFile>>, Vec<DataDocument>) {
    let mut sources = Vec::new();
    let mut documents = Vec::new();
    for path in paths {
        match load::read_data(path, limit) {
            Ok((source, value)) => {
                documents.push((source.name.clone(), value));
                sources.push(source);
            }
            Err(error) => errors.push(error),
        }
    }
    (sources, documents)
}

/// Loads the loose `.rego` files into one engine and each catalog folder into its own.
fn load_rego(
    sources: &Sources,
    data: &[(Arc<str>, Value)],
    options: &LoadOptions,
    errors: &mut Vec<Error>,
) -> Vec<RegoGroup> {
    let mut grouped: Vec<(Option<Arc<Catalog>>, Vec<RegoModule>)> = Vec::new();
    for rego in &sources.rego {
        let module = RegoModule {
            source: rego.source.clone(),
        };
        let same_group = |catalog: &Option<Arc<Catalog>>| match (catalog, &rego.catalog) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        match grouped.iter_mut().find(|(catalog, _)| same_group(catalog)) {
            Some((_, modules)) => modules.push(module),
            None => grouped.push((rego.catalog.clone(), vec![module])),
        }
    }
    let rego_options = RegoOptions {
        version: options.rego_version,
        capture_prints: options.capture_prints,
        timeout: Some(options.limits.eval_time),
        strict_builtin_errors: options.strict_builtin_errors,
        rewrite_for_stream: options.rewrite_for_stream,
    };
    let mut groups = Vec::new();
    for (catalog, modules) in grouped {
        match RegoPolicies::load(modules, data.to_vec(), &rego_options) {
            Ok(engine) => groups.push(RegoGroup { engine, catalog }),
            Err(error) => errors.push(error),
        }
    }
    groups
}

/// What the `.policy` files hold, compiled.
#[derive(Default)]
struct PolicyFiles {
    dsl: Vec<dsl::compile::CompiledPolicy>,
    dsl_positions: Vec<Position>,
    rulesets: Vec<ruleset::Ruleset>,
    ruleset_positions: Vec<Position>,
    tests: Vec<TestCase>,
    rules: Vec<CoverableRule>,
    warnings: Vec<Diagnostic>,
    names: HashMap<String, crate::source::Location>,
}

impl PolicyFiles {
    /// Parses, checks and compiles one file; every problem goes to `errors`.
    fn add(
        &mut self,
        source: &Arc<SourceFile>,
        file_at: usize,
        options: &LoadOptions,
        errors: &mut Vec<Error>,
    ) {
        let parsed = match &options.parse_cache {
            Some(cache) => cache.parse(source, options.tests),
            None => dsl::parse::parse_with(source, options.tests),
        };
        let file = match parsed {
            Ok(file) => file,
            Err(diagnostics) => {
                errors.push(invalid(diagnostics));
                return;
            }
        };
        // Checking compiles each policy; those are the policies kept.
        let (policies, diagnostics) =
            dsl::check::check_compiling(&file, source, &dsl::eval::Limits::default());
        let (problems, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = diagnostics
            .into_iter()
            .partition(|diagnostic| diagnostic.severity == Severity::Error);
        self.warnings.extend(warnings);
        if !problems.is_empty() {
            errors.push(invalid(problems));
            return;
        }
        let mut policies = policies.into_iter();
        for item in &file.items {
            let position = (file_at, item.span().start);
            match item {
                dsl::ast::Item::Policy(block) => {
                    let compiled = policies.next().flatten();
                    if let Err(error) = self.claim_name(&block.name, source) {
                        errors.push(error);
                        continue;
                    }
                    match compiled {
                        Some(policy) => {
                            self.rules
                                .extend(block.statements.iter().filter_map(|statement| {
                                    match statement {
                                        dsl::ast::Statement::Rule(rule) => Some(CoverableRule {
                                            policy: block.name.value.clone(),
                                            rule: rule.verdict.verdict.to_string(),
                                            location: source.location(rule.span.start),
                                        }),
                                        _ => None,
                                    }
                                }));
                            self.dsl.push(policy);
                            self.dsl_positions.push(position);
                        }
                        // Checking found no error, so every policy compiled; should one
                        // be missing all the same, the set does not load.
                        None => errors.push(invalid(vec![
                            Diagnostic::error(format!(
                                "policy `{}` could not be compiled",
                                block.name.value
                            ))
                            .at(source, block.name.span),
                        ])),
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
                    .with_help(format!(
                        "the first is at {first}; give each policy and ruleset its own name"
                    )),
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
