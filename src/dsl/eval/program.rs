//! The evaluable form of a policy: names resolved to slots, builtins to an enum, literal
//! patterns and time zones compiled, constant sub-expressions folded.

use std::rc::Rc;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::builtins::Builtin;
use super::builtins::patterns::Glob;
use super::value::Value;
use crate::document::OwnedDocument;
use crate::dsl::ast::ComprehensionKind;
use crate::source::{Location, SourceFile, Span};
use crate::verdict::Verdict;

/// Whether a program is built to be explained as well as evaluated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Explainers {
    /// Each condition also gets an [`Explainer`]: its structure and what it reads, lowered
    /// a second time, a third of the cost of compiling.
    #[default]
    Build,
    /// For evaluation only.
    Skip,
}

/// One policy, ready to evaluate.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// The policy's name, for outcomes and errors; outcomes share it.
    pub name: Arc<str>,
    /// The file the policy is in, for errors.
    pub source: Option<Arc<SourceFile>>,
    /// Whether the guards and rules carry their explainers: only `--explain` reads them.
    pub explainers: Explainers,
    /// The `let` expressions, by slot, in the order they are written.
    pub lets: Vec<Node>,
    /// The `when` guards, in the order they are written.
    pub guards: Vec<Guard>,
    /// The `config` defaults, sorted by key.
    pub config: Vec<(Box<str>, Constant)>,
    pub rules: Vec<RuleProgram>,
}

#[derive(Clone, Debug)]
pub struct Guard {
    pub condition: Node,
    pub span: Span,
    /// Built only for a program that explains ([`Program::explainers`]).
    pub explainer: Option<Explainer>,
}

/// One rule: `VERDICT ["message"] [for NAME in EXPR] [if EXPR]`.
#[derive(Clone, Debug)]
pub struct RuleProgram {
    pub verdict: Verdict,
    /// The verdict's name, which outcomes give as their rule's and share.
    pub name: Arc<str>,
    pub message: Option<Node>,
    /// What `for` iterates; the item is local slot 0.
    pub each: Option<Node>,
    pub condition: Option<Node>,
    /// Where the rule starts, reported as the outcome's `source`.
    pub location: Location,
    pub span: Span,
    /// `for r in XS` as written, for explanations.
    pub each_text: Option<Box<str>>,
    pub explainer: Option<Explainer>,
    /// The message when the rule has none: `"<policy>: <verdict> rule at line N"`.
    pub default_message: String,
}

/// A value known when the policy is compiled.
#[derive(Clone, Debug)]
pub enum Constant {
    Null,
    Bool(bool),
    Number(f64),
    String(Box<str>),
    /// An array or an object.
    Document(OwnedDocument),
    Time(DateTime<Utc>),
    Duration(TimeDelta),
    /// An array holding times or durations (which JSON cannot hold).
    List(Box<[Constant]>),
    /// An object holding times or durations.
    Object(Box<[(Box<str>, Constant)]>),
}

impl Constant {
    pub fn value(&self) -> Value<'_> {
        match self {
            Constant::Null => Value::Null,
            Constant::Bool(flag) => Value::Bool(*flag),
            Constant::Number(number) => Value::Number(*number),
            Constant::String(text) => Value::Str(text),
            Constant::Document(document) => Value::from_document(document.get()),
            Constant::Time(time) => Value::Time(*time),
            Constant::Duration(delta) => Value::Duration(*delta),
            Constant::List(items) => Value::list(items.iter().map(Constant::value).collect()),
            Constant::Object(entries) => Value::Object(Rc::new(
                entries
                    .iter()
                    .map(|(key, constant)| (&**key, constant.value()))
                    .collect(),
            )),
        }
    }

    /// The constant holding a value.
    pub fn from_value(value: &Value<'_>) -> Option<Constant> {
        Some(match value {
            Value::Null => Constant::Null,
            Value::Bool(flag) => Constant::Bool(*flag),
            Value::Number(number) => Constant::Number(*number),
            Value::Str(_) | Value::String(_) => Constant::String(value.as_str()?.into()),
            Value::Time(time) => Constant::Time(*time),
            Value::Duration(delta) => Constant::Duration(*delta),
            Value::List(items) if items.iter().any(holds_time_or_duration) => Constant::List(
                items
                    .iter()
                    .map(Constant::from_value)
                    .collect::<Option<_>>()?,
            ),
            Value::Object(map) if map.values().any(holds_time_or_duration) => Constant::Object(
                map.iter()
                    .map(|(key, item)| Some(((*key).into(), Constant::from_value(item)?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Array(_) | Value::List(_) | Value::Map(_) | Value::Object(_) => {
                Constant::Document(OwnedDocument::from_json(&super::render::to_json(value)))
            }
        })
    }
}

fn holds_time_or_duration(value: &Value<'_>) -> bool {
    match value {
        Value::Time(_) | Value::Duration(_) => true,
        Value::List(items) => items.iter().any(holds_time_or_duration),
        Value::Object(map) => map.values().any(holds_time_or_duration),
        _ => false,
    }
}

/// An expression in evaluable form.
#[derive(Clone, Debug)]
pub enum Node {
    Constant(Constant),
    /// `input`: the whole document.
    Input,
    /// A bare name that is a top-level field of the input.
    InputField(Box<str>),
    /// `now`: the evaluation time.
    Now,
    /// `config`: the defaults merged under `input.policyData`.
    Config,
    /// `config.key`, read without building the merged object.
    ConfigField(Box<str>),
    /// A `let`, by slot.
    Let(usize),
    /// A loop variable, by slot (its depth among the enclosing loops).
    Local(usize),
    Path {
        base: Box<Node>,
        steps: Box<[Step]>,
    },
    Not(Box<Node>),
    Negate(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Coalesce(Box<Node>, Box<Node>),
    Compare {
        op: Comparison,
        left: Box<Node>,
        right: Box<Node>,
    },
    /// `element in container`, or `not in` when negated.
    In {
        negated: bool,
        element: Box<Node>,
        container: Box<Node>,
    },
    Arithmetic {
        op: Arithmetic,
        left: Box<Node>,
        right: Box<Node>,
    },
    Call {
        builtin: Builtin,
        args: Box<[Node]>,
    },
    /// `matches` or `regex` with a literal pattern, compiled once.
    Match {
        subject: Box<Node>,
        pattern: Box<Pattern>,
    },
    /// `hour`, `minute`, `weekday` or `date` with a literal time zone.
    Zoned {
        builtin: Builtin,
        time: Box<Node>,
        zone: Tz,
    },
    Comprehension(Box<Comprehension>),
    Template(Box<[TemplatePiece]>),
    Array(Box<[Node]>),
    Object(Box<[(Box<str>, Node)]>),
}

impl Node {
    pub fn constant(&self) -> Option<&Constant> {
        match self {
            Node::Constant(constant) => Some(constant),
            _ => None,
        }
    }

    /// Calls `f` on each expression directly inside this one.
    pub fn for_each_child(&self, f: &mut dyn FnMut(&Node)) {
        match self {
            Node::Constant(_)
            | Node::Input
            | Node::InputField(_)
            | Node::Now
            | Node::Config
            | Node::ConfigField(_)
            | Node::Let(_)
            | Node::Local(_) => {}
            Node::Path { base, steps } => {
                f(base);
                for step in steps.iter() {
                    if let Step::Index(index) = step {
                        f(index);
                    }
                }
            }
            Node::Not(operand) | Node::Negate(operand) => f(operand),
            Node::And(left, right)
            | Node::Or(left, right)
            | Node::Coalesce(left, right)
            | Node::Compare { left, right, .. }
            | Node::Arithmetic { left, right, .. } => {
                f(left);
                f(right);
            }
            Node::In {
                element, container, ..
            } => {
                f(element);
                f(container);
            }
            Node::Call { args, .. } => args.iter().for_each(f),
            Node::Match { subject, .. } => f(subject),
            Node::Zoned { time, .. } => f(time),
            Node::Comprehension(comprehension) => {
                f(&comprehension.iterable);
                f(&comprehension.element);
                if let Some(condition) = &comprehension.condition {
                    f(condition);
                }
            }
            Node::Template(pieces) => {
                for piece in pieces.iter() {
                    if let TemplatePiece::Value(node) = piece {
                        f(node);
                    }
                }
            }
            Node::Array(items) => items.iter().for_each(f),
            Node::Object(entries) => entries.iter().for_each(|(_, value)| f(value)),
        }
    }
}

/// One access of a path.
#[derive(Clone, Debug)]
pub enum Step {
    Field(Box<str>),
    Index(Node),
    /// `[*]`: the remaining steps apply to each element, giving a list.
    Each,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arithmetic {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A compiled literal pattern.
#[derive(Clone, Debug)]
pub enum Pattern {
    Glob(Glob),
    Regex(regex::Regex),
}

#[derive(Clone, Debug)]
pub struct Comprehension {
    pub kind: ComprehensionKind,
    /// The local slot the loop variable takes.
    pub slot: usize,
    pub iterable: Node,
    pub element: Node,
    pub condition: Option<Node>,
}

#[derive(Clone, Debug)]
pub enum TemplatePiece {
    Text(Box<str>),
    Value(Node),
}

/// How a condition is explained (`--explain`): its tests in the order they are evaluated,
/// and the names and paths it reads. Built beside the condition's own node, so that
/// explaining never slows plain evaluation.
#[derive(Clone, Debug)]
pub struct Explainer {
    pub test: Test,
    /// The names and paths the condition reads (outside comprehensions), as written.
    pub reads: Vec<(Box<str>, Node)>,
}

/// A part of a condition, as written, and how to evaluate it.
#[derive(Clone, Debug)]
pub struct Test {
    pub text: Box<str>,
    pub kind: TestKind,
}

#[derive(Clone, Debug)]
pub enum TestKind {
    And(Box<Test>, Box<Test>),
    Or(Box<Test>, Box<Test>),
    Not(Box<Test>),
    Compare {
        op: Comparison,
        left: Operand,
        right: Operand,
    },
    In {
        negated: bool,
        element: Operand,
        container: Operand,
    },
    /// Any other expression: its value decides.
    Value(Node),
}

/// An operand of a comparison, as written.
#[derive(Clone, Debug)]
pub struct Operand {
    pub text: Box<str>,
    pub node: Node,
}
