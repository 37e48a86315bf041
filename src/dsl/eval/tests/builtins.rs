//! SPEC 4.3's builtins as policies call them; each family's edge cases are tested beside
//! it in `eval/builtins/`.

use serde_json::json;

use super::*;

#[test]
fn every_builtin_named_by_the_spec_exists() {
    let document =
        json!({"s": " Ab ", "xs": [3, 1, 3], "o": {"b": 1, "a": 2}, "t": "2026-11-21T23:30:00Z"});
    let cases = [
        ("count(xs)", json!(3)),
        ("len(s)", json!(4)),
        ("lower(s)", json!(" ab ")),
        ("upper(s)", json!(" AB ")),
        ("trim(s)", json!("Ab")),
        (r#"starts_with(s, " A")"#, json!(true)),
        (r#"ends_with(s, "b")"#, json!(false)),
        (r#"contains(s, "Ab")"#, json!(true)),
        (
            r#"matches("acme/payments/prod", "acme/*/prod")"#,
            json!(true),
        ),
        (r#"regex("release-12", "^release-[0-9]+$")"#, json!(true)),
        ("keys(o)", json!(["a", "b"])),
        ("values(o)", json!([2, 1])),
        ("unique(xs)", json!([3, 1])),
        ("sum(xs)", json!(7)),
        ("min(xs)", json!(1)),
        ("max(xs)", json!(3)),
        ("round(2.345, 2)", json!(2.35)),
        ("time(t)", json!("2026-11-21T23:30:00Z")),
        (r#"duration("PT90M")"#, json!("1h30m")),
        (r#"hour(t, "Europe/Berlin")"#, json!(0)),
        (r#"weekday(t, "Europe/Berlin")"#, json!("Sun")),
        (r#"date(t, "Europe/Berlin")"#, json!("2026-11-22")),
        ("hour(t)", json!(23)),
        ("weekday(t)", json!("Sat")),
        ("date(t)", json!("2026-11-21")),
        ("is_string(s)", json!(true)),
        ("is_number(xs)", json!(false)),
        ("is_array(xs)", json!(true)),
        ("is_object(o)", json!(true)),
        ("exists(o.a)", json!(true)),
        ("exists(o.c)", json!(false)),
    ];
    for (expr, expected) in cases {
        assert_eq!(eval(expr, document.clone()), expected, "{expr}");
    }
}

#[test]
fn time_parts_of_now_and_of_times() {
    assert_eq!(eval("hour(now)", json!({})), json!(10));
    assert_eq!(
        eval(r#"hour(now, "America/New_York")"#, json!({})),
        json!(5)
    );
    assert_eq!(
        eval(r#"hour(now + 14h, "Asia/Tokyo")"#, json!({})),
        json!(9)
    );
    assert_eq!(
        eval(r#"weekday(now, "Pacific/Kiritimati")"#, json!({})),
        json!("Sun")
    );
    assert_eq!(eval("date(now - 10h - 1s)", json!({})), json!("2026-11-20"));
}

#[test]
fn time_zones_may_come_from_the_input() {
    let document = json!({"zone": "Asia/Kolkata", "bad": "Mars/Olympus"});
    assert_eq!(eval("hour(now, zone)", document.clone()), json!(15));
    assert_eq!(eval("hour(now, bad)", document.clone()), json!(null));
    assert_eq!(eval("hour(now, missing)", document), json!(null));
}

#[test]
fn business_hours_read_naturally() {
    let business_hours = r#"policy "hours" {
  let local = hour(now, "Europe/Berlin")
  deny "outside business hours (${local}:00 in Berlin)" if local < 9 or local >= 17 or weekday(now, "Europe/Berlin") in ["Sat", "Sun"]
}
"#;
    // 10:00 UTC on Saturday 21 November 2026 is 11:00 in Berlin, on a weekend.
    assert_eq!(
        fires(business_hours, json!({})),
        ["deny: outside business hours (11:00 in Berlin)"]
    );
}

#[test]
fn patterns_may_come_from_the_input() {
    let document =
        json!({"glob": "acme/*/prod", "regex": "^a+$", "broken": "(", "env": "acme/x/prod"});
    assert_eq!(eval("matches(env, glob)", document.clone()), json!(true));
    assert_eq!(
        eval(r#"regex("aaa", regex)"#, document.clone()),
        json!(true)
    );
    assert_eq!(
        eval(r#"regex("aaa", broken)"#, document.clone()),
        json!(false)
    );
    assert_eq!(
        eval("matches(env, broken ?? \"[\")", document),
        json!(false)
    );
}

#[test]
fn literal_patterns_are_compiled_once_and_still_total() {
    assert_eq!(eval(r#"regex(x, "^a")"#, json!({"x": "abc"})), json!(true));
    assert_eq!(eval(r#"regex(x, "^a")"#, json!({"x": 1})), json!(null));
    assert_eq!(
        eval(r#"matches(x, "**/prod")"#, json!({"x": "a/b/prod"})),
        json!(true)
    );
    assert_eq!(
        eval(r#"matches(x, "*/prod")"#, json!({"x": "a/b/prod"})),
        json!(false)
    );
}

#[test]
fn builtins_accept_times_as_rfc3339_strings() {
    let document = json!({"at": "2026-11-21T09:40:00Z"});
    assert_eq!(eval("hour(at)", document.clone()), json!(9));
    assert_eq!(eval("time(at) < now", document.clone()), json!(true));
    assert_eq!(eval("at < now", document), json!(false));
}

#[test]
fn sums_of_durations_are_durations() {
    assert_eq!(shown("sum([1h, 30m])", json!({})), "1h30m");
    assert_eq!(
        shown(
            "max(duration(d) for d in ds)",
            json!({"ds": ["2h", "PT3H", "bad"]})
        ),
        "null"
    );
    assert_eq!(
        shown(
            "max(duration(d) for d in ds)",
            json!({"ds": ["2h", "PT3H"]})
        ),
        "3h"
    );
    assert_eq!(
        shown("min(now, now - 1h)", json!({})),
        "2026-11-21T09:00:00Z"
    );
}

#[test]
fn builtins_called_with_the_wrong_types_are_null() {
    for expr in [
        "lower(1)",
        "upper(null)",
        "trim([])",
        "len(true)",
        "keys([1])",
        "values(\"a\")",
        "unique({})",
        "round(\"1\")",
        "time(1)",
        "duration(1)",
        "hour(1)",
        "weekday(\"x\")",
        "date(null)",
        "starts_with(1, \"1\")",
        "matches(1, \"*\")",
        "regex(null, \"x\")",
        "contains(1, 1)",
    ] {
        assert_eq!(eval(expr, json!({})), json!(null), "{expr}");
    }
}

#[test]
fn computed_patterns_give_the_same_answers_when_reused_in_a_loop() {
    let document = json!({
        "names": ["prod-eu", "dev", "prod-us", "x"],
        "patterns": ["^prod-", "(", "^dev$"],
        "globs": ["prod-*", "[", "d?v"]
    });
    assert_eq!(
        eval(
            "[count(n for n in names if regex(n, p)) for p in patterns]",
            document.clone()
        ),
        json!([2, 0, 1])
    );
    assert_eq!(
        eval(
            "[count(n for n in names if matches(n, g)) for g in globs]",
            document
        ),
        json!([2, 0, 1])
    );
}
