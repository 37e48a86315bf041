//! `verdict test`: run the tests next to the policies and report them.

use regex::Regex;

use super::args::{TestArgs, TestFormat};
use super::eval::load_whole;
use super::output::{self, Colour};
use super::usage;
use crate::error::{ErrorClass, Result};
use crate::exit::Exit;
use crate::render;
use crate::testing::{self, TestOptions, report};

pub fn run(args: &TestArgs, colour: Colour) -> Result<Exit> {
    // A run stopped before its report still tells a machine reader why, on stdout.
    output::with_error_for_machines(
        run_tests(args, colour),
        args.format.machine_form(),
        "tests not run",
    )
}

fn run_tests(args: &TestArgs, colour: Colour) -> Result<Exit> {
    let filter = args
        .run
        .as_deref()
        .map(|pattern| {
            Regex::new(pattern).map_err(|error| {
                usage(
                    format!("`--run {pattern}` is not a valid regular expression: {}", last_line(&error.to_string())),
                    "`--run` takes a regular expression matched against test names, such as `cost|destroy`",
                )
            })
        })
        .transpose()?;
    let mut set = load_whole(&args.paths, colour)?;
    let options = TestOptions {
        filter,
        default: None,
    };
    let want_coverage = args.coverage || args.coverage_min.is_some();
    if want_coverage {
        testing::enable_rego_coverage(&mut set);
    }
    let mut results = testing::run_policy_tests(&mut set, &options);
    results.extend(testing::run_rego_tests(&mut set, &options));
    let coverage = want_coverage.then(|| testing::coverage_of(&mut set, &results));
    let shortfall = match (args.coverage_min, &coverage) {
        (Some(minimum), Some(coverage)) if coverage.percent < minimum => Some(format!(
            "rule coverage is {:.1}%, below the minimum of {minimum:.1}%",
            coverage.percent
        )),
        _ => None,
    };
    let rendered = match args.format {
        TestFormat::Text => report::text(&results, coverage.as_ref()),
        TestFormat::Json => report::json(&results, coverage.as_ref()),
        TestFormat::Junit => report::junit(&results),
        TestFormat::Github => {
            render::github::tests(&results, coverage.as_ref(), shortfall.as_deref())
        }
    };
    output::print_stdout(&rendered)?;
    if results.is_empty() {
        // Nothing ran, so nothing failed; said, so that a CI step whose tests were all
        // filtered out or never found is seen to test nothing.
        let why = match &args.run {
            Some(pattern) => format!("no test's name matches `--run {pattern}`"),
            None => "no tests found: no `test` blocks and no Rego `test_*` rules".to_string(),
        };
        output::print_stderr(&format!("warning: {why}\n"));
    }
    if let Some(shortfall) = &shortfall {
        output::print_stderr(&format!("error: {shortfall}\n"));
    }
    let all_passed = results.iter().all(|result| result.passed());
    // A test stopped by an error makes the run exit with that error's code.
    if let Some(class) = ErrorClass::most_urgent(results.iter().filter_map(|result| result.error)) {
        return Ok(Exit::Error(class));
    }
    Ok(if all_passed && shortfall.is_none() {
        Exit::Success
    } else {
        Exit::Failure
    })
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or(text)
}
