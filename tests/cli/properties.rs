//! The combination rules of SPEC 1 as properties over random policy sets and inputs:
//! adding a policy never makes a decided verdict less strict; the verdict does not depend
//! on the order of files, policies, outcomes, reviews or grants; and the same input at the
//! same `--now` gives the same bytes out.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};
use verdict::Verdict;
use verdict::decision::{Decision, PolicyResult};
use verdict::policy_set::{LoadOptions, PolicySet};
use verdict::source::Location;

use crate::harness::{Scratch, Verdict as Binary};

const NOW: &str = "2026-11-24T10:00:00Z";

fn now() -> DateTime<Utc> {
    verdict::input::parse_time(NOW).unwrap()
}

const VERDICTS: [&str; 4] = ["deny", "pending", "warn", "allow"];

/// A condition over the input, the same in both languages: (policy language, Rego).
fn condition() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        Just(("true".to_string(), "true".to_string())),
        Just(("false".to_string(), "false".to_string())),
        (0..300i64).prop_map(|limit| (
            format!("(cost ?? 0) > {limit}"),
            format!("object.get(input, \"cost\", 0) > {limit}")
        )),
        Just((
            "\"delete\" in (actions ?? [])".to_string(),
            "\"delete\" in object.get(input, \"actions\", [])".to_string()
        )),
        (0..3usize).prop_map(|least| (
            format!("count(approvers ?? []) >= {least}"),
            format!("count(object.get(input, \"approvers\", [])) >= {least}")
        )),
        Just(("exists(owner)".to_string(), "input.owner".to_string())),
    ]
}

/// One rule: its verdict, message and condition.
fn rule() -> impl Strategy<Value = (usize, u16, (String, String))> {
    (0..VERDICTS.len(), any::<u16>(), condition())
}

/// A policy: in the policy language or in Rego, with one to three rules.
#[derive(Clone, Debug)]
struct RandomPolicy {
    rego: bool,
    rules: Vec<(usize, u16, (String, String))>,
}

fn policy() -> impl Strategy<Value = RandomPolicy> {
    (any::<bool>(), prop::collection::vec(rule(), 1..=3))
        .prop_map(|(rego, rules)| RandomPolicy { rego, rules })
}

impl RandomPolicy {
    /// The policy's file name and text, named `name`.
    fn file(&self, name: &str) -> (String, String) {
        if self.rego {
            let mut text = format!("package {name}\nimport rego.v1\n");
            for (verdict, message, (_, condition)) in &self.rules {
                text.push_str(&format!(
                    "\n{} contains \"{name} {message}\" if {condition}\n",
                    VERDICTS[*verdict]
                ));
            }
            (format!("{name}.rego"), text)
        } else {
            (format!("{name}.policy"), self.block(name))
        }
    }

    fn block(&self, name: &str) -> String {
        let mut text = format!("policy \"{name}\" {{\n");
        for (verdict, message, (condition, _)) in &self.rules {
            text.push_str(&format!(
                "  {} \"{name} {message}\" if {condition}\n",
                VERDICTS[*verdict]
            ));
        }
        text.push_str("}\n");
        text
    }
}

fn input() -> impl Strategy<Value = Value> {
    (
        prop::option::of(0..400i64),
        prop::option::of(prop::sample::subsequence(
            vec!["create", "delete", "update"],
            0..=3,
        )),
        prop::option::of(0..4usize),
        any::<bool>(),
    )
        .prop_map(|(cost, actions, approvers, owner)| {
            let mut document = json!({});
            if let Some(cost) = cost {
                document["cost"] = json!(cost);
            }
            if let Some(actions) = actions {
                document["actions"] = json!(actions);
            }
            if let Some(count) = approvers {
                document["approvers"] = json!(vec![json!({"email": "x@acme.io"}); count]);
            }
            if owner {
                document["owner"] = json!("payments");
            }
            document
        })
}

/// Writes the policies as files named `p0`, `p1`, ... in a fresh directory.
fn written(policies: &[RandomPolicy]) -> Scratch {
    let mut scratch = Scratch::new();
    for (index, policy) in policies.iter().enumerate() {
        let (file, text) = policy.file(&format!("p{index}"));
        scratch = scratch.file(&file, text);
    }
    scratch
}

fn decide_paths(paths: &[PathBuf], input: &Value) -> Decision {
    let mut set = PolicySet::load(paths, &LoadOptions::default()).unwrap();
    set.decide(input, now(), Verdict::Pending).unwrap()
}

fn decide(scratch: &Scratch, input: &Value) -> Decision {
    decide_paths(&[scratch.dir.path().to_path_buf()], input)
}

/// The outcomes as comparable text, in a canonical order.
fn outcome_set(decision: &Decision) -> Vec<String> {
    let mut outcomes: Vec<String> = decision
        .outcomes
        .iter()
        .map(|outcome| format!("{} {} {}", outcome.verdict, outcome.policy, outcome.message))
        .collect();
    outcomes.sort();
    outcomes
}

proptest! {
    #![proptest_config(Config::with_cases(48))]

    #[test]
    fn adding_a_policy_never_makes_a_decided_verdict_less_strict(
        policies in prop::collection::vec(policy(), 1..=4),
        extra in policy(),
        input in input(),
    ) {
        let before = decide(&written(&policies), &input);
        let mut more = policies.clone();
        more.push(extra);
        let after = decide(&written(&more), &input);
        if !before.defaulted {
            prop_assert!(after.verdict >= before.verdict, "{:?} then {:?}", before.verdict, after.verdict);
            prop_assert!(!after.defaulted);
        }
        if !after.defaulted {
            let strictest = after.outcomes.iter().map(|outcome| outcome.verdict).max();
            prop_assert_eq!(Some(after.verdict), strictest);
        }
    }

    #[test]
    fn the_verdict_does_not_depend_on_the_order_of_files_or_policies(
        policies in prop::collection::vec(policy(), 1..=5),
        order in any::<u64>(),
        input in input(),
    ) {
        let forward = decide(&written(&policies), &input);

        // The same policies, under names that sort the other way round.
        let mut scratch = Scratch::new();
        let count = policies.len();
        for (index, policy) in policies.iter().enumerate() {
            let (file, text) = policy.file(&format!("p{index}"));
            let renamed = format!("{}-{file}", count - index);
            scratch = scratch.file(&renamed, text);
        }
        let backward = decide(&scratch, &input);
        prop_assert_eq!(forward.verdict, backward.verdict);
        prop_assert_eq!(forward.defaulted, backward.defaulted);
        prop_assert_eq!(outcome_set(&forward), outcome_set(&backward));

        // The same files named one by one, in a shuffled order.
        let scratch = written(&policies);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(scratch.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        paths.sort();
        let rotation = usize::try_from(order % paths.len() as u64).unwrap();
        paths.rotate_left(rotation);
        paths.reverse();
        let shuffled = decide_paths(&paths, &input);
        prop_assert_eq!(forward.verdict, shuffled.verdict);
        prop_assert_eq!(outcome_set(&forward), outcome_set(&shuffled));

        // The policy-language ones as blocks of one file, in reverse order.
        let blocks: Vec<String> = policies
            .iter()
            .enumerate()
            .filter(|(_, policy)| !policy.rego)
            .map(|(index, policy)| policy.block(&format!("p{index}")))
            .collect();
        if !blocks.is_empty() {
            let separate = {
                let mut scratch = Scratch::new();
                for (index, block) in blocks.iter().enumerate() {
                    scratch = scratch.file(&format!("b{index}.policy"), block);
                }
                decide(&scratch, &input)
            };
            let mut reversed = blocks.clone();
            reversed.reverse();
            let together = decide(&Scratch::new().file("all.policy", reversed.concat()), &input);
            prop_assert_eq!(separate.verdict, together.verdict);
            prop_assert_eq!(outcome_set(&separate), outcome_set(&together));
        }
    }

    #[test]
    fn the_verdict_does_not_depend_on_the_order_of_outcomes(
        results in prop::collection::vec(prop::collection::vec(0..VERDICTS.len(), 0..4), 0..5),
        rotation in any::<usize>(),
    ) {
        let results: Vec<PolicyResult> = results
            .iter()
            .enumerate()
            .map(|(index, verdicts)| policy_result(index, verdicts))
            .collect();
        let combined = Decision::combine(results.clone(), Verdict::Pending, now());
        let mut shuffled: Vec<PolicyResult> = results.clone();
        if !shuffled.is_empty() {
            let by = rotation % shuffled.len();
            shuffled.rotate_left(by);
        }
        shuffled.reverse();
        for result in &mut shuffled {
            result.outcomes.reverse();
        }
        let recombined = Decision::combine(shuffled, Verdict::Pending, now());
        prop_assert_eq!(combined.verdict, recombined.verdict);
        prop_assert_eq!(combined.defaulted, recombined.defaulted);
        prop_assert_eq!(combined.defaulted, results.iter().all(|r| r.outcomes.is_empty()));
    }
}

fn policy_result(index: usize, verdicts: &[usize]) -> PolicyResult {
    let source = Location::new("p.policy", 1, 1);
    PolicyResult {
        policy: format!("p{index}").into(),
        source: source.clone(),
        outcomes: verdicts
            .iter()
            .map(|&verdict| verdict::Outcome {
                verdict: VERDICTS[verdict].parse().unwrap(),
                message: format!("m{verdict}"),
                policy: format!("p{index}").into(),
                rule: VERDICTS[verdict].into(),
                source: source.clone(),
                details: None,
            })
            .collect(),
    }
}

const IDENTITIES: [&str; 5] = [
    "alice@acme.io",
    "bob@acme.io",
    " BOB@acme.io",
    "carol@acme.io",
    "erin@acme.io",
];
const TEAMS: [&str; 4] = ["sre", "platform", "security", "sre-contractors"];
const ENVIRONMENTS: [&str; 4] = [
    "acme/payments/prod",
    "acme/shared/aws-creds",
    "acme/shared/db-creds",
    "acme/payments/base",
];

fn person() -> impl Strategy<Value = Value> {
    (
        0..IDENTITIES.len(),
        prop::sample::subsequence(TEAMS.to_vec(), 0..=2),
    )
        .prop_map(
            |(who, teams)| json!({"id": IDENTITIES[who], "teams": teams, "permissions": ["open"]}),
        )
}

fn review() -> impl Strategy<Value = Value> {
    (person(), prop::sample::select(vec!["approve", "reject"]), 6..=8u32)
        .prop_map(|(by, decision, revision)| json!({"by": by, "decision": decision, "revision": revision}))
}

fn time(minutes: i64) -> String {
    verdict::decision::format_time(&(now() + chrono::TimeDelta::minutes(minutes)))
}

fn grant() -> impl Strategy<Value = Value> {
    (
        0..ENVIRONMENTS.len(),
        0..IDENTITIES.len(),
        -3000..100i64,
        prop::option::of(0..60i64),
        prop::option::of(0..200i64),
        prop::option::of(0..300i64),
        prop::sample::select(vec!["1h", "2h", "8h"]),
        prop::sample::select(vec!["2h", "24h", "25h"]),
    )
        .prop_map(
            |(environment, identity, approved, applied, opened, revoked, access, expiration)| {
                json!({
                    "environment": ENVIRONMENTS[environment],
                    "identity": IDENTITIES[identity],
                    "approvedAt": time(approved),
                    "appliedAt": applied.map(|after| time(approved + after)),
                    "firstOpenedAt": opened.map(|after| time(approved + after)),
                    "revokedAt": revoked.map(|after| time(approved + after)),
                    "accessDuration": access,
                    "grantExpiration": expiration,
                })
            },
        )
}

fn esc_document() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["open", "open-request", "update", "write"]),
        0..ENVIRONMENTS.len(),
        person(),
        prop::collection::vec(review(), 0..6),
        prop::collection::vec(grant(), 0..6),
        prop::collection::vec((0..ENVIRONMENTS.len(), 0..ENVIRONMENTS.len()), 0..5),
    )
        .prop_map(
            |(action, environment, requester, reviews, grants, imports)| {
                let mut environments = serde_json::Map::new();
                for (from, to) in imports {
                    let entry = environments
                        .entry(ENVIRONMENTS[from].to_string())
                        .or_insert_with(|| json!({"imports": []}));
                    if let Some(list) = entry["imports"].as_array_mut() {
                        list.push(json!(ENVIRONMENTS[to]));
                    }
                }
                json!({
                    "request": {
                        "action": action,
                        "environment": ENVIRONMENTS[environment],
                        "requester": requester,
                        "revision": 8,
                        "accessDuration": "2h",
                        "grantExpiration": "24h"
                    },
                    "reviews": reviews,
                    "grants": grants,
                    "environments": environments
                })
            },
        )
}

/// Reverses every list of the document that order must not matter in.
fn reordered(document: &Value) -> Value {
    let mut document = document.clone();
    for key in ["reviews", "grants"] {
        if let Some(list) = document[key].as_array_mut() {
            list.reverse();
        }
    }
    if let Some(environments) = document["environments"].as_object_mut() {
        for entry in environments.values_mut() {
            if let Some(list) = entry["imports"].as_array_mut() {
                list.reverse();
            }
        }
    }
    document
}

fn shipped(path: &str) -> Vec<PathBuf> {
    vec![PathBuf::from(path)]
}

proptest! {
    #![proptest_config(Config::with_cases(64))]

    #[test]
    fn the_verdict_does_not_depend_on_the_order_of_reviews_grants_or_imports(
        document in esc_document(),
    ) {
        let forward = decide_paths(&shipped("policies/esc"), &document);
        let backward = decide_paths(&shipped("policies/esc"), &reordered(&document));
        prop_assert_eq!(forward.verdict, backward.verdict, "{}", document);
        prop_assert_eq!(outcome_set(&forward).len(), outcome_set(&backward).len());
    }
}

proptest! {
    #![proptest_config(Config::with_cases(12))]

    #[test]
    fn the_same_input_at_the_same_now_gives_the_same_bytes(
        document in esc_document(),
        env0 in input(),
        format in prop::sample::select(vec!["text", "json", "github"]),
    ) {
        let mut document = document;
        if let (Some(fields), Some(extra)) = (document.as_object_mut(), env0.as_object()) {
            fields.extend(extra.clone());
        }
        let run = || {
            Binary::new(["eval", "-p", "policies", "--now", NOW, "-f", format, "--explain"])
                .stdin(document.to_string())
                .run()
        };
        let (first, second) = (run(), run());
        prop_assert_eq!(first.code, second.code);
        prop_assert_eq!(&first.stdout, &second.stdout);
        prop_assert_eq!(&first.stderr, &second.stderr);
        let batch = |jobs: &str| {
            let lines = format!("{document}\n{}\n{document}\n", reordered(&document));
            Binary::new(["eval", "-p", "policies", "--now", NOW, "--batch", "-j", jobs])
                .stdin(lines)
                .run()
        };
        let (serial, parallel) = (batch("1"), batch("2"));
        prop_assert_eq!(serial.code, parallel.code);
        prop_assert_eq!(&serial.stdout, &parallel.stdout);
    }
}
