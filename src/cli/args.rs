//! The arguments of every subcommand, with help that teaches.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use super::output::MachineForm;
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
#[command(name = "verdict", version, propagate_version = true, about = ABOUT, long_about = LONG_ABOUT, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour output: on a terminal only (auto), always, or never; never when
    /// NO_COLOR is set, whichever
    #[arg(long = "color", global = true, value_enum, default_value_t = ColourChoice::Auto)]
    pub colour: ColourChoice,

    /// The most memory verdict may use, e.g. 2GiB; past it the run ends with exit 70
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size, default_value = "2GiB")]
    pub max_memory: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColourChoice {
    Auto,
    Always,
    Never,
}

/// The subcommands, as [`SUBCOMMANDS`] lists them. Each one's arguments are described to
/// clap only when it is the one run (or its help is asked for): describing all eight in
/// every run took 5% of the instructions of a one-shot `verdict eval`.
#[derive(Debug)]
pub enum Command {
    Eval(EvalArgs),
    Test(TestArgs),
    Check(CheckArgs),
    Fmt(FmtArgs),
    Compile(CompileArgs),
    Schema,
    Request(RequestArgs),
    Log(LogCommand),
}

/// A subcommand as `verdict --help` lists it, how its arguments are described, and how
/// what clap matched becomes a [`Command`].
struct Listed {
    name: &'static str,
    about: &'static str,
    /// Examples printed after its own help.
    examples: Option<&'static str>,
    describe: fn(clap::Command) -> clap::Command,
    parse: fn(&mut clap::ArgMatches) -> Result<Command, clap::Error>,
}

const SUBCOMMANDS: [Listed; 8] = [
    Listed {
        name: "eval",
        about: "Decide one request document (or a stream of them with --batch)",
        examples: Some(EVAL_EXAMPLES),
        describe: described::<EvalArgs>,
        parse: |arguments| EvalArgs::from_arg_matches_mut(arguments).map(Command::Eval),
    },
    Listed {
        name: "test",
        about: "Run the tests next to the policies: `test` blocks and Rego `test_*` rules",
        examples: Some(TEST_EXAMPLES),
        describe: described::<TestArgs>,
        parse: |arguments| TestArgs::from_arg_matches_mut(arguments).map(Command::Test),
    },
    Listed {
        name: "check",
        about: "Check policies without evaluating them: syntax, names, arity, input paths",
        examples: None,
        describe: described::<CheckArgs>,
        parse: |arguments| CheckArgs::from_arg_matches_mut(arguments).map(Command::Check),
    },
    Listed {
        name: "fmt",
        about: "Format .policy files in place (or only check or show the changes)",
        examples: None,
        describe: described::<FmtArgs>,
        parse: |arguments| FmtArgs::from_arg_matches_mut(arguments).map(Command::Fmt),
    },
    Listed {
        name: "compile",
        about: "Compile .policy policies to another language (Rego v1) for OPA or env0",
        examples: None,
        describe: described::<CompileArgs>,
        parse: |arguments| CompileArgs::from_arg_matches_mut(arguments).map(Command::Compile),
    },
    Listed {
        name: "schema",
        about: "Print the JSON Schema of the input document",
        examples: None,
        describe: |command| command,
        parse: |_| Ok(Command::Schema),
    },
    Listed {
        name: "request",
        about: "Build an ESC request document (open-request, open, update, write) to pipe into eval",
        examples: Some(REQUEST_EXAMPLES),
        describe: described::<RequestArgs>,
        parse: |arguments| RequestArgs::from_arg_matches_mut(arguments).map(Command::Request),
    },
    Listed {
        name: "log",
        about: "Read a decision log: verify its hash chain, or show its entries",
        examples: None,
        describe: |command| {
            keeping_about(command, |command| {
                LogCommand::augment_subcommands(command)
                    .subcommand_required(true)
                    .arg_required_else_help(true)
            })
        },
        parse: |arguments| LogCommand::from_arg_matches_mut(arguments).map(Command::Log),
    },
];

/// A subcommand's arguments, described when it is run.
fn described<A: Args>(command: clap::Command) -> clap::Command {
    keeping_about(command, A::augment_args)
}

/// `describe`'s work on `command`, which keeps the line it was given for `--help`: the
/// structs of arguments flattened into a subcommand's have doc comments of their own,
/// which clap would otherwise take for the subcommand's.
fn keeping_about(
    command: clap::Command,
    describe: impl FnOnce(clap::Command) -> clap::Command,
) -> clap::Command {
    let about = command.get_about().cloned();
    let command = describe(command).long_about(None);
    match about {
        Some(about) => command.about(about),
        None => command,
    }
}

impl Subcommand for Command {
    fn augment_subcommands(mut command: clap::Command) -> clap::Command {
        for listed in SUBCOMMANDS {
            let mut subcommand = clap::Command::new(listed.name)
                .about(listed.about)
                .defer(listed.describe);
            if let Some(examples) = listed.examples {
                subcommand = subcommand.after_help(examples);
            }
            command = command.subcommand(subcommand);
        }
        command
    }

    fn augment_subcommands_for_update(command: clap::Command) -> clap::Command {
        Command::augment_subcommands(command)
    }

    fn has_subcommand(name: &str) -> bool {
        SUBCOMMANDS.iter().any(|listed| listed.name == name)
    }
}

impl FromArgMatches for Command {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Command, clap::Error> {
        Command::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Command, clap::Error> {
        use clap::error::ErrorKind;
        let Some((name, mut arguments)) = matches.remove_subcommand() else {
            return Err(clap::Error::raw(
                ErrorKind::MissingSubcommand,
                "a subcommand is required",
            ));
        };
        match SUBCOMMANDS.iter().find(|listed| listed.name == name) {
            Some(listed) => (listed.parse)(&mut arguments),
            None => Err(clap::Error::raw(
                ErrorKind::InvalidSubcommand,
                format!("the subcommand '{name}' wasn't recognized"),
            )),
        }
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Command::from_arg_matches(matches)?;
        Ok(())
    }
}

const REQUEST_EXAMPLES: &str = "\
Examples:
  verdict request open-request acme/payments/prod --access-duration 2h --grant-expiration 24h \\
      --description \"Investigating production API errors\" --requester alice@acme.io
  verdict request open acme/payments/prod --requester alice@acme.io \\
      --grants grants.json --environments environments.json | verdict eval -p policies/esc
  verdict request update acme/payments/prod --revision 8 --requester alice@acme.io --reviews reviews.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RequestAction {
    /// Ask for a just-in-time access grant, under review
    #[value(name = "open-request")]
    OpenRequest,
    /// Open (activate) the environment now
    Open,
    /// A change request at a revision, under review
    Update,
    /// A direct write without a change request
    Write,
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// What the request asks for
    #[arg(value_enum)]
    pub action: RequestAction,

    /// The environment, as org/project/env
    #[arg(value_name = "ENVIRONMENT")]
    pub environment: String,

    /// Who asks: an id or email
    #[arg(long, value_name = "IDENTITY")]
    pub requester: String,

    /// A team the requester belongs to (repeatable)
    #[arg(long = "requester-team", value_name = "TEAM")]
    pub requester_teams: Vec<String>,

    /// A permission the requester holds (repeatable); when any is given, `open` must be among
    /// them to open
    #[arg(long = "permission", value_name = "PERMISSION")]
    pub permissions: Vec<String>,

    /// The requester is an ephemeral token (which cannot hold a grant)
    #[arg(long)]
    pub ephemeral: bool,

    /// The revision a change request is at (update)
    #[arg(long, value_name = "N")]
    pub revision: Option<u64>,

    /// How long access lasts once opened (open-request), e.g. 2h [default: 72h]
    #[arg(long, value_name = "DURATION")]
    pub access_duration: Option<String>,

    /// How long the grant may wait to be first opened (open-request), e.g. 24h [default: 25h]
    #[arg(long, value_name = "DURATION")]
    pub grant_expiration: Option<String>,

    /// Why access is needed
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,

    /// The request's id
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// The evaluation time to pin in the document (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// A JSON file of reviews (an array, or an object with `reviews`) to include (repeatable)
    #[arg(long = "reviews", value_name = "FILE")]
    pub reviews: Vec<PathBuf>,

    /// A JSON file of grants (an array, or an object with `grants`) to include (repeatable)
    #[arg(long = "grants", value_name = "FILE")]
    pub grants: Vec<PathBuf>,

    /// A JSON file of environments and their imports (an object) to include (repeatable)
    #[arg(long = "environments", value_name = "FILE")]
    pub environments: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check the hash chain; exit 1 at the first broken entry
    Verify(LogVerifyArgs),
    /// Print the entries readably
    Show(LogShowArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct LogVerifyArgs {
    /// The decision log
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The hash of an entry recorded elsewhere (for example the last one you saw): the log
    /// must still contain it, which catches entries cut from the end
    #[arg(long, value_name = "HASH")]
    pub expect_head: Option<String>,

    #[arg(short = 'f', long = "format", value_enum, default_value_t = LogFormat::Text)]
    pub format: LogFormat,
}

#[derive(Debug, Args)]
pub struct LogShowArgs {
    /// The decision log
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    #[arg(short = 'f', long = "format", value_enum, default_value_t = LogFormat::Text)]
    pub format: LogFormat,
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
  verdict eval --batch -j 2 < requests.ndjson > decisions.ndjson

Exit codes: 0 allow (or warn), 1 deny, 2 pending, 3 warn with --fail-on-warn,
64 usage, 65 invalid input or policy, 66 unreadable file, 70 evaluation error.";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// For people: the verdict, then each outcome with its policy, message and file:line
    #[default]
    Text,
    /// One JSON object (one per line with --batch)
    Json,
    /// GitHub Actions workflow commands (::error, ::warning, ::notice)
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RegoVersionChoice {
    /// Detect per file: v1 with `import rego.v1`, otherwise v0 with the v1 keywords
    /// (`if`, `contains`, `in`, `every`) available
    Auto,
    V0,
    V1,
}

/// How policies are read, whichever way their paths are given.
#[derive(Clone, Debug, Args)]
pub struct LoadArgs {
    /// A JSON (or YAML) document added under `data` for Rego policies (repeatable)
    #[arg(short = 'd', long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// Rego syntax version of the policies
    #[arg(long, value_enum, default_value_t = RegoVersionChoice::Auto, value_name = "VERSION")]
    pub rego_version: RegoVersionChoice,

    /// Largest policy file accepted, e.g. 8MiB
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "8MiB")]
    pub max_policy_size: u64,

    /// Make a Rego builtin that fails (a bad argument, an unreadable time) an evaluation
    /// error (exit 70) rather than an undefined expression, as OPA's flag of that name does
    #[arg(long)]
    pub strict_builtin_errors: bool,
}

/// Policies named with `--policy`, as `eval` takes them.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A policy file or directory (repeatable); directories are walked recursively in sorted
    /// order [default: ./policies]
    #[arg(short = 'p', long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    #[command(flatten)]
    pub load: LoadArgs,
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

    /// Output format [default: text; with --batch, JSON lines]
    #[arg(short = 'f', long = "format", value_enum)]
    pub format: Option<EvalFormat>,

    /// Exit 3 on warn instead of 0
    #[arg(long)]
    pub fail_on_warn: bool,

    /// Explain every policy: each rule, whether it fired, and the values that decided it
    /// (text after the decision; an `explain` array with -f json)
    #[arg(long, conflicts_with = "batch")]
    pub explain: bool,

    /// Print the effective input to stderr before evaluating (also VERDICT_PRINT_INPUT=1)
    #[arg(long)]
    pub print_input: bool,

    /// Read NDJSON: one input document per line, one JSON decision per line out; the exit
    /// code is that of the strictest decision, or of the worst error (70 when the decisions
    /// cannot be written)
    #[arg(long)]
    pub batch: bool,

    /// With --batch, decide on N threads (output keeps the input's order)
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 1, requires = "batch", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// With --batch, decide Rego packages with the engine's compiled programs, for two to
    /// three times less CPU. Each package's first 16 decisions and one in 64 after are
    /// checked against the interpreter; on any difference the package goes back to the
    /// interpreter for good. The unchecked decisions are trusted, so this trades part of
    /// the interpreter's guarantee for speed (see docs/security.md): for replays, not gates
    #[arg(long, requires = "batch")]
    pub rego_compiled: bool,

    /// Where parsed .policy files are kept between runs, so that the same policies are not
    /// parsed again; `off` keeps none [default: $XDG_CACHE_HOME/verdict, else
    /// ~/.cache/verdict]
    #[arg(long, value_name = "DIR|off", env = "VERDICT_CACHE", value_parser = clap::builder::OsStringValueParser::new())]
    pub cache: Option<std::ffi::OsString>,

    /// Largest input document accepted (each line with --batch), e.g. 64MiB
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub max_input_size: u64,

    /// Longest the evaluation of one policy (a Rego package's rules) may take, e.g. 10s;
    /// past it the decision is an error (exit 70)
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, default_value = "10s")]
    pub eval_timeout: std::time::Duration,

    /// Give up after this long (e.g. 30s, 2m); the run ends with exit 70
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,

    /// Append one tamper-evident entry per decision to FILE (see `verdict log`)
    #[arg(long, value_name = "FILE")]
    pub decision_log: Option<PathBuf>,

    /// What the decision log keeps of the input: full, hash (its SHA-256 only) or none
    #[arg(long, value_name = "MODE", default_value = "full", value_parser = parse_log_input, requires = "decision_log")]
    pub log_input: crate::decision_log::InputLogging,

    /// Replace a field of the logged input with its hash (repeatable), e.g.
    /// policyData.secret or approvers[*].email
    #[arg(long, value_name = "PATH", requires = "decision_log")]
    pub log_mask: Vec<String>,
}

fn parse_log_input(text: &str) -> Result<crate::decision_log::InputLogging, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not one of full, hash, none"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// Failures with expected and actual verdicts, then `N passed, M failed`
    Text,
    /// One JSON report
    Json,
    /// JUnit XML: one testsuite per file, one testcase per test
    Junit,
    /// GitHub Actions workflow commands: an annotation at each failed test (and at each
    /// rule no test fired, with --coverage)
    Github,
}

/// Policy paths given as arguments rather than with `--policy`, as `test` and `check`
/// take them.
#[derive(Debug, Args)]
pub struct PathArgs {
    /// Policy files or directories [default: ./policies]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub load: LoadArgs,
}

impl PathArgs {
    /// The same settings as `--policy` flags.
    pub fn as_policy_args(&self) -> PolicyArgs {
        PolicyArgs {
            policies: self.paths.clone(),
            load: self.load.clone(),
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

    /// Report format
    #[arg(short = 'f', long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people: each problem with file:line:col, the line and a caret, on stderr
    Text,
    /// One JSON object: `files` and `warnings`, or `error` as `eval -f json` gives it
    Json,
    /// GitHub Actions workflow commands: each problem an annotation at its file and line
    Github,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompileTarget {
    /// Rego v1, for OPA, env0 or `verdict eval`: a helper library, then one package per policy
    Rego,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The language to compile to
    #[arg(long = "to", value_enum)]
    pub target: CompileTarget,

    /// .policy files or directories
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Write each module to its own file under DIR (e.g. verdict/lib.rego,
    /// verdict/policy/cost_guard.rego) instead of printing them all
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
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
        // A value parser's error is one message (clap has no help note for it), so the
        // advice rides in parentheses.
        .ok_or_else(|| {
            format!(
                "`{text}` is not a duration such as 30s, 2m or 1h (under a second: ISO 8601, as PT0.5S)"
            )
        })
}

impl EvalFormat {
    /// The form an error takes on stdout in this format, if any.
    pub fn machine_form(self) -> Option<MachineForm> {
        match self {
            EvalFormat::Text => None,
            EvalFormat::Json => Some(MachineForm::Json),
            EvalFormat::Github => Some(MachineForm::Github),
        }
    }
}

impl CheckFormat {
    /// The form an error takes on stdout in this format, if any.
    pub fn machine_form(self) -> Option<MachineForm> {
        match self {
            CheckFormat::Text => None,
            CheckFormat::Json => Some(MachineForm::Json),
            CheckFormat::Github => Some(MachineForm::Github),
        }
    }
}

impl TestFormat {
    /// The form an error takes on stdout in this format, if any.
    pub fn machine_form(self) -> Option<MachineForm> {
        match self {
            TestFormat::Text | TestFormat::Junit => None,
            TestFormat::Json => Some(MachineForm::Json),
            TestFormat::Github => Some(MachineForm::Github),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser, Subcommand};

    use super::{Cli, Command, LogCommand, SUBCOMMANDS};

    #[test]
    fn the_description_with_every_subcommand_in_it_holds_together() {
        // Builds every subcommand, deferred descriptions included, and checks clap's rules.
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_is_known_and_parses_into_its_own_variant() {
        for listed in SUBCOMMANDS {
            assert!(Command::has_subcommand(listed.name), "{}", listed.name);
        }
        assert!(!Command::has_subcommand("evaluate"));
        let parse = |arguments: &[&str]| {
            Cli::try_parse_from(std::iter::once("verdict").chain(arguments.iter().copied()))
                .map(|cli| cli.command)
        };
        assert!(matches!(parse(&["eval", "-p", "x"]), Ok(Command::Eval(_))));
        assert!(matches!(parse(&["test"]), Ok(Command::Test(_))));
        assert!(matches!(parse(&["check"]), Ok(Command::Check(_))));
        assert!(matches!(parse(&["fmt"]), Ok(Command::Fmt(_))));
        assert!(matches!(
            parse(&["compile", "--to", "rego", "p.policy"]),
            Ok(Command::Compile(_))
        ));
        assert!(matches!(parse(&["schema"]), Ok(Command::Schema)));
        assert!(matches!(
            parse(&[
                "request",
                "open",
                "acme/app/prod",
                "--requester",
                "a@acme.io"
            ]),
            Ok(Command::Request(_))
        ));
        assert!(matches!(
            parse(&["log", "verify", "log.ndjson"]),
            Ok(Command::Log(LogCommand::Verify(_)))
        ));
        assert!(parse(&["evaluate"]).is_err());
    }
}
