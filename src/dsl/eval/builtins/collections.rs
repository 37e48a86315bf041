//! Builtins over lists and objects: `count`, `len`, `keys`, `values`, `unique`, `any`,
//! `all`, `contains`.

use std::collections::HashSet;

use crate::dsl::eval::render::json_text;
use crate::dsl::eval::value::Value;

/// The number of elements of a list or entries of an object; `0` for `null`, as a
/// comprehension over `null` counts nothing.
pub fn count<'a>(value: &Value<'a>) -> Value<'a> {
    match value {
        Value::Null => Value::Number(0.0),
        _ => size(value),
    }
}

/// The number of characters of a string, elements of a list, entries of an object.
pub fn len<'a>(value: &Value<'a>) -> Value<'a> {
    match value.as_str() {
        Some(text) => Value::Number(text.chars().count() as f64),
        None => size(value),
    }
}

fn size<'a>(value: &Value<'a>) -> Value<'a> {
    value
        .size()
        .map_or(Value::Null, |size| Value::Number(size as f64))
}

pub fn keys<'a>(value: &Value<'a>) -> Value<'a> {
    value.keys().map_or(Value::Null, Value::list)
}

pub fn values<'a>(value: &Value<'a>) -> Value<'a> {
    if !value.is_object() {
        return Value::Null;
    }
    value
        .elements()
        .map_or(Value::Null, |values| Value::list(values.collect()))
}

/// The elements of a list without repeats, first occurrences kept in order; equality is
/// structural, so `1` and `1.0` are one element.
pub fn unique<'a>(value: &Value<'a>) -> Value<'a> {
    if !value.is_list() {
        return Value::Null;
    }
    let elements = value.elements().into_iter().flatten();
    if value.size().is_some_and(|size| size <= SCANNED) {
        unique_by_scan(elements)
    } else {
        unique_by_hash(elements)
    }
}

/// Up to this many elements, each is compared with those kept so far: for the few
/// approvers or actions a policy dedups, cheaper than hashing each one's JSON text.
const SCANNED: usize = 16;

fn unique_by_scan<'a>(elements: impl Iterator<Item = Value<'a>>) -> Value<'a> {
    let mut kept: Vec<Value<'a>> = Vec::new();
    for item in elements {
        if !kept.iter().any(|other| same_element(other, &item)) {
            kept.push(item);
        }
    }
    Value::list(kept)
}

/// Whether two elements are one for `unique`: containers structurally equal, scalars of
/// one kind with the same JSON text (numbers are in shortest form), a string only ever
/// equal to the same string (its JSON text is its own, escaped).
fn same_element(left: &Value<'_>, right: &Value<'_>) -> bool {
    let containers = (
        left.is_list() || left.is_object(),
        right.is_list() || right.is_object(),
    );
    match (containers, left.as_str(), right.as_str()) {
        ((true, true), _, _) => left.equals(right),
        ((false, false), Some(left), Some(right)) => left == right,
        ((false, false), None, None) => {
            left.kind_name() == right.kind_name() && json_text(left) == json_text(right)
        }
        _ => false,
    }
}

fn unique_by_hash<'a>(elements: impl Iterator<Item = Value<'a>>) -> Value<'a> {
    let mut seen_scalars = HashSet::new();
    let mut kept: Vec<Value<'a>> = Vec::new();
    let mut kept_containers: Vec<Value<'a>> = Vec::new();
    for item in elements {
        let fresh = if item.is_list() || item.is_object() {
            // Containers are compared one by one: their text depends on key order.
            let fresh = !kept_containers.iter().any(|other| other.equals(&item));
            if fresh {
                kept_containers.push(item.clone());
            }
            fresh
        } else {
            // The JSON text of a scalar is canonical: numbers are in shortest form.
            let kind = item.kind_name();
            seen_scalars.insert((kind, json_text(&item)))
        };
        if fresh {
            kept.push(item);
        }
    }
    Value::list(kept)
}

/// A list in ascending order: every element must be of one ordered kind (numbers,
/// strings, times or durations), else `null`, as `<` would not order them either.
pub fn sort<'a>(value: &Value<'a>) -> Value<'a> {
    if !value.is_list() {
        return Value::Null;
    }
    let mut items: Vec<Value<'a>> = value.elements().into_iter().flatten().collect();
    let comparable = match items.first() {
        Some(first) => items.iter().all(|item| first.compare(item).is_some()),
        None => true,
    };
    if !comparable {
        return Value::Null;
    }
    items.sort_by(|left, right| left.compare(right).unwrap_or(std::cmp::Ordering::Equal));
    Value::list(items)
}

/// Whether some element of a list is `true`; `false` for `null` and what is not a list.
pub fn any<'a>(value: &Value<'a>) -> Value<'a> {
    let found = value.is_list()
        && value
            .elements()
            .into_iter()
            .flatten()
            .any(|item| item.is_true());
    Value::Bool(found)
}

/// Whether every element of a list is `true`: `true` for `[]`, `false` for `null` and what
/// is not a list (fail safe).
pub fn all<'a>(value: &Value<'a>) -> Value<'a> {
    let every = value.is_list()
        && value
            .elements()
            .into_iter()
            .flatten()
            .all(|item| item.is_true());
    Value::Bool(every)
}

/// `contains(haystack, needle)` is `needle in haystack` for a list, a string or an
/// object; `null` for any other haystack.
pub fn contains<'a>(haystack: &Value<'a>, needle: &Value<'a>) -> Value<'a> {
    if haystack.is_list() || haystack.is_object() || haystack.is_string() {
        Value::Bool(haystack.has(needle))
    } else {
        Value::Null
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{unique_by_hash, unique_by_scan};

    use crate::dsl::eval::builtins::test_support::call_json as call;

    #[test]
    fn count_counts_lists_and_objects_and_null_as_empty() {
        assert_eq!(call("count", &[json!([1, 2, 3])]), json!(3));
        assert_eq!(call("count", &[json!([])]), json!(0));
        assert_eq!(call("count", &[json!({"a": 1})]), json!(1));
        assert_eq!(call("count", &[json!(null)]), json!(0));
        assert_eq!(call("count", &[json!("abc")]), json!(null));
        assert_eq!(call("count", &[json!(7)]), json!(null));
    }

    #[test]
    fn len_counts_characters_not_bytes() {
        assert_eq!(call("len", &[json!("é")]), json!(1));
        assert_eq!(call("len", &[json!("👩‍💻")]), json!(3));
        assert_eq!(call("len", &[json!("")]), json!(0));
        assert_eq!(call("len", &[json!([1, [2, 3]])]), json!(2));
        assert_eq!(call("len", &[json!({})]), json!(0));
        assert_eq!(call("len", &[json!(null)]), json!(null));
        assert_eq!(call("len", &[json!(true)]), json!(null));
    }

    #[test]
    fn keys_and_values_of_objects_in_key_order() {
        let object = json!({"b": 2, "a": [1]});
        assert_eq!(
            call("keys", std::slice::from_ref(&object)),
            json!(["a", "b"])
        );
        assert_eq!(call("values", &[object]), json!([[1], 2]));
        assert_eq!(call("keys", &[json!({})]), json!([]));
        assert_eq!(call("keys", &[json!([1])]), json!(null));
        assert_eq!(call("values", &[json!(null)]), json!(null));
    }

    #[test]
    fn unique_keeps_first_occurrences_structurally() {
        assert_eq!(
            call(
                "unique",
                &[json!([1, "1", 1.0, "a", {"k": [1]}, {"k": [1.0]}, null, null])]
            ),
            json!([1, "1", "a", {"k": [1]}, null])
        );
        assert_eq!(call("unique", &[json!([])]), json!([]));
        assert_eq!(call("unique", &[json!("aa")]), json!(null));
        assert_eq!(
            call("unique", &[json!([true, "true"])]),
            json!([true, "true"])
        );
    }

    #[test]
    fn unique_decides_alike_by_scanning_and_by_hashing() {
        use crate::dsl::eval::value::Value;
        use chrono::{DateTime, TimeDelta};
        let time = |seconds| Value::Time(DateTime::from_timestamp(seconds, 0).unwrap());
        let json = json!([
            1, "1", 1.0, "a", "a", {"k": [1]}, {"k": [1.0]}, [1, "1"], [1.0, "1"], null, null,
            true, "true", false, -0.0, 0, "\u{e9}", "é", {"a": 1, "b": 2}, {"b": 2, "a": 1}
        ]);
        let arena = crate::document::Arena::new();
        let document = crate::document::Document::from_json(&json, &arena);
        let mut items: Vec<Value<'_>> = Value::from_document(&document)
            .elements()
            .unwrap()
            .collect();
        items.extend([
            time(0),
            time(0),
            time(1),
            Value::Duration(TimeDelta::hours(1)),
            Value::Duration(TimeDelta::minutes(60)),
            Value::string("a".to_string()),
            Value::string("z".to_string()),
        ]);
        let shown = |value: Value<'_>| crate::dsl::eval::render::to_json(&value);
        let scanned = shown(unique_by_scan(items.iter().cloned()));
        let hashed = shown(unique_by_hash(items.iter().cloned()));
        assert_eq!(scanned, hashed);
        assert_eq!(scanned.as_array().unwrap().len(), 16, "{scanned}");
    }

    #[test]
    fn sort_orders_one_kind_and_refuses_mixtures() {
        assert_eq!(
            call("sort", &[json!([3, 1.5, -2, 10])]),
            json!([-2, 1.5, 3, 10])
        );
        assert_eq!(
            call("sort", &[json!(["b", "é", "a", "B"])]),
            json!(["B", "a", "b", "é"])
        );
        assert_eq!(call("sort", &[json!([])]), json!([]));
        assert_eq!(call("sort", &[json!([1, "1"])]), json!(null));
        assert_eq!(call("sort", &[json!([null])]), json!(null));
        assert_eq!(call("sort", &[json!([[1]])]), json!(null));
        assert_eq!(call("sort", &[json!([null, null])]), json!(null));
        assert_eq!(call("sort", &[json!("ba")]), json!(null));
        assert_eq!(call("sort", &[json!(null)]), json!(null));
    }

    #[test]
    fn any_and_all_only_count_true() {
        assert_eq!(call("any", &[json!([false, true])]), json!(true));
        assert_eq!(call("any", &[json!([1, "true"])]), json!(false));
        assert_eq!(call("any", &[json!([])]), json!(false));
        assert_eq!(call("any", &[json!(null)]), json!(false));
        assert_eq!(call("all", &[json!([true, true])]), json!(true));
        assert_eq!(call("all", &[json!([true, 1])]), json!(false));
        assert_eq!(call("all", &[json!([])]), json!(true));
        assert_eq!(call("all", &[json!(null)]), json!(false));
        assert_eq!(call("all", &[json!(true)]), json!(false));
    }

    #[test]
    fn contains_looks_in_lists_strings_and_object_keys() {
        assert_eq!(
            call("contains", &[json!([1, "a"]), json!("a")]),
            json!(true)
        );
        assert_eq!(call("contains", &[json!([[1]]), json!([1.0])]), json!(true));
        assert_eq!(
            call("contains", &[json!("naïve"), json!("ïv")]),
            json!(true)
        );
        assert_eq!(call("contains", &[json!("abc"), json!("")]), json!(true));
        assert_eq!(
            call("contains", &[json!({"k": 1}), json!("k")]),
            json!(true)
        );
        assert_eq!(call("contains", &[json!({"k": 1}), json!(1)]), json!(false));
        assert_eq!(call("contains", &[json!("1"), json!(1)]), json!(false));
        assert_eq!(call("contains", &[json!(null), json!("a")]), json!(null));
    }
}
