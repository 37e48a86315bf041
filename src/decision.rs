//! Outcomes, per-policy verdicts, and how they combine into one decision (SPEC 1).

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::source::Location;
use crate::verdict::Verdict;

/// One firing of one rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub message: String,
    /// The policy's name, shared with its report and its other outcomes.
    pub policy: Arc<str>,
    pub rule: Arc<str>,
    pub source: Location,
    /// The whole value a Rego rule produced, when it was an object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// A policy's own verdict: the strictest of its outcomes, `none` when it produced none.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyReport {
    pub policy: Arc<str>,
    pub source: Location,
    #[serde(serialize_with = "verdict_or_none")]
    pub verdict: Option<Verdict>,
}

fn verdict_or_none<S: Serializer>(verdict: &Option<Verdict>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(verdict.map_or("none", Verdict::as_str))
}

/// What one policy produced for one input.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyResult {
    pub policy: Arc<str>,
    pub source: Location,
    pub outcomes: Vec<Outcome>,
}

/// An `open` that starts the access window of a grant: the caller records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantActivation {
    pub environment: String,
    pub identity: String,
    #[serde(rename = "firstOpenedAt", serialize_with = "rfc3339")]
    pub first_opened_at: DateTime<Utc>,
    #[serde(rename = "accessEndsAt", serialize_with = "rfc3339")]
    pub access_ends_at: DateTime<Utc>,
}

/// The answer for one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub defaulted: bool,
    pub outcomes: Vec<Outcome>,
    pub policies: Vec<PolicyReport>,
    #[serde(serialize_with = "rfc3339")]
    pub now: DateTime<Utc>,
    /// The grant of the requested environment that this `open` activates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_activation: Option<GrantActivation>,
    /// Every grant this `open` activates: the requested environment's and its imports'.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grant_activations: Vec<GrantActivation>,
}

/// Formats a time as RFC 3339 in UTC with a `Z`, seconds precision unless finer is needed.
pub fn format_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn rfc3339<S: Serializer>(time: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(time))
}

impl Decision {
    /// Combines what every policy produced: the strictest verdict among all outcomes wins;
    /// with no outcome at all, `default` decides and the decision is marked defaulted.
    pub fn combine(results: Vec<PolicyResult>, default: Verdict, now: DateTime<Utc>) -> Decision {
        let mut policies = Vec::with_capacity(results.len());
        let mut outcomes: Vec<Outcome> =
            Vec::with_capacity(results.iter().map(|result| result.outcomes.len()).sum());
        for result in results {
            policies.push(PolicyReport {
                verdict: Verdict::strictest(result.outcomes.iter().map(|o| o.verdict)),
                policy: result.policy,
                source: result.source,
            });
            outcomes.extend(result.outcomes);
        }
        let strictest = Verdict::strictest(outcomes.iter().map(|o| o.verdict));
        Decision {
            verdict: strictest.unwrap_or(default),
            defaulted: strictest.is_none(),
            outcomes,
            policies,
            now,
            grant_activation: None,
            grant_activations: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(verdict: Verdict, policy: &str) -> Outcome {
        Outcome {
            verdict,
            message: format!("{policy} says {verdict}"),
            policy: policy.into(),
            rule: verdict.as_str().into(),
            source: Location::new("p.rego", 1, 1),
            details: None,
        }
    }

    fn result(policy: &str, verdicts: &[Verdict]) -> PolicyResult {
        PolicyResult {
            policy: policy.into(),
            source: Location::new("p.rego", 1, 1),
            outcomes: verdicts.iter().map(|&v| outcome(v, policy)).collect(),
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn strictest_outcome_wins_across_policies() {
        let decision = Decision::combine(
            vec![
                result("a", &[Verdict::Allow, Verdict::Warn]),
                result("b", &[Verdict::Pending]),
                result("c", &[]),
            ],
            Verdict::Allow,
            now(),
        );
        assert_eq!(decision.verdict, Verdict::Pending);
        assert!(!decision.defaulted);
        let per_policy: Vec<_> = decision.policies.iter().map(|p| p.verdict).collect();
        assert_eq!(
            per_policy,
            [Some(Verdict::Warn), Some(Verdict::Pending), None]
        );
    }

    #[test]
    fn no_outcome_means_the_default_and_says_so() {
        let decision = Decision::combine(vec![result("a", &[])], Verdict::Pending, now());
        assert_eq!(decision.verdict, Verdict::Pending);
        assert!(decision.defaulted);
        let json = serde_json::to_value(&decision).unwrap_or_default();
        assert_eq!(json["policies"][0]["verdict"], "none");
        assert_eq!(json["now"], "2023-11-14T22:13:20Z");
    }
}
