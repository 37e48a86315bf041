//! Arbitrary text as a Rego file, loaded as `verdict eval` loads one: dialect detection,
//! `# METADATA` blocks, OPA's compile-time checks, the rewrites, the engine. A file that
//! loads is evaluated against a fixed input under a short time limit.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use verdict::rego::{RegoModule, RegoOptions, RegoPolicies};
use verdict::source::SourceFile;

const INPUT: &str = include_str!("../../fixtures/env0/deploy-cost-150.json");

fuzz_target!(|text: &str| {
    let options = RegoOptions {
        timeout: Some(Duration::from_secs(1)),
        capture_prints: true,
        ..RegoOptions::default()
    };
    let module = RegoModule {
        source: SourceFile::new("fuzz.rego", text),
    };
    let Ok(mut policies) = RegoPolicies::load(vec![module], Vec::new(), &options) else {
        return;
    };
    let input: serde_json::Value = serde_json::from_str(INPUT).unwrap_or_default();
    if policies.set_input(&input).is_err() {
        return;
    }
    let now = verdict::input::parse_time("2026-11-21T10:00:00Z").unwrap_or_default();
    for index in 0..policies.policies().len() {
        let _ = policies.evaluate(index, now);
    }
});
