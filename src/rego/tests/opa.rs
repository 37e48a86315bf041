//! Where the engine and OPA differ, verdict follows OPA (each case checked with OPA 1.20).

use super::*;

#[test]
fn a_function_defined_in_several_files_of_a_package_works() {
    // OPA: both definitions apply. The engine alone fails here (or misbinds arguments).
    let first = "package env0\n\nis_prod(name) { startswith(name, \"prod\") }\n";
    let second = "package env0\n\nx1 := [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]\n\nis_prod(name) { endswith(name, \"prod\") }\n\nwarn[msg] {\n  is_prod(input.env)\n  msg := \"production\"\n}\n";
    let files = [("a.rego", first), ("b.rego", second)];
    let warn = (Verdict::Warn, "production".to_string());
    assert_eq!(
        decide(&files, json!({"env": "x-prod"})),
        std::slice::from_ref(&warn)
    );
    assert_eq!(decide(&files, json!({"env": "prod-1"})), [warn]);
    assert_eq!(decide(&files, json!({"env": "dev"})), []);
}

#[test]
fn calling_an_undefined_function_is_a_load_error() {
    // OPA: "rego_type_error: undefined function nope".
    let error = load_error(&[(
        "p.rego",
        "package env0\n\ndeny[msg] {\n  msg := nope(input.a)\n}\n",
    )]);
    assert_eq!(error.class, ErrorClass::Invalid);
    assert_eq!(
        first_message(&error),
        "p.rego:4:10: undefined function `nope`"
    );
}

#[test]
fn removed_builtins_are_undefined_with_advice() {
    let error = load_error(&[(
        "p.rego",
        "package env0\ndeny[\"x\"] { re_match(\"a\", input.a) }\n",
    )]);
    assert_eq!(
        first_message(&error),
        "p.rego:2:13: undefined function `re_match`"
    );
    assert_eq!(
        error.diagnostics[0].help.as_deref(),
        Some("`re_match` was removed from Rego: use `regex.match`")
    );
}

#[test]
fn wrong_argument_counts_are_load_errors() {
    // OPA: "sprintf: arity mismatch" and "function data.env0.f has arity 1, got 2 arguments".
    let policy = "package env0\nimport rego.v1\n\nf(x) := x\n\ndeny contains sprintf(\"%s\", input.a, input.b) if true\nwarn contains f(1, 2) if true\n";
    let error = load_error(&[("p.rego", policy)]);
    let messages: Vec<String> = error.diagnostics.iter().map(Diagnostic::one_line).collect();
    assert_eq!(
        messages,
        [
            "p.rego:6:15: function `sprintf` takes 2 arguments, got 3",
            "p.rego:7:15: function `f` takes 1 argument, got 2",
        ]
    );
}

#[test]
fn an_extra_output_argument_is_fine_in_a_statement() {
    // OPA: `count(xs, n)` binds `n`.
    let policy = "package env0\nimport rego.v1\n\ndeny contains msg if {\n  count(input.xs, n)\n  msg := sprintf(\"%d items\", [n])\n}\n";
    assert_eq!(
        decide(&[("p.rego", policy)], json!({"xs": [1, 2]})),
        [deny("2 items")]
    );
}

#[test]
fn a_default_beside_a_multi_value_rule_is_a_load_error() {
    // OPA: "rego_type_error: conflicting rules data.t.deny found".
    let policy =
        "package env0\nimport rego.v1\n\ndefault deny := false\ndeny contains \"x\" if input.a\n";
    let error = load_error(&[("p.rego", policy)]);
    assert_eq!(error.class, ErrorClass::Invalid);
    assert_eq!(
        first_message(&error),
        "p.rego:4:9: conflicting rules `data.env0.deny`: a multi-value rule and a single-value rule"
    );
}

#[test]
fn not_of_a_call_with_an_undefined_argument_is_false() {
    // OPA: each of these `not` is false, so no rule below fires; `not input.missing` and
    // `not input.missing == 1` are true.
    let policy = r#"package env0
import rego.v1

g(x) := 1 if x > 0
h(x) if x == "a"

deny contains "g" if { not g(input.missing) }
deny contains "startswith" if { not startswith(input.missing, "a") }
deny contains "nested" if { not h(lower(input.missing)) }
deny contains "compare" if { not input.missing > 1 }
deny contains "array" if { not [input.missing] == [1] }
deny contains "braceless" if not h(input.obj.missing)
deny contains "comprehension" if { [x | x := 1; not h(input.missing)] == [] }
warn contains "plain" if { not input.missing }
warn contains "equality" if { not input.missing == 1 }
warn contains "defined" if { not h(input.n) }
"#;
    let outcomes = decide(&[("p.rego", policy)], json!({"n": 5, "obj": {}}));
    let messages: Vec<&str> = outcomes.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(messages, ["comprehension", "defined", "equality", "plain"]);
}

#[test]
fn sprintf_with_too_few_values_formats_as_opa_does() {
    // Checked against OPA 1.20: the policy loads, and Go's fmt marks the gaps.
    let policy = "package env0\nimport rego.v1\n\ndeny contains sprintf(\"%s and %s\", [input.a]) if true\nwarn contains sprintf(\"%d%% of %v\", [1, 2]) if true\n";
    let outcomes = decide(&[("p.rego", policy)], json!({"a": "x"}));
    let messages: Vec<&str> = outcomes.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(messages, ["x and %!s(MISSING)", "1% of 2"]);
}

#[test]
fn a_head_variable_no_body_binds_is_a_load_error() {
    // OPA: "rego_unsafe_var_error: var msg is unsafe".
    let policy = "package env0\nimport rego.v1\n\ndeny contains msg if { x := 1 }\nwarn contains name if { some name in input.names }\n";
    let error = load_error(&[("p.rego", policy)]);
    let messages: Vec<String> = error.diagnostics.iter().map(Diagnostic::one_line).collect();
    assert_eq!(
        messages,
        ["p.rego:4:15: var `msg` is unsafe: no body of the rule binds it"]
    );
}

#[test]
fn failing_builtins_make_their_expression_undefined_as_in_opa() {
    // OPA's default: `to_number("abc")` fails, so the rule does not fire.
    let policy = "package env0\nimport rego.v1\n\ndeny contains \"costly\" if to_number(input.cost) > 100\nwarn contains \"checked\" if true\n";
    let outcomes = decide(&[("p.rego", policy)], json!({"cost": "abc"}));
    assert_eq!(outcomes, [(Verdict::Warn, "checked".to_string())]);
    let strict = RegoOptions {
        strict_builtin_errors: true,
        ..RegoOptions::default()
    };
    let mut policies =
        load_with(&[("p.rego", policy)], &strict).unwrap_or_else(|e| panic!("{e:?}"));
    let error = evaluate(&mut policies, json!({"cost": "abc"})).err();
    assert_eq!(error.map(|e| e.class), Some(ErrorClass::Evaluation));
}

#[test]
fn undefined_functions_reached_through_imports_name_their_path() {
    // OPA: "undefined function data.lib.helpers.nope".
    let policy = "package env0\nimport data.lib.helpers as h\n\ndeny[\"x\"] { h.nope(1) }\n";
    let library = "package lib.helpers\n\nyes(x) { x }\n";
    let error = load_error(&[("p.rego", policy), ("lib.rego", library)]);
    assert_eq!(
        first_message(&error),
        "p.rego:4:13: undefined function `h.nope` (`data.lib.helpers.nope`)"
    );
}

/// A policy reading numbers from strings, with the outcomes it gives for each text.
const TO_NUMBER_POLICY: &str = "package env0\nimport rego.v1\n\ndeny contains sprintf(\"%v over\", [n]) if {\n  some text in input.costs\n  n := to_number(text)\n  n > 10\n}\nwarn contains \"checked\" if true\n";

#[test]
fn to_number_reads_go_number_syntax() {
    // OPA: " 12" and "12 " are not numbers (undefined); "+12", "012", "1_200", ".5e2" are.
    let input = json!({"costs": [" 12", "12 ", "+12", "012", "1_200", ".5e2", "1e400", "8"]});
    let mut policies = load(&[("p.rego", TO_NUMBER_POLICY)]);
    let outcomes = evaluate(&mut policies, input.clone()).unwrap();
    let messages: Vec<&str> = outcomes.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(messages, ["12 over", "1200 over", "50 over", "checked"]);
    policies.compile();
    for _ in 0..3 {
        assert_eq!(evaluate(&mut policies, input.clone()).unwrap(), outcomes);
    }
    assert_eq!(policies.compiled_packages(), 1, "the program agrees");
}

#[test]
fn to_number_failures_stay_errors_when_strict() {
    // OPA with --strict-builtin-errors: "to_number: strconv.ParseFloat: parsing \" 12\"".
    let strict = RegoOptions {
        strict_builtin_errors: true,
        ..RegoOptions::default()
    };
    let mut policies = load_with(&[("p.rego", TO_NUMBER_POLICY)], &strict).unwrap();
    let error = evaluate(&mut policies, json!({"costs": [" 12"]})).err();
    assert_eq!(error.map(|e| e.class), Some(ErrorClass::Evaluation));
}

#[test]
fn durations_take_days_weeks_and_years() {
    // OPA: time.parse_duration_ns("7d") is 604800000000000; "1w" and "1y" likewise work,
    // "7D" fails.
    let policy = "package env0\nimport rego.v1\n\ndeny contains msg if {\n  some text in input.durations\n  msg := sprintf(\"%s is %d\", [text, time.parse_duration_ns(text)])\n}\n";
    let input = json!({"durations": ["7d", "1w", "1y", "1d12h", "7D"]});
    let outcomes = decide(&[("p.rego", policy)], input);
    let messages: Vec<&str> = outcomes.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "1d12h is 129600000000000",
            "1w is 604800000000000",
            "1y is 31536000000000000",
            "7d is 604800000000000",
        ]
    );
}

#[test]
fn a_key_that_fails_for_one_item_drops_only_that_item() {
    // OPA evaluates a multi-value rule's key in its body: the item whose builtin fails, or
    // whose field is missing, gives nothing, and the others still deny.
    let v1 = r#"package env0
import rego.v1

deny contains sprintf("%s is %d", [t, to_number(t)]) if some t in input.costs
warn contains item.name if {
    some item in input.items
}
"#;
    let v0 = r#"package env0

deny[sprintf("%s is %d", [t, to_number(t)])] {
    t := input.costs[_]
}

warn[
    item.name
] {
    item := input.items[_]
}
"#;
    let input = json!({
        "costs": ["7", "lots"],
        "items": [{"name": "a"}, {"size": 1}, {"name": "b"}],
    });
    for policy in [v1, v0] {
        let outcomes = decide(&[("p.rego", policy)], input.clone());
        assert_eq!(
            outcomes,
            [
                deny("7 is 7"),
                (Verdict::Warn, "a".to_string()),
                (Verdict::Warn, "b".to_string())
            ],
            "{policy}"
        );
    }
}

#[test]
fn a_key_spread_over_lines_keeps_every_line_in_place() {
    let policy = "package env0\nimport rego.v1\n\nwarn contains sprintf(\n    \"%s\",\n    [x.name],\n) if {\n    some x in input.items\n}\n\nlimit := 1 if input.a\nlimit := 2 if input.b\n\ndeny contains \"over\" if limit > 0\n";
    let error = evaluation_error(
        &[("p.rego", policy)],
        json!({"items": [{"name": "a"}], "a": true, "b": true}),
    );
    let place = error
        .diagnostics
        .first()
        .and_then(|diagnostic| diagnostic.location())
        .map(|location| location.line);
    assert_eq!(place, Some(12), "{error:?}");
    let outcomes = decide(&[("p.rego", policy)], json!({"items": [{"name": "a"}]}));
    assert_eq!(outcomes, [(Verdict::Warn, "a".to_string())]);
}

#[test]
fn rfc3339_times_are_read_as_go_reads_them() {
    // OPA: time.parse_rfc3339_ns fails on a lower-case `t` or `z`, a space for the `T`, a
    // leap second, a missing zone and a zone hour over 24; it takes fractions and numeric
    // offsets, 24:00 included.
    let policy = "package env0\nimport rego.v1\n\nwarn contains sprintf(\"%s %d\", [t, time.parse_rfc3339_ns(t)]) if some t in input.times\n";
    let input = json!({"times": [
        "2026-11-21T10:00:00Z",
        "2026-11-21T10:00:00.5+01:00",
        "2026-11-21t10:00:00z",
        "2026-11-21 10:00:00Z",
        "2026-11-21T10:00:60Z",
        "2026-11-21T10:00:00",
        "2026-11-21T10:00:00.Z",
        "2026-11-21T10:00:00+24:00",
        "2026-11-21T10:00:00+25:00",
    ]});
    let outcomes = decide(&[("p.rego", policy)], input);
    let messages: Vec<&str> = outcomes.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "2026-11-21T10:00:00+24:00 1795168800000000000",
            "2026-11-21T10:00:00.5+01:00 1795251600500000000",
            "2026-11-21T10:00:00Z 1795255200000000000",
        ]
    );
}

#[test]
fn an_object_key_that_fails_for_one_item_drops_only_that_item() {
    // OPA: one outcome, for the item whose cost is a number. The engine's span of an
    // object literal is not the object's, so the key is read from the text.
    let policy = "package env0\nimport rego.v1\n\ndeny contains {\"msg\": sprintf(\"%s costs %d\", [x.name, to_number(x.cost)]), \"severity\": \"high\"} if some x in input.items\n";
    let input = json!({"items": [{"name": "a", "cost": "5"}, {"name": "b", "cost": "lots"}]});
    assert_eq!(decide(&[("p.rego", policy)], input), [deny("a costs 5")]);
}
