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

use super::VERDICT_RULES;
use super::load::ParsedFile;
use super::recursion;
use super::syntax::RuleKind;

/// The name of the rule that holds a package's verdict rules.
pub const RULE: &str = "__verdict_rules__";

/// The module holding the combined rule of each package that has two or more verdict
/// rules, by package (`a.b`). None when a rule or an import mentions `data`: a rule that
/// reads its own package's document as a whole (`data.a.b[name]`, or through an import)
/// would reach the combined rule, and through it the rule itself. Tests (`test_` rules and
/// `_test` packages) are left out of that: only `verdict test` evaluates them.
pub fn modules(parsed: &[ParsedFile]) -> Vec<(String, String)> {
    if parsed.iter().any(mentions_data) {
        return Vec::new();
    }
    let mut packages: BTreeMap<&[String], Vec<&'static str>> = BTreeMap::new();
    for file in parsed {
        let names = packages.entry(&file.syntax.package).or_default();
        for rule in file
            .syntax
            .rules
            .iter()
            .filter(|r| r.kind != RuleKind::Function)
        {
            let [name] = rule.path.as_slice() else {
                continue;
            };
            if let Some(&(known, _)) = VERDICT_RULES.iter().find(|(known, _)| known == name)
                && !names.contains(&known)
            {
                names.push(known);
            }
        }
    }
    packages
        .into_iter()
        .filter(|(package, names)| {
            names.len() >= 2 && !package.is_empty() && package.iter().all(|c| is_plain_name(c))
        })
        .map(|(package, names)| {
            let package = package.join(".");
            let text = module_text(&package, &names);
            (package, text)
        })
        .collect()
}

/// Whether a file's rules, tests aside, or its imports mention the `data` document.
fn mentions_data(file: &ParsedFile) -> bool {
    let syntax = &file.syntax;
    if syntax
        .package
        .last()
        .is_some_and(|name| name.ends_with("_test"))
    {
        return false;
    }
    let imports_data = syntax
        .imports
        .iter()
        .any(|import| import.path.first().is_some_and(|root| root == "data"));
    imports_data
        || syntax.rules.iter().any(|rule| {
            let is_test = rule
                .path
                .first()
                .is_some_and(|name| name.starts_with("test_"));
            let text = file.source.text.get(rule.span.start..rule.span.end);
            !is_test && text.is_some_and(recursion::mentions_data)
        })
}

/// The engine path of a package's combined rule.
pub fn path(package: &str) -> String {
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
