//! Constant rules written in where they are used (`inline`): which are, which are left
//! alone, and that decisions are the same either way.

use super::*;

pub(super) fn inlining() -> RegoOptions {
    RegoOptions {
        rewrite_for_stream: true,
        ..RegoOptions::default()
    }
}

/// The files loaded as `--batch` loads them, rewritten for a stream of decisions.
pub(super) fn load_streamed(files: &[(&str, &str)]) -> RegoPolicies {
    match load_with(files, &inlining()) {
        Ok(policies) => policies,
        Err(error) => panic!("policies should load: {error:?}"),
    }
}

/// The text the engine was given for each file, as rewritten for a stream of decisions.
pub(super) fn stream_texts(files: &[(&str, &str)]) -> Vec<String> {
    texts(files, false)
}

/// The text the engine was given for each file, with constant rules written in (and the
/// packages' names read back from their short names).
fn engine_texts(files: &[(&str, &str)]) -> Vec<String> {
    texts(files, true)
}

fn texts(files: &[(&str, &str)], names_read_back: bool) -> Vec<String> {
    let policies = load_streamed(files);
    let renaming = policies.shared.renaming.as_ref();
    policies
        .shared
        .files
        .iter()
        .map(|file| match renaming {
            Some(renaming) if names_read_back => renaming.restore(&file.edited.text),
            _ => file.edited.text.clone(),
        })
        .collect()
}

/// Decides every input as rewritten for a stream and as loaded for one decision, and
/// checks that both give the same outcomes, or both the same kind of error.
pub(super) fn same_decisions(files: &[(&str, &str)], inputs: &[Value]) {
    let mut plain = load(files);
    let mut written_in = load_streamed(files);
    for input in inputs {
        let expected = evaluate(&mut plain, input.clone()).map_err(|error| error.class);
        let got = evaluate(&mut written_in, input.clone()).map_err(|error| error.class);
        assert_eq!(got, expected, "input {input}");
    }
}

/// Checks that no constant rule of `policy` is written in, and decisions stay the same.
/// (Its `import rego.v1`, which changes nothing in Rego v1, is left out.)
fn left_alone(policy: &str, inputs: &[Value]) {
    let streamed = policy.replacen("import rego.v1", "", 1);
    assert_eq!(engine_texts(&[("p.rego", policy)]), [streamed]);
    same_decisions(&[("p.rego", policy)], inputs);
}

/// Every file under `folder` (from the repository's root) with the extension, with its
/// text, in name order.
fn files_under(folder: &str, extension: &str) -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == extension) {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            files.push((path.display().to_string(), text));
        }
    }
    files
}

pub(super) fn shipped() -> Vec<(String, String)> {
    files_under("policies/env0", "rego")
}

pub(super) fn fixtures() -> Vec<Value> {
    files_under("fixtures/env0", "json")
        .iter()
        .map(|(_, text)| serde_json::from_str(text).unwrap_or(Value::Null))
        .collect()
}

/// Pairs of strings as the helpers take them.
pub(super) fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

#[test]
fn the_shipped_policies_decide_every_fixture_alike() {
    let files = shipped();
    let files = borrowed(&files);
    let mut inputs = fixtures();
    assert!(inputs.len() >= 10, "the fixtures should be found");
    // And the fields the constant rules read, missing or of the wrong type.
    inputs.push(json!({"deploymentRequest": {"type": "deploy"}, "approvers": []}));
    inputs.push(json!({
        "deploymentRequest": {"type": "deploy"},
        "policyData": {"requiredApprovers": "two", "hardMonthlyLimit": null, "ownedTypes": 3},
        "costEstimation": {"monthlyCostDiff": "lots", "totalMonthlyCost": 10},
        "deployerUser": {"email": 7, "teams": [{"id": "security"}]},
        "approvers": [{"email": " Bob@Acme.io "}],
        "plan": {"resource_changes": [{"type": "aws_iam_role", "address": "a", "change": {"actions": ["create"]}}]}
    }));
    same_decisions(&files, &inputs);
}

#[test]
fn the_shipped_constant_rules_are_written_in_where_they_are_read() {
    let files = shipped();
    let files = borrowed(&files);
    let texts = engine_texts(&files).join("\n");
    for written in [
        "count(other_approvers) < input.policyData.requiredApprovers",
        r#"input.costEstimation.monthlyCostDiff > object.get(input, ["policyData", "maxCostIncrease"], 100)"#,
        // A constant mentioning another has the other's value written in too.
        r#"owned_types := object.get(input, ["policyData", "ownedTypes"], ["aws_iam_role","#,
    ] {
        assert!(texts.contains(written), "{written} in\n{texts}");
    }
    // Where a call would be evaluated for each approver or change, the rule stays.
    for kept in [
        r#"not email in {"", deployer}; __vg1 := email; __vg2 := deployer"#,
        "change.type in owned_types\n",
    ] {
        assert!(texts.contains(kept), "{kept} in\n{texts}");
    }
    // The rules stay defined, for `data` and other packages.
    assert!(texts.contains("\nrequired := input.policyData.requiredApprovers\n"));
    // A set indexed as `critical_types[change.type]` is a reference's start: left alone.
    assert!(texts.contains("\tcritical_types[change.type]\n"));
}

#[test]
fn lines_and_columns_of_errors_stay_those_of_the_file() {
    let policy = "package p\nimport rego.v1\n\nlimit := input.limit\n\ndeny contains msg if {\n  msg := sprintf(\"%d\", [limit, 1 / 0])\n}\n";
    let mut policies = load_streamed(&[("p.rego", policy)]);
    assert!(engine_texts(&[("p.rego", policy)])[0].contains("[input.limit, 1 / 0]"));
    let strict = RegoOptions {
        strict_builtin_errors: true,
        ..inlining()
    };
    let mut strict_policies = match load_with(&[("p.rego", policy)], &strict) {
        Ok(policies) => policies,
        Err(error) => panic!("policies should load: {error:?}"),
    };
    // Without strict errors the failing division leaves the rule undefined.
    assert_eq!(
        evaluate(&mut policies, json!({"limit": 1})).ok(),
        Some(Vec::new())
    );
    match evaluate(&mut strict_policies, json!({"limit": 1})) {
        Ok(outcomes) => panic!("the division should fail: {outcomes:?}"),
        Err(error) => {
            let span = error.diagnostics.first().and_then(|d| d.span);
            let shown = span.and_then(|span| policy.get(span.start..span.end));
            assert_eq!(shown, Some("/"), "{error:?}");
        }
    }
}

#[test]
fn an_undefined_value_leaves_its_uses_undefined_as_the_rule_did() {
    let policy = r#"package p
import rego.v1

limit := input.policyData.limit
name := lower(input.name)

deny contains "over" if input.cost > limit
deny contains "no limit" if not limit
warn contains sprintf("hello %s", [name]) if true
allow contains "named" if name
"#;
    same_decisions(
        &[("p.rego", policy)],
        &[
            json!({}),
            json!({"cost": 5}),
            json!({"cost": 5, "policyData": {"limit": 3}}),
            json!({"cost": 5, "policyData": {"limit": false}}),
            json!({"name": "ADA"}),
            json!({"name": 7}),
        ],
    );
    let text = &engine_texts(&[("p.rego", policy)])[0];
    assert!(text.contains("if not input.policyData.limit\n"), "{text}");
}

#[test]
fn a_package_in_several_files_reads_the_value_in_each() {
    let rules = "package p\nimport rego.v1\n\nlimit := object.get(input, \"limit\", 10)\n";
    let deny = "package p\nimport rego.v1\n\ndeny contains \"over\" if input.cost > limit\n";
    let files = [("a.rego", rules), ("b.rego", deny)];
    let texts = engine_texts(&files);
    assert!(texts[1].contains(r#"input.cost > object.get(input, "limit", 10)"#));
    same_decisions(
        &files,
        &[
            json!({"cost": 5}),
            json!({"cost": 11}),
            json!({"cost": 11, "limit": 20}),
        ],
    );
}

#[test]
fn a_name_declared_anywhere_in_the_package_keeps_its_rule() {
    let inputs = [json!({"xs": [1, 5], "limit": 3})];
    left_alone(
        "package p\nimport rego.v1\n\nlimit := input.limit\n\ndeny contains x if {\n  some i\n  x := input.xs[i]\n  limit := 2\n  x > limit\n}\n\nwarn contains \"w\" if 4 > limit\n",
        &inputs,
    );
    left_alone(
        "package p\nimport rego.v1\n\nlimit := input.limit\n\ndeny contains \"d\" if {\n  every limit in input.xs { limit > 0 }\n}\n\nwarn contains \"w\" if 4 > limit\n",
        &inputs,
    );
    left_alone(
        "package p\nimport rego.v1\n\nlimit := input.limit\n\ntwice(limit) := limit * 2\n\ndeny contains \"d\" if twice(2) > limit\n",
        &inputs,
    );
}

#[test]
fn rules_that_could_mean_something_else_where_used_are_left_alone() {
    let inputs = [json!({"xs": [1, 5], "limit": 3, "types": ["a"]}), json!({})];
    // A default: the rule has a value where its definition has none.
    left_alone(
        "package p\nimport rego.v1\n\ndefault limit := 1\nlimit := input.limit\n\ndeny contains \"d\" if 2 > limit\n",
        &inputs,
    );
    // Read as the start of a longer reference, where the value is not a reference.
    left_alone(
        "package p\nimport rego.v1\n\ntypes := [\"a\", \"b\"]\n\ndeny contains t if {\n  t := types[_]\n}\n",
        &inputs,
    );
    // A key of a rule's head, where the engine takes only some kinds of terms.
    left_alone(
        "package p\nimport rego.v1\n\nlimit := input.limit\n\nby_limit[limit] := 1\n\ndeny contains \"d\" if by_limit[3]\n",
        &inputs,
    );
    // A `with` could replace the rule, or the input of the rule alone.
    left_alone(
        "package p\nimport rego.v1\n\nlimit := input.limit\n\nover if 4 > limit\n\ndeny contains \"d\" if over with input.limit as 1\n",
        &inputs,
    );
    // A call that need not answer the same each time, and one of a rule with a body.
    left_alone(
        "package p\nimport rego.v1\n\nstarted := time.now_ns()\n\nwarn contains \"w\" if started > 0\n",
        &inputs,
    );
    left_alone(
        "package p\nimport rego.v1\n\nbig if input.limit > 2\nlimit := big\n\nwarn contains \"w\" if limit\n",
        &inputs,
    );
    // A value written over several lines would move the lines after it.
    left_alone(
        "package p\nimport rego.v1\n\nlimit := object.get(\n  input, \"limit\", 1)\n\nwarn contains \"w\" if 2 > limit\n",
        &inputs,
    );
    // Read through `data`: the rule stays, and the reference is not a plain name.
    left_alone(
        "package p\nimport rego.v1\n\nlimit := input.limit\n\nwarn contains \"w\" if 2 > data.p.limit\n",
        &inputs,
    );
}

/// The replacements written in for one file, before the engine sees them.
fn written_in(policy: &str) -> Vec<(String, String)> {
    let (parsed, problems) = load::parse_all(modules(&[("p.rego", policy)]), &inlining());
    assert!(problems.is_empty(), "{problems:?}");
    crate::rego::inline::constant_rules(&parsed)
        .into_iter()
        .flatten()
        .map(|edit| (policy[edit.start..edit.end].to_string(), edit.text))
        .collect()
}

#[test]
fn a_string_is_written_in_with_both_its_quotes() {
    // The engine's span of a string leaves out a quote (found by fuzzing: a raw string
    // written in without its opening quote, where the engine refused the text).
    let policy =
        "package p\nimport rego.v1\n\nx := `a[b`\ny := x\nz := \"a[b\"\n\nwarn contains y if z\n";
    let written = written_in(policy);
    let written = borrowed(&written);
    assert_eq!(written, [("x", "`a[b`"), ("y", "`a[b`"), ("z", "\"a[b\"")]);
    same_decisions(&[("p.rego", policy)], &[json!({})]);
}

#[test]
fn an_empty_set_is_written_in_up_to_its_closing_parenthesis() {
    // The engine's span of `set()` runs on to the end of the token after it (found by
    // fuzzing: `set()input` written in, where the engine refused the text). In Rego v0,
    // `input.costs` after it on the same line is a rule of its own.
    let policy = "package p\n\nnone := set()input.costs\nspaced := set( # ) \n)\n\n\
                  warn contains \"empty\" if count(none) == 0\n\
                  warn contains \"spaced\" if count(spaced) == 0\n";
    let written = written_in(policy);
    let written = borrowed(&written);
    assert_eq!(written, [("none", "set()")]);
    same_decisions(&[("p.rego", policy)], &[json!({}), json!({"costs": 3})]);
}

#[test]
fn a_reference_is_continued_where_the_name_starts_a_longer_one() {
    let policy = "package p\nimport rego.v1\n\ntypes := input.types\ndata_ := input.policyData\n\ndeny contains t if {\n  t := types[_]\n  t != data_.skip\n}\n";
    let written = written_in(policy);
    let written = borrowed(&written);
    assert_eq!(
        written,
        [("types", "input.types"), ("data_", "input.policyData")]
    );
    same_decisions(
        &[("p.rego", policy)],
        &[
            json!({}),
            json!({"types": ["a", "b"]}),
            json!({"types": ["a", "b"], "policyData": {"skip": "a"}}),
            json!({"types": "ab", "policyData": 3}),
        ],
    );
    let text = &engine_texts(&[("p.rego", policy)])[0];
    assert!(
        text.contains("t := input.types[_]\n  t != input.policyData.skip\n"),
        "{text}"
    );
}

#[test]
fn a_call_is_written_in_only_where_it_is_evaluated_once() {
    let policy = r#"package p
import rego.v1

team := lower(object.get(input, "team", "sre"))
path := input.policyData.team

deny contains "once" if team == "ops"
deny contains c if {
  some c in input.changes
  c == team
  c != path
}
warn contains "every" if every c in input.changes { c != team }
allow contains "comprehension" if count([c | some c in input.changes; c == team]) > 0
twice(x) := concat("", [x, team])
pending contains twice("a") if true
"#;
    let written = written_in(policy);
    let written = borrowed(&written);
    let call = r#"lower(object.get(input, "team", "sre"))"#;
    // The call once, in the first rule; the reference everywhere it is read.
    assert_eq!(written, [("team", call), ("path", "input.policyData.team")]);
    same_decisions(
        &[("p.rego", policy)],
        &[
            json!({}),
            json!({"team": "OPS", "changes": ["ops", "sre"]}),
            json!({"changes": ["sre"], "policyData": {"team": "sre"}}),
        ],
    );
}
