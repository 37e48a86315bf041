//! The request a ruleset decides, read from either dialect of the input (SPEC 2, 5.1).
//!
//! Reading is lenient: a field of the wrong type is treated as absent, unless that would
//! loosen a gate. A time or duration on a grant that is present but malformed makes the
//! grant inactive instead (it is kept as [`Field::Malformed`]); `environments` that cannot
//! be read as each environment's imports are an invalid input, since an import left out
//! would go unchecked. What the request is cannot be guessed, though: a `request` that is
//! not an object, or an ESC action or environment that is missing or unknown, is an
//! invalid input (exit 65), never an allow.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::imports::ImportGraph;
use super::model::RulesetAction;
use super::person::{Name, Person};
use crate::diagnostic::Diagnostic;
use crate::duration;
use crate::error::Error;

/// A field that may be absent, present but unreadable, or present.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Field<T> {
    Absent,
    /// The value as written, for messages.
    Malformed(String),
    Present(T),
}

impl Field<DateTime<Utc>> {
    pub fn time(value: Option<&Value>) -> Field<DateTime<Utc>> {
        Field::read(value, crate::input::parse_time)
    }
}

impl Field<TimeDelta> {
    pub fn duration(value: Option<&Value>) -> Field<TimeDelta> {
        Field::read(value, duration::parse)
    }
}

impl<T> Field<T> {
    fn read(value: Option<&Value>, parse: impl Fn(&str) -> Option<T>) -> Field<T> {
        match value {
            None | Some(Value::Null) => Field::Absent,
            Some(Value::String(text)) => match parse(text) {
                Some(parsed) => Field::Present(parsed),
                None => Field::Malformed(text.clone()),
            },
            Some(other) => Field::Malformed(other.to_string()),
        }
    }
}

/// A revision of a change request. Numbers and strings compare by their text, so `7` and
/// `"7"` are the same revision. A number past 64-bit integers (or a double past 2^53) is
/// not the same revision as any, itself included: the JSON reader keeps it only to the
/// nearest double, so two different revisions could read as one, and a stale review
/// count as current.
#[derive(Clone, Debug)]
pub(crate) struct Revision {
    text: String,
    exact: bool,
}

impl PartialEq for Revision {
    fn eq(&self, other: &Revision) -> bool {
        self.exact && other.exact && self.text == other.text
    }
}

impl Revision {
    /// Whether the revision is held as written; a number read only to the nearest double
    /// is not.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    pub fn read(value: Option<&Value>) -> Option<Revision> {
        match value? {
            Value::Number(number) => Some(Revision {
                text: number_text(number),
                exact: !number.is_f64()
                    || number
                        .as_f64()
                        .is_some_and(|float| float.abs() < 2f64.powi(53)),
            }),
            Value::String(text) if !text.trim().is_empty() => Some(Revision {
                text: text.trim().to_string(),
                exact: true,
            }),
            _ => None,
        }
    }
}

/// `7.0` reads as `7`: a revision is a whole number written either way.
fn number_text(number: &serde_json::Number) -> String {
    match number.as_f64() {
        Some(float) if number.is_f64() && float.fract() == 0.0 && float.abs() < 9.0e15 => {
            format!("{float:.0}")
        }
        _ => number.to_string(),
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What is being asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RequestAction {
    Open,
    OpenRequest,
    Update,
    Write,
    /// An env0 `deploymentRequest.type`: the ruleset action it names, if any, and the text
    /// as written (`None` when the document has no type).
    Deployment {
        action: Option<RulesetAction>,
        written: Option<String>,
    },
}

impl RequestAction {
    pub const ESC_NAMES: &'static str = "open, open-request, update, write";

    fn from_esc_name(name: &str) -> Option<RequestAction> {
        match name.trim().to_ascii_lowercase().as_str() {
            "open" => Some(RequestAction::Open),
            "open-request" => Some(RequestAction::OpenRequest),
            "update" => Some(RequestAction::Update),
            "write" => Some(RequestAction::Write),
            _ => None,
        }
    }

    fn from_deployment_type(written: Option<&str>) -> RequestAction {
        let action = written.and_then(|name| {
            let name = name.trim();
            RulesetAction::ALL
                .into_iter()
                .filter(|action| action.is_deployment())
                .find(|action| action.keyword().eq_ignore_ascii_case(name))
        });
        RequestAction::Deployment {
            action,
            written: written.map(|name| name.trim().to_string()),
        }
    }

    /// Whether a ruleset with this action gates the request: `open` covers `open` and
    /// `open-request`, `update` covers `update` and `write`, env0 actions their own names.
    pub fn is_covered_by(&self, gated: RulesetAction) -> bool {
        match self {
            RequestAction::Open | RequestAction::OpenRequest => gated == RulesetAction::Open,
            RequestAction::Update | RequestAction::Write => gated == RulesetAction::Update,
            RequestAction::Deployment { action, .. } => *action == Some(gated),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            RequestAction::Open => "open",
            RequestAction::OpenRequest => "open-request",
            RequestAction::Update => "update",
            RequestAction::Write => "write",
            RequestAction::Deployment { written, .. } => {
                written.as_deref().unwrap_or("(no deploymentRequest.type)")
            }
        }
    }
}

/// A review's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ReviewDecision {
    Approve,
    Reject,
    /// Anything else, as written; it neither approves nor rejects.
    Other(String),
}

impl ReviewDecision {
    fn read(value: Option<&Value>) -> ReviewDecision {
        match value.and_then(Value::as_str).map(str::trim) {
            Some(text) if text.eq_ignore_ascii_case("approve") => ReviewDecision::Approve,
            Some(text) if text.eq_ignore_ascii_case("reject") => ReviewDecision::Reject,
            Some(text) => ReviewDecision::Other(text.to_string()),
            None => ReviewDecision::Other(String::new()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Review {
    pub reviewer: Person,
    pub decision: ReviewDecision,
    pub revision: Option<Revision>,
    pub comment: Option<String>,
}

/// An access grant as the document gives it; [`super::grants`] decides whether it is active.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Grant {
    pub environment: Option<Name>,
    pub identity: Option<Name>,
    pub request: Option<String>,
    pub approved_at: Field<DateTime<Utc>>,
    pub applied_at: Field<DateTime<Utc>>,
    pub first_opened_at: Field<DateTime<Utc>>,
    pub revoked_at: Field<DateTime<Utc>>,
    pub access_duration: Field<TimeDelta>,
    pub grant_expiration: Field<TimeDelta>,
}

impl Grant {
    pub(crate) fn read(value: &Value) -> Option<Grant> {
        let object = value.as_object()?;
        Some(Grant {
            environment: Name::from_value(object.get("environment")),
            identity: Name::from_value(object.get("identity")),
            request: object
                .get("request")
                .and_then(Value::as_str)
                .map(|text| text.trim().to_string()),
            approved_at: Field::time(object.get("approvedAt")),
            applied_at: Field::time(object.get("appliedAt")),
            first_opened_at: Field::time(object.get("firstOpenedAt")),
            revoked_at: Field::time(object.get("revokedAt")),
            access_duration: Field::duration(object.get("accessDuration")),
            grant_expiration: Field::duration(object.get("grantExpiration")),
        })
    }
}

/// The request, whichever dialect it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Request {
    pub action: RequestAction,
    /// The requested environment; `None` for an env0 deployment.
    pub environment: Option<Name>,
    pub requester: Person,
    pub revision: Option<Revision>,
    pub access_duration: Field<TimeDelta>,
    pub grant_expiration: Field<TimeDelta>,
    pub reviews: Vec<Review>,
    pub grants: Vec<Grant>,
    pub imports: ImportGraph,
}

impl Request {
    /// Reads the request of an input document: `Ok(None)` when the document carries
    /// neither a `request` nor a `deploymentRequest`, so rulesets have nothing to gate.
    pub fn read(input: &Value) -> Result<Option<Request>, Error> {
        let Some(document) = input.as_object() else {
            return Err(invalid(
                "the input is not a JSON object",
                "rulesets read `request` (ESC) or `deploymentRequest` (env0) from an object",
            ));
        };
        match document.get("request") {
            None | Some(Value::Null) => Ok(Request::read_deployment(document)),
            Some(Value::Object(request)) => Request::read_esc(document, request).map(Some),
            Some(_) => Err(invalid(
                "`request` is not an object",
                "an ESC request is an object with `action`, `environment` and `requester`",
            )),
        }
    }

    fn read_esc(
        document: &Map<String, Value>,
        request: &Map<String, Value>,
    ) -> Result<Request, Error> {
        let action = match request.get("action") {
            Some(Value::String(name)) => RequestAction::from_esc_name(name).ok_or_else(|| {
                invalid(
                    format!("`request.action` `{}` is not an ESC action", name.trim()),
                    format!("use one of {}", RequestAction::ESC_NAMES),
                )
            })?,
            None | Some(Value::Null) => {
                return Err(invalid(
                    "`request.action` is missing",
                    format!("set it to one of {}", RequestAction::ESC_NAMES),
                ));
            }
            Some(_) => {
                return Err(invalid(
                    "`request.action` is not a string",
                    format!("set it to one of {}", RequestAction::ESC_NAMES),
                ));
            }
        };
        let environment = Name::from_value(request.get("environment")).ok_or_else(|| {
            invalid(
                "`request.environment` is missing or not a string",
                "name the environment as `org/project/env`",
            )
        })?;
        Ok(Request {
            action,
            environment: Some(environment),
            requester: Person::read(request.get("requester")),
            revision: Revision::read(request.get("revision")),
            access_duration: Field::duration(request.get("accessDuration")),
            grant_expiration: Field::duration(request.get("grantExpiration")),
            reviews: read_reviews(document.get("reviews")),
            grants: read_grants(document.get("grants")),
            imports: ImportGraph::read(document.get("environments"))?,
        })
    }

    /// An env0 document reads as `{action: deploymentRequest.type, requester: deployerUser}`
    /// with every entry of `approvers` an approval of the current revision.
    fn read_deployment(document: &Map<String, Value>) -> Option<Request> {
        let deployment = document
            .get("deploymentRequest")
            .filter(|deployment| !deployment.is_null())?;
        let written = deployment.get("type").and_then(Value::as_str);
        let approvals = document
            .get("approvers")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|approver| Review {
                reviewer: Person::read(Some(approver)),
                decision: ReviewDecision::Approve,
                revision: None,
                comment: None,
            })
            .collect();
        Some(Request {
            action: RequestAction::from_deployment_type(written),
            environment: None,
            requester: Person::read(document.get("deployerUser")),
            revision: None,
            access_duration: Field::Absent,
            grant_expiration: Field::Absent,
            reviews: approvals,
            grants: Vec::new(),
            imports: ImportGraph::default(),
        })
    }
}

fn read_reviews(value: Option<&Value>) -> Vec<Review> {
    let Some(reviews) = value.and_then(Value::as_array) else {
        return Vec::new();
    };
    reviews
        .iter()
        .filter_map(Value::as_object)
        .map(|review| Review {
            reviewer: Person::read(review.get("by")),
            decision: ReviewDecision::read(review.get("decision")),
            revision: Revision::read(review.get("revision")),
            comment: review
                .get("comment")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|comment| !comment.is_empty())
                .map(str::to_string),
        })
        .collect()
}

fn read_grants(value: Option<&Value>) -> Vec<Grant> {
    value
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(Grant::read)
        .collect()
}

fn invalid(message: impl Into<String>, help: impl Into<String>) -> Error {
    Error::invalid(Diagnostic::error(message).with_help(help))
}
