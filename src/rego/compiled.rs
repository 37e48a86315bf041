//! Rego's compiled mode: each package's verdict rules as one program of the engine's
//! register machine (the RVM), several times faster than its interpreter once compiled.
//!
//! It is used only where it answers as the interpreter does. A package stays with the
//! interpreter when its program does not compile, or when it reaches what the machine does
//! differently: printing and tracing, builtins that keep state between calls, the `data`
//! document. The first decisions of every package, and one in [`CHECK_EVERY`] after them,
//! are decided both ways and compared; a disagreement, or any error in the machine, sends
//! the package back to the interpreter for good, and the interpreter's answer is the one
//! given. Verdict's own functions are answered by verdict, as the interpreter's extensions
//! answer them: OPA's versions of builtins the engine has its own of (`sprintf`,
//! `to_number`, `time.parse_duration_ns`, `time.parse_rfc3339_ns`) take the place of the
//! engine's in each program's table of builtins, so a program calling only those runs to
//! completion in one go. The evaluation clock and METADATA values depend on the decision:
//! the compiler makes their calls stops of the machine for the host to answer, and verdict
//! turns each such stop it recognises back into a builtin call, answered from the
//! decision under way on the thread. A stop it does not recognise stays one, answered
//! when the machine suspends.

use std::cell::RefCell;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::Instruction;
use regorus::rvm::instructions::BuiltinCallParams;
use regorus::rvm::program::{BuiltinInfo, Program};
use regorus::rvm::vm::{ExecutionMode, ExecutionState, RegoVM, SuspendReason};
use regorus::unstable::{BuiltinFcn, Expr, Ref, Span};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};

use super::engine::{self, METADATA_FUNCTION, TIMER_CHECK_INTERVAL};

/// The functions whose answers depend on the decision, which a builtin is not told, with
/// the number of arguments each takes. The compiler makes their calls stops for the host.
const HOST_FUNCTIONS: [(&str, usize); 2] = [("time.now_ns", 0), (METADATA_FUNCTION, 1)];

/// Each of [`HOST_FUNCTIONS`] as a builtin of the machine, called with one argument: the
/// array of the call's arguments that the stop would have handed over.
const HOST_FUNCTION_CALLS: [BuiltinFcn; HOST_FUNCTIONS.len()] =
    [(host_builtin::<0>, 1), (host_builtin::<1>, 1)];

#[cfg(test)]
thread_local! {
    /// Leaves the stops for host functions as they are, for programs compiled on this
    /// thread: the tests' way to the path that answers them when the machine suspends.
    pub static KEEP_STOPS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

thread_local! {
    /// The decision the machines on this thread are evaluating, for the host functions.
    static DECISION: RefCell<Option<Decision>> = const { RefCell::new(None) };
}

/// What the host functions answer during one decision.
struct Decision {
    metadata: Arc<Vec<Value>>,
    now_nanos: i64,
}

/// Verdict's answer to a call of a host function, for the decision under way on this
/// thread; `None` when there is none, and the machine then stops with no value.
fn host_answer(function: &str, arguments: &[Value]) -> Option<Value> {
    DECISION.with_borrow(|decision| {
        let decision = decision.as_ref()?;
        match (function, arguments) {
            ("time.now_ns", []) => Some(Value::from(decision.now_nanos)),
            (METADATA_FUNCTION, [_]) => Some(engine::metadata_value(&decision.metadata, arguments)),
            _ => None,
        }
    })
}

/// The machine's builtin for the `INDEX`th of [`HOST_FUNCTIONS`]. A call it cannot answer
/// stops the machine, as an unanswered stop does, so that the interpreter decides: an
/// error would only make the call undefined, and a rule could quietly not fire.
fn host_builtin<const INDEX: usize>(
    _: &Span,
    _: &[Ref<Expr>],
    arguments: &[Value],
    _: bool,
) -> anyhow::Result<Value> {
    let answer = HOST_FUNCTIONS.get(INDEX).and_then(|(function, _)| {
        let [arguments] = arguments else {
            return None;
        };
        host_answer(function, arguments.as_array().ok()?.as_slice())
    });
    match answer {
        Some(value) => Ok(value),
        // Unwinds to the `engine::guarded` around the machine, without the panic hook.
        None => std::panic::resume_unwind(Box::new(String::from(
            "a host function was called with no decision under way",
        ))),
    }
}

/// Turns each stop for a host function back into a call of the builtin that answers it:
/// the compiler loads the function's name into the register the stop names, just before
/// it. A stop that does not read so stays one. The program then runs to completion when
/// no stop is left.
fn call_host_functions_directly(program: &mut Program) {
    for index in 1..program.instructions.len() {
        let (
            Some(Instruction::Load {
                dest: named,
                literal_idx,
            }),
            Some(&Instruction::HostAwait { dest, arg, id }),
        ) = (
            program.instructions.get(index - 1),
            program.instructions.get(index),
        )
        else {
            continue;
        };
        if *named != id {
            continue;
        }
        let Some(name) = program.literals.get(usize::from(*literal_idx)) else {
            continue;
        };
        let Ok(name) = name.as_string() else {
            continue;
        };
        let Some(call) = HOST_FUNCTIONS
            .iter()
            .zip(HOST_FUNCTION_CALLS)
            .find_map(|((function, _), call)| (*function == name.as_ref()).then_some(call))
        else {
            continue;
        };
        let existing = program
            .builtin_info_table
            .iter()
            .position(|info| info.name == name.as_ref());
        let slot = existing.unwrap_or(program.builtin_info_table.len());
        // Past the tables' 16-bit indices the stop stays one.
        let Ok(builtin_index) = u16::try_from(slot) else {
            continue;
        };
        if program.instruction_data.builtin_call_params.len() >= usize::from(u16::MAX) {
            continue;
        }
        if existing.is_none() {
            program.builtin_info_table.push(BuiltinInfo {
                name: name.to_string(),
                num_args: 1,
            });
            program.resolved_builtins.push(call);
        }
        let mut args = [0; 8];
        args[0] = arg;
        let params_index = program
            .instruction_data
            .add_builtin_call_params(BuiltinCallParams {
                dest,
                builtin_index,
                num_args: 1,
                args,
            });
        if let Some(instruction) = program.instructions.get_mut(index) {
            *instruction = Instruction::BuiltinCall { params_index };
        }
    }
    program.recompute_host_await_presence();
}

/// Verdict's answer to each of [`engine::OPA_BUILTINS`], in the same order, in the form of
/// the machine's builtins.
const OPA_BUILTIN_CALLS: [BuiltinFcn; engine::OPA_BUILTINS.len()] = [
    opa_call::<0>(),
    opa_call::<1>(),
    opa_call::<2>(),
    opa_call::<3>(),
];

/// The `INDEX`th of [`engine::OPA_BUILTINS`] as the machine's builtin, with its arity.
// Evaluated while compiling: an index out of range fails the build, never a run.
#[allow(clippy::indexing_slicing)]
const fn opa_call<const INDEX: usize>() -> BuiltinFcn {
    (opa_builtin::<INDEX>, engine::OPA_BUILTINS[INDEX].arity)
}

/// The machine's builtin for the `INDEX`th of [`engine::OPA_BUILTINS`]: what the
/// interpreter's extension answers, an error where that fails.
fn opa_builtin<const INDEX: usize>(
    _: &Span,
    _: &[Ref<Expr>],
    arguments: &[Value],
    strict_builtin_errors: bool,
) -> anyhow::Result<Value> {
    let builtin = engine::OPA_BUILTINS
        .get(INDEX)
        .ok_or_else(|| anyhow::anyhow!("no builtin {INDEX}"))?;
    builtin
        .call(arguments, strict_builtin_errors)
        .ok_or_else(|| anyhow::anyhow!(builtin.failure))
}

/// Puts verdict's answers in place of the engine's builtins OPA answers differently.
fn use_opa_builtins(program: &mut Program) {
    for (info, resolved) in program
        .builtin_info_table
        .iter()
        .zip(program.resolved_builtins.iter_mut())
    {
        let opa = engine::OPA_BUILTINS
            .iter()
            .zip(OPA_BUILTIN_CALLS)
            .find(|(builtin, _)| builtin.name == info.name);
        if let Some((_, call)) = opa {
            *resolved = call;
        }
    }
}

/// Builtins whose answers depend on the interpreter's own state: its output, its caches
/// within one evaluation, its traces. A program calling one stays with the interpreter.
const INTERPRETER_ONLY_BUILTINS: [&str; 7] = [
    "print",
    "trace",
    "opa.runtime",
    "rand.intn",
    "uuid.rfc4122",
    "walk",
    "time.now_ns",
];

/// Decisions of a package checked against the interpreter before its program is trusted.
pub const CHECKED_FIRST: usize = 16;

/// After the first decisions, one decision in this many is still checked.
pub const CHECK_EVERY: usize = 64;

/// What compiling a group's packages needs from loading.
pub struct CompileRequest<'a> {
    pub engine: &'a Engine,
    /// The engine path of every verdict rule, package by package.
    pub rule_paths: Vec<Vec<&'a str>>,
    pub metadata: Arc<Vec<Value>>,
    pub strict_builtin_errors: bool,
    pub timeout: Option<Duration>,
}

/// The programs of a group's packages, shared by every clone of the group.
#[derive(Debug)]
pub struct Programs {
    packages: Vec<Option<PackageProgram>>,
    metadata: Arc<Vec<Value>>,
    strict_builtin_errors: bool,
    timeout: Option<Duration>,
}

/// One package's program, and whether it has answered otherwise than the interpreter.
#[derive(Debug)]
struct PackageProgram {
    program: Arc<Program>,
    retired: AtomicBool,
}

impl Programs {
    /// Compiles every package of a group into a program of its own (one program for many
    /// packages would outgrow the machine's registers); `None` where a package stays
    /// with the interpreter.
    pub fn compile(request: CompileRequest<'_>) -> Programs {
        let packages = match compiled_policy(request.engine, &request.rule_paths) {
            Some(policy) => request
                .rule_paths
                .iter()
                .map(|paths| package_program(&policy, paths))
                .collect(),
            None => request.rule_paths.iter().map(|_| None).collect(),
        };
        Programs {
            packages,
            metadata: request.metadata,
            strict_builtin_errors: request.strict_builtin_errors,
            timeout: request.timeout,
        }
    }

    /// How many packages compiled.
    pub fn compiled(&self) -> usize {
        self.packages.iter().flatten().count()
    }

    /// How many packages run compiled now.
    pub fn active(&self) -> usize {
        self.packages
            .iter()
            .flatten()
            .filter(|package| !package.retired.load(Ordering::Relaxed))
            .count()
    }

    /// How many packages' programs stop for the host to answer.
    #[cfg(test)]
    pub fn suspending(&self) -> usize {
        self.packages
            .iter()
            .flatten()
            .filter(|package| package.program.has_host_await)
            .count()
    }

    /// Sends a package back to the interpreter for good.
    pub fn retire(&self, policy: usize) {
        if let Some(Some(package)) = self.packages.get(policy) {
            package.retired.store(true, Ordering::Relaxed);
        }
    }
}

/// Whether a compiled decision is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Trusted,
    AgainstInterpreter,
}

/// The engine's policy in the form the compiler reads, made on a copy of the engine so
/// that the interpreter's own state is left as loading made it.
fn compiled_policy(engine: &Engine, rule_paths: &[Vec<&str>]) -> Option<regorus::CompiledPolicy> {
    let first = rule_paths.iter().flatten().next()?;
    let mut scratch = engine.clone();
    let entry: regorus::Rc<str> = (*first).into();
    engine::guarded(|| scratch.compile_with_entrypoint(&entry)).ok()
}

/// One package's program, when it compiles and uses only what the machine does as the
/// interpreter does.
fn package_program(policy: &regorus::CompiledPolicy, paths: &[&str]) -> Option<PackageProgram> {
    if paths.is_empty() {
        return None;
    }
    let program = engine::guarded(|| {
        Compiler::compile_from_policy_with_host_await(policy, paths, &HOST_FUNCTIONS)
            .map_err(anyhow::Error::from)
    })
    .ok()?;
    if !runs_as_interpreted(&program) || program.entry_points.len() != paths.len() {
        return None;
    }
    let mut program = Arc::unwrap_or_clone(program);
    if program.resolved_builtins.len() != program.builtin_info_table.len() {
        return None;
    }
    use_opa_builtins(&mut program);
    #[cfg(test)]
    let rewrite = !KEEP_STOPS.get();
    #[cfg(not(test))]
    let rewrite = true;
    if rewrite {
        call_host_functions_directly(&mut program);
    }
    Some(PackageProgram {
        program: Arc::new(program),
        retired: AtomicBool::new(false),
    })
}

/// Whether a program stays within what the machine does exactly as the interpreter.
fn runs_as_interpreted(program: &Program) -> bool {
    let builtins_shared = program
        .builtin_info_table
        .iter()
        .all(|builtin| !INTERPRETER_ONLY_BUILTINS.contains(&builtin.name.as_str()));
    let plain_instructions = program.instructions.iter().all(|instruction| {
        !matches!(
            instruction,
            Instruction::LoadData { .. }
                | Instruction::LoadContext { .. }
                | Instruction::LoadMetadata { .. }
                | Instruction::VirtualDataDocumentLookup { .. }
                | Instruction::PolicyCondition { .. }
                | Instruction::Halt { .. }
        )
    });
    builtins_shared && plain_instructions && !program.needs_runtime_recursion_check
}

/// The machines of one clone of a group: each evaluates on its own thread.
#[derive(Debug, Default)]
pub struct Machines {
    machines: Vec<Option<RegoVM>>,
    /// How many decisions of each package this copy has planned. The count is each
    /// copy's own, so that `--batch` workers do not write to one shared counter on every
    /// decision; each worker checks its own first decisions of a package.
    decided: Vec<usize>,
    /// This copy's own handle on the METADATA values, for the same reason.
    metadata: Option<Arc<Vec<Value>>>,
}

impl Clone for Machines {
    /// A clone starts with no machine, each made when first needed, and with no decision
    /// planned: a copy checks its own first decisions of each package.
    fn clone(&self) -> Machines {
        Machines::default()
    }
}

impl Machines {
    /// Whether the machine may decide a package, and whether that decision is to be
    /// checked against the interpreter.
    pub fn plan(&mut self, programs: &Programs, policy: usize) -> Option<Check> {
        let package = programs.packages.get(policy)?.as_ref()?;
        if package.retired.load(Ordering::Relaxed) {
            return None;
        }
        if self.decided.len() <= policy {
            self.decided.resize(policy + 1, 0);
        }
        let count = self.decided.get_mut(policy)?;
        let decided = *count;
        *count = decided.saturating_add(1);
        Some(
            if decided < CHECKED_FIRST || decided.is_multiple_of(CHECK_EVERY) {
                Check::AgainstInterpreter
            } else {
                Check::Trusted
            },
        )
    }

    /// The values of a package's verdict rules, in the order of its entry points;
    /// `None` when the machine fails in any way.
    pub fn evaluate(
        &mut self,
        programs: &Programs,
        policy: usize,
        input: &Value,
        now_nanos: i64,
    ) -> Option<Vec<Value>> {
        let package = programs.packages.get(policy)?.as_ref()?;
        if self.machines.len() <= policy {
            self.machines.resize_with(policy + 1, || None);
        }
        let slot = self.machines.get_mut(policy)?;
        let machine = match slot {
            Some(machine) => machine,
            None => slot.insert(new_machine(programs, package)?),
        };
        machine.set_input(input.clone());
        let metadata = self
            .metadata
            .get_or_insert_with(|| Arc::new(programs.metadata.as_ref().clone()));
        let previous = DECISION.replace(Some(Decision {
            metadata: Arc::clone(metadata),
            now_nanos,
        }));
        let values = (0..package.program.entry_points.len())
            .map(|entry| run(machine, entry))
            .collect();
        DECISION.set(previous);
        values
    }
}

fn new_machine(programs: &Programs, package: &PackageProgram) -> Option<RegoVM> {
    let mut machine = RegoVM::new();
    machine.load_program(package.program.clone());
    machine.set_data(Value::new_object()).ok()?;
    machine.set_strict_builtin_errors(programs.strict_builtin_errors);
    // The interpreter counts no instructions; the time limit bounds both alike.
    machine.set_max_instructions(usize::MAX);
    machine.set_execution_timer_config(programs.timeout.map(|limit| ExecutionTimerConfig {
        limit,
        check_interval: NonZeroU32::new(TIMER_CHECK_INTERVAL).unwrap_or(NonZeroU32::MIN),
    }));
    if package.program.has_host_await {
        machine.set_execution_mode(ExecutionMode::Suspendable);
    }
    Some(machine)
}

/// Runs one entry point to its end, answering the program's calls to verdict.
fn run(machine: &mut RegoVM, entry: usize) -> Option<Value> {
    let mut result = engine::guarded(|| {
        machine
            .execute_entry_point_by_index(entry)
            .map_err(anyhow::Error::from)
    });
    loop {
        let value = result.ok()?;
        let (function, arguments) = match machine.execution_state() {
            ExecutionState::Suspended {
                reason:
                    SuspendReason::HostAwait {
                        identifier,
                        argument,
                        ..
                    },
                ..
            } => (identifier.clone(), argument.clone()),
            ExecutionState::Completed { .. } | ExecutionState::Ready => return Some(value),
            _ => return None,
        };
        let function = function.as_string().ok()?;
        let arguments = arguments.as_array().ok()?;
        let answer = host_answer(function.as_ref(), arguments.as_slice())?;
        result = engine::guarded(|| machine.resume(Some(answer)).map_err(anyhow::Error::from));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_function_answers_only_within_a_decision() {
        let source = regorus::Source::from_contents("p.rego".to_string(), String::new()).unwrap();
        let span = Span {
            source,
            line: 1,
            col: 1,
            start: 0,
            end: 0,
        };
        let no_arguments = [Value::from(Vec::<Value>::new())];
        let (clock, _) = HOST_FUNCTION_CALLS[0];
        let outside = std::panic::catch_unwind(|| clock(&span, &[], &no_arguments, false));
        assert!(
            outside.is_err(),
            "the machine stops rather than go on undefined"
        );

        DECISION.set(Some(Decision {
            metadata: Arc::new(Vec::new()),
            now_nanos: 42,
        }));
        let inside = clock(&span, &[], &no_arguments, false);
        DECISION.set(None);
        assert_eq!(inside.unwrap(), Value::from(42));
    }
}
