//! Every env0 Rego policy has a twin in the policy language that answers the same: the
//! same verdict and the same messages on every fixture. (Rego rules are sets, so messages
//! are compared as sets.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use verdict::Verdict;
use verdict::policy_set::{LoadOptions, PolicySet};

/// Rego originals and the `.policy` file holding their twins.
const TWINS: &[(&[&str], &str)] = &[
    (
        &["policies/env0/require-approvers"],
        "policies/dsl/require-approvers.policy",
    ),
    (
        &[
            "policies/env0/cost-threshold.rego",
            "policies/env0/cost-hard-limit.rego",
        ],
        "policies/dsl/cost.policy",
    ),
    (
        &["policies/env0/protect-critical-resources.rego"],
        "policies/dsl/protect-critical-resources.policy",
    ),
    (
        &["policies/env0/team-owned-resources.rego"],
        "policies/dsl/team-owned-resources.policy",
    ),
    (
        &[
            "policies/env0/warn-destroy.rego",
            "policies/env0/auto-allow.rego",
        ],
        "policies/dsl/destroy-and-auto-allow.policy",
    ),
];

fn load(paths: &[&str]) -> PolicySet {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    PolicySet::load(&paths, &LoadOptions::default())
        .unwrap_or_else(|error| panic!("{paths:?}: {error}"))
}

pub fn fixtures() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::from("fixtures")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn answer(set: &mut PolicySet, fixture: &Path) -> (Verdict, bool, BTreeSet<String>) {
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
        .unwrap()
        .to_utc();
    let decision = set.decide(&document, now, Verdict::Pending).unwrap();
    let messages = decision
        .outcomes
        .into_iter()
        .map(|outcome| outcome.message)
        .collect();
    (decision.verdict, decision.defaulted, messages)
}

#[test]
fn each_twin_answers_as_its_rego_original_on_every_fixture() {
    let fixtures = fixtures();
    assert!(fixtures.len() > 20, "the fixtures are found");
    for (originals, twin) in TWINS {
        let mut rego = load(originals);
        let mut dsl = load(&[twin]);
        for fixture in &fixtures {
            assert_eq!(
                answer(&mut rego, fixture),
                answer(&mut dsl, fixture),
                "{twin} differs from {originals:?} on {}",
                fixture.display()
            );
        }
    }
}

#[test]
fn every_env0_policy_has_a_twin() {
    let twinned: BTreeSet<&str> = TWINS
        .iter()
        .flat_map(|(originals, _)| originals.iter().copied())
        .collect();
    for entry in std::fs::read_dir("policies/env0").unwrap() {
        let path = entry.unwrap().path();
        let is_policy = path.is_dir() || path.extension().is_some_and(|e| e == "rego");
        if is_policy {
            let shown = path.display().to_string();
            assert!(
                twinned.contains(shown.as_str()),
                "{shown} has no twin in policies/dsl"
            );
        }
    }
}
