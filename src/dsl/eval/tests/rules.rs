//! SPEC 4.2: the statements of a policy, and how its rules fire.

use serde_json::json;

use super::*;

fn policy(body: &str) -> String {
    format!("policy \"p\" {{\n{body}\n}}\n")
}

// "`when EXPR` — applicability guard (several allowed, all must hold); a policy whose
// guard is false produces no outcome"
#[test]
fn every_guard_must_hold() {
    let guarded = policy("  when a\n  when b\n  deny \"fired\"");
    assert_eq!(
        fires(&guarded, json!({"a": true, "b": true})),
        ["deny: fired"]
    );
    assert!(fires(&guarded, json!({"a": true, "b": false})).is_empty());
    assert!(fires(&guarded, json!({"a": true})).is_empty());
    assert!(fires(&guarded, json!({"b": true})).is_empty());
}

#[test]
fn a_guard_written_after_the_rules_still_guards_them() {
    let guarded = policy("  deny \"fired\"\n  when ready");
    assert!(fires(&guarded, json!({})).is_empty());
    assert_eq!(fires(&guarded, json!({"ready": true})).len(), 1);
}

// "`config { key: value, ... }` — defaults; `config.key` reads them merged under
// `input.policyData` (input wins)"
#[test]
fn config_reads_defaults_under_policy_data() {
    let configured = policy(
        "  config { limit: 10, teams: [\"sre\"], window: 2h }\n  warn \"${config.limit} ${config.teams} ${config.window} ${config.other}\"",
    );
    assert_eq!(
        fires(&configured, json!({})),
        [r#"warn: 10 ["sre"] 2h null"#]
    );
    assert_eq!(
        fires(
            &configured,
            json!({"policyData": {"limit": 20, "teams": ["a"], "other": "x"}})
        ),
        [r#"warn: 20 ["a"] 2h x"#]
    );
    // A `null` in policyData leaves the default in place; policyData that is not an
    // object is ignored.
    assert_eq!(
        fires(&configured, json!({"policyData": {"limit": null}})),
        [r#"warn: 10 ["sre"] 2h null"#]
    );
    assert_eq!(
        fires(&configured, json!({"policyData": [1]})),
        [r#"warn: 10 ["sre"] 2h null"#]
    );
}

#[test]
fn config_read_in_every_iteration_gives_each_key_its_own_value() {
    // More keys than a machine keeps looked up, each read for every item, some twice.
    let configured = policy(
        "  config { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }\n  warn \"${x} ${config.f} ${config.a} ${config.e} ${config.b} ${config.d} ${config.c} ${config.a}\" for x in items if config.c + config.f > x",
    );
    assert_eq!(
        fires(
            &configured,
            json!({"items": [1, 2, 9, 10], "policyData": {"e": 50, "a": null, "f": 7}})
        ),
        [
            "warn: 1 7 1 50 2 4 3 1",
            "warn: 2 7 1 50 2 4 3 1",
            "warn: 9 7 1 50 2 4 3 1"
        ]
    );
}

#[test]
fn config_defaults_may_hold_durations_at_any_depth() {
    let configured = policy(
        "  config { windows: {open: 4h}, list: [1h] }\n  warn \"${now + config.windows.open} ${config.list}\"",
    );
    assert_eq!(
        fires(&configured, json!({})),
        [r#"warn: 2026-11-21T14:00:00Z ["1h"]"#]
    );
}

#[test]
fn config_as_a_whole_and_by_key() {
    let configured = policy("  config { a: 1 }\n  warn \"${config} ${config[\"a\"]}\"");
    assert_eq!(
        fires(&configured, json!({"policyData": {"b": 2}})),
        [r#"warn: {"a":1,"b":2} 1"#]
    );
    assert_eq!(
        fires(
            &policy("  warn \"${config.a}\""),
            json!({"policyData": {"a": 3}})
        ),
        ["warn: 3"]
    );
}

// "`let NAME = EXPR` — a named value, visible in the statements after it"
#[test]
fn lets_build_on_earlier_lets() {
    let chained = policy("  let a = 2\n  let b = a * 10\n  let c = [b, a]\n  deny \"${c}\"");
    assert_eq!(fires(&chained, json!({})), ["deny: [20,2]"]);
}

#[test]
fn a_let_reads_the_input_not_loop_variables() {
    let shadowing =
        policy("  let total = count(items)\n  deny \"${item}: ${total}\" for item in items");
    assert_eq!(
        fires(&shadowing, json!({"items": ["a", "b"]})),
        ["deny: a: 2", "deny: b: 2"]
    );
}

#[test]
fn long_chains_of_lets_evaluate_without_deep_recursion() {
    let mut body = String::from("  let v0 = 1\n");
    for index in 1..2000 {
        body.push_str(&format!("  let v{index} = v{} + 1\n", index - 1));
    }
    body.push_str("  deny \"${v1999}\"");
    assert_eq!(fires(&policy(&body), json!({})), ["deny: 2000"]);
}

// "rules: `VERDICT ["message"] [for NAME in EXPR] [if EXPR]`. A rule without `if` always
// fires; with `for`, it fires once per item that passes `if`."
#[test]
fn rules_without_if_always_fire() {
    assert_eq!(
        fires(&policy("  allow \"always\""), json!({})),
        ["allow: always"]
    );
    assert_eq!(
        fires(
            &policy("  warn \"w\"\n  pending \"p\"\n  deny \"d\"\n  allow \"a\""),
            json!(null)
        )
        .len(),
        4
    );
}

#[test]
fn for_rules_fire_once_per_passing_item() {
    let each = policy("  deny \"${x}\" for x in xs if x > 1");
    assert_eq!(
        fires(&each, json!({"xs": [1, 2, 3]})),
        ["deny: 2", "deny: 3"]
    );
    assert!(fires(&each, json!({"xs": []})).is_empty());
    let every = policy("  warn \"${x}\" for x in xs");
    assert_eq!(
        fires(&every, json!({"xs": [1, null]})),
        ["warn: 1", "warn: null"]
    );
}

#[test]
fn for_over_null_or_a_scalar_fires_nothing_and_over_an_object_visits_its_values() {
    let every = policy("  warn \"${x}\" for x in xs");
    assert!(fires(&every, json!({})).is_empty());
    assert!(fires(&every, json!({"xs": "abc"})).is_empty());
    assert!(fires(&every, json!({"xs": 3})).is_empty());
    assert_eq!(
        fires(&every, json!({"xs": {"b": 2, "a": 1}})),
        ["warn: 1", "warn: 2"]
    );
}

// "A rule without a message gets `"<policy>: <verdict> rule at line N"`."
#[test]
fn rules_without_a_message() {
    let quiet = policy("  deny if true\n\n  pending for x in [1, 2]");
    assert_eq!(
        fires(&quiet, json!({})),
        [
            "deny: p: deny rule at line 2",
            "pending: p: pending rule at line 4",
            "pending: p: pending rule at line 4"
        ]
    );
}

#[test]
fn outcomes_keep_the_order_of_the_rules() {
    let ordered = policy("  allow \"1\"\n  deny \"2\"\n  allow \"3\"");
    assert_eq!(
        fires(&ordered, json!({})),
        ["allow: 1", "deny: 2", "allow: 3"]
    );
}

// "Comments run from `#` to the end of the line."
#[test]
fn comments_are_ignored() {
    let commented =
        "# leading\npolicy \"p\" { # after the brace\n  deny \"a # not a comment\" # trailing\n}\n";
    assert_eq!(fires(commented, json!({})), ["deny: a # not a comment"]);
}

#[test]
fn the_same_compiled_policy_serves_many_inputs() {
    let policy = compiled(&policy("  deny \"${n}\" if n > 1"));
    for n in 0..5 {
        let fired = policy.evaluate(&json!({"n": n}), now()).unwrap();
        assert_eq!(fired.len(), usize::from(n > 1));
    }
    assert_eq!(&**policy.name(), "p");
    assert_eq!(policy.location().to_string(), "test.policy:1:1");
}
