//! Reading an input document's JSON text straight into the engine's values, for policy
//! sets that only Rego reads: no `serde_json::Value` is built and then converted. It reads
//! as [`super::engine_value`] converts: integers as integers, other numbers as floats, a
//! key given twice keeping its last value. serde_json's deserializer does the reading, so
//! errors and the nesting limit are those of any other parse.

use std::collections::BTreeMap;
use std::fmt;

use regorus::Value;
use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Parses one JSON value into the engine's form.
pub fn parse(text: &str) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = EngineValue.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

struct EngineValue;

impl<'de> DeserializeSeed<'de> for EngineValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(EngineVisitor)
    }
}

struct EngineVisitor;

impl<'de> Visitor<'de> for EngineVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(EngineValue)? {
            items.push(item);
        }
        Ok(Value::from(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = BTreeMap::new();
        while let Some(key) = map.next_key::<Key>()? {
            fields.insert(key.0, map.next_value_seed(EngineValue)?);
        }
        Ok(Value::from(fields))
    }
}

/// An object key, as the engine's string value.
struct Key(Value);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string key")
    }

    fn visit_str<E>(self, value: &str) -> Result<Key, E> {
        Ok(Key(Value::from(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_text_gives_what_converting_a_parsed_document_gives() {
        let texts = [
            r#"{"n": [0, -1, 18446744073709551615, -9223372036854775808, 1.5, 1e3, 2.0],
                "s": "esc\"aped \u00e9", "b": [true, false, null], "o": {"k": {}, "l": []},
                "$serde_json::private::Number": "12", "dup": 1, "dup": 2}"#,
            r#"{"$serde_json::private::Number": "12"}"#,
            "[]",
            "\"text\"",
        ];
        for text in texts {
            let json: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                parse(text).unwrap(),
                super::super::engine_value(&json),
                "{text}"
            );
        }
    }

    #[test]
    fn errors_and_the_nesting_limit_are_serde_json_s() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        for text in [
            r#"{"a": [1,]}"#,
            r#"{"a": "\x"}"#,
            "{} trailing",
            deep.as_str(),
        ] {
            let full = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            assert_eq!(
                parse(text).unwrap_err().to_string(),
                full.to_string(),
                "{text}"
            );
        }
    }
}
