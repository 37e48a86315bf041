//! Several policies deciding one input, each list that rules of more than one policy go
//! over walked once for all of them.
//!
//! Four of the seven shipped policies go over `plan.resource_changes`, two of them with a
//! rule's `for`; over a plan of thousands of changes each walk brings the whole plan
//! through the processor's caches again. [`SharedWalks::plan`] finds, once per set, the
//! `for` rules whose list is the same path into the input; [`run_all`] walks each such
//! list once, a stretch of elements at a time, and every rule over it takes its turn on
//! the stretch while it is still in cache.
//!
//! A `let` that reads only the input (no other `let`, no `config`) and is written the same
//! in several policies with the same limits, such as the shipped `auto-allow`'s and
//! `require-approvers`'s `all(c.change.actions == ["no-op"] for c in
//! plan.resource_changes)`, is evaluated once when they decide together: the others take
//! its value, and count the loop steps and string bytes it took as if they had evaluated
//! it themselves.
//!
//! Evaluation is total and has no side effects, so what a rule or a `let` gives does not
//! depend on when, or for which policy, it runs: each policy's outcomes are those
//! [`super::run`] gives, in the same order. Only which limit a policy runs into first, and
//! where, could differ; a policy that halts is evaluated again on its own, so that its
//! error is the one it has alone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use chrono::{DateTime, Utc};

use super::limits::{self, Limits};
use super::machine::Machine;
use super::program::{Node, Program, Step};
use super::value::{Document, Value};
use super::{fire_for, fire_rule, guards_hold};
use crate::decision::Outcome;
use crate::error::Error;

/// How many elements of a shared list each rule takes in turn: few enough that they stay
/// in the fastest caches between the rules, enough that taking turns costs nothing.
const STRETCH: usize = 32;

/// The lists of the input that `for` rules of a set iterate more than once, and the
/// `let`s its policies have in common.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedWalks {
    walks: Vec<Walk>,
    /// For each policy, the group of each of its `let` slots among the shared `let`s (empty
    /// when it shares none).
    lets: Vec<Box<[Option<usize>]>>,
    /// How many groups of shared `let`s there are.
    let_groups: usize,
    /// The lists of the input that shared `let`s go over: the policies decide together
    /// when one of them, or of the shared walks, is long.
    let_lists: Vec<Box<[Box<str>]>>,
}

/// One list, by its path from the input's root, and the rules that iterate it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Walk {
    path: Box<[Box<str>]>,
    rules: Vec<RuleRef>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RuleRef {
    policy: usize,
    rule: usize,
}

impl SharedWalks {
    /// Finds the lists of the input that more than one `for` rule of `policies` iterates,
    /// where the list is a path of plain field names (`plan.resource_changes`), and the
    /// `let`s they have in common.
    pub fn plan<P: Evaluable>(policies: &[P]) -> SharedWalks {
        let mut walks: Vec<Walk> = Vec::new();
        for (policy, evaluable) in policies.iter().enumerate() {
            for (rule, each) in evaluable
                .program()
                .rules
                .iter()
                .enumerate()
                .filter_map(|(index, rule)| Some((index, rule.each.as_ref()?)))
            {
                let Some(path) = input_path(each) else {
                    continue;
                };
                let found = RuleRef { policy, rule };
                match walks.iter_mut().find(|walk| walk.path == path) {
                    Some(walk) => walk.rules.push(found),
                    None => walks.push(Walk {
                        path,
                        rules: vec![found],
                    }),
                }
            }
        }
        walks.retain(|walk| walk.rules.len() > 1);
        let mut shared = SharedWalks {
            walks,
            ..SharedWalks::default()
        };
        shared.plan_lets(policies);
        shared
    }

    /// Groups the `let`s that read only the input and are written the same, among policies
    /// with the same limits.
    fn plan_lets<P: Evaluable>(&mut self, policies: &[P]) {
        let mut groups: HashMap<(String, usize), Vec<(usize, usize)>> = HashMap::new();
        let mut limits: Vec<&Limits> = Vec::new();
        for (policy, evaluable) in policies.iter().enumerate() {
            let kind = match limits.iter().position(|known| *known == evaluable.limits()) {
                Some(kind) => kind,
                None => {
                    limits.push(evaluable.limits());
                    limits.len() - 1
                }
            };
            for (slot, node) in evaluable.program().lets.iter().enumerate() {
                if reads_only_the_input(node) {
                    groups
                        .entry((format!("{node:?}"), kind))
                        .or_default()
                        .push((policy, slot));
                }
            }
        }
        let mut shared: Vec<Vec<(usize, usize)>> = groups
            .into_values()
            .filter(|members| members.len() > 1)
            .collect();
        shared.sort();
        self.lets = vec![Box::default(); policies.len()];
        for (group, members) in shared.iter().enumerate() {
            for &(policy, slot) in members {
                let Some(slots) = self.lets.get_mut(policy) else {
                    continue;
                };
                if slots.is_empty() {
                    let count = policies
                        .get(policy)
                        .map_or(0, |policy| policy.program().lets.len());
                    *slots = vec![None; count].into_boxed_slice();
                }
                if let Some(entry) = slots.get_mut(slot) {
                    *entry = Some(group);
                }
            }
            if let Some(node) = members
                .first()
                .and_then(|&(policy, slot)| policies.get(policy)?.program().lets.get(slot))
            {
                collect_lists(node, &mut self.let_lists);
            }
        }
        let walked: Vec<&[Box<str>]> = self.walks.iter().map(|walk| &*walk.path).collect();
        self.let_lists.retain(|path| !walked.contains(&&**path));
        self.let_groups = shared.len();
    }

    /// How many groups of `let`s are evaluated once for several policies.
    pub fn shared_lets(&self) -> usize {
        self.let_groups
    }

    /// The shared lists, as paths written in the language (`plan.resource_changes`), and
    /// how many rules go over each.
    pub fn lists(&self) -> Vec<(String, usize)> {
        self.walks
            .iter()
            .map(|walk| (walk.path.join("."), walk.rules.len()))
            .collect()
    }
}

/// Whether an expression reads nothing but the input, the time and its own loop variables:
/// no `let` (whose slot means something else in another policy) and no `config` (whose
/// defaults may differ).
fn reads_only_the_input(node: &Node) -> bool {
    let mut only_input = !matches!(node, Node::Let(_) | Node::Config | Node::ConfigField(_));
    node.for_each_child(&mut |child| only_input = only_input && reads_only_the_input(child));
    only_input
}

/// Adds the lists of the input that comprehensions in `node` go over.
fn collect_lists(node: &Node, lists: &mut Vec<Box<[Box<str>]>>) {
    if let Node::Comprehension(comprehension) = node
        && let Some(path) = input_path(&comprehension.iterable)
        && !lists.contains(&path)
    {
        lists.push(path);
    }
    node.for_each_child(&mut |child| collect_lists(child, lists));
}

/// The path of plain field names from the input's root that `node` reads, if that is all
/// it is.
fn input_path(node: &Node) -> Option<Box<[Box<str>]>> {
    let (mut path, steps) = match node {
        Node::InputField(name) => return Some(Box::new([name.clone()])),
        Node::Path { base, steps } => match &**base {
            Node::Input => (Vec::new(), steps),
            Node::InputField(name) => (vec![name.clone()], steps),
            _ => return None,
        },
        _ => return None,
    };
    for step in steps.iter() {
        match step {
            Step::Field(name) => path.push(name.clone()),
            Step::Index(_) | Step::Each => return None,
        }
    }
    Some(path.into())
}

/// The part of the input at a path of field names from its root, if there is one: its
/// value is the path's value as evaluating it gives (`null` where there is none).
fn document_at<'d, 'a>(input: &'d Document<'a>, path: &[Box<str>]) -> Option<&'d Document<'a>> {
    path.iter()
        .try_fold(input, |document, name| document.get(name))
}

/// A policy as [`run_all`] evaluates it: its program and its limits.
pub trait Evaluable {
    fn program(&self) -> &Program;
    fn limits(&self) -> &Limits;
}

impl Evaluable for (&Program, &Limits) {
    fn program(&self) -> &Program {
        self.0
    }

    fn limits(&self) -> &Limits {
        self.1
    }
}

/// Evaluates every policy of `policies` over `input`, as [`super::run`] evaluates each,
/// walking the lists of `walks` once for all of them. `walks` must be planned for these
/// policies, in this order.
pub fn run_all<'a, P: Evaluable>(
    policies: &'a [P],
    walks: &'a SharedWalks,
    input: &'a Document<'a>,
    now: DateTime<Utc>,
) -> Vec<Result<Vec<Outcome>, Error>> {
    let alone = |policy: &P| super::run(policy.program(), input, now, policy.limits());
    let long = |path: &[Box<str>]| is_long(input, path);
    if !walks.walks.iter().any(|walk| long(&walk.path))
        && !walks.let_lists.iter().any(|path| long(path))
    {
        return super::run_each(
            policies
                .iter()
                .map(|policy| (policy.program(), policy.limits())),
            input,
            now,
        );
    }
    let values = Rc::new(RefCell::new(vec![None; walks.let_groups]));
    let mut lanes: Vec<Lane<'_>> = policies
        .iter()
        .enumerate()
        .map(|(index, policy)| {
            let shared = walks
                .lets
                .get(index)
                .filter(|groups| !groups.is_empty())
                .map(|groups| SharedLets {
                    groups,
                    values: Rc::clone(&values),
                });
            Lane::start(policy.program(), input, now, policy.limits(), shared)
        })
        .collect();
    for walk in &walks.walks {
        walk_once(walk, &mut lanes, input);
    }
    lanes
        .into_iter()
        .zip(policies)
        .map(|(mut lane, policy)| lane.finish().map_or_else(|| alone(policy), Ok))
        .collect()
}

/// Whether the list at `path` takes more than one stretch: over a shorter one, taking turns
/// costs more than it saves (6% more time for the three changes of a small input).
fn is_long(input: &Document<'_>, path: &[Box<str>]) -> bool {
    match document_at(input, path) {
        Some(Document::Array(items)) => items.len() > STRETCH,
        Some(Document::Object(fields)) => fields.len() > STRETCH,
        _ => false,
    }
}

/// The `let`s one policy's evaluation shares with the others deciding the same input.
pub(super) struct SharedLets<'a> {
    /// The group of each of the policy's `let` slots among the shared ones.
    groups: &'a [Option<usize>],
    /// Each group's value, once a policy has evaluated it.
    values: Rc<RefCell<Vec<Option<SharedValue<'a>>>>>,
}

/// A shared `let`'s value, and the work it took.
#[derive(Clone)]
pub(super) struct SharedValue<'a> {
    pub value: Value<'a>,
    pub iterations: u64,
    pub string_bytes: usize,
}

impl<'a> SharedLets<'a> {
    /// The group of a `let` slot, when it is shared.
    pub(super) fn group(&self, slot: usize) -> Option<usize> {
        self.groups.get(slot).copied().flatten()
    }

    /// A group's value, when a policy has evaluated it.
    pub(super) fn value(&self, group: usize) -> Option<SharedValue<'a>> {
        self.values.borrow().get(group).cloned().flatten()
    }

    /// Keeps a group's value for the other policies.
    pub(super) fn keep(&self, group: usize, value: SharedValue<'a>) {
        if let Some(slot) = self.values.borrow_mut().get_mut(group) {
            *slot = Some(value);
        }
    }
}

/// Goes over one shared list, a stretch at a time, each rule over it taking its turn.
fn walk_once<'a>(walk: &Walk, lanes: &mut [Lane<'a>], input: &'a Document<'a>) {
    let list = document_at(input, &walk.path).map_or(Value::Null, Value::from_document);
    let mut found: Vec<Vec<Outcome>> = vec![Vec::new(); walk.rules.len()];
    if let Some(mut elements) = list.elements() {
        loop {
            let stretch = elements.clone();
            let last = elements.nth(STRETCH - 1).is_none();
            for (rule, outcomes) in walk.rules.iter().zip(&mut found) {
                if let Some(lane) = lanes.get_mut(rule.policy) {
                    lane.walk(rule.rule, stretch.clone().take(STRETCH), outcomes);
                }
            }
            if last {
                break;
            }
        }
    }
    for (rule, outcomes) in walk.rules.iter().zip(found) {
        if let Some(slot) = lanes
            .get_mut(rule.policy)
            .and_then(|lane| lane.walked.get_mut(rule.rule))
        {
            *slot = Some(outcomes);
        }
    }
}

/// One policy's evaluation among others: its machine, set aside while another runs.
struct Lane<'a> {
    program: &'a Program,
    machine: Machine<'a>,
    state: State,
    /// The outcomes of the rules that went over a shared list, by rule.
    walked: Vec<Option<Vec<Outcome>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Its guards held; its rules are being evaluated.
    Running,
    /// A guard did not hold: the policy gives nothing.
    Skipped,
    /// It ran into a limit: it is evaluated again on its own.
    Halted,
}

impl<'a> Lane<'a> {
    /// Starts the policy's evaluation with its `when` guards.
    fn start(
        program: &'a Program,
        input: &'a Document<'a>,
        now: DateTime<Utc>,
        limits: &Limits,
        shared_lets: Option<SharedLets<'a>>,
    ) -> Lane<'a> {
        let mut machine = Machine::new(program, input, now, limits);
        machine.shared_lets = shared_lets;
        let state = match guards_hold(&mut machine, program) {
            Ok(true) => State::Running,
            Ok(false) => State::Skipped,
            Err(_) => State::Halted,
        };
        machine.budget.park();
        Lane {
            program,
            machine,
            state,
            walked: vec![None; program.rules.len()],
        }
    }

    /// Evaluates the `for` rule `rule` over a stretch of its list.
    fn walk(
        &mut self,
        rule: usize,
        items: impl Iterator<Item = Value<'a>>,
        outcomes: &mut Vec<Outcome>,
    ) {
        let Some(rule) = self.program.rules.get(rule) else {
            return;
        };
        if self.state != State::Running {
            return;
        }
        self.machine.budget.resume();
        let mut result = Ok(());
        for item in items {
            result = fire_for(&mut self.machine, self.program, rule, item, outcomes);
            if result.is_err() {
                break;
            }
        }
        if result.and_then(|()| limits::watch_halt()).is_err() {
            self.state = State::Halted;
        }
        self.machine.budget.park();
    }

    /// Evaluates the rules not yet evaluated, in order: the policy's outcomes, or `None`
    /// when it ran into a limit.
    fn finish(&mut self) -> Option<Vec<Outcome>> {
        match self.state {
            State::Running => {}
            State::Skipped => return Some(Vec::new()),
            State::Halted => return None,
        }
        self.machine.budget.resume();
        let mut outcomes = Vec::new();
        let mut result = Ok(());
        for (rule, walked) in self.program.rules.iter().zip(&mut self.walked) {
            match walked.take() {
                Some(walked) => outcomes.extend(walked),
                None => result = fire_rule(&mut self.machine, self.program, rule, &mut outcomes),
            }
            if result.is_err() {
                break;
            }
        }
        self.machine.budget.park();
        result.ok().map(|()| outcomes)
    }
}

#[cfg(test)]
mod tests;
