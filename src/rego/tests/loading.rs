//! Loading: syntax versions, broken files, packages as policies, data documents.

use super::*;

#[test]
fn v0_policies_load_without_flags() {
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\n\ndeny[msg] {\n  input.cost > 10\n  msg := sprintf(\"cost %v\", [input.cost])\n}\n",
        )],
        json!({"cost": 20}),
    );
    assert_eq!(outcomes, [deny("cost 20")]);
}

#[test]
fn v1_policies_load_without_flags() {
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\nimport rego.v1\n\ndeny contains msg if {\n  input.cost > 10\n  msg := \"too costly\"\n}\n",
        )],
        json!({"cost": 20}),
    );
    assert_eq!(outcomes, [deny("too costly")]);
}

#[test]
fn v0_heads_with_if_are_sets_as_in_opa_v0() {
    // OPA (v0 with future keywords, as env0 runs it): `deny[msg] if` is a set of messages.
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\nimport future.keywords.if\n\ndeny[msg] if {\n  msg := \"a\"\n}\n\nwarn[msg] if msg := \"b\"\n",
        )],
        json!({}),
    );
    assert_eq!(outcomes, [deny("a"), (Verdict::Warn, "b".to_string())]);
}

#[test]
fn keywords_without_imports_mix_with_v0_heads() {
    let outcomes = decide(
        &[(
            "p.rego",
            "package env0\n\ndeny[msg] {\n  some x in input.xs\n  msg := x\n}\n\nwarn contains \"w\" if {\n  every x in input.xs { x != \"\" }\n}\n",
        )],
        json!({"xs": ["b", "a"]}),
    );
    assert_eq!(
        outcomes,
        [deny("a"), deny("b"), (Verdict::Warn, "w".to_string())]
    );
}

#[test]
fn forced_versions_reject_the_other_syntax() {
    let v0_file = [("p.rego", "package env0\ndeny[msg] { msg := \"a\" }\n")];
    let v1_file = [(
        "p.rego",
        "package env0\ndeny contains msg if { msg := \"a\" }\n",
    )];
    let v1 = RegoOptions {
        version: RegoVersion::V1,
        ..RegoOptions::default()
    };
    let v0 = RegoOptions {
        version: RegoVersion::V0,
        ..RegoOptions::default()
    };
    let error = load_with(&v0_file, &v1).err();
    assert_eq!(error.map(|e| e.class), Some(ErrorClass::Invalid));
    assert!(load_with(&v0_file, &v0).is_ok());
    assert!(load_with(&v1_file, &v1).is_ok());
    let error = load_with(&v1_file, &v0).err();
    assert_eq!(error.map(|e| e.class), Some(ErrorClass::Invalid));
}

#[test]
fn every_broken_file_is_reported() {
    let error = load_error(&[
        ("a.rego", "package env0\ndeny[msg] {\n"),
        (
            "b.rego",
            "package env0\nwarn contains msg if { msg := undefined_fn(1) }\n",
        ),
        ("c.rego", "package env0\nallow := true\n"),
    ]);
    let files: Vec<String> = error
        .diagnostics
        .iter()
        .filter_map(|d| d.location().map(|l| format!("{}:{}", l.file, l.line)))
        .collect();
    assert_eq!(files, ["a.rego:2", "b.rego:2"]);
}

#[test]
fn policies_are_packages_in_order_without_test_packages() {
    let files = [
        ("b.rego", "package env0.b\n\ndeny[\"b\"] { false }\n"),
        ("a.rego", "package env0.a\nimport rego.v1\nallow if true\n"),
        (
            "b_test.rego",
            "package env0.b_test\nimport rego.v1\ntest_b if true\n",
        ),
        ("b2.rego", "\n\npackage env0.b\nwarn[\"w\"] { true }\n"),
    ];
    let policies = load(&files);
    let listed: Vec<(String, String, Vec<String>)> = policies
        .policies()
        .iter()
        .map(|p| {
            (
                p.package.clone(),
                p.location.to_string(),
                p.files.iter().map(|f| f.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "env0.b".to_string(),
                "b.rego:1:1".to_string(),
                vec!["b.rego".to_string(), "b2.rego".to_string()]
            ),
            (
                "env0.a".to_string(),
                "a.rego:1:1".to_string(),
                vec!["a.rego".to_string()]
            ),
        ]
    );
}

#[test]
fn data_documents_are_under_data() {
    let policy = "package env0\nimport rego.v1\n\ndeny contains sprintf(\"%s is blocked\", [input.user]) if input.user in data.blocked.users\n";
    let data = vec![(
        Arc::<str>::from("blocked.json"),
        json!({"blocked": {"users": ["mallory"]}}),
    )];
    let mut policies = RegoPolicies::load(
        modules(&[("p.rego", policy)]),
        data,
        &RegoOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let outcomes = evaluate(&mut policies, json!({"user": "mallory"})).unwrap_or_default();
    assert_eq!(outcomes, [deny("mallory is blocked")]);
}

#[test]
fn data_must_be_an_object_and_must_not_conflict() {
    let load_data = |data: Vec<(Arc<str>, Value)>| {
        RegoPolicies::load(
            modules(&[("p.rego", "package env0\n")]),
            data,
            &RegoOptions::default(),
        )
        .err()
    };
    let error = load_data(vec![(Arc::from("list.json"), json!([1]))]);
    assert_eq!(error.as_ref().map(|e| e.class), Some(ErrorClass::Invalid));
    assert_eq!(
        error.map(|e| first_message(&e)),
        Some("data file `list.json` does not hold a JSON object".to_string())
    );
    let error = load_data(vec![
        (Arc::from("a.json"), json!({"x": 1})),
        (Arc::from("b.json"), json!({"x": 2})),
    ]);
    assert!(error.is_some_and(|e| first_message(&e).starts_with("data file `b.json` conflicts")));
}
