//! The input document as the policy language reads it: a JSON tree that is cheap to
//! build and to walk. Strings and keys are borrowed from the JSON text (or from a
//! `serde_json::Value`) wherever no escape forces a copy, objects are one sorted vector of
//! entries rather than a tree of nodes. Numbers keep their JSON form (the language reads
//! them as `f64`), so that a value shown back, as `--explain` does, is shown as written. Building a `serde_json::Value` allocates every key and string and a tree
//! node per few entries; this allocates once per array or object.
//!
//! Objects iterate in key order and a key repeated in the text keeps its last value, as
//! with `serde_json::Value`, so the language sees the same document either way.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value, borrowing its text where it can.
// An eight-byte tag, as `Value` has: with a one-byte tag, moving a document read bytes 1
// to 7 (a `bool`, or nothing) in pieces that the code that had just written the document
// wrote in other widths, which stalled the processor's store forwarding wherever the
// reader took a document back from a call.
#[derive(Clone, Debug, Default, PartialEq)]
#[repr(u64)]
pub enum Document<'t> {
    #[default]
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'t, str>),
    Array(Vec<Document<'t>>),
    Object(Fields<'t>),
}

/// The entries of an object, sorted by key, each key once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields<'t> {
    entries: Vec<(Cow<'t, str>, Document<'t>)>,
}

impl<'t> Document<'t> {
    /// The document of a `serde_json` value, borrowing its strings.
    pub fn from_json(json: &'t serde_json::Value) -> Document<'t> {
        match json {
            serde_json::Value::Null => Document::Null,
            serde_json::Value::Bool(flag) => Document::Bool(*flag),
            serde_json::Value::Number(number) => Document::Number(number.clone()),
            serde_json::Value::String(text) => Document::String(Cow::Borrowed(text)),
            serde_json::Value::Array(items) => {
                Document::Array(items.iter().map(Document::from_json).collect())
            }
            // A `serde_json` map iterates in key order, each key once: already sorted.
            serde_json::Value::Object(map) => Document::Object(Fields {
                entries: map
                    .iter()
                    .map(|(key, value)| (Cow::Borrowed(key.as_str()), Document::from_json(value)))
                    .collect(),
            }),
        }
    }

    /// The same document, owning all of its text.
    pub fn into_owned(self) -> Document<'static> {
        match self {
            Document::Null => Document::Null,
            Document::Bool(flag) => Document::Bool(flag),
            Document::Number(number) => Document::Number(number),
            Document::String(text) => Document::String(Cow::Owned(text.into_owned())),
            Document::Array(items) => {
                Document::Array(items.into_iter().map(Document::into_owned).collect())
            }
            Document::Object(fields) => Document::Object(Fields {
                entries: fields
                    .entries
                    .into_iter()
                    .map(|(key, value)| (Cow::Owned(key.into_owned()), value.into_owned()))
                    .collect(),
            }),
        }
    }

    /// The value as `serde_json` holds it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Document::Null => serde_json::Value::Null,
            Document::Bool(flag) => serde_json::Value::Bool(*flag),
            Document::Number(number) => serde_json::Value::Number(number.clone()),
            Document::String(text) => serde_json::Value::String(text.to_string()),
            Document::Array(items) => {
                serde_json::Value::Array(items.iter().map(Document::to_json).collect())
            }
            Document::Object(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(key, value)| (key.to_string(), value.to_json()))
                    .collect(),
            ),
        }
    }

    /// The field `key` of an object; `None` when missing or not an object.
    pub fn get(&self, key: &str) -> Option<&Document<'t>> {
        match self {
            Document::Object(fields) => fields.get(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Document::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Document::Null)
    }
}

impl<'t> Fields<'t> {
    /// Fields from entries in any order; of a key given more than once, the last value.
    pub fn from_entries(mut entries: Vec<(Cow<'t, str>, Document<'t>)>) -> Fields<'t> {
        let sorted = entries
            .windows(2)
            .all(|pair| matches!(pair, [(left, _), (right, _)] if left < right));
        if !sorted {
            // Stable: entries of one key keep their order, and the last one's value stays.
            entries.sort_by(|(left, _), (right, _)| left.cmp(right));
            entries.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    std::mem::swap(&mut later.1, &mut kept.1);
                }
                same
            });
        }
        Fields { entries }
    }

    #[inline]
    pub fn get(&self, key: &str) -> Option<&Document<'t>> {
        // A scan that compares lengths first beats a binary search on small objects.
        if self.entries.len() <= 8 {
            return self
                .entries
                .iter()
                .find(|(name, _)| same_key(name, key))
                .map(|(_, value)| value);
        }
        self.entries
            .binary_search_by(|(name, _)| name.as_ref().cmp(key))
            .ok()
            .and_then(|found| self.entries.get(found))
            .map(|(_, value)| value)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Document<'t>)> {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_ref(), value))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(key, _)| key.as_ref())
    }

    pub fn values(&self) -> Values<'_, 't> {
        Values(self.entries.iter())
    }
}

/// The values of an object, in key order.
#[derive(Clone, Debug)]
pub struct Values<'d, 't>(std::slice::Iter<'d, (Cow<'t, str>, Document<'t>)>);

impl<'d, 't> Iterator for Values<'d, 't> {
    type Item = &'d Document<'t>;

    #[inline]
    fn next(&mut self) -> Option<&'d Document<'t>> {
        self.0.next().map(|(_, value)| value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<'de> Deserialize<'de> for Document<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut document = Document::Null;
        deserializer.deserialize_any(DocumentInto(&mut document))?;
        Ok(document)
    }
}

/// Reads a whole document into its place. Elements and entries are read where they stay
/// in their list, not returned and moved there: moving a document just returned through
/// memory reads it in wider pieces than the callee wrote it in, and the processor waits
/// on each such load.
pub(crate) struct DocumentInto<'d, 't>(pub(crate) &'d mut Document<'t>);

impl<'de> DeserializeSeed<'de> for DocumentInto<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentInto<'_, 'de> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<(), E> {
        *self.0 = Document::Bool(value);
        Ok(())
    }

    fn visit_i64<E>(self, value: i64) -> Result<(), E> {
        *self.0 = Document::Number(value.into());
        Ok(())
    }

    fn visit_u64<E>(self, value: u64) -> Result<(), E> {
        *self.0 = Document::Number(value.into());
        Ok(())
    }

    fn visit_f64<E>(self, value: f64) -> Result<(), E> {
        // JSON text holds no infinity or NaN, the only floats without a JSON number.
        *self.0 = serde_json::Number::from_f64(value).map_or(Document::Null, Document::Number);
        Ok(())
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<(), E> {
        *self.0 = Document::String(Cow::Borrowed(value));
        Ok(())
    }

    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        *self.0 = Document::String(Cow::Owned(value.to_string()));
        Ok(())
    }

    fn visit_string<E>(self, value: String) -> Result<(), E> {
        *self.0 = Document::String(Cow::Owned(value));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        *self.0 = Document::Null;
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        *self.0 = Document::Null;
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut items = Vec::new();
        while let Some(into) = read_next(&mut items) {
            if seq.next_element_seed(DocumentInto(into))?.is_none() {
                items.pop();
                break;
            }
        }
        *self.0 = Document::Array(items);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut entries = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            if let Some(into) = read_entry(&mut entries, key) {
                map.next_value_seed(DocumentInto(into))?;
            }
        }
        *self.0 = Document::Object(Fields::from_entries(entries));
        Ok(())
    }
}

/// A place for the next element of a list being read: a null at its end, to be read into
/// (and popped if there is no next element).
pub(crate) fn read_next<'l, 't>(items: &'l mut Vec<Document<'t>>) -> Option<&'l mut Document<'t>> {
    items.push(Document::Null);
    items.last_mut()
}

/// A place for the value of an entry being read: a null after its key, to be read into.
pub(crate) fn read_entry<'l, 't>(
    entries: &'l mut Vec<(Cow<'t, str>, Document<'t>)>,
    key: Cow<'t, str>,
) -> Option<&'l mut Document<'t>> {
    entries.push((key, Document::Null));
    entries.last_mut().map(|(_, value)| value)
}

/// An object key, borrowed from the text when it holds no escape.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(value.to_string())))
    }

    fn visit_string<E>(self, value: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(value)))
    }
}

/// Whether two keys are the same text. Keys are short: up to 16 bytes they are compared a
/// word or two at a time in place (the two words may overlap), which is quicker than a
/// call of `memcmp` for each key a lookup passes.
#[inline]
pub(crate) fn same_key(left: &str, right: &str) -> bool {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    let n = left.len();
    if n != right.len() {
        return false;
    }
    match n {
        0..=3 => left == right,
        4..=7 => {
            word::<4>(left, 0) == word(right, 0) && word::<4>(left, n - 4) == word(right, n - 4)
        }
        8..=16 => {
            word::<8>(left, 0) == word(right, 0) && word::<8>(left, n - 8) == word(right, n - 8)
        }
        _ => left == right,
    }
}

/// The `N` bytes at `at`, if there are that many.
#[inline(always)]
fn word<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at + N)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_compare_as_their_text_at_every_length() {
        for length in 0..=20 {
            let key: String = ('a'..='z').take(length).collect();
            assert!(same_key(&key, &key.clone()), "{key}");
            assert!(!same_key(&key, &format!("{key}x")), "{key}");
            for changed in 0..length {
                let mut other = key.clone().into_bytes();
                other[changed] = b'_';
                let other = String::from_utf8(other).unwrap();
                assert!(!same_key(&key, &other), "{key} / {other}");
            }
        }
        assert!(same_key("é", "é"));
        assert!(!same_key("é", "e\u{301}"));
    }

    fn parse(text: &str) -> Document<'_> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let document = Document::deserialize(&mut deserializer).unwrap();
        deserializer.end().unwrap();
        document
    }

    #[test]
    fn parsing_and_converting_give_the_same_document() {
        // Numbers come back as written: `2.0` stays a float, a large integer stays exact.
        let text = r#"{"b": [1, 2.5, -3, 2.0, 18446744073709551615, "x\"y", null, true],
            "a": {"z": {}, "y": []}, "c": "plain"}"#;
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse(text), Document::from_json(&json));
        assert_eq!(parse(text).to_json(), json);
    }

    #[test]
    fn keys_are_sorted_and_a_repeated_key_keeps_its_last_value() {
        let document = parse(r#"{"b": 1, "a": 2, "b": 3, "c": 4, "b": 5}"#);
        let Document::Object(fields) = &document else {
            panic!("an object");
        };
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(fields.get("b"), Some(&Document::Number(5.into())));
        assert_eq!(document.to_json(), json!({"a": 2, "b": 5, "c": 4}));
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let document = parse(r#"{"plain": "text", "esc\u0061ped": "a\nb"}"#);
        let Document::Object(fields) = &document else {
            panic!("an object");
        };
        let borrowed: Vec<bool> = fields
            .entries
            .iter()
            .map(|(key, value)| {
                matches!(key, Cow::Borrowed(_))
                    && matches!(value, Document::String(Cow::Borrowed(_)))
            })
            .collect();
        assert_eq!(borrowed, [false, true]);
        assert_eq!(
            document.get("escaped").and_then(Document::as_str),
            Some("a\nb")
        );
    }

    #[test]
    fn owned_documents_outlive_their_text() {
        let owned = {
            let text = String::from(r#"{"k": ["v"]}"#);
            parse(&text).into_owned()
        };
        assert_eq!(owned.to_json(), json!({"k": ["v"]}));
    }
}
