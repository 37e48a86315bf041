//! Whether a grant is active at a given time (SPEC 5.1), why not when it is not, and which
//! of a requester's grants an `open` uses.
//!
//! A grant is active at `now` when it has `appliedAt`, no `revokedAt` at or before `now`,
//! and either `firstOpenedAt` is null and `now < approvedAt + grantExpiration`, or
//! `firstOpenedAt < approvedAt + grantExpiration` and `now < firstOpenedAt +
//! accessDuration`. Every window is half-open. Beyond that, a grant approved or applied
//! after `now` is not honoured (it has not happened yet at the time being decided), and a
//! grant whose times or durations are missing or malformed is inactive: it cannot be shown
//! to be active, and a gate fails closed.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use super::person::Name;
use super::request::{Field, Grant};
use crate::decision::format_time;

/// An active grant's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ActiveGrant {
    pub access_ends_at: DateTime<Utc>,
    /// When the grant stops being openable for the first time (`approvedAt +
    /// grantExpiration`).
    pub expires_at: DateTime<Utc>,
    /// Whether this open is the first, starting the access window now.
    pub starts_access: bool,
}

/// Why a grant is not active.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Inactive {
    NotApplied,
    Missing(&'static str),
    Malformed {
        field: &'static str,
        text: String,
    },
    ApprovedInFuture(DateTime<Utc>),
    AppliedInFuture(DateTime<Utc>),
    Revoked(DateTime<Utc>),
    Expired(DateTime<Utc>),
    OpenedAfterExpiry {
        opened: DateTime<Utc>,
        expired: DateTime<Utc>,
    },
    AccessEnded(DateTime<Utc>),
    /// A grant not yet opened whose access would end as it starts.
    NoAccessTime,
    OutOfRange,
}

impl fmt::Display for Inactive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inactive::NotApplied => f.write_str("approved but not applied"),
            Inactive::Missing(field) => write!(f, "it has no {field}"),
            Inactive::Malformed { field, text } => write!(f, "its {field} `{text}` is malformed"),
            Inactive::ApprovedInFuture(at) => {
                write!(f, "not yet valid: approved at {}", format_time(at))
            }
            Inactive::AppliedInFuture(at) => {
                write!(f, "not yet valid: applied at {}", format_time(at))
            }
            Inactive::Revoked(at) => write!(f, "revoked at {}", format_time(at)),
            Inactive::Expired(at) => write!(f, "expired at {}", format_time(at)),
            Inactive::OpenedAfterExpiry { opened, expired } => write!(
                f,
                "first opened at {}, after it expired at {}",
                format_time(opened),
                format_time(expired)
            ),
            Inactive::AccessEnded(at) => write!(f, "access ended at {}", format_time(at)),
            Inactive::NoAccessTime => f.write_str("its accessDuration is zero"),
            Inactive::OutOfRange => f.write_str("its window lies outside representable time"),
        }
    }
}

pub(crate) type GrantStatus = Result<ActiveGrant, Inactive>;

/// Decides whether one grant is active at `now`.
pub(crate) fn status(grant: &Grant, now: DateTime<Utc>) -> GrantStatus {
    if let Some(revoked_at) = optional(&grant.revoked_at, "revokedAt")?
        && revoked_at <= now
    {
        return Err(Inactive::Revoked(revoked_at));
    }
    let applied_at = optional(&grant.applied_at, "appliedAt")?.ok_or(Inactive::NotApplied)?;
    let approved_at = required(&grant.approved_at, "approvedAt")?;
    if approved_at > now {
        return Err(Inactive::ApprovedInFuture(approved_at));
    }
    if applied_at > now {
        return Err(Inactive::AppliedInFuture(applied_at));
    }
    let grant_expiration = required(&grant.grant_expiration, "grantExpiration")?;
    let access_duration = required(&grant.access_duration, "accessDuration")?;
    let expires_at = later(approved_at, grant_expiration)?;
    match optional(&grant.first_opened_at, "firstOpenedAt")? {
        // Opened now, its access would already be over: the window is half-open.
        None if now < expires_at && access_duration <= TimeDelta::zero() => {
            Err(Inactive::NoAccessTime)
        }
        None if now < expires_at => Ok(ActiveGrant {
            access_ends_at: later(now, access_duration)?,
            expires_at,
            starts_access: true,
        }),
        None => Err(Inactive::Expired(expires_at)),
        Some(opened) if opened >= expires_at => Err(Inactive::OpenedAfterExpiry {
            opened,
            expired: expires_at,
        }),
        Some(opened) => {
            let access_ends_at = later(opened, access_duration)?;
            if now < access_ends_at {
                Ok(ActiveGrant {
                    access_ends_at,
                    expires_at,
                    starts_access: false,
                })
            } else {
                Err(Inactive::AccessEnded(access_ends_at))
            }
        }
    }
}

fn later(time: DateTime<Utc>, delta: TimeDelta) -> Result<DateTime<Utc>, Inactive> {
    time.checked_add_signed(delta).ok_or(Inactive::OutOfRange)
}

fn optional<T: Copy>(field: &Field<T>, name: &'static str) -> Result<Option<T>, Inactive> {
    match field {
        Field::Absent => Ok(None),
        Field::Present(value) => Ok(Some(*value)),
        Field::Malformed(text) => Err(Inactive::Malformed {
            field: name,
            text: text.clone(),
        }),
    }
}

fn required<T: Copy>(field: &Field<T>, name: &'static str) -> Result<T, Inactive> {
    optional(field, name)?.ok_or(Inactive::Missing(name))
}

/// The requester's grants for one environment and what came of them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EnvironmentGrants {
    pub environment: Name,
    /// Each grant for this environment and identity, by its index in `input.grants`.
    pub considered: Vec<(usize, GrantStatus)>,
    /// The active grant an `open` uses, by index.
    pub chosen: Option<(usize, ActiveGrant)>,
}

impl EnvironmentGrants {
    /// Checks the grants `identity` holds for `environment`. Of several active grants, an
    /// `open` uses one already opened (the access window running longest), else the fresh
    /// grant that would expire first, so later grants stay available.
    pub fn check(
        environment: &Name,
        identity: &Name,
        grants: &[Grant],
        now: DateTime<Utc>,
    ) -> EnvironmentGrants {
        let considered: Vec<(usize, GrantStatus)> = grants
            .iter()
            .enumerate()
            .filter(|(_, grant)| holds(grant, environment, identity))
            .map(|(index, grant)| (index, status(grant, now)))
            .collect();
        let chosen = considered
            .iter()
            .filter_map(|(index, status)| {
                let active = status.as_ref().ok()?;
                Some((*index, *active, grants.get(*index)?))
            })
            .min_by(|(_, one, one_grant), (_, other, other_grant)| {
                preference(one)
                    .cmp(&preference(other))
                    .then_with(|| tie_break(one_grant).cmp(&tie_break(other_grant)))
            })
            .map(|(index, active, _)| (index, active));
        EnvironmentGrants {
            environment: environment.clone(),
            considered,
            chosen,
        }
    }

    /// Why no grant is active, for a deny: every distinct reason, sorted so the message
    /// does not depend on the order of the grants.
    pub fn why_inactive(&self) -> String {
        let mut reasons: Vec<String> = self
            .considered
            .iter()
            .filter_map(|(_, status)| status.as_ref().err().map(Inactive::to_string))
            .collect();
        reasons.sort();
        reasons.dedup();
        if reasons.is_empty() {
            "no grant".to_string()
        } else {
            reasons.join("; ")
        }
    }
}

fn holds(grant: &Grant, environment: &Name, identity: &Name) -> bool {
    let same =
        |name: &Option<Name>, wanted: &Name| name.as_ref().is_some_and(|n| n.key == wanted.key);
    same(&grant.environment, environment) && same(&grant.identity, identity)
}

/// Between equally good grants, a stable order that does not depend on their listing.
fn tie_break(grant: &Grant) -> (Option<&str>, Option<&str>, Option<&str>) {
    (
        grant.request.as_deref(),
        grant.identity.as_ref().map(|name| name.shown.as_str()),
        grant.environment.as_ref().map(|name| name.shown.as_str()),
    )
}

/// Sort key: opened grants first, longest access first; then fresh grants expiring first.
fn preference(active: &ActiveGrant) -> (bool, i64, i64) {
    let ends = active.access_ends_at.timestamp_millis();
    if active.starts_access {
        (true, active.expires_at.timestamp_millis(), -ends)
    } else {
        (false, -ends, 0)
    }
}
