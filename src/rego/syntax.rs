//! What verdict needs to know about a parsed Rego module: its package, imports, rules
//! with their places, the functions it calls and its negations. It is read from the
//! syntax tree regorus serialises, so it sees exactly what the engine parsed.

use serde_json::Value as Json;

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
}

impl ModuleSyntax {
    /// Reads the serialised module; `text` is the file on disk and `original` maps an
    /// offset of the parsed text back to it.
    pub fn read(module: &Json, text: &str, original: &dyn Fn(usize) -> usize) -> ModuleSyntax {
        let mut reader = Reader {
            text,
            original,
            syntax: ModuleSyntax::default(),
            rule: 0,
        };
        reader.module(module);
        reader.syntax
    }

    /// The import that `alias` names, if any: `import data.lib` names `lib`.
    pub fn import_named(&self, alias: &str) -> Option<&ImportSyntax> {
        self.imports.iter().find(|import| {
            import
                .alias
                .as_deref()
                .or(import.path.last().map(String::as_str))
                == Some(alias)
        })
    }
}

struct Reader<'a> {
    text: &'a str,
    original: &'a dyn Fn(usize) -> usize,
    syntax: ModuleSyntax,
    rule: usize,
}

/// The single variant of a serialised enum: `{"Var": {...}}` gives `("Var", {...})`.
fn variant(node: &Json) -> Option<(&str, &Json)> {
    let object = node.as_object()?;
    let (name, value) = object.iter().next()?;
    Some((name.as_str(), value))
}

fn items<'a>(node: &'a Json, key: &str) -> impl Iterator<Item = &'a Json> {
    node.get(key).and_then(Json::as_array).into_iter().flatten()
}

fn string(node: &Json, key: &str) -> Option<String> {
    node.get(key)?.as_str().map(str::to_string)
}

impl Reader<'_> {
    fn span(&self, node: Option<&Json>) -> Span {
        let offset = |key: &str| {
            node.and_then(|span| span.get(key))
                .and_then(Json::as_u64)
                .and_then(|at| usize::try_from(at).ok())
                .map_or(0, |at| (self.original)(at))
        };
        Span::new(offset("start"), offset("end"))
    }

    /// Where a node really ends: the engine's spans of string literals leave out the
    /// closing quote, and so do the spans of whatever ends with one.
    fn end_of(&self, node: &Json) -> usize {
        let mut end = 0;
        let mut pending = vec![node];
        while let Some(current) = pending.pop() {
            match current {
                Json::Object(fields) => {
                    if let Some((kind, inner)) = variant(current)
                        && fields.len() == 1
                        && (kind == "String" || kind == "RawString")
                    {
                        end = end.max(self.span(inner.get("span")).end + 1);
                    }
                    if let Some(span) = fields.get("span") {
                        end = end.max(self.span(Some(span)).end);
                    }
                    pending.extend(fields.values());
                }
                Json::Array(items) => pending.extend(items),
                _ => {}
            }
        }
        end
    }

    fn span_of(&self, node: &Json) -> Span {
        self.span(variant(node).and_then(|(_, inner)| inner.get("span")))
    }

    fn module(&mut self, module: &Json) {
        let package = module.get("package");
        self.syntax.package_span = self.span(package.and_then(|p| p.get("span")));
        self.syntax.package = package
            .and_then(|p| p.get("refr"))
            .and_then(ref_path)
            .unwrap_or_default();
        self.syntax.rego_v1 = module.get("rego_v1").and_then(Json::as_bool) == Some(true);
        for import in items(module, "imports") {
            let path = import.get("refr").and_then(ref_path).unwrap_or_default();
            let alias = import
                .get("as")
                .map(|span| self.span(Some(span)))
                .and_then(|span| self.text_at(span))
                .map(str::to_string);
            self.syntax.imports.push(ImportSyntax { path, alias });
        }
        for (index, rule) in items(module, "rules").enumerate() {
            self.rule = index;
            self.rule(rule);
        }
    }

    /// The text of the file on disk at a span.
    fn text_at(&self, span: Span) -> Option<&str> {
        self.text.get(span.start..span.end)
    }

    fn rule(&mut self, rule: &Json) {
        let Some((kind, rule)) = variant(rule) else {
            return;
        };
        let span = self.span(rule.get("span"));
        if kind == "Default" {
            let refr = rule.get("refr");
            let arity = items(rule, "args").count();
            self.syntax.rules.push(RuleSyntax {
                kind: RuleKind::Default,
                path: refr.and_then(ref_path).unwrap_or_default(),
                span,
                name_span: refr.map(|r| self.span_of(r)).unwrap_or(span),
                arity,
                bodies: Vec::new(),
                literal_key: None,
                v0_set_head_if: None,
                unbound_head_vars: Vec::new(),
                head_expression: None,
            });
            if let Some(value) = rule.get("value") {
                self.expr(value, false);
            }
            return;
        }
        let Some((head_kind, head)) = rule.get("head").and_then(variant) else {
            return;
        };
        let refr = head.get("refr");
        let name_span = refr.map(|r| self.span_of(r)).unwrap_or(span);
        let bodies: Vec<BodySyntax> = items(rule, "bodies").map(|b| self.body(b)).collect();
        let (mut kind, path) = match (head_kind, refr.and_then(variant)) {
            ("Set", _) => (RuleKind::MultiValue, refr.and_then(ref_path)),
            ("Func", _) => (RuleKind::Function, refr.and_then(ref_path)),
            (_, Some(("RefBrack", brack))) if !is_string(brack.get("index")) => {
                (RuleKind::Object, brack.get("refr").and_then(ref_path))
            }
            _ => (RuleKind::Complete, refr.and_then(ref_path)),
        };
        let literal_key = head
            .get("key")
            .and_then(variant)
            .filter(|(name, _)| *name == "String" || *name == "RawString")
            .and_then(|(_, key)| string(key, "value"));
        let v0_set_head_if = self.v0_set_head_if(kind, refr, head, &bodies);
        if v0_set_head_if.is_some() {
            kind = RuleKind::MultiValue;
        }
        let unbound_head_vars = if kind == RuleKind::Function || bodies.is_empty() {
            Vec::new()
        } else {
            self.unbound_head_vars(head, rule)
        };
        self.syntax.rules.push(RuleSyntax {
            kind,
            path: path.unwrap_or_default(),
            span,
            name_span,
            arity: items(head, "args").count(),
            bodies,
            literal_key,
            v0_set_head_if,
            unbound_head_vars,
            head_expression: head
                .get("key")
                .or_else(|| head.get("assign").and_then(|assign| assign.get("value")))
                .filter(|node| !node.is_null())
                .map(|node| self.span_of(node).start),
        });
        for arg in items(head, "args") {
            self.expr(arg, false);
        }
        if let Some(key) = head.get("key") {
            self.expr(key, false);
        }
        if let Some(value) = head.get("assign").and_then(|a| a.get("value")) {
            self.expr(value, false);
        }
        for body in items(rule, "bodies") {
            if let Some(value) = body.get("assign").and_then(|a| a.get("value")) {
                self.expr(value, false);
            }
            if let Some(query) = body.get("query") {
                self.query(query, true);
            }
        }
    }

    /// The plain variables of a head (its key, its value, an object key) that appear
    /// nowhere in the rule's bodies, so nothing can bind them.
    fn unbound_head_vars(&self, head: &Json, rule: &Json) -> Vec<(String, Span)> {
        let brack_index = head
            .get("refr")
            .and_then(variant)
            .filter(|(kind, _)| *kind == "RefBrack")
            .and_then(|(_, brack)| brack.get("index"));
        let candidates = [
            head.get("key"),
            head.get("assign").and_then(|assign| assign.get("value")),
            brack_index,
        ];
        let mut mentioned = Vec::new();
        let mut pending: Vec<&Json> = items(rule, "bodies").collect();
        while let Some(node) = pending.pop() {
            match node {
                Json::Object(fields) => {
                    if let Some(("Var", var)) = variant(node)
                        && fields.len() == 1
                        && let Some(name) = var.get("value").and_then(Json::as_str)
                    {
                        mentioned.push(name);
                    }
                    pending.extend(fields.values());
                }
                Json::Array(values) => pending.extend(values),
                _ => {}
            }
        }
        candidates
            .into_iter()
            .flatten()
            .filter_map(|candidate| match variant(candidate) {
                Some(("Var", var)) => var
                    .get("value")
                    .and_then(Json::as_str)
                    .map(|name| (name, candidate)),
                _ => None,
            })
            .filter(|(name, _)| {
                !mentioned.contains(name) && !matches!(*name, "_" | "input" | "data")
            })
            .map(|(name, node)| (name.to_string(), self.span_of(node)))
            .collect()
    }

    /// OPA's v0 mode reads `p[x] if { ... }` as the multi-value rule `p contains x`.
    fn v0_set_head_if(
        &self,
        kind: RuleKind,
        refr: Option<&Json>,
        head: &Json,
        bodies: &[BodySyntax],
    ) -> Option<Span> {
        let simple_bracket = matches!(
            refr.and_then(variant),
            Some(("RefBrack", brack)) if matches!(brack.get("refr").and_then(variant), Some(("Var", _)))
        );
        let has_value = head.get("assign").is_some_and(|assign| !assign.is_null());
        if self.syntax.rego_v1 || kind != RuleKind::Object || !simple_bracket || has_value {
            return None;
        }
        let body = bodies.first()?;
        let start = body.span.start;
        let keyword = Span::new(start, start + 2);
        (self.text_at(keyword) == Some("if")).then_some(keyword)
    }

    fn body(&self, body: &Json) -> BodySyntax {
        let mut query = self.span(body.get("query").and_then(|q| q.get("span")));
        if let Some(node) = body.get("query") {
            query.end = query.end.max(self.end_of(node));
        }
        let statements = body
            .get("query")
            .map(|node| {
                items(node, "stmts")
                    .map(|statement| self.span(statement.get("span")).start)
                    .collect()
            })
            .unwrap_or_default();
        BodySyntax {
            span: self.span(body.get("span")),
            query,
            braced: self.text_at(Span::new(query.start, query.start + 1)) == Some("{"),
            statements,
        }
    }

    fn query(&mut self, query: &Json, rule_body: bool) {
        let statements: Vec<&Json> = items(query, "stmts").collect();
        let query_span = self.span(query.get("span"));
        let braced = self.text_at(Span::new(query_span.start, query_span.start + 1)) == Some("{");
        let sole = rule_body && !braced && statements.len() == 1;
        for statement in statements {
            let has_with = items(statement, "with_mods").next().is_some();
            for modifier in items(statement, "with_mods") {
                if let Some(value) = modifier.get("as") {
                    self.expr(value, false);
                }
            }
            let Some((kind, literal)) = statement.get("literal").and_then(variant) else {
                continue;
            };
            match kind {
                "Expr" => {
                    if let Some(expr) = literal.get("expr") {
                        self.expr(expr, true);
                    }
                }
                "NotExpr" => {
                    if let Some(expr) = literal.get("expr") {
                        if !has_with {
                            let mut guarded = Vec::new();
                            self.guards(expr, false, &mut guarded);
                            if !guarded.is_empty() {
                                self.syntax.negations.push(Negation {
                                    end: self.end_of(literal),
                                    guarded,
                                    braceless_body: sole.then_some(query_span),
                                });
                            }
                        }
                        self.expr(expr, true);
                    }
                }
                "SomeIn" => {
                    for key in ["key", "value", "collection"] {
                        if let Some(expr) = literal.get(key) {
                            self.expr(expr, false);
                        }
                    }
                }
                "Every" => {
                    if let Some(domain) = literal.get("domain") {
                        self.expr(domain, false);
                    }
                    if let Some(query) = literal.get("query") {
                        self.query(query, false);
                    }
                }
                _ => {}
            }
        }
    }

    fn expr(&mut self, expr: &Json, statement: bool) {
        let Some((kind, node)) = variant(expr) else {
            return;
        };
        match kind {
            "Call" => {
                let name = node
                    .get("fcn")
                    .and_then(ref_path)
                    .map(|path| path.join("."));
                let params: Vec<&Json> = items(node, "params").collect();
                if let Some(name) = name {
                    self.syntax.calls.push(CallSite {
                        name,
                        args: params.len(),
                        span: self.span(node.get("span")),
                        statement,
                        rule: self.rule,
                    });
                }
                for param in params {
                    self.expr(param, false);
                }
            }
            "ArrayCompr" | "SetCompr" | "ObjectCompr" => {
                for key in ["term", "key", "value"] {
                    if let Some(inner) = node.get(key) {
                        self.expr(inner, false);
                    }
                }
                if let Some(query) = node.get("query") {
                    self.query(query, false);
                }
            }
            "Object" => {
                for field in items(node, "fields") {
                    for part in field.as_array().into_iter().flatten().skip(1) {
                        self.expr(part, false);
                    }
                }
            }
            "Array" | "Set" => {
                for item in items(node, "items") {
                    self.expr(item, false);
                }
            }
            "RefBrack" => {
                for key in ["refr", "index"] {
                    if let Some(inner) = node.get(key) {
                        self.expr(inner, false);
                    }
                }
            }
            _ => {
                for key in ["refr", "expr", "lhs", "rhs", "key", "value", "collection"] {
                    if let Some(inner) = node.get(key) {
                        self.expr(inner, false);
                    }
                }
            }
        }
    }

    /// Collects the references that OPA evaluates before a negation: arguments of calls
    /// and operators (except the operands of `==` and `=` themselves), and anything inside
    /// a composite value.
    fn guards(&self, expr: &Json, argument: bool, guarded: &mut Vec<Span>) {
        let Some((kind, node)) = variant(expr) else {
            return;
        };
        let child = |key: &str| node.get(key);
        match kind {
            "Var" | "RefDot" | "RefBrack" if argument && is_guardable(expr) => {
                guarded.push(self.span_of(expr));
            }
            "Call" => {
                for param in items(node, "params") {
                    self.guards(param, true, guarded);
                }
            }
            "BoolExpr" | "AssignExpr" => {
                let operator = child("op").and_then(Json::as_str);
                let equality = matches!(
                    (kind, operator),
                    ("BoolExpr", Some("Eq")) | ("AssignExpr", _)
                );
                for side in ["lhs", "rhs"] {
                    if let Some(inner) = child(side) {
                        self.guards(inner, !equality, guarded);
                    }
                }
            }
            "ArithExpr" | "BinExpr" => {
                for side in ["lhs", "rhs"] {
                    if let Some(inner) = child(side) {
                        self.guards(inner, true, guarded);
                    }
                }
            }
            "Membership" => {
                for side in ["key", "value", "collection"] {
                    if let Some(inner) = child(side) {
                        self.guards(inner, true, guarded);
                    }
                }
            }
            "UnaryExpr" => {
                if let Some(inner) = child("expr") {
                    self.guards(inner, true, guarded);
                }
            }
            "Array" | "Set" => {
                for item in items(node, "items") {
                    self.guards(item, true, guarded);
                }
            }
            "Object" => {
                for field in items(node, "fields") {
                    for part in field.as_array().into_iter().flatten().skip(1) {
                        self.guards(part, true, guarded);
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_string(node: Option<&Json>) -> bool {
    matches!(node.and_then(variant), Some(("String" | "RawString", _)))
}

/// A reference worth guarding: not `input` or `data` alone, and free of `_` (which OPA
/// rejects inside a negation anyway).
fn is_guardable(expr: &Json) -> bool {
    let mut node = expr;
    loop {
        match variant(node) {
            Some(("Var", var)) => {
                let name = var.get("value").and_then(Json::as_str).unwrap_or("_");
                let bare = std::ptr::eq(node, expr);
                return name != "_" && !(bare && matches!(name, "input" | "data"));
            }
            Some(("RefDot", inner)) => match inner.get("refr") {
                Some(next) => node = next,
                None => return false,
            },
            Some(("RefBrack", inner)) => {
                let index = inner.get("index");
                let wildcard = matches!(
                    index.and_then(variant),
                    Some(("Var", var)) if var.get("value").and_then(Json::as_str) == Some("_")
                );
                let simple = matches!(
                    index.and_then(variant),
                    Some((
                        "Var" | "String" | "RawString" | "Number" | "Bool" | "Null",
                        _
                    ))
                );
                if wildcard || !simple {
                    return false;
                }
                match inner.get("refr") {
                    Some(next) => node = next,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
}

/// The static components of a reference: `a.b["c"]` gives `[a, b, c]`; `None` when a part
/// is computed.
pub fn ref_path(node: &Json) -> Option<Vec<String>> {
    let mut reversed = Vec::new();
    let mut current = node;
    loop {
        let (kind, inner) = variant(current)?;
        match kind {
            "Var" => {
                reversed.push(string(inner, "value")?);
                break;
            }
            "RefDot" => {
                let field = inner.get("field")?.as_array()?.get(1)?.as_str()?;
                reversed.push(field.to_string());
                current = inner.get("refr")?;
            }
            "RefBrack" => {
                let (index_kind, index) = variant(inner.get("index")?)?;
                if index_kind != "String" && index_kind != "RawString" {
                    return None;
                }
                reversed.push(string(index, "value")?);
                current = inner.get("refr")?;
            }
            _ => return None,
        }
    }
    reversed.reverse();
    Some(reversed)
}
