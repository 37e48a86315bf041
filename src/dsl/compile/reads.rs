//! Which parts of the input document a compiled policy reads, as a [`Projection`]: the
//! paths it follows, through `let`s and loop variables, and how it uses what it finds
//! there. Anything used as a value (compared, printed, passed to a builtin) is read whole;
//! a path only followed, or a list only counted or iterated, is read no further than that.

use crate::dsl::eval::builtins::Builtin;
use crate::dsl::eval::program::{Comprehension, Constant, Node, Program, Step, TemplatePiece};
use crate::projection::{PathStep, Projection};

/// A path from the top of the input document.
type Path = Vec<PathStep>;

/// The parts of the input document `program` reads when it is evaluated (not explained).
pub fn input_reads(program: &Program) -> Projection {
    let mut reads = Reads {
        program,
        lets: vec![None; program.lets.len()],
        locals: Vec::new(),
        projection: Projection::nothing(),
    };
    for guard in &program.guards {
        reads.use_whole(&guard.condition);
    }
    for rule in &program.rules {
        reads.locals.clear();
        if let Some(each) = &rule.each {
            let items = reads.iterated(each);
            reads.locals.push(items);
        }
        if let Some(condition) = &rule.condition {
            reads.use_whole(condition);
        }
        if let Some(message) = &rule.message {
            reads.use_whole(message);
        }
    }
    reads.projection
}

struct Reads<'p> {
    program: &'p Program,
    /// The input paths each `let` may stand for, once worked out.
    lets: Vec<Option<Vec<Path>>>,
    /// The input paths each loop variable in scope may stand for, by slot.
    locals: Vec<Vec<Path>>,
    projection: Projection,
}

impl Reads<'_> {
    /// A value used as a whole: everything under the paths it may stand for is read.
    fn use_whole(&mut self, node: &Node) {
        for path in self.paths(node) {
            self.projection.keep_whole(&path);
        }
    }

    /// A value whose entries are counted or tested for kind, not read.
    fn use_entries(&mut self, node: &Node) {
        for path in self.paths(node) {
            self.projection.keep_entries(&path);
        }
    }

    /// A value iterated: its entries are kept; gives the paths of its items.
    fn iterated(&mut self, node: &Node) -> Vec<Path> {
        let paths = self.paths(node);
        for path in &paths {
            self.projection.keep_entries(path);
        }
        paths
            .into_iter()
            .map(|mut path| {
                path.push(PathStep::Each);
                path
            })
            .collect()
    }

    /// The input paths the value of `node` may be, recording what evaluating it reads.
    fn paths(&mut self, node: &Node) -> Vec<Path> {
        match node {
            Node::Constant(_) | Node::Now => Vec::new(),
            Node::Input => vec![Vec::new()],
            Node::InputField(name) => vec![vec![PathStep::Field(name.clone())]],
            Node::Config => {
                self.projection.keep_whole(&[field("policyData")]);
                Vec::new()
            }
            Node::ConfigField(key) => {
                self.projection
                    .keep_whole(&[field("policyData"), PathStep::Field(key.clone())]);
                Vec::new()
            }
            Node::Let(slot) => self.let_paths(*slot),
            Node::Local(slot) => self.locals.get(*slot).cloned().unwrap_or_default(),
            Node::Path { base, steps } => {
                let mut paths = self.paths(base);
                for step in steps.iter() {
                    let next = self.step(step);
                    for path in &mut paths {
                        path.push(next.clone());
                    }
                }
                paths
            }
            Node::Coalesce(left, right) => {
                let mut paths = self.paths(left);
                paths.extend(self.paths(right));
                paths
            }
            Node::Not(operand) | Node::Negate(operand) => {
                self.use_whole(operand);
                Vec::new()
            }
            Node::And(left, right) | Node::Or(left, right) => {
                self.use_whole(left);
                self.use_whole(right);
                Vec::new()
            }
            Node::Compare { left, right, .. } | Node::Arithmetic { left, right, .. } => {
                self.use_whole(left);
                self.use_whole(right);
                Vec::new()
            }
            Node::In {
                element, container, ..
            } => {
                self.use_whole(element);
                self.use_whole(container);
                Vec::new()
            }
            Node::Call { builtin, args } => {
                for arg in args.iter() {
                    if reads_only_entries(*builtin) {
                        self.use_entries(arg);
                    } else {
                        self.use_whole(arg);
                    }
                }
                Vec::new()
            }
            Node::Match { subject, .. } => {
                self.use_whole(subject);
                Vec::new()
            }
            Node::Zoned { time, .. } => {
                self.use_whole(time);
                Vec::new()
            }
            Node::Comprehension(comprehension) => {
                self.comprehension(comprehension);
                Vec::new()
            }
            Node::Template(pieces) => {
                for piece in pieces.iter() {
                    if let TemplatePiece::Value(value) = piece {
                        self.use_whole(value);
                    }
                }
                Vec::new()
            }
            Node::Array(items) => {
                for item in items.iter() {
                    self.use_whole(item);
                }
                Vec::new()
            }
            Node::Object(entries) => {
                for (_, value) in entries.iter() {
                    self.use_whole(value);
                }
                Vec::new()
            }
        }
    }

    /// One step of a path: a field by name, or, for an index computed at evaluation time
    /// or a position, any entry.
    fn step(&mut self, step: &Step) -> PathStep {
        match step {
            Step::Field(name) => PathStep::Field(name.clone()),
            Step::Index(Node::Constant(Constant::String(key))) => PathStep::Field(key.clone()),
            Step::Index(index) => {
                self.use_whole(index);
                PathStep::Each
            }
            Step::Each => PathStep::Each,
        }
    }

    fn let_paths(&mut self, slot: usize) -> Vec<Path> {
        if let Some(Some(known)) = self.lets.get(slot) {
            return known.clone();
        }
        let Some(node) = self.program.lets.get(slot) else {
            return Vec::new();
        };
        // A `let` refers only to earlier ones; marking it first keeps a malformed program
        // from looping all the same. It sees no loop variable.
        if let Some(entry) = self.lets.get_mut(slot) {
            *entry = Some(Vec::new());
        }
        let outer = std::mem::take(&mut self.locals);
        let paths = self.paths(node);
        self.locals = outer;
        if let Some(entry) = self.lets.get_mut(slot) {
            *entry = Some(paths.clone());
        }
        paths
    }

    fn comprehension(&mut self, comprehension: &Comprehension) {
        let items = self.iterated(&comprehension.iterable);
        let outer = std::mem::take(&mut self.locals);
        self.locals = outer.clone();
        self.locals.truncate(comprehension.slot);
        self.locals.resize(comprehension.slot, Vec::new());
        self.locals.push(items);
        self.use_whole(&comprehension.element);
        if let Some(condition) = &comprehension.condition {
            self.use_whole(condition);
        }
        self.locals = outer;
    }
}

fn field(name: &str) -> PathStep {
    PathStep::Field(name.into())
}

/// Builtins that look only at how many entries a value has, or at its kind: a list they
/// are given needs its entries, not what the entries hold.
fn reads_only_entries(builtin: Builtin) -> bool {
    matches!(
        builtin,
        Builtin::Count
            | Builtin::Len
            | Builtin::Keys
            | Builtin::Exists
            | Builtin::IsString
            | Builtin::IsNumber
            | Builtin::IsBool
            | Builtin::IsArray
            | Builtin::IsObject
    )
}
