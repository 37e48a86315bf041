//! A `.policy` file parsed, checked, compiled and evaluated against an input document, as
//! `verdict eval` does. The fuzz input is the policy text, then a NUL byte, then the JSON
//! document; a missing or unreadable document is replaced by a fixed one.

#![no_main]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use verdict::diagnostic::Severity;
use verdict::dsl::{self, ast::Item};
use verdict::ruleset::{self, Rulesets};
use verdict::source::SourceFile;

const FALLBACK_INPUT: &str = include_str!("../../fixtures/env0/deploy-cost-150.json");

fuzz_target!(|data: &[u8]| {
    let (policy, document) = match data.iter().position(|&byte| byte == 0) {
        Some(at) => data.split_at(at),
        None => (data, &[][..]),
    };
    let Ok(policy) = std::str::from_utf8(policy) else {
        return;
    };
    let input = document_of(document.get(1..).unwrap_or_default());
    let now = verdict::input::resolve_now(None, &input, "fuzz").unwrap_or_else(|_| fixed_now());
    evaluate(&SourceFile::new("fuzz.policy", policy), &input, now);
});

fn document_of(bytes: &[u8]) -> Value {
    verdict::input::decode("fuzz", bytes)
        .and_then(|text| verdict::input::parse_document("fuzz", text))
        .unwrap_or_else(|_| serde_json::from_str(FALLBACK_INPUT).unwrap_or_default())
}

fn fixed_now() -> DateTime<Utc> {
    verdict::input::parse_time("2026-11-21T10:00:00Z").unwrap_or_default()
}

fn evaluate(source: &Arc<SourceFile>, input: &Value, now: DateTime<Utc>) {
    let Ok(file) = dsl::parse::parse(source) else {
        return;
    };
    let checked = dsl::check::check(&file, source);
    if checked.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let mut rulesets = Vec::new();
    for item in &file.items {
        match item {
            Item::Policy(block) => {
                if let Ok(policy) = dsl::compile::CompiledPolicy::compile(block, source) {
                    let _ = policy.evaluate(input, now);
                    let _ = policy.explain(input, now);
                }
            }
            Item::Ruleset(block) => {
                if let Ok(lowered) = ruleset::lower(block, source) {
                    rulesets.push(lowered);
                }
            }
            Item::Test(_) => {}
        }
    }
    let rulesets = Rulesets::new(rulesets);
    let _ = rulesets.evaluate(input, now);
    let _ = rulesets.explain(input, now);
}
