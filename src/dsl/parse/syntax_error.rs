//! Turning a grammar failure into a diagnostic people can act on: what was expected, in
//! words (every grammar rule has a readable name), what was found, after which word, and a
//! suggestion when the word found is close to one that was expected.

use std::sync::Arc;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::dsl::ast::Comment;
use crate::source::{SourceFile, Span};

/// The diagnostic for a grammar failure.
pub(super) fn diagnose(
    source: &Arc<SourceFile>,
    comments: &[Comment],
    error: &Error<Rule>,
) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    let text: &str = &source.text;
    let found = Found::at(text, position);
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
        // pest's own limits (stack, calls): only reachable through nesting the scanner
        // did not catch.
        ErrorVariant::CustomError { .. } => {
            return Diagnostic::error("expression nested too deeply")
                .at(source, found.span)
                .with_help("name the inner parts with `let` to flatten the expression");
        }
    };
    let expected = classify(positives);
    let previous = previous_token(text, comments, position);
    let diagnostic = match statement_expected(&expected) {
        Some(block) if is_statement_start(text, position) => {
            unknown_statement(block, &found, &expected)
        }
        Some(_) => end_of_line_expected(&found, &expected),
        None => something_expected(&found, &expected, previous),
    };
    let diagnostic = diagnostic.at(source, found.span);
    if diagnostic.help.is_some() {
        return diagnostic;
    }
    match usage_of_statement_at(text, comments, position) {
        Some(usage) => diagnostic.with_help(usage),
        None => diagnostic,
    }
}

// ---------------------------------------------------------------------------------------
// what was expected

/// One thing the grammar would have accepted, as a person would name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    /// The start of a statement of this kind of block.
    Statement(Block),
    Item,
    Expression,
    Operator,
    /// Anything else; described by [`rule_name`].
    Named(Rule),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Policy,
    Ruleset,
    Test,
}

impl Block {
    fn name(self) -> &'static str {
        match self {
            Block::Policy => "policy",
            Block::Ruleset => "ruleset",
            Block::Test => "test",
        }
    }

    fn statements(self) -> &'static [&'static str] {
        match self {
            Block::Policy => &POLICY_STATEMENTS,
            Block::Ruleset => &RULESET_STATEMENTS,
            Block::Test => &TEST_STATEMENTS,
        }
    }

    fn contents(self) -> &'static str {
        match self {
            Block::Policy => {
                "a policy block holds `description`, `when`, `config`, `let` and rules starting with `deny`, `pending`, `warn` or `allow`"
            }
            Block::Ruleset => {
                "a ruleset block holds `description`, `action`, `environments`, `approvers`, `require`, `self_approval`, `reapprove_on_change`, `max_access_duration`, `max_grant_expiration` and `enabled`"
            }
            Block::Test => "a test block holds `input`, `set`, `now` and `expect`",
        }
    }
}

const POLICY_STATEMENTS: [&str; 8] = [
    "description",
    "when",
    "config",
    "let",
    "deny",
    "pending",
    "warn",
    "allow",
];
const RULESET_STATEMENTS: [&str; 10] = [
    "description",
    "action",
    "environments",
    "approvers",
    "require",
    "self_approval",
    "reapprove_on_change",
    "max_access_duration",
    "max_grant_expiration",
    "enabled",
];
const TEST_STATEMENTS: [&str; 4] = ["input", "set", "now", "expect"];
const ITEMS: [&str; 3] = ["policy", "ruleset", "test"];
const VERDICTS: [&str; 4] = ["deny", "pending", "warn", "allow"];
const EXPECTATIONS: [&str; 9] = [
    "deny",
    "pending",
    "warn",
    "allow",
    "no",
    "outcomes",
    "message",
    "defaulted",
    "not",
];
const RESERVED: [&str; 15] = [
    "and", "or", "not", "in", "for", "if", "true", "false", "null", "deny", "pending", "warn",
    "allow", "let", "when",
];

/// The readable, deduplicated list of what the grammar expected.
fn classify(positives: &[Rule]) -> Vec<Expected> {
    let has_operator = positives
        .iter()
        .any(|rule| matches!(rule, Rule::logic_op | Rule::compare_op | Rule::arith_op));
    let mut expected = Vec::new();
    for rule in positives {
        let item = match rule {
            Rule::policy_statement => Expected::Statement(Block::Policy),
            Rule::ruleset_statement => Expected::Statement(Block::Ruleset),
            Rule::test_statement => Expected::Statement(Block::Test),
            // `file` stands for everything when nothing at all could be read.
            Rule::item | Rule::file | Rule::file_without_tests => Expected::Item,
            // Only a skipped block's marker would match; the user wrote no such thing.
            Rule::skipped_test => continue,
            Rule::expr
            | Rule::negation
            | Rule::comparison
            | Rule::operation
            | Rule::unary
            | Rule::postfix
            | Rule::not_op
            | Rule::neg_op => Expected::Expression,
            Rule::logic_op | Rule::compare_op | Rule::arith_op | Rule::not_in => Expected::Operator,
            // After an operand, `.`, `[` and a call's `(` count as operators.
            Rule::dot | Rule::lbracket | Rule::lparen if has_operator => Expected::Operator,
            Rule::EOI if positives.contains(&Rule::item) => continue,
            other => Expected::Named(*other),
        };
        if !expected.contains(&item) {
            expected.push(item);
        }
    }
    expected
}

/// The readable name of a grammar rule, in the spirit of tera's `renamed_rules`; the match
/// is exhaustive, so a new rule cannot go unnamed.
fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE => "whitespace",
        Rule::COMMENT => "a comment",
        Rule::file | Rule::file_without_tests | Rule::item => {
            "a `policy`, `ruleset` or `test` block"
        }
        Rule::policy_block => "a `policy` block",
        Rule::ruleset_block => "a `ruleset` block",
        Rule::test_block | Rule::skipped_test => "a `test` block",
        Rule::policy_statement | Rule::ruleset_statement | Rule::test_statement => "a statement",
        Rule::description_statement => "`description`",
        Rule::when_statement => "`when`",
        Rule::config_statement => "`config`",
        Rule::let_statement => "`let`",
        Rule::rule_statement => "a rule",
        Rule::action_statement => "`action`",
        Rule::environments_statement => "`environments`",
        Rule::approvers_statement => "`approvers`",
        Rule::require_statement => "`require`",
        Rule::self_approval_statement => "`self_approval`",
        Rule::reapprove_statement => "`reapprove_on_change`",
        Rule::max_access_statement => "`max_access_duration`",
        Rule::max_grant_statement => "`max_grant_expiration`",
        Rule::enabled_statement => "`enabled`",
        Rule::input_statement => "`input`",
        Rule::set_statement => "`set`",
        Rule::now_statement => "`now`",
        Rule::expect_statement => "`expect`",
        Rule::expect_no => "`no`",
        Rule::expect_outcomes => "`outcomes`",
        Rule::expect_message => "`message`",
        Rule::expect_defaulted => "`defaulted`",
        Rule::expect_not_defaulted => "`not defaulted`",
        Rule::expr
        | Rule::negation
        | Rule::comparison
        | Rule::operation
        | Rule::unary
        | Rule::postfix
        | Rule::primary
        | Rule::paren
        | Rule::array
        | Rule::call => "an expression",
        Rule::arguments => "`(`",
        Rule::logic_op => "`and` or `or`",
        Rule::not_op => "`not`",
        Rule::compare_op => "a comparison",
        Rule::not_in => "`not in`",
        Rule::arith_op => "an operator",
        Rule::neg_op => "`-`",
        Rule::field_access => "`.`",
        Rule::each_access | Rule::index_access => "`[`",
        Rule::ident_char => "a letter or a digit",
        Rule::reserved => "a reserved word",
        Rule::string | Rule::string_text => "a string",
        Rule::escape => "an escape",
        Rule::interpolation => "`${`",
        Rule::numeric => "a number",
        Rule::count => "a whole number",
        Rule::name | Rule::ident | Rule::set_target => "a name",
        Rule::field_name => "a field name",
        Rule::object | Rule::object_entry => "an object entry",
        Rule::verdict => "a verdict (`deny`, `pending`, `warn` or `allow`)",
        Rule::expectation => "an expectation",
        Rule::approver | Rule::approver_kind => "`team`, `user` or `permission`",
        Rule::approval_word => "`approval` or `approvals`",
        Rule::self_approval_value => "`allowed` or `denied`",
        Rule::boolean => "`true` or `false`",
        Rule::action_name => "an action name",
        Rule::duration_value => "a duration such as `4h`",
        Rule::generator | Rule::for_clause => "`for`",
        Rule::if_clause => "`if`",
        Rule::block_open | Rule::lbrace => "`{`",
        Rule::block_close | Rule::rbrace | Rule::interpolation_close => "`}`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::dot => "`.`",
        Rule::star => "`*`",
        Rule::assign => "`=`",
        Rule::equals => "`==`",
        Rule::kw_policy => "`policy`",
        Rule::kw_ruleset => "`ruleset`",
        Rule::kw_test => "`test`",
        Rule::kw_description => "`description`",
        Rule::kw_when => "`when`",
        Rule::kw_config => "`config`",
        Rule::kw_let => "`let`",
        Rule::kw_for => "`for`",
        Rule::kw_in => "`in`",
        Rule::kw_if => "`if`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_true => "`true`",
        Rule::kw_false => "`false`",
        Rule::kw_null => "`null`",
        Rule::kw_action => "`action`",
        Rule::kw_environments => "`environments`",
        Rule::kw_approvers => "`approvers`",
        Rule::kw_require => "`require`",
        Rule::kw_self_approval => "`self_approval`",
        Rule::kw_reapprove_on_change => "`reapprove_on_change`",
        Rule::kw_max_access_duration => "`max_access_duration`",
        Rule::kw_max_grant_expiration => "`max_grant_expiration`",
        Rule::kw_enabled => "`enabled`",
        Rule::kw_input => "`input`",
        Rule::kw_set => "`set`",
        Rule::kw_now => "`now`",
        Rule::kw_expect => "`expect`",
        Rule::kw_no => "`no`",
        Rule::kw_outcomes => "`outcomes`",
        Rule::kw_message => "`message`",
        Rule::kw_contains => "`contains`",
        Rule::kw_defaulted => "`defaulted`",
    }
}

/// The keywords an expected thing could have been, for "did you mean" suggestions.
fn keywords(expected: Expected) -> Vec<&'static str> {
    match expected {
        Expected::Statement(block) => block.statements().to_vec(),
        Expected::Item => ITEMS.to_vec(),
        Expected::Operator => vec!["and", "or", "in", "not"],
        Expected::Expression => vec!["true", "false", "null", "not"],
        Expected::Named(rule) => match rule {
            Rule::verdict => VERDICTS.to_vec(),
            Rule::expectation => EXPECTATIONS.to_vec(),
            Rule::approver | Rule::approver_kind => vec!["team", "user", "permission"],
            Rule::approval_word => vec!["approval", "approvals"],
            Rule::self_approval_value => vec!["allowed", "denied"],
            Rule::boolean => vec!["true", "false"],
            Rule::generator | Rule::for_clause => vec!["for"],
            Rule::if_clause => vec!["if"],
            keyword => rule_name(keyword)
                .strip_prefix('`')
                .and_then(|rest| rest.strip_suffix('`'))
                .filter(|word| word.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
                .into_iter()
                .collect(),
        },
    }
}

fn statement_expected(expected: &[Expected]) -> Option<Option<Block>> {
    expected.iter().find_map(|item| match item {
        Expected::Statement(block) => Some(Some(*block)),
        Expected::Item => Some(None),
        _ => None,
    })
}

// ---------------------------------------------------------------------------------------
// the three shapes of message

/// At the start of a statement (or item), a word that begins none.
fn unknown_statement(block: Option<Block>, found: &Found, expected: &[Expected]) -> Diagnostic {
    let Some(block) = block else {
        let diagnostic = Diagnostic::error(format!(
            "expected a `policy`, `ruleset` or `test` block, found {}",
            found.description
        ))
        .with_label("expected `policy`, `ruleset` or `test`");
        return with_suggestion(diagnostic, found, expected);
    };
    let Some(word) = found.word else {
        return Diagnostic::error(format!("expected a statement, found {}", found.description))
            .with_label(format!("not a statement of a {} block", block.name()))
            .with_help(block.contents());
    };
    let diagnostic = Diagnostic::error(format!("unknown statement `{word}`"))
        .with_label(format!("not a statement of a {} block", block.name()));
    if let Some(other) = [Block::Policy, Block::Ruleset, Block::Test]
        .into_iter()
        .find(|other| *other != block && other.statements().contains(&word))
    {
        return diagnostic.with_help(format!(
            "`{word}` belongs in a {} block; {}",
            other.name(),
            block.contents()
        ));
    }
    match suggestion(word, expected) {
        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
        None => diagnostic.with_help(block.contents()),
    }
}

/// Something after a complete statement on the same line.
fn end_of_line_expected(found: &Found, expected: &[Expected]) -> Diagnostic {
    let mut names: Vec<&str> = expected
        .iter()
        .filter(|item| {
            !matches!(
                item,
                Expected::Statement(_) | Expected::Item | Expected::Named(Rule::block_close)
            )
        })
        .map(|item| describe(*item))
        .collect();
    names.push("the end of the line");
    let list = join_alternatives(&names);
    let diagnostic = Diagnostic::error(format!("expected {list}, found {}", found.description))
        .with_label(format!("expected {list}"));
    let diagnostic = with_suggestion(diagnostic, found, expected);
    if diagnostic.help.is_some() || found.text != "=" {
        return diagnostic;
    }
    diagnostic.with_help("compare with `==`")
}

/// Anything else: "expected an expression after `if`, found `}`".
fn something_expected(found: &Found, expected: &[Expected], previous: Option<&str>) -> Diagnostic {
    let names: Vec<&str> = expected.iter().map(|item| describe(*item)).collect();
    let list = join_alternatives(&names);
    let after = match previous {
        Some(word) if !expected.contains(&Expected::Operator) => format!(" after `{word}`"),
        _ => String::new(),
    };
    let diagnostic = Diagnostic::error(format!(
        "expected {list}{after}, found {}",
        found.description
    ))
    .with_label(format!("expected {list}"));
    if let Some(word) = found.word
        && RESERVED.contains(&word)
        && expected.contains(&Expected::Named(Rule::name))
    {
        return diagnostic.with_help(format!("`{word}` is a reserved word; choose another name"));
    }
    if found.text == "=" && expected.contains(&Expected::Operator) {
        return diagnostic.with_help("compare with `==`");
    }
    if found.text == "-" && expected == [Expected::Named(Rule::colon)] {
        return diagnostic.with_help("quote a key that is not a name, as in `\"max-cost\": 1`");
    }
    with_suggestion(diagnostic, found, expected)
}

fn describe(expected: Expected) -> &'static str {
    match expected {
        Expected::Statement(_) => "a statement",
        Expected::Item => "a `policy`, `ruleset` or `test` block",
        Expected::Expression => "an expression",
        Expected::Operator => "an operator",
        Expected::Named(rule) => rule_name(rule),
    }
}

/// "a", "a or b", "a, b or c", each once.
fn join_alternatives(names: &[&str]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for name in names {
        if !unique.contains(name) {
            unique.push(name);
        }
    }
    match unique.as_slice() {
        [] => "something else".to_string(),
        [only] => (*only).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn with_suggestion(diagnostic: Diagnostic, found: &Found, expected: &[Expected]) -> Diagnostic {
    match found.word.and_then(|word| suggestion(word, expected)) {
        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
        None => diagnostic,
    }
}

/// The expected keyword closest to a word, when it is close enough to be a typo.
fn suggestion(word: &str, expected: &[Expected]) -> Option<&'static str> {
    let lowered = word.to_ascii_lowercase();
    expected
        .iter()
        .flat_map(|item| keywords(*item))
        .filter(|candidate| *candidate != word)
        .map(|candidate| (strsim::damerau_levenshtein(&lowered, candidate), candidate))
        .filter(|(distance, candidate)| {
            *distance <= (candidate.len() / 3).max(1) && *distance < candidate.len()
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

// ---------------------------------------------------------------------------------------
// reading the source around the failure

/// The token at the failure, as a message names it.
struct Found<'t> {
    description: String,
    /// The word found, when it is one.
    word: Option<&'t str>,
    text: &'t str,
    span: Span,
}

impl<'t> Found<'t> {
    fn at(text: &'t str, position: usize) -> Found<'t> {
        let rest = text.get(position..).unwrap_or("");
        let Some(first) = rest.chars().next() else {
            return Found {
                description: "the end of the file".to_string(),
                word: None,
                text: "",
                span: Span::new(position, position),
            };
        };
        let length = if first.is_ascii_alphanumeric() || first == '_' {
            rest.find(|c: char| {
                !(c.is_ascii_alphanumeric() || c == '_' || c == '.' && first.is_ascii_digit())
            })
            .unwrap_or(rest.len())
        } else if ["==", "!=", "<=", ">=", "??", "${"]
            .iter()
            .any(|operator| rest.starts_with(operator))
        {
            2
        } else {
            first.len_utf8()
        };
        let token = rest.get(..length).unwrap_or("");
        let span = Span::new(position, position + length);
        if first == '"' {
            return Found {
                description: "a string".to_string(),
                word: None,
                text: token,
                span,
            };
        }
        let word = (first.is_ascii_alphabetic() || first == '_').then_some(token);
        let description = if first == '\n' || first == '\r' {
            "a line break".to_string()
        } else {
            format!("`{token}`")
        };
        Found {
            description,
            word,
            text: token,
            span,
        }
    }
}

/// The token before `position`, skipping whitespace and comments: a word or a symbol,
/// `None` after a string, a number or at the start of the file.
fn previous_token<'t>(text: &'t str, comments: &[Comment], position: usize) -> Option<&'t str> {
    let end = end_of_previous_token(text, comments, position);
    let before = text.get(..end)?;
    let last = before.chars().next_back()?;
    if last.is_ascii_alphanumeric() || last == '_' {
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |at| at + 1);
        let word = before.get(start..)?;
        return word
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            .then_some(word);
    }
    if last == '"' {
        return None;
    }
    let two = before.get(end.checked_sub(2)?..);
    if let Some(two) = two
        && ["==", "!=", "<=", ">=", "??"].contains(&two)
    {
        return Some(two);
    }
    before.get(end - last.len_utf8()..)
}

fn end_of_previous_token(text: &str, comments: &[Comment], position: usize) -> usize {
    let mut end = position.min(text.len());
    loop {
        let trimmed = text.get(..end).unwrap_or("").trim_end().len();
        match comments
            .iter()
            .find(|comment| comment.span.start < trimmed && trimmed <= comment.span.end)
        {
            Some(comment) => end = comment.span.start,
            None => return trimmed,
        }
    }
}

/// Whether `position` is where a statement could start: first on its line, or right
/// after a block's `{`.
fn is_statement_start(text: &str, position: usize) -> bool {
    let before = text.get(..position).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("").trim_end();
    line.is_empty() || line.ends_with('{')
}

/// How the statement around `position` is written, when its keyword is known.
fn usage_of_statement_at(text: &str, comments: &[Comment], position: usize) -> Option<String> {
    let end = end_of_previous_token(text, comments, position);
    let before = text.get(..end)?;
    let line = before.rsplit('\n').next()?;
    let keyword = line
        .trim_start()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()?;
    let usage = match keyword {
        "policy" => "policy \"name\" { ... }",
        "ruleset" => "ruleset \"name\" { ... }",
        "test" => "test \"name\" { ... }",
        "description" => "description \"text\"",
        "when" => "when EXPR",
        "config" => "config { key: value, ... }",
        "let" => "let NAME = EXPR",
        "deny" | "pending" | "warn" | "allow" | "for" | "if" => {
            "VERDICT [\"message\"] [for NAME in EXPR] [if EXPR]"
        }
        "action" => "action open, update",
        "environments" => "environments \"org/*/prod\", \"org/*/staging\"",
        "approvers" => "approvers team \"sre\", user \"alice@acme.io\", permission \"env:admin\"",
        "require" => "require 2 approvals",
        "self_approval" => "self_approval allowed|denied",
        "reapprove_on_change" => "reapprove_on_change true|false",
        "max_access_duration" => "max_access_duration 4h",
        "max_grant_expiration" => "max_grant_expiration 24h",
        "enabled" => "enabled true|false",
        "input" => "input \"path/to/input.json\" or input { ... }",
        "set" => "set PATH = EXPR",
        "now" => "now \"2026-11-21T10:00:00Z\"",
        "expect" => {
            "expect VERDICT, expect no VERDICT, expect outcomes N, expect message contains \"text\", expect message == \"text\", expect [not] defaulted"
        }
        _ => return None,
    };
    Some(format!("`{keyword}` is written `{usage}`"))
}
