//! Setting every span of a tree to [`Span::default`], so that two trees can be compared
//! for meaning alone (say, before and after formatting).

use crate::dsl::ast::*;
use crate::source::Span;

/// Sets every span in the file to `Span::default()`, comments' included.
pub fn strip_spans(file: &mut File) {
    for item in &mut file.items {
        match item {
            Item::Policy(block) => {
                strip_str(&mut block.name);
                block.span = Span::default();
                block.statements.iter_mut().for_each(strip_statement);
            }
            Item::Ruleset(block) => {
                strip_str(&mut block.name);
                block.span = Span::default();
                block
                    .statements
                    .iter_mut()
                    .for_each(strip_ruleset_statement);
            }
            Item::Test(block) => {
                strip_str(&mut block.name);
                block.span = Span::default();
                block.statements.iter_mut().for_each(strip_test_statement);
            }
        }
    }
    for comment in &mut file.comments {
        comment.span = Span::default();
    }
}

fn strip_statement(statement: &mut Statement) {
    match statement {
        Statement::Description { text, span } => {
            strip_str(text);
            *span = Span::default();
        }
        Statement::When { condition, span } => {
            strip_expr(condition);
            *span = Span::default();
        }
        Statement::Config { defaults, span } => {
            strip_expr(defaults);
            *span = Span::default();
        }
        Statement::Let { name, value, span } => {
            name.span = Span::default();
            strip_expr(value);
            *span = Span::default();
        }
        Statement::Rule(rule) => {
            rule.verdict.span = Span::default();
            if let Some(message) = &mut rule.message {
                strip_expr(message);
            }
            if let Some(each) = &mut rule.each {
                strip_for(each);
            }
            if let Some(condition) = &mut rule.condition {
                strip_expr(condition);
            }
            rule.span = Span::default();
        }
    }
}

fn strip_ruleset_statement(statement: &mut RulesetStatement) {
    statement.keyword.span = Span::default();
    statement.span = Span::default();
    match &mut statement.kind {
        RulesetStatementKind::Description(text) => strip_str(text),
        RulesetStatementKind::Action(names) => {
            for name in names {
                name.span = Span::default();
            }
        }
        RulesetStatementKind::Environments(globs) => globs.iter_mut().for_each(strip_str),
        RulesetStatementKind::Approvers(approvers) => {
            for approver in approvers {
                strip_str(&mut approver.value);
                approver.span = Span::default();
            }
        }
        RulesetStatementKind::Require { count_span, .. } => *count_span = Span::default(),
        RulesetStatementKind::MaxAccessDuration(duration)
        | RulesetStatementKind::MaxGrantExpiration(duration) => duration.span = Span::default(),
        RulesetStatementKind::SelfApproval { .. }
        | RulesetStatementKind::ReapproveOnChange(_)
        | RulesetStatementKind::Enabled(_) => {}
    }
}

fn strip_test_statement(statement: &mut TestStatement) {
    statement.span = Span::default();
    match &mut statement.kind {
        TestStatementKind::Input(TestInput::File(path)) => strip_str(path),
        TestStatementKind::Input(TestInput::Inline(value)) => strip_expr(value),
        TestStatementKind::Set { target, value } => {
            strip_expr(target);
            strip_expr(value);
        }
        TestStatementKind::Now(time) => strip_str(time),
        TestStatementKind::Expect(expectation) => match expectation {
            Expectation::Verdict(verdict) | Expectation::No(verdict) => {
                verdict.span = Span::default();
            }
            Expectation::Outcomes { count_span, .. } => *count_span = Span::default(),
            Expectation::MessageContains(text) | Expectation::MessageEquals(text) => {
                strip_str(text);
            }
            Expectation::Defaulted(_) => {}
        },
    }
}

fn strip_str(text: &mut StrLit) {
    text.span = Span::default();
}

fn strip_for(clause: &mut ForClause) {
    clause.variable.span = Span::default();
    strip_expr(&mut clause.iterable);
    clause.span = Span::default();
}

/// Strips an expression and everything in it.
pub fn strip_expr(expr: &mut Expr) {
    expr.span = Span::default();
    match &mut expr.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Duration { .. } => {}
        ExprKind::String(parts) => {
            for part in parts {
                if let TemplatePart::Interpolation(inner) = part {
                    strip_expr(inner);
                }
            }
        }
        ExprKind::Array(elements) => elements.iter_mut().for_each(strip_expr),
        ExprKind::Object(entries) => {
            for entry in entries {
                strip_str(&mut entry.key);
                strip_expr(&mut entry.value);
                entry.span = Span::default();
            }
        }
        ExprKind::Name(name) => name.span = Span::default(),
        ExprKind::Paren(inner) => strip_expr(inner),
        ExprKind::Path { base, accesses } => {
            strip_expr(base);
            for access in accesses {
                match access {
                    Access::Field(field) => field.span = Span::default(),
                    Access::Index { index, span } => {
                        strip_expr(index);
                        *span = Span::default();
                    }
                    Access::Each { span } => *span = Span::default(),
                }
            }
        }
        ExprKind::Unary { operand, .. } => strip_expr(operand),
        ExprKind::Binary { left, right, .. } => {
            strip_expr(left);
            strip_expr(right);
        }
        ExprKind::Call { function, args } => {
            function.span = Span::default();
            args.iter_mut().for_each(strip_expr);
        }
        ExprKind::Comprehension {
            element,
            each,
            condition,
            ..
        } => {
            strip_expr(element);
            strip_for(each);
            if let Some(condition) = condition {
                strip_expr(condition);
            }
        }
    }
}
