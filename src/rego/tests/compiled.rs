//! Compiled mode: the engine's programs decide only where they answer as the interpreter.

use super::*;
use crate::rego::compiled::{CHECK_EVERY, CHECKED_FIRST};

const GATE: &str = r#"package gate
import rego.v1

approvers := {a | some a in input.approvers; a != input.requester}

deny contains sprintf("%s may not deploy %s", [input.requester, input.env]) if {
    input.env == "production"
    input.requester in input.blocked
}

pending contains "needs two approvers" if count(approvers) < 2

allow contains "approved" if count(approvers) >= 2
"#;

fn gate_input(number: usize) -> Value {
    let approvers: Vec<String> = (0..number % 4).map(|n| format!("user{n}")).collect();
    json!({
        "env": if number.is_multiple_of(3) { "production" } else { "staging" },
        "requester": format!("user{}", number % 5),
        "blocked": ["user1", "user4"],
        "approvers": approvers,
    })
}

/// The policies loaded twice: as loaded, and with their one package compiled.
fn interpreted_and_compiled(files: &[(&str, &str)]) -> (RegoPolicies, RegoPolicies) {
    let interpreted = load(files);
    let mut compiled = interpreted.clone();
    compiled.compile();
    assert_eq!(compiled.compiled_packages(), 1);
    (interpreted, compiled)
}

/// Decides `decisions` inputs both ways, each compared; the compiled package must not have
/// been sent back to the interpreter at the end.
fn decide_both_ways(
    interpreted: &mut RegoPolicies,
    compiled: &mut RegoPolicies,
    decisions: usize,
    input: impl Fn(usize) -> Value,
) {
    for number in 0..decisions {
        let input = input(number);
        let expected = evaluate(interpreted, input.clone()).unwrap();
        assert_eq!(
            evaluate(compiled, input).unwrap(),
            expected,
            "input {number}"
        );
    }
    assert_eq!(compiled.compiled_packages(), 1, "no decision disagreed");
}

#[test]
fn compiled_decisions_agree_with_the_interpreter_past_the_checked_ones() {
    let (mut interpreted, mut compiled) = interpreted_and_compiled(&[("gate.rego", GATE)]);
    for number in 0..CHECKED_FIRST + 2 * CHECK_EVERY {
        let input = gate_input(number);
        let expected = evaluate(&mut interpreted, input.clone()).unwrap();
        assert_eq!(
            evaluate(&mut compiled, input.clone()).unwrap(),
            expected,
            "input {number}"
        );
        assert_eq!(compiled.compiled_packages(), 1, "{input} {expected:?}");
    }
    assert_eq!(compiled.compiled_packages(), 1, "no decision disagreed");
}

#[test]
fn a_program_that_disagrees_is_sent_back_to_the_interpreter() {
    // The machine lets `x := input.missing` succeed; OPA and the interpreter do not.
    let policy = "package p\nimport rego.v1\n\ndeny contains \"assigned\" if { x := input.missing }\nallow contains \"ok\" if true\n";
    let mut policies = load(&[("p.rego", policy)]);
    policies.compile();
    assert_eq!(policies.compiled_packages(), 1);
    let outcomes = evaluate(&mut policies, json!({})).unwrap();
    assert_eq!(outcomes, [(Verdict::Allow, "ok".to_string())]);
    assert_eq!(policies.compiled_packages(), 0);
    let outcomes = evaluate(&mut policies, json!({})).unwrap();
    assert_eq!(outcomes, [(Verdict::Allow, "ok".to_string())]);
}

#[test]
fn a_copy_for_another_worker_checks_its_own_first_decisions() {
    // Only an input without `x` shows the machine's difference (see above).
    let policy = "package p\nimport rego.v1\n\ndeny contains \"assigned\" if { x := input.x }\nallow contains \"ok\" if true\n";
    let mut policies = load(&[("p.rego", policy)]);
    policies.compile();
    for _ in 0..=CHECKED_FIRST {
        evaluate(&mut policies, json!({"x": 1})).unwrap();
    }
    // Past its checked decisions, and not at one in CHECK_EVERY, the original trusts the
    // machine; a copy, as `--batch -j N` makes one per worker, checks its first decision.
    let mut worker = policies.clone();
    let outcomes = evaluate(&mut worker, json!({})).unwrap();
    assert_eq!(outcomes, [(Verdict::Allow, "ok".to_string())]);
    assert_eq!(
        worker.compiled_packages(),
        0,
        "the copy found the difference"
    );
    assert_eq!(
        policies.compiled_packages(),
        0,
        "and the package went back to the interpreter for every copy"
    );
}

#[test]
fn rules_that_may_depend_on_themselves_are_never_compiled() {
    // The machine would follow the cycle until the stack ran out.
    let policy = "package p\nimport rego.v1\n\na if b\nb if a\n\ndeny contains \"x\" if a\n";
    let mut policies = load(&[("p.rego", policy)]);
    policies.compile();
    assert_eq!(policies.compiled_packages(), 0);
    let error = evaluate(&mut policies, json!({})).unwrap_err();
    assert!(first_message(&error).contains("recursion"), "{error:?}");
}

#[test]
fn names_in_strings_and_comments_are_not_references() {
    let policy = "package p\nimport rego.v1\n\n# deny when deny\ndeny contains \"deny: `deny`\" if input.x\n";
    let mut policies = load(&[("p.rego", policy)]);
    policies.compile();
    assert_eq!(policies.compiled_packages(), 1);
}

#[test]
fn metadata_sprintf_and_the_clock_are_answered_by_verdict() {
    let policy = r#"package p
import rego.v1

# METADATA
# title: Late deploys
# description: No deploys after the cut-off
deny contains sprintf("%s: %s at %d", [meta.title, input.who, time.now_ns()]) if {
    input.late
    meta := rego.metadata.rule()
}
"#;
    let (mut interpreted, mut compiled) = interpreted_and_compiled(&[("p.rego", policy)]);
    assert_eq!(
        compiled.suspending_packages(),
        0,
        "the program runs in one go"
    );
    decide_both_ways(
        &mut interpreted,
        &mut compiled,
        CHECKED_FIRST + CHECK_EVERY,
        |number| json!({"late": number.is_multiple_of(2), "who": format!("user{number}")}),
    );
}

#[test]
fn opa_builtins_are_answered_by_verdict_inside_the_machine() {
    // Each message is one OPA and the engine's own builtins give differently: Go's `%v` of
    // a float, `to_number` of "1_200", a duration in days, a time with a zone offset.
    let policy = r#"package p
import rego.v1

deny contains sprintf("%v / %v", [input.ratio, to_number(input.cost)]) if input.deny
warn contains sprintf("%d", [time.parse_duration_ns(input.wait)]) if input.warn
allow contains sprintf("%d", [time.parse_rfc3339_ns(input.at)]) if true
"#;
    let (mut interpreted, mut compiled) = interpreted_and_compiled(&[("p.rego", policy)]);
    assert_eq!(
        compiled.suspending_packages(),
        0,
        "the program runs in one go"
    );
    decide_both_ways(
        &mut interpreted,
        &mut compiled,
        CHECKED_FIRST + 2 * CHECK_EVERY,
        |number| {
            json!({
                "deny": number.is_multiple_of(2),
                "warn": number.is_multiple_of(3),
                "ratio": 1e21 + number as f64,
                "cost": format!("1_2{number}"),
                "wait": format!("{number}d"),
                "at": format!("2026-11-21T10:{:02}:00+01:00", number % 60),
            })
        },
    );
}

#[test]
fn compiling_after_the_input_is_set_keeps_the_input() {
    let mut policies = load(&[("gate.rego", GATE)]);
    policies.set_input(&gate_input(1)).unwrap();
    let expected = policies.evaluate(0, now()).unwrap();
    policies.compile();
    assert_eq!(policies.evaluate(0, now()).unwrap(), expected);
    assert_eq!(policies.compiled_packages(), 1);
}

#[test]
fn every_shipped_package_compiles_and_runs_in_one_go() {
    // The speed of `--batch --rego-compiled` rests on this: a package that falls back to
    // the interpreter, or stops for verdict at every call, is several times slower.
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/env0");
    let mut texts = Vec::new();
    for entry in walkdir::WalkDir::new(&folder).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        if path
            .extension()
            .is_some_and(|extension| extension == "rego")
        {
            let name = path.strip_prefix(&folder).unwrap().display().to_string();
            texts.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    assert_eq!(files.len(), 7);
    let mut policies = load(&files);
    policies.compile();
    assert_eq!(policies.compiled_packages(), files.len());
    assert_eq!(policies.suspending_packages(), 0);
}

#[test]
fn the_machine_reads_each_decisions_own_clock() {
    let policy =
        "package p\nimport rego.v1\n\nwarn contains sprintf(\"%d\", [time.now_ns()]) if true\n";
    let mut policies = load(&[("p.rego", policy)]);
    policies.compile();
    policies.set_input(&json!({})).unwrap();
    for second in 0..CHECKED_FIRST as i64 + 3 {
        let at = now() + chrono::Duration::seconds(second);
        let outcomes = policies.evaluate(0, at).unwrap();
        let messages: Vec<&str> = outcomes.iter().map(|o| o.message.as_str()).collect();
        let expected = at.timestamp_nanos_opt().unwrap().to_string();
        assert_eq!(messages, [expected.as_str()], "decision {second}");
    }
    assert_eq!(policies.compiled_packages(), 1);
    assert_eq!(policies.suspending_packages(), 0);
}

#[test]
fn stops_left_in_a_program_are_answered_when_the_machine_suspends() {
    let policy = r#"package p
import rego.v1

# METADATA
# title: Late deploys
deny contains sprintf("%s at %d", [rego.metadata.rule().title, time.now_ns()]) if input.late
"#;
    let mut interpreted = load(&[("p.rego", policy)]);
    let mut compiled = interpreted.clone();
    crate::rego::compiled::KEEP_STOPS.set(true);
    compiled.compile();
    crate::rego::compiled::KEEP_STOPS.set(false);
    assert_eq!(compiled.compiled_packages(), 1);
    assert_eq!(compiled.suspending_packages(), 1);
    decide_both_ways(
        &mut interpreted,
        &mut compiled,
        CHECKED_FIRST + CHECK_EVERY,
        |number| json!({"late": number.is_multiple_of(2)}),
    );
}
