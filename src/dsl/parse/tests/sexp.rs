//! A compact rendering of the syntax tree for tests: `(== a.b 1)` reads faster than a
//! `Debug` dump, and shows grouping and node kinds without spans.

use crate::dsl::ast::*;

pub fn file(file: &File) -> String {
    file.items.iter().map(item).collect::<Vec<_>>().join("\n")
}

fn item(item: &Item) -> String {
    let (keyword, name, statements): (&str, &StrLit, Vec<String>) = match item {
        Item::Policy(block) => (
            "policy",
            &block.name,
            block.statements.iter().map(statement).collect(),
        ),
        Item::Ruleset(block) => (
            "ruleset",
            &block.name,
            block.statements.iter().map(ruleset_statement).collect(),
        ),
        Item::Test(block) => (
            "test",
            &block.name,
            block.statements.iter().map(test_statement).collect(),
        ),
    };
    let mut out = format!("({keyword} {:?}", name.value);
    for statement in statements {
        out.push_str("\n  ");
        out.push_str(&statement);
    }
    out.push(')');
    out
}

pub fn statement(statement: &Statement) -> String {
    match statement {
        Statement::Description { text, .. } => format!("(description {:?})", text.value),
        Statement::When { condition, .. } => format!("(when {})", expr(condition)),
        Statement::Config { defaults, .. } => format!("(config {})", expr(defaults)),
        Statement::Let { name, value, .. } => format!("(let {} {})", name.name, expr(value)),
        Statement::Rule(rule) => {
            let mut out = format!("({}", rule.verdict.verdict);
            if let Some(message) = &rule.message {
                out.push(' ');
                out.push_str(&expr(message));
            }
            if let Some(each) = &rule.each {
                out.push(' ');
                out.push_str(&for_clause(each));
            }
            if let Some(condition) = &rule.condition {
                out.push_str(&format!(" (if {})", expr(condition)));
            }
            out.push(')');
            out
        }
    }
}

fn for_clause(clause: &ForClause) -> String {
    format!("(for {} {})", clause.variable.name, expr(&clause.iterable))
}

fn ruleset_statement(statement: &RulesetStatement) -> String {
    let keyword = &statement.keyword.name;
    let values = match &statement.kind {
        RulesetStatementKind::Description(text) => format!("{:?}", text.value),
        RulesetStatementKind::Action(names) => names
            .iter()
            .map(|name| name.name.clone())
            .collect::<Vec<_>>()
            .join(" "),
        RulesetStatementKind::Environments(globs) => globs
            .iter()
            .map(|glob| format!("{:?}", glob.value))
            .collect::<Vec<_>>()
            .join(" "),
        RulesetStatementKind::Approvers(approvers) => approvers
            .iter()
            .map(|approver| {
                let kind = match approver.kind {
                    ApproverKind::Team => "team",
                    ApproverKind::User => "user",
                    ApproverKind::Permission => "permission",
                };
                format!("({kind} {:?})", approver.value.value)
            })
            .collect::<Vec<_>>()
            .join(" "),
        RulesetStatementKind::Require { count, .. } => count.to_string(),
        RulesetStatementKind::SelfApproval { allowed } => {
            if *allowed { "allowed" } else { "denied" }.to_string()
        }
        RulesetStatementKind::ReapproveOnChange(flag) | RulesetStatementKind::Enabled(flag) => {
            flag.to_string()
        }
        RulesetStatementKind::MaxAccessDuration(duration)
        | RulesetStatementKind::MaxGrantExpiration(duration) => format!("{:?}", duration.text),
    };
    format!("({keyword} {values})")
}

fn test_statement(statement: &TestStatement) -> String {
    match &statement.kind {
        TestStatementKind::Input(TestInput::File(path)) => format!("(input {:?})", path.value),
        TestStatementKind::Input(TestInput::Inline(value)) => format!("(input {})", expr(value)),
        TestStatementKind::Set { target, value } => {
            format!("(set {} {})", expr(target), expr(value))
        }
        TestStatementKind::Now(time) => format!("(now {:?})", time.value),
        TestStatementKind::Expect(expectation) => {
            let what = match expectation {
                Expectation::Verdict(verdict) => verdict.verdict.to_string(),
                Expectation::No(verdict) => format!("no {}", verdict.verdict),
                Expectation::Outcomes { count, .. } => format!("outcomes {count}"),
                Expectation::MessageContains(text) => format!("message contains {:?}", text.value),
                Expectation::MessageEquals(text) => format!("message == {:?}", text.value),
                Expectation::Defaulted(true) => "defaulted".to_string(),
                Expectation::Defaulted(false) => "not defaulted".to_string(),
            };
            format!("(expect {what})")
        }
    }
}

pub fn expr(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Null => "null".to_string(),
        ExprKind::Bool(value) => value.to_string(),
        ExprKind::Number(value) => value.to_string(),
        ExprKind::String(parts) => match parts.as_slice() {
            [TemplatePart::Text(text)] => format!("{text:?}"),
            parts => {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|part| match part {
                        TemplatePart::Text(text) => format!("{text:?}"),
                        TemplatePart::Interpolation(inner) => self::expr(inner),
                    })
                    .collect();
                format!("(str {})", parts.join(" "))
            }
        },
        ExprKind::Duration { text, millis } => format!("(duration {text} {millis})"),
        ExprKind::Array(elements) => format!("[{}]", list(elements)),
        ExprKind::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|entry| {
                    let key = if entry.quoted {
                        format!("{:?}", entry.key.value)
                    } else {
                        entry.key.value.clone()
                    };
                    format!("{key}: {}", self::expr(&entry.value))
                })
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Paren(inner) => format!("(paren {})", self::expr(inner)),
        ExprKind::Path { base, accesses } => {
            let accesses: Vec<String> = accesses
                .iter()
                .map(|access| match access {
                    Access::Field(field) => format!(".{}", field.name),
                    Access::Index { index, .. } => format!("[{}]", self::expr(index)),
                    Access::Each { .. } => "[*]".to_string(),
                })
                .collect();
            format!("(path {} {})", self::expr(base), accesses.join(" "))
        }
        ExprKind::Unary { op, operand } => {
            let op = match op {
                UnaryOp::Not => "not",
                UnaryOp::Neg => "neg",
            };
            format!("({op} {})", self::expr(operand))
        }
        ExprKind::Binary { op, left, right } => format!(
            "({} {} {})",
            op.symbol().replace(' ', "-"),
            self::expr(left),
            self::expr(right)
        ),
        ExprKind::Call { function, args } => {
            if args.is_empty() {
                format!("(call {})", function.name)
            } else {
                format!("(call {} {})", function.name, list(args))
            }
        }
        ExprKind::Comprehension {
            kind,
            element,
            each,
            condition,
        } => {
            let name = kind.function_name().unwrap_or("list");
            let mut out = format!("({name} {} {}", self::expr(element), for_clause(each));
            if let Some(condition) = condition {
                out.push_str(&format!(" (if {})", self::expr(condition)));
            }
            out.push(')');
            out
        }
    }
}

fn list(exprs: &[Expr]) -> String {
    exprs.iter().map(expr).collect::<Vec<_>>().join(" ")
}
