//! Checks OPA's compiler makes before evaluating anything and the engine leaves to run
//! time (or never makes): calls to undefined functions, calls with the wrong number of
//! arguments, rules of one name defined with conflicting kinds, and recursive functions.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::builtins;
use super::recursion;
use super::syntax::{CallSite, ModuleSyntax, RuleKind};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// A parsed file as the checks see it.
pub struct CheckedFile<'a> {
    pub source: &'a Arc<SourceFile>,
    pub syntax: &'a ModuleSyntax,
}

/// Functions callable without a definition in policies: the two metadata functions that
/// verdict provides, and `print`, which takes any number of arguments.
const METADATA_FUNCTIONS: [&str; 2] = ["rego.metadata.rule", "rego.metadata.chain"];

/// Builtins removed in Rego v1 and what replaces them.
const REMOVED_BUILTINS: [(&str, &str); 9] = [
    (
        "any",
        "use `some x in xs` with a condition, or `count([x | ...]) > 0`",
    ),
    ("all", "use `every x in xs { ... }`"),
    ("re_match", "use `regex.match`"),
    ("set_diff", "use `a - b`"),
    ("net.cidr_overlap", "use `net.cidr_contains`"),
    ("cast_array", "build the array with a comprehension"),
    ("cast_set", "build the set with a comprehension"),
    ("cast_string", "use `format_int` or `sprintf`"),
    ("cast_boolean", "compare with `true`"),
];

/// Every user-defined rule, by full path (`data.pkg.name`): kinds with where each first
/// appears, and the arities of its function definitions.
#[derive(Default)]
pub struct RuleTable {
    kinds: BTreeMap<String, Vec<(RuleKind, usize, Span)>>,
    arities: BTreeMap<String, Vec<usize>>,
}

impl RuleTable {
    pub fn new(files: &[CheckedFile<'_>]) -> RuleTable {
        let mut table = RuleTable::default();
        for (file, checked) in files.iter().enumerate() {
            for rule in &checked.syntax.rules {
                let path = full_path(&checked.syntax.package, &rule.path);
                let kinds = table.kinds.entry(path.clone()).or_default();
                let kind = match rule.kind {
                    RuleKind::Default if rule.arity > 0 => RuleKind::Function,
                    kind => kind,
                };
                if !kinds.iter().any(|(known, _, _)| *known == kind) {
                    kinds.push((kind, file, rule.name_span));
                }
                if kind == RuleKind::Function {
                    table.arities.entry(path).or_default().push(rule.arity);
                }
            }
        }
        table
    }
}

pub fn full_path(package: &[String], path: &[String]) -> String {
    std::iter::once("data")
        .chain(package.iter().map(String::as_str))
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(".")
}

/// Runs every check over a set of files loaded together.
pub fn check(files: &[CheckedFile<'_>]) -> Vec<Diagnostic> {
    let table = RuleTable::new(files);
    let mut problems = conflicts(files, &table);
    problems.extend(unsafe_head_vars(files, &table));
    problems.extend(recursion::recursive_functions(files, &table));
    for checked in files {
        for call in &checked.syntax.calls {
            if let Some(problem) = check_call(checked, call, &table) {
                problems.push(problem);
            }
        }
    }
    problems
}

fn conflicts(files: &[CheckedFile<'_>], table: &RuleTable) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (path, kinds) in &table.kinds {
        let has = |kind: RuleKind| kinds.iter().any(|(known, _, _)| *known == kind);
        let single = kinds.iter().find(|(kind, _, _)| {
            matches!(
                kind,
                RuleKind::Complete | RuleKind::Default | RuleKind::Object
            )
        });
        let problem = if has(RuleKind::MultiValue) && single.is_some() {
            single.map(|(_, file, span)| {
                (*file, *span, format!("conflicting rules `{path}`: a multi-value rule and a single-value rule"),
                 "a `default` or `:=` rule cannot share its name with a `contains` (or v0 `name[x]`) rule")
            })
        } else if has(RuleKind::Function) && kinds.len() > 1 {
            kinds
                .iter()
                .find(|(kind, _, _)| *kind != RuleKind::Function)
                .map(|(_, file, span)| {
                    (
                        *file,
                        *span,
                        format!("conflicting rules `{path}`: a function and a rule"),
                        "give the function and the rule different names",
                    )
                })
        } else {
            None
        };
        if let Some((file, span, message, help)) = problem
            && let Some(checked) = files.get(file)
        {
            problems.push(
                Diagnostic::error(message)
                    .at(checked.source, span)
                    .with_help(help),
            );
        }
    }
    for (path, arities) in &table.arities {
        if let Some(first) = arities.first()
            && arities.iter().any(|arity| arity != first)
        {
            let located = files.iter().find_map(|checked| {
                checked
                    .syntax
                    .rules
                    .iter()
                    .find(|rule| {
                        rule.kind == RuleKind::Function
                            && rule.arity != *first
                            && full_path(&checked.syntax.package, &rule.path) == *path
                    })
                    .map(|rule| (checked, rule.name_span))
            });
            if let Some((checked, span)) = located {
                problems.push(
                    Diagnostic::error(format!("function `{path}` is defined with {first} and with other numbers of arguments"))
                        .at(checked.source, span),
                );
            }
        }
    }
    problems
}

/// A head variable no body mentions can never be bound: OPA rejects the rule as unsafe.
fn unsafe_head_vars(files: &[CheckedFile<'_>], table: &RuleTable) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for checked in files {
        for rule in &checked.syntax.rules {
            for (name, span) in &rule.unbound_head_vars {
                let global = table.kinds.contains_key(&full_path(
                    &checked.syntax.package,
                    std::slice::from_ref(name),
                )) || checked.syntax.import_named(name).is_some();
                if !global {
                    problems.push(
                        Diagnostic::error(format!(
                            "var `{name}` is unsafe: no body of the rule binds it"
                        ))
                        .at(checked.source, *span)
                        .with_help(format!("assign it in the body, e.g. `{name} := ...`")),
                    );
                }
            }
        }
    }
    problems
}

/// What a call names.
pub enum Callee {
    User(String),
    Builtin(usize),
    Variadic,
    /// Not defined anywhere: the name as written, and the data path an import made of it.
    Undefined(String, Option<String>),
}

pub fn resolve(syntax: &ModuleSyntax, name: &str, table: &RuleTable) -> Callee {
    if name == "print" {
        return Callee::Variadic;
    }
    if METADATA_FUNCTIONS.contains(&name) {
        return Callee::Builtin(0);
    }
    let (head, rest) = name
        .split_once('.')
        .map_or((name, None), |(h, r)| (h, Some(r)));
    let mut candidates = Vec::new();
    if let Some(import) = syntax.import_named(head)
        && import.path.first().map(String::as_str) == Some("data")
    {
        let mut path = import.path.join(".");
        if let Some(rest) = rest {
            path = format!("{path}.{rest}");
        }
        candidates.push(path);
    }
    if head == "data" {
        candidates.push(name.to_string());
    }
    candidates.push(full_path(&syntax.package, &[name.to_string()]));
    if let Some(path) = candidates
        .iter()
        .find(|path| table.arities.contains_key(*path))
    {
        return Callee::User(path.clone());
    }
    match builtins::arity(name) {
        Some(arity) => Callee::Builtin(arity),
        None => {
            let through_import = syntax.import_named(head).is_some() && head != "data";
            let imported = candidates.into_iter().next().filter(|_| through_import);
            Callee::Undefined(name.to_string(), imported)
        }
    }
}

fn check_call(checked: &CheckedFile<'_>, call: &CallSite, table: &RuleTable) -> Option<Diagnostic> {
    let expected = match resolve(checked.syntax, &call.name, table) {
        Callee::Variadic => return None,
        Callee::Undefined(name, imported) => {
            let message = match imported {
                Some(path) => format!("undefined function `{name}` (`{path}`)"),
                None => format!("undefined function `{name}`"),
            };
            let mut problem = Diagnostic::error(message).at(checked.source, call.span);
            if let Some((_, advice)) = REMOVED_BUILTINS
                .iter()
                .find(|(removed, _)| *removed == name)
            {
                problem = problem.with_help(format!("`{name}` was removed from Rego: {advice}"));
            }
            return Some(problem);
        }
        Callee::Builtin(arity) => vec![arity],
        Callee::User(path) => table.arities.get(&path).cloned().unwrap_or_default(),
    };
    let fits = |arity: &usize| call.args == *arity || (call.statement && call.args == arity + 1);
    if expected.iter().any(fits) {
        return None;
    }
    let arity = expected.first().copied().unwrap_or(0);
    let plural = if arity == 1 { "" } else { "s" };
    Some(
        Diagnostic::error(format!(
            "function `{}` takes {arity} argument{plural}, got {}",
            call.name, call.args
        ))
        .at(checked.source, call.span),
    )
}
