//! Short package names in the engine for a stream of decisions (`rename`): which sets get
//! them, and that decisions and reports stay those of the packages' own names; and the
//! `import rego.v1` a stream spares the engine.

use super::inline::{
    borrowed, fixtures, inlining, load_streamed, same_decisions, shipped, stream_texts,
};
use super::*;

/// The package line of each text the engine was given.
fn package_lines(files: &[(&str, &str)]) -> Vec<String> {
    stream_texts(files)
        .iter()
        .filter_map(|text| text.lines().find(|line| line.starts_with("package ")))
        .map(str::to_string)
        .collect()
}

/// The short names the engine was given for the packages of `files`.
fn renaming_of(files: &[(&str, &str)]) -> crate::rego::rename::Renaming {
    match load_streamed(files).shared.renaming.clone() {
        Some(renaming) => renaming,
        None => panic!("the packages should have short names"),
    }
}

#[test]
fn the_shipped_packages_are_known_to_the_engine_by_short_names() {
    let files = shipped();
    let files = borrowed(&files);
    let mut lines = package_lines(&files);
    lines.sort();
    lines.dedup();
    let expected: Vec<String> = (1..=7).map(|n| format!("package __vp{n}")).collect();
    assert_eq!(lines, expected);

    // Outcomes whole, policy and rule names, files and lines, as a single decision's.
    let mut plain = load(&files);
    let mut streamed = load_streamed(&files);
    let names: Vec<&str> = streamed
        .policies()
        .iter()
        .map(|policy| policy.package.as_str())
        .collect();
    assert!(names.contains(&"env0.require_approvers"), "{names:?}");
    let mut outcomes = 0;
    for input in fixtures() {
        let all = |policies: &mut RegoPolicies| -> Vec<Outcome> {
            assert!(policies.set_input(&input).is_ok());
            (0..policies.policies().len())
                .filter_map(|index| policies.evaluate(index, now()).ok())
                .flatten()
                .collect()
        };
        let expected = all(&mut plain);
        assert_eq!(all(&mut streamed), expected, "input {input}");
        outcomes += expected.len();
    }
    assert!(outcomes > 0, "the fixtures should produce outcomes");
}

#[test]
fn a_package_in_several_files_has_one_short_name_and_decides_alike() {
    let deny =
        "package team.deploy\nimport rego.v1\n\ndeny contains \"over\" if input.cost > limit\n";
    let allow = "package team.deploy\nimport rego.v1\n\nlimit := 10\n\nallow contains \"fine\" if input.cost <= limit\n";
    // A rule that is simply true is reported by its package's own path.
    let other = "package team.other\nimport rego.v1\n\nwarn if input.cost == 7\n";
    let files = [("a.rego", deny), ("b.rego", allow), ("c.rego", other)];
    assert_eq!(
        package_lines(&files),
        ["package __vp1", "package __vp1", "package __vp2"]
    );
    let inputs = [
        json!({"cost": 3}),
        json!({"cost": 7}),
        json!({"cost": 30}),
        json!({}),
    ];
    same_decisions(&files, &inputs);
}

#[test]
fn tests_beside_the_policies_do_not_keep_the_names() {
    let policy =
        "package team.deploy\nimport rego.v1\n\ndeny contains \"over\" if input.cost > 10\n";
    let tests = "package team.deploy_test\nimport rego.v1\nimport data.team.deploy\n\n\
                 test_over if \"over\" in deploy.deny with input as {\"cost\": 11}\n";
    let own_tests = "package team.other\nimport rego.v1\n\nwarn contains \"odd\" if input.cost == 7\n\n\
                     test_odd if data.team.other.warn[\"odd\"] with input as {\"cost\": 7}\n";
    let files = [
        ("p.rego", policy),
        ("p_test.rego", tests),
        ("q.rego", own_tests),
    ];
    assert_eq!(
        package_lines(&files),
        ["package __vp1", "package __vp2", "package __vp3"]
    );
    same_decisions(
        &files,
        &[json!({"cost": 11}), json!({"cost": 7}), json!({})],
    );
}

#[test]
fn sets_that_could_reach_a_package_by_its_path_keep_the_names() {
    let plain = "package a.b\nimport rego.v1\n\ndeny contains \"no\" if input.x\n";
    let cases: [&[(&str, &str)]; 5] = [
        // A rule reads the `data` document, or imports from it.
        &[
            ("p.rego", plain),
            (
                "q.rego",
                "package c\nimport rego.v1\n\ndeny contains \"q\" if data.a.b.deny[_]\n",
            ),
        ],
        &[(
            "p.rego",
            "package a.b\nimport rego.v1\nimport data.c\n\ndeny contains \"no\" if input.x\n",
        )],
        // One package's path starts another's.
        &[
            ("p.rego", plain),
            (
                "q.rego",
                "package a.b.c\nimport rego.v1\n\ndeny contains \"q\" if input.y\n",
            ),
        ],
        // A name spelled as a string, or already like a short one.
        &[(
            "p.rego",
            "package a[\"b\"]\nimport rego.v1\n\ndeny contains \"no\" if input.x\n",
        )],
        &[(
            "p.rego",
            "package __vp9\nimport rego.v1\n\ndeny contains \"no\" if input.x\n",
        )],
    ];
    for files in cases {
        let originals: Vec<&str> = files
            .iter()
            .filter_map(|(_, text)| text.lines().next())
            .collect();
        assert_eq!(package_lines(files), originals);
        same_decisions(files, &[json!({"x": true, "y": true}), json!({})]);
    }
}

#[test]
fn a_set_with_data_documents_keeps_the_names() {
    let policy = "package a.b\nimport rego.v1\n\ndeny contains \"no\" if input.x\n";
    let data = vec![(
        Arc::from("data.json"),
        json!({"__vp1": {"deny": ["planted"]}}),
    )];
    let policies = match RegoPolicies::load(modules(&[("p.rego", policy)]), data, &inlining()) {
        Ok(policies) => policies,
        Err(error) => panic!("policies should load: {error:?}"),
    };
    assert!(policies.shared.renaming.is_none());
    let lines: Vec<Option<&str>> = policies
        .shared
        .files
        .iter()
        .map(|file| file.edited.text.lines().next())
        .collect();
    assert_eq!(lines, [Some("package a.b")]);
}

#[test]
fn engine_messages_name_the_packages_as_the_files_do() {
    let files = [
        (
            "p.rego",
            "package a.b\nimport rego.v1\n\ndeny contains \"no\" if input.x\n",
        ),
        (
            "q.rego",
            "package c\nimport rego.v1\n\ndeny contains \"q\" if input.y\n",
        ),
    ];
    assert_eq!(
        renaming_of(&files).restore("no rule at data.__vp1.deny, nor at data.__vp2[\"x\"]"),
        "no rule at data.a.b.deny, nor at data.c[\"x\"]"
    );
    // `__vp12` is not `__vp1` followed by a 2.
    let files: Vec<(String, String)> = (1..=12)
        .map(|n| {
            let text = format!("package p{n}\nimport rego.v1\n\ndeny contains \"no\" if input.x\n");
            (format!("p{n}.rego"), text)
        })
        .collect();
    assert_eq!(
        renaming_of(&borrowed(&files)).restore("data.__vp12.deny and data.__vp1.deny"),
        "data.p12.deny and data.p1.deny"
    );
}

#[test]
fn a_v1_file_s_import_of_rego_v1_is_spared_where_v1_names_nothing_else() {
    let files = shipped();
    let files = borrowed(&files);
    for (text, (name, original)) in stream_texts(&files).iter().zip(&files) {
        assert!(!text.contains("import rego.v1"), "{name}");
        assert_eq!(text.lines().count(), original.lines().count(), "{name}");
    }

    let spells_v1 = "package a\nimport rego.v1\n\ndeny contains \"old\" if input.v1\n";
    assert_eq!(
        stream_texts(&[("p.rego", spells_v1)]),
        [spells_v1.replacen("package a", "package __vp1", 1)]
    );
    same_decisions(&[("p.rego", spells_v1)], &[json!({"v1": true}), json!({})]);

    // Read as Rego v0, the import is what turns v1's keywords on.
    let v0 = RegoOptions {
        version: RegoVersion::V0,
        ..inlining()
    };
    let policy = "package a\nimport rego.v1\n\ndeny contains \"no\" if input.x\n";
    let policies = match load_with(&[("p.rego", policy)], &v0) {
        Ok(policies) => policies,
        Err(error) => panic!("policies should load: {error:?}"),
    };
    let texts: Vec<&str> = policies
        .shared
        .files
        .iter()
        .map(|file| file.edited.text.as_str())
        .collect();
    assert_eq!(
        texts,
        ["package __vp1\nimport rego.v1\n\ndeny contains \"no\" if input.x\n"]
    );
}
