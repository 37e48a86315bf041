//! `docs/language.md` run as written. The page uses four kinds of example, and every
//! fenced block on it must be one of them:
//!
//! - ```` ```policy ````: a complete file; it checks clean (no error, no warning), is
//!   formatted as `verdict fmt` writes it, and passes its own `test` blocks;
//! - ```` ```policy NAME ```` and ```` ```json NAME ````: a file the commands after it use;
//! - ```` ```sh ````: commands, run in the directory of those files; the block says
//!   `# exits N`, and the ```` ```text ```` block after it is exactly what they print;
//! - a table headed `| expression | value |`: each expression, evaluated against the last
//!   ```` ```json input ```` block above it (or `{}`) at [`NOW`], gives the JSON value.

use std::path::Path;
use std::process::Command;

use serde_json::Value as Json;
use verdict::dsl::eval::builtins::Builtin;

use crate::harness::{Output, Verdict};

const PAGE: &str = "docs/language.md";

/// The evaluation time of the expression tables: a Saturday.
const NOW: &str = "2026-11-21T10:00:00Z";

/// A fenced block: its info string, its text, and the line of its opening fence.
#[derive(Clone, Debug)]
struct Block {
    info: String,
    text: String,
    line: usize,
}

/// One row of an `expression | value` table, with the input it is evaluated against.
#[derive(Clone, Debug)]
struct Row {
    expression: String,
    value: String,
    input: String,
    line: usize,
}

/// What the page holds, in order.
#[derive(Debug)]
enum Piece {
    Block(Block),
    Row(Row),
}

fn page() -> Vec<Piece> {
    let markdown = std::fs::read_to_string(PAGE).unwrap();
    pieces(&markdown)
}

/// Reads the fenced blocks and the rows of expression tables, in the order they appear.
fn pieces(markdown: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut open: Option<Block> = None;
    let mut input = "{}".to_string();
    let mut in_expression_table = false;
    let mut previous_was_table = false;
    for (index, line) in markdown.lines().enumerate() {
        let number = index + 1;
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    text: String::new(),
                    line: number,
                });
            }
            (Some(_), Some("")) => {
                let block = open.take().unwrap();
                if block.info == "json input" {
                    input = block.text.clone();
                }
                pieces.push(Piece::Block(block));
            }
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {
                let is_table = line.starts_with('|');
                if is_table && !previous_was_table {
                    in_expression_table = cells(line) == ["expression", "value"];
                } else if is_table && in_expression_table && !is_separator(line) {
                    pieces.push(Piece::Row(row(line, number, &input)));
                }
                previous_was_table = is_table;
            }
        }
    }
    assert!(open.is_none(), "{PAGE} has an unclosed code block");
    pieces
}

/// The line under a table's header: `| --- | --- |`.
fn is_separator(line: &str) -> bool {
    line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|cell| cell.trim().to_string())
        .collect()
}

/// A row's cells, each written as code: `` `lower("A")` | `"a"` ``.
fn row(line: &str, number: usize, input: &str) -> Row {
    let code = |cell: &str| -> String {
        cell.strip_prefix('`')
            .and_then(|rest| rest.strip_suffix('`'))
            .unwrap_or_else(|| panic!("{PAGE}:{number}: write `{cell}` as code, in backticks"))
            .to_string()
    };
    match cells(line).as_slice() {
        [expression, value] => Row {
            expression: code(expression),
            value: code(value),
            input: input.to_string(),
            line: number,
        },
        other => panic!("{PAGE}:{number}: an expression row has two cells, not {other:?}"),
    }
}

fn blocks(pieces: &[Piece]) -> Vec<&Block> {
    pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Block(block) => Some(block),
            Piece::Row(_) => None,
        })
        .collect()
}

fn rows(pieces: &[Piece]) -> Vec<&Row> {
    pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Row(row) => Some(row),
            Piece::Block(_) => None,
        })
        .collect()
}

/// The file a ```` ```policy NAME ```` or ```` ```json NAME ```` block is written to.
fn file_name(block: &Block) -> Option<&str> {
    match block.info.split_once(' ') {
        Some(("policy" | "json", name)) if name.contains('.') => Some(name),
        _ => None,
    }
}

#[test]
fn every_block_on_the_page_is_an_example_the_tests_run() {
    let pieces = page();
    let blocks = blocks(&pieces);
    let mut problems = Vec::new();
    for (index, block) in blocks.iter().enumerate() {
        let later = blocks.get(index + 1..).unwrap_or_default();
        let at = format!("{PAGE}:{}", block.line);
        match block.info.as_str() {
            "policy" | "sh" | "json input" => {}
            "text" => {
                let after_command = index > 0 && blocks.get(index - 1).unwrap().info == "sh";
                if !after_command {
                    problems.push(format!(
                        "{at}: a text block shows what the command before it prints"
                    ));
                }
            }
            _ => match file_name(block) {
                Some(name) => {
                    let used = later
                        .iter()
                        .any(|next| next.info == "sh" && next.text.contains(name));
                    if !used {
                        problems.push(format!("{at}: no command after it uses `{name}`"));
                    }
                }
                None => problems.push(format!(
                    "{at}: `{}` is not a kind of example the tests run",
                    block.info
                )),
            },
        }
    }
    // Each `json input` block is followed by rows that use it.
    let unused = |line: usize| format!("{PAGE}:{line}: no expression row uses this input");
    let mut unused_input: Option<usize> = None;
    for piece in &pieces {
        match piece {
            Piece::Block(block) if block.info == "json input" => {
                problems.extend(unused_input.map(unused));
                unused_input = Some(block.line);
            }
            Piece::Row(_) => unused_input = None,
            Piece::Block(_) => {}
        }
    }
    problems.extend(unused_input.map(unused));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(blocks.len() > 40, "only {} blocks found", blocks.len());
}

// --- policy blocks ------------------------------------------------------------------------

#[test]
fn every_policy_shown_checks_clean_is_formatted_and_passes_its_tests() {
    let pieces = page();
    let mut problems = Vec::new();
    let mut policies = 0;
    for block in blocks(&pieces) {
        if block.info != "policy" {
            continue;
        }
        policies += 1;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("example.policy"), &block.text).unwrap();
        let run = |args: &[&str]| Verdict::new(args).current_dir(dir.path()).run();
        let at = format!("{PAGE}:{}", block.line);
        let checked = run(&["check", "example.policy"]);
        if checked.code != 0 || !checked.stderr.is_empty() {
            problems.push(format!("{at}: does not check clean\n{}", checked.stderr));
        }
        let formatted = run(&["fmt", "--diff", "example.policy"]);
        if formatted.code != 0 {
            problems.push(format!("{at}: not formatted\n{}", formatted.stdout));
        }
        if block.text.lines().any(|line| line.starts_with("test \"")) {
            let tested = run(&["test", "example.policy"]);
            if tested.code != 0 {
                problems.push(format!("{at}: its tests fail\n{}", tested.stdout));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(policies >= 8, "only {policies} policy blocks found");
}

// --- commands -----------------------------------------------------------------------------

/// Runs a shell block in `dir` with this build's `verdict` first on the PATH, standard
/// error merged into standard output as a terminal shows them.
#[cfg(unix)]
fn run_shell(script: &str, dir: &Path) -> (i32, String) {
    let binary = Path::new(env!("CARGO_BIN_EXE_verdict"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1\n{script}"))
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("NO_COLOR")
        .env_remove("VERDICT_PRINT_INPUT")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn every_command_prints_what_the_page_shows_and_exits_as_it_says() {
    let pieces = page();
    let blocks = blocks(&pieces);
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut commands = 0;
    for (index, block) in blocks.iter().enumerate() {
        if let Some(name) = file_name(block) {
            std::fs::write(dir.path().join(name), &block.text).unwrap();
            continue;
        }
        if block.info != "sh" {
            continue;
        }
        commands += 1;
        let at = format!("{PAGE}:{}", block.line);
        // A block exits as its last command does, so it says one exit code.
        let said: Vec<&str> = block.text.split("# exits ").skip(1).collect();
        let Some(expected_code) = said
            .first()
            .filter(|_| said.len() == 1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|code| code.parse::<i32>().ok())
        else {
            problems.push(format!("{at}: say once how the commands exit, `# exits N`"));
            continue;
        };
        let Some(shown) = blocks.get(index + 1).filter(|next| next.info == "text") else {
            problems.push(format!(
                "{at}: show what the command prints in a text block"
            ));
            continue;
        };
        let (code, printed) = run_shell(&block.text, dir.path());
        if code != expected_code {
            problems.push(format!(
                "{at}: exits {code}, not {expected_code}\n{printed}"
            ));
        }
        if printed != shown.text {
            problems.push(format!(
                "{PAGE}:{}: the command prints\n{printed}\n--- but the page shows\n{}",
                shown.line, shown.text
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(commands >= 10, "only {commands} commands found");
}

// --- expression tables --------------------------------------------------------------------

/// Evaluates rows that share an input in one run: a policy with one `allow` rule per row,
/// whose message is the row's value as JSON (`${[EXPR]}` renders a list as JSON).
fn evaluate(rows: &[&Row]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut policy = String::from("policy \"rows\" {\n");
    for row in rows {
        policy.push_str(&format!("  allow \"${{[{}]}}\"\n", row.expression));
    }
    policy.push_str("}\n");
    std::fs::write(dir.path().join("rows.policy"), policy).unwrap();
    let input = &rows.first().unwrap().input;
    let output: Output = Verdict::new(["eval", "-p", "rows.policy", "-f", "json", "--now", NOW])
        .current_dir(dir.path())
        .stdin(input)
        .run();
    assert_eq!(
        output.code,
        0,
        "{PAGE}:{}: the rows using this input do not evaluate\n{}{}",
        rows.first().unwrap().line,
        output.stdout,
        output.stderr
    );
    output.json()["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|outcome| outcome["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_expression_row_evaluates_to_its_value() {
    let pieces = page();
    let rows = rows(&pieces);
    let mut problems = Vec::new();
    let mut start = 0;
    while let Some(first) = rows.get(start) {
        let group: Vec<&Row> = rows[start..]
            .iter()
            .take_while(|row| row.input == first.input)
            .copied()
            .collect();
        start += group.len();
        let messages = evaluate(&group);
        assert_eq!(messages.len(), group.len(), "one outcome per row");
        for (row, message) in group.iter().zip(messages) {
            let got: Json = serde_json::from_str(&message).unwrap();
            let value = got
                .as_array()
                .unwrap()
                .first()
                .cloned()
                .unwrap_or(Json::Null);
            match serde_json::from_str::<Json>(&row.value) {
                Ok(expected) if expected == value => {}
                Ok(_) => problems.push(format!(
                    "{PAGE}:{}: `{}` is `{value}`, not `{}`",
                    row.line, row.expression, row.value
                )),
                Err(_) => problems.push(format!(
                    "{PAGE}:{}: the value `{}` is not JSON",
                    row.line, row.value
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(rows.len() > 100, "only {} rows found", rows.len());
}

// --- builtins -----------------------------------------------------------------------------

/// The rows of the table of builtins, headed `| builtin | takes | gives |`.
fn builtin_table(markdown: &str) -> Vec<Vec<String>> {
    let mut lines = markdown
        .lines()
        .skip_while(|line| cells(line) != ["builtin", "takes", "gives"])
        .skip(2);
    let mut table = Vec::new();
    for line in lines.by_ref() {
        if !line.starts_with('|') {
            break;
        }
        table.push(cells(line));
    }
    table
}

#[test]
fn every_builtin_is_listed_with_its_arity_and_shown_in_an_example() {
    let markdown = std::fs::read_to_string(PAGE).unwrap();
    let listed = builtin_table(&markdown);
    let pieces = page();
    let examples = rows(&pieces);
    let mut problems = Vec::new();
    for name in Builtin::names() {
        let arity = Builtin::from_name(name).unwrap().arity().describe();
        let call = format!("`{name}(");
        let row = listed
            .iter()
            .find(|cells| cells.first().is_some_and(|first| first.starts_with(&call)));
        match row.and_then(|cells| cells.get(1)) {
            Some(takes) if *takes == arity => {}
            Some(takes) => problems.push(format!("`{name}` takes {arity}, not {takes}")),
            None => problems.push(format!("`{name}` is not in the table of builtins")),
        }
        let shown = examples
            .iter()
            .any(|row| row.expression.contains(&format!("{name}(")));
        if !shown {
            problems.push(format!("no expression row calls `{name}`"));
        }
    }
    assert_eq!(
        listed.len(),
        Builtin::names().count(),
        "one row per builtin"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// --- known bugs ---------------------------------------------------------------------------

/// An expression row written in a test rather than on the page.
fn evaluated(expression: &str) -> Json {
    let row = Row {
        expression: expression.to_string(),
        value: String::new(),
        input: "{}".to_string(),
        line: 0,
    };
    let message = evaluate(&[&row]).remove(0);
    serde_json::from_str::<Json>(&message).unwrap()[0].clone()
}

#[test]
fn sort_refuses_elements_it_cannot_order_however_few() {
    assert_eq!(evaluated("sort([null, null])"), Json::Null);
    assert_eq!(evaluated("sort([null])"), Json::Null);
    assert_eq!(evaluated("sort([[1]])"), Json::Null);
}
