//! Which policy files decided: each file's SHA-256, and one digest over the whole set.

use serde::Serialize;
use serde_json::{Value, json};

use super::canonical::{canonical_bytes, sha256_hex};

/// One policy file as it was read: its path as named on the command line and the SHA-256
/// of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PolicyDigest {
    pub path: String,
    pub sha256: String,
}

impl PolicyDigest {
    pub fn of(path: impl Into<String>, contents: &[u8]) -> PolicyDigest {
        PolicyDigest {
            path: path.into(),
            sha256: sha256_hex(contents),
        }
    }
}

/// Every file that took part in a decision, and one digest that names the set.
///
/// `files` are sorted by path (then hash) with exact repeats removed, and `sha256` is the
/// SHA-256 of the canonical JSON of that `files` array, e.g.
/// `[{"path":"policies/cost.rego","sha256":"…"}]`: the same files under the same paths give
/// the same digest, in whatever order they were named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicySetDigest {
    pub files: Vec<PolicyDigest>,
    pub sha256: String,
}

impl PolicySetDigest {
    pub fn from_digests(mut files: Vec<PolicyDigest>) -> PolicySetDigest {
        files.sort();
        files.dedup();
        let listing: Vec<Value> = files
            .iter()
            .map(|file| json!({"path": file.path, "sha256": file.sha256}))
            .collect();
        let sha256 = sha256_hex(&canonical_bytes(&Value::Array(listing)));
        PolicySetDigest { files, sha256 }
    }
}

/// Digests the policy files of one evaluation, given as (path, contents) pairs. Pass the
/// bytes that were evaluated, not a second reading of the file.
pub fn policy_set_digest<P, B>(files: impl IntoIterator<Item = (P, B)>) -> PolicySetDigest
where
    P: Into<String>,
    B: AsRef<[u8]>,
{
    PolicySetDigest::from_digests(
        files
            .into_iter()
            .map(|(path, contents)| PolicyDigest::of(path, contents.as_ref()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_digest_ignores_order_and_repeats() {
        let one = policy_set_digest([("b.rego", "package b"), ("a.rego", "package a")]);
        let other = policy_set_digest([
            ("a.rego", "package a"),
            ("b.rego", "package b"),
            ("a.rego", "package a"),
        ]);
        assert_eq!(one, other);
        let paths: Vec<&str> = one.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.rego", "b.rego"]);
    }

    #[test]
    fn the_set_digest_changes_with_any_content_or_path() {
        let base = policy_set_digest([("a.rego", "package a")]);
        let edited = policy_set_digest([("a.rego", "package a ")]);
        let moved = policy_set_digest([("x/a.rego", "package a")]);
        assert_ne!(base.sha256, edited.sha256);
        assert_ne!(base.sha256, moved.sha256);
        assert_eq!(base.files[0].sha256, moved.files[0].sha256);
    }

    #[test]
    fn the_set_digest_is_the_hash_of_the_canonical_listing() {
        let set = policy_set_digest([("a.rego", "")]);
        let listing = format!(r#"[{{"path":"a.rego","sha256":"{}"}}]"#, sha256_hex(b""));
        assert_eq!(set.sha256, sha256_hex(listing.as_bytes()));
    }
}
