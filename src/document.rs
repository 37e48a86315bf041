//! The input document as the policy language reads it: a JSON tree that is cheap to
//! build, to walk and to drop. Its strings and keys are borrowed from the JSON text (or
//! from a `serde_json::Value`) wherever no escape forces a copy, and everything else it
//! holds (the copied strings, the elements of arrays, the entries of objects, each one
//! slice) lives in an [`Arena`] the caller owns: building a document allocates a few
//! chunks of memory rather than a block per array and object, and dropping it is dropping
//! the arena, without a walk over the tree. Numbers keep their JSON form (the language
//! reads them as `f64`), so that a value shown back, as `--explain` does, is shown as
//! written.
//!
//! Objects iterate in key order and a key repeated in the text keeps its last value, as
//! with `serde_json::Value`, so the language sees the same document either way.

use std::borrow::Cow;
use std::fmt;
use std::sync::Mutex;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Where a document's arrays, objects and copied strings live.
pub use bumpalo::Bump as Arena;

/// A list being built in an arena.
pub(crate) type ArenaVec<'a, T> = bumpalo::collections::Vec<'a, T>;

/// A list of unknown length to build in `arena`, with room for a few elements at once:
/// grown one element at a time, its first pushes would each move it.
#[inline]
pub(crate) fn list_in<T>(arena: &Arena) -> ArenaVec<'_, T> {
    ArenaVec::with_capacity_in(4, arena)
}

/// A JSON value, borrowing its text and its arena.
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
    String(&'t str),
    Array(&'t [Document<'t>]),
    Object(Fields<'t>),
}

/// The entries of an object, sorted by key, each key once.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fields<'t> {
    entries: &'t [(&'t str, Document<'t>)],
}

impl<'t> Document<'t> {
    /// The document of a `serde_json` value, borrowing its strings; its lists are made in
    /// `arena`.
    pub fn from_json(json: &'t serde_json::Value, arena: &'t Arena) -> Document<'t> {
        converted(json, arena, &|text| text)
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

/// A document that owns its arena, for one kept beyond the value it was made from: a
/// constant of a compiled policy, an input prepared to be decided many times.
pub struct OwnedDocument {
    /// Borrows from `_arena` (and from nothing else), which is why it is only lent out
    /// with the lifetime of a borrow of `self`.
    root: Document<'static>,
    /// Never reached, only dropped; in a mutex, never locked, so that the document can be
    /// shared between threads (an arena cannot be, as it allocates through `&self`).
    _arena: Mutex<Arena>,
}

impl OwnedDocument {
    /// The document of a `serde_json` value, its strings copied.
    pub fn from_json(json: &serde_json::Value) -> OwnedDocument {
        OwnedDocument::build(|arena| copied_from_json(json, arena))
    }

    /// The document `make` builds in a new arena. It can hold nothing but what lives in
    /// the arena or forever: `make` is given an arena of any lifetime.
    pub fn build(make: impl for<'a> FnOnce(&'a Arena) -> Document<'a>) -> OwnedDocument {
        let arena = Arena::new();
        let root = make(&arena);
        // SAFETY: `root` borrows only memory of `arena`'s chunks, which stay where they are
        // when the `Arena` value moves and are freed only when it drops; `root` is lent out
        // only for as long as `self` is borrowed, and it has no destructor to run after
        // the arena is gone.
        #[allow(unsafe_code)]
        let root = unsafe { std::mem::transmute::<Document<'_>, Document<'static>>(root) };
        OwnedDocument {
            root,
            _arena: Mutex::new(arena),
        }
    }

    /// The document, for as long as `self` is borrowed.
    pub fn get(&self) -> &Document<'_> {
        &self.root
    }
}

/// The document of a `serde_json` value with its strings copied into `arena` too.
pub(crate) fn copied_from_json<'a>(json: &serde_json::Value, arena: &'a Arena) -> Document<'a> {
    converted(json, arena, &|text| arena.alloc_str(text))
}

/// The document of a `serde_json` value, its lists made in `arena` and each string and
/// key given by `text`: borrowed from the value, or copied.
fn converted<'j, 'a>(
    json: &'j serde_json::Value,
    arena: &'a Arena,
    text: &impl Fn(&'j str) -> &'a str,
) -> Document<'a> {
    match json {
        serde_json::Value::Null => Document::Null,
        serde_json::Value::Bool(flag) => Document::Bool(*flag),
        serde_json::Value::Number(number) => Document::Number(number.clone()),
        serde_json::Value::String(string) => Document::String(text(string)),
        serde_json::Value::Array(items) => Document::Array(
            arena.alloc_slice_fill_iter(items.iter().map(|item| converted(item, arena, text))),
        ),
        // A `serde_json` map iterates in key order, each key once: already sorted.
        serde_json::Value::Object(map) => Document::Object(Fields {
            entries: arena.alloc_slice_fill_iter(
                map.iter()
                    .map(|(key, value)| (text(key), converted(value, arena, text))),
            ),
        }),
    }
}

impl Clone for OwnedDocument {
    fn clone(&self) -> OwnedDocument {
        OwnedDocument::from_json(&self.root.to_json())
    }
}

impl fmt::Debug for OwnedDocument {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(formatter)
    }
}

impl<'t> Fields<'t> {
    /// Fields from entries in any order; of a key given more than once, the last value.
    pub(crate) fn from_entries(mut entries: ArenaVec<'t, (&'t str, Document<'t>)>) -> Fields<'t> {
        let sorted = entries
            .windows(2)
            .all(|pair| matches!(pair, [(left, _), (right, _)] if left < right));
        if !sorted {
            // Stable: entries of one key keep their order, and the last one's value stays.
            entries.sort_by_key(|(key, _)| *key);
            entries.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    std::mem::swap(&mut later.1, &mut kept.1);
                }
                same
            });
        }
        Fields {
            entries: entries.into_bump_slice(),
        }
    }

    #[inline]
    pub fn get(&self, key: &str) -> Option<&'t Document<'t>> {
        // A scan that compares lengths first beats a binary search on small objects.
        if self.entries.len() <= 8 {
            return self
                .entries
                .iter()
                .find(|(name, _)| same_key(name, key))
                .map(|(_, value)| value);
        }
        self.entries
            .binary_search_by(|(name, _)| (*name).cmp(key))
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
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'t str, &'t Document<'t>)> + use<'t> {
        self.entries.iter().map(|(key, value)| (*key, value))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &'t str> + use<'t> {
        self.entries.iter().map(|(key, _)| *key)
    }

    pub fn values(&self) -> Values<'t, 't> {
        Values(self.entries.iter())
    }
}

/// The values of an object, in key order.
#[derive(Clone, Debug)]
pub struct Values<'d, 't>(std::slice::Iter<'d, (&'t str, Document<'t>)>);

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

/// Reads a whole document into its place, its lists made in the arena. Elements and
/// entries are read where they stay in their list, not returned and moved there: moving
/// a document just returned through memory reads it in wider pieces than the callee wrote
/// it in, and the processor waits on each such load.
pub(crate) struct DocumentInto<'d, 't> {
    pub(crate) into: &'d mut Document<'t>,
    pub(crate) arena: &'t Arena,
}

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
        *self.into = Document::Bool(value);
        Ok(())
    }

    fn visit_i64<E>(self, value: i64) -> Result<(), E> {
        *self.into = Document::Number(value.into());
        Ok(())
    }

    fn visit_u64<E>(self, value: u64) -> Result<(), E> {
        *self.into = Document::Number(value.into());
        Ok(())
    }

    fn visit_f64<E>(self, value: f64) -> Result<(), E> {
        // JSON text holds no infinity or NaN, the only floats without a JSON number.
        *self.into = serde_json::Number::from_f64(value).map_or(Document::Null, Document::Number);
        Ok(())
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<(), E> {
        *self.into = Document::String(value);
        Ok(())
    }

    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        *self.into = Document::String(self.arena.alloc_str(value));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        *self.into = Document::Null;
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        *self.into = Document::Null;
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let arena = self.arena;
        let mut items = list_in(arena);
        while let Some(into) = read_next(&mut items) {
            if seq
                .next_element_seed(DocumentInto { into, arena })?
                .is_none()
            {
                items.pop();
                break;
            }
        }
        *self.into = Document::Array(items.into_bump_slice());
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let arena = self.arena;
        let mut entries = list_in(arena);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if let Some(into) = read_entry(&mut entries, key.text(arena)) {
                map.next_value_seed(DocumentInto { into, arena })?;
            }
        }
        *self.into = Document::Object(Fields::from_entries(entries));
        Ok(())
    }
}

/// A place for the next element of a list being read: a null at its end, to be read into
/// (and popped if there is no next element).
pub(crate) fn read_next<'l, 't>(
    items: &'l mut ArenaVec<'t, Document<'t>>,
) -> Option<&'l mut Document<'t>> {
    items.push(Document::Null);
    items.last_mut()
}

/// A place for the value of an entry being read: a null after its key, to be read into.
pub(crate) fn read_entry<'l, 't>(
    entries: &'l mut ArenaVec<'t, (&'t str, Document<'t>)>,
    key: &'t str,
) -> Option<&'l mut Document<'t>> {
    entries.push((key, Document::Null));
    entries.last_mut().map(|(_, value)| value)
}

/// An object key, borrowed from the text when it holds no escape. (Read as a key of no
/// size, which the JSON reader's code for the next key takes in with its own, rather than
/// with a seed holding the arena, which it calls apart: 1,700 instructions a batch line.)
pub(crate) struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    /// The key's text, copied into `arena` if it had to be unescaped.
    #[inline]
    pub(crate) fn text(self, arena: &'de Arena) -> &'de str {
        match self.0 {
            Cow::Borrowed(text) => text,
            Cow::Owned(text) => arena.alloc_str(&text),
        }
    }
}

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

    /// Parses JSON text into a whole document, its lists made in `arena`.
    fn parse_whole<'t>(text: &'t str, arena: &'t Arena) -> serde_json::Result<Document<'t>> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let mut document = Document::Null;
        DocumentInto {
            into: &mut document,
            arena,
        }
        .deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(document)
    }

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

    #[test]
    fn parsing_and_converting_give_the_same_document() {
        // Numbers come back as written: `2.0` stays a float, a large integer stays exact.
        let text = r#"{"b": [1, 2.5, -3, 2.0, 18446744073709551615, "x\"y", null, true],
            "a": {"z": {}, "y": []}, "c": "plain"}"#;
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        let arena = Arena::new();
        let parsed = parse_whole(text, &arena).unwrap();
        assert_eq!(parsed, Document::from_json(&json, &arena));
        assert_eq!(parsed.to_json(), json);
        assert_eq!(OwnedDocument::from_json(&json).get(), &parsed);
    }

    #[test]
    fn keys_are_sorted_and_a_repeated_key_keeps_its_last_value() {
        let arena = Arena::new();
        let document = parse_whole(r#"{"b": 1, "a": 2, "b": 3, "c": 4, "b": 5}"#, &arena).unwrap();
        let Document::Object(fields) = &document else {
            panic!("an object");
        };
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(fields.get("b"), Some(&Document::Number(5.into())));
        assert_eq!(document.to_json(), json!({"a": 2, "b": 5, "c": 4}));
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_the_others_are_in_the_arena() {
        let text = r#"{"plain": "text", "esc\u0061ped": "a\nb"}"#;
        let arena = Arena::new();
        let document = parse_whole(text, &arena).unwrap();
        let Document::Object(fields) = &document else {
            panic!("an object");
        };
        let in_text = |part: &str| text.as_bytes().as_ptr_range().contains(&part.as_ptr());
        let borrowed: Vec<bool> = fields
            .iter()
            .map(|(key, value)| in_text(key) && value.as_str().is_some_and(in_text))
            .collect();
        assert_eq!(borrowed, [false, true]);
        assert_eq!(
            document.get("escaped").and_then(Document::as_str),
            Some("a\nb")
        );
    }

    #[test]
    fn owned_documents_outlive_their_json_and_clone_whole() {
        let owned = {
            let json = json!({"k": ["v", {"n": 1}]});
            OwnedDocument::from_json(&json)
        };
        let copy = owned.clone();
        drop(owned);
        assert_eq!(copy.get().to_json(), json!({"k": ["v", {"n": 1}]}));
    }

    #[test]
    fn an_owned_document_is_shared_across_threads() {
        let owned = std::sync::Arc::new(OwnedDocument::from_json(&json!({"k": "v"})));
        let other = std::sync::Arc::clone(&owned);
        let read = std::thread::spawn(move || {
            other
                .get()
                .get("k")
                .and_then(Document::as_str)
                .map(str::to_string)
        });
        assert_eq!(read.join().unwrap().as_deref(), Some("v"));
    }
}
