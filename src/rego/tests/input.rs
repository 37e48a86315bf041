//! The input in the engine's form is the value the engine's own JSON reading gives.

use serde::Deserialize;

use super::*;

fn through_serde(json: &Value) -> regorus::Value {
    regorus::Value::deserialize(json).unwrap()
}

#[test]
fn the_direct_conversion_gives_what_the_engine_reads() {
    let mut documents = vec![
        json!({}),
        json!([]),
        json!({"n": [0, -1, 1.5, -2.25, 18446744073709551615u64, -9223372036854775808i64, 1e300]}),
        json!({"nested": {"a": [{"b": null, "c": true}, "é", ""], "empty": {}, "list": []}}),
        json!({"z": 1, "a": 2, "m": {"y": [3, {"x": false}]}}),
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in ["fixtures/env0", "fixtures/esc"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                documents
                    .push(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap());
            }
        }
    }
    for document in documents {
        assert_eq!(
            engine_value(&document),
            through_serde(&document),
            "{document}"
        );
    }
}

#[test]
fn a_catalog_default_replaces_only_the_top_level_field() {
    let input = RegoInput::new(&json!({"policyData": {"a": 1}, "plan": {"x": [1]}})).unwrap();
    let filled = input
        .with_field("policyData", &json!({"a": 1, "b": 2}))
        .unwrap();
    assert_eq!(
        filled.value,
        through_serde(&json!({"policyData": {"a": 1, "b": 2}, "plan": {"x": [1]}}))
    );
    assert_eq!(
        input.value,
        through_serde(&json!({"policyData": {"a": 1}, "plan": {"x": [1]}}))
    );
}
