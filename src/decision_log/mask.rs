//! Masks: fields of the input replaced by a marker and the hash of their value before the
//! input is stored in the log.
//!
//! A mask is a path of field names separated by dots. After a name, `[*]` stands for every
//! element of an array and `[N]` for element N; a name `*` stands for every member of an
//! object: `policyData.secret`, `deployerUser.email`, `approvers[*].email`,
//! `environments.*.token`. Field names holding `.`, `[`, `]` or being `*` cannot be named.
//!
//! A masked value becomes the string `***sha256:` followed by the SHA-256 of its canonical
//! JSON, so equal values stay visibly equal without being shown. The hash is not keyed: a
//! value with few possibilities (an e-mail address of a known team, a small number) can be
//! found by hashing guesses.

use std::fmt;

use serde_json::Value;

use super::canonical::{canonical_bytes, sha256_hex};

/// What a masked value starts with.
pub const MASK_PREFIX: &str = "***sha256:";

/// One parsed mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask {
    text: String,
    steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    AnyKey,
    AnyIndex,
    Index(usize),
}

/// Why a mask could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid mask `{mask}`: {reason}")]
pub struct MaskError {
    pub mask: String,
    pub reason: String,
}

impl Mask {
    pub fn parse(text: &str) -> Result<Mask, MaskError> {
        let fail = |reason: &str| MaskError {
            mask: text.to_string(),
            reason: reason.to_string(),
        };
        if text.is_empty() {
            return Err(fail("it is empty"));
        }
        let mut steps = Vec::new();
        for segment in text.split('.') {
            let (name, brackets) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
            steps.push(match name {
                "" => return Err(fail("a field name is missing")),
                "*" => Step::AnyKey,
                _ if name.contains(']') => return Err(fail("`]` without `[`")),
                _ => Step::Key(name.to_string()),
            });
            parse_brackets(brackets, &mut steps).map_err(fail)?;
        }
        Ok(Mask {
            text: text.to_string(),
            steps,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Reads `[*]`, `[N]`, `[*][0]`… after a field name.
fn parse_brackets(mut rest: &str, steps: &mut Vec<Step>) -> Result<(), &'static str> {
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or("expected `[` after `]`")?;
        let close = inner.find(']').ok_or("`[` without `]`")?;
        let (index, after) = inner.split_at(close);
        steps.push(match index {
            "*" => Step::AnyIndex,
            _ => Step::Index(
                index
                    .parse()
                    .map_err(|_| "expected `*` or an index inside `[]`")?,
            ),
        });
        rest = after.strip_prefix(']').unwrap_or(after);
    }
    Ok(())
}

/// The stored form of a masked value.
pub fn masked_marker(value: &Value) -> String {
    format!("{MASK_PREFIX}{}", sha256_hex(&canonical_bytes(value)))
}

/// Replaces every field that a mask names. Each replaced value is hashed as it was in the
/// input, even when masks overlap (`policyData` and `policyData.secret`).
pub fn apply_masks(document: &mut Value, masks: &[Mask]) {
    let mut places = Vec::new();
    for mask in masks {
        collect_matches(document, &mask.steps, &mut Vec::new(), &mut places);
    }
    // An outer place hides everything under it; shorter paths sort first.
    places.sort();
    places.dedup();
    let mut outermost: Vec<Vec<Place>> = Vec::new();
    for place in places {
        if !outermost.iter().any(|outer| place.starts_with(outer)) {
            outermost.push(place);
        }
    }
    for place in outermost {
        if let Some(value) = value_at_mut(document, &place) {
            *value = Value::String(masked_marker(value));
        }
    }
}

/// One step of a concrete path into a document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Key(String),
    Index(usize),
}

fn collect_matches(
    value: &Value,
    steps: &[Step],
    path: &mut Vec<Place>,
    found: &mut Vec<Vec<Place>>,
) {
    let Some((step, rest)) = steps.split_first() else {
        found.push(path.clone());
        return;
    };
    let mut visit = |place: Place, child: &Value| {
        path.push(place);
        collect_matches(child, rest, path, found);
        path.pop();
    };
    match (step, value) {
        (Step::Key(key), Value::Object(map)) => {
            if let Some(child) = map.get(key) {
                visit(Place::Key(key.clone()), child);
            }
        }
        (Step::AnyKey, Value::Object(map)) => {
            for (key, child) in map {
                visit(Place::Key(key.clone()), child);
            }
        }
        (Step::AnyIndex, Value::Array(items)) => {
            for (index, child) in items.iter().enumerate() {
                visit(Place::Index(index), child);
            }
        }
        (Step::Index(index), Value::Array(items)) => {
            if let Some(child) = items.get(*index) {
                visit(Place::Index(*index), child);
            }
        }
        _ => {}
    }
}

fn value_at_mut<'a>(value: &'a mut Value, path: &[Place]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |current, place| match place {
        Place::Key(key) => current.get_mut(key.as_str()),
        Place::Index(index) => current.get_mut(*index),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn masked(document: Value, masks: &[&str]) -> Value {
        let masks: Vec<Mask> = masks.iter().map(|m| Mask::parse(m).unwrap()).collect();
        let mut document = document;
        apply_masks(&mut document, &masks);
        document
    }

    fn input() -> Value {
        json!({
            "deployerUser": {"name": "Alice", "email": "alice@acme.io"},
            "approvers": [
                {"name": "Bob", "email": "bob@acme.io"},
                {"name": "Carol", "email": "carol@acme.io"},
                {"name": "Dan"}
            ],
            "policyData": {"secret": {"token": "s3cr3t"}, "maxCostIncrease": 100}
        })
    }

    #[test]
    fn named_fields_are_replaced_and_the_rest_is_kept() {
        let document = masked(
            input(),
            &[
                "policyData.secret",
                "deployerUser.email",
                "approvers[*].email",
            ],
        );
        let mut expected = input();
        expected["policyData"]["secret"] = json!(masked_marker(&json!({"token": "s3cr3t"})));
        expected["deployerUser"]["email"] = json!(masked_marker(&json!("alice@acme.io")));
        expected["approvers"][0]["email"] = json!(masked_marker(&json!("bob@acme.io")));
        expected["approvers"][1]["email"] = json!(masked_marker(&json!("carol@acme.io")));
        assert_eq!(document, expected);
        assert!(!document.to_string().contains("@acme.io"));
    }

    #[test]
    fn equal_values_get_equal_markers() {
        let document = masked(
            json!({"a": {"email": "x@y"}, "b": [{"email": "x@y"}]}),
            &["a.email", "b[0].email"],
        );
        assert_eq!(document["a"]["email"], document["b"][0]["email"]);
        let marker = document["a"]["email"].as_str().unwrap();
        assert!(marker.starts_with(MASK_PREFIX));
        assert_eq!(marker.len(), MASK_PREFIX.len() + 64);
    }

    #[test]
    fn object_wildcards_and_indexes_select_what_they_name() {
        let document = masked(
            json!({"envs": {"a": {"token": 1, "id": "a"}, "b": {"token": 2, "id": "b"}},
                   "list": [[1, 2], [3, 4]]}),
            &["envs.*.token", "list[*][1]"],
        );
        assert_eq!(document["envs"]["a"]["id"], "a");
        assert_eq!(
            document["envs"]["b"]["token"],
            json!(masked_marker(&json!(2)))
        );
        assert_eq!(document["list"][1][0], 3);
        assert_eq!(document["list"][1][1], json!(masked_marker(&json!(4))));
    }

    #[test]
    fn overlapping_masks_hash_the_original_value() {
        let document = masked(input(), &["policyData.secret.token", "policyData"]);
        assert_eq!(
            document["policyData"],
            json!(masked_marker(&input()["policyData"]))
        );
    }

    #[test]
    fn paths_that_do_not_exist_change_nothing() {
        let document = masked(
            input(),
            &["missing.field", "approvers.email", "deployerUser[0]"],
        );
        assert_eq!(document, input());
    }

    #[test]
    fn malformed_masks_say_what_is_wrong() {
        let reason = |text: &str| Mask::parse(text).unwrap_err().to_string();
        assert_eq!(reason(""), "invalid mask ``: it is empty");
        assert_eq!(
            reason("a..b"),
            "invalid mask `a..b`: a field name is missing"
        );
        assert_eq!(
            reason("[*].a"),
            "invalid mask `[*].a`: a field name is missing"
        );
        assert_eq!(
            reason("a[x]"),
            "invalid mask `a[x]`: expected `*` or an index inside `[]`"
        );
        assert_eq!(reason("a[*"), "invalid mask `a[*`: `[` without `]`");
        assert_eq!(
            reason("a[*]b"),
            "invalid mask `a[*]b`: expected `[` after `]`"
        );
        assert_eq!(reason("a]"), "invalid mask `a]`: `]` without `[`");
    }
}
