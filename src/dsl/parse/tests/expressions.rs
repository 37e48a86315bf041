//! Expressions, by grammar rule: precedence, prefix operators, access paths, calls and
//! comprehensions, literals.

use super::{expr, expr_error};

// ---------------------------------------------------------------------------------------
// precedence, loosest first: or, and, not, comparisons, ??, + -, * / %, unary -, access

#[test]
fn logic_operators() {
    expr("a or b and c", "(or a (and b c))");
    expr("a and b or c", "(or (and a b) c)");
    expr("a or b or c", "(or (or a b) c)");
    expr("not a and b", "(and (not a) b)");
    expr("a and not b", "(and a (not b))");
    expr("not not a", "(not (not a))");
}

#[test]
fn not_binds_looser_than_comparisons() {
    expr("not a == b", "(not (== a b))");
    expr("not x in xs", "(not (in x xs))");
    expr("x not in xs", "(not-in x xs)");
    expr("x not   in xs", "(not-in x xs)");
}

#[test]
fn comparisons() {
    for op in ["==", "!=", "<", "<=", ">", ">=", "in"] {
        expr(&format!("a {op} b"), &format!("({op} a b)"));
    }
    expr("a + 1 > b * 2", "(> (+ a 1) (* b 2))");
    expr("a ?? 0 == 1", "(== (?? a 0) 1)");
}

#[test]
fn arithmetic() {
    expr("a ?? b + c", "(?? a (+ b c))");
    expr("a + b ?? c", "(?? (+ a b) c)");
    expr("a + b * c", "(+ a (* b c))");
    expr("a * b + c", "(+ (* a b) c)");
    expr("a - b - c", "(- (- a b) c)");
    expr("a / b % c", "(% (/ a b) c)");
    expr("a ?? b ?? c", "(?? (?? a b) c)");
    expr("a + b * c - d / e ?? f", "(?? (- (+ a (* b c)) (/ d e)) f)");
}

#[test]
fn unary_minus() {
    expr("-a", "(neg a)");
    expr("- -a", "(neg (neg a))");
    expr("-a * b", "(* (neg a) b)");
    expr("a - -1", "(- a (neg 1))");
    expr("-a.b", "(neg (path a .b))");
    expr("-2h", "(neg (duration 2h 7200000))");
}

#[test]
fn parentheses_are_kept() {
    expr("(a or b) and c", "(and (paren (or a b)) c)");
    expr("((a))", "(paren (paren a))");
    expr("(a).b", "(path (paren a) .b)");
    expr("(a\n   or b)", "(paren (or a b))");
}

// ---------------------------------------------------------------------------------------
// access paths

#[test]
fn access_paths() {
    expr("a.b.c", "(path a .b .c)");
    expr("a[\"key\"]", "(path a [\"key\"])");
    expr("a[0].b", "(path a [0] .b)");
    expr("a[*].b", "(path a [*] .b)");
    expr("a[i + 1]", "(path a [(+ i 1)])");
    expr("deploymentRequest.type", "(path deploymentRequest .type)");
}

#[test]
fn fields_may_be_keywords() {
    expr("r.change.if", "(path r .change .if)");
    expr(
        "a.in.not.for.true.null",
        "(path a .in .not .for .true .null)",
    );
    expr("input.policy", "(path input .policy)");
}

#[test]
fn calls() {
    expr("lower(a.email)", "(call lower (path a .email))");
    expr("round(x, 2)", "(call round x 2)");
    expr("now()", "(call now)");
    expr("count(xs)", "(call count xs)");
    expr("f(a, b,)", "(call f a b)");
    expr("keys(x)[0]", "(path (call keys x) [0])");
}

#[test]
fn comprehensions() {
    expr("[a for a in xs]", "(list a (for a xs))");
    expr(
        "[a.b for a in xs if a.c]",
        "(list (path a .b) (for a xs) (if (path a .c)))",
    );
    expr("any(x > 1 for x in xs)", "(any (> x 1) (for x xs))");
    expr("all(x for x in xs if x)", "(all x (for x xs) (if x))");
    expr(
        "count(x for x in xs if x.ok)",
        "(count x (for x xs) (if (path x .ok)))",
    );
    expr("sum(x.n for x in xs)", "(sum (path x .n) (for x xs))");
    expr("min(x for x in xs)", "(min x (for x xs))");
    expr("max(x for x in xs)", "(max x (for x xs))");
    expr("[x in ys for x in xs]", "(list (in x ys) (for x xs))");
    expr(
        "[[y for y in x] for x in xs]",
        "(list (list y (for y x)) (for x xs))",
    );
}

// ---------------------------------------------------------------------------------------
// literals

#[test]
fn numbers() {
    expr("10", "10");
    expr("2.5", "2.5");
    expr("1e3", "1000");
    expr("1.5E-2", "0.015");
    expr("007", "7");
}

#[test]
fn durations() {
    expr("90m", "(duration 90m 5400000)");
    expr("2h", "(duration 2h 7200000)");
    expr("1d", "(duration 1d 86400000)");
    expr("1h30m", "(duration 1h30m 5400000)");
    expr("30s", "(duration 30s 30000)");
    expr("1w", "(duration 1w 604800000)");
    expr("2d-1h", "(- (duration 2d 172800000) (duration 1h 3600000))");
}

#[test]
fn keywords_and_names() {
    expr("true", "true");
    expr("false", "false");
    expr("null", "null");
    expr("nullable", "nullable");
    expr("index", "index");
    expr("_x1", "_x1");
}

#[test]
fn strings() {
    expr(r#""plain""#, r#""plain""#);
    expr(r#""""#, r#""""#);
    expr(r#""a ${b} c""#, r#"(str "a " b " c")"#);
    expr(r#""${a}${b}""#, "(str a b)");
    expr(r#""${ {k: 1}.k }""#, "(str (path {k: 1} .k))");
    expr(r#""${"inner ${x}"}""#, r#"(str (str "inner " x))"#);
    expr(r#""costs $5 or ${""}""#, r#"(str "costs $5 or " "")"#);
}

#[test]
fn escapes() {
    expr(
        r#""q\" b\\ n\n t\t r\r d\$""#,
        r#""q\" b\\ n\n t\t r\r d$""#,
    );
    expr(r#""\${not} interpolated""#, r#""${not} interpolated""#);
    expr(r#""\u{e9}\u{1F600}""#, r#""é😀""#);
}

#[test]
fn arrays_and_objects() {
    expr("[]", "[]");
    expr("[1, \"a\", [b],]", "[1 \"a\" [b]]");
    expr("{}", "{}");
    expr(
        "{a: 1, \"b-c\": [2], if: 3,}",
        "{a: 1, \"b-c\": [2], if: 3}",
    );
    expr("{\n  a: 1,\n  b: 2\n}", "{a: 1, b: 2}");
}

// ---------------------------------------------------------------------------------------
// rejected expressions

#[test]
fn chained_comparisons_are_rejected() {
    expr_error(
        "a < b < c",
        "test.policy:2:14: comparisons cannot be chained",
    );
    expr("(a < b) == c", "(== (paren (< a b)) c)");
}

#[test]
fn generators_only_in_aggregates() {
    expr_error(
        "lower(x for x in xs)",
        "test.policy:2:8: `lower` does not take a generator",
    );
}

#[test]
fn bad_literals() {
    expr_error("2x", "test.policy:2:8: invalid number `2x`");
    expr_error("1m1h", "test.policy:2:8: invalid duration `1m1h`");
    expr_error("1e999", "test.policy:2:8: number `1e999` is too large");
    expr_error(r#""\q""#, r#"test.policy:2:9: unknown escape `\q`"#);
    expr_error(
        r#""\u{110000}""#,
        r#"test.policy:2:9: invalid unicode escape `\u{110000}`"#,
    );
}
