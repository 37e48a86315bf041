//! The `--explain` view of rulesets: for each ruleset, whether it applies and why, the
//! outcomes it gave, each review with whether it counted and why, and each grant
//! considered with its status. Built only when asked for; evaluation does not pay for it.

use std::fmt::{self, Write as _};

use serde::Serialize;

use super::applies::Applicability;
use super::evaluate::RulesetRun;
use super::grants::EnvironmentGrants;
use super::model::Ruleset;
use super::request::{Request, ReviewDecision};
use crate::decision::{Outcome, format_time};
use crate::source::Location;

/// How the rulesets decided one request.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Explanation {
    /// The request's action; `None` when the input carries no request to gate.
    pub action: Option<String>,
    pub environment: Option<String>,
    pub requester: Option<String>,
    /// The requested environment's transitive imports that an open ruleset gates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gated_imports: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub import_cycles: Vec<String>,
    pub rulesets: Vec<RulesetExplanation>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RulesetExplanation {
    pub ruleset: String,
    pub source: Location,
    pub applicability: Applicability,
    /// Why it applies or not, in words.
    pub why: String,
    pub outcomes: Vec<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<ApprovalsExplanation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantsExplanation>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApprovalsExplanation {
    pub counted: usize,
    pub required: u32,
    pub reviews: Vec<ReviewExplanation>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReviewExplanation {
    pub reviewer: Option<String>,
    pub decision: String,
    pub revision: Option<String>,
    pub counted: bool,
    /// `counted`, `rejected`, or why it did not count.
    pub reason: String,
}

/// The requester's grants for one environment an `open` needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantsExplanation {
    pub environment: String,
    pub active: bool,
    pub grants: Vec<GrantExplanation>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantExplanation {
    /// The grant's position in `input.grants`, from 0.
    pub index: usize,
    pub request: Option<String>,
    pub active: bool,
    /// `active until T` (and whether this open starts it), or why it is inactive.
    pub status: String,
}

impl Explanation {
    pub(crate) fn of_request(request: &Request) -> Explanation {
        Explanation {
            action: Some(request.action.name().to_string()),
            environment: request.environment.as_ref().map(|name| name.shown.clone()),
            requester: request
                .requester
                .identity
                .as_ref()
                .map(|name| name.shown.clone()),
            ..Explanation::default()
        }
    }
}

impl RulesetExplanation {
    pub(crate) fn skipped(
        ruleset: &Ruleset,
        applicability: Applicability,
        request: &Request,
    ) -> RulesetExplanation {
        RulesetExplanation {
            ruleset: ruleset.name.clone(),
            source: ruleset.location.clone(),
            applicability,
            why: applicability.describe(ruleset, request.action.name()),
            outcomes: Vec::new(),
            approvals: None,
            grants: Vec::new(),
        }
    }

    pub(crate) fn of_run(run: RulesetRun<'_>, request: &Request) -> RulesetExplanation {
        let mut explanation =
            RulesetExplanation::skipped(run.ruleset, Applicability::Applies, request);
        explanation.approvals = run.tally.map(|tally| ApprovalsExplanation {
            counted: tally.counted,
            required: run.ruleset.required,
            reviews: tally
                .reviews(request)
                .map(|(review, status)| ReviewExplanation {
                    reviewer: review.reviewer.identity.as_ref().map(|n| n.shown.clone()),
                    decision: match &review.decision {
                        ReviewDecision::Approve => "approve".to_string(),
                        ReviewDecision::Reject => "reject".to_string(),
                        ReviewDecision::Other(text) => text.clone(),
                    },
                    revision: review.revision.as_ref().map(ToString::to_string),
                    counted: *status == super::approvals::ReviewStatus::Counted,
                    reason: status.reason(review, request),
                })
                .collect(),
        });
        explanation.grants = run
            .grants
            .iter()
            .map(|grants| explain_grants(grants, request))
            .collect();
        explanation.outcomes = run.outcomes;
        explanation
    }
}

fn explain_grants(checked: &EnvironmentGrants, request: &Request) -> GrantsExplanation {
    GrantsExplanation {
        environment: checked.environment.shown.clone(),
        active: checked.chosen.is_some(),
        grants: checked
            .considered
            .iter()
            .map(|(index, status)| GrantExplanation {
                index: *index,
                request: request
                    .grants
                    .get(*index)
                    .and_then(|grant| grant.request.clone()),
                active: status.is_ok(),
                status: match status {
                    Ok(active) if active.starts_access => format!(
                        "active; this open starts access until {}",
                        format_time(&active.access_ends_at)
                    ),
                    Ok(active) => {
                        format!("active until {}", format_time(&active.access_ends_at))
                    }
                    Err(inactive) => inactive.to_string(),
                },
            })
            .collect(),
    }
}

impl fmt::Display for Explanation {
    /// A plain-text rendering, one fact a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(action) = &self.action else {
            return writeln!(f, "rulesets: the input carries no request to gate");
        };
        let mut head = format!("request: {action}");
        if let Some(environment) = &self.environment {
            let _ = write!(head, " {environment}");
        }
        if let Some(requester) = &self.requester {
            let _ = write!(head, " by {requester}");
        }
        writeln!(f, "{head}")?;
        for import in &self.gated_imports {
            writeln!(f, "  gated import: {import}")?;
        }
        for cycle in &self.import_cycles {
            writeln!(f, "  import cycle: {cycle}")?;
        }
        for ruleset in &self.rulesets {
            write!(f, "{ruleset}")?;
        }
        Ok(())
    }
}

impl fmt::Display for RulesetExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "ruleset {} ({}): {}",
            self.ruleset, self.source, self.why
        )?;
        for outcome in &self.outcomes {
            writeln!(
                f,
                "  {} {}: {}",
                outcome.verdict, outcome.rule, outcome.message
            )?;
        }
        if let Some(approvals) = &self.approvals {
            writeln!(
                f,
                "  approvals: {} of {}",
                approvals.counted, approvals.required
            )?;
            for (position, review) in approvals.reviews.iter().enumerate() {
                let who = review.reviewer.as_deref().unwrap_or("(no identity)");
                let revision = review.revision.as_deref().unwrap_or("none");
                writeln!(
                    f,
                    "    review {}: {who} {} on revision {revision}: {}",
                    position + 1,
                    review.decision,
                    review.reason
                )?;
            }
        }
        for environment in &self.grants {
            let state = if environment.active {
                "active"
            } else {
                "no active grant"
            };
            writeln!(f, "  grants for {}: {state}", environment.environment)?;
            for grant in &environment.grants {
                let request = grant.request.as_deref().unwrap_or("no request id");
                writeln!(
                    f,
                    "    grant {} ({request}): {}",
                    grant.index + 1,
                    grant.status
                )?;
            }
        }
        Ok(())
    }
}
