//! A guard against verdict becoming several times slower. Each check compares verdict with
//! a baseline measured side by side in the same run (the hand-written floor, typed
//! parsing, `regorus` used directly, or verdict itself on a smaller workload), so a busy
//! or slow machine weighs on both sides alike; the checks run one after another, and one
//! over its bound is measured again before it fails. The bounds are generous — two to four
//! times the ratios of this unoptimised test build when they were set — so only a real
//! regression trips them. `cargo bench --bench ratios` gives the optimised figures.

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Duration;

use support::measure::{self, Budget};
use support::raw_regorus::{self, RawRegorus};
use support::workloads::{self, SHIPPED_COUNT};
use support::{Language, TextDecider, decide, decide_prepared, floor, messages, policy_set};
use verdict::policy_set::{LoadOptions, PolicySet};

const BUDGET: Budget = Budget {
    sample: Duration::from_millis(3),
    total: Duration::from_secs(2),
    samples: 21,
};

/// How many times a check over its bound is measured before it fails.
const ATTEMPTS: usize = 3;

/// Measures `ours` against `baseline` until the ratio of their medians is under `bound`,
/// at most [`ATTEMPTS`] times; shows each ratio (with `--nocapture`).
fn check(
    what: &str,
    bound: f64,
    mut ours: impl FnMut() -> usize,
    mut baseline: impl FnMut() -> usize,
) {
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mine, theirs) = measure::pair(BUDGET, &mut ours, &mut baseline);
        let ratio = mine.as_secs_f64() / theirs.as_secs_f64();
        eprintln!("{what}: {ratio:.2}× ({mine:?} / {theirs:?}), bound {bound}×");
        if ratio < bound {
            return;
        }
        ratios.push(ratio);
    }
    panic!("{what} took {ratios:.1?} times the baseline, over the bound of {bound}×");
}

#[test]
fn verdict_stays_within_a_few_times_its_baselines() {
    let hand = floor::policies(SHIPPED_COUNT);
    let mut set = policy_set(Language::Dsl, SHIPPED_COUNT);

    let small = workloads::small_input();
    let prepared_small = set.prepare(small.clone()).unwrap();
    check(
        "policy language / hand-written, small input",
        5.0,
        || decide_prepared(&mut set, &prepared_small).outcomes.len(),
        || floor::decide_json(&hand, &small).len(),
    );

    let plan = workloads::plan_input(300);
    let prepared_plan = set.prepare(plan.clone()).unwrap();
    check(
        "policy language / hand-written, 300 resource changes",
        2.5,
        || decide_prepared(&mut set, &prepared_plan).outcomes.len(),
        || floor::decide_json(&hand, &plan).len(),
    );

    let mut separate = set.clone();
    separate.share_walks(false);
    check(
        "one walk over the plan / a walk per policy, 300 resource changes",
        1.5,
        || decide_prepared(&mut set, &prepared_plan).outcomes.len(),
        || {
            decide_prepared(&mut separate, &prepared_plan)
                .outcomes
                .len()
        },
    );

    let text = plan.to_string();
    let mut decider = TextDecider::new(policy_set(Language::Dsl, SHIPPED_COUNT));
    check(
        "JSON text to verdict / typed parsing, 300 resource changes",
        4.0,
        || decider.decide(&text).outcomes.len(),
        || floor::decide_text_typed(&hand, &text).len(),
    );

    let few = workloads::plan_input(30);
    let mut other = policy_set(Language::Dsl, SHIPPED_COUNT);
    check(
        "300 / 30 resource changes",
        25.0,
        || decide(&mut set, &plan).outcomes.len(),
        || decide(&mut other, &few).outcomes.len(),
    );

    let mut rego = policy_set(Language::Rego, SHIPPED_COUNT);
    let prepared = rego.prepare(small.clone()).unwrap();
    let mut raw = RawRegorus::load(&workloads::rego_set(SHIPPED_COUNT));
    let raw_input = raw_regorus::input(&small.to_string());
    check(
        "Rego path / regorus used directly, small input",
        4.0,
        || decide_prepared(&mut rego, &prepared).outcomes.len(),
        || raw.decide(&raw_input),
    );

    // The engine compiles a pattern once per process (its `cache` feature): 5.1–5.7× in
    // this build when the bound was set, 15–18× with a pattern compiled on every call.
    let mut patterns = rego_policy("patterns", PATTERNS);
    let mut plain = rego_policy("plain", PLAIN);
    let decided = |set: &mut PolicySet| messages(&decide_prepared(set, &prepared).outcomes);
    assert_eq!(decided(&mut patterns), decided(&mut plain));
    check(
        "Rego with regex.match and glob.match / the same with string builtins, small input",
        10.0,
        || decide_prepared(&mut patterns, &prepared).outcomes.len(),
        || decide_prepared(&mut plain, &prepared).outcomes.len(),
    );
}

/// Addresses and types tested with patterns, and [`PLAIN`], the same tests without: both
/// give one warning on the small input.
const PATTERNS: &str = r#"package guard.names

import rego.v1

deny contains change.address if {
	some change in input.plan.resource_changes
	not regex.match(`^[a-z_]+\.[a-z0-9_-]+$`, change.address)
}

warn contains change.address if {
	some change in input.plan.resource_changes
	glob.match("aws_security_group*", ["."], change.type)
}
"#;

const PLAIN: &str = r#"package guard.names

import rego.v1

deny contains change.address if {
	some change in input.plan.resource_changes
	not contains(change.address, ".")
}

warn contains change.address if {
	some change in input.plan.resource_changes
	startswith(change.type, "aws_security_group")
}
"#;

/// A set of one Rego file, loaded from a folder of its own that is then removed.
fn rego_policy(name: &str, text: &str) -> PolicySet {
    let folder = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("guard-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("policy.rego"), text).unwrap();
    let set = PolicySet::load(std::slice::from_ref(&folder), &LoadOptions::default()).unwrap();
    let _ = std::fs::remove_dir_all(&folder);
    set
}
