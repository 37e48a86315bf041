//! Lowering expressions: operators, literals, templates and comprehensions. Every node is
//! folded as soon as it is built, so constant sub-expressions never reach evaluation.

use chrono::TimeDelta;

use super::fold::fold;
use super::lower::{Lowering, Resolved};
use crate::dsl::ast::{
    BinaryOp, ComprehensionKind, Expr, ExprKind, ForClause, Ident, ObjectEntry, TemplatePart,
    UnaryOp,
};
use crate::dsl::eval::program::{
    Arithmetic, Comparison, Comprehension, Constant, Node, TemplatePiece,
};
use crate::dsl::eval::render::write_interpolated;

impl Lowering<'_> {
    /// Lowers an expression `depth` levels deep in its statement.
    pub fn lower(&mut self, expr: &Expr, depth: usize) -> Node {
        if depth > self.limits.max_depth {
            self.too_deep(expr.span);
            return Node::Constant(Constant::Null);
        }
        let inner = depth + 1;
        let node = match &expr.kind {
            ExprKind::Null => Node::Constant(Constant::Null),
            ExprKind::Bool(flag) => Node::Constant(Constant::Bool(*flag)),
            ExprKind::Number(number) if number.is_finite() => {
                Node::Constant(Constant::Number(*number))
            }
            ExprKind::Number(_) => Node::Constant(Constant::Null),
            ExprKind::String(parts) => self.lower_template(parts, inner),
            ExprKind::Duration { millis, .. } => Node::Constant(
                TimeDelta::try_milliseconds(*millis).map_or(Constant::Null, Constant::Duration),
            ),
            ExprKind::Array(items) => {
                Node::Array(items.iter().map(|item| self.lower(item, inner)).collect())
            }
            ExprKind::Object(entries) => self.lower_object(entries, inner),
            ExprKind::Name(name) => self.lower_name(name),
            ExprKind::Paren(inside) => self.lower(inside, inner),
            ExprKind::Path { base, accesses } => self.lower_path(base, accesses, inner),
            ExprKind::Unary { op, operand } => {
                let operand = Box::new(self.lower(operand, inner));
                match op {
                    UnaryOp::Not => Node::Not(operand),
                    UnaryOp::Neg => Node::Negate(operand),
                }
            }
            ExprKind::Binary { op, left, right } => {
                let left = self.lower(left, inner);
                let right = self.lower(right, inner);
                binary(*op, left, right)
            }
            ExprKind::Call { function, args } => self.lower_call(function, args, inner),
            ExprKind::Comprehension {
                kind,
                element,
                each,
                condition,
            } => self.lower_comprehension(*kind, element, each, condition.as_deref(), inner),
        };
        fold(node)
    }

    /// A bare name, not followed by accesses.
    fn lower_name(&mut self, name: &Ident) -> Node {
        match self.resolve(name) {
            Resolved::Local(slot) => Node::Local(slot),
            Resolved::Let(slot) => Node::Let(slot),
            Resolved::Input => Node::Input,
            Resolved::Config => Node::Config,
            Resolved::Now => Node::Now,
            Resolved::Undefined => Node::Constant(Constant::Null),
            Resolved::InputField => {
                self.check_input_path(&[super::paths::Segment::field(name)]);
                Node::InputField(name.name.as_str().into())
            }
        }
    }

    /// A string with `${...}`: constant parts are rendered now, adjacent text merged.
    fn lower_template(&mut self, parts: &[TemplatePart], depth: usize) -> Node {
        let mut pieces: Vec<TemplatePiece> = Vec::new();
        let mut text = String::new();
        for part in parts {
            match part {
                TemplatePart::Text(literal) => text.push_str(literal),
                TemplatePart::Interpolation(expr) => match self.lower(expr, depth) {
                    Node::Constant(constant) => write_interpolated(&constant.value(), &mut text),
                    node => {
                        if !text.is_empty() {
                            pieces.push(TemplatePiece::Text(std::mem::take(&mut text).into()));
                        }
                        pieces.push(TemplatePiece::Value(node));
                    }
                },
            }
        }
        if pieces.is_empty() {
            return Node::Constant(Constant::String(text.into()));
        }
        if !text.is_empty() {
            pieces.push(TemplatePiece::Text(text.into()));
        }
        Node::Template(pieces.into())
    }

    fn lower_object(&mut self, entries: &[ObjectEntry], depth: usize) -> Node {
        let mut lowered: Vec<(Box<str>, Node)> = Vec::with_capacity(entries.len());
        for entry in entries {
            let value = self.lower(&entry.value, depth);
            if lowered.iter().any(|(key, _)| **key == *entry.key.value) {
                let message = format!("duplicate key `{}`", entry.key.value);
                self.error(message, entry.key.span, "defined again here", None);
                continue;
            }
            lowered.push((entry.key.value.as_str().into(), value));
        }
        Node::Object(lowered.into())
    }

    fn lower_comprehension(
        &mut self,
        kind: ComprehensionKind,
        element: &Expr,
        each: &ForClause,
        condition: Option<&Expr>,
        depth: usize,
    ) -> Node {
        let iterable = self.lower(&each.iterable, depth);
        let slot = self.bind_loop_variable(&each.variable);
        let condition = condition.map(|condition| self.lower(condition, depth));
        let element = self.lower(element, depth);
        self.loop_variables.pop();
        Node::Comprehension(Box::new(Comprehension {
            kind,
            slot,
            iterable,
            element,
            condition,
        }))
    }
}

fn binary(op: BinaryOp, left: Node, right: Node) -> Node {
    let (left, right) = (Box::new(left), Box::new(right));
    if let Some(op) = comparison(op) {
        return Node::Compare { op, left, right };
    }
    if let Some(op) = arithmetic(op) {
        return Node::Arithmetic { op, left, right };
    }
    match op {
        BinaryOp::Or => Node::Or(left, right),
        BinaryOp::And => Node::And(left, right),
        BinaryOp::Coalesce => Node::Coalesce(left, right),
        BinaryOp::In | BinaryOp::NotIn => Node::In {
            negated: op == BinaryOp::NotIn,
            element: left,
            container: right,
        },
        // Every other operator is a comparison or arithmetic, handled above.
        _ => Node::Constant(Constant::Null),
    }
}

/// The comparison an operator makes, if it makes one.
pub(super) fn comparison(op: BinaryOp) -> Option<Comparison> {
    Some(match op {
        BinaryOp::Eq => Comparison::Eq,
        BinaryOp::Ne => Comparison::Ne,
        BinaryOp::Lt => Comparison::Lt,
        BinaryOp::Le => Comparison::Le,
        BinaryOp::Gt => Comparison::Gt,
        BinaryOp::Ge => Comparison::Ge,
        _ => return None,
    })
}

fn arithmetic(op: BinaryOp) -> Option<Arithmetic> {
    Some(match op {
        BinaryOp::Add => Arithmetic::Add,
        BinaryOp::Sub => Arithmetic::Sub,
        BinaryOp::Mul => Arithmetic::Mul,
        BinaryOp::Div => Arithmetic::Div,
        BinaryOp::Mod => Arithmetic::Mod,
        _ => return None,
    })
}
