//! Printing expressions: canonical spacing, strings re-escaped, numbers in their shortest
//! form, the author's parentheses kept, and parentheses added where a tree built by other
//! means than the parser needs them to read back the same.

use super::printer::Printer;
use crate::dsl::ast::{
    Access, BinaryOp, ComprehensionKind, Expr, ExprKind, ForClause, ObjectEntry, TemplatePart,
    UnaryOp,
};

/// The binding strength of `not`, between `and` and the comparisons.
const NOT_PRECEDENCE: u8 = 3;
const COMPARISON_PRECEDENCE: u8 = 4;

impl Printer<'_> {
    pub(super) fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Null => self.write("null"),
            ExprKind::Bool(value) => self.write(if *value { "true" } else { "false" }),
            ExprKind::Number(value) => self.write(&number(*value)),
            ExprKind::Duration { text, .. } => self.write(text),
            ExprKind::String(parts) => self.template(parts),
            ExprKind::Name(name) => self.write(&name.name),
            ExprKind::Paren(inner) => {
                self.write("(");
                self.expr(inner);
                self.write(")");
            }
            ExprKind::Array(elements) => self.array(expr, elements),
            ExprKind::Object(entries) => self.object(expr, entries),
            ExprKind::Path { base, accesses } => self.path(base, accesses),
            ExprKind::Unary { op, operand } => self.unary(*op, operand),
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right),
            ExprKind::Call { function, args } => {
                self.write(&function.name);
                self.write("(");
                self.comma_separated(args);
                self.write(")");
            }
            ExprKind::Comprehension {
                kind,
                element,
                each,
                condition,
            } => self.comprehension(*kind, element, each, condition.as_deref()),
        }
        self.mark(expr.span.end);
    }

    fn grouped(&mut self, expr: &Expr, parenthesize: bool) {
        if parenthesize {
            self.write("(");
            self.expr(expr);
            self.write(")");
        } else {
            self.expr(expr);
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr) {
        let precedence = op.precedence();
        let left_needs = match binding(left) {
            Some(inner) if precedence == COMPARISON_PRECEDENCE => inner <= precedence,
            Some(inner) => inner < precedence,
            None => false,
        };
        // Left associative: an equal right operand needs parentheses, and `not` cannot
        // follow a comparison or a tighter operator.
        let right_needs = binding(right).is_some_and(|inner| inner <= precedence);
        self.grouped(left, left_needs);
        self.write(" ");
        self.write(op.symbol());
        self.write(" ");
        self.grouped(right, right_needs);
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr) {
        match op {
            UnaryOp::Not => {
                self.write("not ");
                let needs = binding(operand).is_some_and(|inner| inner < NOT_PRECEDENCE);
                self.grouped(operand, needs);
            }
            UnaryOp::Neg => {
                self.write("-");
                let needs = matches!(
                    operand.kind,
                    ExprKind::Binary { .. }
                        | ExprKind::Unary {
                            op: UnaryOp::Not,
                            ..
                        }
                );
                self.grouped(operand, needs);
            }
        }
    }

    fn path(&mut self, base: &Expr, accesses: &[Access]) {
        let needs = matches!(
            base.kind,
            ExprKind::Binary { .. } | ExprKind::Unary { .. } | ExprKind::Path { .. }
        );
        self.grouped(base, needs);
        for access in accesses {
            match access {
                Access::Field(field) => {
                    self.write(".");
                    self.write(&field.name);
                }
                Access::Index { index, span } => {
                    self.write("[");
                    self.expr(index);
                    self.write("]");
                    self.mark(span.end);
                }
                Access::Each { span } => {
                    self.write("[*]");
                    self.mark(span.end);
                }
            }
        }
    }

    fn comprehension(
        &mut self,
        kind: ComprehensionKind,
        element: &Expr,
        each: &ForClause,
        condition: Option<&Expr>,
    ) {
        let (open, close) = match kind.function_name() {
            Some(function) => (format!("{function}("), ")"),
            None => ("[".to_string(), "]"),
        };
        self.write(&open);
        self.expr(element);
        self.write(" ");
        self.for_clause(each);
        if let Some(condition) = condition {
            self.write(" if ");
            self.expr(condition);
        }
        self.write(close);
    }

    pub(super) fn for_clause(&mut self, clause: &ForClause) {
        self.write("for ");
        self.write(&clause.variable.name);
        self.write(" in ");
        self.expr(&clause.iterable);
    }

    fn comma_separated(&mut self, exprs: &[Expr]) {
        for (index, expr) in exprs.iter().enumerate() {
            if index > 0 {
                self.write(", ");
            }
            self.expr(expr);
        }
    }

    /// `[a, b]`, or one element a line when the author broke the list.
    fn array(&mut self, whole: &Expr, elements: &[Expr]) {
        if elements.is_empty() || !self.broken(whole.span.start, whole.span.end) {
            self.write("[");
            self.comma_separated(elements);
            self.write("]");
            return;
        }
        self.broken_list(
            "[",
            "]",
            whole,
            elements
                .iter()
                .map(|element| (element.span.start, Entry::Element(element))),
        );
    }

    /// `{ a: 1, "b-c": 2 }`, or one entry a line when the author broke the object.
    fn object(&mut self, whole: &Expr, entries: &[ObjectEntry]) {
        if entries.is_empty() {
            self.write("{}");
            return;
        }
        if !self.broken(whole.span.start, whole.span.end) {
            self.write("{ ");
            for (index, entry) in entries.iter().enumerate() {
                if index > 0 {
                    self.write(", ");
                }
                self.entry(entry);
            }
            self.write(" }");
            return;
        }
        self.broken_list(
            "{",
            "}",
            whole,
            entries
                .iter()
                .map(|entry| (entry.span.start, Entry::Field(entry))),
        );
    }

    fn broken_list<'e>(
        &mut self,
        open: &str,
        close: &str,
        whole: &Expr,
        entries: impl Iterator<Item = (usize, Entry<'e>)>,
    ) {
        let indent = self.indent();
        self.write(open);
        self.mark(whole.span.start + 1);
        self.opened();
        for (start, entry) in entries {
            self.unit(indent + 1, start);
            match entry {
                Entry::Element(element) => self.expr(element),
                Entry::Field(field) => self.entry(field),
            }
            self.write(",");
        }
        self.closing(indent, whole.span.end.saturating_sub(1));
        self.write(close);
    }

    fn entry(&mut self, entry: &ObjectEntry) {
        if entry.quoted || !is_identifier(&entry.key.value) {
            self.write(&quote(&entry.key.value));
        } else {
            self.write(&entry.key.value);
        }
        self.write(": ");
        self.expr(&entry.value);
        self.mark(entry.span.end);
    }

    /// A string literal, escaped canonically; interpolations stay on the line.
    fn template(&mut self, parts: &[TemplatePart]) {
        self.write("\"");
        for part in parts {
            match part {
                TemplatePart::Text(text) => self.write(&escape(text)),
                TemplatePart::Interpolation(inner) => {
                    let flat = std::mem::replace(&mut self.flat, true);
                    self.write("${");
                    self.expr(inner);
                    self.write("}");
                    self.flat = flat;
                }
            }
        }
        self.write("\"");
    }
}

enum Entry<'e> {
    Element(&'e Expr),
    Field(&'e ObjectEntry),
}

/// The precedence of an operator expression, `None` for anything that binds tighter than
/// every operator (literals, names, paths, calls, parentheses, unary minus).
fn binding(expr: &Expr) -> Option<u8> {
    match &expr.kind {
        ExprKind::Binary { op, .. } => Some(op.precedence()),
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => Some(NOT_PRECEDENCE),
        _ => None,
    }
}

/// A number in its shortest form that reads back the same: `150`, `10.01`, `1e21`.
pub(super) fn number(value: f64) -> String {
    if !value.is_finite() {
        // The parser never produces these; a tree built elsewhere gets `null`.
        return "null".to_string();
    }
    let magnitude = value.abs();
    if magnitude >= 1e16 || (magnitude < 1e-5 && magnitude > 0.0) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// A string as a quoted literal with the canonical escapes.
pub(super) fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Whether an object key can be written without quotes.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
