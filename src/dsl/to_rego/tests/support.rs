//! Compiling policies, running them both ways, and comparing what they decide.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::dsl::ast::{File, Item};
use crate::dsl::compile::CompiledPolicy;
use crate::dsl::parse::parse;
use crate::dsl::to_rego::{RegoCompiler, RegoModuleText, library};
use crate::rego::{RegoModule, RegoOptions, RegoPolicies};
use crate::source::SourceFile;
use crate::verdict::Verdict;

/// What a policy decides: its outcomes as `(verdict, message)`, without repeats (Rego's
/// sets have none), or the error that stopped it.
pub type Decided = Result<BTreeSet<(Verdict, String)>, String>;

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn parse_text(name: &str, text: &str) -> (File, Arc<SourceFile>) {
    let source = SourceFile::new(name, text);
    let file = match parse(&source) {
        Ok(file) => file,
        Err(errors) => panic!("{name} should parse: {}", one_lines(&errors)),
    };
    (file, source)
}

/// Policies compiled both ways: the policy language's, and one Rego engine holding the
/// library and a module per policy.
pub struct Both {
    pub policies: Vec<(CompiledPolicy, String)>,
    pub rego: RegoPolicies,
    pub modules: Vec<RegoModuleText>,
}

impl Both {
    pub fn compile(files: &[(File, Arc<SourceFile>)]) -> Both {
        Both::compile_with(files, &RegoOptions::default())
    }

    /// As [`Both::compile`], with the Rego engine under `options`.
    pub fn compile_with(files: &[(File, Arc<SourceFile>)], options: &RegoOptions) -> Both {
        let mut compiler = RegoCompiler::new();
        let mut policies = Vec::new();
        let mut modules = library();
        for (file, source) in files {
            for item in &file.items {
                let Item::Policy(block) = item else { continue };
                let dsl = CompiledPolicy::compile(block, source).unwrap_or_else(|errors| {
                    panic!("policy should compile: {}", one_lines(&errors))
                });
                let module = compiler
                    .compile_policy(block, source)
                    .unwrap_or_else(|errors| {
                        panic!("policy should compile to Rego: {}", one_lines(&errors))
                    });
                policies.push((dsl, module.package.clone()));
                modules.push(module);
            }
        }
        let rego = load_with(&modules, options);
        Both {
            policies,
            rego,
            modules,
        }
    }

    pub fn from_text(text: &str) -> Both {
        Both::compile(&[parse_text("test.policy", text)])
    }

    /// What policy number `index` decides on `input`, the policy language's way and Rego's.
    pub fn decide(&mut self, index: usize, input: &Value) -> (Decided, Decided) {
        let (dsl, package) = &self.policies[index];
        let expected = dsl
            .evaluate(input, now())
            .map(|outcomes| {
                outcomes
                    .into_iter()
                    .map(|o| (o.verdict, o.message))
                    .collect()
            })
            .map_err(|error| lines(&error));
        let position = self
            .rego
            .policies()
            .iter()
            .position(|policy| policy.package == *package)
            .unwrap();
        let actual = self
            .rego
            .set_input(input)
            .and_then(|()| self.rego.evaluate(position, now()))
            .map(|outcomes| {
                outcomes
                    .into_iter()
                    .map(|o| (o.verdict, o.message))
                    .collect()
            })
            .map_err(|error| lines(&error));
        (expected, actual)
    }

    /// Panics with both answers and the module when they differ.
    pub fn assert_agree(&mut self, index: usize, input: &Value, context: &str) {
        let (expected, actual) = self.decide(index, input);
        if expected == actual {
            return;
        }
        let differences = match (&expected, &actual) {
            (Ok(expected), Ok(actual)) => format!(
                "  only in the policy language: {:?}\n  only in Rego: {:?}",
                expected.difference(actual).collect::<Vec<_>>(),
                actual.difference(expected).collect::<Vec<_>>()
            ),
            _ => format!("  policy language: {expected:?}\n  Rego: {actual:?}"),
        };
        panic!("{context}: the policy language and Rego disagree\n{differences}\n  input: {input}");
    }
}

pub fn load_with(modules: &[RegoModuleText], options: &RegoOptions) -> RegoPolicies {
    let modules = modules
        .iter()
        .map(|module| RegoModule {
            source: SourceFile::new(module.path.as_str(), module.text.as_str()),
        })
        .collect();
    match RegoPolicies::load(modules, Vec::new(), options) {
        Ok(policies) => policies,
        Err(error) => panic!("the compiled Rego should load:\n{}", lines(&error)),
    }
}

/// An error's diagnostics, one a line.
pub fn lines(error: &crate::error::Error) -> String {
    error
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.one_line())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn one_lines(diagnostics: &[crate::diagnostic::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.one_line())
        .collect::<Vec<_>>()
        .join("\n")
}
