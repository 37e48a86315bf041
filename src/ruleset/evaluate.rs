//! One applying ruleset against one request: the checks of SPEC 5.1, by action.

use chrono::{DateTime, TimeDelta, Utc};

use super::applies::Applicability;
use super::approvals::{ReviewStatus, Tally};
use super::grants::EnvironmentGrants;
use super::imports::ImportWalk;
use super::messages;
use super::model::{DurationLimit, Ruleset};
use super::person::Name;
use super::request::{Field, Request, RequestAction};
use crate::decision::{GrantActivation, Outcome};
use crate::source::Location;
use crate::verdict::Verdict;

/// What every ruleset's evaluation shares: the request, the time, and for `open` and
/// `open-request` the imports of the requested environment, walked once.
pub(crate) struct Context<'a> {
    pub rulesets: &'a [Ruleset],
    pub request: &'a Request,
    pub now: DateTime<Utc>,
    pub imports: GatedImports,
}

/// The transitive imports of the requested environment that an open ruleset gates.
#[derive(Default)]
pub(crate) struct GatedImports {
    /// Each gated import with the first ruleset that gates it.
    pub gated: Vec<(Name, usize)>,
    pub cycles: Vec<Vec<Name>>,
}

impl<'a> Context<'a> {
    pub fn new(rulesets: &'a [Ruleset], request: &'a Request, now: DateTime<Utc>) -> Context<'a> {
        let opens = matches!(
            request.action,
            RequestAction::Open | RequestAction::OpenRequest
        );
        let imports = match &request.environment {
            Some(environment) if opens => {
                gated_imports(rulesets, request.imports.walk(environment))
            }
            _ => GatedImports::default(),
        };
        Context {
            rulesets,
            request,
            now,
            imports,
        }
    }

    fn environment(&self) -> &str {
        self.request
            .environment
            .as_ref()
            .map_or("", |environment| environment.shown.as_str())
    }
}

fn gated_imports(rulesets: &[Ruleset], walk: ImportWalk) -> GatedImports {
    let gated = walk
        .reached
        .into_iter()
        .filter_map(|environment| {
            let gate = rulesets.iter().position(|ruleset| {
                Applicability::applies(ruleset, &RequestAction::Open, Some(&environment))
            })?;
            Some((environment, gate))
        })
        .collect();
    GatedImports {
        gated,
        cycles: walk.cycles,
    }
}

/// What one ruleset made of the request: its outcomes, and the facts behind them.
pub(crate) struct RulesetRun<'a> {
    pub ruleset: &'a Ruleset,
    pub outcomes: Vec<Outcome>,
    pub tally: Option<Tally>,
    pub grants: Vec<EnvironmentGrants>,
    pub activations: Vec<GrantActivation>,
}

impl<'a> RulesetRun<'a> {
    fn new(ruleset: &'a Ruleset) -> RulesetRun<'a> {
        RulesetRun {
            ruleset,
            outcomes: Vec::new(),
            tally: None,
            grants: Vec::new(),
            activations: Vec::new(),
        }
    }

    fn add(&mut self, verdict: Verdict, rule: &str, message: String) {
        let location = self.ruleset.location.clone();
        self.add_at(verdict, rule, message, location);
    }

    fn add_at(&mut self, verdict: Verdict, rule: &str, message: String, source: Location) {
        self.outcomes.push(Outcome {
            verdict,
            message,
            policy: self.ruleset.name.as_str().into(),
            rule: rule.into(),
            source,
            details: None,
        });
    }
}

/// Evaluates a ruleset that applies to the request.
pub(crate) fn evaluate<'a>(ruleset: &'a Ruleset, context: &Context<'_>) -> RulesetRun<'a> {
    let mut run = RulesetRun::new(ruleset);
    match context.request.action {
        RequestAction::Open => {
            check_grants(&mut run, context, true);
            report_cycles(&mut run, context);
        }
        RequestAction::OpenRequest => {
            check_approvals(&mut run, context.request);
            check_duration_limits(&mut run, context.request);
            warn_gated_imports(&mut run, context);
            report_cycles(&mut run, context);
        }
        RequestAction::Update | RequestAction::Deployment { .. } => {
            check_approvals(&mut run, context.request);
        }
        RequestAction::Write => run.add(
            Verdict::Deny,
            "write",
            format!(
                "direct writes to {} are blocked by ruleset {}; submit a change request (update) instead",
                context.environment(),
                ruleset.name
            ),
        ),
    }
    run
}

/// An environment no ruleset gates can still import ones that are gated, and opening it
/// reveals theirs: the ruleset gating the first gated import then checks every gated
/// import's grant (`open`), or warns that each needs its own grant (`open-request`).
pub(crate) fn evaluate_imports<'a>(ruleset: &'a Ruleset, context: &Context<'_>) -> RulesetRun<'a> {
    let mut run = RulesetRun::new(ruleset);
    match context.request.action {
        RequestAction::Open => {
            check_grants(&mut run, context, false);
            report_cycles(&mut run, context);
        }
        RequestAction::OpenRequest => {
            warn_gated_imports(&mut run, context);
            report_cycles(&mut run, context);
        }
        RequestAction::Update | RequestAction::Deployment { .. } | RequestAction::Write => {}
    }
    run
}

/// A reject on the current revision denies; else enough approvals allow; else pending.
fn check_approvals(run: &mut RulesetRun<'_>, request: &Request) {
    let tally = Tally::of(run.ruleset, request);
    let rejections: Vec<_> = tally
        .reviews(request)
        .filter(|(_, status)| **status == ReviewStatus::Rejection)
        .map(|(review, _)| messages::rejection(review))
        .collect();
    if !rejections.is_empty() {
        for message in rejections {
            run.add(Verdict::Deny, "rejection", message);
        }
    } else if tally.counted >= run.ruleset.required as usize {
        run.add(
            Verdict::Allow,
            "approvals",
            messages::approved(run.ruleset, &tally, request),
        );
    } else {
        run.add(
            Verdict::Pending,
            "approvals",
            messages::awaiting_approvals(run.ruleset, &tally, request),
        );
    }
    run.tally = Some(tally);
}

fn check_duration_limits(run: &mut RulesetRun<'_>, request: &Request) {
    let ruleset = run.ruleset;
    let limits = [
        (
            &ruleset.max_access_duration,
            &request.access_duration,
            "access-duration",
            "accessDuration",
        ),
        (
            &ruleset.max_grant_expiration,
            &request.grant_expiration,
            "grant-expiration",
            "grantExpiration",
        ),
    ];
    for (limit, requested, rule, field) in limits {
        let Some(limit) = limit else {
            continue;
        };
        if let Some(message) = beyond_limit(limit, requested, field) {
            run.add_at(Verdict::Deny, rule, message, limit.location.clone());
        }
    }
}

/// Why a requested duration breaks a limit; a missing or malformed one cannot be shown to
/// keep it.
fn beyond_limit(
    limit: &DurationLimit,
    requested: &Field<TimeDelta>,
    field: &str,
) -> Option<String> {
    let limit_text = crate::duration::format(limit.limit);
    match requested {
        Field::Present(value) if *value <= limit.limit => None,
        Field::Present(value) => Some(format!(
            "requested {field} {} exceeds the limit of {limit_text}",
            crate::duration::format(*value)
        )),
        Field::Absent => Some(format!(
            "the request gives no {field}; this ruleset allows at most {limit_text}"
        )),
        Field::Malformed(text) => Some(format!(
            "requested {field} `{text}` is not a duration; the limit is {limit_text}"
        )),
    }
}

fn warn_gated_imports(run: &mut RulesetRun<'_>, context: &Context<'_>) {
    for (environment, gate) in &context.imports.gated {
        let gate_name = context
            .rulesets
            .get(*gate)
            .map_or("", |ruleset| ruleset.name.as_str());
        run.add(
            Verdict::Warn,
            "imports",
            format!(
                "{} imports {}, which ruleset {gate_name} gates: it needs its own approved grant",
                context.environment(),
                environment.shown
            ),
        );
    }
}

fn report_cycles(run: &mut RulesetRun<'_>, context: &Context<'_>) {
    for cycle in &context.imports.cycles {
        run.add(
            Verdict::Warn,
            "imports",
            format!(
                "the imports of {} form a cycle: {}",
                context.environment(),
                super::imports::cycle_text(cycle)
            ),
        );
    }
}

/// `open`: the requester must hold an active grant for the environment and every gated
/// import, and be neither an ephemeral token nor without the `open` permission.
fn check_grants(run: &mut RulesetRun<'_>, context: &Context<'_>, requested_is_gated: bool) {
    let requester = &context.request.requester;
    let environment = context.environment();
    let mut refused = false;
    if requester.ephemeral {
        refused = true;
        run.add(
            Verdict::Deny,
            "ephemeral",
            format!(
                "{} is an ephemeral token, which cannot hold a grant; use a dedicated identity to open {environment}",
                requester.shown()
            ),
        );
    }
    if requester.permissions.is_some() && !requester.holds_permission("open") {
        refused = true;
        run.add(
            Verdict::Deny,
            "permission",
            format!(
                "{} lacks the open permission needed to open {environment}",
                requester.shown()
            ),
        );
    }
    let (Some(identity), Some(requested)) = (&requester.identity, &context.request.environment)
    else {
        run.add(
            Verdict::Deny,
            "grant",
            format!("the request names no requester, so no grant can let it open {environment}"),
        );
        return;
    };
    let needed = std::iter::once(requested)
        .filter(|_| requested_is_gated)
        .chain(context.imports.gated.iter().map(|(env, _)| env));
    run.grants = needed
        .map(|environment| {
            EnvironmentGrants::check(environment, identity, &context.request.grants, context.now)
        })
        .collect();
    if run.grants.iter().any(|grants| grants.chosen.is_none()) {
        let message = messages::missing_grants(&identity.shown, &run.grants);
        run.add(Verdict::Deny, "grant", message);
    } else if !refused {
        let message = messages::active_grants(&identity.shown, &run.grants);
        run.add(Verdict::Allow, "grant", message);
        run.activations = activations(&run.grants, context);
    }
}

/// The grants this open starts, the requested environment's first.
fn activations(checked: &[EnvironmentGrants], context: &Context<'_>) -> Vec<GrantActivation> {
    checked
        .iter()
        .filter_map(|grants| {
            let (index, active) = grants.chosen?;
            if !active.starts_access {
                return None;
            }
            let grant = context.request.grants.get(index)?;
            Some(GrantActivation {
                environment: grant.environment.as_ref()?.shown.clone(),
                identity: grant.identity.as_ref()?.shown.clone(),
                first_opened_at: context.now,
                access_ends_at: active.access_ends_at,
            })
        })
        .collect()
}
