//! SPEC 4.3, one group of cases per sentence.

use serde_json::json;

use super::*;

// "Literals: numbers, strings with `${EXPR}` interpolation, `true`, `false`, `null`,
// durations (`90m`, `2h`, `1d`), arrays `[...]`, objects `{k: v}`."
#[test]
fn literals() {
    assert_eq!(eval("10", json!({})), json!(10));
    assert_eq!(eval("2.5", json!({})), json!(2.5));
    assert_eq!(eval("1e3", json!({})), json!(1000));
    assert_eq!(eval(r#""plain""#, json!({})), json!("plain"));
    assert_eq!(eval(r#""a ${1 + 1} b""#, json!({})), json!("a 2 b"));
    assert_eq!(eval("true", json!({})), json!(true));
    assert_eq!(eval("false", json!({})), json!(false));
    assert_eq!(eval("null", json!({})), json!(null));
    assert_eq!(shown("90m", json!({})), "1h30m");
    assert_eq!(shown("2h", json!({})), "2h");
    assert_eq!(shown("1d", json!({})), "1d");
    assert_eq!(
        eval(r#"[1, "a", [null]]"#, json!({})),
        json!([1, "a", [null]])
    );
    assert_eq!(
        eval(r#"{k: 1, "a-b": [true]}"#, json!({})),
        json!({"k": 1, "a-b": [true]})
    );
    assert_eq!(eval("[]", json!({})), json!([]));
    assert_eq!(eval("{}", json!({})), json!({}));
}

// "Names: a bare name is a `let` or loop variable if one is in scope, else a top-level
// field of the input."
#[test]
fn bare_names_are_lets_loop_variables_or_input_fields() {
    let document = json!({"approvers": [{"name": "Bob"}], "x": 1});
    assert_eq!(eval("x", document.clone()), json!(1));
    assert_eq!(eval("approvers[0].name", document.clone()), json!("Bob"));
    assert_eq!(eval("missing", document.clone()), json!(null));
    assert_eq!(eval("[x for x in [5, 6]]", document.clone()), json!([5, 6]));
    assert_eq!(
        eval("[x for x in [5]] + [x]", document.clone()),
        json!(null)
    );
    let policy = "policy \"t\" {\n  let x = 41\n  deny \"${x + 1}\"\n}\n";
    assert_eq!(fires(policy, document), ["deny: 42"]);
}

// "`input`, `config` and `now` are reserved."
#[test]
fn reserved_names() {
    let document = json!({"now": "not the clock", "config": "not the config", "a": 1});
    assert_eq!(eval("input", json!({"a": 1})), json!({"a": 1}));
    assert_eq!(eval("input.a", document.clone()), json!(1));
    assert_eq!(eval("input.now", document.clone()), json!("not the clock"));
    assert_eq!(eval("now", document.clone()), json!(NOW));
    assert_eq!(eval("config", document.clone()), json!({}));
    assert_eq!(eval("input[\"config\"]", document), json!("not the config"));
    assert_eq!(eval("input", json!(null)), json!(null));
    assert_eq!(eval("x", json!([1])), json!(null));
}

// "Access: `a.b`, `a["key"]`, `a[0]`, projection `a[*].b` (a list)."
#[test]
fn access() {
    let document =
        json!({"a": {"b": {"c": 1}, "key with space": 2, "list": [{"b": 1}, {"b": 2}, {}]}});
    assert_eq!(eval("a.b.c", document.clone()), json!(1));
    assert_eq!(eval(r#"a["key with space"]"#, document.clone()), json!(2));
    assert_eq!(eval(r#"a["b"]["c"]"#, document.clone()), json!(1));
    assert_eq!(eval("a.list[1].b", document.clone()), json!(2));
    assert_eq!(eval("a.list[0 + 1].b", document.clone()), json!(2));
    assert_eq!(eval("a.list[*].b", document.clone()), json!([1, 2, null]));
    assert_eq!(
        eval("a.list[*]", document.clone()),
        json!([{"b": 1}, {"b": 2}, {}])
    );
    assert_eq!(eval("[[1, 2], [3]][*][0]", json!({})), json!([1, 3]));
    // Over an object, `[*]` visits its values, as `for` does.
    assert_eq!(eval("a.b[*]", document.clone()), json!([1]));
    assert_eq!(eval("a.missing[*].b", document), json!(null));
}

// "Operators, loosest first: `or`, `and`, `not`, comparisons (`== != < <= > >= in`,
// `not in`), `??`, `+ -`, `* / %`, unary `-`, access and calls."
#[test]
fn precedence() {
    assert_eq!(eval("true or false and false", json!({})), json!(true));
    assert_eq!(eval("not false and false", json!({})), json!(false));
    assert_eq!(eval("not 1 == 2", json!({})), json!(true));
    assert_eq!(eval("1 + 2 == 3", json!({})), json!(true));
    assert_eq!(eval("x ?? 1 + 1", json!({})), json!(2));
    assert_eq!(eval("x ?? 1 == 1", json!({})), json!(true));
    assert_eq!(eval("1 + 2 * 3", json!({})), json!(7));
    assert_eq!(eval("(1 + 2) * 3", json!({})), json!(9));
    assert_eq!(eval("-2 * 3", json!({})), json!(-6));
    assert_eq!(eval("- a.b", json!({"a": {"b": 4}})), json!(-4));
    assert_eq!(eval("10 - 2 - 3", json!({})), json!(5));
    assert_eq!(eval("12 / 2 / 3", json!({})), json!(2));
    assert_eq!(eval(r#""a" in ["a"] and 1 < 2"#, json!({})), json!(true));
    assert_eq!(eval(r#""b" not in ["a"]"#, json!({})), json!(true));
}

// "Comprehensions and quantifiers, Python-style: `[EXPR for x in XS if COND]`,
// `any(COND for x in XS)`, `all(COND for x in XS)`, `count(x for x in XS if COND)`,
// `sum(...)`, `min(...)`, `max(...)`."
#[test]
fn comprehensions() {
    let document = json!({"xs": [3, 1, 4, 1, 5]});
    assert_eq!(
        eval("[x * 2 for x in xs if x > 2]", document.clone()),
        json!([6, 8, 10])
    );
    assert_eq!(
        eval("[x for x in xs]", document.clone()),
        json!([3, 1, 4, 1, 5])
    );
    assert_eq!(
        eval("any(x > 4 for x in xs)", document.clone()),
        json!(true)
    );
    assert_eq!(
        eval("any(x > 5 for x in xs)", document.clone()),
        json!(false)
    );
    assert_eq!(
        eval("all(x > 0 for x in xs)", document.clone()),
        json!(true)
    );
    assert_eq!(
        eval("all(x > 1 for x in xs)", document.clone()),
        json!(false)
    );
    assert_eq!(
        eval("all(x > 1 for x in xs if x != 1)", document.clone()),
        json!(true)
    );
    assert_eq!(
        eval("count(x for x in xs if x == 1)", document.clone()),
        json!(2)
    );
    assert_eq!(eval("count(x for x in xs)", document.clone()), json!(5));
    assert_eq!(eval("sum(x for x in xs)", document.clone()), json!(14));
    assert_eq!(
        eval("sum(x for x in xs if x > 3)", document.clone()),
        json!(9)
    );
    assert_eq!(eval("min(x for x in xs)", document.clone()), json!(1));
    assert_eq!(eval("max(x * 10 for x in xs)", document.clone()), json!(50));
    assert_eq!(
        eval("[x for x in [1, 2] if any(y == x for y in [2])]", json!({})),
        json!([2])
    );
    assert_eq!(
        eval("[[y for y in [x, x]] for x in [1, 2]]", json!({})),
        json!([[1, 1], [2, 2]])
    );
    assert_eq!(
        eval("any(x for x in [1, \"true\"])", json!({})),
        json!(false)
    );
}

#[test]
fn comprehensions_over_objects_visit_their_values_in_key_order() {
    let document = json!({"environments": {"b": {"imports": ["x"]}, "a": {"imports": []}}});
    assert_eq!(
        eval("[e.imports for e in environments]", document.clone()),
        json!([[], ["x"]])
    );
    assert_eq!(
        eval("[k for k in keys(environments)]", document),
        json!(["a", "b"])
    );
}

// "Missing fields and out-of-range indexes are `null`; they are not errors."
#[test]
fn missing_is_null() {
    let document = json!({"a": {"list": [1]}, "s": "text"});
    for expr in [
        "nothing",
        "a.nothing",
        "a.nothing.deeper",
        "a.list[1]",
        "a.list[-1]",
        "a.list[0.5]",
        "a.list[\"0\"]",
        "s.length",
        "s[0]",
        "a[0]",
        "a.list.x",
        "a[null]",
        "a[true]",
        "now.hour",
    ] {
        assert_eq!(eval(expr, document.clone()), json!(null), "{expr}");
    }
}

// "`==` / `!=` compare structurally."
#[test]
fn equality_is_structural() {
    let document =
        json!({"a": {"k": [1, {"x": null}]}, "b": {"k": [1.0, {"x": null}]}, "c": {"k": [1]}});
    assert_eq!(eval("a == b", document.clone()), json!(true));
    assert_eq!(eval("a != c", document.clone()), json!(true));
    assert_eq!(
        eval("a == {k: [1, {x: null}]}", document.clone()),
        json!(true)
    );
    assert_eq!(eval("1 == 1.0", json!({})), json!(true));
    assert_eq!(eval(r#"1 == "1""#, json!({})), json!(false));
    assert_eq!(eval("null == missing", json!({})), json!(true));
    assert_eq!(eval("{a: null} == {}", json!({})), json!(false));
    assert_eq!(eval("[1, 2] == [2, 1]", json!({})), json!(false));
    assert_eq!(eval("90m == 1h30m", json!({})), json!(true));
    assert_eq!(
        eval(
            r#"time("2026-11-21T11:00:00+01:00") == time("2026-11-21T10:00:00Z")"#,
            json!({})
        ),
        json!(true)
    );
    assert_eq!(
        eval(r#"now == "2026-11-21T10:00:00Z""#, json!({})),
        json!(false)
    );
}

// "`< <= > >=` are true only between two numbers, two strings, two times, or two
// durations; otherwise false."
#[test]
fn ordering_is_between_like_kinds_only() {
    assert_eq!(eval("1 < 2", json!({})), json!(true));
    assert_eq!(eval("2 <= 2", json!({})), json!(true));
    assert_eq!(eval("-1 > -2", json!({})), json!(true));
    assert_eq!(eval(r#""abc" < "abd""#, json!({})), json!(true));
    assert_eq!(eval(r#""Z" < "a""#, json!({})), json!(true));
    assert_eq!(
        eval(r#"now > time("2026-01-01T00:00:00Z")"#, json!({})),
        json!(true)
    );
    assert_eq!(eval("90m >= 1h", json!({})), json!(true));
    for expr in [
        r#"1 < "2""#,
        "null < 1",
        "null >= null",
        "1 > null",
        "[1] < [2]",
        "{} <= {}",
        "true > false",
        r#"now > "2026-01-01T00:00:00Z""#,
        "1h > 3600",
        "now > 1h",
        "missing < 5",
        "missing >= 0",
    ] {
        assert_eq!(eval(expr, json!({})), json!(false), "{expr}");
    }
}

// "`and`, `or`, `not`, `if` and `when` treat only `true` as true."
#[test]
fn only_true_is_true() {
    for value in ["1", "\"true\"", "[true]", "{}", "null", "missing", "1h"] {
        assert_eq!(
            eval(&format!("{value} and true"), json!({})),
            json!(false),
            "{value}"
        );
        assert_eq!(
            eval(&format!("true and {value}"), json!({})),
            json!(false),
            "{value}"
        );
        assert_eq!(
            eval(&format!("{value} or false"), json!({})),
            json!(false),
            "{value}"
        );
        assert_eq!(
            eval(&format!("not {value}"), json!({})),
            json!(true),
            "{value}"
        );
        assert!(!holds(value, json!({})), "if {value}");
        let guarded = format!("policy \"t\" {{\n  when {value}\n  deny\n}}\n");
        assert!(fires(&guarded, json!({})).is_empty(), "when {value}");
    }
    assert_eq!(eval("not true", json!({})), json!(false));
    assert_eq!(eval("true or missing", json!({})), json!(true));
}

#[test]
fn a_missing_approval_fails_safe() {
    assert!(holds("not approved", json!({})));
    assert!(holds("not approved", json!({"approved": "yes"})));
    assert!(!holds("not approved", json!({"approved": true})));
}

// "`in`: element of an array, substring of a string, key of an object; otherwise false."
#[test]
fn membership() {
    let document =
        json!({"list": [1, "a", [2], {"k": 1}], "text": "naïve text", "object": {"key": null}});
    for expr in [
        "1 in list",
        "1.0 in list",
        r#""a" in list"#,
        "[2] in list",
        "{k: 1} in list",
        r#""ïve" in text"#,
        r#""" in text"#,
        r#""key" in object"#,
    ] {
        assert_eq!(eval(expr, document.clone()), json!(true), "{expr}");
    }
    for expr in [
        r#""1" in list"#,
        "2 in list",
        r#""z" in text"#,
        "1 in text",
        r#""other" in object"#,
        "null in object",
        r#""a" in missing"#,
        "1 in 1",
        r#""a" in "A""#,
        "null in list",
    ] {
        assert_eq!(eval(expr, document.clone()), json!(false), "{expr}");
    }
    assert_eq!(eval(r#""z" not in text"#, document.clone()), json!(true));
    assert_eq!(eval(r#""a" not in missing"#, document.clone()), json!(true));
    assert_eq!(eval(r#""key" not in object"#, document), json!(false));
}

// An array written in place whose items are computed is compared item by item, never
// built: the answers are those of the built list.
#[test]
fn membership_in_an_array_of_computed_items() {
    let document = json!({"team": {"id": "t-1", "name": "Security"}, "n": 2, "list": [2]});
    for expr in [
        r#""Security" in [team.id, team.name]"#,
        r#""t-1" in [team.id, team.name]"#,
        "2.0 in [n, missing]",
        "null in [missing, n]",
        "[2] in [n, list]",
        r#"{a: 2} in [{a: n}]"#,
        r#""security" not in [team.id, team.name]"#,
    ] {
        assert_eq!(eval(expr, document.clone()), json!(true), "{expr}");
    }
    for expr in [
        r#""security" in [team.id, team.name]"#,
        r#""2" in [n, team.id]"#,
        "null in [n, list]",
        "[n] in [list[0]]",
        r#""t-1" not in [team.name, team.id]"#,
    ] {
        assert_eq!(eval(expr, document.clone()), json!(false), "{expr}");
    }
}

// "Arithmetic on non-numbers, and division by zero, give `null`."
#[test]
fn arithmetic() {
    assert_eq!(eval("7 % 3", json!({})), json!(1));
    assert_eq!(eval("-7 % 3", json!({})), json!(-1));
    assert_eq!(eval("1 / 4", json!({})), json!(0.25));
    assert_eq!(eval("0.1 + 0.2", json!({})), json!(0.30000000000000004));
    for expr in [
        "1 / 0",
        "0 / 0",
        "1 % 0",
        "1 + null",
        "null + 1",
        r#""1" + 1"#,
        "1 - \"1\"",
        "true + 1",
        "[1] + [2]",
        "{} + {}",
        "missing * 2",
        "-\"a\"",
        "-null",
        "1e308 * 10",
        r#""a" * 2"#,
        r#""ab" - "b""#,
        r#""a" + "b""#,
    ] {
        assert_eq!(eval(expr, json!({})), json!(null), "{expr}");
    }
}

#[test]
fn strings_are_put_together_by_interpolation_not_plus() {
    assert_eq!(eval(r#""ab" + "cd""#, json!({})), json!(null));
    assert_eq!(
        eval(r#""${name}@acme.io""#, json!({"name": "bob"})),
        json!("bob@acme.io")
    );
}

// "Time minus time is a duration; time plus or minus a duration is a time."
#[test]
fn time_arithmetic() {
    assert_eq!(
        shown(r#"now - time("2026-11-21T08:30:00Z")"#, json!({})),
        "1h30m"
    );
    assert_eq!(
        shown(r#"time("2026-11-21T08:30:00Z") - now"#, json!({})),
        "-1h30m"
    );
    assert_eq!(shown("now + 2h", json!({})), "2026-11-21T12:00:00Z");
    assert_eq!(shown("now - 1d", json!({})), "2026-11-20T10:00:00Z");
    assert_eq!(shown("2h + now", json!({})), "2026-11-21T12:00:00Z");
    assert_eq!(shown("1h + 30m", json!({})), "1h30m");
    assert_eq!(shown("1h - 2h", json!({})), "-1h");
    assert_eq!(shown("2h * 1.5", json!({})), "3h");
    assert_eq!(shown("3 * 20m", json!({})), "1h");
    assert_eq!(shown("1h / 4", json!({})), "15m");
    assert_eq!(eval("1h / 30m", json!({})), json!(2));
    assert_eq!(eval("now + now", json!({})), json!(null));
    assert_eq!(eval("now + 1", json!({})), json!(null));
    assert_eq!(eval("1h + 1", json!({})), json!(null));
    assert_eq!(eval("1h / 0", json!({})), json!(null));
    assert_eq!(eval("now + 1h * 1e15", json!({})), json!(null));
    assert_eq!(
        eval("now - duration(grant.accessDuration)", json!({"grant": {}})),
        json!(null)
    );
}

#[test]
fn a_grant_window_reads_naturally() {
    let grant = json!({"grant": {"approvedAt": "2026-11-21T09:40:00Z", "grantExpiration": "24h"}});
    let active = "now < time(grant.approvedAt) + duration(grant.grantExpiration)";
    assert_eq!(eval(active, grant), json!(true));
    assert_eq!(
        eval(
            active,
            json!({"grant": {"approvedAt": "2026-11-19T09:40:00Z", "grantExpiration": "24h"}})
        ),
        json!(false)
    );
    assert_eq!(
        eval(
            active,
            json!({"grant": {"approvedAt": "yesterday", "grantExpiration": "24h"}})
        ),
        json!(false)
    );
}

// "`all(...)` over `null` is false (fail safe); over `[]` it is true. `any(...)` and
// `count(...)` over `null` are false and 0."
#[test]
fn quantifiers_over_nothing() {
    assert_eq!(eval("all(x for x in missing)", json!({})), json!(false));
    assert_eq!(eval("all(x for x in [])", json!({})), json!(true));
    assert_eq!(eval("all(x for x in \"text\")", json!({})), json!(false));
    assert_eq!(eval("any(x for x in missing)", json!({})), json!(false));
    assert_eq!(eval("any(x for x in [])", json!({})), json!(false));
    assert_eq!(eval("count(x for x in missing)", json!({})), json!(0));
    assert_eq!(eval("count(missing)", json!({})), json!(0));
    assert_eq!(eval("[x for x in missing]", json!({})), json!([]));
    assert_eq!(eval("sum(x for x in missing)", json!({})), json!(0));
    assert_eq!(eval("min(x for x in missing)", json!({})), json!(null));
    assert_eq!(eval("max(x for x in [])", json!({})), json!(null));
}

// "`A ?? B` is `B` when `A` is `null`."
#[test]
fn coalesce() {
    assert_eq!(eval("missing ?? 0", json!({})), json!(0));
    assert_eq!(eval("null ?? null ?? 3", json!({})), json!(3));
    assert_eq!(eval("a ?? 0", json!({"a": false})), json!(false));
    assert_eq!(eval("a ?? 0", json!({"a": 0})), json!(0));
    assert_eq!(eval(r#"a ?? "default""#, json!({"a": ""})), json!(""));
    assert_eq!(eval("a.b ?? [1]", json!({"a": {"b": null}})), json!([1]));
}

// "Interpolation renders strings as they are, numbers in their shortest form (`150`,
// `10.01`), and everything else as JSON."
#[test]
fn interpolation() {
    let document = json!({"n": 150.0, "f": 10.01, "s": "a \"quoted\" text", "list": ["a", 1.50], "o": {"k": true}, "z": null});
    let cases = [
        ("${n}", "150"),
        ("${f}", "10.01"),
        ("${s}", "a \"quoted\" text"),
        ("${list}", r#"["a",1.5]"#),
        ("${o}", r#"{"k":true}"#),
        ("${z}", "null"),
        ("${missing}", "null"),
        ("${true}", "true"),
        ("${1 / 3}", "0.3333333333333333"),
        ("${-0}", "0"),
        ("${1e21}", "1000000000000000000000"),
        ("${now}", "2026-11-21T10:00:00Z"),
        ("${90m}", "1h30m"),
        ("${[now]}", r#"["2026-11-21T10:00:00Z"]"#),
        ("${n} and ${n + 1}", "150 and 151"),
        ("nested ${\"in ${s}\"}", "nested in a \"quoted\" text"),
    ];
    for (template, expected) in cases {
        assert_eq!(
            shown(&format!("\"{template}\""), document.clone()),
            expected,
            "{template}"
        );
    }
}
