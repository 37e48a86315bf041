//! Constant rules written in where they are used, for a stream of decisions.
//!
//! The engine evaluates every rule a decision refers to as a rule of its own, with some
//! 25,000 instructions of bookkeeping each, however small the rule: `required :=
//! input.policyData.requiredApprovers` costs more to look up than to compute. Where a
//! package's rule is a [`ConstantRule`], its uses can read its value directly: the value
//! depends only on the input, which is the same wherever it is evaluated, and is undefined
//! exactly where the rule is. The rule itself stays, for other packages and for `data`.
//!
//! A name is written in only where that cannot change what it means. A package is left as
//! it is when a statement has a `with` modifier (which could replace the rule, or the input
//! of the rule alone). A rule is left as it is when it has more than one definition (with a
//! `default`, or a reference head under its name), when an import takes its name, when its
//! name is declared, bound or a function's parameter anywhere in the package (a local name
//! hides the rule), when a longer reference starts with it and its value is not a reference
//! into `input` (`types[_]` can read `input.types[_]`, not `["a", "b"][_]`), when it is a
//! key of a rule's head (`p[limit]`, where the engine takes only some terms), when it is
//! called, when its value calls a function the package or an import shadows, or mentions a
//! rule that is not written in too. Every use must be one the syntax tree shows: the file's
//! names, counted from its tokens, must add up to the uses, declarations and heads read from
//! the tree, or the package is left as it is. A value dearer than a lookup (a call, a list)
//! is written in only where it is evaluated once per evaluation of its rule: in a loop the
//! engine would evaluate it for every element, where it evaluates the rule once and looks it
//! up after. A value is written in as whole tokens, quotes included. Only the text of a name
//! changes, on its line, so every position reported stays that of the file on disk.

use std::collections::{BTreeMap, BTreeSet};

use super::load::ParsedFile;
use super::rewrite::Edit;
use super::scan::{self, Token, TokenKind};
use super::syntax::{ConstantRule, NameRole};
use crate::source::Span;

/// A constant rule that may be written in, with its value's span in whole tokens.
struct Candidate<'f> {
    file: &'f ParsedFile,
    rule: &'f ConstantRule,
    value: Span,
}

/// For each file, the replacements of the uses of its package's constant rules by their
/// values.
pub fn constant_rules(files: &[ParsedFile]) -> Vec<Vec<Edit>> {
    let mut edits = vec![Vec::new(); files.len()];
    let mut packages: BTreeMap<&[String], Vec<usize>> = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        packages
            .entry(file.syntax.package.as_slice())
            .or_default()
            .push(index);
    }
    for members in packages.values() {
        let values = written_in(files, members);
        if values.is_empty() {
            continue;
        }
        for &index in members {
            let (Some(file), Some(file_edits)) = (files.get(index), edits.get_mut(index)) else {
                continue;
            };
            for name in &file.syntax.names {
                if !matches!(name.role, NameRole::Value | NameRole::RefBase) {
                    continue;
                }
                // A value dearer than a lookup stays a rule where it would be evaluated
                // again and again (`some c in xs; c.type in owned_types`): the engine
                // evaluates the rule once per decision and looks it up after.
                if let Some((value, cheap)) = values.get(name.name.as_str())
                    && (*cheap || !name.repeated)
                {
                    file_edits.push(Edit::replace(name.span.start, name.span.end, value.clone()));
                }
            }
        }
    }
    edits
}

/// The text of `span` once the constant rules are written in: the value when the span
/// is a use of one, else the text as it is.
pub fn text_at<'t>(text: &'t str, span: Span, written: &'t [Edit]) -> Option<&'t str> {
    match written
        .iter()
        .find(|edit| edit.start == span.start && edit.end == span.end)
    {
        Some(edit) => Some(&edit.text),
        None => text.get(span.start..span.end),
    }
}

/// Adds the `written` replacements that overlap none of the `edits` already there (an
/// edit that rewrites a span holding a use copies the use as it is, which stays right).
pub fn add_clear(edits: &mut Vec<Edit>, written: Vec<Edit>) {
    let clear: Vec<Edit> = written
        .into_iter()
        .filter(|new| {
            edits
                .iter()
                .all(|edit| edit.end <= new.start || edit.start >= new.end)
        })
        .collect();
    edits.extend(clear);
}

/// The constant rules of one package that may be written in, each with the text that
/// stands in for its name (the values of the rules it mentions written in too) and
/// whether that value is cheap (see [`ConstantRule::cheap`]).
fn written_in<'f>(files: &'f [ParsedFile], members: &[usize]) -> BTreeMap<&'f str, (String, bool)> {
    let package: Vec<&ParsedFile> = members.iter().filter_map(|&i| files.get(i)).collect();
    if package.iter().any(|file| file.syntax.with_modifiers) {
        return BTreeMap::new();
    }
    // Every name that something other than a plain read gives a meaning to, and the
    // names that could stand for something else than a builtin where a value calls one.
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    // The names some longer reference starts with.
    let mut continues: BTreeSet<&str> = BTreeSet::new();
    let mut not_builtins: BTreeSet<&str> = BTreeSet::new();
    let mut definitions: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &package {
        for rule in &file.syntax.rules {
            if let Some(root) = rule.path.first() {
                *definitions.entry(root.as_str()).or_default() += 1;
            }
        }
        for import in &file.syntax.imports {
            if let Some(name) = import.name() {
                taken.insert(name);
                not_builtins.insert(name);
            }
        }
        for name in &file.syntax.names {
            match name.role {
                NameRole::Value => {}
                NameRole::RefBase => {
                    continues.insert(name.name.as_str());
                }
                NameRole::Bound | NameRole::Called | NameRole::HeadKey => {
                    taken.insert(name.name.as_str());
                }
            }
            if name.role == NameRole::Bound {
                not_builtins.insert(name.name.as_str());
            }
        }
    }
    let tokens: Vec<Vec<Token>> = package
        .iter()
        .map(|file| {
            scan::significant(&scan::tokenize(&file.source.text))
                .copied()
                .collect()
        })
        .collect();
    let mut candidates: BTreeMap<&str, Candidate<'_>> = BTreeMap::new();
    for (file, tokens) in package.iter().zip(&tokens) {
        for rule in &file.syntax.constants {
            let name = rule.name.as_str();
            let shadowed_call = rule.calls.iter().any(|call| {
                definitions.contains_key(call.as_str()) || not_builtins.contains(call.as_str())
            });
            let continued = continues.contains(name) && !rule.reference;
            if definitions.get(name) == Some(&1)
                && !taken.contains(name)
                && !continued
                && !shadowed_call
            {
                let value = whole_tokens(tokens, rule.value);
                candidates.insert(name, Candidate { file, rule, value });
            }
        }
    }
    // A rule mentioning one that cannot be written in cannot be either.
    loop {
        let before = candidates.len();
        let kept: BTreeSet<&str> = candidates.keys().copied().collect();
        candidates.retain(|_, candidate| {
            candidate
                .rule
                .mentions
                .iter()
                .all(|mention| kept.contains(mention.as_str()))
        });
        if candidates.len() == before {
            break;
        }
    }
    if candidates.is_empty()
        || !package
            .iter()
            .zip(&tokens)
            .all(|(file, tokens)| names_accounted_for(file, tokens, &candidates))
    {
        return BTreeMap::new();
    }
    let mut values = BTreeMap::new();
    for (&name, candidate) in &candidates {
        if let Some(text) = value_text(name, &candidates, candidates.len()) {
            values.insert(name, (text, candidate.rule.cheap));
        }
    }
    values
}

/// Whether every occurrence of a candidate's name among the file's tokens (a name not
/// after a dot) is one the syntax tree reported: a plain name of `names`, or the head of
/// the rule's own definition.
fn names_accounted_for(
    file: &ParsedFile,
    tokens: &[Token],
    candidates: &BTreeMap<&str, Candidate<'_>>,
) -> bool {
    let text = &file.source.text;
    let mut in_tokens: BTreeMap<&str, usize> = BTreeMap::new();
    let mut after_dot = false;
    for token in tokens {
        let word = token.text(text);
        if token.kind == TokenKind::Ident && !after_dot && candidates.contains_key(word) {
            *in_tokens.entry(word).or_default() += 1;
        }
        after_dot = token.kind == TokenKind::Punct && word == ".";
    }
    let mut in_tree: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &file.syntax.names {
        if candidates.contains_key(name.name.as_str()) {
            *in_tree.entry(name.name.as_str()).or_default() += 1;
        }
    }
    for rule in &file.syntax.rules {
        if let Some(root) = rule.path.first()
            && candidates.contains_key(root.as_str())
        {
            *in_tree.entry(root.as_str()).or_default() += 1;
        }
    }
    in_tokens == in_tree
}

/// `span` widened to the whole tokens it cuts: the engine's span of a string leaves out
/// its opening or closing quote.
fn whole_tokens(tokens: &[Token], span: Span) -> Span {
    let mut whole = span;
    for token in tokens {
        if token.start < span.start && span.start < token.end {
            whole.start = token.start;
        }
        if token.start < span.end && span.end < token.end {
            whole.end = token.end;
        }
    }
    whole
}

/// The text standing in for `name`: its value, with the names of the candidates it
/// mentions replaced by their own texts; `None` past `depth` (rules that mention each
/// other in a cycle, which the engine reports when it evaluates them).
fn value_text(
    name: &str,
    candidates: &BTreeMap<&str, Candidate<'_>>,
    depth: usize,
) -> Option<String> {
    let Candidate { file, value, .. } = candidates.get(name)?;
    let value = *value;
    let text = file.source.text.get(value.start..value.end)?;
    let mut inner: Vec<_> = file
        .syntax
        .names
        .iter()
        .filter(|use_| {
            use_.role == NameRole::Value
                && use_.span.start >= value.start
                && use_.span.end <= value.end
                && candidates.contains_key(use_.name.as_str())
        })
        .collect();
    if inner.is_empty() {
        return Some(text.to_string());
    }
    let depth = depth.checked_sub(1)?;
    inner.sort_by_key(|use_| use_.span.start);
    let mut written = String::new();
    let mut copied = value.start;
    for use_ in inner {
        written.push_str(file.source.text.get(copied..use_.span.start)?);
        written.push_str(&value_text(&use_.name, candidates, depth)?);
        copied = use_.span.end;
    }
    written.push_str(file.source.text.get(copied..value.end)?);
    Some(written)
}
