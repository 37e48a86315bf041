//! The compiler's interface: packages, files, errors, and the names it chooses.

use serde_json::json;

use super::support::{Both, one_lines, parse_text};
use crate::dsl::ast::Item;
use crate::dsl::to_rego::{RegoCompiler, compile_file, compile_policy};
use crate::verdict::Verdict;

#[test]
fn packages_are_named_after_policies_and_never_twice() {
    let (file, source) = parse_text(
        "names.policy",
        "policy \"cost-guard\" { allow }\npolicy \"cost guard\" { allow }\npolicy \"2fa\" { allow }\n",
    );
    let mut compiler = RegoCompiler::new();
    let packages: Vec<String> = compiler
        .compile_file(&file, &source)
        .unwrap()
        .into_iter()
        .map(|module| module.package)
        .collect();
    assert_eq!(
        packages,
        [
            "verdict.policy.cost_guard",
            "verdict.policy.cost_guard_2",
            "verdict.policy.p_2fa"
        ]
    );
    let again = compiler.compile_file(&file, &source).unwrap();
    assert_eq!(again[0].package, "verdict.policy.cost_guard_3");
}

#[test]
fn a_file_prints_as_the_library_then_its_policies_each_under_its_path() {
    let (file, source) = parse_text("one.policy", "policy \"one\" { warn \"careful\" }\n");
    let text = compile_file(&file, &source).unwrap();
    let headers: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("# file: "))
        .collect();
    assert_eq!(
        headers,
        [
            "# file: verdict/lib.rego",
            "# file: verdict/builtins.rego",
            "# file: verdict/zones.rego",
            "# file: verdict/fn.rego",
            "# file: verdict/policy/one.rego",
        ]
    );
    assert!(text.contains("package verdict.policy.one\n"));
    assert!(text.contains("warn contains msg if {\n\tmsg := \"careful\"\n}\n"));
}

#[test]
fn a_policy_that_does_not_compile_reports_its_own_errors() {
    let (file, source) = parse_text("bad.policy", "policy \"bad\" {\n  deny if lowr(x)\n}\n");
    let Item::Policy(block) = &file.items[0] else {
        panic!("a policy")
    };
    let errors = compile_policy(block, &source).unwrap_err();
    assert_eq!(
        one_lines(&errors),
        "bad.policy:2:11: unknown function `lowr`"
    );
}

#[test]
fn a_pattern_too_large_for_rego_engines_is_an_error_at_the_pattern() {
    // Unicode's `\w` is large: three of them outgrow what regorus compiles.
    let pattern = r"^\w+@\w+\.\w+$";
    let written = pattern.replace('\\', "\\\\");
    let text = format!("policy \"big\" {{\n  deny if regex(name, \"{written}\")\n}}\n");
    let (file, source) = parse_text("big.policy", &text);
    let Item::Policy(block) = &file.items[0] else {
        panic!("a policy")
    };
    let errors = compile_policy(block, &source).unwrap_err();
    assert_eq!(
        one_lines(&errors),
        format!("big.policy:2:23: regular expression `{pattern}` is too large for Rego engines")
    );
    assert_eq!(errors[0].label.as_deref(), Some("no Rego form"));
    assert!(
        errors[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("100 KiB")
    );
}

#[test]
fn names_that_rego_reserves_are_renamed() {
    let text = r#"policy "names" {
  let count = len(items)
  let violation = "d"
  let some = 1
  let lib = [x for x in items]
  deny "${count} ${violation} ${some} ${lib}" if count > 0
  warn "${msg}" for msg in items
  allow "${y}" for y in [y for y in [y for y in items]]
}
"#;
    let mut both = Both::from_text(text);
    both.assert_agree(0, &json!({"items": ["a", "b"]}), "renamed names");
    let module = &both.modules.last().unwrap().text;
    assert!(
        module.contains("count_2 := fn.len(lib.get(input, [\"items\"]))"),
        "{module}"
    );
    assert!(module.contains("some msg_2 in lib.items"), "{module}");
    assert!(
        module.contains("some y_3 in lib.items(lib.get(input, [\"items\"]))"),
        "{module}"
    );
}

#[test]
fn identical_messages_collapse_into_one_outcome() {
    // Rego's sets have no duplicates: a rule firing three times with the same message is
    // one outcome in Rego, three in the policy language. The verdict is the same.
    let text = "policy \"dup\" {\n  deny \"a destroyed resource\" for r in plan\n  deny \"a destroyed resource\"\n}\n";
    let mut both = Both::from_text(text);
    let input = json!({"plan": [1, 2, 3]});
    let (_, actual) = both.decide(0, &input);
    let (dsl, _) = &both.policies[0];
    let expected = dsl.evaluate(&input, super::support::now()).unwrap();
    assert_eq!(expected.len(), 4);
    assert_eq!(
        actual.unwrap().into_iter().collect::<Vec<_>>(),
        [(Verdict::Deny, "a destroyed resource".to_string())]
    );
}

#[test]
fn rules_without_messages_and_guards_read_as_in_the_policy_language() {
    let text = "policy \"guarded\" {\n  when env == \"prod\"\n  when not frozen\n  pending if approvals < 2\n  allow\n}\n";
    let mut both = Both::from_text(text);
    for input in [
        json!({"env": "prod", "approvals": 1}),
        json!({"env": "prod", "approvals": 3, "frozen": "yes"}),
        json!({"env": "prod", "frozen": true}),
        json!({"env": "dev"}),
        json!({}),
    ] {
        both.assert_agree(0, &input, "guards");
    }
    let (expected, _) = both.decide(0, &json!({"env": "prod", "approvals": 1}));
    assert!(expected.unwrap().contains(&(
        Verdict::Pending,
        "guarded: pending rule at line 4".to_string()
    )));
}
