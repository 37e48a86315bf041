//! Expressions to Rego terms. Every term is total: it has a value (null where the policy
//! language has null) for every input, so no rule is ever undefined by accident. The few
//! values that must be computed once are bound to variables of the enclosing body.

use super::emitter::{Body, Emitter, Term};
use super::literal;
use crate::dsl::ast::{
    Access, BinaryOp, ComprehensionKind, Expr, ExprKind, ForClause, Ident, ObjectEntry,
    TemplatePart, UnaryOp,
};

impl Emitter<'_> {
    /// The term of an expression; what must be computed first is added to `body`.
    pub fn term(&mut self, expr: &Expr, body: &mut Body) -> Term {
        match &expr.kind {
            ExprKind::Null => Term::cheap("null".to_string()),
            ExprKind::Bool(flag) => Term {
                text: flag.to_string(),
                boolean: true,
                cheap: true,
            },
            ExprKind::Number(number) => Term::cheap(literal::number(*number)),
            ExprKind::String(parts) => self.template(parts, body),
            ExprKind::Duration { millis, .. } => Term::cheap(format!("lib.millis({millis})")),
            ExprKind::Array(items) => {
                let items: Vec<Term> = items.iter().map(|item| self.term(item, body)).collect();
                let cheap = items.iter().all(|item| item.cheap);
                let texts: Vec<String> = items.into_iter().map(|item| item.text).collect();
                Term {
                    text: format!("[{}]", texts.join(", ")),
                    boolean: false,
                    cheap,
                }
            }
            ExprKind::Object(entries) => self.object(entries, body),
            ExprKind::Name(name) => self.path(name, &[], body),
            ExprKind::Paren(inner) => self.term(inner, body),
            ExprKind::Path { base, accesses } => match &base.kind {
                ExprKind::Name(name) => self.path(name, accesses, body),
                _ => {
                    let base = self.term(base, body);
                    self.walk(base, Vec::new(), accesses, body)
                }
            },
            ExprKind::Unary { op, operand } => {
                let operand = self.term(operand, body);
                match op {
                    UnaryOp::Not => Term::boolean(format!("lib.not_true({})", operand.text)),
                    UnaryOp::Neg => Term::value(format!("lib.negative({})", operand.text)),
                }
            }
            ExprKind::Binary { op, left, right } => {
                let left = self.term(left, body);
                let right = self.term(right, body);
                binary(*op, &left.text, &right.text)
            }
            ExprKind::Call { function, args } => self.call(function, args, body),
            ExprKind::Comprehension {
                kind,
                element,
                each,
                condition,
            } => self.comprehension(*kind, element, each, condition.as_deref(), body),
        }
    }

    /// Adds to `body` the statements that hold exactly when `expr` is `true`: `and`s become
    /// statements of their own, and a value that may be other than a boolean is compared
    /// with `true`.
    pub fn condition(&mut self, expr: &Expr, body: &mut Body) {
        match &expr.kind {
            ExprKind::Paren(inner) => self.condition(inner, body),
            ExprKind::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => {
                self.condition(left, body);
                self.condition(right, body);
            }
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => {
                let operand = self.term(operand, body);
                // A boolean term is never undefined, so `X == false` is `not X`; it keeps
                // engines' handling of negated calls (regorus 0.14 misread some bodies that
                // start with `not`) out of the way.
                if operand.boolean {
                    body.push(format!("{} == false", operand.text));
                } else {
                    body.push(format!("{} != true", operand.text));
                }
            }
            _ => {
                let term = self.term(expr, body);
                if term.boolean {
                    body.push(term.text);
                } else {
                    body.push(format!("{} == true", term.text));
                }
            }
        }
    }

    /// A name, and the accesses after it. A field of the input, `input.x` and `config.x`
    /// start a path at `input` or `config`, as the policy language reads them.
    fn path(&mut self, name: &Ident, accesses: &[Access], body: &mut Body) -> Term {
        if let Some((_, variable)) = self.locals.iter().rev().find(|(dsl, _)| *dsl == name.name) {
            let base = Term::cheap(variable.clone());
            return self.walk(base, Vec::new(), accesses, body);
        }
        if let Some(rule) = self.lets.get(&name.name) {
            let base = Term::cheap(rule.clone());
            return self.walk(base, Vec::new(), accesses, body);
        }
        match name.name.as_str() {
            "input" => self.walk(Term::cheap("input".to_string()), Vec::new(), accesses, body),
            "config" => {
                self.uses_config = true;
                self.walk(
                    Term::cheap("config".to_string()),
                    Vec::new(),
                    accesses,
                    body,
                )
            }
            "now" => self.walk(
                Term::cheap("lib.now".to_string()),
                Vec::new(),
                accesses,
                body,
            ),
            field => {
                let keys = vec![literal::string(field)];
                self.walk(Term::cheap("input".to_string()), keys, accesses, body)
            }
        }
    }

    /// Applies accesses to `base` after the keys already gathered: fields and indexes
    /// gather into one `lib.get`; `[*]` projects the rest over the items.
    fn walk(
        &mut self,
        base: Term,
        mut keys: Vec<String>,
        accesses: &[Access],
        body: &mut Body,
    ) -> Term {
        let mut cheap = base.cheap;
        for (position, access) in accesses.iter().enumerate() {
            match access {
                Access::Field(field) => keys.push(literal::string(&field.name)),
                Access::Index { index, .. } => {
                    let key = self.term(index, body);
                    if is_literal_key(index) {
                        keys.push(key.text);
                    } else {
                        cheap &= key.cheap;
                        keys.push(format!("lib.key({})", key.text));
                    }
                }
                Access::Each { .. } => {
                    let list = get(base, keys, cheap);
                    let rest = accesses.get(position + 1..).unwrap_or_default();
                    return self.projection(list, rest, body);
                }
            }
        }
        get(base, keys, cheap)
    }

    /// `list[*].rest`: the rest of the path applied to each item; null when `list` has no
    /// items to give.
    fn projection(&mut self, list: Term, rest: &[Access], body: &mut Body) -> Term {
        let list = self.computed_once(list, "list", body);
        let item = self.names.fresh("item");
        let mut inner = Body::new();
        let element = self.walk(Term::cheap(item.clone()), Vec::new(), rest, &mut inner);
        let generator = format!("some {item} in lib.items({})", list.text);
        Term::value(format!(
            "lib.projected({}, {})",
            list.text,
            comprehension(&element.text, &generator, &inner)
        ))
    }

    /// `[E for x in XS if C]` and the quantifiers and aggregates over one.
    fn comprehension(
        &mut self,
        kind: ComprehensionKind,
        element: &Expr,
        each: &ForClause,
        condition: Option<&Expr>,
        body: &mut Body,
    ) -> Term {
        let variable = self.reserve_local(&each.variable);
        let mut iterable = self.term(&each.iterable, body);
        if kind == ComprehensionKind::All {
            iterable = self.computed_once(iterable, "items", body);
        }
        self.enter_local(&each.variable, &variable);
        let mut inner = Body::new();
        if let Some(condition) = condition {
            self.condition(condition, &mut inner);
        }
        let element = match kind {
            // `count` counts the items that pass; what it would make of them never matters.
            ComprehensionKind::Count => "true".to_string(),
            _ => self.term(element, &mut inner).text,
        };
        self.leave_local();
        let generator = format!("some {variable} in lib.items({})", iterable.text);
        let list = comprehension(&element, &generator, &inner);
        match kind {
            ComprehensionKind::List => Term::value(list),
            ComprehensionKind::Any => {
                self.uses_fn = true;
                Term::boolean(format!("fn.any({list})"))
            }
            ComprehensionKind::All => {
                Term::boolean(format!("lib.all_over({}, {list})", iterable.text))
            }
            ComprehensionKind::Count => Term::value(format!("count({list})")),
            ComprehensionKind::Sum | ComprehensionKind::Min | ComprehensionKind::Max => {
                self.uses_fn = true;
                let function = kind.function_name().unwrap_or("sum");
                Term::value(format!("fn.{function}({list})"))
            }
        }
    }

    /// A term that is written twice: itself when cheap, else a variable bound to it.
    fn computed_once(&mut self, term: Term, wanted: &str, body: &mut Body) -> Term {
        if term.cheap {
            return term;
        }
        let variable = self.names.fresh(wanted);
        body.push(format!("{variable} := {}", term.text));
        Term::cheap(variable)
    }

    /// A string with `${...}`: `sprintf` over the text of each value.
    fn template(&mut self, parts: &[TemplatePart], body: &mut Body) -> Term {
        let mut format = String::new();
        let mut plain = String::new();
        let mut values = Vec::new();
        for part in parts {
            match part {
                TemplatePart::Text(text) => {
                    format.push_str(&literal::format_text(text));
                    plain.push_str(text);
                }
                TemplatePart::Interpolation(expr) => {
                    let value = self.term(expr, body);
                    format.push_str("%s");
                    values.push(format!("lib.text({})", value.text));
                }
            }
        }
        match values.as_slice() {
            [] => Term::cheap(literal::string(&plain)),
            [only] if format == "%s" => Term::value(only.clone()),
            _ => Term::value(format!(
                "sprintf({}, [{}])",
                literal::string(&format),
                values.join(", ")
            )),
        }
    }

    fn object(&mut self, entries: &[ObjectEntry], body: &mut Body) -> Term {
        let mut cheap = true;
        let mut texts = Vec::with_capacity(entries.len());
        for entry in entries {
            let value = self.term(&entry.value, body);
            cheap &= value.cheap;
            texts.push(format!(
                "{}: {}",
                literal::string(&entry.key.value),
                value.text
            ));
        }
        Term {
            text: format!("{{{}}}", texts.join(", ")),
            boolean: false,
            cheap,
        }
    }
}

/// A literal string or number in `a[...]`, which selects as it is.
fn is_literal_key(index: &Expr) -> bool {
    match &index.kind {
        ExprKind::Number(number) => number.is_finite(),
        ExprKind::String(parts) => parts
            .iter()
            .all(|part| matches!(part, TemplatePart::Text(_))),
        ExprKind::Paren(inner) => is_literal_key(inner),
        _ => false,
    }
}

fn get(base: Term, keys: Vec<String>, cheap: bool) -> Term {
    if keys.is_empty() {
        return base;
    }
    Term {
        text: format!("lib.get({}, [{}])", base.text, keys.join(", ")),
        boolean: false,
        cheap,
    }
}

/// `[element | generator; statements...]`.
fn comprehension(element: &str, generator: &str, statements: &Body) -> String {
    let mut out = format!("[{element} | {generator}");
    for statement in statements {
        out.push_str("; ");
        out.push_str(statement);
    }
    out.push(']');
    out
}

fn binary(op: BinaryOp, left: &str, right: &str) -> Term {
    let (function, boolean) = match op {
        BinaryOp::Or => ("either", true),
        BinaryOp::And => ("both", true),
        BinaryOp::Eq => ("equals", true),
        BinaryOp::Ne => ("differs", true),
        BinaryOp::Lt => ("less", true),
        BinaryOp::Le => ("less_or_equal", true),
        BinaryOp::Gt => ("greater", true),
        BinaryOp::Ge => ("greater_or_equal", true),
        BinaryOp::In => ("is_in", true),
        BinaryOp::NotIn => {
            return Term::boolean(format!("lib.not_true(lib.is_in({left}, {right}))"));
        }
        BinaryOp::Coalesce => ("coalesce", false),
        BinaryOp::Add => ("add", false),
        BinaryOp::Sub => ("subtract", false),
        BinaryOp::Mul => ("multiply", false),
        BinaryOp::Div => ("divide", false),
        BinaryOp::Mod => ("remainder", false),
    };
    Term {
        text: format!("lib.{function}({left}, {right})"),
        boolean,
        cheap: false,
    }
}
