//! The helper library against the policy language it stands for.

use crate::dsl::eval::builtins::Builtin;
use crate::dsl::to_rego::library;

fn module(path: &str) -> String {
    library()
        .into_iter()
        .find(|module| module.path == path)
        .map(|module| module.text)
        .unwrap()
}

#[test]
fn every_builtin_of_the_policy_language_has_a_function_in_fn() {
    let functions = module("verdict/fn.rego");
    let lib = module("verdict/builtins.rego");
    for name in Builtin::names() {
        let rego_name = if name == "contains" { "includes" } else { name };
        assert!(
            functions.contains(&format!("\n{rego_name}(")),
            "`{name}` has no function in verdict.fn"
        );
        assert!(
            lib.contains(&format!("\nbuiltin_{name}(")),
            "`{name}` has no implementation in verdict.lib"
        );
    }
}

#[test]
fn round_scales_by_the_powers_of_ten_the_policy_language_computes() {
    let lib = module("verdict/builtins.rego");
    let table = lib
        .split("powers_of_ten := [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap();
    let powers: Vec<f64> = table
        .split(',')
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| text.parse().unwrap())
        .collect();
    let expected: Vec<f64> = (-15..=15)
        .map(|digits| std::hint::black_box(10f64).powi(std::hint::black_box(digits)))
        .collect();
    assert_eq!(powers, expected);
}

#[test]
fn the_time_zones_are_those_the_policy_language_knows() {
    let zones = module("verdict/zones.rego");
    let listed = zones
        .lines()
        .filter(|line| line.starts_with("\t\""))
        .count();
    assert_eq!(listed, chrono_tz::TZ_VARIANTS.len());
    for zone in [
        "\t\"Europe/Berlin\",",
        "\t\"UTC\",",
        "\t\"America/Los_Angeles\",",
    ] {
        assert!(zones.contains(zone), "{zone}");
    }
    assert!(!zones.contains("\"Local\""));
}
