//! Behaviour of the Rego backend, policy by policy. Cases marked "OPA:" were checked
//! against OPA 1.20 with the same policy and input.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::*;
use crate::error::ErrorClass;

mod combined;
mod compiled;
mod evaluation;
mod hostile;
mod inline;
mod input;
mod loading;
mod metadata;
mod opa;
mod rename;
mod testing;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .map(|time| time.with_timezone(&Utc))
        .unwrap_or_default()
}

fn modules(files: &[(&str, &str)]) -> Vec<RegoModule> {
    files
        .iter()
        .map(|(name, text)| RegoModule {
            source: SourceFile::new(*name, *text),
        })
        .collect()
}

fn load_with(files: &[(&str, &str)], options: &RegoOptions) -> Result<RegoPolicies, Error> {
    RegoPolicies::load(modules(files), Vec::new(), options)
}

fn load(files: &[(&str, &str)]) -> RegoPolicies {
    match load_with(files, &RegoOptions::default()) {
        Ok(policies) => policies,
        Err(error) => panic!("policies should load: {error:?}"),
    }
}

fn load_error(files: &[(&str, &str)]) -> Error {
    match load_with(files, &RegoOptions::default()) {
        Ok(_) => panic!("policies should not load"),
        Err(error) => error,
    }
}

/// `(verdict, message)` of every outcome of every policy.
fn evaluate(policies: &mut RegoPolicies, input: Value) -> Result<Vec<(Verdict, String)>, Error> {
    policies.set_input(&input)?;
    let mut all = Vec::new();
    for index in 0..policies.policies().len() {
        for outcome in policies.evaluate(index, now())? {
            all.push((outcome.verdict, outcome.message));
        }
    }
    Ok(all)
}

fn decide(files: &[(&str, &str)], input: Value) -> Vec<(Verdict, String)> {
    let mut policies = load(files);
    match evaluate(&mut policies, input) {
        Ok(outcomes) => outcomes,
        Err(error) => panic!("evaluation should succeed: {error:?}"),
    }
}

fn deny(message: &str) -> (Verdict, String) {
    (Verdict::Deny, message.to_string())
}

fn first_message(error: &Error) -> String {
    error
        .diagnostics
        .first()
        .map(Diagnostic::one_line)
        .unwrap_or_default()
}

fn evaluation_error(files: &[(&str, &str)], input: Value) -> Error {
    let mut policies = load(files);
    match evaluate(&mut policies, input) {
        Ok(outcomes) => panic!("evaluation should fail, got {outcomes:?}"),
        Err(error) => error,
    }
}
