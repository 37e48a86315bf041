//! The arguments of every subcommand, with help that teaches.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::verdict::Verdict;

const ABOUT: &str = "Decide approval gates: deny, pending, warn or allow, with the reasons";

const LONG_ABOUT: &str = "\
verdict evaluates approval policies (Rego files, verdict .policy files, and ESC-style \
approval rulesets) against a JSON request document and answers deny, pending, warn or allow. \
The strictest outcome of all policies wins; when nothing fires the decision is pending.";

const EXIT_CODES: &str = "\
Exit codes:
  0   allow (also warn, unless --fail-on-warn)
  1   deny
  2   pending
  3   warn with --fail-on-warn
  64  usage error (unknown flag, bad value)
  65  invalid input or policy: JSON, syntax, schema, type
  66  a named file or directory cannot be read
  70  evaluation or internal error";

#[derive(Debug, Parser)]
#[command(name = "verdict", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour output: on a terminal only (auto, and never when NO_COLOR is set),
    /// always, or never
    #[arg(long = "color", global = true, value_enum, default_value_t = ColourChoice::Auto)]
    pub colour: ColourChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColourChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide one request document (or a stream of them with --batch)
    #[command(after_help = EVAL_EXAMPLES)]
    Eval(EvalArgs),
    /// Run the tests next to the policies: `test` blocks and Rego `test_*` rules
    #[command(after_help = TEST_EXAMPLES)]
    Test(TestArgs),
    /// Check policies without evaluating them: syntax, names, arity, input paths
    Check(CheckArgs),
    /// Print the JSON Schema of the input document
    Schema,
}

const TEST_EXAMPLES: &str = "\
Examples:
  verdict test policies/
  verdict test policies/ --run 'cost' --coverage
  verdict test policies/ -f junit > report.xml

Exit codes: 0 all passed, 1 any failed (or coverage below --coverage-min),
64 usage, 65 invalid policy or test, 66 unreadable file.";

const EVAL_EXAMPLES: &str = "\
Examples:
  verdict eval -p policies/env0 -i fixtures/env0/deploy-small.json
  cat request.json | verdict eval -f json | jq -r .verdict
  verdict eval --batch -j 2 < decisions.ndjson > verdicts.ndjson

Exit codes: 0 allow (or warn), 1 deny, 2 pending, 3 warn with --fail-on-warn,
64 usage, 65 invalid input or policy, 66 unreadable file, 70 evaluation error.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// For people: the verdict, then each outcome with its policy, message and file:line
    Text,
    /// One JSON object (one per line with --batch)
    Json,
    /// GitHub Actions workflow commands (::error, ::warning, ::notice)
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RegoVersionChoice {
    /// Detect per file: v1 when it uses `if`, `contains` or `import rego.v1`
    Auto,
    V0,
    V1,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A policy file or directory (repeatable); directories are walked recursively in sorted
    /// order [default: ./policies]
    #[arg(short = 'p', long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// A JSON (or YAML) document added under `data` for Rego policies (repeatable)
    #[arg(short = 'd', long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// Rego syntax version of the policies
    #[arg(long, value_enum, default_value_t = RegoVersionChoice::Auto, value_name = "VERSION")]
    pub rego_version: RegoVersionChoice,

    /// Largest policy file accepted, e.g. 8MiB
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "8MiB")]
    pub max_policy_size: u64,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,

    /// The input document; `-` or absent reads stdin
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// The evaluation time (RFC 3339) [default: the input's `now`, else the clock]
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,

    /// The verdict when no policy produces an outcome
    #[arg(long, value_name = "VERDICT", default_value_t = Verdict::Pending, value_parser = parse_verdict)]
    pub default: Verdict,

    /// Output format
    #[arg(short = 'f', long = "format", value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,

    /// Exit 3 on warn instead of 0
    #[arg(long)]
    pub fail_on_warn: bool,

    /// Print the effective input to stderr before evaluating (also VERDICT_PRINT_INPUT=1)
    #[arg(long)]
    pub print_input: bool,

    /// Read NDJSON: one input document per line, one JSON decision per line out; the exit
    /// code is that of the strictest decision
    #[arg(long)]
    pub batch: bool,

    /// With --batch, decide on N threads (output keeps the input's order)
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// Largest input document accepted (each line with --batch), e.g. 64MiB
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub max_input_size: u64,

    /// Give up after this long (e.g. 30s, 2m); the run ends with exit 70
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// Failures with expected and actual verdicts, then `N passed, M failed`
    Text,
    /// One JSON report
    Json,
    /// JUnit XML: one testsuite per file, one testcase per test
    Junit,
}

/// Policy paths given as arguments rather than with `--policy`.
#[derive(Debug, Args)]
pub struct PathArgs {
    /// Policy files or directories [default: ./policies]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A JSON (or YAML) document added under `data` for Rego policies (repeatable)
    #[arg(short = 'd', long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// Rego syntax version of the policies
    #[arg(long, value_enum, default_value_t = RegoVersionChoice::Auto, value_name = "VERSION")]
    pub rego_version: RegoVersionChoice,

    /// Largest policy file accepted, e.g. 8MiB
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "8MiB")]
    pub max_policy_size: u64,
}

impl PathArgs {
    /// The same settings as `--policy` flags.
    pub fn as_policy_args(&self) -> PolicyArgs {
        PolicyArgs {
            policies: self.paths.clone(),
            data: self.data.clone(),
            rego_version: self.rego_version,
            max_policy_size: self.max_policy_size,
        }
    }
}

#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    /// Report format
    #[arg(short = 'f', long = "format", value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,

    /// Only run tests whose name matches this regular expression
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,

    /// Report which rules never fired in any test, per policy file
    #[arg(long)]
    pub coverage: bool,

    /// Fail when rule coverage is below this percentage (implies --coverage)
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub coverage_min: Option<f64>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub paths: PathArgs,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// .policy files or directories [default: ./policies]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Change nothing; exit 1 when a file is not formatted
    #[arg(long)]
    pub check: bool,

    /// Change nothing; print what formatting would change, as a unified diff
    #[arg(long)]
    pub diff: bool,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    text.trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|pct| (0.0..=100.0).contains(pct))
        .ok_or_else(|| format!("`{text}` is not a percentage from 0 to 100"))
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    crate::input::parse_time(text)
        .ok_or_else(|| format!("`{text}` is not an RFC 3339 time such as 2026-11-21T10:00:00Z"))
}

fn parse_verdict(text: &str) -> Result<Verdict, String> {
    text.parse::<Verdict>().map_err(|error| error.to_string())
}

fn parse_size(text: &str) -> Result<u64, String> {
    crate::limits::parse_size(text)
        .filter(|&size| size > 0)
        .ok_or_else(|| format!("`{text}` is not a size such as 64MiB, 512KiB or 1000000"))
}

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    crate::duration::parse(text)
        .and_then(|delta| delta.to_std().ok())
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| format!("`{text}` is not a duration such as 30s, 2m or 1h"))
}
