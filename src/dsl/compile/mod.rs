//! Compiling a `policy` block into a [`CompiledPolicy`]: names resolved to slots,
//! builtins to an enum, literal patterns and time zones compiled, constants folded. A
//! policy is compiled once and evaluated many times.

mod calls;
mod explainers;
mod expr;
mod fold;
mod lower;
mod paths;
mod reads;
pub mod suggest;

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};

pub(crate) use lower::lower_policy;

use crate::decision::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Arena;
use crate::dsl::ast;
use crate::dsl::eval::explain::PolicyExplanation;
use crate::dsl::eval::program::{Explainers, Program};
use crate::dsl::eval::shared::{Evaluable, SharedWalks};
use crate::dsl::eval::value::{Document, Json};
use crate::dsl::eval::{self, Limits};
use crate::dsl::parse::{TestBlocks, parse_with};
use crate::error::Error;
use crate::projection::Projection;
use crate::source::{Location, SourceFile};

/// A policy ready to evaluate. Cheap to clone and safe to share between threads.
///
/// A policy loaded from a file for decisions ([`CompiledPolicy::compile_checked`] with
/// [`Explainers::Skip`]) is compiled to be evaluated: the explainers `--explain` needs are
/// built the first time it is explained, from its file parsed again, so that deciding
/// never pays for them.
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    program: Arc<Program>,
    location: Location,
    limits: Limits,
    /// Where the `policy` block starts in its file, to find it again.
    block_start: usize,
    /// The same policy with its explainers, once it has been explained.
    explaining: Arc<OnceLock<Arc<Program>>>,
}

impl Evaluable for CompiledPolicy {
    fn program(&self) -> &Program {
        &self.program
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }
}

impl CompiledPolicy {
    /// Compiles a policy with the default [`Limits`]; the errors are those of
    /// [`crate::dsl::check::check`] for this block (warnings are not errors).
    pub fn compile(
        block: &ast::PolicyBlock,
        source: &Arc<SourceFile>,
    ) -> Result<CompiledPolicy, Vec<Diagnostic>> {
        CompiledPolicy::compile_with_limits(block, source, &Limits::default())
    }

    pub fn compile_with_limits(
        block: &ast::PolicyBlock,
        source: &Arc<SourceFile>,
        limits: &Limits,
    ) -> Result<CompiledPolicy, Vec<Diagnostic>> {
        let (policy, diagnostics) =
            CompiledPolicy::compile_checked(block, source, limits, Explainers::Build);
        if let Some(policy) = policy {
            return Ok(policy);
        }
        let mut errors: Vec<Diagnostic> = diagnostics
            .into_iter()
            .filter(|diagnostic| diagnostic.severity == Severity::Error)
            .collect();
        errors.sort_by_key(|error| error.span.map_or(0, |span| span.start));
        Err(errors)
    }

    /// Compiles a policy and gives every problem found on the way, warnings included, in
    /// the order they were found; the policy only when none of them is an error. With
    /// [`Explainers::Skip`], `block` must be what parsing `source` gives (as it is when
    /// loading files): explaining the policy parses the file again to find it.
    pub fn compile_checked(
        block: &ast::PolicyBlock,
        source: &Arc<SourceFile>,
        limits: &Limits,
        explainers: Explainers,
    ) -> (Option<CompiledPolicy>, Vec<Diagnostic>) {
        let (program, diagnostics) = lower_policy(block, source, limits, explainers);
        let failed = has_error(&diagnostics);
        let policy = (!failed).then(|| CompiledPolicy {
            program: Arc::new(program),
            location: source.location(block.span.start),
            limits: limits.clone(),
            block_start: block.span.start,
            explaining: Arc::default(),
        });
        (policy, diagnostics)
    }

    /// The same policy evaluated under other limits (the nesting depth was checked when
    /// it was compiled and stays as it was).
    pub fn with_limits(mut self, limits: Limits) -> CompiledPolicy {
        self.limits = limits;
        self
    }

    /// The policy's name, which its outcomes share.
    pub fn name(&self) -> &Arc<str> {
        &self.program.name
    }

    /// Where the `policy` keyword is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Evaluates the policy over an input document at the time `now`: the outcomes of its
    /// rules in order, none when a `when` guard does not hold. The only errors are
    /// resource limits, which fail closed.
    pub fn evaluate(&self, input: &Json, now: DateTime<Utc>) -> Result<Vec<Outcome>, Error> {
        let arena = Arena::new();
        self.evaluate_document(&Document::from_json(input, &arena), now)
    }

    /// [`CompiledPolicy::evaluate`] over the document in the form the evaluator reads,
    /// parsed straight from JSON text or borrowed from a `serde_json` value.
    pub fn evaluate_document(
        &self,
        input: &Document<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Outcome>, Error> {
        eval::run(&self.program, input, now, &self.limits)
    }

    /// Finds the lists of the input that `for` rules of more than one of `policies` go
    /// over, for [`CompiledPolicy::evaluate_all`] to walk once.
    pub fn share_walks(policies: &[CompiledPolicy]) -> SharedWalks {
        SharedWalks::plan(policies)
    }

    /// Evaluates each of `policies` over one input, giving what each one's
    /// [`CompiledPolicy::evaluate_document`] gives, in order; the lists of `walks` (from
    /// [`CompiledPolicy::share_walks`] over the same policies) are walked once for all.
    pub fn evaluate_all(
        policies: &[CompiledPolicy],
        walks: &SharedWalks,
        input: &Document<'_>,
        now: DateTime<Utc>,
    ) -> Vec<Result<Vec<Outcome>, Error>> {
        eval::shared::run_all(policies, walks, input, now)
    }

    /// The parts of the input document [`CompiledPolicy::evaluate`] reads: evaluating over
    /// a document parsed with this projection gives the same outcomes as over the whole.
    pub fn input_reads(&self) -> Projection {
        reads::input_reads(&self.program)
    }

    /// Evaluates the policy as [`CompiledPolicy::evaluate`] does, and says why: every
    /// guard and rule, whether it held or fired, and the values that decided it. Slower
    /// than `evaluate`; meant for `--explain`. Render it with
    /// [`crate::dsl::eval::explain::render`] or serialise it.
    pub fn explain(&self, input: &Json, now: DateTime<Utc>) -> Result<PolicyExplanation, Error> {
        let program = self.explaining_program()?;
        eval::explain::explain(&program, &self.location, input, now, &self.limits)
    }

    /// The policy compiled with its explainers: built on first use, then kept.
    fn explaining_program(&self) -> Result<Arc<Program>, Error> {
        if self.program.explainers == Explainers::Build {
            return Ok(self.program.clone());
        }
        if let Some(program) = self.explaining.get() {
            return Ok(program.clone());
        }
        // The file parsed and compiled once already; should it not now, the explanation
        // fails rather than explaining something else.
        let program = self.compile_explaining().ok_or_else(|| {
            Error::evaluation(Diagnostic::error(format!(
                "policy `{}` at {} could not be compiled again to be explained",
                self.name(),
                self.location
            )))
        })?;
        Ok(self.explaining.get_or_init(|| Arc::new(program)).clone())
    }

    fn compile_explaining(&self) -> Option<Program> {
        let source = self.program.source.as_ref()?;
        let file = parse_with(source, TestBlocks::Skip).ok()?;
        let block = file.items.iter().find_map(|item| match item {
            ast::Item::Policy(block) if block.span.start == self.block_start => Some(block),
            _ => None,
        })?;
        let (program, diagnostics) = lower_policy(block, source, &self.limits, Explainers::Build);
        let failed = has_error(&diagnostics);
        (!failed && program.name == self.program.name).then_some(program)
    }
}

/// Whether any of `diagnostics` is an error rather than a warning.
fn has_error(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|diagnostic| diagnostic.severity == Severity::Error)
}

#[cfg(test)]
mod tests;
