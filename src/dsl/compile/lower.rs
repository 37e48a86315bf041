//! Lowering a policy block to a [`Program`]: statements, scopes and the names in them.
//! Expressions are lowered in `expr.rs`, paths in `paths.rs`, calls in `calls.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{self, Expr, ExprKind, Ident, PolicyBlock, Statement};
use crate::dsl::eval::Limits;
use crate::dsl::eval::builtins::Builtin;
use crate::dsl::eval::program::{Constant, Explainers, Guard, Node, Pattern, Program, RuleProgram};
use crate::source::{SourceFile, Span};

/// Names that no `let` or loop variable may take.
pub const RESERVED: [&str; 3] = ["input", "config", "now"];

/// The state of lowering one policy: what is in scope, and every problem found so far.
pub struct Lowering<'s> {
    pub source: &'s Arc<SourceFile>,
    pub limits: &'s Limits,
    pub diagnostics: Vec<Diagnostic>,
    /// The `let`s defined before the statement being lowered, with their slots.
    defined_lets: HashMap<String, usize>,
    /// Every `let` of the policy, with the span of its first definition.
    all_lets: HashMap<String, Span>,
    /// The loop variables in scope, outermost first; a variable's slot is its index.
    pub loop_variables: Vec<String>,
    pub reported_depth: bool,
    /// The literal patterns compiled so far: an explainer lowers a condition a second time,
    /// and building a glob's or a regex's automaton is the dearest step of compiling.
    pub patterns: Vec<(Builtin, Box<str>, Pattern)>,
}

/// What a bare name refers to.
pub enum Resolved {
    Local(usize),
    Let(usize),
    Input,
    Config,
    Now,
    InputField,
    /// A `let` written further down: an error, already reported.
    Undefined,
}

/// Lowers a policy: the program, and every error and warning found on the way.
pub fn lower_policy(
    block: &PolicyBlock,
    source: &Arc<SourceFile>,
    limits: &Limits,
    explainers: Explainers,
) -> (Program, Vec<Diagnostic>) {
    let mut lowering = Lowering {
        source,
        limits,
        diagnostics: Vec::new(),
        defined_lets: HashMap::new(),
        all_lets: HashMap::new(),
        loop_variables: Vec::new(),
        reported_depth: false,
        patterns: Vec::new(),
    };
    lowering.collect_lets(&block.statements);
    let mut program = Program {
        name: block.name.value.as_str().into(),
        source: Some(source.clone()),
        explainers,
        ..Program::default()
    };
    let mut config_span = None;
    for statement in &block.statements {
        match statement {
            Statement::Description { .. } => {}
            Statement::When { condition, span } => {
                let explainer =
                    (explainers == Explainers::Build).then(|| lowering.explainer(condition));
                let condition = lowering.lower_root(condition);
                program.guards.push(Guard {
                    condition,
                    span: *span,
                    explainer,
                });
            }
            Statement::Config { defaults, span } => match config_span {
                Some(first) => lowering.duplicate_config(*span, first),
                None => {
                    config_span = Some(*span);
                    program.config = lowering.lower_config(defaults);
                }
            },
            Statement::Let { name, value, .. } => {
                let node = lowering.lower_root(value);
                if lowering.define_let(name, program.lets.len()) {
                    program.lets.push(node);
                }
            }
            Statement::Rule(rule) => {
                let lowered = lowering.lower_rule(rule, &program.name, explainers);
                program.rules.push(lowered);
            }
        }
    }
    (program, lowering.diagnostics)
}

impl Lowering<'_> {
    pub fn error(&mut self, message: String, span: Span, label: &str, help: Option<String>) {
        self.report(Diagnostic::error(message), span, label, help);
    }

    pub fn warning(&mut self, message: String, span: Span, label: &str, help: Option<String>) {
        self.report(Diagnostic::warning(message), span, label, help);
    }

    fn report(&mut self, diagnostic: Diagnostic, span: Span, label: &str, help: Option<String>) {
        let mut diagnostic = diagnostic.at(self.source, span).with_label(label);
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
    }

    fn line_of(&self, span: Span) -> u32 {
        self.source.line_column(span.start).0
    }

    /// Records every `let` of the policy, reporting reserved names and duplicates.
    fn collect_lets(&mut self, statements: &[Statement]) {
        for statement in statements {
            let Statement::Let { name, .. } = statement else {
                continue;
            };
            if self.is_reserved(name, "a `let`") {
                continue;
            }
            match self.all_lets.get(&name.name) {
                Some(first) => {
                    let help = format!(
                        "the first is at line {}; rename one of them",
                        self.line_of(*first)
                    );
                    self.error(
                        format!("`{}` is defined twice", name.name),
                        name.span,
                        "defined again here",
                        Some(help),
                    );
                }
                None => {
                    self.all_lets.insert(name.name.clone(), name.span);
                }
            }
        }
    }

    /// Reports a reserved name given to a `let` or a loop variable.
    fn is_reserved(&mut self, name: &Ident, what: &str) -> bool {
        if !RESERVED.contains(&name.name.as_str()) {
            return false;
        }
        self.error(
            format!("`{}` is reserved and cannot name {what}", name.name),
            name.span,
            "reserved name",
            Some("`input`, `config` and `now` are reserved; choose another name".to_string()),
        );
        true
    }

    /// Makes a `let` visible to the statements after it; false when it is not a new name
    /// (the problem was reported by [`Lowering::collect_lets`]).
    fn define_let(&mut self, name: &Ident, slot: usize) -> bool {
        let first = self.all_lets.get(&name.name) == Some(&name.span);
        if !first || self.defined_lets.contains_key(&name.name) {
            return false;
        }
        self.defined_lets.insert(name.name.clone(), slot);
        true
    }

    fn duplicate_config(&mut self, span: Span, first: Span) {
        let help = format!("merge it into the `config` at line {}", self.line_of(first));
        self.error(
            "a policy has at most one `config`".to_string(),
            span,
            "second `config`",
            Some(help),
        );
    }

    /// `config { key: value, ... }`: literal values only, sorted by key.
    fn lower_config(&mut self, defaults: &Expr) -> Vec<(Box<str>, Constant)> {
        let ExprKind::Object(entries) = &defaults.kind else {
            let help =
                "write the defaults as an object: `config { maxCostIncrease: 10 }`".to_string();
            self.error(
                "`config` takes an object of literal values".to_string(),
                defaults.span,
                "not an object",
                Some(help),
            );
            return Vec::new();
        };
        let mut config: Vec<(Box<str>, Constant)> = Vec::new();
        for entry in entries {
            let value = self.lower_root(&entry.value);
            let Node::Constant(constant) = value else {
                let help = "a default is a number, string, boolean, duration, array or object written out; read the input in `let`s and rules".to_string();
                self.error(
                    format!(
                        "the default of `{}` is not a literal value",
                        entry.key.value
                    ),
                    entry.value.span,
                    "not a literal",
                    Some(help),
                );
                continue;
            };
            if config.iter().any(|(key, _)| **key == *entry.key.value) {
                self.error(
                    format!("duplicate key `{}`", entry.key.value),
                    entry.key.span,
                    "defined again here",
                    None,
                );
                continue;
            }
            config.push((entry.key.value.as_str().into(), constant));
        }
        config.sort_by(|(left, _), (right, _)| left.cmp(right));
        config
    }

    fn lower_rule(
        &mut self,
        rule: &ast::Rule,
        policy: &str,
        explainers: Explainers,
    ) -> RuleProgram {
        let each = rule.each.as_ref().map(|clause| {
            let iterable = self.lower_root(&clause.iterable);
            self.bind_loop_variable(&clause.variable);
            iterable
        });
        let message = rule
            .message
            .as_ref()
            .map(|message| self.lower_root(message));
        let condition = rule
            .condition
            .as_ref()
            .map(|condition| self.lower_root(condition));
        let explainer = rule
            .condition
            .as_ref()
            .filter(|_| explainers == Explainers::Build)
            .map(|condition| self.explainer(condition));
        let each_text = rule.each.as_ref().map(|clause| self.text(clause.span));
        if each.is_some() {
            self.loop_variables.pop();
        }
        let location = self.source.location(rule.span.start);
        let default_message = format!(
            "{policy}: {} rule at line {}",
            rule.verdict.verdict, location.line
        );
        RuleProgram {
            verdict: rule.verdict.verdict,
            name: rule.verdict.verdict.as_str().into(),
            message,
            each,
            condition,
            location,
            span: rule.span,
            each_text,
            explainer,
            default_message,
        }
    }

    /// Brings a loop variable into scope (the caller pops it), reporting reserved names
    /// and shadowing; gives its slot.
    pub fn bind_loop_variable(&mut self, variable: &Ident) -> usize {
        let name = &variable.name;
        if !self.is_reserved(variable, "a loop variable") {
            let shadowed = if self.loop_variables.contains(name) {
                Some("an enclosing loop variable")
            } else if self.defined_lets.contains_key(name) {
                Some("a `let`")
            } else {
                None
            };
            if let Some(shadowed) = shadowed {
                self.error(
                    format!("loop variable `{name}` shadows {shadowed} of the same name"),
                    variable.span,
                    "shadows an outer name",
                    Some("rename the loop variable".to_string()),
                );
            }
        }
        self.loop_variables.push(name.clone());
        self.loop_variables.len() - 1
    }

    /// What a bare name refers to (SPEC 4.3): a loop variable or `let` in scope, a
    /// reserved name, else a top-level field of the input.
    pub fn resolve(&mut self, name: &Ident) -> Resolved {
        if let Some(slot) = self
            .loop_variables
            .iter()
            .rposition(|variable| *variable == name.name)
        {
            return Resolved::Local(slot);
        }
        if let Some(slot) = self.defined_lets.get(&name.name) {
            return Resolved::Let(*slot);
        }
        match name.name.as_str() {
            "input" => return Resolved::Input,
            "config" => return Resolved::Config,
            "now" => return Resolved::Now,
            _ => {}
        }
        if let Some(defined) = self.all_lets.get(&name.name).copied() {
            let help = format!(
                "a `let` is visible in the statements after it; move `let {}` (line {}) above this use",
                name.name,
                self.line_of(defined)
            );
            self.error(
                format!("`{}` is used before its definition", name.name),
                name.span,
                "used here",
                Some(help),
            );
            return Resolved::Undefined;
        }
        Resolved::InputField
    }

    /// The names a bare name could have meant: the `let`s and loop variables in scope.
    pub fn names_in_scope(&self) -> Vec<&str> {
        self.defined_lets
            .keys()
            .chain(self.loop_variables.iter())
            .map(String::as_str)
            .collect()
    }

    /// Lowers a whole expression (a statement's), starting the nesting count.
    pub fn lower_root(&mut self, expr: &Expr) -> Node {
        self.lower(expr, 1)
    }

    /// Reports an expression nested deeper than the limit, once per policy.
    pub fn too_deep(&mut self, span: Span) {
        if self.reported_depth {
            return;
        }
        self.reported_depth = true;
        let limit = self.limits.max_depth;
        let help = "split the expression with `let`".to_string();
        self.error(
            format!("expression nests deeper than {limit} levels"),
            span,
            "too deep",
            Some(help),
        );
    }
}
