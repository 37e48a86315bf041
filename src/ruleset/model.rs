//! The semantic model of a ruleset: what [`super::lower`] produces and evaluation reads.

use std::fmt;

use chrono::TimeDelta;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::source::Location;

/// An action a ruleset gates, as written in its `action` statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RulesetAction {
    /// Opening an environment; covers both `open` and `open-request` requests.
    #[serde(rename = "open")]
    Open,
    /// Changing an environment; covers both `update` and `write` requests.
    #[serde(rename = "update")]
    Update,
    #[serde(rename = "deploy")]
    Deploy,
    #[serde(rename = "destroy")]
    Destroy,
    #[serde(rename = "deployResume")]
    DeployResume,
    #[serde(rename = "destroyResume")]
    DestroyResume,
}

impl RulesetAction {
    pub const ALL: [RulesetAction; 6] = [
        RulesetAction::Open,
        RulesetAction::Update,
        RulesetAction::Deploy,
        RulesetAction::Destroy,
        RulesetAction::DeployResume,
        RulesetAction::DestroyResume,
    ];

    /// The keyword as a ruleset writes it.
    pub fn keyword(self) -> &'static str {
        match self {
            RulesetAction::Open => "open",
            RulesetAction::Update => "update",
            RulesetAction::Deploy => "deploy",
            RulesetAction::Destroy => "destroy",
            RulesetAction::DeployResume => "deployResume",
            RulesetAction::DestroyResume => "destroyResume",
        }
    }

    /// Reads an action keyword exactly as the ruleset language spells it.
    pub fn from_keyword(word: &str) -> Option<RulesetAction> {
        RulesetAction::ALL
            .into_iter()
            .find(|action| action.keyword() == word)
    }

    /// Whether this is one of env0's deployment actions rather than an ESC action.
    pub fn is_deployment(self) -> bool {
        !matches!(self, RulesetAction::Open | RulesetAction::Update)
    }
}

impl fmt::Display for RulesetAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// Who may approve: a team, a user, or the holder of a permission. Values are kept as
/// written (trimmed); they compare case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Approver {
    Team(String),
    User(String),
    Permission(String),
}

impl fmt::Display for Approver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Approver::Team(name) => write!(f, "team {name}"),
            Approver::User(name) => write!(f, "user {name}"),
            Approver::Permission(name) => write!(f, "permission {name}"),
        }
    }
}

/// The environments a ruleset gates: globs over `org/project/env`, where `*` stays within
/// one segment. Matching ignores case, as environment names compare case-insensitively.
#[derive(Clone, Debug)]
pub struct EnvironmentGlobs {
    patterns: Vec<String>,
    matcher: GlobSet,
}

/// A glob that does not compile: which pattern, and why.
#[derive(Debug, thiserror::Error)]
#[error("`{pattern}` is not a valid glob: {reason}")]
pub struct BadGlob {
    pub index: usize,
    pub pattern: String,
    pub reason: String,
}

impl EnvironmentGlobs {
    pub fn new(patterns: Vec<String>) -> Result<EnvironmentGlobs, BadGlob> {
        let mut builder = GlobSetBuilder::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let glob = GlobBuilder::new(pattern.trim())
                .literal_separator(true)
                .case_insensitive(true)
                .backslash_escape(true)
                .build()
                .map_err(|error| BadGlob {
                    index,
                    pattern: pattern.clone(),
                    reason: error.kind().to_string(),
                })?;
            builder.add(glob);
        }
        let matcher = builder.build().map_err(|error| BadGlob {
            index: 0,
            pattern: patterns.join(", "),
            reason: error.kind().to_string(),
        })?;
        Ok(EnvironmentGlobs { patterns, matcher })
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether an environment name (`org/project/env`) matches one of the globs.
    pub fn matches(&self, environment: &str) -> bool {
        self.matcher.is_match(environment.trim())
    }
}

impl PartialEq for EnvironmentGlobs {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

/// A duration limit and where the ruleset sets it, for outcomes that point at it.
#[derive(Clone, Debug, PartialEq)]
pub struct DurationLimit {
    pub limit: TimeDelta,
    pub location: Location,
}

/// One approval ruleset (SPEC 5), with every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Ruleset {
    pub name: String,
    /// Where the `ruleset` block starts.
    pub location: Location,
    pub description: Option<String>,
    pub actions: Vec<RulesetAction>,
    /// `None` gates every environment.
    pub environments: Option<EnvironmentGlobs>,
    /// Empty lets anyone approve.
    pub approvers: Vec<Approver>,
    pub required: u32,
    pub self_approval_allowed: bool,
    pub reapprove_on_change: bool,
    pub max_access_duration: Option<DurationLimit>,
    pub max_grant_expiration: Option<DurationLimit>,
    pub enabled: bool,
}

impl Ruleset {
    /// A ruleset with the defaults of SPEC 5 and no action yet.
    pub fn new(name: impl Into<String>, location: Location) -> Ruleset {
        Ruleset {
            name: name.into(),
            location,
            description: None,
            actions: Vec::new(),
            environments: None,
            approvers: Vec::new(),
            required: 1,
            self_approval_allowed: false,
            reapprove_on_change: true,
            max_access_duration: None,
            max_grant_expiration: None,
            enabled: true,
        }
    }

    pub fn gates_action(&self, action: RulesetAction) -> bool {
        self.actions.contains(&action)
    }
}
