//! One evaluation for all the verdict rules of a package. The engine's interpreter starts
//! every rule evaluation afresh (`eval_rule` forgets the rules it computed before), so a
//! package with `pending` and `allow` that share helper rules computed the helpers once
//! for each. For every package with two or more verdict rules, verdict adds a module of
//! its own to the package with one rule holding all of them,
//!
//! ```rego
//! package env0.require_approvers
//! __verdict_rules__ := {"pending": [__verdict_value__ | __verdict_value__ := pending], ...}
//! ```
//!
//! each list empty where its rule is undefined, and evaluates that rule instead: the
//! helpers are computed once for the package. Its values are the rules' own values; where
//! it fails, the rules are evaluated one by one, which names the rule that failed.

use std::collections::BTreeMap;

use super::load::ParsedFile;
use super::rename::Renaming;
use super::scan::{self, Token, TokenKind};
use super::verdict_rule;

/// The name of the rule that holds a package's verdict rules.
pub const RULE: &str = "__verdict_rules__";

/// A package's combined rule: the package (`a.b`), the rule's engine path, and the module
/// that holds it, which names the package as the engine knows it (see `rename`).
pub struct Module {
    pub package: String,
    pub path: String,
    pub text: String,
}

/// The module holding the combined rule of each package that has two or more verdict
/// rules. A package is left out when a rule or an import may read its
/// document, or an ancestor's, as a whole or by a key computed at evaluation
/// (`data.a.b`, `data.a[name]`, `import data.a`): that would see the combined rule, and
/// reach it from within the package. Tests (`test_` rules and `_test` packages) are not
/// looked at: only `verdict test` evaluates them. `reads` are the files' [`data_reads`].
pub fn modules(
    parsed: &[ParsedFile],
    reads: &[Vec<String>],
    renaming: Option<&Renaming>,
) -> Vec<Module> {
    let mut packages: BTreeMap<&[String], Vec<&'static str>> = BTreeMap::new();
    for file in parsed {
        let names = packages.entry(&file.syntax.package).or_default();
        for (name, _) in file.syntax.rules.iter().filter_map(verdict_rule) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    packages
        .into_iter()
        .filter(|(package, names)| {
            names.len() >= 2
                && !package.is_empty()
                && package.iter().all(|c| is_plain_name(c))
                && !reads.iter().any(|path| package.starts_with(path))
        })
        .map(|(package, names)| {
            let engine_package = renaming
                .map_or(package, |renaming| renaming.engine_package(package))
                .join(".");
            Module {
                package: package.join("."),
                path: path(&engine_package),
                text: module_text(&engine_package, &names),
            }
        })
        .collect()
}

/// The static start of every read of the `data` document by a file's rules, tests aside,
/// and imports: `a.b` for `data.a.b[x]`, nothing for `data` alone.
pub fn data_reads(file: &ParsedFile) -> Vec<Vec<String>> {
    let syntax = &file.syntax;
    if syntax
        .package
        .last()
        .is_some_and(|name| name.ends_with("_test"))
    {
        return Vec::new();
    }
    let imports = syntax.imports.iter().filter_map(|import| {
        let (root, path) = import.path.split_first()?;
        (root == "data").then(|| path.to_vec())
    });
    let rules = syntax
        .rules
        .iter()
        .filter(|rule| {
            !rule
                .path
                .first()
                .is_some_and(|name| name.starts_with("test_"))
        })
        .filter_map(|rule| file.source.text.get(rule.span.start..rule.span.end))
        .flat_map(data_paths);
    imports.chain(rules).collect()
}

/// The static start of each reference to the `data` document in Rego text, outside
/// strings and comments: `data.a.b[x]` and `data["a"].b` give `a.b`, `data` alone
/// nothing. A name after a dot (`input.data`) is a field, not the document.
pub fn data_paths(text: &str) -> Vec<Vec<String>> {
    if !spells_data(text) {
        return Vec::new();
    }
    let tokens: Vec<Token> = scan::significant(&scan::tokenize(text)).copied().collect();
    let punct =
        |token: &Token, mark: &str| token.kind == TokenKind::Punct && token.text(text) == mark;
    let mut paths = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        let after_dot = at
            .checked_sub(1)
            .and_then(|before| tokens.get(before))
            .is_some_and(|before| punct(before, "."));
        if token.kind != TokenKind::Ident || token.text(text) != "data" || after_dot {
            continue;
        }
        let mut path = Vec::new();
        let mut rest = tokens.get(at + 1..).unwrap_or_default();
        loop {
            match rest {
                [dot, name, ..] if punct(dot, ".") && name.kind == TokenKind::Ident => {
                    path.push(name.text(text).to_string());
                    rest = rest.get(2..).unwrap_or_default();
                }
                [open, key, close, ..]
                    if punct(open, "[") && key.kind == TokenKind::String && punct(close, "]") =>
                {
                    let Some(key) = plain_string(key.text(text)) else {
                        break;
                    };
                    path.push(key.to_string());
                    rest = rest.get(3..).unwrap_or_default();
                }
                _ => break,
            }
        }
        paths.push(path);
    }
    paths
}

/// Whether the word `data` appears on its own: most rules never spell it, and looking
/// for it costs a fraction of reading their tokens.
fn spells_data(text: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices("data").any(|(at, word)| {
        let before = text.get(..at).and_then(|head| head.chars().next_back());
        let after = text
            .get(at + word.len()..)
            .and_then(|tail| tail.chars().next());
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// The text of a plain double-quoted string token, without escapes; `None` otherwise.
fn plain_string(token: &str) -> Option<&str> {
    let inner = token.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['\\', '"'])).then_some(inner)
}

/// The engine path of a package's combined rule; `package` as the engine knows it.
fn path(package: &str) -> String {
    format!("data.{package}.{RULE}")
}

fn module_text(package: &str, names: &[&str]) -> String {
    let value = "__verdict_value__";
    let fields: Vec<String> = names
        .iter()
        .map(|name| format!("\"{name}\": [{value} | {value} := {name}]"))
        .collect();
    format!("package {package}\n\n{RULE} := {{{}}}\n", fields.join(", "))
}

/// Whether a package or rule name can be written as it is in a reference (`a.b`), rather
/// than as a string in brackets (`a["b-c"]`).
pub fn is_plain_name(component: &str) -> bool {
    component
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && component
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_holds_each_rule_in_a_list() {
        assert_eq!(
            module_text("env0.approvals", &["pending", "allow"]),
            "package env0.approvals\n\n__verdict_rules__ := {\"pending\": \
             [__verdict_value__ | __verdict_value__ := pending], \"allow\": \
             [__verdict_value__ | __verdict_value__ := allow]}\n"
        );
        assert_eq!(
            path("env0.approvals"),
            "data.env0.approvals.__verdict_rules__"
        );
    }

    #[test]
    fn plain_names_need_no_brackets() {
        assert!(is_plain_name("env0"));
        assert!(is_plain_name("_private"));
        assert!(!is_plain_name("team-owned"));
        assert!(!is_plain_name("0day"));
        assert!(!is_plain_name(""));
    }
}
