//! The benchmark suite, every subject on every workload: `cargo bench --bench verdict`
//! (add a filter such as `per_decision` to run some). Ratios between the subjects, measured
//! side by side in one run, come from `cargo bench --bench ratios`.
//!
//! Subjects per decision, policies compiled once: the policy-language (DSL) path, the Rego
//! path, `regorus` on the same Rego used directly, and the hand-written floor; from JSON
//! text: the DSL path against typed parsing; whole processes; `--batch` throughput.

mod support;

use divan::Bencher;
use support::floor;
use support::raw_regorus::{self, RawRegorus};
use support::workloads::{self, BATCH_LINES};
use support::{Language, TextDecider, decide_prepared, policy_set};

fn main() {
    divan::main();
}

const INPUTS: [&str; 5] = ["small", "plan-10", "plan-100", "plan-1000", "plan-10000"];

fn input_named(name: &str) -> serde_json::Value {
    match name.strip_prefix("plan-") {
        Some(size) => workloads::plan_input(size.parse().expect("a plan size")),
        None => workloads::small_input(),
    }
}

/// One decision over a parsed input, policies compiled once.
mod per_decision {
    use super::*;

    #[divan::bench(consts = [1, 7, 10, 100], args = INPUTS, max_time = 2)]
    fn dsl<const POLICIES: usize>(bencher: Bencher, input: &str) {
        let input = input_named(input);
        let mut set = policy_set(Language::Dsl, POLICIES);
        let input = set.prepare(input).expect("the input converts");
        bencher.bench_local(|| decide_prepared(&mut set, &input));
    }

    #[divan::bench(consts = [1, 7, 10, 100], args = INPUTS, max_time = 2)]
    fn rego<const POLICIES: usize>(bencher: Bencher, input: &str) {
        let input = input_named(input);
        let mut set = policy_set(Language::Rego, POLICIES);
        let input = set.prepare(input).expect("the input converts");
        bencher.bench_local(|| decide_prepared(&mut set, &input));
    }

    #[divan::bench(consts = [1, 7, 10, 100], args = INPUTS, max_time = 2)]
    fn regorus<const POLICIES: usize>(bencher: Bencher, input: &str) {
        let input = raw_regorus::input(&input_named(input).to_string());
        let mut engine = RawRegorus::load(&workloads::rego_set(POLICIES));
        bencher.bench_local(|| engine.decide(&input));
    }

    #[divan::bench(consts = [1, 7, 10, 100], args = INPUTS, max_time = 2)]
    fn floor<const POLICIES: usize>(bencher: Bencher, input: &str) {
        let input = input_named(input);
        let set = floor::policies(POLICIES);
        bencher.bench_local(|| floor::decide_json(&set, &input));
    }
}

/// From the JSON text of the input to the decision, the 7 shipped policies.
mod text_to_verdict {
    use super::*;

    #[divan::bench(args = INPUTS, max_time = 2)]
    fn dsl(bencher: Bencher, input: &str) {
        let text = input_named(input).to_string();
        let mut decider = TextDecider::new(policy_set(Language::Dsl, workloads::SHIPPED_COUNT));
        bencher.bench_local(|| decider.decide(&text));
    }

    #[divan::bench(args = INPUTS, max_time = 2)]
    fn rego(bencher: Bencher, input: &str) {
        let text = input_named(input).to_string();
        let mut decider = TextDecider::new(policy_set(Language::Rego, workloads::SHIPPED_COUNT));
        bencher.bench_local(|| decider.decide(&text));
    }

    #[divan::bench(args = INPUTS, max_time = 2)]
    fn floor_typed(bencher: Bencher, input: &str) {
        let text = input_named(input).to_string();
        let set = floor::policies(workloads::SHIPPED_COUNT);
        bencher.bench_local(|| floor::decide_text_typed(&set, &text));
    }

    #[divan::bench(args = INPUTS, max_time = 2)]
    fn floor_value(bencher: Bencher, input: &str) {
        let text = input_named(input).to_string();
        let set = floor::policies(workloads::SHIPPED_COUNT);
        bencher.bench_local(|| floor::decide_text_json(&set, &text));
    }
}

/// Whole `verdict eval` processes on the small input, and `--batch` over 10,000 lines.
mod process {
    use std::path::PathBuf;

    use super::*;
    use support::measure::run_binary;

    fn small_input_file() -> PathBuf {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("small.json");
        std::fs::write(&path, workloads::small_input().to_string()).expect("writable");
        path
    }

    #[divan::bench(args = ["policies/dsl", "policies/env0/protect-critical-resources.rego", "policies/env0"], sample_count = 30, sample_size = 1)]
    fn eval(bencher: Bencher, policies: &str) {
        let input = small_input_file();
        let policies = workloads::root().join(policies);
        let args = [
            "eval",
            "-p",
            policies.to_str().expect("a UTF-8 path"),
            "-i",
            input.to_str().expect("a UTF-8 path"),
            // Parsing every time; `ratios -- process` measures the parse cache too.
            "--cache",
            "off",
        ];
        bencher.bench_local(|| run_binary(env!("CARGO_BIN_EXE_verdict"), &args, None));
    }

    #[divan::bench(args = ["dsl -j 1", "dsl -j 2", "rego -j 1", "rego -j 2"], sample_count = 3, sample_size = 1)]
    fn batch(bencher: Bencher, case: &str) {
        let (language, jobs) = case.split_once(" -j ").expect("a case");
        let language = if language == "dsl" {
            Language::Dsl
        } else {
            Language::Rego
        };
        let folder = support::write_policy_set(language, workloads::SHIPPED_COUNT, "batch");
        let lines = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("batch.ndjson");
        std::fs::write(&lines, workloads::batch_ndjson(BATCH_LINES)).expect("writable");
        let args = [
            "eval",
            "-p",
            folder.to_str().expect("a UTF-8 path"),
            "--batch",
            "-j",
            jobs,
            "--now",
            workloads::NOW,
        ];
        bencher
            .counter(divan::counter::ItemsCount::new(BATCH_LINES))
            .bench_local(|| run_binary(env!("CARGO_BIN_EXE_verdict"), &args, Some(&lines)));
    }
}
