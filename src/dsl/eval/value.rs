//! Values as the evaluator sees them: JSON borrowed from the input document, values built
//! during evaluation, times and durations.
//!
//! Evaluation never copies the input: strings, arrays and objects of the input are borrowed
//! (`Str`, `Array`, `Map`), and only what an expression builds is owned (`String`, `List`,
//! `Object`, reference-counted so that passing a value around is cheap).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};

pub use crate::document::{Document, Fields};

/// A `serde_json` value, as explanations and constants hold values.
pub type Json = serde_json::Value;

/// A built object; keys come from the policy or the input, so they are borrowed.
pub type ObjectMap<'a> = BTreeMap<&'a str, Value<'a>>;

// An eight-byte tag puts every variant's data at offset 8: with the default layout a
// `bool` sat at offset 1 and a time at 4, and moving a value copied from offset 1 over data
// written at 8, which stalled the processor's store forwarding at every step of evaluation.
#[derive(Clone, Debug)]
#[repr(u64)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// Always finite: an operation whose result is not finite gives `Null` instead.
    Number(f64),
    /// A string of the input or the policy.
    Str(&'a str),
    /// A string built during evaluation; an `Rc<String>` rather than an `Rc<str>` so that
    /// a built `String` becomes a value without being copied.
    String(Rc<String>),
    /// An array of the input or the policy.
    Array(&'a [Document<'a>]),
    /// An object of the input or the policy.
    Map(&'a Fields<'a>),
    /// A list built during evaluation.
    List(Rc<Vec<Value<'a>>>),
    /// An object built during evaluation.
    Object(Rc<ObjectMap<'a>>),
    Time(DateTime<Utc>),
    Duration(TimeDelta),
}

impl<'a> Value<'a> {
    #[inline]
    pub fn from_document(document: &'a Document<'a>) -> Value<'a> {
        match document {
            Document::Null => Value::Null,
            Document::Bool(flag) => Value::Bool(*flag),
            Document::Number(number) => number.as_f64().map_or(Value::Null, Value::number),
            Document::String(text) => Value::Str(text),
            Document::Array(items) => Value::Array(items),
            Document::Object(fields) => Value::Map(fields),
        }
    }

    /// A number, or `Null` when it is not finite (overflow, `0/0`); `-0` reads as `0`.
    #[inline]
    pub fn number(number: f64) -> Value<'a> {
        if number.is_finite() {
            Value::Number(if number == 0.0 { 0.0 } else { number })
        } else {
            Value::Null
        }
    }

    pub fn string(text: String) -> Value<'a> {
        Value::String(Rc::new(text))
    }

    pub fn list(items: Vec<Value<'a>>) -> Value<'a> {
        Value::List(Rc::new(items))
    }

    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Only `true` is true (SPEC 4.3): `null`, `"yes"` and `1` are not.
    #[inline]
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(*number),
            _ => None,
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::Str(_) | Value::String(_))
    }

    pub fn is_list(&self) -> bool {
        matches!(self, Value::Array(_) | Value::List(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Map(_) | Value::Object(_))
    }

    /// The number of elements of a list or entries of an object.
    pub fn size(&self) -> Option<usize> {
        match self {
            Value::Array(items) => Some(items.len()),
            Value::List(items) => Some(items.len()),
            Value::Map(map) => Some(map.len()),
            Value::Object(map) => Some(map.len()),
            _ => None,
        }
    }

    /// What `for x in VALUE` iterates: the elements of a list, the values of an object (in
    /// key order); `None` for anything else, which iterates nothing.
    pub fn elements(&self) -> Option<Elements<'_, 'a>> {
        match self {
            Value::Array(items) => Some(Elements::Document(items.iter())),
            Value::List(items) => Some(Elements::Values(items.iter())),
            Value::Map(map) => Some(Elements::DocumentValues(map.values())),
            Value::Object(map) => Some(Elements::ObjectValues(map.values())),
            _ => None,
        }
    }

    /// The keys of an object, in order.
    pub fn keys(&self) -> Option<Vec<Value<'a>>> {
        match self {
            Value::Map(map) => Some(map.keys().map(Value::Str).collect()),
            Value::Object(map) => Some(map.keys().map(|key| Value::Str(key)).collect()),
            _ => None,
        }
    }

    /// `value.name`: the field of an object; `Null` when missing or not an object.
    #[inline]
    pub fn field(&self, name: &str) -> Value<'a> {
        self.entry(name).unwrap_or(Value::Null)
    }

    /// The value under a key of an object, distinguishing a missing key from a `null` one.
    /// Inlined: a value returned through memory is written in 8-byte pieces and read back
    /// in 16-byte ones, and the processor waits on each such read.
    #[inline(always)]
    pub fn entry(&self, name: &str) -> Option<Value<'a>> {
        match self {
            Value::Map(map) => map.get(name).map(Value::from_document),
            Value::Object(map) => map.get(name).cloned(),
            _ => None,
        }
    }

    /// `value[index]`: an element of a list by a whole, non-negative number, or a field
    /// of an object by a string; `Null` otherwise.
    pub fn index(&self, index: &Value<'_>) -> Value<'a> {
        match index {
            Value::Number(number) => self.element(*number),
            Value::Str(_) | Value::String(_) => {
                index.as_str().map_or(Value::Null, |name| self.field(name))
            }
            _ => Value::Null,
        }
    }

    fn element(&self, position: f64) -> Value<'a> {
        if position < 0.0 || position.fract() != 0.0 || position >= usize::MAX as f64 {
            return Value::Null;
        }
        // A whole, non-negative number below `usize::MAX`: the cast is exact.
        let position = position as usize;
        match self {
            Value::Array(items) => items
                .get(position)
                .map_or(Value::Null, Value::from_document),
            Value::List(items) => items.get(position).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Structural equality (SPEC 4.3): `1 == 1.0`, a borrowed array equals a built list of
    /// the same elements; values of different kinds are never equal.
    pub fn equals(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Str(left), Value::Str(right)) => left == right,
            (Value::Null, Value::Null) => true,
            (Value::Bool(left), Value::Bool(right)) => left == right,
            (Value::Number(left), Value::Number(right)) => left == right,
            (Value::Time(left), Value::Time(right)) => left == right,
            (Value::Duration(left), Value::Duration(right)) => left == right,
            _ => match (self.as_str(), other.as_str()) {
                (Some(left), Some(right)) => left == right,
                (None, None) => self.equals_container(other),
                _ => false,
            },
        }
    }

    fn equals_container(&self, other: &Value<'_>) -> bool {
        // A stopped walk answers false, and the evaluation halts before using it.
        if !super::limits::traversal_step() {
            return false;
        }
        if self.is_list() && other.is_list() {
            let (Some(left), Some(right)) = (self.elements(), other.elements()) else {
                return false;
            };
            return self.size() == other.size()
                && left.zip(right).all(|(left, right)| left.equals(&right));
        }
        if self.is_object() && other.is_object() {
            return self.size() == other.size()
                && self.entries().into_iter().all(|(key, value)| {
                    other.entry(key).is_some_and(|found| value.equals(&found))
                });
        }
        false
    }

    /// The entries of an object, in key order; empty for anything else.
    pub fn entries(&self) -> Vec<(&str, Value<'a>)> {
        match self {
            Value::Map(map) => map
                .iter()
                .map(|(key, value)| (key, Value::from_document(value)))
                .collect(),
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| (*key, value.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The order of two numbers, two strings, two times or two durations; `None` for any
    /// other pair, which makes `< <= > >=` false (SPEC 4.3).
    pub fn compare(&self, other: &Value<'_>) -> Option<Ordering> {
        match (self, other) {
            (Value::Number(left), Value::Number(right)) => left.partial_cmp(right),
            (Value::Time(left), Value::Time(right)) => Some(left.cmp(right)),
            (Value::Duration(left), Value::Duration(right)) => Some(left.cmp(right)),
            _ => match (self.as_str(), other.as_str()) {
                (Some(left), Some(right)) => Some(left.cmp(right)),
                _ => None,
            },
        }
    }

    /// `needle in self`: an element of a list (structurally), a substring of a string, a
    /// key of an object; false for anything else.
    pub fn has(&self, needle: &Value<'_>) -> bool {
        if let (Value::Array(items), Some(needle)) = (self, needle.as_str()) {
            // The common `"delete" in actions`: a string equals only a string.
            return items.iter().any(|item| item.as_str() == Some(needle));
        }
        match self {
            Value::Array(items) => items
                .iter()
                .any(|item| needle.equals(&Value::from_document(item))),
            Value::List(items) => items.iter().any(|item| needle.equals(item)),
            Value::Map(map) => needle.as_str().is_some_and(|key| map.contains_key(key)),
            Value::Object(map) => needle.as_str().is_some_and(|key| map.contains_key(key)),
            Value::Str(_) | Value::String(_) => match (self.as_str(), needle.as_str()) {
                (Some(haystack), Some(needle)) => haystack.contains(needle),
                _ => false,
            },
            _ => false,
        }
    }

    /// The name of the value's kind, as explanations and messages show it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::Str(_) | Value::String(_) => "string",
            Value::Array(_) | Value::List(_) => "array",
            Value::Map(_) | Value::Object(_) => "object",
            Value::Time(_) => "time",
            Value::Duration(_) => "duration",
        }
    }
}

/// The values `for x in VALUE` visits.
#[derive(Clone)]
pub enum Elements<'v, 'a> {
    Document(std::slice::Iter<'a, Document<'a>>),
    Values(std::slice::Iter<'v, Value<'a>>),
    DocumentValues(crate::document::Values<'a, 'a>),
    ObjectValues(std::collections::btree_map::Values<'v, &'a str, Value<'a>>),
}

impl<'a> Iterator for Elements<'_, 'a> {
    type Item = Value<'a>;

    #[inline]
    fn next(&mut self) -> Option<Value<'a>> {
        match self {
            Elements::Document(items) => items.next().map(Value::from_document),
            Elements::Values(items) => items.next().cloned(),
            Elements::DocumentValues(values) => values.next().map(Value::from_document),
            Elements::ObjectValues(values) => values.next().cloned(),
        }
    }

    /// Skips without converting what it skips (a slice skips in one step).
    fn nth(&mut self, n: usize) -> Option<Value<'a>> {
        match self {
            Elements::Document(items) => items.nth(n).map(Value::from_document),
            Elements::Values(items) => items.nth(n).cloned(),
            Elements::DocumentValues(values) => values.nth(n).map(Value::from_document),
            Elements::ObjectValues(values) => values.nth(n).cloned(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Elements::Document(items) => items.size_hint(),
            Elements::Values(items) => items.size_hint(),
            Elements::DocumentValues(values) => values.size_hint(),
            Elements::ObjectValues(values) => values.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::document::OwnedDocument;

    #[test]
    fn numbers_compare_by_value_whatever_their_spelling() {
        let json = OwnedDocument::from_json(&json!([1, 1.0, 2]));
        let items: Vec<Value> = Value::from_document(json.get())
            .elements()
            .unwrap()
            .collect();
        assert!(items[0].equals(&items[1]));
        assert!(!items[0].equals(&items[2]));
    }

    #[test]
    fn borrowed_and_built_containers_compare_structurally() {
        let json = OwnedDocument::from_json(&json!({"list": ["a", 1], "object": {"k": [true]}}));
        let document = Value::from_document(json.get());
        let built_list = Value::list(vec![Value::string("a".into()), Value::Number(1.0)]);
        assert!(document.field("list").equals(&built_list));
        let mut map = ObjectMap::new();
        map.insert("k", Value::list(vec![Value::Bool(true)]));
        assert!(
            document
                .field("object")
                .equals(&Value::Object(Rc::new(map)))
        );
    }

    #[test]
    fn a_missing_key_differs_from_a_null_one() {
        let json = OwnedDocument::from_json(&json!([{"a": null}, {}]));
        let items: Vec<Value> = Value::from_document(json.get())
            .elements()
            .unwrap()
            .collect();
        let mut built = ObjectMap::new();
        built.insert("b", Value::Null);
        assert!(!items[0].equals(&items[1]));
        assert!(!items[0].equals(&Value::Object(Rc::new(built))));
    }

    #[test]
    fn out_of_range_and_malformed_indexes_are_null() {
        let json = OwnedDocument::from_json(&json!(["a", "b"]));
        let list = Value::from_document(json.get());
        assert_eq!(list.index(&Value::Number(1.0)).as_str(), Some("b"));
        for index in [2.0, -1.0, 0.5, 1e300] {
            assert!(list.index(&Value::Number(index)).is_null(), "{index}");
        }
        assert!(list.index(&Value::Str("0")).is_null());
    }

    #[test]
    fn not_finite_numbers_are_null() {
        assert!(Value::number(f64::INFINITY).is_null());
        assert!(Value::number(f64::NAN).is_null());
        assert!(matches!(Value::number(-0.0), Value::Number(n) if n.is_sign_positive()));
    }
}
