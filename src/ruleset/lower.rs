//! Lowering a parsed `ruleset` block to a [`Ruleset`], with the static checks of SPEC 5:
//! unknown actions (with the closest suggested), a `require` count that is not positive,
//! bad durations, statements given twice, bad globs, and a ruleset without an action.
//! Every problem is collected, each pointing at the text at fault.

use std::collections::HashMap;
use std::sync::Arc;

use super::model::{Approver, DurationLimit, EnvironmentGlobs, Ruleset, RulesetAction};
use super::person::comparison_key;
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{
    self, ApproverKind, DurationText, Ident, RulesetStatement, RulesetStatementKind,
};
use crate::source::{SourceFile, Span};

/// Lowers a ruleset block; every problem found is reported, not just the first.
pub fn lower(
    block: &ast::RulesetBlock,
    source: &Arc<SourceFile>,
) -> Result<Ruleset, Vec<Diagnostic>> {
    let mut lowering = Lowering {
        source,
        ruleset: Ruleset::new(block.name.value.clone(), source.location(block.span.start)),
        diagnostics: Vec::new(),
        seen: HashMap::new(),
    };
    if block.name.value.trim().is_empty() {
        lowering.error(block.name.span, "a ruleset needs a name", None);
    }
    for statement in &block.statements {
        if lowering.first_of_its_kind(statement) {
            lowering.statement(statement);
        }
    }
    if !lowering.seen.contains_key("action") {
        lowering.error(
            block.name.span,
            format!("ruleset `{}` has no `action`", block.name.value),
            Some("add `action open`, `action update` or an env0 action such as `action deploy`"),
        );
    }
    if lowering.diagnostics.is_empty() {
        Ok(lowering.ruleset)
    } else {
        Err(lowering.diagnostics)
    }
}

struct Lowering<'a> {
    source: &'a Arc<SourceFile>,
    ruleset: Ruleset,
    diagnostics: Vec<Diagnostic>,
    /// The keyword span of the first statement of each kind.
    seen: HashMap<&'static str, Span>,
}

impl Lowering<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>, help: Option<&str>) {
        let mut diagnostic = Diagnostic::error(message).at(self.source, span);
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
    }

    /// Records the statement's kind; a second statement of a kind is an error pointing at
    /// it and naming where the first one is.
    fn first_of_its_kind(&mut self, statement: &RulesetStatement) -> bool {
        let keyword = keyword(&statement.kind);
        let Some(first) = self.seen.get(keyword).copied() else {
            self.seen.insert(keyword, statement.keyword.span);
            return true;
        };
        let first_at = self.source.location(first.start);
        self.diagnostics.push(
            Diagnostic::error(format!(
                "`{keyword}` is given twice in ruleset `{}`",
                self.ruleset.name
            ))
            .at(self.source, statement.keyword.span)
            .with_label(format!("the first `{keyword}` is at {first_at}"))
            .with_help(format!(
                "keep one `{keyword}` statement (the other is at {first_at})"
            )),
        );
        false
    }

    fn statement(&mut self, statement: &RulesetStatement) {
        match &statement.kind {
            RulesetStatementKind::Description(text) => {
                self.ruleset.description = Some(text.value.clone());
            }
            RulesetStatementKind::Action(names) => self.actions(names, statement.span),
            RulesetStatementKind::Environments(globs) => self.environments(globs, statement.span),
            RulesetStatementKind::Approvers(approvers) => self.approvers(approvers),
            RulesetStatementKind::Require { count, count_span } => {
                self.require(*count, *count_span);
            }
            RulesetStatementKind::SelfApproval { allowed } => {
                self.ruleset.self_approval_allowed = *allowed;
            }
            RulesetStatementKind::ReapproveOnChange(reapprove) => {
                self.ruleset.reapprove_on_change = *reapprove;
            }
            RulesetStatementKind::MaxAccessDuration(text) => {
                self.ruleset.max_access_duration = self.duration_limit(text, "max_access_duration");
            }
            RulesetStatementKind::MaxGrantExpiration(text) => {
                self.ruleset.max_grant_expiration =
                    self.duration_limit(text, "max_grant_expiration");
            }
            RulesetStatementKind::Enabled(enabled) => self.ruleset.enabled = *enabled,
        }
    }

    fn actions(&mut self, names: &[Ident], span: Span) {
        if names.is_empty() {
            self.error(span, "`action` names no action", Some(ACTION_HELP));
        }
        for name in names {
            let Some(action) = RulesetAction::from_keyword(&name.name) else {
                let help = action_help(&name.name);
                self.error(
                    name.span,
                    format!("unknown action `{}`", name.name),
                    Some(&help),
                );
                continue;
            };
            if self.ruleset.actions.contains(&action) {
                self.error(
                    name.span,
                    format!("action `{action}` is listed twice"),
                    None,
                );
            } else {
                self.ruleset.actions.push(action);
            }
        }
    }

    fn environments(&mut self, globs: &[ast::StrLit], span: Span) {
        if globs.is_empty() {
            self.error(span, "`environments` names no environment", None);
            return;
        }
        let mut valid = true;
        for glob in globs.iter().filter(|glob| glob.value.trim().is_empty()) {
            valid = false;
            self.error(glob.span, "an environment glob is empty", None);
        }
        if !valid {
            return;
        }
        let patterns = globs.iter().map(|glob| glob.value.clone()).collect();
        match EnvironmentGlobs::new(patterns) {
            Ok(compiled) => self.ruleset.environments = Some(compiled),
            Err(bad) => {
                let at = globs.get(bad.index).map_or(span, |glob| glob.span);
                self.error(
                    at,
                    bad.to_string(),
                    Some("globs match `org/project/env`; `*` matches within one segment"),
                );
            }
        }
    }

    fn approvers(&mut self, approvers: &[ast::Approver]) {
        for approver in approvers {
            let value = approver.value.value.trim().to_string();
            let kind = match approver.kind {
                ApproverKind::Team => "team",
                ApproverKind::User => "user",
                ApproverKind::Permission => "permission",
            };
            if value.is_empty() {
                self.error(
                    approver.value.span,
                    format!("the {kind} name is empty"),
                    None,
                );
                continue;
            }
            let lowered = match approver.kind {
                ApproverKind::Team => Approver::Team(value),
                ApproverKind::User => Approver::User(value),
                ApproverKind::Permission => Approver::Permission(value),
            };
            if self
                .ruleset
                .approvers
                .iter()
                .any(|known| same_approver(known, &lowered))
            {
                self.error(approver.span, format!("`{lowered}` is listed twice"), None);
            } else {
                self.ruleset.approvers.push(lowered);
            }
        }
    }

    fn require(&mut self, count: i64, span: Span) {
        if count <= 0 {
            self.error(
                span,
                format!("`require` needs at least one approval, not `{count}`"),
                Some("to let a request through without approval, leave its action out of the ruleset"),
            );
            return;
        }
        match u32::try_from(count) {
            Ok(required) => self.ruleset.required = required,
            Err(_) => self.error(
                span,
                format!("`require {count}` is too many approvals"),
                None,
            ),
        }
    }

    fn duration_limit(&mut self, text: &DurationText, statement: &str) -> Option<DurationLimit> {
        let Some(limit) = crate::duration::parse(&text.text) else {
            self.error(
                text.span,
                format!("`{}` is not a duration", text.text),
                Some(
                    "write a duration such as `30m`, `4h`, `1h30m`, `1d`, `1w` or ISO 8601 `PT4H`",
                ),
            );
            return None;
        };
        if limit.is_zero() {
            self.error(
                text.span,
                format!("`{statement}` must be longer than zero"),
                None,
            );
            return None;
        }
        Some(DurationLimit {
            limit,
            location: self.source.location(text.span.start),
        })
    }
}

const ACTION_HELP: &str =
    "actions are open, update, deploy, destroy, deployResume and destroyResume";

/// The help for an unknown action: the closest known one, or how ESC's own names map.
fn action_help(written: &str) -> String {
    match written.trim().to_ascii_lowercase().as_str() {
        "open-request" | "open_request" | "openrequest" => {
            return "`open` gates both opening and open requests".to_string();
        }
        "write" => return "`update` gates both change requests and direct writes".to_string(),
        _ => {}
    }
    let closest = RulesetAction::ALL
        .into_iter()
        .map(|action| {
            let distance = strsim::osa_distance(
                &written.to_ascii_lowercase(),
                &action.keyword().to_ascii_lowercase(),
            );
            (distance, action)
        })
        .min_by_key(|(distance, _)| *distance);
    match closest {
        Some((distance, action)) if distance <= 2.max(action.keyword().len() / 3) => {
            format!("did you mean `{action}`? {ACTION_HELP}")
        }
        _ => ACTION_HELP.to_string(),
    }
}

fn same_approver(one: &Approver, other: &Approver) -> bool {
    let key = comparison_key;
    match (one, other) {
        (Approver::Team(a), Approver::Team(b))
        | (Approver::User(a), Approver::User(b))
        | (Approver::Permission(a), Approver::Permission(b)) => key(a) == key(b),
        _ => false,
    }
}

/// The keyword that opens a statement of this kind.
fn keyword(kind: &RulesetStatementKind) -> &'static str {
    match kind {
        RulesetStatementKind::Description(_) => "description",
        RulesetStatementKind::Action(_) => "action",
        RulesetStatementKind::Environments(_) => "environments",
        RulesetStatementKind::Approvers(_) => "approvers",
        RulesetStatementKind::Require { .. } => "require",
        RulesetStatementKind::SelfApproval { .. } => "self_approval",
        RulesetStatementKind::ReapproveOnChange(_) => "reapprove_on_change",
        RulesetStatementKind::MaxAccessDuration(_) => "max_access_duration",
        RulesetStatementKind::MaxGrantExpiration(_) => "max_grant_expiration",
        RulesetStatementKind::Enabled(_) => "enabled",
    }
}
