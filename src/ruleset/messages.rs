//! The words of ruleset outcomes, written for the reviewer who has to act on them: how
//! many approvals counted and how many are needed, who may approve, why each other review
//! did not count, and which grant is missing and why.

use super::approvals::{ReviewStatus, Tally};
use super::grants::EnvironmentGrants;
use super::model::Ruleset;
use super::request::{Request, Review};
use crate::decision::format_time;

pub(crate) fn rejection(review: &Review) -> String {
    let who = review.reviewer.shown();
    match &review.comment {
        Some(comment) => format!("rejected by {who}: {comment}"),
        None => format!("rejected by {who} (no comment)"),
    }
}

pub(crate) fn approved(ruleset: &Ruleset, tally: &Tally, request: &Request) -> String {
    let approvers: Vec<&str> = tally
        .reviews(request)
        .filter(|(_, status)| **status == ReviewStatus::Counted)
        .map(|(review, _)| review.reviewer.shown())
        .collect();
    // `3 of 2 approvals` reads as a mistake: more than needed is said as such.
    let count = if tally.counted as u64 > u64::from(ruleset.required) {
        format!("{} approvals, {} required", tally.counted, ruleset.required)
    } else {
        format!("{} of {} approvals", tally.counted, ruleset.required)
    };
    if approvers.is_empty() {
        count
    } else {
        format!("approved by {} ({count})", approvers.join(", "))
    }
}

/// `N of M approvals; eligible: ...; counted: ...; not counted: who (why), ...`
pub(crate) fn awaiting_approvals(ruleset: &Ruleset, tally: &Tally, request: &Request) -> String {
    let mut message = format!(
        "{} of {} approvals; eligible: {}",
        tally.counted,
        ruleset.required,
        eligible(ruleset)
    );
    let mut counted = Vec::new();
    let mut discarded = Vec::new();
    for (position, (review, status)) in tally.reviews(request).enumerate() {
        let who = reviewer(position, review);
        match status {
            ReviewStatus::Counted => counted.push(who),
            other => discarded.push(format!("{who} ({})", other.reason(review, request))),
        }
    }
    if !counted.is_empty() {
        message.push_str(&format!("; counted: {}", counted.join(", ")));
    }
    if discarded.is_empty() && counted.is_empty() {
        message.push_str("; no reviews yet");
    } else if !discarded.is_empty() {
        message.push_str(&format!("; not counted: {}", discarded.join(", ")));
    }
    message
}

/// Who may approve: the listed approvers, or anyone; and whether the requester may.
fn eligible(ruleset: &Ruleset) -> String {
    if ruleset.approvers.is_empty() {
        return if ruleset.self_approval_allowed {
            "anyone".to_string()
        } else {
            "anyone but the requester".to_string()
        };
    }
    let listed: Vec<String> = ruleset.approvers.iter().map(ToString::to_string).collect();
    let listed = listed.join(", ");
    if ruleset.self_approval_allowed {
        listed
    } else {
        format!("{listed} (not the requester)")
    }
}

/// A reviewer by identity, or by position when the review names nobody.
fn reviewer(position: usize, review: &Review) -> String {
    match &review.reviewer.identity {
        Some(identity) => identity.shown.clone(),
        None => format!("review {}", position + 1),
    }
}

pub(crate) fn missing_grants(identity: &str, checked: &[EnvironmentGrants]) -> String {
    let missing: Vec<String> = checked
        .iter()
        .filter(|grants| grants.chosen.is_none())
        .map(|grants| format!("{} ({})", grants.environment.shown, grants.why_inactive()))
        .collect();
    format!(
        "{identity} has no active grant for {}; each needs an approved, applied grant",
        missing.join(", ")
    )
}

/// `who holds an active grant for env; access ends at T; import x: access ends at T2`
pub(crate) fn active_grants(identity: &str, checked: &[EnvironmentGrants]) -> String {
    let mut parts = Vec::new();
    for (position, grants) in checked.iter().enumerate() {
        let Some((_, active)) = grants.chosen else {
            continue;
        };
        let ends = format!("access ends at {}", format_time(&active.access_ends_at));
        let starts = if active.starts_access {
            " (this open starts it)"
        } else {
            ""
        };
        parts.push(if position == 0 {
            format!(
                "{identity} holds an active grant for {}; {ends}{starts}",
                grants.environment.shown
            )
        } else {
            format!("import {}: {ends}{starts}", grants.environment.shown)
        });
    }
    parts.join("; ")
}
