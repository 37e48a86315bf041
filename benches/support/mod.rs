//! What the benchmarks share: the workloads, the hand-written floor, the raw `regorus`
//! baseline, and the subjects measured against them.

#![allow(dead_code)]

pub mod floor;
pub mod instructions;
pub mod measure;
pub mod raw_regorus;
pub mod workloads;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde_json::Value;
use verdict::policy_set::{LoadOptions, PolicySet, PreparedInput};
use verdict::projection::Projection;
use verdict::{Decision, Verdict};

/// The allocator the `verdict` binary runs with, so that both sides of every ratio
/// allocate as the binary does.
#[global_allocator]
static ALLOCATOR: verdict::guard::CountingAllocator = verdict::guard::CountingAllocator;

/// The two policy languages, as the workload folders name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Rego,
    Dsl,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Language::Rego => "rego",
            Language::Dsl => "dsl",
        }
    }
}

/// The evaluation time of every workload, read once: measuring must not parse it per
/// decision, which the floor does not do.
pub fn now() -> DateTime<Utc> {
    static NOW: OnceLock<DateTime<Utc>> = OnceLock::new();
    *NOW.get_or_init(|| workloads::NOW.parse().expect("a valid time"))
}

/// Writes the set of `count` policies under `name` in the workload folder, for verdict to
/// load; returns the folder.
pub fn write_policy_set(language: Language, count: usize, name: &str) -> PathBuf {
    let files = match language {
        Language::Rego => workloads::rego_set(count),
        Language::Dsl => workloads::dsl_set(count),
    };
    let folder = PathBuf::from(option_env!("CARGO_TARGET_TMPDIR").unwrap_or("target/tmp"))
        .join("workloads")
        .join(format!("{}-{count}-{name}", language.name()));
    workloads::write_set(&folder, &files).expect("the workload folder is writable");
    folder
}

/// The set of `count` policies, loaded and compiled once. It is written to a folder of its
/// own, read, and removed, so that tests running at once do not share folders.
pub fn policy_set(language: Language, count: usize) -> PolicySet {
    policy_set_with(language, count, &LoadOptions::default())
}

/// The set of `count` policies in Rego compiled mode, loaded as `--batch --rego-compiled`
/// loads them (the files rewritten for a stream of decisions).
pub fn compiled_rego_set(count: usize) -> PolicySet {
    let options = LoadOptions {
        rewrite_for_stream: true,
        ..LoadOptions::default()
    };
    let mut set = policy_set_with(Language::Rego, count, &options);
    set.compile_rego();
    set
}

fn policy_set_with(language: Language, count: usize, options: &LoadOptions) -> PolicySet {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let folder = write_policy_set(language, count, &name);
    let set = PolicySet::load(std::slice::from_ref(&folder), options).expect("the workload loads");
    let _ = std::fs::remove_dir_all(&folder);
    set
}

/// One decision over a parsed input.
pub fn decide(set: &mut PolicySet, input: &Value) -> Decision {
    set.decide(input, now(), Verdict::Pending)
        .expect("the workload decides")
}

/// One decision over an input already in the set's form (see `PolicySet::prepare`), as
/// `regorus` used directly decides over an input already in its form.
pub fn decide_prepared(set: &mut PolicySet, input: &PreparedInput) -> Decision {
    set.decide_prepared(input, now(), Verdict::Pending)
        .expect("the workload decides")
}

/// A policy set deciding from JSON text, as `verdict eval` and `--batch` do: the input is
/// read only as far as the policies read it, the evaluation time found, the input decided.
pub struct TextDecider {
    pub set: PolicySet,
    projection: Projection,
}

impl TextDecider {
    pub fn new(set: PolicySet) -> TextDecider {
        let projection = set.input_projection();
        TextDecider { set, projection }
    }

    /// The same, reading the whole document as verdict did before it read only what the
    /// policies read.
    pub fn whole(set: PolicySet) -> TextDecider {
        TextDecider {
            set,
            projection: Projection::whole(),
        }
    }

    pub fn decide(&mut self, text: &str) -> Decision {
        self.set
            .decide_text(
                "input",
                text,
                &self.projection,
                Some(now()),
                Verdict::Pending,
            )
            .expect("the workload decides")
    }
}

/// The messages of a decision, sorted, to compare subjects.
pub fn messages(outcomes: &[verdict::Outcome]) -> Vec<(Verdict, String)> {
    let mut all: Vec<(Verdict, String)> = outcomes
        .iter()
        .map(|outcome| (outcome.verdict, outcome.message.clone()))
        .collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all
}
