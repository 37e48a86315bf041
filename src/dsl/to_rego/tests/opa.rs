//! The compiled Rego under real OPA (optional: OPA is not a dependency of the build).
//!
//! Run with `VERDICT_OPA=/path/to/opa_golib_python_bindings-*.whl cargo test --lib
//! to_rego::tests::opa -- --ignored`: the wheel (OPA's Go engine, on PyPI as
//! `opa-golib-python-bindings`) is driven by `tests/data/to_rego/opa_eval.py`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::{Value, json};

use super::agreement::{fixtures, shipped_policies};
use super::semantics::{VALUES, inputs, policy_text};
use super::support::{Both, now, parse_text};
use crate::verdict::Verdict;

/// What OPA decided, by package and input name.
type OpaResults = BTreeMap<String, BTreeMap<String, Value>>;

fn run_opa(both: &Both, inputs: &[(String, Value)]) -> OpaResults {
    let Ok(opa) = std::env::var("VERDICT_OPA") else {
        panic!("set VERDICT_OPA to the opa-golib-python-bindings wheel to compare with OPA");
    };
    let pinned_now = format!("now := time_of({})", now().timestamp_nanos_opt().unwrap());
    let modules: BTreeMap<&str, String> = both
        .modules
        .iter()
        .map(|module| {
            let text = module
                .text
                .replace("now := time_of(time.now_ns())", &pinned_now);
            (module.path.as_str(), text)
        })
        .collect();
    let packages: Vec<&str> = both
        .policies
        .iter()
        .map(|(_, package)| package.as_str())
        .collect();
    let request = json!({
        "modules": modules,
        "packages": packages,
        "inputs": inputs.iter().cloned().collect::<BTreeMap<String, Value>>(),
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("request.json");
    std::fs::write(&path, request.to_string()).unwrap();
    let output = Command::new("python3")
        .arg("tests/data/to_rego/opa_eval.py")
        .arg(&opa)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "opa_eval.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// OPA's answer as the outcomes verdict reads from it.
fn decided(result: &Value) -> Result<BTreeSet<(Verdict, String)>, String> {
    if let Some(error) = result.get("error") {
        return Err(error.to_string());
    }
    let mut outcomes = BTreeSet::new();
    for (rule, verdict) in [
        ("deny", Verdict::Deny),
        ("pending", Verdict::Pending),
        ("warn", Verdict::Warn),
        ("allow", Verdict::Allow),
    ] {
        for message in result[rule].as_array().into_iter().flatten() {
            outcomes.insert((verdict, message.as_str().unwrap_or_default().to_string()));
        }
    }
    Ok(outcomes)
}

#[test]
#[ignore = "needs OPA: set VERDICT_OPA to the opa-golib-python-bindings wheel"]
fn opa_decides_every_shipped_policy_on_every_fixture_as_verdict() {
    let mut both = Both::compile(&shipped_policies());
    let inputs = fixtures();
    let results = run_opa(&both, &inputs);
    for index in 0..both.policies.len() {
        let package = both.policies[index].1.clone();
        for (name, input) in &inputs {
            let (expected, _) = both.decide(index, input);
            let actual = decided(&results[&package][name]);
            assert_eq!(expected, actual, "policy `{package}` on {name}");
        }
    }
}

/// The values of the semantics test that OPA shows otherwise than the policy language (and
/// regorus), by number. OPA computes with more precision than doubles: integers beyond 2^53
/// stay exact (`big`, `big + 1`, `input`, `n - f` with `f` = 1e21), `0.1 + 0.2` is `0.3`, a
/// result beyond the largest double is a number rather than null (`1e308 * 10`,
/// `-1e308 - 1e308`), and `round(1e300, 2)` keeps every digit. Go's `upper` maps `ß` to
/// itself where Rust's gives `SS` (`upper(e)`).
const OPA_DIFFERS: &[usize] = &[20, 25, 32, 34, 35, 36, 37, 102, 147];

#[test]
#[ignore = "needs OPA: set VERDICT_OPA to the opa-golib-python-bindings wheel"]
fn opa_differs_from_the_policy_language_only_where_documented() {
    let mut both = Both::compile(&[parse_text("semantics.policy", &policy_text())]);
    let inputs: Vec<(String, Value)> = inputs()
        .into_iter()
        .enumerate()
        .map(|(index, input)| (format!("input {index}"), input))
        .collect();
    let results = run_opa(&both, &inputs);
    let package = both.policies[0].1.clone();
    let mut differing: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (name, input) in &inputs {
        let (expected, _) = both.decide(0, input);
        let expected = expected.unwrap();
        let actual = match decided(&results[&package][name]) {
            Ok(actual) => actual,
            Err(error) => panic!("OPA failed on {name}: {error}"),
        };
        for (_, message) in expected.symmetric_difference(&actual) {
            let Some(number) = message
                .strip_prefix('v')
                .and_then(|rest| rest.split(':').next())
                .and_then(|number| number.parse::<usize>().ok())
            else {
                panic!("{name}: condition `{message}` differs under OPA");
            };
            differing
                .entry(number)
                .or_default()
                .push(format!("{name}: {message}"));
        }
    }
    for (number, messages) in &differing {
        println!("v{number} `{}`:", VALUES[*number]);
        for message in messages {
            println!("    {message}");
        }
    }
    let numbers: Vec<usize> = differing.keys().copied().collect();
    assert_eq!(numbers, OPA_DIFFERS);
}
