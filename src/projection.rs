//! Reading only the parts of an input document that the policies read. Compiled policies
//! know the paths into the input they follow; parsing just those, and skipping the rest
//! without building it, makes a large plan cheap to read when only a few fields of each
//! resource change decide anything.
//!
//! A [`Projection`] is a tree of the paths read. Where a path is read whole (compared,
//! printed, passed to most builtins) its subtree is kept whole; where only fields of it are
//! read, only those fields are kept. Scalars are always kept, and containers keep their
//! kind, so that `exists`, `count` and the type tests answer as they would on the whole
//! document. The skipped parts are still read through, so the document is checked as JSON
//! exactly as a full parse checks it, with the same errors and the same nesting limit.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::document::{
    Arena, ArenaVec, Document, DocumentInto, Fields, Key, copied_from_json, list_in, read_entry,
    read_next, same_key,
};

/// The paths of a document to keep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Projection {
    /// The whole subtree is kept.
    whole: bool,
    /// Fields read by name, sorted by name: few enough that a scan finds one sooner
    /// than a tree would.
    fields: Vec<(Box<str>, Projection)>,
    /// What is read of every element of an array or every value of an object.
    each: Option<Box<Projection>>,
}

/// One step of a path into the input.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathStep {
    Field(Box<str>),
    /// Any element of an array, or any value of an object.
    Each,
}

impl Projection {
    /// Everything: the whole document.
    pub fn whole() -> Projection {
        Projection {
            whole: true,
            ..Projection::default()
        }
    }

    /// Nothing but the kind of the top-level value.
    pub fn nothing() -> Projection {
        Projection::default()
    }

    pub fn is_whole(&self) -> bool {
        self.whole
    }

    /// Keeps the subtree at `path` whole.
    pub fn keep_whole(&mut self, path: &[PathStep]) {
        let node = self.node_at(path);
        if let Some(node) = node {
            *node = Projection::whole();
        }
    }

    /// Keeps the container at `path` with all of its elements or entries, though not what
    /// they hold: enough to count them or to iterate over them.
    pub fn keep_entries(&mut self, path: &[PathStep]) {
        if let Some(node) = self.node_at(path)
            && node.each.is_none()
        {
            node.each = Some(Box::default());
        }
    }

    /// Keeps the value at `path`, as a scalar or an empty container of its kind.
    pub fn keep_shape(&mut self, path: &[PathStep]) {
        let _ = self.node_at(path);
    }

    /// Adds everything `other` keeps.
    pub fn merge(&mut self, other: &Projection) {
        if self.whole {
            return;
        }
        if other.whole {
            *self = Projection::whole();
            return;
        }
        for (name, child) in &other.fields {
            if let Some(own) = self.field_mut(name) {
                own.merge(child);
            }
        }
        if let Some(each) = &other.each {
            self.each.get_or_insert_with(Box::default).merge(each);
        }
    }

    /// The node of `path`, made when missing; `None` inside a subtree kept whole.
    fn node_at(&mut self, path: &[PathStep]) -> Option<&mut Projection> {
        let mut node = self;
        for step in path {
            if node.whole {
                return None;
            }
            node = match step {
                PathStep::Field(name) => node.field_mut(name)?,
                PathStep::Each => node.each.get_or_insert_with(Box::default),
            };
        }
        if node.whole { None } else { Some(node) }
    }

    /// The projection of field `name`, made when missing (always `Some`).
    fn field_mut(&mut self, name: &str) -> Option<&mut Projection> {
        let at = match self
            .fields
            .binary_search_by(|(field, _)| (**field).cmp(name))
        {
            Ok(at) => at,
            Err(at) => {
                self.fields.insert(at, (name.into(), Projection::default()));
                at
            }
        };
        self.fields.get_mut(at).map(|(_, projection)| projection)
    }

    /// What is kept of the value of field `name`: its own projection merged with the one
    /// every value gets; `None` when the field is skipped.
    #[inline]
    fn field(&self, name: &str) -> Option<Cow<'_, Projection>> {
        let own = self
            .fields
            .iter()
            .find(|(field, _)| same_key(field, name))
            .map(|(_, projection)| projection);
        match (own, self.each.as_deref()) {
            (Some(own), None) => Some(Cow::Borrowed(own)),
            (None, Some(each)) => Some(Cow::Borrowed(each)),
            (Some(own), Some(each)) => {
                let mut merged = own.clone();
                merged.merge(each);
                Some(Cow::Owned(merged))
            }
            (None, None) => None,
        }
    }

    /// Parses JSON text, keeping what this projection keeps; strings are borrowed from
    /// `text` where they hold no escape, and the rest is made in `arena`.
    pub fn parse<'t>(&self, text: &'t str, arena: &'t Arena) -> serde_json::Result<Document<'t>> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let mut value = Document::Null;
        Projected {
            projection: self,
            into: &mut value,
            arena,
        }
        .deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }

    /// The parts of a `serde_json` value this projection keeps, copied into `arena`: the
    /// document [`Projection::parse`] reads from the value's text. Kept together, the
    /// parts a policy walks sit close in memory, without the fields it skips between them.
    pub fn copy_from_json<'a>(&self, json: &serde_json::Value, arena: &'a Arena) -> Document<'a> {
        if self.whole {
            return copied_from_json(json, arena);
        }
        match json {
            serde_json::Value::Array(items) => Document::Array(match self.each.as_deref() {
                Some(each) => arena.alloc_slice_fill_iter(
                    items.iter().map(|item| each.copy_from_json(item, arena)),
                ),
                None => &[],
            }),
            serde_json::Value::Object(map) => {
                let mut entries = list_in(arena);
                for (key, value) in map {
                    if let Some(kept) = self.field(key) {
                        let key: &str = arena.alloc_str(key);
                        entries.push((key, kept.copy_from_json(value, arena)));
                    }
                }
                Document::Object(Fields::from_entries(entries))
            }
            scalar => copied_from_json(scalar, arena),
        }
    }
}

/// Deserialises the part of a value a projection keeps into its place: an element of an
/// array or an entry of an object is read where it will stay, not returned and moved
/// there, since moving a document just written stalls the processor (the move reads it
/// in wider pieces than it was written in).
struct Projected<'p, 'd, 't> {
    projection: &'p Projection,
    into: &'d mut Document<'t>,
    arena: &'t Arena,
}

impl<'d, 't> Projected<'_, 'd, 't> {
    /// The same place, read whole.
    fn whole(self) -> DocumentInto<'d, 't> {
        DocumentInto {
            into: self.into,
            arena: self.arena,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Projected<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.projection.whole {
            return deserializer.deserialize_any(self.whole());
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Projected<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    // Scalars are kept whole, as a whole document reads them.
    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<(), E> {
        self.whole().visit_bool(value)
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<(), E> {
        self.whole().visit_i64(value)
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<(), E> {
        self.whole().visit_u64(value)
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<(), E> {
        self.whole().visit_f64(value)
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, value: &'de str) -> Result<(), E> {
        self.whole().visit_borrowed_str(value)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<(), E> {
        self.whole().visit_str(value)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.whole().visit_unit()
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.whole().visit_none()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let arena = self.arena;
        let mut items = list_in(arena);
        match self.projection.each.as_deref() {
            Some(each) => {
                while let Some(into) = read_next(&mut items) {
                    let seed = Projected {
                        projection: each,
                        into,
                        arena,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        items.pop();
                        break;
                    }
                }
            }
            None => while seq.next_element_seed(Skipped)?.is_some() {},
        }
        *self.into = Document::Array(items.into_bump_slice());
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Only the fields read are kept: room for them all at once, unless every value is.
        let arena = self.arena;
        let mut entries = match self.projection.each {
            None => ArenaVec::with_capacity_in(self.projection.fields.len(), arena),
            Some(_) => list_in(arena),
        };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.text(arena);
            match self.projection.field(key) {
                Some(kept) => {
                    if let Some(into) = read_entry(&mut entries, key) {
                        let seed = Projected {
                            projection: &kept,
                            into,
                            arena,
                        };
                        map.next_value_seed(seed)?;
                    }
                }
                None => map.next_value_seed(Skipped)?,
            }
        }
        *self.into = Document::Object(Fields::from_entries(entries));
        Ok(())
    }
}

/// Reads a value through without keeping it. Unlike `IgnoredAny` on its own, it descends
/// through the deserializer, so the nesting limit applies to skipped parts too.
struct Skipped;

impl<'de> DeserializeSeed<'de> for Skipped {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(SkippedVisitor)
    }
}

struct SkippedVisitor;

impl<'de> Visitor<'de> for SkippedVisitor {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skipped)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Skipped)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(name: &str) -> PathStep {
        PathStep::Field(name.into())
    }

    fn plan_projection() -> Projection {
        let mut projection = Projection::nothing();
        let change = [field("plan"), field("resource_changes"), PathStep::Each];
        projection.keep_entries(&change[..2]);
        projection.keep_whole(&[change.as_slice(), &[field("address")]].concat());
        projection.keep_whole(&[change.as_slice(), &[field("change"), field("actions")]].concat());
        projection
    }

    #[test]
    fn only_the_paths_read_are_kept() {
        let text = r#"{"plan": {"resource_changes": [
            {"address": "a.b", "type": "t", "change": {"actions": ["delete"], "before": {"x": 1}}},
            "odd", 3, null
        ]}, "template": {"id": "t-1"}, "now": "2026-01-01T00:00:00Z"}"#;
        let kept = plan_projection()
            .parse(text, &Arena::new())
            .unwrap()
            .to_json();
        assert_eq!(
            kept,
            json!({"plan": {"resource_changes": [
                {"address": "a.b", "change": {"actions": ["delete"]}}, "odd", 3, null
            ]}})
        );
    }

    #[test]
    fn whole_keeps_everything_and_fields_read_whole_keep_their_subtree() {
        let text = r#"{"a": {"b": [1, {"c": 2}], "d": 3}, "e": 4}"#;
        assert_eq!(
            Projection::whole()
                .parse(text, &Arena::new())
                .unwrap()
                .to_json(),
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        let mut projection = Projection::nothing();
        projection.keep_whole(&[field("a"), field("b")]);
        assert_eq!(
            projection.parse(text, &Arena::new()).unwrap().to_json(),
            json!({"a": {"b": [1, {"c": 2}]}})
        );
    }

    #[test]
    fn containers_keep_their_kind_and_their_count_when_asked() {
        let text = r#"{"xs": [{"a": 1}, [2], 3], "o": {"k": {"deep": true}}, "none": []}"#;
        let mut projection = Projection::nothing();
        projection.keep_entries(&[field("xs")]);
        projection.keep_entries(&[field("none")]);
        projection.keep_shape(&[field("o")]);
        assert_eq!(
            projection.parse(text, &Arena::new()).unwrap().to_json(),
            json!({"xs": [{}, [], 3], "o": {}, "none": []})
        );
    }

    #[test]
    fn invalid_json_and_deep_nesting_fail_as_a_full_parse_does() {
        let projection = Projection::nothing();
        for text in [
            r#"{"a": [1, 2,]}"#,
            r#"{"a": "\x"}"#,
            "{\"a\": \"\u{1}\"}",
            r#"{"a": 1} trailing"#,
            &format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200)),
        ] {
            let full = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            let projected = projection.parse(text, &Arena::new()).unwrap_err();
            assert_eq!(projected.to_string(), full.to_string(), "{text}");
        }
    }

    #[test]
    fn a_later_duplicate_key_wins_as_in_a_full_parse() {
        let mut projection = Projection::nothing();
        projection.keep_whole(&[field("a")]);
        let kept = projection
            .parse(r#"{"a": 1, "b": 2, "a": 3}"#, &Arena::new())
            .unwrap()
            .to_json();
        assert_eq!(kept, json!({"a": 3}));
    }

    #[test]
    fn copying_from_a_value_keeps_what_parsing_its_text_keeps() {
        let text = r#"{"plan": {"resource_changes": [
            {"address": "a.b", "type": "t", "change": {"actions": ["delete"], "before": {"x": 1}}},
            "odd", 3, null, {"address": "c\u00e9", "change": {}}
        ]}, "template": {"id": "t-1"}, "xs": [{"a": 1}, [2], 3], "o": {"k": {"deep": true}}}"#;
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut shapes = plan_projection();
        shapes.keep_entries(&[field("xs")]);
        shapes.keep_shape(&[field("o")]);
        for projection in [
            plan_projection(),
            shapes,
            Projection::whole(),
            Projection::nothing(),
        ] {
            let arena = Arena::new();
            assert_eq!(
                projection.copy_from_json(&json, &arena),
                projection.parse(text, &arena).unwrap(),
                "{projection:?}"
            );
        }
    }
}
