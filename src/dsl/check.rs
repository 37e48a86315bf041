//! Static checks of a `.policy` file (SPEC 4.4): the errors that stop a policy from
//! compiling, and warnings about paths into the input that SPEC 2 does not know.
//!
//! Rulesets and tests have checks of their own; this covers `policy` blocks.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{File, Item};
use crate::dsl::compile::lower_policy;
use crate::dsl::eval::Limits;
use crate::source::{SourceFile, Span};

/// Every error and warning of the policies of a file, each with `file:line:col`, in the
/// order they appear.
pub fn check(file: &File, source: &Arc<SourceFile>) -> Vec<Diagnostic> {
    check_with_limits(file, source, &Limits::default())
}

pub fn check_with_limits(
    file: &File,
    source: &Arc<SourceFile>,
    limits: &Limits,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut names: HashMap<&str, Span> = HashMap::new();
    for item in &file.items {
        let Item::Policy(block) = item else {
            continue;
        };
        if let Some(first) = names.get(block.name.value.as_str()) {
            let line = source.line_column(first.start).0;
            diagnostics.push(
                Diagnostic::error(format!("policy `{}` is defined twice", block.name.value))
                    .at(source, block.name.span)
                    .with_label("defined again here")
                    .with_help(format!(
                        "the first is at line {line}; policy names must be unique"
                    )),
            );
        } else {
            names.insert(&block.name.value, block.name.span);
        }
        diagnostics.extend(lower_policy(block, source, limits).1);
    }
    diagnostics.sort_by_key(|diagnostic| diagnostic.span.map_or(0, |span| span.start));
    diagnostics
}
