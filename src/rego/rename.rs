//! Short package names in the engine, for a stream of decisions.
//!
//! The engine spells out a package's path as a string, a component at a time, whenever it
//! enters or leaves the package to evaluate one of its rules, and again for every call:
//! with the shipped packages (`env0.require_approvers`), an eighth of the instructions of
//! an interpreted decision. Where nothing can reach a package by its path (no file names
//! the `data` document, tests aside: a stream of decisions never evaluates them), each
//! package gets a name of one component in the engine, `__vp1`, `__vp2`, ... in the order
//! the files name them. Only the package line changes, so every position reported stays
//! that of the file on disk; verdict reads the rules by the short name and reports them
//! by the package's own, and an engine message that spells a short name gets the
//! package's name back.
//!
//! The set keeps its names when it has `--data` documents (whose keys could meet a short
//! name), when a package is not plain names on its line, or is named like a short name,
//! or when one package's path starts another's: the engine refuses a rule and a package
//! at the same path, which short names would set apart.

use std::collections::BTreeMap;

use super::combined;
use super::load::ParsedFile;
use super::rewrite::Edit;
use super::scan::{self, TokenKind};
use crate::source::Span;

/// What every short name starts with; no package of a renamed set starts so.
const PREFIX: &str = "__vp";

/// The short name of each package of a set, and the edit that gives each file its own.
#[derive(Clone, Debug, Default)]
pub struct Renaming {
    short: BTreeMap<Vec<String>, String>,
    edits: Vec<Edit>,
}

impl Renaming {
    /// Short names for every package of `files`, when they may all have one: not when
    /// `data` is reached otherwise than through rules, by a file's reads of it (see
    /// `combined::data_reads`) or by `--data` documents.
    pub fn plan(files: &[ParsedFile], data_reached: bool) -> Option<Renaming> {
        if data_reached {
            return None;
        }
        let mut short = BTreeMap::new();
        let mut edits = Vec::with_capacity(files.len());
        for file in files {
            let package = &file.syntax.package;
            let plain = !package.is_empty()
                && package
                    .iter()
                    .all(|name| combined::is_plain_name(name) && !name.starts_with(PREFIX));
            let (span, spelled) = package_path(&file.source.text)?;
            if !plain || spelled != *package {
                return None;
            }
            let next = short.len() + 1;
            let name = short
                .entry(package.clone())
                .or_insert_with(|| format!("{PREFIX}{next}"));
            edits.push(Edit::replace(span.start, span.end, name.clone()));
        }
        let packages: Vec<&Vec<String>> = short.keys().collect();
        let nested = packages.iter().any(|outer| {
            packages
                .iter()
                .any(|inner| outer.len() < inner.len() && inner.starts_with(outer))
        });
        (!short.is_empty() && !nested).then_some(Renaming { short, edits })
    }

    /// The replacement of the package path of the file at `index` (in the order `plan`
    /// was given the files) by its short name.
    pub fn edit(&self, index: usize) -> Option<Edit> {
        self.edits.get(index).cloned()
    }

    /// The path the engine knows `package` by.
    pub fn engine_package<'a>(&'a self, package: &'a [String]) -> &'a [String] {
        self.short
            .get(package)
            .map_or(package, std::slice::from_ref)
    }

    /// `message`, from the engine, with each short name replaced by its package's own.
    pub fn restore(&self, message: &str) -> String {
        if !message.contains(PREFIX) {
            return message.to_string();
        }
        // The longest first: `__vp12` starts with `__vp1`.
        let mut names: Vec<(&Vec<String>, &String)> = self.short.iter().collect();
        names.sort_by_key(|(_, short)| std::cmp::Reverse(short.len()));
        names
            .into_iter()
            .fold(message.to_string(), |restored, (package, short)| {
                restored.replace(short.as_str(), &package.join("."))
            })
    }
}

/// The span of the package path that opens `text` and its names, when it is plain names
/// and dots on one line: `package a.b` gives the span of `a.b`.
fn package_path(text: &str) -> Option<(Span, Vec<String>)> {
    let tokens = scan::tokenize(text);
    let mut significant = scan::significant(&tokens).peekable();
    let keyword = significant.next()?;
    if keyword.kind != TokenKind::Ident || keyword.text(text) != "package" {
        return None;
    }
    let first = significant.next().filter(|t| t.kind == TokenKind::Ident)?;
    let mut names = vec![first.text(text).to_string()];
    let mut end = first.end;
    while significant
        .next_if(|t| t.kind == TokenKind::Punct && t.text(text) == ".")
        .is_some()
    {
        let name = significant.next().filter(|t| t.kind == TokenKind::Ident)?;
        names.push(name.text(text).to_string());
        end = name.end;
    }
    let span = Span::new(first.start, end);
    let one_line = text.get(span.start..span.end)?.chars().all(|c| c != '\n');
    one_line.then_some((span, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_path_is_found_on_its_line() {
        let text = "# A policy.\npackage env0.require_approvers # owned by platform\n\nx := 1\n";
        let (span, names) = package_path(text).unwrap();
        assert_eq!(&text[span.start..span.end], "env0.require_approvers");
        assert_eq!(names, ["env0", "require_approvers"]);
        assert_eq!(package_path("package a.\nb\n"), None);
        assert_eq!(package_path("package a[\"b\"]\n").unwrap().1, ["a"]);
        assert_eq!(package_path("import rego.v1\npackage a\n"), None);
    }
}
