//! Canonical JSON, the exact bytes an entry's hash is computed over, and SHA-256 in hex.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical form of `value`, the bytes entry hashes are computed over:
///
/// - UTF-8, with no whitespace outside strings;
/// - objects with their members sorted by key, keys compared as the bytes of their UTF-8
///   encoding (which is the order of Unicode code points), and no key twice;
/// - arrays in their own order;
/// - strings with `"` and `\` escaped by a backslash, the control characters U+0008, U+0009,
///   U+000A, U+000C and U+000D written `\b \t \n \f \r`, every other character below U+0020
///   written `\u00xx` with lowercase hex, and every other character (U+007F, `/`, and all
///   non-ASCII text included) written as itself;
/// - integers that fit 64 bits in plain decimal; other numbers as serde_json 1.x writes an `f64`: the shortest
///   text that reads back as the same double (`150.0`, `0.1`, `1e+16`, `1.5e-7`);
/// - `true`, `false`, `null`.
///
/// This is what `serde_json` writes for a `Value` without its `preserve_order` feature; it is
/// written out by hand here so that enabling that feature anywhere in a build cannot change
/// the hashes. It is not RFC 8785 (JCS): key order and number forms differ.
pub fn canonical_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(value, &mut out);
    out
}

/// The SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(hex_digit(byte >> 4));
        hex.push(hex_digit(byte & 0x0f));
    }
    hex
}

/// Whether `text` looks like a SHA-256 as this module writes it: 64 lowercase hex digits.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // `Number`'s `Display` is the text serde_json's serializer writes for it.
        Value::Number(number) => out.extend_from_slice(number.to_string().as_bytes()),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (index, (key, member)) in members.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_value(member, out);
            }
            out.push(b'}');
        }
    }
}

fn write_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let mut buffer = [0u8; 4];
    for character in text.chars() {
        match character {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            control if u32::from(control) < 0x20 => {
                let code = u32::from(control) as u8;
                out.extend_from_slice(b"\\u00");
                out.push(hex_digit(code >> 4) as u8);
                out.push(hex_digit(code & 0x0f) as u8);
            }
            other => out.extend_from_slice(other.encode_utf8(&mut buffer).as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn canonical(value: &Value) -> String {
        String::from_utf8(canonical_bytes(value)).unwrap()
    }

    #[test]
    fn keys_are_sorted_and_there_is_no_whitespace() {
        let value = json!({"b": [1, {"z": null, "a": true}], "a": "x", "B": 0.5});
        assert_eq!(
            canonical(&value),
            r#"{"B":0.5,"a":"x","b":[1,{"a":true,"z":null}]}"#
        );
    }

    #[test]
    fn keys_sort_by_code_point_not_by_utf16() {
        // U+FF21 sorts after U+1F600 in UTF-16 (JCS) but before it by code point.
        let value = json!({"\u{1F600}": 1, "\u{FF21}": 2});
        assert_eq!(canonical(&value), "{\"\u{FF21}\":2,\"\u{1F600}\":1}");
    }

    #[test]
    fn strings_escape_only_quotes_backslashes_and_control_characters() {
        let value = json!("a\"b\\c/d\u{1}\u{8}\t\n\u{c}\r\u{1f}\u{7f}é");
        assert_eq!(
            canonical(&value),
            "\"a\\\"b\\\\c/d\\u0001\\b\\t\\n\\f\\r\\u001f\u{7f}é\""
        );
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        let value = json!([150, -3, 150.0, 0.1, 1e16, 1.5e-7, u64::MAX, i64::MIN]);
        assert_eq!(
            canonical(&value),
            "[150,-3,150.0,0.1,1e+16,1.5e-7,18446744073709551615,-9223372036854775808]"
        );
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&sha256_hex(b"")));
        assert!(!is_sha256_hex(&sha256_hex(b"").to_uppercase()));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn canonical_form_is_serde_jsons_sorted_compact_output(value in json_value()) {
            // Without `preserve_order`, serde_json's maps are sorted by key: its compact output
            // is the canonical form, byte for byte.
            prop_assert_eq!(canonical_bytes(&value), serde_json::to_vec(&value).unwrap());
        }

        #[test]
        fn canonical_form_reads_back_to_itself(value in json_value()) {
            let bytes = canonical_bytes(&value);
            let reread: Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert_eq!(canonical_bytes(&reread), bytes);
        }
    }
}
