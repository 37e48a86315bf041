//! What verdict needs to know about a parsed Rego module: its package, imports, rules
//! with their places, the functions it calls and its negations. It is read from the
//! engine's own syntax tree, so it sees exactly what the engine parsed. regorus offers
//! that tree as `unstable`: the lock file pins the version these types come from.

use std::borrow::Cow;

use regorus::Value;
use regorus::unstable::{self as ast, AssignOp, BoolOp, Expr, Literal, RuleHead};

use super::scan::{self, TokenKind};

use crate::source::Span;

/// The shape of a rule head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// `p := v`, `p if { ... }`, `p = v { ... }`.
    Complete,
    /// `p contains x`, v0 `p[x] { ... }`.
    MultiValue,
    /// `p[k] := v`.
    Object,
    /// `f(x) := v`.
    Function,
    /// `default p := v`.
    Default,
}

/// One body of a rule: `{ ... }` or, in v1, a single literal after `if`.
#[derive(Clone, Debug)]
pub struct BodySyntax {
    /// From `if` or `{` (or `else`) to the end of the body.
    pub span: Span,
    pub query: Span,
    pub braced: bool,
    /// Where each statement of the body starts.
    pub statements: Vec<usize>,
}

/// One rule definition (a rule with several definitions appears several times).
#[derive(Clone, Debug)]
pub struct RuleSyntax {
    pub kind: RuleKind,
    /// The static components of the head reference: `deny`, or `a.b` for `a.b[x]`.
    pub path: Vec<String>,
    pub span: Span,
    /// The head reference as written (`deny`, `a.b`), for renames.
    pub name_span: Span,
    pub arity: usize,
    pub bodies: Vec<BodySyntax>,
    /// The key of a multi-value head when it is a string literal: `deny["msg"]`.
    pub literal_key: Option<String>,
    /// A v0 head `p[x] if ...` that OPA's v0 mode reads as a multi-value rule, while the
    /// engine would read it as an object: the span of its `if`.
    pub v0_set_head_if: Option<Span>,
    /// Variables of the head (`msg` in `deny contains msg if ...`) that no body mentions.
    pub unbound_head_vars: Vec<(String, Span)>,
    /// Where the head's key or value expression starts: the engine evaluates it only
    /// when a body succeeds.
    pub head_expression: Option<usize>,
}

/// A call to a function or builtin.
#[derive(Clone, Debug)]
pub struct CallSite {
    /// The function as written: `startswith`, `lib.f`, `data.lib.f`.
    pub name: String,
    pub args: usize,
    pub span: Span,
    /// The call is a whole statement, so it may bind one more (output) argument.
    pub statement: bool,
    /// The rule whose definition contains the call (index into `rules`).
    pub rule: usize,
}

/// A negated literal (`not f(x)`) and the references its calls take as arguments.
#[derive(Clone, Debug)]
pub struct Negation {
    /// Where the literal ends: guards are added after it.
    pub end: usize,
    /// References whose undefinedness makes OPA's negation fail (see `rewrite`).
    pub guarded: Vec<Span>,
    /// When the literal is the whole of a body written without braces: that body.
    pub braceless_body: Option<Span>,
}

/// An `import` statement.
#[derive(Clone, Debug)]
pub struct ImportSyntax {
    pub path: Vec<String>,
    pub alias: Option<String>,
}

impl ImportSyntax {
    /// The name the import gives: its alias, else the last part of its path.
    pub fn name(&self) -> Option<&str> {
        self.alias
            .as_deref()
            .or(self.path.last().map(String::as_str))
    }
}

/// A rule `name := value` (or `name = value`) without a body, whose value is built only
/// of literals, references into `input` with literal steps, calls of the builtins in
/// [`PURE_BUILTINS`], arithmetic, and plain names (other rules, checked by the caller).
/// Its value is the same wherever it is evaluated against the same input.
#[derive(Clone, Debug)]
pub struct ConstantRule {
    pub name: String,
    /// The value as written, on one line.
    pub value: Span,
    /// The plain names the value mentions, besides `input`.
    pub mentions: Vec<String>,
    /// The first name of each function the value calls: `object` of `object.get`.
    pub calls: Vec<String>,
    /// The value is a reference into `input` (`input.a.b`), which a longer reference may
    /// continue where the rule's name starts one: `r.c` reads `input.a.b.c`.
    pub reference: bool,
    /// The value costs no more to evaluate than the rule's name to look up: a reference
    /// into `input` or a scalar. Others are written in only where evaluated once.
    pub cheap: bool,
}

/// The builtins a [`ConstantRule`]'s value may call: each answers the same for the same
/// arguments and has no effect.
pub const PURE_BUILTINS: [&str; 14] = [
    "object.get",
    "lower",
    "upper",
    "trim_space",
    "trim",
    "trim_prefix",
    "trim_suffix",
    "concat",
    "count",
    "split",
    "replace",
    "to_number",
    "abs",
    "sprintf",
];

/// What a plain name does where it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRole {
    /// Read as a value: `x` in `count(x) > 1`.
    Value,
    /// The start of a longer reference: `x` in `x.y` or `x[0]`.
    RefBase,
    /// Declared or bound: by `some`, `every`, `:=`, either side of `=`, or as a
    /// function's parameter.
    Bound,
    /// The first name of a called function: `object` in `object.get(...)`.
    Called,
    /// A key of a rule's head reference: `k` in `p[k] := v`, where the engine takes only
    /// some kinds of terms.
    HeadKey,
}

/// One plain name in a module (the head of a rule's own definition aside).
#[derive(Clone, Debug)]
pub struct NameSyntax {
    pub name: String,
    pub span: Span,
    pub role: NameRole,
    /// It may be evaluated many times in one evaluation of its rule: in a function, a
    /// comprehension, an `every`, or a body (or the head of a rule with a body) that
    /// iterates (`some`, `xs[_]`, `xs[i]`).
    pub repeated: bool,
}

/// One module as parsed.
#[derive(Clone, Debug, Default)]
pub struct ModuleSyntax {
    pub package: Vec<String>,
    pub package_span: Span,
    pub imports: Vec<ImportSyntax>,
    pub rego_v1: bool,
    pub rules: Vec<RuleSyntax>,
    pub calls: Vec<CallSite>,
    pub negations: Vec<Negation>,
    /// The rules whose value could stand in for their name (see `inline`); these three
    /// are read only when asked for ([`ModuleSyntax::read`]).
    pub constants: Vec<ConstantRule>,
    /// Every plain name outside rule heads' own names.
    pub names: Vec<NameSyntax>,
    /// Whether some statement has a `with` modifier.
    pub with_modifiers: bool,
}

impl ModuleSyntax {
    /// Reads the engine's syntax tree of a module; `text` is the file on disk and
    /// `original` maps an offset of the parsed text back to it. `names` asks for the
    /// plain names and constant rules too, which only writing constants in needs.
    pub fn read(
        module: &ast::Module,
        text: &str,
        original: &dyn Fn(usize) -> usize,
        names: bool,
    ) -> ModuleSyntax {
        let mut reader = Reader {
            text,
            original,
            syntax: ModuleSyntax::default(),
            rule: 0,
            names,
            repeated: false,
        };
        reader.module(module);
        reader.syntax
    }

    /// The import that `alias` names, if any: `import data.lib` names `lib`.
    pub fn import_named(&self, alias: &str) -> Option<&ImportSyntax> {
        self.imports
            .iter()
            .find(|import| import.name() == Some(alias))
    }
}

struct Reader<'a> {
    text: &'a str,
    original: &'a dyn Fn(usize) -> usize,
    syntax: ModuleSyntax,
    rule: usize,
    /// Whether the plain names and constant rules are read too.
    names: bool,
    /// Whether what is being read may be evaluated many times in one evaluation of its
    /// rule (see [`NameSyntax::repeated`]).
    repeated: bool,
}

/// The text of a value the engine keeps for a name or a string literal.
fn text_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// The name of a variable expression.
fn var_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Var { value, .. } => text_of(value),
        _ => None,
    }
}

/// The text of a string literal.
fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::String { value, .. } | Expr::RawString { value, .. } => text_of(value),
        _ => None,
    }
}

/// The message a set element written as a literal stands for: a string, or an object
/// whose `msg` (else `message`) is a string, as outcomes read them.
fn literal_message(expr: &Expr) -> Option<&str> {
    let Expr::Object { fields, .. } = expr else {
        return string_literal(expr);
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(_, key, _)| string_literal(key) == Some(name))
            .map(|(_, _, value)| value)
    };
    string_literal(field("msg").or_else(|| field("message"))?)
}

fn is_string(expr: &Expr) -> bool {
    matches!(expr, Expr::String { .. } | Expr::RawString { .. })
}

impl Reader<'_> {
    fn span(&self, span: &ast::Span) -> Span {
        let offset = |at: u32| usize::try_from(at).map_or(0, |at| (self.original)(at));
        Span::new(offset(span.start), offset(span.end))
    }

    fn span_of(&self, expr: &Expr) -> Span {
        self.span(&expr_span(expr))
    }

    /// Where a node really ends: the engine's spans of string literals leave out the
    /// closing quote, and so do the spans of whatever ends with one.
    fn end_of(&self, walk: impl FnOnce(&mut dyn Visitor)) -> usize {
        struct End<'r, 'a> {
            reader: &'r Reader<'a>,
            end: usize,
        }
        impl Visitor for End<'_, '_> {
            fn span(&mut self, span: &ast::Span) {
                self.end = self.end.max(self.reader.span(span).end);
            }
            fn expr(&mut self, expr: &Expr) {
                if is_string(expr) {
                    self.end = self.end.max(self.reader.span_of(expr).end + 1);
                }
            }
        }
        let mut end = End {
            reader: self,
            end: 0,
        };
        walk(&mut end);
        end.end
    }

    fn module(&mut self, module: &ast::Module) {
        self.syntax.package_span = self.span(&module.package.span);
        self.syntax.package = ref_path(&module.package.refr).unwrap_or_default();
        self.syntax.rego_v1 = module.rego_v1;
        for import in &module.imports {
            let path = ref_path(&import.refr).unwrap_or_default();
            let alias = import
                .r#as
                .as_ref()
                .map(|span| self.span(span))
                .and_then(|span| self.text_at(span))
                .map(str::to_string);
            self.syntax.imports.push(ImportSyntax { path, alias });
        }
        for (index, rule) in module.policy.iter().enumerate() {
            self.rule = index;
            self.rule(rule);
            if self.names {
                self.rule_names(rule);
            }
        }
    }

    /// Reads with `repeated` set too, for what `read` reads.
    fn repeating(&mut self, repeated: bool, read: impl FnOnce(&mut Self)) {
        let outer = self.repeated;
        self.repeated = outer || repeated;
        read(self);
        self.repeated = outer;
    }

    /// Records the plain names of a rule, and the rule itself when it is a constant.
    fn rule_names(&mut self, rule: &ast::Rule) {
        let function = matches!(
            rule,
            ast::Rule::Spec {
                head: RuleHead::Func { .. },
                ..
            }
        );
        let iterates = match rule {
            ast::Rule::Spec { bodies, .. } => bodies.iter().any(|body| query_iterates(&body.query)),
            ast::Rule::Default { .. } => false,
        };
        self.repeating(function || iterates, |reader| reader.rule_parts(rule));
    }

    fn rule_parts(&mut self, rule: &ast::Rule) {
        let (head, bodies) = match rule {
            ast::Rule::Default {
                refr, args, value, ..
            } => {
                self.head_ref_names(refr);
                for arg in args {
                    self.pattern_names(arg);
                }
                self.value_names(value);
                return;
            }
            ast::Rule::Spec { head, bodies, .. } => (head, bodies),
        };
        match head {
            RuleHead::Compr { refr, assign, .. } => {
                self.head_ref_names(refr);
                if let Some(assign) = assign {
                    if bodies.is_empty() {
                        self.constant(refr, &assign.value);
                    }
                    self.value_names(&assign.value);
                }
            }
            RuleHead::Set { refr, key, .. } => {
                self.head_ref_names(refr);
                if let Some(key) = key {
                    self.value_names(key);
                }
            }
            RuleHead::Func {
                refr, args, assign, ..
            } => {
                self.head_ref_names(refr);
                for arg in args {
                    self.pattern_names(arg);
                }
                if let Some(assign) = assign {
                    self.value_names(&assign.value);
                }
            }
        }
        for body in bodies {
            self.repeating(query_iterates(&body.query), |reader| {
                if let Some(assign) = &body.assign {
                    reader.value_names(&assign.value);
                }
                reader.query_names(&body.query);
            });
        }
    }

    /// The names inside a rule's head reference: the keys of `p[k]`, not `p` itself.
    fn head_ref_names(&mut self, refr: &Expr) {
        match refr {
            Expr::RefDot { refr, .. } => self.head_ref_names(refr),
            Expr::RefBrack { refr, index, .. } => {
                self.head_ref_names(refr);
                match **index {
                    Expr::Var { .. } => self.name(index, NameRole::HeadKey),
                    _ => self.value_names(index),
                }
            }
            _ => {}
        }
    }

    /// Records `name := value` as a constant when its value qualifies.
    fn constant(&mut self, refr: &Expr, value: &Expr) {
        let Some(name) = var_name(refr) else {
            return;
        };
        let mut mentions = Vec::new();
        let mut calls = Vec::new();
        if !closed(value, &mut mentions, &mut calls) {
            return;
        }
        let start = self.span_of(value).start;
        let end = self.end_of(|visitor| walk_expr(value, visitor));
        let span = Span::new(start, end.max(start));
        if self.text_at(span).is_none_or(|text| text.contains('\n')) {
            return;
        }
        self.syntax.constants.push(ConstantRule {
            name: name.to_string(),
            value: span,
            mentions,
            calls,
            reference: input_reference(value),
            cheap: input_reference(value)
                || matches!(
                    value,
                    Expr::String { .. }
                        | Expr::RawString { .. }
                        | Expr::Number { .. }
                        | Expr::Bool { .. }
                        | Expr::Null { .. }
                ),
        });
    }

    fn name(&mut self, expr: &Expr, role: NameRole) {
        if let Some(name) = var_name(expr) {
            let span = self.span_of(expr);
            self.syntax.names.push(NameSyntax {
                name: name.to_string(),
                span,
                role,
                repeated: self.repeated,
            });
        }
    }

    /// A name declared at a span (`some x`, `every k, v in`).
    fn bound_at(&mut self, span: &ast::Span) {
        let span = self.span(span);
        if let Some(name) = self.text_at(span) {
            let name = name.to_string();
            self.syntax.names.push(NameSyntax {
                name,
                span,
                role: NameRole::Bound,
                repeated: self.repeated,
            });
        }
    }

    fn query_names(&mut self, query: &ast::Query) {
        for statement in &query.stmts {
            if !statement.with_mods.is_empty() {
                self.syntax.with_modifiers = true;
            }
            for modifier in &statement.with_mods {
                self.value_names(&modifier.refr);
                self.value_names(&modifier.r#as);
            }
            match &statement.literal {
                Literal::SomeVars { vars, .. } => {
                    for var in vars {
                        self.bound_at(var);
                    }
                }
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => {
                    if let Some(key) = key {
                        self.pattern_names(key);
                    }
                    self.pattern_names(value);
                    self.value_names(collection);
                }
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
                    self.value_names(expr)
                }
                Literal::Every {
                    key,
                    value,
                    domain,
                    query,
                    ..
                } => {
                    if let Some(key) = key {
                        self.bound_at(key);
                    }
                    self.bound_at(value);
                    self.value_names(domain);
                    self.repeating(true, |reader| reader.query_names(query));
                }
            }
        }
    }

    /// The names of something that may bind: names directly in it, or in the arrays and
    /// objects it is made of, are bound; the rest is read.
    fn pattern_names(&mut self, expr: &Expr) {
        match expr {
            Expr::Var { .. } => self.name(expr, NameRole::Bound),
            Expr::Array { items, .. } => {
                for item in items {
                    self.pattern_names(item);
                }
            }
            Expr::Object { fields, .. } => {
                for (_, key, value) in fields {
                    self.value_names(key);
                    self.pattern_names(value);
                }
            }
            _ => self.value_names(expr),
        }
    }

    fn value_names(&mut self, expr: &Expr) {
        match expr {
            Expr::Var { .. } => self.name(expr, NameRole::Value),
            Expr::RefDot { refr, .. } => match **refr {
                Expr::Var { .. } => self.name(refr, NameRole::RefBase),
                _ => self.value_names(refr),
            },
            Expr::RefBrack { refr, index, .. } => {
                match **refr {
                    Expr::Var { .. } => self.name(refr, NameRole::RefBase),
                    _ => self.value_names(refr),
                }
                self.value_names(index);
            }
            Expr::Call { fcn, params, .. } => {
                let mut root = &**fcn;
                while let Expr::RefDot { refr, .. } = root {
                    root = refr;
                }
                self.name(root, NameRole::Called);
                for param in params {
                    self.value_names(param);
                }
            }
            Expr::AssignExpr { op, lhs, rhs, .. } => {
                self.pattern_names(lhs);
                match op {
                    AssignOp::ColEq => self.value_names(rhs),
                    AssignOp::Eq => self.pattern_names(rhs),
                }
            }
            Expr::ArrayCompr { .. } | Expr::SetCompr { .. } | Expr::ObjectCompr { .. } => {
                self.repeating(true, |reader| reader.parts_names(expr));
            }
            _ => self.parts_names(expr),
        }
    }

    fn parts_names(&mut self, expr: &Expr) {
        each_part(expr, &mut |part| match part {
            Part::Expr(inner) => self.value_names(inner),
            Part::Query(query) => self.query_names(query),
        });
    }

    /// The text of the file on disk at a span.
    fn text_at(&self, span: Span) -> Option<&str> {
        self.text.get(span.start..span.end)
    }

    fn rule(&mut self, rule: &ast::Rule) {
        let (span, head, bodies) = match rule {
            ast::Rule::Default {
                span,
                refr,
                args,
                value,
                ..
            } => {
                let span = self.span(span);
                self.syntax.rules.push(RuleSyntax {
                    kind: RuleKind::Default,
                    path: ref_path(refr).unwrap_or_default(),
                    span,
                    name_span: self.span_of(refr),
                    arity: args.len(),
                    bodies: Vec::new(),
                    literal_key: None,
                    v0_set_head_if: None,
                    unbound_head_vars: Vec::new(),
                    head_expression: None,
                });
                self.expr(value, false);
                return;
            }
            ast::Rule::Spec { span, head, bodies } => (self.span(span), head, bodies),
        };
        let (refr, key, assign, args): (&Expr, _, _, &[ast::Ref<Expr>]) = match head {
            RuleHead::Compr { refr, assign, .. } => (refr, None, assign.as_ref(), &[]),
            RuleHead::Set { refr, key, .. } => (refr, key.as_deref(), None, &[]),
            RuleHead::Func {
                refr, args, assign, ..
            } => (refr, None, assign.as_ref(), args),
        };
        let name_span = self.span_of(refr);
        let body_syntax: Vec<BodySyntax> = bodies.iter().map(|body| self.body(body)).collect();
        let (mut kind, path) = match (head, refr) {
            (RuleHead::Set { .. }, _) => (RuleKind::MultiValue, ref_path(refr)),
            (RuleHead::Func { .. }, _) => (RuleKind::Function, ref_path(refr)),
            (_, Expr::RefBrack { refr, index, .. }) if !is_string(index) => {
                (RuleKind::Object, ref_path(refr))
            }
            _ => (RuleKind::Complete, ref_path(refr)),
        };
        let literal_key = key.and_then(literal_message).map(str::to_string);
        let v0_set_head_if = self.v0_set_head_if(kind, refr, assign.is_some(), &body_syntax);
        if v0_set_head_if.is_some() {
            kind = RuleKind::MultiValue;
        }
        let assigned = assign.map(|assign| &*assign.value);
        let unbound_head_vars = if kind == RuleKind::Function || bodies.is_empty() {
            Vec::new()
        } else {
            self.unbound_head_vars(refr, key, assigned, bodies)
        };
        self.syntax.rules.push(RuleSyntax {
            kind,
            path: path.unwrap_or_default(),
            span,
            name_span,
            arity: args.len(),
            bodies: body_syntax,
            literal_key,
            v0_set_head_if,
            unbound_head_vars,
            head_expression: key.or(assigned).map(|expr| self.span_of(expr).start),
        });
        for arg in args {
            self.expr(arg, false);
        }
        if let Some(key) = key {
            self.expr(key, false);
        }
        if let Some(value) = assigned {
            self.expr(value, false);
        }
        for body in bodies {
            if let Some(assign) = &body.assign {
                self.expr(&assign.value, false);
            }
            self.query(&body.query, true);
        }
    }

    /// The plain variables of a head (its key, its value, an object key) that appear
    /// nowhere in the rule's bodies, so nothing can bind them.
    fn unbound_head_vars(
        &self,
        refr: &Expr,
        key: Option<&Expr>,
        assigned: Option<&Expr>,
        bodies: &[ast::RuleBody],
    ) -> Vec<(String, Span)> {
        let brack_index = match refr {
            Expr::RefBrack { index, .. } => Some(&**index),
            _ => None,
        };
        struct Names(Vec<String>);
        impl Visitor for Names {
            fn expr(&mut self, expr: &Expr) {
                if let Some(name) = var_name(expr) {
                    self.0.push(name.to_string());
                }
            }
        }
        let mut mentioned = Names(Vec::new());
        for body in bodies {
            walk_body(body, &mut mentioned);
        }
        let mentioned = mentioned.0;
        [key, assigned, brack_index]
            .into_iter()
            .flatten()
            .filter_map(|candidate| var_name(candidate).map(|name| (name, candidate)))
            .filter(|(name, _)| {
                !mentioned.iter().any(|seen| seen == name)
                    && !matches!(*name, "_" | "input" | "data")
            })
            .map(|(name, node)| (name.to_string(), self.span_of(node)))
            .collect()
    }

    /// OPA's v0 mode reads `p[x] if { ... }` as the multi-value rule `p contains x`.
    fn v0_set_head_if(
        &self,
        kind: RuleKind,
        refr: &Expr,
        has_value: bool,
        bodies: &[BodySyntax],
    ) -> Option<Span> {
        let simple_bracket = matches!(
            refr,
            Expr::RefBrack { refr, .. } if matches!(**refr, Expr::Var { .. })
        );
        if self.syntax.rego_v1 || kind != RuleKind::Object || !simple_bracket || has_value {
            return None;
        }
        let body = bodies.first()?;
        let start = body.span.start;
        let keyword = Span::new(start, start + 2);
        (self.text_at(keyword) == Some("if")).then_some(keyword)
    }

    fn body(&self, body: &ast::RuleBody) -> BodySyntax {
        let mut query = self.span(&body.query.span);
        query.end = query
            .end
            .max(self.end_of(|visitor| walk_query(&body.query, visitor)));
        let statements = body
            .query
            .stmts
            .iter()
            .map(|statement| self.span(&statement.span).start)
            .collect();
        BodySyntax {
            span: self.span(&body.span),
            query,
            braced: self.text_at(Span::new(query.start, query.start + 1)) == Some("{"),
            statements,
        }
    }

    fn query(&mut self, query: &ast::Query, rule_body: bool) {
        let query_span = self.span(&query.span);
        let braced = self.text_at(Span::new(query_span.start, query_span.start + 1)) == Some("{");
        let sole = rule_body && !braced && query.stmts.len() == 1;
        for statement in &query.stmts {
            let has_with = !statement.with_mods.is_empty();
            for modifier in &statement.with_mods {
                self.expr(&modifier.r#as, false);
            }
            match &statement.literal {
                Literal::Expr { expr, .. } => self.expr(expr, true),
                literal @ Literal::NotExpr { expr, .. } => {
                    if !has_with {
                        let mut guarded = Vec::new();
                        self.guards(expr, false, &mut guarded);
                        if !guarded.is_empty() {
                            self.syntax.negations.push(Negation {
                                end: self.end_of(|visitor| walk_literal(literal, visitor)),
                                guarded,
                                braceless_body: sole.then_some(query_span),
                            });
                        }
                    }
                    self.expr(expr, true);
                }
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => {
                    if let Some(key) = key {
                        self.expr(key, false);
                    }
                    self.expr(value, false);
                    self.expr(collection, false);
                }
                Literal::Every { domain, query, .. } => {
                    self.expr(domain, false);
                    self.query(query, false);
                }
                Literal::SomeVars { .. } => {}
            }
        }
    }

    fn expr(&mut self, expr: &Expr, statement: bool) {
        if let Expr::Call {
            span, fcn, params, ..
        } = expr
        {
            if let Some(path) = ref_path(fcn) {
                self.syntax.calls.push(CallSite {
                    name: path.join("."),
                    args: params.len(),
                    span: self.span(span),
                    statement,
                    rule: self.rule,
                });
            }
            for param in params {
                self.expr(param, false);
            }
            return;
        }
        each_part(expr, &mut |part| match part {
            Part::Expr(inner) => self.expr(inner, false),
            Part::Query(query) => self.query(query, false),
        });
    }

    /// Collects the references that OPA evaluates before a negation: arguments of calls
    /// and operators (except the operands of `==` and `=` themselves), and anything inside
    /// a composite value.
    fn guards(&self, expr: &Expr, argument: bool, guarded: &mut Vec<Span>) {
        match expr {
            Expr::Var { .. } | Expr::RefDot { .. } | Expr::RefBrack { .. }
                if argument && is_guardable(expr) =>
            {
                guarded.push(self.span_of(expr));
            }
            Expr::Call { params, .. } => {
                for param in params {
                    self.guards(param, true, guarded);
                }
            }
            Expr::BoolExpr { op, lhs, rhs, .. } => {
                let equality = matches!(op, BoolOp::Eq);
                self.guards(lhs, !equality, guarded);
                self.guards(rhs, !equality, guarded);
            }
            Expr::AssignExpr { lhs, rhs, .. } => {
                self.guards(lhs, false, guarded);
                self.guards(rhs, false, guarded);
            }
            // Every operand of these is evaluated first; none holds a query.
            Expr::ArithExpr { .. }
            | Expr::BinExpr { .. }
            | Expr::Membership { .. }
            | Expr::UnaryExpr { .. }
            | Expr::Array { .. }
            | Expr::Set { .. }
            | Expr::Object { .. } => each_part(expr, &mut |part| {
                if let Part::Expr(inner) = part {
                    self.guards(inner, true, guarded);
                }
            }),
            _ => {}
        }
    }
}

/// What a walk over part of the syntax tree reports: every node that has a span, and
/// every expression.
trait Visitor {
    fn span(&mut self, _span: &ast::Span) {}
    fn expr(&mut self, expr: &Expr);
}

fn walk_body(body: &ast::RuleBody, visitor: &mut dyn Visitor) {
    visitor.span(&body.span);
    if let Some(assign) = &body.assign {
        visitor.span(&assign.span);
        walk_expr(&assign.value, visitor);
    }
    walk_query(&body.query, visitor);
}

fn walk_query(query: &ast::Query, visitor: &mut dyn Visitor) {
    visitor.span(&query.span);
    for statement in &query.stmts {
        visitor.span(&statement.span);
        walk_literal(&statement.literal, visitor);
        for modifier in &statement.with_mods {
            visitor.span(&modifier.span);
            walk_expr(&modifier.refr, visitor);
            walk_expr(&modifier.r#as, visitor);
        }
    }
}

fn walk_literal(literal: &Literal, visitor: &mut dyn Visitor) {
    match literal {
        Literal::SomeVars { span, .. } => visitor.span(span),
        Literal::SomeIn {
            span,
            key,
            value,
            collection,
        } => {
            visitor.span(span);
            if let Some(key) = key {
                walk_expr(key, visitor);
            }
            walk_expr(value, visitor);
            walk_expr(collection, visitor);
        }
        Literal::Expr { span, expr } | Literal::NotExpr { span, expr } => {
            visitor.span(span);
            walk_expr(expr, visitor);
        }
        Literal::Every {
            span,
            domain,
            query,
            ..
        } => {
            visitor.span(span);
            walk_expr(domain, visitor);
            walk_query(query, visitor);
        }
    }
}

fn walk_expr(expr: &Expr, visitor: &mut dyn Visitor) {
    visitor.expr(expr);
    visitor.span(&expr_span(expr));
    each_part(expr, &mut |part| match part {
        Part::Expr(inner) => walk_expr(inner, visitor),
        Part::Query(query) => walk_query(query, visitor),
    });
}

/// The engine's span of `expr`, mended where it is wrong: the engine ends an empty set
/// (`set()`) with the token after its `)`, so that `x := set()input` would be read as
/// `set()input`. Its `)` is the first after `set(` that is not in a comment.
fn expr_span(expr: &Expr) -> Cow<'_, ast::Span> {
    let engine = expr.span();
    if let Expr::Set { items, .. } = expr
        && items.is_empty()
    {
        let contents = engine.source.contents();
        let start = usize::try_from(engine.start).unwrap_or(usize::MAX);
        let end = usize::try_from(engine.end).unwrap_or(0);
        if let Some(text) = contents.get(start..end)
            && let Some(close) = scan::significant(&scan::tokenize(text))
                .find(|token| token.kind == TokenKind::Punct && token.text(text) == ")")
            && let Ok(close_end) = u32::try_from(start + close.end)
        {
            let mut mended = engine.clone();
            mended.end = close_end;
            return Cow::Owned(mended);
        }
    }
    Cow::Borrowed(engine)
}

/// A part directly inside an expression.
enum Part<'e> {
    Expr(&'e Expr),
    /// The query of a comprehension.
    Query(&'e ast::Query),
}

/// Calls `f` for each part directly inside `expr`, in the order they are written (a
/// call's function before its arguments).
fn each_part<'e>(expr: &'e Expr, f: &mut dyn FnMut(Part<'e>)) {
    let mut exprs = |exprs: &mut dyn Iterator<Item = &'e ast::Ref<Expr>>| {
        for inner in exprs {
            f(Part::Expr(inner));
        }
    };
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. }
        | Expr::Var { .. } => {}
        Expr::Array { items, .. } | Expr::Set { items, .. } => exprs(&mut items.iter()),
        Expr::Object { fields, .. } => {
            exprs(&mut fields.iter().flat_map(|(_, key, value)| [key, value]));
        }
        Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
            f(Part::Expr(term));
            f(Part::Query(query));
        }
        Expr::ObjectCompr {
            key, value, query, ..
        } => {
            f(Part::Expr(key));
            f(Part::Expr(value));
            f(Part::Query(query));
        }
        Expr::Call { fcn, params, .. } => exprs(&mut std::iter::once(fcn).chain(params)),
        Expr::UnaryExpr { expr, .. } => f(Part::Expr(expr)),
        Expr::RefDot { refr, .. } => f(Part::Expr(refr)),
        Expr::RefBrack { refr, index, .. } => exprs(&mut [refr, index].into_iter()),
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => exprs(&mut [lhs, rhs].into_iter()),
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => exprs(&mut key.iter().chain([value, collection])),
    }
}

/// Whether a query may go through its statements more than once: it has `some`,
/// `every`, a comprehension, or a reference with a computed index (`xs[_]`, `xs[i]`).
fn query_iterates(query: &ast::Query) -> bool {
    query
        .stmts
        .iter()
        .any(|statement| match &statement.literal {
            Literal::SomeVars { .. } | Literal::SomeIn { .. } | Literal::Every { .. } => true,
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => expr_iterates(expr),
        })
}

fn expr_iterates(expr: &Expr) -> bool {
    match expr {
        Expr::ArrayCompr { .. } | Expr::SetCompr { .. } | Expr::ObjectCompr { .. } => true,
        Expr::RefBrack { refr, index, .. } => {
            let literal = matches!(
                **index,
                Expr::String { .. }
                    | Expr::RawString { .. }
                    | Expr::Number { .. }
                    | Expr::Bool { .. }
                    | Expr::Null { .. }
            );
            !literal || expr_iterates(refr)
        }
        _ => {
            let mut iterates = false;
            each_part(expr, &mut |part| {
                if let Part::Expr(inner) = part {
                    iterates = iterates || expr_iterates(inner);
                }
            });
            iterates
        }
    }
}

/// Whether a value is closed in the sense of [`ConstantRule`]; collects the plain names it
/// mentions and the first names of the functions it calls.
fn closed(expr: &Expr, mentions: &mut Vec<String>, calls: &mut Vec<String>) -> bool {
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. } => true,
        Expr::Var { value, .. } => match text_of(value) {
            Some("input") => true,
            Some("data" | "_") | None => false,
            Some(name) => {
                mentions.push(name.to_string());
                true
            }
        },
        Expr::RefDot { .. } | Expr::RefBrack { .. } => input_reference(expr),
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            items.iter().all(|item| closed(item, mentions, calls))
        }
        Expr::Object { fields, .. } => fields
            .iter()
            .all(|(_, key, value)| closed(key, mentions, calls) && closed(value, mentions, calls)),
        Expr::Call { fcn, params, .. } => {
            let Some(path) = ref_path(fcn) else {
                return false;
            };
            if !PURE_BUILTINS.contains(&path.join(".").as_str()) {
                return false;
            }
            calls.extend(path.into_iter().next());
            params.iter().all(|param| closed(param, mentions, calls))
        }
        Expr::ArithExpr { lhs, rhs, .. } => {
            closed(lhs, mentions, calls) && closed(rhs, mentions, calls)
        }
        _ => false,
    }
}

/// A reference into `input` whose every step is written out: `input.a["b"][0]`.
fn input_reference(expr: &Expr) -> bool {
    match expr {
        Expr::Var { value, .. } => text_of(value) == Some("input"),
        Expr::RefDot { refr, .. } => input_reference(refr),
        Expr::RefBrack { refr, index, .. } => {
            matches!(
                **index,
                Expr::String { .. } | Expr::RawString { .. } | Expr::Number { .. }
            ) && input_reference(refr)
        }
        _ => false,
    }
}

/// A reference worth guarding: not `input` or `data` alone, and free of `_` (which OPA
/// rejects inside a negation anyway).
fn is_guardable(expr: &Expr) -> bool {
    let mut node = expr;
    loop {
        match node {
            Expr::Var { value, .. } => {
                let name = text_of(value).unwrap_or("_");
                let bare = std::ptr::eq(node, expr);
                return name != "_" && !(bare && matches!(name, "input" | "data"));
            }
            Expr::RefDot { refr, .. } => node = refr,
            Expr::RefBrack { refr, index, .. } => {
                let wildcard = var_name(index) == Some("_");
                let simple = matches!(
                    **index,
                    Expr::Var { .. }
                        | Expr::String { .. }
                        | Expr::RawString { .. }
                        | Expr::Number { .. }
                        | Expr::Bool { .. }
                        | Expr::Null { .. }
                );
                if wildcard || !simple {
                    return false;
                }
                node = refr;
            }
            _ => return false,
        }
    }
}

/// The static components of a reference: `a.b["c"]` gives `[a, b, c]`; `None` when a part
/// is computed.
pub fn ref_path(node: &Expr) -> Option<Vec<String>> {
    let mut reversed = Vec::new();
    let mut current = node;
    loop {
        match current {
            Expr::Var { value, .. } => {
                reversed.push(text_of(value)?.to_string());
                break;
            }
            Expr::RefDot { refr, field, .. } => {
                reversed.push(text_of(&field.1)?.to_string());
                current = refr;
            }
            Expr::RefBrack { refr, index, .. } => {
                match &**index {
                    Expr::String { value, .. } | Expr::RawString { value, .. } => {
                        reversed.push(text_of(value)?.to_string());
                    }
                    _ => return None,
                }
                current = refr;
            }
            _ => return None,
        }
    }
    reversed.reverse();
    Some(reversed)
}
