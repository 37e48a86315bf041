//! Which reviews count toward a ruleset (SPEC 5.1), which reject it, and why the others do
//! not count.
//!
//! A review counts when its decision is `approve`, the reviewer is eligible, the reviewer
//! is not the requester (unless self-approval is allowed), its revision is the request's
//! (when `reapprove_on_change`), and no earlier counted review came from the same identity.

use std::collections::HashSet;

use super::model::{Approver, Ruleset};
use super::person::{Person, comparison_key};
use super::request::{Request, Review, ReviewDecision};

/// What became of one review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ReviewStatus {
    Counted,
    /// A reject by an eligible reviewer on the current revision.
    Rejection,
    /// A decision that is neither `approve` nor `reject`, as written.
    NotADecision(String),
    NotEligible,
    /// The reviewer has no id, email or name, so their review cannot be told apart from
    /// another's and does not count.
    NoIdentity,
    SelfApproval,
    /// Self-approval is denied and the ESC requester has no id, email or name, so no
    /// review can be shown not to be theirs.
    RequesterUnknown,
    StaleRevision,
    Duplicate,
}

impl ReviewStatus {
    /// The reason a review did not count, as a reviewer reads it.
    pub fn reason(&self, review: &Review, request: &Request) -> String {
        match self {
            ReviewStatus::Counted => "counted".to_string(),
            ReviewStatus::Rejection => "rejected".to_string(),
            ReviewStatus::NotADecision(text) if text.is_empty() => "no decision".to_string(),
            ReviewStatus::NotADecision(text) => format!("decision `{text}` is not approve"),
            ReviewStatus::NotEligible => "not eligible".to_string(),
            ReviewStatus::NoIdentity => "no identity".to_string(),
            ReviewStatus::SelfApproval => "self-approval".to_string(),
            ReviewStatus::RequesterUnknown => {
                "may be self-approval: the requester has no id, email or name".to_string()
            }
            ReviewStatus::StaleRevision => format!(
                "stale revision {}, current {}",
                shown_revision(review.revision.as_ref()),
                shown_revision(request.revision.as_ref())
            ),
            ReviewStatus::Duplicate => "duplicate".to_string(),
        }
    }
}

fn shown_revision(revision: Option<&super::request::Revision>) -> String {
    revision.map_or_else(|| "none".to_string(), ToString::to_string)
}

/// The status of every review of a request, for one ruleset.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tally {
    /// One per review, in the order of `input.reviews`.
    pub statuses: Vec<ReviewStatus>,
    pub counted: usize,
}

impl Tally {
    pub fn of(ruleset: &Ruleset, request: &Request) -> Tally {
        let eligibility = Eligibility::of(ruleset);
        let mut counted_identities = HashSet::new();
        let statuses: Vec<ReviewStatus> = request
            .reviews
            .iter()
            .map(|review| {
                let status = judge(ruleset, &eligibility, request, review);
                if status != ReviewStatus::Counted {
                    return status;
                }
                let first = review
                    .reviewer
                    .identity
                    .as_ref()
                    .is_some_and(|identity| counted_identities.insert(identity.key.clone()));
                if first {
                    ReviewStatus::Counted
                } else {
                    ReviewStatus::Duplicate
                }
            })
            .collect();
        let counted = statuses
            .iter()
            .filter(|status| **status == ReviewStatus::Counted)
            .count();
        Tally { statuses, counted }
    }

    /// Each review with what became of it.
    pub fn reviews<'r>(
        &'r self,
        request: &'r Request,
    ) -> impl Iterator<Item = (&'r Review, &'r ReviewStatus)> {
        request.reviews.iter().zip(&self.statuses)
    }
}

/// Everything but the duplicate check, which needs the reviews before this one.
fn judge(
    ruleset: &Ruleset,
    eligibility: &Eligibility,
    request: &Request,
    review: &Review,
) -> ReviewStatus {
    let eligible = eligibility.admits(&review.reviewer);
    // An approval counts only on what is surely the current revision; a reject stands on
    // what may be it (a revision read inexactly may be the current one).
    let on_current_revision = review.revision == request.revision;
    let maybe_current_revision = on_current_revision
        || [&review.revision, &request.revision]
            .into_iter()
            .flatten()
            .any(|revision| !revision.is_exact());
    match &review.decision {
        ReviewDecision::Other(text) => ReviewStatus::NotADecision(text.clone()),
        _ if !eligible => ReviewStatus::NotEligible,
        ReviewDecision::Reject if maybe_current_revision => ReviewStatus::Rejection,
        ReviewDecision::Reject => ReviewStatus::StaleRevision,
        ReviewDecision::Approve if review.reviewer.identity.is_none() => ReviewStatus::NoIdentity,
        ReviewDecision::Approve
            if !ruleset.self_approval_allowed
                && request.requester.is_same_person(&review.reviewer) =>
        {
            ReviewStatus::SelfApproval
        }
        ReviewDecision::Approve
            if !ruleset.self_approval_allowed
                && request.environment.is_some()
                && request.requester.identity.is_none() =>
        {
            ReviewStatus::RequesterUnknown
        }
        ReviewDecision::Approve if ruleset.reapprove_on_change && !on_current_revision => {
            ReviewStatus::StaleRevision
        }
        ReviewDecision::Approve => ReviewStatus::Counted,
    }
}

/// A ruleset's approvers with their comparison keys, computed once per tally.
struct Eligibility {
    teams: Vec<String>,
    users: Vec<String>,
    permissions: Vec<String>,
}

impl Eligibility {
    fn of(ruleset: &Ruleset) -> Eligibility {
        let mut eligibility = Eligibility {
            teams: Vec::new(),
            users: Vec::new(),
            permissions: Vec::new(),
        };
        for approver in &ruleset.approvers {
            match approver {
                Approver::Team(team) => eligibility.teams.push(comparison_key(team)),
                Approver::User(user) => eligibility.users.push(comparison_key(user)),
                Approver::Permission(permission) => {
                    eligibility.permissions.push(comparison_key(permission))
                }
            }
        }
        eligibility
    }

    /// A listed user, a member of a listed team, or a holder of a listed permission; anyone
    /// when nobody is listed.
    fn admits(&self, reviewer: &Person) -> bool {
        let nobody_listed =
            self.teams.is_empty() && self.users.is_empty() && self.permissions.is_empty();
        nobody_listed
            || reviewer
                .identity
                .as_ref()
                .is_some_and(|identity| self.users.contains(&identity.key))
            || self.teams.iter().any(|team| reviewer.in_team(team))
            || self
                .permissions
                .iter()
                .any(|permission| reviewer.holds_permission(permission))
    }
}
