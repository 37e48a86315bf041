//! OPA refuses recursive functions when it compiles a policy; the engine would follow the
//! calls until the stack runs out. A cycle of function calls is a load error here too.

use std::collections::BTreeMap;

use super::checks::{Callee, CheckedFile, RuleTable, full_path, resolve};
use super::load::ParsedFile;
use super::scan::{self, Token, TokenKind};
use super::syntax::RuleKind;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Where a function calls another: the file (index into the checked files) and the call.
type CallPlace = (usize, Span);

/// Cycles of calls between user functions, each reported at the call that closes it.
pub fn recursive_functions(files: &[CheckedFile<'_>], table: &RuleTable) -> Vec<Diagnostic> {
    let calls = call_graph(files, table);
    let mut problems = Vec::new();
    for cycle in cycles(&calls) {
        let (Some(first), Some(last)) = (cycle.first(), cycle.last()) else {
            continue;
        };
        let shown: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(first))
            .map(|name| format!("`{name}`"))
            .collect();
        let mut problem = Diagnostic::error(format!(
            "function `{first}` is recursive: {}",
            shown.join(" calls ")
        ))
        .with_help("Rego does not allow recursion; OPA refuses this policy too");
        let place = calls.get(last).and_then(|callees| callees.get(first));
        if let Some(checked) = place.and_then(|(file, _)| files.get(*file)) {
            problem = problem.at(
                checked.source,
                place.map(|(_, span)| *span).unwrap_or_default(),
            );
        }
        problems.push(problem);
    }
    problems
}

/// For each user function, the user functions its definitions call, with where.
fn call_graph(
    files: &[CheckedFile<'_>],
    table: &RuleTable,
) -> BTreeMap<String, BTreeMap<String, CallPlace>> {
    let mut graph: BTreeMap<String, BTreeMap<String, CallPlace>> = BTreeMap::new();
    for (index, checked) in files.iter().enumerate() {
        for call in &checked.syntax.calls {
            let Some(caller) = checked.syntax.rules.get(call.rule) else {
                continue;
            };
            let is_function = caller.kind == RuleKind::Function
                || (caller.kind == RuleKind::Default && caller.arity > 0);
            if !is_function {
                continue;
            }
            if let Callee::User(callee) = resolve(checked.syntax, &call.name, table) {
                let from = full_path(&checked.syntax.package, &caller.path);
                graph
                    .entry(from)
                    .or_default()
                    .entry(callee)
                    .or_insert((index, call.span));
            }
        }
    }
    graph
}

/// Where a depth-first walk stands with a function.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// On the current path: meeting it again closes a cycle.
    Open,
    Done,
}

/// Cycles of the call graph: at least one through every function that can reach itself.
/// The walk is iterative, so that a long chain of calls cannot exhaust the stack here
/// either, and visits each function once.
fn cycles(calls: &BTreeMap<String, BTreeMap<String, CallPlace>>) -> Vec<Vec<String>> {
    let callees = |name: &str| -> Vec<&String> {
        calls
            .get(name)
            .map(|next| next.keys().rev().collect())
            .unwrap_or_default()
    };
    let mut found = Vec::new();
    let mut visits: BTreeMap<&str, Visit> = BTreeMap::new();
    for root in calls.keys() {
        if visits.contains_key(root.as_str()) {
            continue;
        }
        visits.insert(root, Visit::Open);
        let mut path: Vec<&String> = vec![root];
        let mut pending: Vec<Vec<&String>> = vec![callees(root)];
        while let Some(frame) = pending.last_mut() {
            let Some(next) = frame.pop() else {
                pending.pop();
                if let Some(done) = path.pop() {
                    visits.insert(done, Visit::Done);
                }
                continue;
            };
            match visits.get(next.as_str()) {
                Some(Visit::Open) => {
                    let from = path.iter().position(|name| *name == next).unwrap_or(0);
                    found.push(path.iter().skip(from).map(|name| (*name).clone()).collect());
                }
                Some(Visit::Done) => {}
                None => {
                    visits.insert(next, Visit::Open);
                    path.push(next);
                    pending.push(callees(next));
                }
            }
        }
    }
    found
}

/// Whether some rule may depend on itself, judged from the names rules mention: an
/// over-approximation (a local variable or another package's rule of the same name counts
/// as a mention) that never misses a cycle of rule references. OPA refuses such cycles;
/// the engine's interpreter reports them when it meets one, but its compiled programs
/// would follow them until the stack runs out, so a group where this holds is never
/// compiled.
pub fn rules_may_refer_in_cycle(files: &[ParsedFile]) -> bool {
    let mut mentions: BTreeMap<String, BTreeMap<String, CallPlace>> = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        for rule in &file.syntax.rules {
            let Some(name) = rule.path.first() else {
                continue;
            };
            let text = file
                .source
                .text
                .get(rule.span.start..rule.span.end)
                .unwrap_or("");
            let mut own_name_seen = false;
            let callees = mentions.entry(name.clone()).or_default();
            for word in identifiers(text) {
                if word == name && !own_name_seen {
                    own_name_seen = true;
                    continue;
                }
                callees
                    .entry(word.to_string())
                    .or_insert((index, rule.span));
            }
        }
    }
    let rule_names: Vec<String> = mentions.keys().cloned().collect();
    for callees in mentions.values_mut() {
        callees.retain(|callee, _| rule_names.binary_search(callee).is_ok());
    }
    !cycles(&mentions).is_empty()
}

/// The identifiers of Rego text outside strings and comments, leaving out the fields of
/// `input` (`approvers` in `input.approvers`), which never name a rule.
fn identifiers(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    // The first name of the reference being read (`input` in `input.a.b`).
    let mut root: Option<&str> = None;
    let mut previous: Option<Token> = None;
    for token in scan::significant(&scan::tokenize(text)).copied() {
        if token.kind == TokenKind::Ident {
            let word = token.text(text);
            let continues_reference = previous.is_some_and(|dot| {
                dot.kind == TokenKind::Punct && dot.text(text) == "." && dot.end == token.start
            });
            match root {
                Some("input") if continues_reference => {}
                Some(_) if continues_reference => found.push(word),
                _ => {
                    root = Some(word);
                    found.push(word);
                }
            }
        }
        previous = Some(token);
    }
    found
}
