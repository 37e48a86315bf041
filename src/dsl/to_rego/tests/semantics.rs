//! Every operator and builtin on values of every kind: the value each expression shows in
//! a message, and whether each condition holds, are the same in Rego.

use serde_json::{Value, json};

use super::support::{Both, parse_text};
use crate::rego::RegoOptions;

/// Values of every kind under names the expressions read.
pub fn inputs() -> Vec<Value> {
    vec![
        json!({
            "n": 150, "f": 10.01, "neg": -2.5, "zero": 0, "big": 9007199254740993u64,
            "s": "Alice@ACME.io", "e": "", "b": true, "nul": null,
            "list": [1, "a", null, [2], {"k": 1}], "nums": [3, 1.5, 2], "strs": ["b", "a", "b"],
            "obj": {"b": 2, "a": [1, {"c": "x"}], "q": "\"\\\n\u{1}\u{8}<&>é"},
            "t": "2026-11-21T23:30:00Z", "d": "1h30m", "tz": "Europe/Berlin", "zl": "Local",
            "items": [{"name": "x", "v": 1}, {"name": "y", "v": 2.5}],
            "policyData": {"limit": 7, "gone": null}
        }),
        json!({}),
        json!({
            "n": "150", "f": [10.01], "neg": null, "zero": -0.0, "big": 1e300,
            "s": 5, "e": null, "b": "true", "nul": false,
            "list": {"z": 1, "a": 2}, "nums": [], "strs": "ab",
            "obj": [3, 4], "t": "2026-07-01T08:00:00.250+02:00", "d": "PT2H30M",
            "tz": "America/Los_Angeles", "zl": "", "items": null, "policyData": [1]
        }),
        json!({
            "n": -3, "f": 1e21, "neg": 0.1, "zero": 1e-7, "big": -9007199254740993i64,
            "s": "  trimmed\t", "e": "ǅ straße", "b": false, "nul": 0,
            "list": [[], {}, "", 0, false], "nums": [1, 2, 3], "strs": ["x"],
            "obj": {}, "t": "not a time", "d": "90 minutes", "tz": "Mars/Olympus",
            "items": [{"name": 1}, {"v": "x"}], "policyData": {"limit": null}
        }),
    ]
}

/// Expressions whose value a message shows.
pub const VALUES: &[&str] = &[
    // access
    "n",
    "input.n",
    "obj.a[1].c",
    "obj[\"b\"]",
    "list[0]",
    "list[-1]",
    "list[1.5]",
    "list[9]",
    "list[\"0\"]",
    "obj.a[*].c",
    "items[*].name",
    "list[*]",
    "nul[*]",
    "n[*]",
    "obj[*]",
    "items[*].v[*]",
    "s.x",
    "missing.deeper[0]",
    "list[nums[0]]",
    "obj[s]",
    "input",
    // arithmetic
    "n + 1",
    "f + neg",
    "s + \"x\"",
    "s + 1",
    "n - f",
    "n * f",
    "n / 3",
    "n / 0",
    "n % 7",
    "-n",
    "-s",
    "0.1 + 0.2",
    "f * 3",
    "1e308 * 10",
    "-1e308 - 1e308",
    "big + 1",
    "big",
    "zero * -1",
    "zero",
    "1 / 3",
    "2 / 3 * 3",
    "n / 1e-300",
    "1e300 / 1e-10",
    "100 % -7",
    "-100 % 7",
    "n % 0",
    "nums[0] - nums[1]",
    // comparison and logic
    "n > 100",
    "s < \"b\"",
    "n < s",
    "nul == null",
    "list == [1, \"a\", null, [2], {k: 1}]",
    "obj == obj",
    "n == 150.0",
    "n in nums",
    "\"a\" in strs",
    "\"ce\" in s",
    "\"a\" in obj",
    "1 in obj",
    "s not in strs",
    "t < \"2027\"",
    "b and n > 1",
    "nul or b",
    "not s",
    "not b",
    "not nul",
    "n ?? 1",
    "nul ?? \"d\"",
    "missing ?? \"m\"",
    "b or missing",
    "e >= \"\"",
    "[1, 2] == [1.0, 2]",
    "{a: 1} == {a: 1.0}",
    "nums < nums",
    "null < 1",
    // collections
    "count(list)",
    "count(nul)",
    "count(s)",
    "len(s)",
    "len(e)",
    "len(list)",
    "len(obj)",
    "len(nul)",
    "keys(obj)",
    "values(obj)",
    "keys(list)",
    "unique([1, 1.0, \"1\", [1], [1.0], null, null])",
    "unique(strs)",
    "unique(s)",
    "any([false, true])",
    "any(list)",
    "all([true, 1])",
    "all([])",
    "all(nul)",
    "contains(s, \"ACME\")",
    "contains(list, [2])",
    "contains(obj, \"a\")",
    "contains(n, 1)",
    "contains(strs, \"b\")",
    // strings
    "lower(s)",
    "upper(s)",
    "upper(e)",
    "lower(e)",
    "trim(s)",
    "trim(\"\\u{3000}x\\u{a0}\")",
    "starts_with(s, \"Al\")",
    "ends_with(s, \".io\")",
    "starts_with(n, \"1\")",
    "split(\"a/b/c\", \"/\")",
    "split(s, \"\")",
    "split(\"\", \",\")",
    "split(s, n)",
    "join(strs, \", \")",
    "join(nums, \"-\")",
    "join(list, \",\")",
    "join(obj, \",\")",
    // patterns
    "matches(\"acme/x/prod\", \"acme/*/prod\")",
    "matches(\"acme/x/y/prod\", \"acme/*/prod\")",
    "matches(\"acme/x/y/prod\", \"acme/**/prod\")",
    "matches(s, \"*@*\")",
    "matches(n, \"*\")",
    "matches(s, e)",
    "regex(s, \"^A.*io$\")",
    "regex(s, \"ACME\")",
    "regex(s, e)",
    "regex(n, \".\")",
    // numbers
    "sum(nums)",
    "sum([])",
    "sum(nul)",
    "sum([\"a\"])",
    "sum([1, \"a\"])",
    "sum(list)",
    "min(nums)",
    "max(strs)",
    "min(3, 1, 2)",
    "max(list)",
    "min([])",
    "min(nul)",
    "max(n, f)",
    "round(f, 1)",
    "round(2.5)",
    "round(-2.5)",
    "round(1234.5678, -2)",
    "round(f, 20)",
    "round(n, 1.5)",
    "round(0.1 + 0.2, 15)",
    "round(1e300, 2)",
    "abs(neg)",
    "abs(s)",
    // times and durations
    "now",
    "time(t)",
    "time(now)",
    "time(n)",
    "duration(d)",
    "duration(\"PT2H\")",
    "duration(\"1.5s\")",
    "duration(\"P1W2DT3H4M5.06S\")",
    "duration(\"1h30\")",
    "duration(\"2H\")",
    "duration(\"p1d\")",
    "duration(\"PT\")",
    "duration(\"P\")",
    "duration(\"1.1234s\")",
    "duration(\"0001d\")",
    "duration(\" 2h \")",
    "duration(n)",
    "hour(t)",
    "hour(t, tz)",
    "minute(t, tz)",
    "weekday(t, tz)",
    "date(t, tz)",
    "date(now)",
    "hour(now, zl)",
    "weekday(n)",
    "now + 2h",
    "2h + now",
    "now - time(t)",
    "time(t) - now",
    "2h * 1.5",
    "1.5 * 2h",
    "90m / 2",
    "2h / 30m",
    "2h / 0",
    "2h / 0s",
    "-2h",
    "abs(-2h)",
    "1d + 1h",
    "now + d",
    "now - 1w",
    "now > time(t)",
    "2h > 90m",
    "2h == 120m",
    "now == now",
    "1s * 0.0005",
    "1s / 3",
    "(now - time(t)) / 1h",
    "sum([1h, 30m])",
    "sum([1h, 1])",
    "min([2h, 30m])",
    "max([now, time(t)])",
    "2h + 1",
    "now % 2",
    "[now, 2h]",
    "{at: now, d: 90m}",
    // comprehensions
    "[x * 2 for x in nums]",
    "[x for x in list if is_number(x)]",
    "any(x > 2 for x in nums)",
    "all(x > 1 for x in nums)",
    "all(x > 1 for x in nul)",
    "all(x for x in [])",
    "count(x for x in list if exists(x))",
    "sum(x.v for x in items)",
    "min(x.name for x in items)",
    "max(v for v in obj)",
    "[k for k in keys(obj)]",
    "[x for x in obj]",
    "[x for x in s]",
    "[[y for y in x] for x in list]",
    "any(x for x in obj)",
    "count(x for x in n)",
    "all(x == 1 for x in [y for y in nums if y > 1])",
    // types
    "is_string(s)",
    "is_number(s)",
    "is_bool(b)",
    "is_array(list)",
    "is_object(obj)",
    "exists(nul)",
    "exists(missing)",
    "is_string(now)",
    "is_object(2h)",
    // interpolation of everything
    "obj",
    "list",
    "nul",
    "b",
    "\"x\\ny\"",
    "1e21",
    "0.000001",
    "1 / 3",
    "f",
    "neg",
    "e",
    "{\"a b\": [1, {c: null}], z: []}",
    "[{}, [], [[]], {a: {}}]",
    "123456789.125",
    "-0.0",
    "1e-7",
    "2 * 0.1",
    "0.1 * 3",
    "[1e21, 1e-7, -0.5]",
    // config
    "config",
    "config.limit",
    "config.gone",
    "config.other",
    "config.nested.x",
    "config.window",
];

/// Conditions, each a rule that fires when the condition is `true`.
const CONDITIONS: &[&str] = &[
    "n",
    "b",
    "nul",
    "not b",
    "not s",
    "n > 100 and b",
    "n > 100 or b",
    "not (n > 100)",
    "exists(s) and not exists(missing)",
    "\"a\" not in strs",
    "s",
    "is_string(s) and len(s) > 3",
    "all(x > 0 for x in nums)",
    "any(x == null for x in list)",
    "count(list) > 2",
    "time(t) < now",
    "matches(s, \"*@*\")",
    "config.limit > 5",
];

pub fn policy_text() -> String {
    policy_text_without(&[])
}

/// The policy of every value and condition but the values numbered in `left_out`.
fn policy_text_without(left_out: &[usize]) -> String {
    let mut text = String::from(
        "policy \"semantics\" {\n  config { limit: 3, other: \"o\", nested: {x: [1]}, window: 2h }\n",
    );
    for (index, expr) in VALUES.iter().enumerate() {
        if left_out.contains(&index) {
            continue;
        }
        text.push_str(&format!("  deny \"v{index}: ${{{expr}}}\"\n"));
    }
    for (index, condition) in CONDITIONS.iter().enumerate() {
        text.push_str(&format!("  warn \"c{index}\" if {condition}\n"));
    }
    text.push_str("  allow if n > 0\n}\n");
    text
}

#[test]
fn every_operator_and_builtin_gives_the_same_values() {
    let mut both = Both::from_text(&policy_text());
    for (index, input) in inputs().iter().enumerate() {
        both.assert_agree(0, input, &format!("input {index}"));
    }
}

/// Values whose Rego form relies on a builtin failing quietly: a sum or product beyond the
/// largest double. Engines that stop on builtin errors stop on these, which fails closed.
const FAILING_BUILTINS: &[usize] = &[34, 35];

#[test]
fn builtin_errors_never_decide_anything_else() {
    let options = RegoOptions {
        strict_builtin_errors: true,
        ..RegoOptions::default()
    };
    let files = [parse_text(
        "strict.policy",
        &policy_text_without(FAILING_BUILTINS),
    )];
    let mut both = Both::compile_with(&files, &options);
    for (index, input) in inputs().iter().enumerate() {
        both.assert_agree(0, input, &format!("input {index}"));
    }
}
