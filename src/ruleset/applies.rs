//! Which rulesets apply to a request (SPEC 5.1): enabled, gating the request's action, and
//! matching its environment.

use serde::Serialize;

use super::model::Ruleset;
use super::person::Name;
use super::request::RequestAction;

/// Whether a ruleset applies to a request, and if not, why not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    Applies,
    Disabled,
    ActionNotGated,
    EnvironmentNotMatched,
    /// The ruleset names environments and the request has none (an env0 deployment).
    NoEnvironment,
}

impl Applicability {
    pub(crate) fn of(
        ruleset: &Ruleset,
        action: &RequestAction,
        environment: Option<&Name>,
    ) -> Applicability {
        if !ruleset.enabled {
            return Applicability::Disabled;
        }
        if !ruleset
            .actions
            .iter()
            .any(|&gated| action.is_covered_by(gated))
        {
            return Applicability::ActionNotGated;
        }
        match (&ruleset.environments, environment) {
            (None, _) => Applicability::Applies,
            (Some(globs), Some(environment)) if globs.matches(&environment.shown) => {
                Applicability::Applies
            }
            (Some(_), Some(_)) => Applicability::EnvironmentNotMatched,
            (Some(_), None) => Applicability::NoEnvironment,
        }
    }

    /// Whether `ruleset` applies to a request with this action and environment.
    pub(crate) fn applies(
        ruleset: &Ruleset,
        action: &RequestAction,
        environment: Option<&Name>,
    ) -> bool {
        Applicability::of(ruleset, action, environment) == Applicability::Applies
    }

    /// Why, in words.
    pub fn describe(self, ruleset: &Ruleset, action: &str) -> String {
        match self {
            Applicability::Applies => "applies".to_string(),
            Applicability::Disabled => "disabled".to_string(),
            Applicability::ActionNotGated => {
                let gated: Vec<&str> = ruleset.actions.iter().map(|a| a.keyword()).collect();
                format!("gates {}, not {action}", gated.join(", "))
            }
            Applicability::EnvironmentNotMatched | Applicability::NoEnvironment => {
                let globs = ruleset
                    .environments
                    .as_ref()
                    .map(|globs| globs.patterns().join(", "))
                    .unwrap_or_default();
                if self == Applicability::NoEnvironment {
                    format!("gates environments {globs} and the request names none")
                } else {
                    format!("gates environments {globs} only")
                }
            }
        }
    }
}
