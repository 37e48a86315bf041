//! Builds an ESC-dialect request document from command-line options, in the manner of
//! `esc env open-request`, so a request can be decided (or saved as a fixture) without
//! writing JSON by hand.
//!
//! Bad option values (a duration, an identity, an environment name, a time) are usage
//! errors; reviews, grants and environments read from files that have the wrong shape are
//! invalid input.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::decision::format_time;
use crate::diagnostic::Diagnostic;
use crate::duration;
use crate::error::{Error, ErrorClass};

/// ESC's defaults for an open request when the options give none.
pub const DEFAULT_ACCESS_DURATION: &str = "72h";
pub const DEFAULT_GRANT_EXPIRATION: &str = "25h";

/// The request to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    OpenRequest,
    Open,
    Update,
    Write,
}

impl RequestKind {
    pub fn name(self) -> &'static str {
        match self {
            RequestKind::OpenRequest => "open-request",
            RequestKind::Open => "open",
            RequestKind::Update => "update",
            RequestKind::Write => "write",
        }
    }
}

/// A JSON document read by the caller, with the name to report problems under.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonSource {
    pub name: String,
    pub value: Value,
}

/// Everything `verdict request` can say about a request.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestOptions {
    pub kind: RequestKind,
    /// `org/project/env`.
    pub environment: String,
    pub requester: String,
    pub requester_teams: Vec<String>,
    /// The requester's permissions; none given leaves the list out of the document.
    pub permissions: Vec<String>,
    pub ephemeral: bool,
    /// The change request's revision: required for `update`.
    pub revision: Option<u64>,
    /// `open-request` only; ESC's default when absent.
    pub access_duration: Option<String>,
    /// `open-request` only; ESC's default when absent.
    pub grant_expiration: Option<String>,
    pub description: Option<String>,
    /// RFC 3339; the document carries no `now` when absent.
    pub now: Option<String>,
    pub id: Option<String>,
    /// Files of reviews: an array of reviews, or a document with a `reviews` array.
    pub reviews: Vec<JsonSource>,
    /// Files of grants: an array of grants, or a document with a `grants` array.
    pub grants: Vec<JsonSource>,
    /// Files of environments: an object of environments, or a document with one under
    /// `environments`. Later files win for an environment named twice.
    pub environments: Vec<JsonSource>,
}

impl RequestOptions {
    /// Options for `kind` on `environment` by `requester`, with nothing else set.
    pub fn new(
        kind: RequestKind,
        environment: impl Into<String>,
        requester: impl Into<String>,
    ) -> RequestOptions {
        RequestOptions {
            kind,
            environment: environment.into(),
            requester: requester.into(),
            requester_teams: Vec::new(),
            permissions: Vec::new(),
            ephemeral: false,
            revision: None,
            access_duration: None,
            grant_expiration: None,
            description: None,
            now: None,
            id: None,
            reviews: Vec::new(),
            grants: Vec::new(),
            environments: Vec::new(),
        }
    }
}

/// Builds the request document; every bad option is reported, not only the first.
pub fn build_request(options: &RequestOptions) -> Result<Value, Error> {
    let mut problems = Vec::new();
    let request = request_object(options, &mut problems);
    let now = options
        .now
        .as_deref()
        .and_then(|text| checked_time(text, &mut problems));
    if !problems.is_empty() {
        return Err(Error {
            class: ErrorClass::Usage,
            diagnostics: problems,
        });
    }
    let mut document = Map::new();
    document.insert("request".to_string(), Value::Object(request));
    document.insert(
        "reviews".to_string(),
        Value::Array(merged_lists(&options.reviews, "reviews")?),
    );
    document.insert(
        "grants".to_string(),
        Value::Array(merged_lists(&options.grants, "grants")?),
    );
    document.insert(
        "environments".to_string(),
        Value::Object(merged_environments(&options.environments)?),
    );
    if let Some(now) = now {
        document.insert("now".to_string(), json!(format_time(&now)));
    }
    Ok(Value::Object(document))
}

fn request_object(options: &RequestOptions, problems: &mut Vec<Diagnostic>) -> Map<String, Value> {
    let mut request = Map::new();
    if let Some(id) = &options.id
        && let Some(id) = checked_name(id, "--id", problems)
    {
        request.insert("id".to_string(), json!(id));
    }
    request.insert("action".to_string(), json!(options.kind.name()));
    if let Some(environment) = checked_environment(&options.environment, problems) {
        request.insert("environment".to_string(), json!(environment));
    }
    request.insert(
        "requester".to_string(),
        Value::Object(requester(options, problems)),
    );
    match (options.kind, options.revision) {
        (_, Some(revision)) => {
            request.insert("revision".to_string(), json!(revision));
        }
        (RequestKind::Update, None) => problems.push(
            Diagnostic::error("`update` needs the revision of the change request")
                .with_help("pass `--revision N`"),
        ),
        _ => {}
    }
    if let Some(description) = &options.description {
        request.insert("description".to_string(), json!(description.trim()));
    }
    durations(options, &mut request, problems);
    request
}

fn requester(options: &RequestOptions, problems: &mut Vec<Diagnostic>) -> Map<String, Value> {
    let mut requester = Map::new();
    if let Some(identity) = checked_name(&options.requester, "--requester", problems) {
        requester.insert("id".to_string(), json!(identity));
    }
    let teams: Vec<String> = options
        .requester_teams
        .iter()
        .filter_map(|team| checked_name(team, "--requester-team", problems))
        .collect();
    requester.insert("teams".to_string(), json!(teams));
    if !options.permissions.is_empty() {
        let permissions: Vec<String> = options
            .permissions
            .iter()
            .filter_map(|permission| checked_name(permission, "--permission", problems))
            .collect();
        requester.insert("permissions".to_string(), json!(permissions));
    }
    requester.insert("ephemeral".to_string(), json!(options.ephemeral));
    requester
}

/// `accessDuration` and `grantExpiration`: an open request's, with ESC's defaults; any
/// other request must not give them.
fn durations(
    options: &RequestOptions,
    request: &mut Map<String, Value>,
    problems: &mut Vec<Diagnostic>,
) {
    let given = [
        (
            "accessDuration",
            "--access-duration",
            &options.access_duration,
            DEFAULT_ACCESS_DURATION,
        ),
        (
            "grantExpiration",
            "--grant-expiration",
            &options.grant_expiration,
            DEFAULT_GRANT_EXPIRATION,
        ),
    ];
    for (field, flag, value, default) in given {
        if options.kind != RequestKind::OpenRequest {
            if value.is_some() {
                problems.push(
                    Diagnostic::error(format!("`{flag}` applies to open requests only")).with_help(
                        format!(
                            "drop it, or build an `open-request` instead of `{}`",
                            options.kind.name()
                        ),
                    ),
                );
            }
            continue;
        }
        let text = value.as_deref().unwrap_or(default).trim();
        match duration::parse(text) {
            Some(parsed) if !parsed.is_zero() => {
                request.insert(field.to_string(), json!(text));
            }
            _ => problems.push(
                Diagnostic::error(format!("`{text}` is not a duration for `{flag}`"))
                    .with_help("write a duration such as `30m`, `2h`, `1h30m`, `1d` or ISO 8601 `PT2H`, longer than zero"),
            ),
        }
    }
}

/// An identity, team, permission or id: trimmed, not empty, one line, of a sane length.
fn checked_name(text: &str, flag: &str, problems: &mut Vec<Diagnostic>) -> Option<String> {
    let trimmed = text.trim();
    let problem = if trimmed.is_empty() {
        Some(format!("`{flag}` is empty"))
    } else if trimmed.chars().any(char::is_control) {
        Some(format!("`{flag}` contains a control character"))
    } else if trimmed.chars().count() > 256 {
        Some(format!("`{flag}` is longer than 256 characters"))
    } else {
        None
    };
    match problem {
        Some(message) => {
            problems.push(Diagnostic::error(message));
            None
        }
        None => Some(trimmed.to_string()),
    }
}

/// `org/project/env`: three non-empty segments without spaces.
fn checked_environment(text: &str, problems: &mut Vec<Diagnostic>) -> Option<String> {
    let trimmed = text.trim();
    let segments: Vec<&str> = trimmed.split('/').collect();
    let well_formed = segments.len() == 3
        && segments.iter().all(|segment| {
            !segment.is_empty() && !segment.chars().any(|c| c.is_whitespace() || c.is_control())
        });
    if well_formed {
        Some(trimmed.to_string())
    } else {
        problems.push(
            Diagnostic::error(format!("`{trimmed}` is not an environment name"))
                .with_help("name it in full as `org/project/env`"),
        );
        None
    }
}

fn checked_time(text: &str, problems: &mut Vec<Diagnostic>) -> Option<DateTime<Utc>> {
    crate::input::parse_time(text).or_else(|| {
        problems.push(
            Diagnostic::error(format!(
                "`{}` is not an RFC 3339 time for `--now`",
                text.trim()
            ))
            .with_help("write it as `2026-11-21T10:00:00Z`"),
        );
        None
    })
}

/// Concatenates the arrays of several files: each file is the array itself or a document
/// with the array under `key`.
fn merged_lists(sources: &[JsonSource], key: &str) -> Result<Vec<Value>, Error> {
    let mut merged = Vec::new();
    for source in sources {
        let list = match &source.value {
            Value::Array(items) => items,
            Value::Object(document) => match document.get(key) {
                Some(Value::Array(items)) => items,
                _ => {
                    return Err(shape_error(
                        source,
                        &format!("an array of {key}, or an object with a `{key}` array"),
                    ));
                }
            },
            _ => return Err(shape_error(source, &format!("an array of {key}"))),
        };
        if list.iter().any(|item| !item.is_object()) {
            return Err(shape_error(source, &format!("{key} that are objects")));
        }
        merged.extend(list.iter().cloned());
    }
    Ok(merged)
}

/// Merges several environment maps; a file may hold the map or a document with it under
/// `environments`.
fn merged_environments(sources: &[JsonSource]) -> Result<Map<String, Value>, Error> {
    let mut merged = Map::new();
    for source in sources {
        let Value::Object(document) = &source.value else {
            return Err(shape_error(source, "an object of environments"));
        };
        let environments = match document.get("environments") {
            Some(Value::Object(environments)) => environments,
            Some(_) => return Err(shape_error(source, "an object under `environments`")),
            None => document,
        };
        merged.extend(
            environments
                .iter()
                .map(|(name, entry)| (name.clone(), entry.clone())),
        );
    }
    Ok(merged)
}

fn shape_error(source: &JsonSource, expected: &str) -> Error {
    Error::invalid(
        Diagnostic::error(format!("`{}` does not hold {expected}", source.name))
            .in_file(source.name.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::tests::{decide, ruleset};
    use crate::ruleset::{Approver, RulesetAction};
    use crate::verdict::Verdict;

    fn options(kind: RequestKind) -> RequestOptions {
        RequestOptions::new(kind, "acme/payments/prod", "alice@acme.io")
    }

    fn messages(error: Error) -> (ErrorClass, Vec<String>) {
        (
            error.class,
            error.diagnostics.into_iter().map(|d| d.message).collect(),
        )
    }

    #[test]
    fn an_open_request_mirrors_esc_with_its_defaults() {
        let mut options = options(RequestKind::OpenRequest);
        options.id = Some("req-9".into());
        options.description = Some(" Investigating errors ".into());
        options.access_duration = Some("2h".into());
        options.requester_teams = vec!["sre".into()];
        options.now = Some("2026-11-21T11:00:00+01:00".into());
        assert_eq!(
            build_request(&options).unwrap(),
            json!({
                "request": {
                    "id": "req-9", "action": "open-request", "environment": "acme/payments/prod",
                    "requester": {"id": "alice@acme.io", "teams": ["sre"], "ephemeral": false},
                    "description": "Investigating errors",
                    "accessDuration": "2h", "grantExpiration": "25h",
                },
                "reviews": [], "grants": [], "environments": {},
                "now": "2026-11-21T10:00:00Z",
            })
        );
    }

    #[test]
    fn an_update_needs_its_revision_and_carries_permissions_when_given() {
        let error = build_request(&options(RequestKind::Update)).unwrap_err();
        assert_eq!(
            messages(error),
            (
                ErrorClass::Usage,
                vec!["`update` needs the revision of the change request".to_string()]
            )
        );
        let mut update = options(RequestKind::Update);
        update.revision = Some(7);
        update.permissions = vec!["open".into(), "write".into()];
        update.ephemeral = true;
        let document = build_request(&update).unwrap();
        assert_eq!(document["request"]["revision"], 7);
        assert_eq!(
            document["request"]["requester"]["permissions"],
            json!(["open", "write"])
        );
        assert_eq!(document["request"]["requester"]["ephemeral"], true);
        assert!(document["request"].get("accessDuration").is_none());
    }

    #[test]
    fn bad_options_are_usage_errors_all_reported() {
        let mut bad = RequestOptions::new(RequestKind::Open, "acme/prod", "  ");
        bad.access_duration = Some("2h".into());
        bad.requester_teams = vec!["".into()];
        bad.now = Some("yesterday".into());
        assert_eq!(
            messages(build_request(&bad).unwrap_err()),
            (
                ErrorClass::Usage,
                vec![
                    "`acme/prod` is not an environment name".to_string(),
                    "`--requester` is empty".to_string(),
                    "`--requester-team` is empty".to_string(),
                    "`--access-duration` applies to open requests only".to_string(),
                    "`yesterday` is not an RFC 3339 time for `--now`".to_string(),
                ]
            )
        );
        let mut bad_duration = options(RequestKind::OpenRequest);
        bad_duration.grant_expiration = Some("1 day".into());
        bad_duration.access_duration = Some("0s".into());
        assert_eq!(
            messages(build_request(&bad_duration).unwrap_err()).1,
            [
                "`0s` is not a duration for `--access-duration`",
                "`1 day` is not a duration for `--grant-expiration`",
            ]
        );
        let control = RequestOptions::new(RequestKind::Write, "acme/a/b", "alice\n@acme.io");
        assert_eq!(
            messages(build_request(&control).unwrap_err()).1,
            ["`--requester` contains a control character"]
        );
    }

    #[test]
    fn reviews_grants_and_environments_merge_from_files() {
        let mut open = options(RequestKind::Open);
        open.reviews = vec![
            JsonSource {
                name: "a.json".into(),
                value: json!([{"by": {"id": "bob"}, "decision": "approve"}]),
            },
            JsonSource {
                name: "b.json".into(),
                value: json!({"reviews": [{"by": {"id": "carol"}, "decision": "reject"}]}),
            },
        ];
        open.grants = vec![JsonSource {
            name: "g.json".into(),
            value: json!({"grants": [{"environment": "acme/payments/prod"}]}),
        }];
        open.environments = vec![
            JsonSource {
                name: "e1.json".into(),
                value: json!({"acme/payments/prod": {"imports": ["x"]}, "acme/x/y": {"imports": []}}),
            },
            JsonSource {
                name: "e2.json".into(),
                value: json!({"environments": {"acme/payments/prod": {"imports": ["acme/shared/aws"]}}}),
            },
        ];
        let document = build_request(&open).unwrap();
        assert_eq!(document["reviews"].as_array().unwrap().len(), 2);
        assert_eq!(document["grants"][0]["environment"], "acme/payments/prod");
        assert_eq!(
            document["environments"],
            json!({"acme/payments/prod": {"imports": ["acme/shared/aws"]}, "acme/x/y": {"imports": []}})
        );
    }

    #[test]
    fn files_of_the_wrong_shape_are_invalid_input_naming_the_file() {
        let mut open = options(RequestKind::Open);
        open.reviews = vec![JsonSource {
            name: "r.json".into(),
            value: json!({"grants": []}),
        }];
        assert_eq!(
            messages(build_request(&open).unwrap_err()),
            (ErrorClass::Invalid, vec!["`r.json` does not hold an array of reviews, or an object with a `reviews` array".to_string()])
        );
        let mut open = options(RequestKind::Open);
        open.grants = vec![JsonSource {
            name: "g.json".into(),
            value: json!(["grant"]),
        }];
        assert_eq!(
            messages(build_request(&open).unwrap_err()).1,
            ["`g.json` does not hold grants that are objects"]
        );
        let mut open = options(RequestKind::Open);
        open.environments = vec![JsonSource {
            name: "e.json".into(),
            value: json!([]),
        }];
        assert_eq!(
            messages(build_request(&open).unwrap_err()).1,
            ["`e.json` does not hold an object of environments"]
        );
    }

    #[test]
    fn a_built_request_is_decided_by_the_rulesets() {
        let prod_open = crate::ruleset::Ruleset {
            approvers: vec![Approver::Team("sre".into())],
            max_access_duration: crate::ruleset::tests::limit("4h"),
            ..ruleset("prod-open", &[RulesetAction::Open])
        };
        let mut request = options(RequestKind::OpenRequest);
        request.reviews = vec![JsonSource {
            name: "r.json".into(),
            value: json!([{"by": {"id": "bob@acme.io", "teams": ["sre"]}, "decision": "approve"}]),
        }];
        let decision = decide(
            std::slice::from_ref(&prod_open),
            &build_request(&request).unwrap(),
        );
        let verdicts: Vec<Verdict> = decision.results[0]
            .outcomes
            .iter()
            .map(|o| o.verdict)
            .collect();
        assert_eq!(
            verdicts,
            [Verdict::Allow, Verdict::Deny],
            "72h by default exceeds 4h"
        );
        request.access_duration = Some("2h".into());
        let decision = decide(&[prod_open], &build_request(&request).unwrap());
        assert_eq!(
            crate::ruleset::tests::verdict(&decision),
            Some(Verdict::Allow)
        );
    }
}
