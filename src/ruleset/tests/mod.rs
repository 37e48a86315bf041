//! Tests of rulesets against requests in both dialects; helpers shared by them.

mod applies;
mod approvals;
mod explain;
mod lower;
mod open;
mod open_request;
mod policy_source;
mod properties;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::*;
use crate::source::Location;

/// The evaluation time the tests pin.
pub(super) const NOW: &str = "2026-11-21T10:00:00Z";

pub(super) fn time(text: &str) -> DateTime<Utc> {
    crate::input::parse_time(text).unwrap()
}

/// A ruleset with the defaults of SPEC 5, gating `actions` everywhere.
pub(super) fn ruleset(name: &str, actions: &[RulesetAction]) -> Ruleset {
    Ruleset {
        actions: actions.to_vec(),
        ..Ruleset::new(name, Location::new("rules.policy", 1, 1))
    }
}

pub(super) fn globs(patterns: &[&str]) -> Option<EnvironmentGlobs> {
    Some(EnvironmentGlobs::new(patterns.iter().map(|p| p.to_string()).collect()).unwrap())
}

pub(super) fn team(name: &str) -> Approver {
    Approver::Team(name.to_string())
}

pub(super) fn user(name: &str) -> Approver {
    Approver::User(name.to_string())
}

pub(super) fn permission(name: &str) -> Approver {
    Approver::Permission(name.to_string())
}

pub(super) fn limit(text: &str) -> Option<DurationLimit> {
    Some(DurationLimit {
        limit: crate::duration::parse(text).unwrap(),
        location: Location::new("rules.policy", 9, 3),
    })
}

/// Decides `input` at [`NOW`].
pub(super) fn decide(rulesets: &[Ruleset], input: &Value) -> RulesetDecision {
    decide_at(rulesets, input, NOW)
}

pub(super) fn decide_at(rulesets: &[Ruleset], input: &Value, now: &str) -> RulesetDecision {
    Rulesets::new(rulesets.to_vec())
        .evaluate(input, time(now))
        .unwrap()
}

/// Every outcome, flattened.
pub(super) fn outcomes(decision: &RulesetDecision) -> Vec<&crate::decision::Outcome> {
    decision.results.iter().flat_map(|r| &r.outcomes).collect()
}

/// The strictest verdict of the rulesets, `None` without outcomes.
pub(super) fn verdict(decision: &RulesetDecision) -> Option<crate::Verdict> {
    crate::Verdict::strictest(outcomes(decision).iter().map(|o| o.verdict))
}

/// `verdict rule: message` for every outcome, for assertions that read like the output.
pub(super) fn lines(decision: &RulesetDecision) -> Vec<String> {
    outcomes(decision)
        .iter()
        .map(|o| format!("{} {}: {}", o.verdict, o.rule, o.message))
        .collect()
}

/// `base` with the top-level keys of `patch` replaced (a `null` in the patch stays null).
pub(super) fn with(mut base: Value, patch: Value) -> Value {
    if let (Some(base), Value::Object(patch)) = (base.as_object_mut(), patch) {
        base.extend(patch);
    }
    base
}

/// An ESC request document; `request` fields are merged over a default requester.
pub(super) fn esc(action: &str, environment: &str, rest: Value) -> Value {
    with(
        json!({
            "request": {
                "id": "req-1",
                "action": action,
                "environment": environment,
                "requester": {"id": "alice@acme.io", "teams": ["sre"], "permissions": ["open"]},
                "revision": 7,
            },
        }),
        rest,
    )
}

/// A review of revision 7.
pub(super) fn review(by: Value, decision: &str) -> Value {
    json!({"by": by, "decision": decision, "revision": 7, "comment": "looks fine"})
}

#[test]
fn rulesets_can_be_shared_across_threads() {
    fn shareable<T: Clone + Send + Sync>() {}
    shareable::<Rulesets>();
    shareable::<RulesetDecision>();
}
