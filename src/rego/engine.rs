//! Building and driving the regorus engine: options, the functions verdict adds, the
//! evaluation clock, and a guard that turns an engine panic into an error.

use std::cell::Cell;
use std::num::NonZeroU32;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};

use super::{goparse, sprintf};

/// The name calls to `rego.metadata.rule()` and `rego.metadata.chain()` are rewritten to;
/// short enough that `__vmeta(N)` never outgrows the call it replaces.
pub const METADATA_FUNCTION: &str = "__vmeta";

/// Work units between two looks at the clock when a time limit is set: statements of the
/// interpreter, instructions of the register machine. Reading the clock every 32 took
/// 1.5% of a compiled decision's instructions; 256 small steps are microseconds of work,
/// nothing against a limit counted in seconds.
pub const TIMER_CHECK_INTERVAL: u32 = 256;

thread_local! {
    /// The evaluation time `time.now_ns()` answers, in nanoseconds since the epoch. Each
    /// thread evaluates on its own engine, so the clock is per thread.
    static EVALUATION_NOW: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Runs `work` with `time.now_ns()` pinned to `now`.
pub fn at_time<T>(now: DateTime<Utc>, work: impl FnOnce() -> T) -> T {
    let nanos = now.timestamp_nanos_opt();
    let previous = EVALUATION_NOW.with(|cell| cell.replace(nanos));
    let result = work();
    EVALUATION_NOW.with(|cell| cell.set(previous));
    result
}

fn now_nanos() -> i64 {
    EVALUATION_NOW
        .with(Cell::get)
        .or_else(|| Utc::now().timestamp_nanos_opt())
        .unwrap_or(0)
}

/// An engine with verdict's settings and nothing loaded.
pub fn new_engine(strict_builtin_errors: bool, timeout: Option<Duration>) -> Engine {
    let mut engine = Engine::new();
    engine.set_strict_builtin_errors(strict_builtin_errors);
    engine.set_gather_prints(true);
    if let Some(limit) = timeout {
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit,
            check_interval: NonZeroU32::new(TIMER_CHECK_INTERVAL).unwrap_or(NonZeroU32::MIN),
        });
    }
    engine
}

/// A builtin verdict answers in place of the engine's, as OPA answers it.
pub struct OpaBuiltin {
    pub name: &'static str,
    pub arity: u8,
    /// The answer; `None` where OPA's builtin fails.
    pub answer: fn(&[Value]) -> Option<Value>,
    /// What a failure says when builtin errors are strict.
    pub failure: &'static str,
}

pub const OPA_BUILTINS: [OpaBuiltin; 4] = [
    OpaBuiltin {
        name: "sprintf",
        arity: 2,
        answer: sprintf_value,
        failure: "`sprintf` takes a format string and an array of values",
    },
    OpaBuiltin {
        name: "to_number",
        arity: 1,
        answer: goparse::to_number,
        failure: "`to_number` takes a number, a boolean, null, or a string in Go's number syntax",
    },
    OpaBuiltin {
        name: "time.parse_duration_ns",
        arity: 1,
        answer: goparse::parse_duration_ns,
        failure: "`time.parse_duration_ns` takes a duration such as `90m`, `1h30m` or `7d`",
    },
    OpaBuiltin {
        name: "time.parse_rfc3339_ns",
        arity: 1,
        answer: goparse::parse_rfc3339_ns,
        failure: "`time.parse_rfc3339_ns` takes an RFC 3339 time such as `2026-11-21T10:00:00Z`",
    },
];

fn sprintf_value(arguments: &[Value]) -> Option<Value> {
    sprintf::sprintf(arguments).map(Value::from)
}

impl OpaBuiltin {
    /// The answer to a call: an error where OPA's builtin fails when builtin errors are
    /// strict, else undefined, as in OPA.
    pub fn call(&self, arguments: &[Value], strict_builtin_errors: bool) -> Option<Value> {
        match (self.answer)(arguments) {
            Some(value) => Some(value),
            None if strict_builtin_errors => None,
            None => Some(Value::Undefined),
        }
    }
}

/// Adds the functions verdict provides: OPA's versions of some builtins, the evaluation
/// clock, and the metadata values, indexed by the number each rewritten call carries.
pub fn add_functions(
    engine: &mut Engine,
    metadata: Arc<Vec<Value>>,
    strict_builtin_errors: bool,
) -> anyhow::Result<()> {
    for builtin in &OPA_BUILTINS {
        engine.add_extension(
            builtin.name.to_string(),
            builtin.arity,
            Box::new(move |arguments: Vec<Value>| {
                builtin
                    .call(&arguments, strict_builtin_errors)
                    .ok_or_else(|| anyhow::anyhow!(builtin.failure))
            }),
        )?;
    }
    engine.add_extension(
        "time.now_ns".to_string(),
        0,
        Box::new(|_: Vec<Value>| Ok(Value::from(now_nanos()))),
    )?;
    engine.add_extension(
        METADATA_FUNCTION.to_string(),
        1,
        Box::new(move |arguments: Vec<Value>| Ok(metadata_value(&metadata, &arguments))),
    )
}

/// What a rewritten METADATA call answers: the value its number indexes (an empty
/// object for a number there is no value for).
pub fn metadata_value(metadata: &[Value], arguments: &[Value]) -> Value {
    arguments
        .first()
        .and_then(|index| index.as_u64().ok())
        .and_then(|index| usize::try_from(index).ok())
        .and_then(|index| metadata.get(index))
        .cloned()
        .unwrap_or_else(Value::new_object)
}

/// A panic inside the engine, caught. The engine may be left half-way through its work,
/// so it is not trusted again (see `RegoPolicies::evaluate`).
#[derive(Debug, thiserror::Error)]
#[error("internal error in the policy engine: {0}")]
pub struct EnginePanic(String);

/// Runs engine work, turning a panic inside the engine into an [`EnginePanic`] error: a
/// gate fails closed with a message rather than aborting.
pub fn guarded<T>(work: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        Err(EnginePanic(reason.to_string()).into())
    })
}

/// Whether an engine error is a caught panic.
pub fn is_panic(error: &anyhow::Error) -> bool {
    error.downcast_ref::<EnginePanic>().is_some()
}

/// Whether an engine error is the time limit running out.
pub fn is_timeout(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<regorus::LimitError>(),
            Some(regorus::LimitError::TimeLimitExceeded { .. })
        )
    }) || error.to_string().contains("execution exceeded time limit")
}
