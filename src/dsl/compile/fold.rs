//! Constant folding: a sub-expression that reads neither the input, `now`, `config`, a
//! `let` nor a loop variable is computed once, when the policy is compiled.

use chrono::DateTime;

use crate::dsl::eval::Limits;
use crate::dsl::eval::machine::Machine;
use crate::dsl::eval::program::{Constant, Node, Program};
use crate::dsl::eval::value::Document;

/// The node, or the constant it always evaluates to.
pub fn fold(node: Node) -> Node {
    if let Some(shortcut) = short_circuit(&node) {
        return shortcut;
    }
    if !is_foldable(&node) {
        return node;
    }
    match evaluate(&node) {
        Some(constant) => Node::Constant(constant),
        None => node,
    }
}

/// `false and X`, `true or X` and `A ?? X` with a constant non-null `A` do not depend on
/// `X`, whatever it reads.
fn short_circuit(node: &Node) -> Option<Node> {
    let value = match node {
        Node::And(left, _) if left.constant().is_some_and(|c| !is_true(c)) => Constant::Bool(false),
        Node::Or(left, _) if left.constant().is_some_and(is_true) => Constant::Bool(true),
        Node::Coalesce(left, _) => match left.constant() {
            Some(Constant::Null) | None => return None,
            Some(constant) => constant.clone(),
        },
        _ => return None,
    };
    Some(Node::Constant(value))
}

fn is_true(constant: &Constant) -> bool {
    matches!(constant, Constant::Bool(true))
}

fn is_constant(node: &Node) -> bool {
    node.constant().is_some()
}

/// Whether every operand of the node is a constant and the node reads nothing else.
fn is_foldable(node: &Node) -> bool {
    let reads = matches!(
        node,
        Node::Constant(_)
            | Node::Input
            | Node::InputField(_)
            | Node::Now
            | Node::Config
            | Node::ConfigField(_)
            | Node::Let(_)
            | Node::Local(_)
            | Node::Comprehension(_)
    );
    let mut operands_constant = !reads;
    node.for_each_child(&mut |child| operands_constant &= is_constant(child));
    operands_constant
}

/// Evaluates a node that reads nothing; `None` when its value cannot be held as a
/// constant or evaluating it reaches a limit (it is then left to fail at evaluation).
fn evaluate(node: &Node) -> Option<Constant> {
    let program = Program::default();
    let input = Document::Null;
    let mut machine = Machine::new(&program, &input, DateTime::UNIX_EPOCH, &Limits::default());
    let value = machine.eval(node).ok()?;
    let constant = Constant::from_value(&value)?;
    crate::dsl::eval::limits::watch_halt()
        .ok()
        .map(|()| constant)
}
