//! The Rego backend: the only module that speaks to the `regorus` engine. Policies load
//! once into one engine; each evaluation reads a package's verdict rules as outcomes.

mod builtins;
mod checks;
mod combined;
mod compiled;
mod diagnose;
mod engine;
mod extract;
mod gofmt;
mod goparse;
mod inline;
mod input_text;
mod load;
mod metadata;
mod nesting;
mod parse_hints;
mod recursion;
mod rename;
mod rewrite;
mod scan;
mod sprintf;
mod syntax;
mod testing;
mod version;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::decision::{Outcome, format_time};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::source::{Location, SourceFile, Span};
use crate::verdict::Verdict;

use self::compiled::{Check, CompileRequest, Machines, Programs};
use self::diagnose::EngineFile;
use self::syntax::{RuleKind, RuleSyntax};

pub use self::testing::{Firing, RegoTest, RegoTestResult, RuleCoverage};
pub use self::version::RegoVersion;

/// How Rego files are read and evaluated.
#[derive(Clone, Debug, Default)]
pub struct RegoOptions {
    pub version: RegoVersion,
    /// The longest one rule's evaluation may take; past it, evaluation fails.
    pub timeout: Option<Duration>,
    /// A failing builtin fails the evaluation instead of making its expression undefined
    /// (OPA's `--strict-builtin-errors`).
    pub strict_builtin_errors: bool,
    /// Keep `print()` output for [`RegoPolicies::take_prints`] instead of writing it to
    /// stderr.
    pub capture_prints: bool,
    /// Rewrite the files to spare the engine work on each of a stream of decisions: write
    /// the values of constant rules in where they are used (see `inline`), give the
    /// packages short names in the engine where nothing reaches them by path (see
    /// `rename`), and leave `import rego.v1` out of Rego v1 files (see `load`). Coverage
    /// and `--explain` would no longer see those rules evaluated, and `with` in tests
    /// could not replace them, so only sets loaded to decide use it.
    pub rewrite_for_stream: bool,
}

/// One `.rego` file as read from disk.
#[derive(Clone, Debug)]
pub struct RegoModule {
    pub source: Arc<SourceFile>,
}

/// One package: a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct RegoPolicy {
    /// The package name without `data.`, e.g. `env0.cost`.
    pub package: String,
    /// The package line of its first file.
    pub location: Location,
    /// The files that make up the package.
    pub files: Vec<Arc<str>>,
}

/// The rules read as verdicts, in the order their outcomes are listed.
const VERDICT_RULES: [(&str, Verdict); 5] = [
    ("deny", Verdict::Deny),
    ("violation", Verdict::Deny),
    ("pending", Verdict::Pending),
    ("warn", Verdict::Warn),
    ("allow", Verdict::Allow),
];

/// One definition of a verdict rule, and what can tell its outcomes apart from those of
/// the rule's other definitions.
#[derive(Clone, Debug)]
struct Definition {
    location: Location,
    file: Arc<SourceFile>,
    span: Span,
    literal_key: Option<String>,
    metadata_texts: Vec<String>,
    /// The line of the head's key or value, when no statement shares it.
    head_line: Option<u32>,
    /// The lines where the statements of its bodies start.
    body_lines: Vec<u32>,
}

impl Definition {
    /// Whether an outcome of `rule` names this definition for certain: the rule has no
    /// other definition, or this one's key is a literal (its only possible message).
    fn told_by_outcomes(&self, rule: &VerdictRule) -> bool {
        rule.definitions.len() == 1 || self.literal_key.is_some()
    }
}

/// A verdict rule of one policy.
#[derive(Clone, Debug)]
struct VerdictRule {
    name: &'static str,
    verdict: Verdict,
    /// The engine path: `data.env0.deny`.
    path: String,
    definitions: Vec<Definition>,
    /// The message of a rule that is simply `true`.
    true_message: String,
}

impl VerdictRule {
    /// The definition an outcome came from: the one whose literal key is the message, else
    /// the one whose metadata texts the message shows most of, else the first. The flag
    /// says whether the choice is certain (one definition, or one that matched).
    fn source_of(&self, message: &str) -> Option<(&Location, bool)> {
        let by_key = self
            .definitions
            .iter()
            .find(|d| d.literal_key.as_deref() == Some(message));
        let shown = |definition: &Definition| -> usize {
            definition
                .metadata_texts
                .iter()
                .filter(|text| message.contains(text.as_str()))
                .map(String::len)
                .sum()
        };
        let by_metadata = || {
            let best = self
                .definitions
                .iter()
                .map(shown)
                .max()
                .filter(|&most| most > 0)?;
            self.definitions.iter().find(|d| shown(d) == best)
        };
        let matched = by_key.or_else(by_metadata);
        let certain = matched.is_some() || self.definitions.len() == 1;
        matched
            .or(self.definitions.first())
            .map(|definition| (&definition.location, certain))
    }
}

/// What loading fixed and evaluations share.
#[derive(Debug)]
struct Shared {
    files: Vec<EngineFile>,
    policies: Vec<RegoPolicy>,
    rules: Vec<Vec<VerdictRule>>,
    tests: Vec<RegoTest>,
    capture_prints: bool,
    metadata_values: Arc<Vec<regorus::Value>>,
    strict_builtin_errors: bool,
    timeout: Option<Duration>,
    /// Some rule may depend on itself: the group is never compiled (see `compile`).
    rules_may_recurse: bool,
    /// For each policy, the engine path of the rule holding all its verdict rules, when
    /// the engine has one (see `combined`).
    combined: Vec<Option<String>>,
    /// The short names the engine knows the packages by, if it does (see `rename`).
    renaming: Option<rename::Renaming>,
}

/// How compiled mode went for a set of Rego groups: shared with every clone of them, so
/// it can be read once their decisions are made.
#[derive(Debug, Default)]
pub struct CompiledMode {
    packages: usize,
    programs: Vec<Arc<Programs>>,
}

impl CompiledMode {
    pub fn of<'a>(groups: impl Iterator<Item = &'a RegoPolicies>) -> CompiledMode {
        let mut mode = CompiledMode::default();
        for group in groups {
            mode.packages += group.shared.policies.len();
            mode.programs.extend(group.programs.clone());
        }
        mode
    }

    /// Rego packages in the groups.
    pub fn packages(&self) -> usize {
        self.packages
    }

    /// Packages that compiled to a program the machine may run.
    pub fn compiled(&self) -> usize {
        self.programs
            .iter()
            .map(|programs| programs.compiled())
            .sum()
    }

    /// Packages whose program disagreed with the interpreter or failed, and went back to it.
    pub fn sent_back(&self) -> usize {
        self.programs
            .iter()
            .map(|programs| programs.compiled().saturating_sub(programs.active()))
            .sum()
    }
}

/// An input document in the engine's form. Cloning it is cheap: clones share the document.
#[derive(Clone, Debug)]
pub struct RegoInput {
    value: regorus::Value,
}

impl RegoInput {
    /// Converts a document; it cannot fail, but keeps the signature of a conversion that
    /// could.
    pub fn new(input: &serde_json::Value) -> Result<RegoInput, Error> {
        Ok(RegoInput {
            value: engine_value(input),
        })
    }

    /// Reads JSON text straight into the engine's form, as [`RegoInput::new`] converts
    /// it once parsed.
    pub fn parse(text: &str) -> serde_json::Result<RegoInput> {
        input_text::parse(text).map(|value| RegoInput { value })
    }

    /// The document in the engine's form.
    pub fn value(&self) -> &regorus::Value {
        &self.value
    }

    /// The top-level field `name`; `None` when missing or the document is no object.
    pub fn field(&self, name: &str) -> Option<&regorus::Value> {
        self.value
            .as_object()
            .ok()
            .and_then(|fields| fields.get(&regorus::Value::from(name)))
    }

    /// The same document with the top-level `field` set to `value`; only the top level
    /// is copied. A document that is not an object is left as it is.
    pub fn with_field(&self, field: &str, value: &serde_json::Value) -> Result<RegoInput, Error> {
        let mut document = self.value.clone();
        if let Ok(fields) = document.as_object_mut() {
            fields.insert(regorus::Value::from(field), RegoInput::new(value)?.value);
        }
        Ok(RegoInput { value: document })
    }
}

/// A JSON value in the engine's form, built directly rather than through `serde`, which
/// is slower: it gives the same value as the engine's own `Deserialize`.
fn engine_value(json: &serde_json::Value) -> regorus::Value {
    use serde_json::Value as Json;
    match json {
        Json::Null => regorus::Value::Null,
        Json::Bool(flag) => regorus::Value::Bool(*flag),
        Json::Number(number) => match (number.as_u64(), number.as_i64(), number.as_f64()) {
            (Some(unsigned), _, _) => regorus::Value::from(unsigned),
            (None, Some(signed), _) => regorus::Value::from(signed),
            (None, None, Some(float)) => regorus::Value::from(float),
            (None, None, None) => regorus::Value::Null,
        },
        Json::String(text) => regorus::Value::from(text.as_str()),
        Json::Array(items) => {
            regorus::Value::from(items.iter().map(engine_value).collect::<Vec<_>>())
        }
        Json::Object(fields) => regorus::Value::from(
            fields
                .iter()
                .map(|(key, value)| (regorus::Value::from(key.as_str()), engine_value(value)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
}

/// A loaded set of Rego policies, ready to evaluate inputs. Cloning is cheap: clones share
/// the compiled policies, each with its own evaluation state.
#[derive(Clone)]
pub struct RegoPolicies {
    engine: regorus::Engine,
    shared: Arc<Shared>,
    /// The input of the evaluations that follow, for the compiled programs.
    input: regorus::Value,
    /// The packages' compiled programs, once compiled mode is on.
    programs: Option<Arc<Programs>>,
    machines: Machines,
    prints: Vec<String>,
    /// Whether coverage is being gathered, and the definitions known to have fired.
    coverage: bool,
    fired: BTreeSet<Location>,
    /// The engine panicked during an evaluation: its state cannot be trusted any more.
    poisoned: bool,
}

impl std::fmt::Debug for RegoPolicies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegoPolicies")
            .field("policies", &self.shared.policies)
            .finish_non_exhaustive()
    }
}

impl RegoPolicies {
    /// Loads every module into one engine with the data documents under `data`. Every
    /// problem in every file is reported, each with its place, as an invalid-policy error.
    pub fn load(
        modules: Vec<RegoModule>,
        data: Vec<(Arc<str>, serde_json::Value)>,
        options: &RegoOptions,
    ) -> Result<RegoPolicies, Error> {
        let loaded = load::load(modules, data, options)?;
        let mut policies: Vec<RegoPolicy> = Vec::new();
        let mut rules: Vec<Vec<VerdictRule>> = Vec::new();
        for (file_index, file) in loaded.parsed.iter().enumerate() {
            let package = file.syntax.package.join(".");
            let index = match policies.iter().position(|p| p.package == package) {
                Some(index) => index,
                None => {
                    policies.push(RegoPolicy {
                        package: package.clone(),
                        location: file.source.location(file.syntax.package_span.start),
                        files: Vec::new(),
                    });
                    rules.push(Vec::new());
                    policies.len() - 1
                }
            };
            if let Some(policy) = policies.get_mut(index) {
                policy.files.push(file.source.name.clone());
            }
            if let Some(package_rules) = rules.get_mut(index) {
                collect_verdict_rules(&loaded, file_index, package_rules);
            }
        }
        let (policies, rules): (Vec<RegoPolicy>, Vec<Vec<VerdictRule>>) = policies
            .into_iter()
            .zip(rules)
            .filter(|(policy, package_rules)| !is_test_package(&loaded, policy, package_rules))
            .unzip();
        let tests = testing::find_tests(&loaded);
        let rules_may_recurse = recursion::rules_may_refer_in_cycle(&loaded.parsed);
        let combined = policies
            .iter()
            .map(|policy| {
                loaded
                    .combined
                    .iter()
                    .find(|(package, _)| *package == policy.package)
                    .map(|(_, path)| path.clone())
            })
            .collect();
        Ok(RegoPolicies {
            engine: loaded.engine,
            shared: Arc::new(Shared {
                tests,
                files: loaded.files,
                policies,
                rules,
                capture_prints: options.capture_prints,
                metadata_values: loaded.metadata_values,
                strict_builtin_errors: options.strict_builtin_errors,
                timeout: options.timeout,
                rules_may_recurse,
                combined,
                renaming: loaded.renaming,
            }),
            input: regorus::Value::Undefined,
            programs: None,
            machines: Machines::default(),
            prints: Vec::new(),
            coverage: false,
            fired: BTreeSet::new(),
            poisoned: false,
        })
    }

    /// Whether a package defines a verdict rule (`deny`, `pending`, ...), so that it can
    /// produce an outcome; a helper package cannot.
    pub fn decides(&self, policy: usize) -> bool {
        self.shared
            .rules
            .get(policy)
            .is_some_and(|rules| !rules.is_empty())
    }

    /// One policy per package, in order of first appearance.
    pub fn policies(&self) -> &[RegoPolicy] {
        &self.shared.policies
    }

    /// Sets the input document of the evaluations that follow.
    pub fn set_input(&mut self, input: &serde_json::Value) -> Result<(), Error> {
        self.set_engine_input(&RegoInput::new(input)?);
        Ok(())
    }

    /// Sets an input document already in the engine's form: engines that evaluate the
    /// same input share one conversion of it.
    pub fn set_engine_input(&mut self, input: &RegoInput) {
        self.engine.set_input(input.value.clone());
        self.input = input.value.clone();
    }

    /// Turns compiled mode on: each package whose program answers as the interpreter does
    /// is decided by the engine's register machine from now on (see `compiled`).
    /// Compiling takes about as long as loading, so it pays for many decisions, not one.
    /// A group where some rule may depend on itself stays with the interpreter, which
    /// reports the cycle where the compiled program would exhaust the stack.
    pub fn compile(&mut self) {
        if self.programs.is_some() || self.shared.rules_may_recurse {
            return;
        }
        let shared = &self.shared;
        let programs = Programs::compile(CompileRequest {
            engine: &self.engine,
            rule_paths: shared
                .rules
                .iter()
                .map(|rules| rules.iter().map(|rule| rule.path.as_str()).collect())
                .collect(),
            metadata: shared.metadata_values.clone(),
            strict_builtin_errors: shared.strict_builtin_errors,
            timeout: shared.timeout,
        });
        self.programs = Some(Arc::new(programs));
    }

    /// How many packages compiled mode decides now.
    pub fn compiled_packages(&self) -> usize {
        self.programs
            .as_ref()
            .map_or(0, |programs| programs.active())
    }

    /// How many compiled packages stop for verdict to answer the clock or METADATA.
    #[cfg(test)]
    pub fn suspending_packages(&self) -> usize {
        self.programs
            .as_ref()
            .map_or(0, |programs| programs.suspending())
    }

    /// Evaluates one policy's `deny`, `violation`, `pending`, `warn` and `allow` rules
    /// against the current input, with `time.now_ns()` answering `now`.
    pub fn evaluate(&mut self, policy: usize, now: DateTime<Utc>) -> Result<Vec<Outcome>, Error> {
        if self.poisoned {
            return Err(Error::evaluation(Diagnostic::error(
                "the policy engine stopped on an internal error earlier in this run; it decides nothing more",
            )));
        }
        let shared = Arc::clone(&self.shared);
        let (Some(package), Some(rules)) = (shared.policies.get(policy), shared.rules.get(policy))
        else {
            return Err(Error::evaluation(Diagnostic::error(format!(
                "there is no Rego policy number {policy}"
            ))));
        };
        if now.timestamp_nanos_opt().is_none() {
            // `time.now_ns()` could not answer it: the clock it would fall back on is not
            // the time the decision reports.
            return Err(Error::evaluation(
                Diagnostic::error(format!(
                    "Rego policy `{}` cannot be decided at {}: Rego counts time in nanoseconds since 1970, which holds only 1677-09-21 to 2262-04-11",
                    package.package,
                    format_time(&now)
                ))
                .with_help("give a time in that range with `--now` or the input's `now`"),
            ));
        }
        let values = match self.compiled_values(policy, now) {
            Some(values) => values,
            None => {
                let values = engine::at_time(now, || self.interpreted_values(policy));
                self.flush_prints();
                values?
            }
        };
        let mut outcomes = Vec::new();
        let mut fired = BTreeSet::new();
        for (rule, value) in rules.iter().zip(values) {
            let value = json_value(value, &package.package, rule.name)?;
            outcomes.extend(outcomes_of(
                &package.package,
                rule,
                value.as_ref(),
                &mut fired,
            )?);
        }
        if self.coverage {
            self.fired.extend(fired);
        }
        Ok(outcomes)
    }

    /// The values of one policy's verdict rules, by the interpreter, in rule order: from
    /// the rule that holds them all where there is one (not while gathering coverage, so
    /// that the engine's report covers the policies' own files alone), else rule by rule.
    fn interpreted_values(&mut self, policy: usize) -> Result<Vec<regorus::Value>, Error> {
        let shared = Arc::clone(&self.shared);
        let (Some(package), Some(rules)) = (shared.policies.get(policy), shared.rules.get(policy))
        else {
            return Ok(Vec::new());
        };
        if let Some(Some(path)) = shared.combined.get(policy).filter(|_| !self.coverage)
            && let Some(values) = self.combined_values(path, &package.package, rules)?
        {
            return Ok(values);
        }
        rules
            .iter()
            .map(|rule| self.value_of(&rule.path, &package.package, rule.name))
            .collect()
    }

    /// The values of a package's verdict rules from the rule holding them all; `None` when
    /// its evaluation fails, so that the rules are evaluated one by one and the failing one
    /// is named. What the failed evaluation printed is dropped: it is printed again.
    fn combined_values(
        &mut self,
        path: &str,
        package: &str,
        rules: &[VerdictRule],
    ) -> Result<Option<Vec<regorus::Value>>, Error> {
        let engine = &mut self.engine;
        let value = match engine::guarded(|| engine.eval_rule(path.to_string())) {
            Ok(value) => value,
            Err(error) if engine::is_panic(&error) => {
                self.poisoned = true;
                let context = format!("the verdict rules of policy `{package}`");
                return Err(self.error_in(&error, context));
            }
            Err(_) => {
                let _ = self.engine.take_prints();
                return Ok(None);
            }
        };
        let Ok(fields) = value.as_object() else {
            return Ok(None);
        };
        Ok(rules
            .iter()
            .map(|rule| {
                let listed = fields.get(&regorus::Value::from(rule.name))?;
                let values = listed.as_array().ok()?;
                Some(values.first().cloned().unwrap_or(regorus::Value::Undefined))
            })
            .collect())
    }

    /// The values of one policy's verdict rules from its compiled program, when compiled
    /// mode decides it; a decision to be checked is decided by the interpreter as well,
    /// and on any difference the interpreter's values are kept and the program retired.
    fn compiled_values(
        &mut self,
        policy: usize,
        now: DateTime<Utc>,
    ) -> Option<Vec<regorus::Value>> {
        // Borrowed, not cloned: `--batch` workers share the programs, and a clone per
        // decision would have them all write to its count.
        let programs = self.programs.as_deref().filter(|_| !self.coverage)?;
        let check = self.machines.plan(programs, policy)?;
        let nanos = now.timestamp_nanos_opt()?;
        let compiled = self.machines.evaluate(programs, policy, &self.input, nanos);
        if check == Check::Trusted
            && let Some(values) = compiled
        {
            return Some(values);
        }
        let interpreted = engine::at_time(now, || self.interpreted_values(policy));
        self.flush_prints();
        let interpreted = interpreted.ok();
        if (compiled.is_none() || compiled != interpreted)
            && let Some(programs) = &self.programs
        {
            programs.retire(policy);
        }
        interpreted
    }
    /// The `print()` output gathered since the last call, each line `file:line: text`.
    pub fn take_prints(&mut self) -> Vec<String> {
        self.flush_prints();
        std::mem::take(&mut self.prints)
    }

    /// Moves the engine's gathered prints to stderr, or keeps them when capturing.
    fn flush_prints(&mut self) {
        let printed = self.engine.take_prints().unwrap_or_default();
        if self.shared.capture_prints {
            self.prints.extend(printed);
        } else {
            for line in printed {
                eprintln!("{line}");
            }
        }
    }

    /// Evaluates one rule path; `Undefined` when it is undefined.
    fn value_of(&mut self, path: &str, package: &str, rule: &str) -> Result<regorus::Value, Error> {
        let engine = &mut self.engine;
        engine::guarded(|| engine.eval_rule(path.to_string())).map_err(|error| {
            self.poisoned |= engine::is_panic(&error);
            self.evaluation_error(&error, package, rule)
        })
    }

    fn evaluation_error(&self, error: &anyhow::Error, package: &str, rule: &str) -> Error {
        self.error_in(error, format!("rule `{rule}` of policy `{package}`"))
    }

    /// An engine error as an evaluation error of `context`: `rule `deny` of policy `a.b``.
    fn error_in(&self, error: &anyhow::Error, context: String) -> Error {
        let mut diagnostic = diagnose::diagnostic(&self.shared.files, error, &context);
        if let Some(renaming) = &self.shared.renaming {
            diagnostic.message = renaming.restore(&diagnostic.message);
        }
        if engine::is_timeout(error) {
            diagnostic.message = format!("{context}: evaluation took longer than the time limit");
            diagnostic.help = Some(
                "simplify the policy, or raise the limit with `--eval-timeout` if it is expected"
                    .to_string(),
            );
        }
        Error::evaluation(diagnostic)
    }
}

/// A rule's value as JSON; `None` when it is undefined.
fn json_value(
    value: regorus::Value,
    package: &str,
    rule: &str,
) -> Result<Option<serde_json::Value>, Error> {
    if value == regorus::Value::Undefined {
        return Ok(None);
    }
    serde_json::to_value(&value).map(Some).map_err(|error| {
        Error::evaluation(Diagnostic::error(format!(
            "rule `{rule}` of policy `{package}` has a value that is not JSON: {error}"
        )))
    })
}

/// The outcomes of one verdict rule's value.
fn outcomes_of(
    package: &str,
    rule: &VerdictRule,
    value: Option<&serde_json::Value>,
    fired: &mut BTreeSet<Location>,
) -> Result<Vec<Outcome>, Error> {
    let produced = extract::produced(value).map_err(|shape| {
        let mut diagnostic = Diagnostic::error(format!(
            "rule `{}` of policy `{package}` {shape}",
            rule.name
        ));
        if let Some(first) = rule.definitions.first() {
            diagnostic = diagnostic.at(&first.file, first.span);
        }
        if let Some(help) = shape.help() {
            diagnostic = diagnostic.with_help(help);
        }
        Error::evaluation(diagnostic)
    })?;
    Ok(produced
        .into_iter()
        .filter_map(|produced| {
            let message = if produced.from_true {
                rule.true_message.clone()
            } else {
                produced.message
            };
            let (source, certain) = rule.source_of(&message)?;
            if certain {
                fired.insert(source.clone());
            }
            let source = source.clone();
            Some(Outcome {
                verdict: rule.verdict,
                message,
                policy: package.into(),
                rule: rule.name.into(),
                source,
                details: produced.details,
            })
        })
        .collect())
}

/// The verdict rule a rule of a file defines, if any: a rule (not a function) named as
/// one of [`VERDICT_RULES`].
fn verdict_rule(rule: &RuleSyntax) -> Option<(&'static str, Verdict)> {
    let [name] = rule.path.as_slice() else {
        return None;
    };
    let &(known, verdict) = VERDICT_RULES.iter().find(|(known, _)| known == name)?;
    (rule.kind != RuleKind::Function).then_some((known, verdict))
}

/// Adds the verdict rules a file defines to its package's list.
fn collect_verdict_rules(loaded: &load::Loaded, file_index: usize, rules: &mut Vec<VerdictRule>) {
    let Some(file) = loaded.parsed.get(file_index) else {
        return;
    };
    let package = &file.syntax.package;
    let engine_package = loaded.engine_package(package);
    for (rule_index, rule) in file.syntax.rules.iter().enumerate() {
        let Some((name, verdict)) = verdict_rule(rule) else {
            continue;
        };
        let line = |offset: usize| file.source.line_column(offset).0;
        let body_lines: Vec<u32> = rule
            .bodies
            .iter()
            .flat_map(|body| body.statements.iter().map(|&at| line(at)))
            .collect();
        let definition = Definition {
            location: file.source.location(rule.span.start),
            file: file.source.clone(),
            span: rule.name_span,
            head_line: rule
                .head_expression
                .map(line)
                .filter(|head| !body_lines.contains(head)),
            body_lines,
            literal_key: rule.literal_key.clone(),
            metadata_texts: loaded
                .catalog
                .texts(file_index, rule_index)
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        let summary = loaded.catalog.summary(file_index, rule_index);
        match rules.iter_mut().find(|known| known.name == name) {
            Some(known) => {
                known.definitions.push(definition);
                if known.true_message.is_empty() {
                    known.true_message = summary.unwrap_or_default();
                }
            }
            None => rules.push(VerdictRule {
                name,
                verdict,
                path: rule_path(engine_package, name),
                definitions: vec![definition],
                true_message: summary.unwrap_or_default(),
            }),
        }
    }
    for rule in rules.iter_mut().filter(|rule| rule.true_message.is_empty()) {
        rule.true_message = format!("{}.{}", package.join("."), rule.name);
    }
    rules.sort_by_key(|rule| {
        VERDICT_RULES
            .iter()
            .position(|(name, _)| *name == rule.name)
    });
}

/// A package of tests only: named `*_test`, or with `test_` rules and no verdict rule.
fn is_test_package(loaded: &load::Loaded, policy: &RegoPolicy, rules: &[VerdictRule]) -> bool {
    let has_tests = loaded.parsed.iter().any(|file| {
        file.syntax.package.join(".") == policy.package
            && file.syntax.rules.iter().any(|rule| {
                rule.path
                    .first()
                    .is_some_and(|name| name.starts_with("test_"))
            })
    });
    policy.package.ends_with("_test") || (has_tests && rules.is_empty())
}

/// The engine path of a rule: `data.a.b.deny`, with brackets for components that are not
/// plain names.
fn rule_path(package: &[String], name: &str) -> String {
    let mut path = String::from("data");
    for component in package.iter().map(String::as_str).chain([name]) {
        if combined::is_plain_name(component) {
            path.push('.');
            path.push_str(component);
        } else {
            path.push_str(&format!("[{}]", serde_json::Value::from(component)));
        }
    }
    path
}
