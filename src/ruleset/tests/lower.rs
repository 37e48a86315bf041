//! Lowering ruleset blocks and their static checks, on syntax trees built over real text.

use std::sync::Arc;

use crate::dsl::ast::{
    self, ApproverKind, DurationText, Ident, RulesetBlock, RulesetStatement,
    RulesetStatementKind as Kind, StrLit,
};
use crate::source::{SourceFile, Span};

use super::*;
use RulesetAction::*;

/// A source text and the spans of pieces of it, so syntax trees point at real text.
struct Text {
    source: Arc<SourceFile>,
}

impl Text {
    fn new(text: &str) -> Text {
        Text {
            source: SourceFile::new("rules.policy", text),
        }
    }

    /// The span of the first `needle` at or after `from`.
    fn find(&self, from: usize, needle: &str) -> Span {
        let start = from + self.source.text[from..].find(needle).unwrap();
        Span::new(start, start + needle.len())
    }

    fn string(&self, from: usize, value: &str) -> StrLit {
        let quoted = self.find(from, &format!("\"{value}\""));
        StrLit {
            value: value.to_string(),
            span: quoted,
        }
    }

    /// A statement over the line `line`; `kind` gets the line's span to find its parts in.
    fn statement(&self, line: &str, kind: impl FnOnce(&Text, usize) -> Kind) -> RulesetStatement {
        let span = self.find(0, line);
        let word = line.split_whitespace().next().unwrap();
        RulesetStatement {
            keyword: Ident {
                name: word.to_string(),
                span: Span::new(span.start, span.start + word.len()),
            },
            kind: kind(self, span.start),
            span,
        }
    }

    fn block(&self, name: &str, statements: Vec<RulesetStatement>) -> RulesetBlock {
        RulesetBlock {
            name: self.string(0, name),
            statements,
            span: Span::new(0, self.source.text.len()),
        }
    }

    fn lower(&self, block: &RulesetBlock) -> Result<Ruleset, Vec<String>> {
        lower(block, &self.source).map_err(|diagnostics| {
            diagnostics
                .iter()
                .map(|d| {
                    let help = d
                        .help
                        .as_deref()
                        .map(|h| format!(" [help: {h}]"))
                        .unwrap_or_default();
                    format!("{}{help}", d.one_line())
                })
                .collect()
        })
    }
}

fn actions(text: &Text, from: usize, names: &[&str]) -> Kind {
    Kind::Action(
        names
            .iter()
            .map(|name| Ident {
                name: name.to_string(),
                span: text.find(from + "action".len(), name),
            })
            .collect(),
    )
}

fn duration(text: &Text, from: usize, value: &str) -> DurationText {
    DurationText {
        text: value.to_string(),
        span: text.find(from, value),
    }
}

const PROD_OPEN: &str = r#"ruleset "prod-open" {
  description "JIT access to production"
  action open
  environments "acme/*/prod", "acme/*/prod-*"
  approvers team "sre", user "carol@acme.io", permission "env:admin"
  require 2 approvals
  self_approval denied
  reapprove_on_change true
  max_access_duration 4h
  max_grant_expiration 24h
}"#;

#[test]
fn the_specification_example_lowers_with_every_statement() {
    let text = Text::new(PROD_OPEN);
    let approver = |t: &Text, from: usize, kind, value: &str| {
        let value = t.string(from, value);
        ast::Approver {
            kind,
            span: value.span,
            value,
        }
    };
    let block = text.block(
        "prod-open",
        vec![
            text.statement(r#"description "JIT"#, |t, from| {
                Kind::Description(t.string(from, "JIT access to production"))
            }),
            text.statement("action open", |t, from| actions(t, from, &["open"])),
            text.statement("environments", |t, from| {
                Kind::Environments(vec![
                    t.string(from, "acme/*/prod"),
                    t.string(from, "acme/*/prod-*"),
                ])
            }),
            text.statement("approvers", |t, from| {
                Kind::Approvers(vec![
                    approver(t, from, ApproverKind::Team, "sre"),
                    approver(t, from, ApproverKind::User, "carol@acme.io"),
                    approver(t, from, ApproverKind::Permission, "env:admin"),
                ])
            }),
            text.statement("require 2 approvals", |t, from| Kind::Require {
                count: 2,
                count_span: t.find(from, "2"),
            }),
            text.statement("self_approval denied", |_, _| Kind::SelfApproval {
                allowed: false,
            }),
            text.statement("reapprove_on_change true", |_, _| {
                Kind::ReapproveOnChange(true)
            }),
            text.statement("max_access_duration 4h", |t, from| {
                Kind::MaxAccessDuration(duration(t, from, "4h"))
            }),
            text.statement("max_grant_expiration 24h", |t, from| {
                Kind::MaxGrantExpiration(duration(t, from, "24h"))
            }),
        ],
    );
    let ruleset = text.lower(&block).unwrap();
    assert_eq!(ruleset.name, "prod-open");
    assert_eq!(ruleset.location.to_string(), "rules.policy:1:1");
    assert_eq!(
        ruleset.description.as_deref(),
        Some("JIT access to production")
    );
    assert_eq!(ruleset.actions, [Open]);
    assert_eq!(
        ruleset.environments.as_ref().unwrap().patterns(),
        ["acme/*/prod", "acme/*/prod-*"]
    );
    assert_eq!(
        ruleset.approvers,
        [team("sre"), user("carol@acme.io"), permission("env:admin")]
    );
    assert_eq!(ruleset.required, 2);
    assert!(!ruleset.self_approval_allowed);
    assert!(ruleset.reapprove_on_change);
    let access = ruleset.max_access_duration.unwrap();
    assert_eq!(access.limit, chrono::TimeDelta::hours(4));
    assert_eq!(access.location.to_string(), "rules.policy:9:23");
    assert_eq!(
        ruleset.max_grant_expiration.unwrap().limit,
        chrono::TimeDelta::hours(24)
    );
    assert!(ruleset.enabled);
}

#[test]
fn defaults_fill_what_a_ruleset_leaves_out() {
    let text = Text::new("ruleset \"d\" {\n  action destroy\n}");
    let block = text.block(
        "d",
        vec![text.statement("action destroy", |t, from| actions(t, from, &["destroy"]))],
    );
    let ruleset = text.lower(&block).unwrap();
    assert_eq!(ruleset.required, 1);
    assert!(!ruleset.self_approval_allowed);
    assert!(ruleset.reapprove_on_change);
    assert!(ruleset.enabled);
    assert!(ruleset.environments.is_none());
    assert!(ruleset.approvers.is_empty());
}

#[test]
fn every_static_problem_is_reported_where_it_is() {
    let source = r#"ruleset "bad" {
  action open, updat, Destroy, write
  require 0 approvals
  max_access_duration 4x
  max_grant_expiration 0s
  environments "acme/[*/prod"
  require 2 approvals
}"#;
    let text = Text::new(source);
    let block = text.block(
        "bad",
        vec![
            text.statement("action open", |t, from| {
                actions(t, from, &["open", "updat", "Destroy", "write"])
            }),
            text.statement("require 0", |t, from| Kind::Require {
                count: 0,
                count_span: t.find(from, "0"),
            }),
            text.statement("max_access_duration", |t, from| {
                Kind::MaxAccessDuration(duration(t, from, "4x"))
            }),
            text.statement("max_grant_expiration", |t, from| {
                Kind::MaxGrantExpiration(duration(t, from, "0s"))
            }),
            text.statement("environments", |t, from| {
                Kind::Environments(vec![t.string(from, "acme/[*/prod")])
            }),
            text.statement("require 2", |t, from| Kind::Require {
                count: 2,
                count_span: t.find(from, "2"),
            }),
        ],
    );
    assert_eq!(
        text.lower(&block).unwrap_err(),
        [
            "rules.policy:2:16: unknown action `updat` [help: did you mean `update`? actions are open, update, deploy, destroy, deployResume and destroyResume]",
            "rules.policy:2:23: unknown action `Destroy` [help: did you mean `destroy`? actions are open, update, deploy, destroy, deployResume and destroyResume]",
            "rules.policy:2:32: unknown action `write` [help: `update` gates both change requests and direct writes]",
            "rules.policy:3:11: `require` needs at least one approval, not `0` [help: to let a request through without approval, leave its action out of the ruleset]",
            "rules.policy:4:23: `4x` is not a duration [help: write a duration such as `30m`, `4h`, `1h30m`, `1d`, `1w` or ISO 8601 `PT4H`]",
            "rules.policy:5:24: `max_grant_expiration` must be longer than zero",
            "rules.policy:6:16: `acme/[*/prod` is not a valid glob: unclosed character class; missing ']' [help: globs match `org/project/env`; `*` matches within one segment]",
            "rules.policy:7:3: `require` is given twice in ruleset `bad` [help: keep one `require` statement (the other is at rules.policy:3:3)]",
        ]
    );
}

#[test]
fn a_negative_count_and_a_missing_action_are_errors() {
    let text = Text::new("ruleset \"n\" {\n  require -1 approvals\n}");
    let block = text.block(
        "n",
        vec![text.statement("require -1", |t, from| Kind::Require {
            count: -1,
            count_span: t.find(from, "-1"),
        })],
    );
    assert_eq!(
        text.lower(&block).unwrap_err(),
        [
            "rules.policy:2:11: `require` needs at least one approval, not `-1` [help: to let a request through without approval, leave its action out of the ruleset]",
            "rules.policy:1:9: ruleset `n` has no `action` [help: add `action open`, `action update` or an env0 action such as `action deploy`]",
        ]
    );
}

#[test]
fn an_open_request_action_is_pointed_to_open() {
    let text = Text::new("ruleset \"o\" {\n  action open-request\n}");
    let block = text.block(
        "o",
        vec![text.statement("action open-request", |t, from| {
            actions(t, from, &["open-request"])
        })],
    );
    let errors = text.lower(&block).unwrap_err();
    assert_eq!(
        errors,
        [
            "rules.policy:2:10: unknown action `open-request` [help: `open` gates both opening and open requests]"
        ]
    );
}
