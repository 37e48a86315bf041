//! Approval rulesets in the manner of Pulumi ESC (SPEC 5): change requests that need
//! approvals from eligible reviewers, just-in-time access through time-bound grants, and
//! approvals of env0 deployments, decided against the request in an input document.
//!
//! [`lower`] turns a parsed `ruleset` block into a [`Ruleset`]; [`Rulesets::evaluate`]
//! decides a request against all of them, one [`PolicyResult`] per applying ruleset.

mod applies;
mod approvals;
mod evaluate;
mod explain;
mod grants;
mod imports;
mod lower;
mod messages;
mod model;
mod person;
mod request;
pub mod request_builder;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use applies::Applicability;
pub use explain::{
    ApprovalsExplanation, Explanation, GrantExplanation, GrantsExplanation, ReviewExplanation,
    RulesetExplanation,
};
pub use lower::lower;
pub use model::{Approver, BadGlob, DurationLimit, EnvironmentGlobs, Ruleset, RulesetAction};
pub use request_builder::{JsonSource, RequestKind, RequestOptions, build_request};

use evaluate::{Context, RulesetRun};
use person::comparison_key;
use request::{Request, RequestAction};

use crate::decision::{GrantActivation, Outcome, PolicyResult};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::verdict::Verdict;

/// Every ruleset loaded, in load order. Cheap to clone and shareable across threads.
#[derive(Clone, Debug, Default)]
pub struct Rulesets {
    rulesets: Arc<[Ruleset]>,
}

/// What the rulesets decided about one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RulesetDecision {
    /// One result per applying ruleset (its policy is the ruleset's name), in load order;
    /// or, for an ESC request no ruleset applies to, a single allow saying so. Empty when
    /// no ruleset is loaded or the input carries no request.
    pub results: Vec<PolicyResult>,
    /// The grants an allowed `open` activates (their `firstOpenedAt` was null), the
    /// requested environment's first. Empty unless the rulesets' verdict is allow or warn;
    /// the caller records them only if the whole decision lets the open through.
    pub grant_activations: Vec<GrantActivation>,
}

/// The policy name of the outcome given when no ruleset applies.
pub const UNGATED_POLICY: &str = "rulesets";

impl Rulesets {
    pub fn new(rulesets: Vec<Ruleset>) -> Rulesets {
        Rulesets {
            rulesets: rulesets.into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rulesets.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Ruleset> {
        self.rulesets.iter()
    }

    /// Decides the request in `input` (either dialect) at `now`. A document whose request
    /// cannot be read for certain is an [`crate::ErrorClass::Invalid`] error, never an
    /// allow.
    pub fn evaluate(&self, input: &Value, now: DateTime<Utc>) -> Result<RulesetDecision, Error> {
        let Some(request) = self.request(input)? else {
            return Ok(RulesetDecision::default());
        };
        let context = Context::new(&self.rulesets, &request, now);
        let mut runs: Vec<_> = self
            .rulesets
            .iter()
            .filter(|ruleset| {
                Applicability::applies(ruleset, &request.action, request.environment.as_ref())
            })
            .map(|ruleset| evaluate::evaluate(ruleset, &context))
            .collect();
        let requested_is_gated = !runs.is_empty();
        if !requested_is_gated {
            let first_gate = context.imports.gated.first().map(|&(_, gate)| gate);
            if let Some(ruleset) = first_gate.and_then(|gate| self.rulesets.get(gate)) {
                runs.push(evaluate::evaluate_imports(ruleset, &context));
            }
        }
        Ok(self.decide(&request, runs, requested_is_gated))
    }

    /// Explains how [`Rulesets::evaluate`] decides the same request, ruleset by ruleset.
    pub fn explain(&self, input: &Value, now: DateTime<Utc>) -> Result<Explanation, Error> {
        let Some(request) = self.request(input)? else {
            return Ok(Explanation::default());
        };
        let context = Context::new(&self.rulesets, &request, now);
        let mut explanation = Explanation::of_request(&request);
        explanation.gated_imports = context
            .imports
            .gated
            .iter()
            .map(|(environment, _)| environment.shown.clone())
            .collect();
        explanation.import_cycles = context
            .imports
            .cycles
            .iter()
            .map(|cycle| imports::cycle_text(cycle))
            .collect();
        explanation.rulesets = self
            .rulesets
            .iter()
            .map(|ruleset| {
                let applicability =
                    Applicability::of(ruleset, &request.action, request.environment.as_ref());
                if applicability == Applicability::Applies {
                    RulesetExplanation::of_run(evaluate::evaluate(ruleset, &context), &request)
                } else {
                    RulesetExplanation::skipped(ruleset, applicability, &request)
                }
            })
            .collect();
        Ok(explanation)
    }

    /// The request to decide; `None` when there is nothing to gate.
    fn request(&self, input: &Value) -> Result<Option<Request>, Error> {
        if self.is_empty() {
            return Ok(None);
        }
        let request = Request::read(input)?;
        if let Some(request) = &request {
            self.require_deployment_type(request)?;
        }
        Ok(request)
    }

    /// An env0 document without `deploymentRequest.type` cannot be told apart from a gated
    /// deployment, so it is an error when some ruleset gates deployments of any
    /// environment; otherwise no ruleset could apply and it passes through.
    fn require_deployment_type(&self, request: &Request) -> Result<(), Error> {
        let RequestAction::Deployment { written: None, .. } = request.action else {
            return Ok(());
        };
        let gate = self.rulesets.iter().find(|ruleset| {
            ruleset.enabled
                && ruleset.environments.is_none()
                && ruleset.actions.iter().any(|action| action.is_deployment())
        });
        match gate {
            None => Ok(()),
            Some(ruleset) => Err(Error::invalid(
                Diagnostic::error("`deploymentRequest.type` is missing or not a string")
                    .with_help(format!(
                        "ruleset `{}` ({}) gates deployments; set the type to deploy, destroy, deployResume or destroyResume",
                        ruleset.name, ruleset.location
                    )),
            )),
        }
    }

    /// Combines the runs; when no ruleset gates the requested environment itself, the
    /// decision also says so.
    fn decide(
        &self,
        request: &Request,
        runs: Vec<RulesetRun<'_>>,
        requested_is_gated: bool,
    ) -> RulesetDecision {
        let ungated = match requested_is_gated {
            true => None,
            false => self.ungated(request),
        };
        if runs.is_empty() {
            return RulesetDecision {
                results: ungated.into_iter().collect(),
                grant_activations: Vec::new(),
            };
        }
        let verdict = Verdict::strictest(
            runs.iter()
                .flat_map(|run| run.outcomes.iter().map(|outcome| outcome.verdict)),
        );
        let passes = verdict.is_some_and(|verdict| verdict <= Verdict::Warn);
        let mut grant_activations: Vec<GrantActivation> = Vec::new();
        let mut results = Vec::with_capacity(runs.len());
        for run in runs {
            if passes {
                for activation in run.activations {
                    if !grant_activations
                        .iter()
                        .any(|known| same_grant(known, &activation))
                    {
                        grant_activations.push(activation);
                    }
                }
            }
            results.push(PolicyResult {
                policy: run.ruleset.name.as_str().into(),
                source: run.ruleset.location.clone(),
                outcomes: run.outcomes,
            });
        }
        results.extend(ungated);
        RulesetDecision {
            results,
            grant_activations,
        }
    }

    /// "no ruleset gates <action> on <environment>", for an ESC request; env0 deployments
    /// no ruleset applies to get no outcome.
    fn ungated(&self, request: &Request) -> Option<PolicyResult> {
        let environment = request.environment.as_ref()?;
        let source = self.rulesets.first()?.location.clone();
        let outcome = Outcome {
            verdict: Verdict::Allow,
            message: format!(
                "no ruleset gates {} on {}",
                request.action.name(),
                environment.shown
            ),
            policy: UNGATED_POLICY.into(),
            rule: "ungated".into(),
            source: source.clone(),
            details: None,
        };
        Some(PolicyResult {
            policy: UNGATED_POLICY.into(),
            source,
            outcomes: vec![outcome],
        })
    }
}

fn same_grant(one: &GrantActivation, other: &GrantActivation) -> bool {
    comparison_key(&one.environment) == comparison_key(&other.environment)
        && comparison_key(&one.identity) == comparison_key(&other.identity)
}
