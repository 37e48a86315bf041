//! Instruction counts per decision, where `valgrind` is installed: unlike times, they do
//! not move with whatever else the machine is doing, so their ratios are the steadiest
//! figures a shared machine gives. Each subject runs in a process of its own under
//! `callgrind`, once repeated `REPEATS` times and once not at all; the difference, divided
//! by `REPEATS`, is one decision without the setup.

#![allow(dead_code)]

use std::process::Command;

use super::floor;
use super::raw_regorus::{self, RawRegorus, RawRvm};
use super::workloads;
use super::{Language, TextDecider, compiled_rego_set, decide_prepared, policy_set};

/// How many times a subject is repeated under `callgrind`.
const REPEATS: usize = 200;

/// The subjects, by name: what one repetition does.
pub const SUBJECTS: [&str; 14] = [
    "dsl small",
    "floor small",
    "dsl text small",
    "typed text small",
    "dsl plan-1000",
    "floor plan-1000",
    "dsl text plan-1000",
    "typed text plan-1000",
    "rego small",
    "regorus small",
    "rego-1 small",
    "regorus-1 small",
    "rego-compiled small",
    "rvm small",
];

/// Runs `subject` `repeats` times (the process `callgrind` watches).
pub fn repeat(subject: &str, repeats: usize) {
    let (kind, input_name) = subject.rsplit_once(' ').expect("a subject and an input");
    let input = match input_name.strip_prefix("plan-") {
        Some(size) => workloads::plan_input(size.parse().expect("a size")),
        None => workloads::small_input(),
    };
    let text = input.to_string();
    let count = workloads::SHIPPED_COUNT;
    let mut sink = 0;
    match kind {
        "dsl" | "dsl separate" => {
            let mut set = policy_set(Language::Dsl, count);
            set.share_walks(kind == "dsl");
            let prepared = set.prepare(input).expect("the input converts");
            (0..repeats).for_each(|_| sink += decide_prepared(&mut set, &prepared).outcomes.len());
        }
        "floor" => {
            let set = floor::policies(count);
            (0..repeats).for_each(|_| sink += floor::decide_json(&set, &input).len());
        }
        "dsl text" => {
            let mut decider = TextDecider::new(policy_set(Language::Dsl, count));
            (0..repeats).for_each(|_| sink += decider.decide(&text).outcomes.len());
        }
        "typed text" => {
            let set = floor::policies(count);
            (0..repeats).for_each(|_| sink += floor::decide_text_typed(&set, &text).len());
        }
        "rego" | "rego-1" | "rego-10" | "rego-100" | "rego-compiled" => {
            let count = match kind {
                "rego-1" => 1,
                "rego-10" => 10,
                "rego-100" => 100,
                _ => count,
            };
            let compiled = kind == "rego-compiled";
            let mut set = if compiled {
                compiled_rego_set(count)
            } else {
                policy_set(Language::Rego, count)
            };
            let prepared = set.prepare(input).expect("the input converts");
            // Compiled mode past the decisions checked against the interpreter, as the
            // timed comparison measures it.
            let warm_up = if compiled { 100 } else { 0 };
            (0..warm_up).for_each(|_| sink += decide_prepared(&mut set, &prepared).outcomes.len());
            (0..repeats).for_each(|_| sink += decide_prepared(&mut set, &prepared).outcomes.len());
        }
        "regorus" | "regorus-1" => {
            let count = if kind == "regorus" { count } else { 1 };
            let mut raw = RawRegorus::load(&workloads::rego_set(count));
            let raw_input = raw_regorus::input(&text);
            (0..repeats).for_each(|_| sink += raw.decide(&raw_input));
        }
        "rvm" => {
            let mut raw = RawRvm::load(&workloads::rego_set(count));
            let raw_input = raw_regorus::input(&text);
            (0..repeats).for_each(|_| sink += raw.decide(&raw_input));
        }
        other => panic!("no subject `{other}`"),
    }
    std::hint::black_box(sink);
}

/// What the processor waits on in one repetition of a subject, as `cachegrind` simulates
/// it: where a time ratio is larger than the instruction ratio, these say why.
#[derive(Clone, Copy, Debug)]
pub struct Stalls {
    pub instructions: f64,
    /// Fetches that missed the first-level instruction cache.
    pub instruction_misses: f64,
    /// Reads and writes that missed the first-level data cache.
    pub data_misses: f64,
    /// Conditional and indirect branches whose direction or target was mispredicted.
    pub mispredicts: f64,
}

impl Stalls {
    /// Each count, named as the table shows it.
    pub fn measures(&self) -> [(&'static str, f64); 4] {
        [
            ("instructions", self.instructions),
            ("L1 instruction-cache misses", self.instruction_misses),
            ("L1 data-cache misses", self.data_misses),
            ("mispredicted branches", self.mispredicts),
        ]
    }

    /// The counts of `self` beyond those of `setup`, divided among `repeats`.
    fn per_repeat(&self, setup: &Stalls, repeats: usize) -> Stalls {
        let per = |with: f64, without: f64| (with - without).max(0.0) / repeats as f64;
        Stalls {
            instructions: per(self.instructions, setup.instructions),
            instruction_misses: per(self.instruction_misses, setup.instruction_misses),
            data_misses: per(self.data_misses, setup.data_misses),
            mispredicts: per(self.mispredicts, setup.mispredicts),
        }
    }
}

/// The simulated stalls of one repetition of `subject` under `cachegrind`, with the
/// caches of this machine and its branch predictor model; `None` where `valgrind` cannot
/// run.
pub fn stalls_per_decision(program: &str, subject: &str) -> Option<Stalls> {
    let with = simulated(program, subject, REPEATS)?;
    let without = simulated(program, subject, 0)?;
    Some(with.per_repeat(&without, REPEATS))
}

fn simulated(program: &str, subject: &str, repeats: usize) -> Option<Stalls> {
    let tool = [
        "--tool=cachegrind",
        "--cache-sim=yes",
        "--branch-sim=yes",
        "--cachegrind-out-file=/dev/null",
    ];
    let report = under_valgrind(&tool, program, subject, repeats)?;
    // Lines such as `==12== D1  misses:   38,072  ( 18,506 rd   +  19,566 wr)`: the
    // first figure after the label is the total.
    let total = |label: &str| -> Option<f64> {
        report.lines().find_map(|line| {
            let (_, rest) = line.split_once(label)?;
            let figure = rest.split_whitespace().next()?;
            figure.replace(',', "").parse().ok()
        })
    };
    Some(Stalls {
        instructions: total("I   refs:")?,
        instruction_misses: total("I1  misses:")?,
        data_misses: total("D1  misses:")?,
        mispredicts: total("Mispredicts:")?,
    })
}

/// Instructions of one repetition of `subject`, run by `program` (this benchmark) under
/// `callgrind`; `None` where `valgrind` cannot run.
pub fn per_decision(program: &str, subject: &str) -> Option<f64> {
    let with = collected(program, subject, REPEATS)?;
    let without = collected(program, subject, 0)?;
    Some(with.saturating_sub(without) as f64 / REPEATS as f64)
}

fn collected(program: &str, subject: &str, repeats: usize) -> Option<u64> {
    let tool = ["--tool=callgrind", "--callgrind-out-file=/dev/null"];
    let report = under_valgrind(&tool, program, subject, repeats)?;
    report
        .lines()
        .find_map(|line| {
            line.split_once("Collected :")
                .map(|(_, count)| count.trim().to_string())
        })
        .and_then(|count| count.parse().ok())
}

/// What valgrind's `tool` reports of `program` repeating `subject` `repeats` times.
fn under_valgrind(tool: &[&str], program: &str, subject: &str, repeats: usize) -> Option<String> {
    let output = Command::new("valgrind")
        .args(tool)
        .arg(program)
        .args(["--repeat", subject, &repeats.to_string()])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stderr).into_owned())
}
