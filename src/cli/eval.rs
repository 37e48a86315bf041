//! `verdict eval`: load the policies, read the input, decide, print, exit by the verdict.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::args::{EvalArgs, EvalFormat, PathArgs, PolicyArgs, RegoVersionChoice};
use super::output::{self, Colour};
use super::{batch, usage};
use crate::decision::Decision;
use crate::decision_log::{DecisionLog, LogOptions, PolicySetDigest, policy_set_digest};
use crate::diagnostic::Diagnostic;
use crate::dsl::parse::{ParseCache, TestBlocks};
use crate::error::Result;
use crate::exit::Exit;
use crate::explain::Explained;
use crate::input::{self, InputSource};
use crate::limits::Limits;
use crate::policy_set::{LoadOptions, PolicySet};
use crate::rego::RegoVersion;
use crate::render;

pub fn run(args: &EvalArgs, colour: Colour) -> Result<Exit> {
    if let Some(timeout) = args.timeout {
        start_watchdog(timeout, args.format.unwrap_or_default());
    }
    output::with_error_for_machines(
        decide(args, colour),
        args.format.unwrap_or_default().machine_form(),
        "no decision",
    )
}

fn decide(args: &EvalArgs, colour: Colour) -> Result<Exit> {
    if let (true, Some(format @ (EvalFormat::Text | EvalFormat::Github))) =
        (args.batch, args.format)
    {
        let name = format
            .to_possible_value()
            .map_or_else(String::new, |value| value.get_name().to_string());
        return Err(usage(
            format!("`--batch` writes one JSON decision per line, not `-f {name}`"),
            "leave `-f` out (or give `-f json`) with `--batch`; `-f text` and `-f github` are for one decision",
        ));
    }
    let limits = Limits {
        input_bytes: args.max_input_size,
        timeout: args.timeout,
        eval_time: args.eval_timeout,
        ..limits_for(&args.policy)
    };
    let purpose = if args.batch {
        Purpose::Stream
    } else if args.explain {
        Purpose::Explain
    } else {
        Purpose::Decide
    };
    let mut set = load_policies(
        &args.policy,
        limits.clone(),
        purpose,
        parse_cache(args.cache.as_deref().map(Path::new)),
        colour,
    )?;
    set.warn_blocks(args.fail_on_warn);
    let log = Recorder::open(args, &set)?;
    if args.batch {
        return batch::run(args, set, &limits, log.as_ref());
    }
    let format = args.format.unwrap_or_default();
    // Warnings from loading (on stderr as text too) annotate their lines as a check's do,
    // before the decision or the error that ends the run.
    if format == EvalFormat::Github && !set.warnings.is_empty() {
        output::print_stdout(&render::github::diagnostics(&set.warnings))?;
    }
    let source = InputSource::from_flag(args.input.as_deref());
    let name = source.display_name();
    let bytes = source.read(limits.input_bytes)?;
    let print_input = print_input_requested(args.print_input);
    let text = input::decode(&name, &bytes)?;
    // What is printed, logged or explained is the whole document; a plain decision needs
    // only the parts the policies read.
    let (decision, explanations) = if print_input || log.is_some() || args.explain {
        let document = input::parse_document(&name, text)?;
        if print_input {
            output::print_stderr(&format!("{}\n", pretty(&document)));
        }
        let now = input::resolve_now(args.now, &document, &name)?;
        let decision = set.decide(&document, now, args.default)?;
        if let Some(log) = &log {
            log.record(&decision, &document, &bytes)?;
        }
        let explanations = if args.explain {
            Some(set.explain(&document, now)?)
        } else {
            None
        };
        (decision, explanations)
    } else {
        let projection = set.input_projection();
        let decision = set.decide_text(&name, text, &projection, args.now, args.default)?;
        (decision, None)
    };
    let rendered = match &explanations {
        Some(explanations) => {
            render_explained(&decision, explanations, format, colour, args.fail_on_warn)
        }
        None => render_decision(&decision, format, colour, args.fail_on_warn),
    };
    output::print_stdout(&rendered)?;
    // The process ends with this decision: freeing the compiled policies block by block
    // would only delay its exit (some 4% of a one-shot run's instructions).
    std::mem::forget(set);
    Ok(Exit::for_verdict(decision.verdict, args.fail_on_warn))
}

/// The decision log of `--decision-log`, with the digest of the policy set it records.
pub struct Recorder {
    log: DecisionLog,
    policies: PolicySetDigest,
}

impl Recorder {
    /// Opens the log before anything is decided, so a log that cannot be written stops the
    /// run before a decision could go unrecorded.
    fn open(args: &EvalArgs, set: &PolicySet) -> Result<Option<Recorder>> {
        let Some(path) = &args.decision_log else {
            return Ok(None);
        };
        let options = LogOptions {
            input: args.log_input,
            masks: args.log_mask.clone(),
        };
        let log = DecisionLog::open(path, options)?;
        let policies = policy_set_digest(
            set.files()
                .iter()
                .map(|file| (file.name.to_string(), file.text.as_bytes())),
        );
        Ok(Some(Recorder { log, policies }))
    }

    /// Appends one entry; a decision that cannot be recorded is an error, not an allow.
    pub fn record(
        &self,
        decision: &Decision,
        document: &serde_json::Value,
        bytes: &[u8],
    ) -> Result<()> {
        self.log
            .append(decision, document, bytes, &self.policies)
            .map(|_| ())
    }
}

/// The decision with its explanation: text after the decision, or an `explain` array in
/// the JSON object.
fn render_explained(
    decision: &Decision,
    explanations: &[Explained],
    format: EvalFormat,
    colour: Colour,
    warn_blocks: bool,
) -> String {
    match format {
        EvalFormat::Json => {
            let mut value = serde_json::to_value(decision).unwrap_or_default();
            if let Some(fields) = value.as_object_mut() {
                fields.insert(
                    "explain".to_string(),
                    serde_json::to_value(explanations).unwrap_or_default(),
                );
            }
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )
        }
        EvalFormat::Text | EvalFormat::Github => format!(
            "{}\n{}",
            render_decision(decision, format, colour, warn_blocks),
            crate::explain::render(explanations)
        ),
    }
}

fn render_decision(
    decision: &Decision,
    format: EvalFormat,
    colour: Colour,
    warn_blocks: bool,
) -> String {
    match format {
        EvalFormat::Text => render::text::decision(decision, colour.stdout),
        EvalFormat::Json => format!("{}\n", render::json::decision(decision)),
        EvalFormat::Github => render::github::decision(decision, warn_blocks),
    }
}

fn pretty(document: &serde_json::Value) -> String {
    serde_json::to_string_pretty(document).unwrap_or_else(|_| document.to_string())
}

/// `--print-input`, or `VERDICT_PRINT_INPUT` set to `1` or `true`.
pub(super) fn print_input_requested(flag: bool) -> bool {
    flag || std::env::var("VERDICT_PRINT_INPUT").is_ok_and(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes"
        )
    })
}

/// The limits the policy flags set.
fn limits_for(args: &PolicyArgs) -> Limits {
    Limits {
        policy_bytes: args.load.max_policy_size,
        ..Limits::default()
    }
}

/// Loads every file under the paths whole, `test` blocks included, as `verdict test` and
/// `verdict check` need them; warnings go to stderr.
pub fn load_whole(paths: &PathArgs, colour: Colour) -> Result<PolicySet> {
    let policy_args = paths.as_policy_args();
    load_policies(
        &policy_args,
        limits_for(&policy_args),
        Purpose::Whole,
        None,
        colour,
    )
}

/// The cache of parsed `.policy` files `--cache` names: its directory, none for `off`, or
/// the user's cache directory (also when the setting is empty, as an unset CI variable
/// may leave it).
fn parse_cache(flag: Option<&Path>) -> Option<ParseCache> {
    match flag {
        Some(dir) if dir == Path::new("off") => None,
        Some(dir) if !dir.as_os_str().is_empty() => Some(ParseCache::new(dir)),
        _ => user_cache_dir().map(|dir| ParseCache::new(dir.join("verdict"))),
    }
}

/// `$XDG_CACHE_HOME`, else `~/.cache` (on Windows, `%LOCALAPPDATA%`); only absolute paths.
fn user_cache_dir() -> Option<PathBuf> {
    let from = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    if cfg!(windows) {
        return from("LOCALAPPDATA");
    }
    from("XDG_CACHE_HOME").or_else(|| from("HOME").map(|home| home.join(".cache")))
}

/// What a policy set is loaded for, which decides what loading keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// One decision.
    Decide,
    /// One decision, explained: Rego's `print()` output is kept for the explanation.
    Explain,
    /// A stream of decisions (`--batch`): Rego's constant rules are written in where
    /// they are used, which pays for itself over many decisions.
    Stream,
    /// Every file whole, `test` blocks included, as `verdict test` and `verdict check`
    /// need them.
    Whole,
}

/// Loads the policy set the flags name; warnings go to stderr.
pub fn load_policies(
    args: &PolicyArgs,
    limits: Limits,
    purpose: Purpose,
    parse_cache: Option<ParseCache>,
    colour: Colour,
) -> Result<PolicySet> {
    let paths = policy_paths(&args.policies)?;
    let options = LoadOptions {
        rego_version: match args.load.rego_version {
            RegoVersionChoice::Auto => RegoVersion::Auto,
            RegoVersionChoice::V0 => RegoVersion::V0,
            RegoVersionChoice::V1 => RegoVersion::V1,
        },
        data_files: args.load.data.clone(),
        limits,
        capture_prints: purpose == Purpose::Explain,
        strict_builtin_errors: args.load.strict_builtin_errors,
        tests: match purpose {
            Purpose::Whole => TestBlocks::Read,
            Purpose::Decide | Purpose::Explain | Purpose::Stream => TestBlocks::Skip,
        },
        parse_cache,
        rewrite_for_stream: purpose == Purpose::Stream,
    };
    let set = PolicySet::load(&paths, &options)?;
    output::print_diagnostics(&set.warnings, colour);
    // A decision needs a policy that can decide; tests and checks read any file.
    if purpose != Purpose::Whole {
        set.require_a_deciding_policy(&paths)?;
    }
    Ok(set)
}

/// The policy paths: those given, else `./policies` when it exists.
pub fn policy_paths(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let default = Path::new("policies");
    if default.exists() {
        return Ok(vec![default.to_path_buf()]);
    }
    Err(usage(
        "no policies to evaluate: `./policies` does not exist and no `--policy` was given",
        "name the policies with `--policy PATH` (a file or a directory)",
    ))
}

/// Ends the process with exit 70 once `timeout` has passed, whatever it is doing.
fn start_watchdog(timeout: std::time::Duration, format: EvalFormat) {
    std::thread::spawn(move || {
        std::thread::sleep(timeout);
        let limit =
            crate::duration::format(chrono::TimeDelta::from_std(timeout).unwrap_or_default());
        let error = crate::error::Error::evaluation(Diagnostic::error(format!(
            "gave up after the --timeout of {limit}; no decision was made"
        )));
        // A machine reader learns of it on stdout, as of any other error.
        if let Some(form) = format.machine_form() {
            output::print_error_for_machines(&error, form, "no decision");
        }
        output::print_stderr(&format!("error: {}\n", error));
        std::process::exit(i32::from(Exit::Error(error.class).code()));
    });
}
