//! One policy block to one Rego module: its `when` guards as `applies`, its `config`, its
//! `let`s as rules of the package, and each rule as a definition of the partial set of its
//! verdict, each preceded by the statement it came from.

use std::collections::HashMap;
use std::sync::Arc;

use super::literal;
use super::names::{self, Names};
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{Expr, ExprKind, ForClause, Ident, PolicyBlock, Rule, Statement};
use crate::source::{SourceFile, Span};

/// A Rego expression and what the emitter knows of it.
#[derive(Clone, Debug)]
pub struct Term {
    pub text: String,
    /// Always `true` or `false`: usable as a statement of a body as it is.
    pub boolean: bool,
    /// A literal, a variable or a path into one: cheap enough to write twice.
    pub cheap: bool,
}

impl Term {
    pub fn value(text: String) -> Term {
        Term {
            text,
            boolean: false,
            cheap: false,
        }
    }

    pub fn boolean(text: String) -> Term {
        Term {
            text,
            boolean: true,
            cheap: false,
        }
    }

    pub fn cheap(text: String) -> Term {
        Term {
            text,
            boolean: false,
            cheap: true,
        }
    }
}

/// The statements of a Rego body being written, in order.
pub type Body = Vec<String>;

/// The state of compiling one policy.
pub struct Emitter<'a> {
    pub source: &'a Arc<SourceFile>,
    pub policy_name: &'a str,
    pub names: Names,
    /// The `let`s defined so far, by their name in the policy, with their rule's name.
    pub lets: HashMap<String, String>,
    /// The loop variables in scope, innermost last: the name in the policy and in Rego.
    pub locals: Vec<(String, String)>,
    /// The Rego names of the loop variables in scope or being bound, which no other loop
    /// variable may take.
    in_use: Vec<String>,
    pub uses_config: bool,
    pub uses_fn: bool,
    pub diagnostics: Vec<Diagnostic>,
}

/// The parts of a module, in the order they are written.
#[derive(Default)]
struct Sections {
    guards: Vec<(String, Body)>,
    config: Option<(String, String)>,
    definitions: Vec<String>,
}

impl<'a> Emitter<'a> {
    pub fn new(block: &'a PolicyBlock, source: &'a Arc<SourceFile>) -> Emitter<'a> {
        let mut names = Names::default();
        for statement in &block.statements {
            for variable in loop_variables(statement) {
                names.take(&variable);
            }
        }
        Emitter {
            source,
            policy_name: &block.name.value,
            names,
            lets: HashMap::new(),
            locals: Vec::new(),
            in_use: Vec::new(),
            uses_config: false,
            uses_fn: false,
            diagnostics: Vec::new(),
        }
    }

    /// The module of the policy, under `package`; or what cannot be expressed in Rego.
    pub fn module(mut self, block: &PolicyBlock, package: &str) -> Result<String, Vec<Diagnostic>> {
        let let_rules = self.name_lets(block);
        let mut sections = Sections::default();
        for statement in &block.statements {
            match statement {
                Statement::Description { .. } => {}
                Statement::When { condition, span } => {
                    let mut body = Body::new();
                    self.condition(condition, &mut body);
                    sections.guards.push((self.quoted(*span), body));
                }
                Statement::Config { defaults, span } => {
                    let mut body = Body::new();
                    let defaults = self.term(defaults, &mut body);
                    sections.config = Some((self.quoted(*span), defaults.text));
                }
                Statement::Let { name, value, span } => {
                    let rule = let_rules.get(&name.name).cloned().unwrap_or_default();
                    let definition = self.let_rule(&rule, value, *span);
                    self.lets.insert(name.name.clone(), rule);
                    sections.definitions.push(definition);
                }
                Statement::Rule(rule) => {
                    let definition = self.verdict_rule(rule, !sections.guards.is_empty());
                    sections.definitions.push(definition);
                }
            }
        }
        if !self.diagnostics.is_empty() {
            return Err(self.diagnostics);
        }
        Ok(self.assemble(block, package, sections))
    }

    /// Gives every `let` the name of its rule, before any statement is compiled, so that
    /// loop variables and temporaries never take one.
    fn name_lets(&mut self, block: &PolicyBlock) -> HashMap<String, String> {
        let mut rules = HashMap::new();
        for statement in &block.statements {
            if let Statement::Let { name, .. } = statement
                && !rules.contains_key(&name.name)
            {
                rules.insert(name.name.clone(), self.names.fresh(&name.name));
            }
        }
        rules
    }

    fn let_rule(&mut self, rule: &str, value: &Expr, span: Span) -> String {
        let mut body = Body::new();
        let term = self.term(value, &mut body);
        let comment = self.quoted(span);
        if body.is_empty() {
            return format!("{comment}{rule} := {}\n", term.text);
        }
        let result = self.names.fresh("value");
        body.push(format!("{result} := {}", term.text));
        format!("{comment}{rule} := {result} if {}\n", block_text(&body))
    }

    /// `VERDICT contains msg if { applies; some x in ...; condition; msg := ... }`.
    fn verdict_rule(&mut self, rule: &Rule, guarded: bool) -> String {
        let mut body = Body::new();
        if guarded {
            body.push("applies".to_string());
        }
        let bound = rule
            .each
            .as_ref()
            .map(|each| self.for_clause(each, &mut body));
        if let Some(condition) = &rule.condition {
            self.condition(condition, &mut body);
        }
        let message = match &rule.message {
            Some(message) => self.term(message, &mut body).text,
            None => literal::string(&self.default_message(rule)),
        };
        if bound.is_some() {
            self.leave_local();
        }
        body.push(format!("msg := {message}"));
        format!(
            "{}{} contains msg if {}\n",
            self.quoted(rule.span),
            rule.verdict.verdict.as_str(),
            block_text(&body)
        )
    }

    /// `for x in xs` of a rule: binds `x` (popped by the caller) and adds its generator.
    fn for_clause(&mut self, each: &ForClause, body: &mut Body) -> String {
        let variable = self.reserve_local(&each.variable);
        let items = self.term(&each.iterable, body);
        self.enter_local(&each.variable, &variable);
        body.push(format!("some {variable} in lib.items({})", items.text));
        variable
    }

    /// `"<policy>: <verdict> rule at line N"`, as the policy language words it.
    fn default_message(&self, rule: &Rule) -> String {
        let line = self.source.location(rule.span.start).line;
        format!(
            "{}: {} rule at line {line}",
            self.policy_name, rule.verdict.verdict
        )
    }

    /// Chooses the Rego name of a loop variable before its iterable is compiled, so that no
    /// variable bound inside the iterable takes it; [`Emitter::enter_local`] then brings it
    /// into scope, and [`Emitter::leave_local`] ends both.
    pub fn reserve_local(&mut self, variable: &Ident) -> String {
        let name = &variable.name;
        let name = if names::is_reserved(name)
            || self.lets.values().any(|rule| rule == name)
            || self.in_use.contains(name)
        {
            self.names.fresh(name)
        } else {
            name.clone()
        };
        self.in_use.push(name.clone());
        name
    }

    pub fn enter_local(&mut self, variable: &Ident, rego: &str) {
        self.locals.push((variable.name.clone(), rego.to_string()));
    }

    pub fn leave_local(&mut self) {
        self.locals.pop();
        self.in_use.pop();
    }

    /// A statement of the policy as comment lines.
    fn quoted(&self, span: Span) -> String {
        let text = self
            .source
            .text
            .get(span.start..span.end)
            .unwrap_or_default();
        let mut out = String::new();
        for (index, line) in text.lines().enumerate() {
            let line = if index == 0 {
                line.trim_end()
            } else {
                line.trim()
            };
            if line.is_empty() {
                continue;
            }
            let indent = if index == 0 { "" } else { "  " };
            out.push_str(&format!("# {indent}{line}\n"));
        }
        out
    }

    /// Reports a construct that has no Rego form.
    pub fn unsupported(&mut self, message: String, span: Span, help: &str) {
        self.diagnostics.push(
            Diagnostic::error(message)
                .at(self.source, span)
                .with_label("no Rego form")
                .with_help(help),
        );
    }

    fn assemble(&self, block: &PolicyBlock, package: &str, sections: Sections) -> String {
        let location = self.source.location(block.span.start);
        let mut out = format!(
            "# Policy {} of {}:{}, compiled by `verdict compile --to rego`.\n",
            literal::string(&block.name.value),
            location.file,
            location.line
        );
        for statement in &block.statements {
            if let Statement::Description { text, .. } = statement {
                let one_line: Vec<&str> = text.value.lines().collect();
                out.push_str(&format!("# {}\n", one_line.join(" ")));
            }
        }
        out.push_str(&format!("package {package}\n\n"));
        if self.uses_fn {
            out.push_str("import data.verdict.fn\n");
        }
        out.push_str("import data.verdict.lib\nimport rego.v1\n");
        if !sections.guards.is_empty() {
            let mut comments = String::new();
            let mut body = Body::new();
            for (comment, statements) in sections.guards {
                comments.push_str(&comment);
                body.extend(statements);
            }
            out.push_str(&format!("\n{comments}applies if {}\n", block_text(&body)));
        }
        if let Some((comment, defaults)) = &sections.config {
            out.push_str(&format!("\n{comment}config := lib.config({defaults})\n"));
        } else if self.uses_config {
            out.push_str("\nconfig := lib.config({})\n");
        }
        for definition in sections.definitions {
            out.push('\n');
            out.push_str(&definition);
        }
        out
    }
}

/// `{ ... }` with one statement a line.
fn block_text(body: &Body) -> String {
    let mut out = String::from("{\n");
    for statement in body {
        out.push('\t');
        out.push_str(statement);
        out.push('\n');
    }
    out.push('}');
    out
}

/// Every loop variable a statement binds, in rules and comprehensions.
fn loop_variables(statement: &Statement) -> Vec<String> {
    let mut found = Vec::new();
    let mut visit = |expr: &Expr| collect_loop_variables(expr, &mut found);
    match statement {
        Statement::Description { .. } => {}
        Statement::When { condition, .. } => visit(condition),
        Statement::Config { defaults, .. } => visit(defaults),
        Statement::Let { value, .. } => visit(value),
        Statement::Rule(rule) => {
            if let Some(each) = &rule.each {
                found.push(each.variable.name.clone());
                collect_loop_variables(&each.iterable, &mut found);
            }
            for expr in rule.message.iter().chain(rule.condition.iter()) {
                collect_loop_variables(expr, &mut found);
            }
        }
    }
    found
}

fn collect_loop_variables(expr: &Expr, found: &mut Vec<String>) {
    use crate::dsl::ast::{Access, TemplatePart};
    match &expr.kind {
        ExprKind::Comprehension {
            element,
            each,
            condition,
            ..
        } => {
            found.push(each.variable.name.clone());
            collect_loop_variables(&each.iterable, found);
            collect_loop_variables(element, found);
            if let Some(condition) = condition {
                collect_loop_variables(condition, found);
            }
        }
        ExprKind::String(parts) => {
            for part in parts {
                if let TemplatePart::Interpolation(inner) = part {
                    collect_loop_variables(inner, found);
                }
            }
        }
        ExprKind::Array(items) => items
            .iter()
            .for_each(|item| collect_loop_variables(item, found)),
        ExprKind::Object(entries) => entries
            .iter()
            .for_each(|entry| collect_loop_variables(&entry.value, found)),
        ExprKind::Paren(inner) | ExprKind::Unary { operand: inner, .. } => {
            collect_loop_variables(inner, found);
        }
        ExprKind::Path { base, accesses } => {
            collect_loop_variables(base, found);
            for access in accesses {
                if let Access::Index { index, .. } = access {
                    collect_loop_variables(index, found);
                }
            }
        }
        ExprKind::Binary { left, right, .. } => {
            collect_loop_variables(left, found);
            collect_loop_variables(right, found);
        }
        ExprKind::Call { args, .. } => args
            .iter()
            .for_each(|arg| collect_loop_variables(arg, found)),
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::Duration { .. }
        | ExprKind::Name(_) => {}
    }
}
