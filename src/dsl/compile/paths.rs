//! Lowering paths (`a.b["c"][0][*].d`), and the warnings about paths into the input that
//! the input document of SPEC 2 does not have.

use super::lower::{Lowering, Resolved};
use super::suggest::closest;
use crate::dsl::ast::{Access, Expr, ExprKind, Ident};
use crate::dsl::eval::program::{Constant, Node, Step};
use crate::dsl::eval::render::format_number;
use crate::dsl::schema::{self, Lookup};
use crate::source::Span;

/// One access of a path rooted at the input, as far as the schema can follow it.
pub enum Segment {
    Field {
        name: String,
        span: Span,
    },
    /// `[0]` or `[*]`, as written.
    Element(String),
    /// An index computed at evaluation time: nothing after it is checked.
    Stop,
}

impl Segment {
    pub fn field(ident: &Ident) -> Segment {
        Segment::Field {
            name: ident.name.clone(),
            span: ident.span,
        }
    }
}

impl Lowering<'_> {
    pub fn lower_path(&mut self, base: &Expr, accesses: &[Access], depth: usize) -> Node {
        let mut accesses = accesses;
        // Some when the path starts at the input, so the schema can check it.
        let mut segments: Option<Vec<Segment>> = None;
        let base = match &base.kind {
            ExprKind::Name(name) => match self.resolve(name) {
                Resolved::Local(slot) => Node::Local(slot),
                Resolved::Let(slot) => Node::Let(slot),
                Resolved::Now => Node::Now,
                Resolved::Undefined => Node::Constant(Constant::Null),
                Resolved::InputField => {
                    segments = Some(vec![Segment::field(name)]);
                    Node::InputField(name.name.as_str().into())
                }
                Resolved::Input => match accesses.split_first() {
                    Some((Access::Field(field), rest)) => {
                        accesses = rest;
                        segments = Some(vec![Segment::field(field)]);
                        Node::InputField(field.name.as_str().into())
                    }
                    _ => {
                        segments = Some(Vec::new());
                        Node::Input
                    }
                },
                Resolved::Config => match accesses.split_first() {
                    Some((Access::Field(field), rest)) => {
                        accesses = rest;
                        Node::ConfigField(field.name.as_str().into())
                    }
                    _ => Node::Config,
                },
            },
            _ => self.lower(base, depth),
        };
        let mut steps = Vec::with_capacity(accesses.len());
        for access in accesses {
            let (step, segment) = self.lower_access(access, depth);
            steps.push(step);
            if let Some(segments) = &mut segments {
                segments.push(segment);
            }
        }
        if let Some(segments) = segments {
            self.check_input_path(&segments);
        }
        if steps.is_empty() {
            return base;
        }
        Node::Path {
            base: Box::new(base),
            steps: steps.into(),
        }
    }

    fn lower_access(&mut self, access: &Access, depth: usize) -> (Step, Segment) {
        match access {
            Access::Field(ident) => (
                Step::Field(ident.name.as_str().into()),
                Segment::field(ident),
            ),
            Access::Each { .. } => (Step::Each, Segment::Element("[*]".to_string())),
            Access::Index { index, span } => match self.lower(index, depth) {
                // `a["key"]` reads like `a.key`, and is checked like it.
                Node::Constant(Constant::String(key)) => {
                    let segment = Segment::Field {
                        name: key.to_string(),
                        span: *span,
                    };
                    (Step::Field(key), segment)
                }
                Node::Constant(Constant::Number(position)) => {
                    let segment = Segment::Element(format!("[{}]", format_number(position)));
                    (
                        Step::Index(Node::Constant(Constant::Number(position))),
                        segment,
                    )
                }
                node => (Step::Index(node), Segment::Stop),
            },
        }
    }

    /// Warns about the first field of a path into the input that the schema does not
    /// know; parts of the schema that are open (`plan`, `policyData`) are not checked.
    pub fn check_input_path(&mut self, segments: &[Segment]) {
        let mut shape = schema::input();
        let mut shown = String::new();
        for segment in segments {
            match segment {
                Segment::Field { name, span } => match shape.field(name) {
                    Lookup::Known(next) => {
                        shown = joined(&shown, name);
                        shape = next;
                    }
                    Lookup::Unknown(fields) => {
                        self.unknown_field(&shown, name, *span, &fields);
                        return;
                    }
                    Lookup::Unchecked => return,
                },
                Segment::Element(text) => match shape.element() {
                    Some(next) => {
                        shown.push_str(text);
                        shape = next;
                    }
                    None => return,
                },
                Segment::Stop => return,
            }
        }
    }

    fn unknown_field(&mut self, parent: &str, name: &str, span: Span, fields: &[&'static str]) {
        let path = joined(parent, name);
        let in_scope: Vec<String> = if parent.is_empty() {
            self.names_in_scope()
                .into_iter()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        let candidates = fields
            .iter()
            .copied()
            .chain(in_scope.iter().map(String::as_str));
        let suggestion = closest(name, candidates).map(|candidate| joined(parent, candidate));
        let (label, otherwise) = if parent.is_empty() {
            (
                "not a field of the input document".to_string(),
                "a bare name is a `let`, a loop variable, or a field of the input document"
                    .to_string(),
            )
        } else {
            (
                format!("not a field of `{parent}`"),
                format!("the fields of `{parent}` are {}", fields.join(", ")),
            )
        };
        let help = suggestion.map_or(otherwise, |suggestion| {
            format!("did you mean `{suggestion}`?")
        });
        self.warning(
            format!("unknown input field `{path}`"),
            span,
            &label,
            Some(help),
        );
    }
}

fn joined(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}
