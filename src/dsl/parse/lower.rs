//! Lowering the parse tree of items and statements into the syntax tree: one function per
//! grammar rule, named after it. Expressions are in [`super::lower_expr`].
//!
//! Problems found here (a bad escape, an interpolated name, two statements on one line)
//! are collected, and the lowering carries on with a placeholder, so that one run reports
//! all of them.

use std::sync::Arc;

use pest::iterators::Pairs;

use super::Rule;
use super::tree::{Node, parts, span};
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{
    Approver, ApproverKind, Comment, DurationText, Expectation, Expr, File, ForClause, Ident, Item,
    PolicyBlock, Rule as RuleStatement, RulesetBlock, RulesetStatement, RulesetStatementKind,
    Statement, StrLit, TemplatePart, TestBlock, TestInput, TestStatement, TestStatementKind,
    VerdictKw,
};
use crate::source::{SourceFile, Span};
use crate::verdict::Verdict;

/// Lowers a whole file; `Err` holds every problem found.
pub(super) fn file(
    source: &Arc<SourceFile>,
    mut tree: Pairs<'_, Rule>,
    comments: Vec<Comment>,
) -> Result<File, Vec<Diagnostic>> {
    let mut lowering = Lowering::new(source);
    let items = match tree.next() {
        Some(file) => parts(&file)
            .iter()
            .filter(|node| node.as_rule() == Rule::item)
            .filter_map(|node| lowering.item(node))
            .collect(),
        None => Vec::new(),
    };
    if lowering.errors.is_empty() {
        Ok(File { items, comments })
    } else {
        Err(lowering.errors)
    }
}

/// The state of one lowering: the file, for diagnostics, and the problems found so far.
pub(super) struct Lowering<'s> {
    pub(super) source: &'s Arc<SourceFile>,
    pub(super) errors: Vec<Diagnostic>,
    /// Set once an expression has been reported as too deep, to report it only once.
    pub(super) reported_depth: bool,
}

impl<'s> Lowering<'s> {
    pub(super) fn new(source: &'s Arc<SourceFile>) -> Lowering<'s> {
        Lowering {
            source,
            errors: Vec::new(),
            reported_depth: false,
        }
    }

    /// A diagnostic pointing at `span` of this file.
    pub(super) fn at(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).at(self.source, span)
    }

    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    /// Reports a tree whose shape the grammar should have ruled out.
    pub(super) fn malformed(&mut self, node: &Node<'_>) {
        let what = format!("{:?}", node.as_rule());
        let diagnostic = self.at(
            span(node),
            format!("internal parser error: unexpected shape of `{what}`"),
        );
        self.report(diagnostic);
    }

    /// The `N` meaningful children of a node, or a report that the grammar let through a
    /// shape it should not have.
    pub(super) fn children<'i, const N: usize>(
        &mut self,
        node: &Node<'i>,
    ) -> Option<[Node<'i>; N]> {
        match parts(node).try_into() {
            Ok(children) => Some(children),
            Err(_) => {
                self.malformed(node);
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // items

    fn item(&mut self, node: &Node<'_>) -> Option<Item> {
        let inner = parts(node).into_iter().next()?;
        match inner.as_rule() {
            Rule::policy_block => self.policy_block(&inner).map(Item::Policy),
            Rule::ruleset_block => self.ruleset_block(&inner).map(Item::Ruleset),
            Rule::test_block => self.test_block(&inner).map(Item::Test),
            _ => {
                self.malformed(&inner);
                None
            }
        }
    }

    /// The name and statements of a block, shared by the three kinds.
    fn block<'i>(&mut self, node: &Node<'i>, what: &str) -> Option<(StrLit, Vec<Node<'i>>)> {
        let mut children = parts(node).into_iter();
        let _keyword = children.next()?;
        let name = children.next()?;
        let name = self.str_lit(&name, what);
        Some((name, children.collect()))
    }

    fn policy_block(&mut self, node: &Node<'_>) -> Option<PolicyBlock> {
        let (name, statements) = self.block(node, "policy name")?;
        let statements: Vec<Statement> = statements
            .iter()
            .filter_map(|statement| self.policy_statement(statement))
            .collect();
        self.check_separate_lines(statements.iter().map(Statement::span));
        Some(PolicyBlock {
            name,
            statements,
            span: span(node),
        })
    }

    fn ruleset_block(&mut self, node: &Node<'_>) -> Option<RulesetBlock> {
        let (name, statements) = self.block(node, "ruleset name")?;
        let statements: Vec<RulesetStatement> = statements
            .iter()
            .filter_map(|statement| self.ruleset_statement(statement))
            .collect();
        self.check_separate_lines(statements.iter().map(|statement| statement.span));
        Some(RulesetBlock {
            name,
            statements,
            span: span(node),
        })
    }

    fn test_block(&mut self, node: &Node<'_>) -> Option<TestBlock> {
        let (name, statements) = self.block(node, "test name")?;
        let statements: Vec<TestStatement> = statements
            .iter()
            .filter_map(|statement| self.test_statement(statement))
            .collect();
        self.check_separate_lines(statements.iter().map(|statement| statement.span));
        Some(TestBlock {
            name,
            statements,
            span: span(node),
        })
    }

    /// Statements end where the next begins, so the grammar alone would accept two on one
    /// line; the language wants each on its own.
    fn check_separate_lines(&mut self, spans: impl Iterator<Item = Span>) {
        let mut previous_end: Option<usize> = None;
        for statement in spans {
            if let Some(end) = previous_end {
                let (end_line, _) = self.source.line_column(end);
                let (start_line, _) = self.source.line_column(statement.start);
                if end_line == start_line {
                    let word = first_word(&self.source.text, statement.start);
                    let word_span = Span::new(statement.start, statement.start + word.len());
                    let diagnostic = self
                        .at(word_span, format!("expected a line break before `{word}`"))
                        .with_label("a new statement starts here")
                        .with_help("put each statement on its own line");
                    self.report(diagnostic);
                }
            }
            previous_end = Some(statement.end);
        }
    }

    // -----------------------------------------------------------------------------------
    // policy statements

    fn policy_statement(&mut self, node: &Node<'_>) -> Option<Statement> {
        let inner = parts(node).into_iter().next()?;
        let statement_span = span(&inner);
        match inner.as_rule() {
            Rule::description_statement => {
                let (_, text) = self.description_statement(&inner)?;
                Some(Statement::Description {
                    text,
                    span: statement_span,
                })
            }
            Rule::when_statement => self.when_statement(&inner),
            Rule::config_statement => self.config_statement(&inner),
            Rule::let_statement => self.let_statement(&inner),
            Rule::rule_statement => self.rule_statement(&inner).map(Statement::Rule),
            _ => {
                self.malformed(&inner);
                None
            }
        }
    }

    fn description_statement(&mut self, node: &Node<'_>) -> Option<(Ident, StrLit)> {
        let [keyword, text] = self.children(node)?;
        Some((ident(&keyword), self.str_lit(&text, "description")))
    }

    fn when_statement(&mut self, node: &Node<'_>) -> Option<Statement> {
        let [_when, condition] = self.children(node)?;
        Some(Statement::When {
            condition: self.expression(&condition),
            span: span(node),
        })
    }

    fn config_statement(&mut self, node: &Node<'_>) -> Option<Statement> {
        let [_config, defaults] = self.children(node)?;
        Some(Statement::Config {
            defaults: self.object(&defaults).expr,
            span: span(node),
        })
    }

    fn let_statement(&mut self, node: &Node<'_>) -> Option<Statement> {
        let [_let, name, value] = self.children(node)?;
        Some(Statement::Let {
            name: ident(&name),
            value: self.expression(&value),
            span: span(node),
        })
    }

    fn rule_statement(&mut self, node: &Node<'_>) -> Option<RuleStatement> {
        let mut rule = RuleStatement {
            verdict: VerdictKw {
                verdict: Verdict::Deny,
                span: Span::default(),
            },
            message: None,
            each: None,
            condition: None,
            span: span(node),
        };
        for part in parts(node) {
            match part.as_rule() {
                Rule::verdict => rule.verdict = self.verdict(&part)?,
                Rule::string => rule.message = Some(self.string(&part).expr),
                Rule::for_clause => rule.each = self.for_clause(&part),
                Rule::if_clause => rule.condition = self.if_clause(&part),
                _ => self.malformed(&part),
            }
        }
        Some(rule)
    }

    pub(super) fn for_clause(&mut self, node: &Node<'_>) -> Option<ForClause> {
        self.for_clause_with_depth(node).map(|(clause, _)| clause)
    }

    pub(super) fn if_clause(&mut self, node: &Node<'_>) -> Option<Expr> {
        self.if_clause_with_depth(node)
            .map(|(condition, _)| condition)
    }

    fn verdict(&mut self, node: &Node<'_>) -> Option<VerdictKw> {
        match Verdict::from_keyword(node.as_str()) {
            Some(verdict) => Some(VerdictKw {
                verdict,
                span: span(node),
            }),
            None => {
                self.malformed(node);
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // ruleset statements

    fn ruleset_statement(&mut self, node: &Node<'_>) -> Option<RulesetStatement> {
        let inner = parts(node).into_iter().next()?;
        let statement = parts(&inner);
        let (keyword, values) = statement.split_first()?;
        let kind = match inner.as_rule() {
            Rule::description_statement => {
                let (_, text) = self.description_statement(&inner)?;
                RulesetStatementKind::Description(text)
            }
            Rule::action_statement => {
                RulesetStatementKind::Action(values.iter().map(ident).collect())
            }
            Rule::environments_statement => RulesetStatementKind::Environments(
                values
                    .iter()
                    .map(|glob| self.str_lit(glob, "environment glob"))
                    .collect(),
            ),
            Rule::approvers_statement => RulesetStatementKind::Approvers(
                values
                    .iter()
                    .filter_map(|approver| self.approver(approver))
                    .collect(),
            ),
            Rule::require_statement => self.require_statement(&inner, values)?,
            Rule::self_approval_statement => RulesetStatementKind::SelfApproval {
                allowed: single_text(values) == Some("allowed"),
            },
            Rule::reapprove_statement => {
                RulesetStatementKind::ReapproveOnChange(single_text(values) == Some("true"))
            }
            Rule::enabled_statement => {
                RulesetStatementKind::Enabled(single_text(values) == Some("true"))
            }
            Rule::max_access_statement => {
                RulesetStatementKind::MaxAccessDuration(self.duration_value(&inner, values)?)
            }
            Rule::max_grant_statement => {
                RulesetStatementKind::MaxGrantExpiration(self.duration_value(&inner, values)?)
            }
            _ => {
                self.malformed(&inner);
                return None;
            }
        };
        Some(RulesetStatement {
            keyword: ident(keyword),
            kind,
            span: span(&inner),
        })
    }

    fn approver(&mut self, node: &Node<'_>) -> Option<Approver> {
        let [kind, value] = self.children(node)?;
        let kind = match kind.as_str() {
            "team" => ApproverKind::Team,
            "user" => ApproverKind::User,
            _ => ApproverKind::Permission,
        };
        Some(Approver {
            kind,
            value: self.str_lit(&value, "approver"),
            span: span(node),
        })
    }

    fn require_statement(
        &mut self,
        node: &Node<'_>,
        values: &[Node<'_>],
    ) -> Option<RulesetStatementKind> {
        match values {
            [count, _approvals] => {
                let count_span = span(count);
                let count = self.whole_number(count)?;
                Some(RulesetStatementKind::Require { count, count_span })
            }
            _ => {
                self.malformed(node);
                None
            }
        }
    }

    fn duration_value(&mut self, node: &Node<'_>, values: &[Node<'_>]) -> Option<DurationText> {
        let Some(value) = values
            .first()
            .and_then(|value| parts(value).into_iter().next())
        else {
            self.malformed(node);
            return None;
        };
        let text = match value.as_rule() {
            Rule::string => self.str_lit(&value, "duration").value,
            _ => value.as_str().to_string(),
        };
        Some(DurationText {
            text,
            span: span(&value),
        })
    }

    pub(super) fn whole_number(&mut self, node: &Node<'_>) -> Option<i64> {
        match super::literal::whole_number(node.as_str()) {
            Ok(number) => Some(number),
            Err(problem) => {
                let diagnostic = self
                    .at(span(node), problem.message)
                    .with_label("expected a whole number");
                self.report(diagnostic);
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // test statements

    fn test_statement(&mut self, node: &Node<'_>) -> Option<TestStatement> {
        let inner = parts(node).into_iter().next()?;
        let kind = match inner.as_rule() {
            Rule::input_statement => self.input_statement(&inner)?,
            Rule::set_statement => self.set_statement(&inner)?,
            Rule::now_statement => self.now_statement(&inner)?,
            Rule::expect_statement => TestStatementKind::Expect(self.expect_statement(&inner)?),
            _ => {
                self.malformed(&inner);
                return None;
            }
        };
        Some(TestStatement {
            kind,
            span: span(&inner),
        })
    }

    fn input_statement(&mut self, node: &Node<'_>) -> Option<TestStatementKind> {
        let [_keyword, value] = self.children(node)?;
        let input = match value.as_rule() {
            Rule::string => TestInput::File(self.str_lit(&value, "input path")),
            _ => TestInput::Inline(self.object(&value).expr),
        };
        Some(TestStatementKind::Input(input))
    }

    fn set_statement(&mut self, node: &Node<'_>) -> Option<TestStatementKind> {
        let [_keyword, target, value] = self.children(node)?;
        Some(TestStatementKind::Set {
            target: self.set_target(&target),
            value: self.expression(&value),
        })
    }

    fn now_statement(&mut self, node: &Node<'_>) -> Option<TestStatementKind> {
        let [_keyword, time] = self.children(node)?;
        Some(TestStatementKind::Now(self.str_lit(&time, "time")))
    }

    fn expect_statement(&mut self, node: &Node<'_>) -> Option<Expectation> {
        let [_keyword, expectation] = self.children(node)?;
        self.expectation(&expectation)
    }

    fn expectation(&mut self, node: &Node<'_>) -> Option<Expectation> {
        let inner = parts(node).into_iter().next()?;
        let values = parts(&inner);
        match (inner.as_rule(), values.as_slice()) {
            (Rule::verdict, _) => self.verdict(&inner).map(Expectation::Verdict),
            (Rule::expect_no, [_no, verdict]) => self.verdict(verdict).map(Expectation::No),
            (Rule::expect_outcomes, [_outcomes, count]) => Some(Expectation::Outcomes {
                count: self.whole_number(count)?,
                count_span: span(count),
            }),
            (Rule::expect_message, [_message, _contains, text]) => Some(
                Expectation::MessageContains(self.str_lit(text, "expected message")),
            ),
            // `==` is punctuation, so only the keyword and the text remain.
            (Rule::expect_message, [_message, text]) => Some(Expectation::MessageEquals(
                self.str_lit(text, "expected message"),
            )),
            (Rule::expect_defaulted, _) => Some(Expectation::Defaulted(true)),
            (Rule::expect_not_defaulted, _) => Some(Expectation::Defaulted(false)),
            _ => {
                self.malformed(&inner);
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // plain strings

    /// A string that may not interpolate: names, descriptions, globs, paths.
    pub(super) fn str_lit(&mut self, node: &Node<'_>, what: &str) -> StrLit {
        let string = self.string(node).expr;
        let node_span = span(node);
        let mut value = String::new();
        if let crate::dsl::ast::ExprKind::String(template) = string.kind {
            for part in template {
                match part {
                    TemplatePart::Text(text) => value.push_str(&text),
                    TemplatePart::Interpolation(expr) => {
                        let diagnostic = self
                            .at(
                                expr.span,
                                format!("{} {what} cannot contain `${{...}}`", article(what)),
                            )
                            .with_label("interpolation is not allowed here")
                            .with_help("write `\\${` for a literal `${`");
                        self.report(diagnostic);
                    }
                }
            }
        }
        StrLit {
            value,
            span: node_span,
        }
    }
}

/// A keyword or name token as an identifier.
pub(super) fn ident(node: &Node<'_>) -> Ident {
    Ident {
        name: node.as_str().to_string(),
        span: span(node),
    }
}

fn single_text<'a>(values: &'a [Node<'_>]) -> Option<&'a str> {
    match values {
        [value] => Some(value.as_str()),
        _ => None,
    }
}

/// The word starting at `at`, for messages that name a statement.
fn first_word(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or("")
}

/// `a` or `an`, by the first letter of the word that follows.
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}
