//! The figures of docs/performance.md, as ratios measured in one run: verdict against the
//! hand-written floor, against typed parsing, against `regorus` used directly; how cost
//! grows with plan size and policy count; whole `verdict eval` processes; `--batch`
//! throughput.
//!
//! `cargo bench --bench ratios` runs it all (a few minutes); `cargo bench --bench ratios --
//! per-decision` runs only the groups whose name contains the word. `instructions` and
//! `stalls` (by name only, with `valgrind`) count instructions per decision, and the cache
//! misses and mispredicted branches `cachegrind` simulates.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::measure::{self, Budget, show};
use support::raw_regorus::{self, RawRegorus, RawRvm};
use support::workloads::{self, BATCH_LINES, SHIPPED_COUNT};
use support::{Language, TextDecider, decide, decide_prepared, messages, policy_set};
use support::{floor, instructions};

fn main() {
    let arguments: Vec<String> = std::env::args().collect();
    if let [_, flag, subject, repeats] = arguments.as_slice()
        && flag == "--repeat"
    {
        instructions::repeat(subject, repeats.parse().expect("a count"));
        return;
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let wanted =
        |group: &str| filter.is_empty() || filter.iter().any(|word| group.contains(word.as_str()));
    println!("| comparison | workload | verdict | baseline | ratio | target |");
    println!("| --- | --- | --- | --- | --- | --- |");
    if wanted("per-decision") {
        per_decision();
    }
    if wanted("walks") {
        shared_walks();
    }
    if wanted("text") {
        text_to_verdict();
    }
    if wanted("rego") {
        rego_against_regorus();
    }
    if wanted("scaling") {
        scaling();
    }
    if wanted("process") {
        whole_process();
    }
    if wanted("batch") {
        batch();
    }
    if filter.iter().any(|word| word == "instructions") {
        instruction_counts(&arguments[0]);
    }
    if filter.iter().any(|word| word == "stalls") {
        stall_counts(&arguments[0]);
    }
}

/// The comparisons counted in instructions: comparison, workload, verdict's subject, the
/// baseline's, and the target.
const COUNTED: [(&str, &str, &str, &str, &str); 7] = [
    (
        "DSL evaluation / hand-written",
        "small, 7 policies",
        "dsl small",
        "floor small",
        "≤ 2×",
    ),
    (
        "DSL evaluation / hand-written",
        "plan-1000, 7 policies",
        "dsl plan-1000",
        "floor plan-1000",
        "≤ 1.5× at 10,000",
    ),
    (
        "DSL text → verdict / typed",
        "small, 7 policies",
        "dsl text small",
        "typed text small",
        "≤ 3×",
    ),
    (
        "DSL text → verdict / typed",
        "plan-1000, 7 policies",
        "dsl text plan-1000",
        "typed text plan-1000",
        "≤ 2× at 10,000",
    ),
    (
        "Rego path / regorus",
        "small, 7 policies",
        "rego small",
        "regorus small",
        "≤ 1.1×",
    ),
    (
        "Rego path / regorus",
        "small, 1 policy",
        "rego-1 small",
        "regorus-1 small",
        "≤ 1.1×",
    ),
    (
        "Rego compiled mode / regorus RVM",
        "small, 7 policies",
        "rego-compiled small",
        "rvm small",
        "≤ 1.1×",
    ),
];

/// Those whose time ratio is larger than their instruction ratio, whose stalls are
/// simulated.
const STALLED: [&str; 2] = ["dsl text small", "rego-compiled small"];

/// What the processor waits on, per decision, where a time ratio is larger than its
/// instruction ratio (only when asked for by name, and where `valgrind` is installed).
fn stall_counts(program: &str) {
    println!();
    println!(
        "| comparison (simulated, per decision) | workload | measure | verdict | baseline | ratio |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let stalled = COUNTED
        .iter()
        .filter(|(_, _, ours, _, _)| STALLED.contains(ours));
    for (comparison, workload, ours, baseline, _) in stalled {
        let (Some(mine), Some(theirs)) = (
            instructions::stalls_per_decision(program, ours),
            instructions::stalls_per_decision(program, baseline),
        ) else {
            println!("valgrind is not available: no simulated stalls");
            return;
        };
        for ((measure, mine), (_, theirs)) in mine.measures().into_iter().zip(theirs.measures()) {
            let ratio = if theirs > 0.0 {
                format!("{:.2}×", mine / theirs)
            } else {
                "—".to_string()
            };
            println!(
                "| {comparison} | {workload} | {measure} | {mine:.0} | {theirs:.0} | {ratio} |"
            );
        }
    }
}

/// The same comparisons in instructions per decision (only when asked for by name, and
/// where `valgrind` is installed): the steadiest figures on a busy machine.
fn instruction_counts(program: &str) {
    println!();
    println!(
        "| comparison (instructions per decision) | workload | verdict | baseline | ratio | target |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (comparison, workload, ours, baseline, target) in COUNTED {
        let (Some(mine), Some(theirs)) = (
            instructions::per_decision(program, ours),
            instructions::per_decision(program, baseline),
        ) else {
            println!("valgrind is not available: no instruction counts");
            return;
        };
        println!(
            "| {comparison} | {workload} | {mine:.0} | {theirs:.0} | {:.2}× | {target} |",
            mine / theirs
        );
    }
}

fn row(comparison: &str, workload: &str, ours: Duration, baseline: Duration, target: &str) {
    let ratio = ours.as_secs_f64() / baseline.as_secs_f64();
    println!(
        "| {comparison} | {workload} | {} | {} | {ratio:.2}× | {target} |",
        show(ours),
        show(baseline)
    );
}

fn input_named(name: &str) -> serde_json::Value {
    match name.strip_prefix("plan-") {
        Some(size) => workloads::plan_input(size.parse().expect("a plan size")),
        None => workloads::small_input(),
    }
}

/// DSL path, evaluation only, policies compiled once, against the hand-written floor over
/// a `serde_json::Value`; each over the input in its own form, parsed beforehand.
fn per_decision() {
    for (input_name, count, target) in [
        ("small", SHIPPED_COUNT, "≤ 2×"),
        ("plan-10000", SHIPPED_COUNT, "≤ 1.5×"),
        ("small", 1, ""),
        ("plan-10000", 1, "≤ 1.5×"),
        ("small", 100, ""),
    ] {
        let input = input_named(input_name);
        let mut set = policy_set(Language::Dsl, count);
        let hand = floor::policies(count);
        assert_eq!(
            messages(&decide(&mut set, &input).outcomes),
            messages(&floor::decide_json(&hand, &input)),
            "the floor decides as the policies do"
        );
        let prepared = set.prepare(input.clone()).expect("the input converts");
        let (ours, floor_time) = measure::pair(
            Budget::BENCH,
            || decide_prepared(&mut set, &prepared).outcomes.len(),
            || floor::decide_json(&hand, &input).len(),
        );
        row(
            "DSL evaluation / hand-written over Value",
            &format!("{input_name}, {count} policies"),
            ours,
            floor_time,
            target,
        );
    }
}

/// DSL path, the rules of several policies that go over the plan walking it once between
/// them, and their `let`s in common evaluated once, against each policy on its own
/// (`PolicySet::share_walks(false)`).
fn shared_walks() {
    for (input_name, count) in [
        ("small", SHIPPED_COUNT),
        ("plan-1000", SHIPPED_COUNT),
        ("plan-10000", SHIPPED_COUNT),
        ("plan-10000", 100),
        ("plan-10000 of no-ops", SHIPPED_COUNT),
    ] {
        let input = match input_name.strip_suffix(" of no-ops") {
            Some(plan) => nothing_changes(input_named(plan)),
            None => input_named(input_name),
        };
        let mut shared = policy_set(Language::Dsl, count);
        let mut separate = shared.clone();
        separate.share_walks(false);
        assert!(!shared.shared_walks().is_empty(), "the set shares a walk");
        let prepared = shared.prepare(input.clone()).expect("the input converts");
        assert_eq!(
            messages(&decide_prepared(&mut shared, &prepared).outcomes),
            messages(&decide_prepared(&mut separate, &prepared).outcomes),
            "one walk decides as a walk per policy"
        );
        let (ours, baseline) = measure::pair(
            Budget::BENCH,
            || decide_prepared(&mut shared, &prepared).outcomes.len(),
            || decide_prepared(&mut separate, &prepared).outcomes.len(),
        );
        row(
            "DSL evaluation, shared walks and lets / each policy alone",
            &format!("{input_name}, {count} policies"),
            ours,
            baseline,
            "< 1×",
        );
    }
}

/// The same input with every change of its plan a no-op, as in a drift check that finds
/// nothing: the policies that look for a change that is not a no-op go over the whole plan.
fn nothing_changes(mut input: serde_json::Value) -> serde_json::Value {
    if let Some(changes) = input["plan"]["resource_changes"].as_array_mut() {
        for change in changes {
            change["change"]["actions"] = serde_json::json!(["no-op"]);
        }
    }
    input
}

/// DSL path from JSON text to verdict, against parsing into typed structs and deciding by
/// hand; and the hand-written decision over `serde_json::Value` for scale.
fn text_to_verdict() {
    for (input_name, target) in [("small", "≤ 3×"), ("plan-10000", "≤ 2×")] {
        let text = input_named(input_name).to_string();
        let mut decider = TextDecider::new(policy_set(Language::Dsl, SHIPPED_COUNT));
        let hand = floor::policies(SHIPPED_COUNT);
        assert_eq!(
            messages(&decider.decide(&text).outcomes),
            messages(&floor::decide_text_typed(&hand, &text)),
            "the floor decides as the policies do"
        );
        let workload = format!("{input_name}, {SHIPPED_COUNT} policies");
        let (ours, typed) = measure::pair(
            Budget::BENCH,
            || decider.decide(&text).outcomes.len(),
            || floor::decide_text_typed(&hand, &text).len(),
        );
        row(
            "DSL text → verdict / typed parse + hand-written",
            &workload,
            ours,
            typed,
            target,
        );
        let mut whole = TextDecider::whole(policy_set(Language::Dsl, SHIPPED_COUNT));
        let (ours_whole, typed) = measure::pair(
            Budget::BENCH,
            || whole.decide(&text).outcomes.len(),
            || floor::decide_text_typed(&hand, &text).len(),
        );
        row(
            "(before) DSL text → verdict, whole parse / typed",
            &workload,
            ours_whole,
            typed,
            "",
        );
        let (generic, typed) = measure::pair(
            Budget::BENCH,
            || floor::decide_text_json(&hand, &text).len(),
            || floor::decide_text_typed(&hand, &text).len(),
        );
        row(
            "(scale) Value parse + hand-written / typed",
            &workload,
            generic,
            typed,
            "",
        );
    }
}

/// Rego path per decision against the same Rego in one `regorus` engine used directly.
fn rego_against_regorus() {
    for (input_name, count) in [
        ("small", SHIPPED_COUNT),
        ("small", 1),
        ("small", 100),
        ("plan-1000", SHIPPED_COUNT),
    ] {
        let input = input_named(input_name);
        let text = input.to_string();
        let mut set = policy_set(Language::Rego, count);
        let mut raw = RawRegorus::load(&workloads::rego_set(count));
        let raw_input = raw_regorus::input(&text);
        assert_eq!(
            decide(&mut set, &input).outcomes.len(),
            raw.decide(&raw_input),
            "regorus gives as many outcomes as verdict"
        );
        let prepared = set.prepare(input.clone()).expect("the input converts");
        let workload = format!("{input_name}, {count} policies");
        let (ours, baseline) = measure::pair(
            Budget::BENCH,
            || decide_prepared(&mut set, &prepared).outcomes.len(),
            || raw.decide(&raw_input),
        );
        row(
            "Rego path / regorus eval_rule, inputs in each one's form",
            &workload,
            ours,
            baseline,
            "≤ 1.1×",
        );
        let (ours, baseline) = measure::pair(
            Budget::BENCH,
            || decide(&mut set, &input).outcomes.len(),
            || raw.decide(&raw_input),
        );
        row(
            "(incl. conversion) Rego path from a Value / regorus",
            &workload,
            ours,
            baseline,
            "",
        );
        if count <= SHIPPED_COUNT {
            compiled_against_rvm(&input, &text, count, &workload);
        }
    }
}

/// Compiled mode (`--batch --rego-compiled`) against `regorus`'s own register machine, past
/// the decisions checked against the interpreter.
fn compiled_against_rvm(input: &serde_json::Value, text: &str, count: usize, workload: &str) {
    let mut set = support::compiled_rego_set(count);
    let mut raw = RawRvm::load(&workloads::rego_set(count));
    let raw_input = raw_regorus::input(text);
    let prepared = set.prepare(input.clone()).expect("the input converts");
    for _ in 0..100 {
        decide_prepared(&mut set, &prepared);
    }
    assert_eq!(
        decide_prepared(&mut set, &prepared).outcomes.len(),
        raw.decide(&raw_input),
        "the machine gives as many outcomes as verdict"
    );
    let (ours, baseline) = measure::pair(
        Budget::BENCH,
        || decide_prepared(&mut set, &prepared).outcomes.len(),
        || raw.decide(&raw_input),
    );
    row(
        "Rego compiled mode / regorus RVM, inputs in each one's form",
        workload,
        ours,
        baseline,
        "≤ 1.1×",
    );
}

/// Cost against plan size and policy count: a tenfold workload should cost about ten
/// times as much.
fn scaling() {
    let budget = Budget::BENCH;
    for language in [Language::Dsl, Language::Rego] {
        let (mut one, mut other) = (
            policy_set(language, SHIPPED_COUNT),
            policy_set(language, SHIPPED_COUNT),
        );
        let small_plan = one.prepare(input_named("plan-1000")).expect("converts");
        let large_plan = one.prepare(input_named("plan-10000")).expect("converts");
        let (large, small) = measure::pair(
            budget,
            || decide_prepared(&mut one, &large_plan).outcomes.len(),
            || decide_prepared(&mut other, &small_plan).outcomes.len(),
        );
        let comparison = format!("{} path, 10,000 / 1,000 changes", language.name());
        row(&comparison, "7 policies", large, small, "≈ 10× (linear)");

        let mut ten = policy_set(language, 10);
        let mut hundred = policy_set(language, 100);
        let input = hundred.prepare(input_named("small")).expect("converts");
        let (many, few) = measure::pair(
            budget,
            || decide_prepared(&mut hundred, &input).outcomes.len(),
            || decide_prepared(&mut ten, &input).outcomes.len(),
        );
        let comparison = format!("{} path, 100 / 10 policies", language.name());
        row(&comparison, "small", many, few, "≈ 10× (linear)");
    }
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_verdict")
}

/// The small input and the batch, written where the binary can read them.
fn workload_files() -> (PathBuf, PathBuf) {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("workloads");
    std::fs::create_dir_all(&folder).expect("the folder is writable");
    let small = folder.join("small.json");
    std::fs::write(&small, workloads::small_input().to_string()).expect("writable");
    let batch = folder.join("batch.ndjson");
    std::fs::write(&batch, workloads::batch_ndjson(BATCH_LINES)).expect("writable");
    (small, batch)
}

/// Whole `verdict eval` processes on the small input: start, load, parse, evaluate,
/// print. Each is measured in turn with `verdict --version`, the floor every process pays
/// to start on this machine; the policy-language set both parsed and read back from the
/// parse cache.
fn whole_process() {
    let (small, _) = workload_files();
    let root = workloads::root();
    let shipped_dsl = root.join("policies/dsl");
    let one_rego = root.join("policies/env0/protect-critical-resources.rego");
    let shipped_rego = root.join("policies/env0");
    let budget = Budget {
        sample: Duration::from_millis(1),
        total: Duration::from_secs(6),
        samples: 41,
    };
    // The parse cache: a fresh one, filled by the first run; or none.
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ratios-cache");
    let _ = std::fs::remove_dir_all(&cache);
    let cached = cache.display().to_string();
    for (name, policies, cache, target) in [
        (
            "shipped DSL policies, parsed",
            &shipped_dsl,
            "off",
            "≤ 2 ms",
        ),
        (
            "shipped DSL policies, cached parse",
            &shipped_dsl,
            &*cached,
            "≤ 2 ms",
        ),
        ("one Rego policy", &one_rego, "off", "≤ 5 ms"),
        ("shipped Rego set", &shipped_rego, "off", "≤ 10 ms"),
    ] {
        let mut args = eval_args(policies, &small);
        args.extend(["--cache".to_string(), cache.to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (took, start_only) = measure::pair(
            budget,
            || measure::run_binary(binary(), &args, None) as usize,
            || measure::run_binary(binary(), &["--version"], None) as usize,
        );
        row(
            "whole `verdict eval` / `verdict --version`",
            name,
            took,
            start_only,
            target,
        );
    }
}

fn eval_args(policies: &Path, input: &Path) -> Vec<String> {
    vec![
        "eval".into(),
        "-p".into(),
        policies.display().to_string(),
        "-i".into(),
        input.display().to_string(),
        "--now".into(),
        workloads::NOW.into(),
    ]
}

/// `verdict eval --batch` over the NDJSON batch: decisions per second of wall time, and
/// per second of CPU time (per core), which other work on the machine does not change.
fn batch() {
    let (_, lines) = workload_files();
    for (name, language, mode, target) in [
        ("DSL twins", Language::Dsl, None, 60_000.0),
        ("Rego set", Language::Rego, None, 15_000.0),
        (
            "Rego set",
            Language::Rego,
            Some("--rego-compiled"),
            15_000.0,
        ),
    ] {
        let policies = support::write_policy_set(language, SHIPPED_COUNT, "batch");
        let policies = policies.display().to_string();
        for jobs in ["1", "2"] {
            let mut args = vec![
                "eval",
                "-p",
                &policies,
                "--batch",
                "-j",
                jobs,
                "--now",
                workloads::NOW,
            ];
            args.extend(mode);
            let shown_mode = mode.map(|flag| format!(" {flag}")).unwrap_or_default();
            let mut runs: Vec<(Duration, Duration)> = (0..3)
                .map(|_| measure::run_binary_timed(binary(), &args, Some(&lines)))
                .collect();
            runs.sort();
            let (wall, cpu) = runs[1];
            let lines = BATCH_LINES as f64;
            println!(
                "| `--batch -j {jobs}{shown_mode}` | {name}, {BATCH_LINES} lines | {:.0}/s wall, {:.0}/s per core | {} wall, {} CPU | | ≥ {target:.0}/s per core |",
                lines / wall.as_secs_f64(),
                lines / cpu.as_secs_f64(),
                show(wall),
                show(cpu),
            );
        }
    }
}
