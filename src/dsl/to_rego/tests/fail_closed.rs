//! Where Rego cannot give the policy language's answer, the compiled policy stops with an
//! error (a gate fails closed) instead of deciding otherwise.

use serde_json::json;

use super::support::Both;

/// Each expression has a value in the policy language that Rego cannot compute.
const BEYOND_REGO: &[(&str, &str)] = &[
    ("`%` on a fraction", "n % 0.5"),
    ("`%` beyond 2^53", "1e300 % 7"),
    ("a time before 1678", "time(\"1500-01-01T00:00:00Z\")"),
    ("a time after 2261", "hour(\"3000-01-01T10:00:00Z\")"),
    ("a leap second", "time(\"2026-12-31T23:59:60Z\")"),
    ("time arithmetic past 2262", "now + 100000d"),
    ("a glob over text holding NUL", "matches(s, \"*\")"),
];

#[test]
fn what_rego_cannot_compute_stops_the_evaluation() {
    let input = json!({"n": 7.25, "s": "a\u{0}b"});
    for (what, expr) in BEYOND_REGO {
        let text = format!("policy \"beyond\" {{\n  deny \"${{{expr}}}\"\n}}\n");
        let mut both = Both::from_text(&text);
        let (expected, actual) = both.decide(0, &input);
        let expected = expected.unwrap_or_else(|error| panic!("{what}: {error}"));
        assert_eq!(expected.len(), 1, "{what}: the policy language decides");
        let error = actual.expect_err(what);
        assert!(
            error.contains("functions must not produce multiple outputs"),
            "{what}: {error}"
        );
    }
}
