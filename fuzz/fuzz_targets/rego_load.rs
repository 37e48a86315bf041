//! Arbitrary text as a Rego file, loaded as `verdict eval` loads one: dialect detection,
//! `# METADATA` blocks, OPA's compile-time checks, the rewrites, the engine. A file that
//! loads is evaluated against a fixed input under a short time limit, by the interpreter
//! in compiled mode (`--batch --rego-compiled`), and with its constant rules written in
//! where they are used and its package short-named in the engine (as `--batch` loads it),
//! whose answers must be the same.

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
    let Ok(mut policies) = RegoPolicies::load(vec![module.clone()], Vec::new(), &options) else {
        return;
    };
    let streaming = RegoOptions {
        rewrite_for_stream: true,
        ..options
    };
    let mut written_in = match RegoPolicies::load(vec![module], Vec::new(), &streaming) {
        Ok(written_in) => written_in,
        Err(error) => panic!("loads as it is, not as rewritten for a stream: {error:?}"),
    };
    let input: serde_json::Value = serde_json::from_str(INPUT).unwrap_or_default();
    if policies.set_input(&input).is_err() || written_in.set_input(&input).is_err() {
        return;
    }
    let now = verdict::input::parse_time("2026-11-21T10:00:00Z").unwrap_or_default();
    let mut compiled = policies.clone();
    compiled.compile();
    for index in 0..policies.policies().len() {
        let interpreted = policies.evaluate(index, now);
        // The machine runs the program, and must not crash or hang on any; the answer
        // given is the interpreter's while the package is checked, or after a difference.
        let decided = compiled.evaluate(index, now);
        if let (Ok(expected), Ok(decided)) = (&interpreted, &decided) {
            assert_eq!(expected, decided, "compiled mode answered differently");
        }
        if let (Ok(expected), Ok(decided)) = (&interpreted, &written_in.evaluate(index, now)) {
            assert_eq!(
                expected, decided,
                "rewritten for a stream, the policy answered differently"
            );
        }
    }
});
