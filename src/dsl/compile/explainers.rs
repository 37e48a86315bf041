//! Building the [`Explainer`] of a condition: its `and`/`or`/`not` structure down to
//! comparisons and other tests, and the names and paths it reads, each with its text.

use super::lower::Lowering;
use crate::dsl::ast::{Access, BinaryOp, Expr, ExprKind, TemplatePart, UnaryOp};
use crate::dsl::eval::program::{Explainer, Node, Operand, Test, TestKind};
use crate::source::Span;

impl Lowering<'_> {
    /// The explainer of a condition in the current scope. Its sub-expressions are lowered
    /// a second time; problems were reported by the first lowering, so none are kept.
    pub fn explainer(&mut self, condition: &Expr) -> Explainer {
        let reported = self.diagnostics.len();
        let reported_depth = self.reported_depth;
        let test = self.test(condition, 1);
        let mut reads: Vec<(Box<str>, Node)> = Vec::new();
        let mut read_exprs = Vec::new();
        collect_reads(condition, 1, self.limits.max_depth, &mut read_exprs);
        for expr in read_exprs {
            let text = self.text(expr.span);
            if reads.iter().any(|(seen, _)| *seen == text) {
                continue;
            }
            let node = self.lower_root(expr);
            if node.constant().is_none() {
                reads.push((text, node));
            }
        }
        // What the explainer found is reported by the lowering proper, which must not be
        // kept quiet by a flag the explainer set.
        self.diagnostics.truncate(reported);
        self.reported_depth = reported_depth;
        Explainer { test, reads }
    }

    pub fn text(&self, span: Span) -> Box<str> {
        self.source
            .text
            .get(span.start..span.end)
            .unwrap_or("")
            .into()
    }

    fn test(&mut self, expr: &Expr, depth: usize) -> Test {
        let text = self.text(expr.span);
        let structured = depth < self.limits.max_depth;
        let inner = depth + 1;
        let kind = match &expr.kind {
            ExprKind::Paren(inside) if structured => return self.test(inside, inner),
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } if structured => TestKind::Not(Box::new(self.test(operand, inner))),
            ExprKind::Binary { op, left, right } if structured => {
                match self.binary_test(*op, left, right, inner) {
                    Some(kind) => kind,
                    None => TestKind::Value(self.lower(expr, depth)),
                }
            }
            _ => TestKind::Value(self.lower(expr, depth)),
        };
        Test { text, kind }
    }

    /// The test of a logical operator or a comparison; `None` for arithmetic and `??`,
    /// whose value is shown whole.
    fn binary_test(
        &mut self,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        depth: usize,
    ) -> Option<TestKind> {
        let comparison = match op {
            BinaryOp::And | BinaryOp::Or => {
                let (left, right) = (
                    Box::new(self.test(left, depth)),
                    Box::new(self.test(right, depth)),
                );
                return Some(if op == BinaryOp::And {
                    TestKind::And(left, right)
                } else {
                    TestKind::Or(left, right)
                });
            }
            BinaryOp::In | BinaryOp::NotIn => {
                return Some(TestKind::In {
                    negated: op == BinaryOp::NotIn,
                    element: self.operand(left, depth),
                    container: self.operand(right, depth),
                });
            }
            _ => super::expr::comparison(op)?,
        };
        Some(TestKind::Compare {
            op: comparison,
            left: self.operand(left, depth),
            right: self.operand(right, depth),
        })
    }

    fn operand(&mut self, expr: &Expr, depth: usize) -> Operand {
        Operand {
            text: self.text(expr.span),
            node: self.lower(expr, depth),
        }
    }
}

/// The names and paths an expression reads, outermost first; the inside of a
/// comprehension (which reads its own variable) is left out, its iterable kept.
fn collect_reads<'e>(expr: &'e Expr, depth: usize, max_depth: usize, reads: &mut Vec<&'e Expr>) {
    if depth > max_depth {
        return;
    }
    let inner = depth + 1;
    match &expr.kind {
        ExprKind::Name(_) => reads.push(expr),
        ExprKind::Path { accesses, .. } => {
            reads.push(expr);
            for access in accesses {
                if let Access::Index { index, .. } = access {
                    collect_reads(index, inner, max_depth, reads);
                }
            }
        }
        ExprKind::Paren(inside)
        | ExprKind::Unary {
            operand: inside, ..
        } => {
            collect_reads(inside, inner, max_depth, reads);
        }
        ExprKind::Binary { left, right, .. } => {
            collect_reads(left, inner, max_depth, reads);
            collect_reads(right, inner, max_depth, reads);
        }
        ExprKind::Call { args: items, .. } | ExprKind::Array(items) => {
            for item in items {
                collect_reads(item, inner, max_depth, reads);
            }
        }
        ExprKind::Object(entries) => {
            for entry in entries {
                collect_reads(&entry.value, inner, max_depth, reads);
            }
        }
        ExprKind::String(parts) => {
            for part in parts {
                if let TemplatePart::Interpolation(inside) = part {
                    collect_reads(inside, inner, max_depth, reads);
                }
            }
        }
        ExprKind::Comprehension { each, .. } => {
            collect_reads(&each.iterable, inner, max_depth, reads)
        }
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Duration { .. } => {}
    }
}
