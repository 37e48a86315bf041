//! The evaluator: runs a [`Program`] over an input document.
//!
//! One [`Machine`] serves one evaluation. It borrows the program and the input, evaluates
//! each `let` at most once (when first needed), keeps loop variables on a stack indexed by
//! the slots the compiler assigned, and counts its work against the [`Limits`].

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use chrono::{DateTime, Utc};

use super::builtins::patterns::{compile_glob, compile_regex};
use super::builtins::{self, Builtin};
use super::limits::{Budget, Halt, Limits};
use super::operators::{arithmetic, compare, negate};
use super::program::{Comparison, Comprehension, Node, Pattern, Program, Step, TemplatePiece};
use super::render::write_interpolated;
use super::shared::{SharedLets, SharedValue};
use super::value::{Document, Value};
use crate::dsl::ast::ComprehensionKind;

/// How deeply `let`s may be evaluated inside one another before the earlier ones are
/// evaluated in order instead, which keeps long chains of `let`s off the stack.
const LET_NESTING: usize = 16;

/// How many `config.key` reads a machine keeps (the first ones it makes).
const CACHED_CONFIG_FIELDS: usize = 4;

/// How many patterns computed at evaluation time are kept compiled, of each kind.
const CACHED_PATTERNS: usize = 256;

#[derive(Clone, Debug)]
enum LetState<'a> {
    Pending,
    Running,
    Done(Value<'a>),
}

/// Globs and regular expressions computed during an evaluation, compiled once each
/// (`None`: invalid), up to [`CACHED_PATTERNS`] of each.
#[derive(Default)]
struct ComputedPatterns {
    globs: HashMap<String, Option<Pattern>>,
    regexes: HashMap<String, Option<Pattern>>,
}

pub struct Machine<'a> {
    program: &'a Program,
    input: &'a Document<'a>,
    now: DateTime<Utc>,
    pub(super) budget: Budget,
    lets: Vec<LetState<'a>>,
    /// Every `let` below this slot has been evaluated (or is being evaluated).
    settled_lets: usize,
    let_nesting: usize,
    /// The values of the loop variables in scope; a variable's slot is its index.
    pub(super) locals: Vec<Value<'a>>,
    config: Option<Value<'a>>,
    /// `config.key` values read so far, by the key's text in the program (compared by
    /// address: one node's key is one string): a loop that reads one in every iteration
    /// looks it up once.
    config_fields: [Option<(&'a str, Value<'a>)>; CACHED_CONFIG_FIELDS],
    /// Globs and regular expressions computed during this evaluation, made when the first
    /// is: most evaluations have none, and need not set up or drop two maps.
    patterns: Option<Box<ComputedPatterns>>,
    /// The `let`s this evaluation shares with other policies' deciding the same input.
    pub(super) shared_lets: Option<SharedLets<'a>>,
}

impl<'a> Machine<'a> {
    pub fn new(
        program: &'a Program,
        input: &'a Document<'a>,
        now: DateTime<Utc>,
        limits: &Limits,
    ) -> Machine<'a> {
        Machine {
            program,
            input,
            now,
            budget: Budget::new(limits),
            lets: vec![LetState::Pending; program.lets.len()],
            settled_lets: 0,
            let_nesting: 0,
            locals: Vec::new(),
            config: None,
            config_fields: [const { None }; CACHED_CONFIG_FIELDS],
            patterns: None,
            shared_lets: None,
        }
    }

    /// Sets the machine up to evaluate `program` over the same input, as a new machine
    /// would be, keeping the room it made for `let`s and loop variables, and the patterns
    /// it compiled: the policies of a decision are evaluated one after another on one
    /// machine.
    pub fn restart(&mut self, program: &'a Program, limits: &Limits) {
        self.program = program;
        self.budget.restart(limits);
        self.lets.clear();
        self.lets.resize(program.lets.len(), LetState::Pending);
        self.settled_lets = 0;
        self.let_nesting = 0;
        self.locals.clear();
        self.config = None;
        self.config_fields = [const { None }; CACHED_CONFIG_FIELDS];
        self.shared_lets = None;
    }

    pub fn eval(&mut self, node: &'a Node) -> Result<Value<'a>, Halt> {
        Ok(match node {
            Node::Constant(constant) => constant.value(),
            Node::Input => Value::from_document(self.input),
            Node::InputField(name) => self.input_field(name),
            Node::Now => Value::Time(self.now),
            Node::Config => self.config_object(),
            Node::ConfigField(key) => self.config_field(key),
            Node::Let(slot) => self.let_value(*slot)?,
            Node::Local(slot) => self.local(*slot),
            Node::Path { base, steps } => {
                let base = self.operand(base)?;
                self.walk(base, steps)?
            }
            Node::Not(_)
            | Node::And(..)
            | Node::Or(..)
            | Node::Compare { .. }
            | Node::In { .. } => Value::Bool(self.holds(node)?),
            Node::Negate(operand) => negate(&self.operand(operand)?),
            Node::Coalesce(left, right) => match self.eval(left)? {
                Value::Null => self.eval(right)?,
                value => value,
            },
            Node::Arithmetic { op, left, right } => {
                let left = self.operand(left)?;
                let right = self.operand(right)?;
                arithmetic(*op, &left, &right)
            }
            Node::Call { builtin, args } => self.call(*builtin, args)?,
            Node::Match { subject, pattern } => {
                let subject = self.operand(subject)?;
                match subject.as_str() {
                    Some(text) => Value::Bool(pattern.is_match(text)),
                    None => Value::Null,
                }
            }
            Node::Zoned {
                builtin,
                time,
                zone,
            } => builtins::time::part(*builtin, &self.operand(time)?, Some(*zone)),
            Node::Comprehension(comprehension) => self.comprehension(comprehension)?,
            Node::Template(pieces) => self.template(pieces)?,
            Node::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items.iter() {
                    values.push(self.operand(item)?);
                }
                Value::list(values)
            }
            Node::Object(entries) => {
                let mut map = BTreeMap::new();
                for (key, value) in entries.iter() {
                    map.insert(&**key, self.operand(value)?);
                }
                Value::Object(Rc::new(map))
            }
        })
    }

    /// Evaluates an operand, reading a constant, a loop variable, a field of the input or a
    /// `let` already evaluated, or following a path from a loop variable or a field of the
    /// input, in place: they are most operands, and not worth a call of the evaluator that
    /// returns its value through memory.
    #[inline(always)]
    fn operand(&mut self, node: &'a Node) -> Result<Value<'a>, Halt> {
        match node {
            Node::Constant(constant) => Ok(constant.value()),
            Node::Local(slot) => Ok(self.local(*slot)),
            Node::InputField(name) => Ok(self.input_field(name)),
            Node::Let(slot) => match self.lets.get(*slot) {
                Some(LetState::Done(value)) => Ok(value.clone()),
                _ => self.let_value(*slot),
            },
            Node::Path { base, steps } => match &**base {
                Node::Local(slot) => self.walk(self.local(*slot), steps),
                Node::InputField(name) => self.walk(self.input_field(name), steps),
                _ => self.eval(node),
            },
            node => self.eval(node),
        }
    }

    fn local(&self, slot: usize) -> Value<'a> {
        self.locals.get(slot).cloned().unwrap_or(Value::Null)
    }

    /// Whether a condition holds: `eval(node)` is `true` (SPEC 4.3: only `true` is true).
    /// The connectives, comparisons and `in` answer here without making a value (a
    /// `bool` comes back in a register where a value goes through memory); `eval` asks
    /// here for theirs.
    pub fn holds(&mut self, node: &'a Node) -> Result<bool, Halt> {
        Ok(match node {
            Node::Not(operand) => !self.holds(operand)?,
            Node::And(left, right) => self.holds(left)? && self.holds(right)?,
            Node::Or(left, right) => self.holds(left)? || self.holds(right)?,
            Node::Compare { op, left, right } => self.compares(*op, left, right)?,
            Node::In {
                negated,
                element,
                container,
            } => self.contains(*negated, element, container)?,
            node => self.operand(node)?.is_true(),
        })
    }

    fn compares(&mut self, op: Comparison, left: &'a Node, right: &'a Node) -> Result<bool, Halt> {
        let left = self.operand(left)?;
        let right = self.operand(right)?;
        Ok(compare(op, &left, &right))
    }

    /// `element in container`, or `not in` when `negated`.
    fn contains(
        &mut self,
        negated: bool,
        element: &'a Node,
        container: &'a Node,
    ) -> Result<bool, Halt> {
        let element = self.operand(element)?;
        let found = match container {
            Node::Array(items) => self.among(&element, items)?,
            container => self.operand(container)?.has(&element),
        };
        Ok(found != negated)
    }

    /// `element in [a, b]` with items computed at evaluation time: compares with each item
    /// without building the list. Every item is evaluated, as building it would.
    fn among(&mut self, element: &Value<'a>, items: &'a [Node]) -> Result<bool, Halt> {
        let mut found = false;
        for item in items {
            let item = self.operand(item)?;
            found = found || element.equals(&item);
        }
        Ok(found)
    }

    fn input_field(&self, name: &str) -> Value<'a> {
        self.input
            .get(name)
            .map_or(Value::Null, Value::from_document)
    }

    /// `config.key`: the key of `input.policyData` when it is there and not `null`, else
    /// the policy's default.
    fn config_field(&mut self, key: &'a str) -> Value<'a> {
        let mut free = None;
        for (index, cached) in self.config_fields.iter().enumerate() {
            match cached {
                Some((known, value)) if std::ptr::eq(*known, key) => return value.clone(),
                Some(_) => {}
                None => {
                    free = Some(index);
                    break;
                }
            }
        }
        let value = match self.input_field("policyData").entry(key) {
            Some(value) if !value.is_null() => value,
            _ => self.config_default(key),
        };
        if let Some(slot) = free.and_then(|index| self.config_fields.get_mut(index)) {
            *slot = Some((key, value.clone()));
        }
        value
    }

    fn config_default(&self, key: &str) -> Value<'a> {
        let defaults = &self.program.config;
        defaults
            .binary_search_by(|(candidate, _)| (**candidate).cmp(key))
            .ok()
            .and_then(|position| defaults.get(position))
            .map_or(Value::Null, |(_, constant)| constant.value())
    }

    /// `config`: the defaults with the non-null keys of `input.policyData` over them.
    fn config_object(&mut self) -> Value<'a> {
        if let Some(config) = &self.config {
            return config.clone();
        }
        let mut merged: BTreeMap<&'a str, Value<'a>> = self
            .program
            .config
            .iter()
            .map(|(key, constant)| (&**key, constant.value()))
            .collect();
        if let Some(Document::Object(supplied)) = self.input.get("policyData") {
            for (key, value) in supplied.iter() {
                if !value.is_null() {
                    merged.insert(key, Value::from_document(value));
                }
            }
        }
        let config = Value::Object(Rc::new(merged));
        self.config = Some(config.clone());
        config
    }

    fn let_value(&mut self, slot: usize) -> Result<Value<'a>, Halt> {
        match self.lets.get(slot) {
            Some(LetState::Done(value)) => return Ok(value.clone()),
            // A `let` refers only to earlier ones (the compiler checks it), so it never
            // meets itself while running; `null` keeps evaluation total regardless.
            Some(LetState::Running) | None => return Ok(Value::Null),
            Some(LetState::Pending) => {}
        }
        if self.let_nesting >= LET_NESTING {
            self.settle_lets_before(slot)?;
        }
        let Some(node) = self.program.lets.get(slot) else {
            return Ok(Value::Null);
        };
        let shared = self.shared_lets.as_ref().and_then(|lets| lets.group(slot));
        let found = shared.and_then(|group| self.shared_lets.as_ref()?.value(group));
        if let Some(found) = found {
            self.budget.charge(found.iterations, found.string_bytes)?;
            self.set_let(slot, LetState::Done(found.value.clone()));
            return Ok(found.value);
        }
        let spent = self.budget.spent();
        self.set_let(slot, LetState::Running);
        self.let_nesting += 1;
        // A `let` sees no loop variable: it runs on a stack of its own.
        let outer_locals = std::mem::take(&mut self.locals);
        let result = self.eval(node);
        self.locals = outer_locals;
        self.let_nesting -= 1;
        let value = result?;
        if let Some(group) = shared
            && let Some(lets) = &self.shared_lets
        {
            let (iterations, string_bytes) = self.budget.spent();
            lets.keep(
                group,
                SharedValue {
                    value: value.clone(),
                    iterations: iterations - spent.0,
                    string_bytes: string_bytes - spent.1,
                },
            );
        }
        self.set_let(slot, LetState::Done(value.clone()));
        Ok(value)
    }

    /// Evaluates every `let` before `slot` in order, so that none of them nests further.
    fn settle_lets_before(&mut self, slot: usize) -> Result<(), Halt> {
        while self.settled_lets < slot {
            let next = self.settled_lets;
            self.settled_lets += 1;
            self.let_value(next)?;
        }
        Ok(())
    }

    fn set_let(&mut self, slot: usize, state: LetState<'a>) {
        if let Some(entry) = self.lets.get_mut(slot) {
            *entry = state;
        }
    }

    /// Applies the steps of a path; after `[*]` the rest apply to each element. Fields
    /// are looked up in place, in the caller: a value returned from a call comes back
    /// through memory, written in other pieces than it is read in, and the processor
    /// waits on the read. An index or `[*]` goes on out of line. Not forced inline in an
    /// unoptimised build, where every inlined copy adds its own stack slots to the frames
    /// of the recursive evaluator, and the deepest expressions would run out of stack.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn walk(&mut self, mut current: Value<'a>, steps: &'a [Step]) -> Result<Value<'a>, Halt> {
        for (position, step) in steps.iter().enumerate() {
            match step {
                Step::Field(name) => current = current.field(name),
                _ => return self.walk_on(current, steps.get(position..).unwrap_or_default()),
            }
        }
        Ok(current)
    }

    /// Applies the steps of a path from an index or a `[*]` on.
    fn walk_on(&mut self, mut current: Value<'a>, steps: &'a [Step]) -> Result<Value<'a>, Halt> {
        for (position, step) in steps.iter().enumerate() {
            current = match step {
                Step::Field(name) => current.field(name),
                Step::Index(index) => {
                    let index = self.operand(index)?;
                    current.index(&index)
                }
                Step::Each => {
                    let rest = steps.get(position + 1..).unwrap_or_default();
                    return self.project(&current, rest);
                }
            };
        }
        Ok(current)
    }

    /// `list[*].rest`: the list of `rest` applied to each element; `null` when there is
    /// nothing to iterate.
    fn project(&mut self, list: &Value<'a>, rest: &'a [Step]) -> Result<Value<'a>, Halt> {
        let Some(elements) = list.elements() else {
            return Ok(Value::Null);
        };
        let mut projected = Vec::with_capacity(elements.size_hint().0);
        for item in elements {
            self.budget.iterate()?;
            projected.push(self.walk_on(item, rest)?);
        }
        Ok(Value::list(projected))
    }

    fn call(&mut self, builtin: Builtin, args: &'a [Node]) -> Result<Value<'a>, Halt> {
        match args {
            [subject, pattern] if matches!(builtin, Builtin::Matches | Builtin::Regex) => {
                let (subject, pattern) = (self.operand(subject)?, self.operand(pattern)?);
                Ok(self.match_computed(builtin, &subject, &pattern))
            }
            [only] => {
                let value = self.operand(only)?;
                builtins::call(builtin, std::slice::from_ref(&value), &mut self.budget)
            }
            [first, second] => {
                let values = [self.operand(first)?, self.operand(second)?];
                builtins::call(builtin, &values, &mut self.budget)
            }
            _ => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(self.operand(arg)?);
                }
                builtins::call(builtin, &values, &mut self.budget)
            }
        }
    }

    /// `matches` or `regex` with a pattern computed at evaluation time: `null` for
    /// arguments that are not strings, `false` for an invalid pattern.
    fn match_computed(
        &mut self,
        builtin: Builtin,
        subject: &Value<'a>,
        pattern: &Value<'a>,
    ) -> Value<'a> {
        let (Some(subject), Some(pattern)) = (subject.as_str(), pattern.as_str()) else {
            return Value::Null;
        };
        let patterns = self.patterns.get_or_insert_default();
        let cache = if builtin == Builtin::Matches {
            &mut patterns.globs
        } else {
            &mut patterns.regexes
        };
        let matched = |compiled: &Option<Pattern>| {
            compiled
                .as_ref()
                .is_some_and(|compiled| compiled.is_match(subject))
        };
        if let Some(compiled) = cache.get(pattern) {
            return Value::Bool(matched(compiled));
        }
        let compiled = compile_pattern(builtin, pattern);
        let answer = matched(&compiled);
        if cache.len() < CACHED_PATTERNS {
            cache.insert(pattern.to_string(), compiled);
        }
        Value::Bool(answer)
    }

    fn comprehension(&mut self, comprehension: &'a Comprehension) -> Result<Value<'a>, Halt> {
        let iterable = self.operand(&comprehension.iterable)?;
        let kind = comprehension.kind;
        let Some(elements) = iterable.elements() else {
            return Ok(over_nothing(kind));
        };
        match kind {
            ComprehensionKind::Any | ComprehensionKind::All => {
                let wanted = kind == ComprehensionKind::Any;
                for item in elements {
                    let found = self.bound(comprehension, item, |machine| {
                        Ok(if machine.passes(comprehension)? {
                            Some(machine.holds(&comprehension.element)?)
                        } else {
                            None
                        })
                    })?;
                    if found == Some(wanted) {
                        return Ok(Value::Bool(wanted));
                    }
                }
                Ok(Value::Bool(!wanted))
            }
            ComprehensionKind::Count => {
                let mut count = 0usize;
                for item in elements {
                    if self.bound(comprehension, item, |machine| machine.passes(comprehension))? {
                        count += 1;
                    }
                }
                Ok(Value::Number(count as f64))
            }
            ComprehensionKind::List
            | ComprehensionKind::Sum
            | ComprehensionKind::Min
            | ComprehensionKind::Max => {
                let mut generated = Vec::new();
                for item in elements {
                    let element = self.bound(comprehension, item, |machine| {
                        if machine.passes(comprehension)? {
                            machine.eval(&comprehension.element).map(Some)
                        } else {
                            Ok(None)
                        }
                    })?;
                    generated.extend(element);
                }
                let list = Value::list(generated);
                match aggregate(kind) {
                    Some(builtin) => builtins::call(builtin, &[list], &mut self.budget),
                    None => Ok(list),
                }
            }
        }
    }

    /// Runs `then` with the comprehension's loop variable bound to `item`, as one step of
    /// its loop.
    fn bound<T>(
        &mut self,
        comprehension: &'a Comprehension,
        item: Value<'a>,
        then: impl FnOnce(&mut Self) -> Result<T, Halt>,
    ) -> Result<T, Halt> {
        self.budget.iterate()?;
        debug_assert_eq!(self.locals.len(), comprehension.slot);
        self.locals.push(item);
        let result = then(self);
        self.locals.pop();
        result
    }

    /// Whether the item in scope passes the comprehension's `if` (or it has none).
    fn passes(&mut self, comprehension: &'a Comprehension) -> Result<bool, Halt> {
        match &comprehension.condition {
            Some(condition) => self.holds(condition),
            None => Ok(true),
        }
    }

    fn template(&mut self, pieces: &'a [TemplatePiece]) -> Result<Value<'a>, Halt> {
        // Room for the text and a short value per `${...}`, so most messages allocate once.
        let estimate = pieces
            .iter()
            .map(|piece| match piece {
                TemplatePiece::Text(literal) => literal.len(),
                TemplatePiece::Value(_) => 16,
            })
            .sum();
        let mut text = String::with_capacity(estimate);
        for piece in pieces {
            match piece {
                TemplatePiece::Text(literal) => text.push_str(literal),
                TemplatePiece::Value(node) => {
                    let value = self.operand(node)?;
                    write_interpolated(&value, &mut text);
                }
            }
            self.budget.check_length(text.len())?;
        }
        self.budget.build_string(text.len())?;
        Ok(Value::string(text))
    }
}

/// What a comprehension over something that is not a list or an object gives (SPEC 4.3:
/// `all` over `null` is false, fail safe; `any` false; `count` 0).
fn over_nothing<'a>(kind: ComprehensionKind) -> Value<'a> {
    match kind {
        ComprehensionKind::List => Value::list(Vec::new()),
        ComprehensionKind::Any | ComprehensionKind::All => Value::Bool(false),
        ComprehensionKind::Count | ComprehensionKind::Sum => Value::Number(0.0),
        ComprehensionKind::Min | ComprehensionKind::Max => Value::Null,
    }
}

fn aggregate(kind: ComprehensionKind) -> Option<Builtin> {
    match kind {
        ComprehensionKind::Sum => Some(Builtin::Sum),
        ComprehensionKind::Min => Some(Builtin::Min),
        ComprehensionKind::Max => Some(Builtin::Max),
        _ => None,
    }
}

fn compile_pattern(builtin: Builtin, pattern: &str) -> Option<Pattern> {
    if builtin == Builtin::Matches {
        compile_glob(pattern).ok().map(Pattern::Glob)
    } else {
        compile_regex(pattern).ok().map(Pattern::Regex)
    }
}

impl Pattern {
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Glob(glob) => glob.is_match(text),
            Pattern::Regex(regex) => regex.is_match(text),
        }
    }
}
