//! Laying out items and statements: one statement a line, a blank line between blocks,
//! rules of a run aligned in columns, and long rules broken where their author broke them.

use super::expr::quote;
use super::printer::Printer;
use crate::dsl::ast::{
    Approver, ApproverKind, Expectation, File, Item, PolicyBlock, Rule, RulesetBlock,
    RulesetStatement, RulesetStatementKind, Statement, StrLit, TestBlock, TestInput, TestStatement,
    TestStatementKind,
};
use crate::source::Span;

impl Printer<'_> {
    pub(super) fn file(&mut self, file: &File) {
        for item in &file.items {
            self.unit(0, item.span().start);
            match item {
                Item::Policy(block) => self.policy_block(block),
                Item::Ruleset(block) => self.ruleset_block(block),
                Item::Test(block) => self.test_block(block),
            }
            self.blank_line_due();
        }
    }

    /// `keyword "name" {`, the statements, `}`; `keyword "name" {}` when there is nothing
    /// inside, comments included.
    fn block<T>(
        &mut self,
        keyword: &str,
        name: &StrLit,
        span: Span,
        statements: &[T],
        mut print: impl FnMut(&mut Self, &[T], usize) -> usize,
        start_of: impl Fn(&T) -> usize,
    ) {
        self.write(keyword);
        self.write(" ");
        self.write(&quote(&name.value));
        self.mark(name.span.end);
        let close_at = span.end.saturating_sub(1);
        if statements.is_empty() && !self.comment_between(name.span.end, close_at) {
            self.write(" {}");
            self.mark(span.end);
            return;
        }
        self.write(" {");
        self.opened();
        let mut index = 0;
        while let Some(statement) = statements.get(index) {
            self.unit(1, start_of(statement));
            // A printer may take several statements at once (an aligned run of rules).
            index += print(self, statements.get(index..).unwrap_or(&[]), 1).max(1);
        }
        self.closing(0, close_at);
        self.write("}");
        self.mark(span.end);
    }

    // -----------------------------------------------------------------------------------
    // policies

    fn policy_block(&mut self, block: &PolicyBlock) {
        self.block(
            "policy",
            &block.name,
            block.span,
            &block.statements,
            |printer, rest, indent| printer.policy_statements(rest, indent),
            |statement| statement.span().start,
        );
    }

    /// Prints the first of `statements`, or the run of aligned rules it starts; returns
    /// how many it printed.
    fn policy_statements(&mut self, statements: &[Statement], indent: usize) -> usize {
        let Some(first) = statements.first() else {
            return 0;
        };
        let run = self.rule_run(statements);
        if !run.is_empty() {
            self.aligned_rules(&run, indent);
            return run.len();
        }
        match first {
            Statement::Description { text, .. } => {
                self.write("description ");
                self.write(&quote(&text.value));
            }
            Statement::When { condition, .. } => {
                self.write("when ");
                self.expr(condition);
            }
            Statement::Config { defaults, .. } => {
                self.write("config ");
                self.expr(defaults);
            }
            Statement::Let { name, value, .. } => {
                self.write("let ");
                self.write(&name.name);
                self.write(" = ");
                self.expr(value);
            }
            Statement::Rule(rule) => self.broken_rule(rule, indent),
        }
        self.mark(first.span().end);
        1
    }

    /// The rules at the start of `statements` that form a run to align: each printed on
    /// one line, with nothing but a line break between them. Comments from inside a rule
    /// move above it, so they end a run as an own-line comment would; this keeps runs the
    /// same when formatted text is formatted again.
    fn rule_run<'s>(&self, statements: &'s [Statement]) -> Vec<&'s Rule> {
        let mut run: Vec<&Rule> = Vec::new();
        for statement in statements {
            let Statement::Rule(rule) = statement else {
                break;
            };
            if !self.prints_on_one_line(rule) {
                break;
            }
            if let Some(previous) = run.last()
                && (self.blank_line_between(previous.span.end, rule.span.start)
                    || self.comment_line_between(previous.span.end, rule.span.start)
                    || self.comment_between(rule.span.start, rule.span.end))
            {
                break;
            }
            run.push(rule);
        }
        run
    }

    fn prints_on_one_line(&self, rule: &Rule) -> bool {
        let mut scratch = Printer::new(self.source, &[]);
        scratch.broken_rule(rule, 0);
        scratch.on_one_line()
    }

    fn blank_line_between(&self, from: usize, to: usize) -> bool {
        self.source
            .get(from..to)
            .is_some_and(|text| text.matches('\n').count() > 1)
    }

    /// Rules on single lines, their verdicts, messages and clauses in columns:
    ///
    /// ```text
    /// deny    "over the hard limit" if diff > config.hardLimit
    /// pending "needs an approver"   if count(others) == 0
    /// ```
    fn aligned_rules(&mut self, run: &[&Rule], indent: usize) {
        let verdict_width = run
            .iter()
            .map(|rule| rule.verdict.verdict.as_str().len())
            .max()
            .unwrap_or(0);
        let message_width = run
            .iter()
            .filter_map(|rule| rule.message.as_ref())
            .map(super::flat_width)
            .max()
            .unwrap_or(0);
        for (index, rule) in run.iter().enumerate() {
            if index > 0 {
                self.unit(indent, rule.span.start);
            }
            let start = self.line_text().chars().count();
            self.write(rule.verdict.verdict.as_str());
            self.mark(rule.verdict.span.end);
            let has_clauses = rule.each.is_some() || rule.condition.is_some();
            if rule.message.is_some() || (has_clauses && message_width > 0) {
                self.pad_to(start + verdict_width + 1);
            }
            if let Some(message) = &rule.message {
                self.expr(message);
            }
            if has_clauses {
                let column = match message_width {
                    0 => verdict_width + 1,
                    width => verdict_width + 1 + width + 1,
                };
                self.pad_to(start + column);
                self.rule_clauses(rule, None);
            }
            self.mark(rule.span.end);
        }
    }

    fn pad_to(&mut self, column: usize) {
        let length = self.line_text().chars().count();
        self.write(&" ".repeat(column.saturating_sub(length).max(1)));
    }

    /// A rule on its own, its `for` and `if` on continuation lines when its author put
    /// them there.
    fn broken_rule(&mut self, rule: &Rule, indent: usize) {
        self.write(rule.verdict.verdict.as_str());
        self.mark(rule.verdict.span.end);
        if let Some(message) = &rule.message {
            self.write(" ");
            self.expr(message);
        }
        if rule.each.is_none() && rule.condition.is_none() {
            return;
        }
        let head_end = rule
            .message
            .as_ref()
            .map_or(rule.verdict.span.end, |message| message.span.end);
        let first_clause = rule
            .each
            .as_ref()
            .map(|each| each.span.start)
            .or(rule
                .condition
                .as_ref()
                .map(|condition| condition.span.start))
            .unwrap_or(head_end);
        let between_clauses = match (&rule.each, &rule.condition) {
            (Some(each), Some(condition)) => self.broken(each.span.end, condition.span.start),
            _ => false,
        };
        let broken = self.broken(head_end, first_clause) || between_clauses;
        if broken {
            self.rule_clauses(rule, Some(indent + 1));
        } else {
            self.write(" ");
            self.rule_clauses(rule, None);
        }
    }

    /// `for r in xs if cond`, on one line or, given an indentation, on continuation lines.
    fn rule_clauses(&mut self, rule: &Rule, continuation: Option<usize>) {
        if let Some(each) = &rule.each {
            if let Some(indent) = continuation {
                self.continuation(indent, each.span.start);
            }
            self.for_clause(each);
            self.mark(each.span.end);
        }
        if let Some(condition) = &rule.condition {
            match continuation {
                Some(indent) => self.continuation(indent, condition.span.start),
                None if rule.each.is_some() => self.write(" "),
                None => {}
            }
            self.write("if ");
            self.expr(condition);
        }
    }

    // -----------------------------------------------------------------------------------
    // rulesets

    fn ruleset_block(&mut self, block: &RulesetBlock) {
        self.block(
            "ruleset",
            &block.name,
            block.span,
            &block.statements,
            |printer, rest, _| {
                if let Some(statement) = rest.first() {
                    printer.ruleset_statement(statement);
                }
                1
            },
            |statement| statement.span.start,
        );
    }

    fn ruleset_statement(&mut self, statement: &RulesetStatement) {
        match &statement.kind {
            RulesetStatementKind::Description(text) => {
                self.write("description ");
                self.write(&quote(&text.value));
            }
            RulesetStatementKind::Action(names) => {
                let names: Vec<&str> = names.iter().map(|name| name.name.as_str()).collect();
                self.write(&format!("action {}", names.join(", ")));
            }
            RulesetStatementKind::Environments(globs) => {
                let globs: Vec<String> = globs.iter().map(|glob| quote(&glob.value)).collect();
                self.write(&format!("environments {}", globs.join(", ")));
            }
            RulesetStatementKind::Approvers(approvers) => {
                let approvers: Vec<String> = approvers.iter().map(approver).collect();
                self.write(&format!("approvers {}", approvers.join(", ")));
            }
            RulesetStatementKind::Require { count, .. } => {
                let noun = if *count == 1 { "approval" } else { "approvals" };
                self.write(&format!("require {count} {noun}"));
            }
            RulesetStatementKind::SelfApproval { allowed } => {
                let value = if *allowed { "allowed" } else { "denied" };
                self.write(&format!("self_approval {value}"));
            }
            RulesetStatementKind::ReapproveOnChange(value) => {
                self.write(&format!("reapprove_on_change {value}"));
            }
            RulesetStatementKind::MaxAccessDuration(duration) => {
                self.write(&format!(
                    "max_access_duration {}",
                    duration_text(&duration.text)
                ));
            }
            RulesetStatementKind::MaxGrantExpiration(duration) => {
                self.write(&format!(
                    "max_grant_expiration {}",
                    duration_text(&duration.text)
                ));
            }
            RulesetStatementKind::Enabled(value) => self.write(&format!("enabled {value}")),
        }
        self.mark(statement.span.end);
    }

    // -----------------------------------------------------------------------------------
    // tests

    fn test_block(&mut self, block: &TestBlock) {
        self.block(
            "test",
            &block.name,
            block.span,
            &block.statements,
            |printer, rest, _| {
                if let Some(statement) = rest.first() {
                    printer.test_statement(statement);
                }
                1
            },
            |statement| statement.span.start,
        );
    }

    fn test_statement(&mut self, statement: &TestStatement) {
        match &statement.kind {
            TestStatementKind::Input(TestInput::File(path)) => {
                self.write("input ");
                self.write(&quote(&path.value));
            }
            TestStatementKind::Input(TestInput::Inline(value)) => {
                self.write("input ");
                self.expr(value);
            }
            TestStatementKind::Set { target, value } => {
                self.write("set ");
                self.expr(target);
                self.write(" = ");
                self.expr(value);
            }
            TestStatementKind::Now(time) => {
                self.write("now ");
                self.write(&quote(&time.value));
            }
            TestStatementKind::Expect(expectation) => {
                self.write("expect ");
                self.write(&expectation_text(expectation));
            }
        }
        self.mark(statement.span.end);
    }
}

fn approver(approver: &Approver) -> String {
    let kind = match approver.kind {
        ApproverKind::Team => "team",
        ApproverKind::User => "user",
        ApproverKind::Permission => "permission",
    };
    format!("{kind} {}", quote(&approver.value.value))
}

/// A ruleset duration: bare when it reads back as one token (`4h`), quoted otherwise
/// (`"PT4H"`).
fn duration_text(text: &str) -> String {
    if crate::dsl::parse::is_bare_duration(text) {
        text.to_string()
    } else {
        quote(text)
    }
}

fn expectation_text(expectation: &Expectation) -> String {
    match expectation {
        Expectation::Verdict(verdict) => verdict.verdict.to_string(),
        Expectation::No(verdict) => format!("no {}", verdict.verdict),
        Expectation::Outcomes { count, .. } => format!("outcomes {count}"),
        Expectation::MessageContains(text) => format!("message contains {}", quote(&text.value)),
        Expectation::MessageEquals(text) => format!("message == {}", quote(&text.value)),
        Expectation::Defaulted(true) => "defaulted".to_string(),
        Expectation::Defaulted(false) => "not defaulted".to_string(),
    }
}
