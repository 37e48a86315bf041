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
//! Evaluation is total and has no side effects, so what a rule gives does not depend on
//! when it runs: each policy's outcomes are those [`super::run`] gives, in the same order.
//! Only which limit a policy runs into first, and where, could differ; a policy that halts
//! is evaluated again on its own, so that its error is the one it has alone.

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

/// The lists of the input that `for` rules of a set iterate more than once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedWalks {
    walks: Vec<Walk>,
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
    /// Finds the lists of the input that more than one `for` rule of `programs` iterates,
    /// where the list is a path of plain field names (`plan.resource_changes`).
    pub fn plan(programs: &[&Program]) -> SharedWalks {
        let mut walks: Vec<Walk> = Vec::new();
        for (policy, program) in programs.iter().enumerate() {
            for (rule, each) in program
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
        SharedWalks { walks }
    }

    /// Whether no list is shared: each policy is then evaluated on its own.
    pub fn is_empty(&self) -> bool {
        self.walks.is_empty()
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
pub fn run_all<P: Evaluable>(
    policies: &[P],
    walks: &SharedWalks,
    input: &Document<'_>,
    now: DateTime<Utc>,
) -> Vec<Result<Vec<Outcome>, Error>> {
    let alone = |policy: &P| super::run(policy.program(), input, now, policy.limits());
    if !walks.walks.iter().any(|walk| walk.is_long(input)) {
        return policies.iter().map(alone).collect();
    }
    let mut lanes: Vec<Lane<'_>> = policies
        .iter()
        .map(|policy| Lane::start(policy.program(), input, now, policy.limits()))
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

impl Walk {
    /// Whether the list takes more than one stretch: over a shorter one, taking turns
    /// costs more than it saves (6% more time for the three changes of a small input).
    fn is_long(&self, input: &Document<'_>) -> bool {
        match document_at(input, &self.path) {
            Some(Document::Array(items)) => items.len() > STRETCH,
            Some(Document::Object(fields)) => fields.len() > STRETCH,
            _ => false,
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
    ) -> Lane<'a> {
        let mut machine = Machine::new(program, input, now, limits);
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
