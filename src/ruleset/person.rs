//! People in a request — the requester and reviewers — read leniently from JSON.
//!
//! Identities compare case-insensitively after trimming (and without the invisible
//! characters that would let one person pass for two); a person's identity is `id`, else
//! `email`, else `name`. Fields of the wrong type are treated as absent, except where that
//! would loosen a check (see [`Person::read`]).

use serde_json::Value;

/// A name that compares case-insensitively — an identity, a team, an environment — as
/// given (trimmed) and the key it compares by (trimmed, lowercase).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Name {
    pub shown: String,
    pub key: String,
}

impl Name {
    /// A name from text; `None` when it is empty after trimming.
    pub fn new(text: &str) -> Option<Name> {
        let visible = without_invisible(text);
        let shown = visible.trim();
        (!shown.is_empty()).then(|| Name {
            shown: shown.to_string(),
            key: shown.to_lowercase(),
        })
    }

    /// A name from a JSON value that should be a string.
    pub fn from_value(value: Option<&Value>) -> Option<Name> {
        value.and_then(Value::as_str).and_then(Name::new)
    }
}

/// How names compare: without invisible characters, trimmed and lowercased.
pub(crate) fn comparison_key(text: &str) -> String {
    without_invisible(text).trim().to_lowercase()
}

/// The text without the characters that show nothing: zero-width spaces and joiners,
/// byte-order marks, soft hyphens, direction marks, variation selectors and the like
/// (Unicode's default-ignorable code points). `alice@acme.io` followed by a zero-width
/// space is still Alice, and `acme/payments/prod` with one is still production.
pub(crate) fn without_invisible(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_invisible) {
        std::borrow::Cow::Owned(text.chars().filter(|&c| !is_invisible(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A requester or a reviewer.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Person {
    pub identity: Option<Name>,
    /// Keys of the person's `id` and `email`, to recognise the requester under either.
    aliases: Vec<String>,
    /// Keys of every team id and team name.
    teams: Vec<String>,
    /// Keys of the permissions held; `None` when the document does not list them.
    pub permissions: Option<Vec<String>>,
    pub ephemeral: bool,
}

impl Person {
    /// Reads a person object. Wrong types are treated as absent, with two exceptions that
    /// keep a gate closed: a `permissions` value that is present but not a list holds no
    /// permission, and `ephemeral` is true unless it is absent, `null`, `false` or `"false"`.
    pub fn read(value: Option<&Value>) -> Person {
        let Some(object) = value.and_then(Value::as_object) else {
            return Person::default();
        };
        let id = Name::from_value(object.get("id"));
        let email = Name::from_value(object.get("email"));
        let name = Name::from_value(object.get("name"));
        let aliases = [&id, &email]
            .into_iter()
            .flatten()
            .map(|identity| identity.key.clone())
            .collect();
        Person {
            identity: id.or(email).or(name),
            aliases,
            teams: team_keys(object.get("teams")),
            permissions: permission_keys(object.get("permissions")),
            ephemeral: is_ephemeral(object.get("ephemeral")),
        }
    }

    /// Whether two records name the same person: the same identity, or a shared `id` or
    /// `email`. The second half errs towards "same", which only ever discards a review.
    pub fn is_same_person(&self, other: &Person) -> bool {
        let same_identity = match (&self.identity, &other.identity) {
            (Some(mine), Some(theirs)) => mine.key == theirs.key,
            _ => false,
        };
        same_identity
            || self
                .aliases
                .iter()
                .any(|alias| other.aliases.contains(alias))
    }

    pub fn in_team(&self, team_key: &str) -> bool {
        self.teams.iter().any(|team| team == team_key)
    }

    pub fn holds_permission(&self, permission_key: &str) -> bool {
        self.permissions
            .as_ref()
            .is_some_and(|held| held.iter().any(|p| p == permission_key))
    }

    /// The identity as shown, or a placeholder for an anonymous record.
    pub fn shown(&self) -> &str {
        self.identity
            .as_ref()
            .map_or("an unnamed person", |identity| identity.shown.as_str())
    }
}

/// Teams are strings or `{"id", "name"}` objects; both the id and the name match.
fn team_keys(value: Option<&Value>) -> Vec<String> {
    let Some(teams) = value.and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for team in teams {
        match team {
            Value::String(name) => keys.push(comparison_key(name)),
            Value::Object(fields) => keys.extend(
                ["id", "name"]
                    .into_iter()
                    .filter_map(|field| fields.get(field).and_then(Value::as_str))
                    .map(comparison_key),
            ),
            _ => {}
        }
    }
    keys.retain(|key| !key.is_empty());
    keys
}

fn permission_keys(value: Option<&Value>) -> Option<Vec<String>> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(comparison_key)
                .collect(),
        ),
        Some(_) => Some(Vec::new()),
    }
}

fn is_ephemeral(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(text)) => !text.trim().eq_ignore_ascii_case("false"),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn person(value: Value) -> Person {
        Person::read(Some(&value))
    }

    #[test]
    fn identity_is_id_then_email_then_name_trimmed_and_caseless() {
        let shown = |value| person(value).identity.map(|i| (i.shown, i.key));
        assert_eq!(
            shown(json!({"id": " Bob@Acme.io ", "email": "x@y", "name": "Bob"})),
            Some(("Bob@Acme.io".into(), "bob@acme.io".into()))
        );
        assert_eq!(
            shown(json!({"id": "  ", "email": "bob@acme.io", "name": "Bob"})),
            Some(("bob@acme.io".into(), "bob@acme.io".into()))
        );
        assert_eq!(
            shown(json!({"id": 42, "name": "Bob"})),
            Some(("Bob".into(), "bob".into()))
        );
        assert_eq!(shown(json!({"teams": ["sre"]})), None);
        assert_eq!(shown(json!("bob")), None);
    }

    #[test]
    fn invisible_characters_do_not_make_another_person() {
        let requester = person(json!({"id": "alice@acme.io"}));
        for disguise in [
            "alice@acme.io\u{200b}",
            "\u{feff}alice@acme.io",
            "ali\u{00ad}ce@acme.io",
            "\u{202e}alice@acme.io\u{2060}",
        ] {
            let reviewer = person(json!({ "id": disguise }));
            assert!(requester.is_same_person(&reviewer), "{disguise:?}");
            assert_eq!(reviewer.shown(), "alice@acme.io");
        }
        assert_eq!(comparison_key("ACME/Prod\u{200b} "), "acme/prod");
        assert!(Name::new("\u{200b}\u{feff} ").is_none());
    }

    #[test]
    fn teams_match_by_string_id_or_name_exactly() {
        let member = person(json!({"teams": [" SRE ", {"id": "t9", "name": "Security"}, 7]}));
        assert!(member.in_team("sre"));
        assert!(member.in_team("t9"));
        assert!(member.in_team("security"));
        assert!(!member.in_team("sre-contractors"));
        let contractor = person(json!({"teams": ["sre-contractors"]}));
        assert!(!contractor.in_team("sre"));
    }

    #[test]
    fn the_same_person_under_id_or_email() {
        let requester = person(json!({"id": "u-1", "email": "Alice@acme.io"}));
        assert!(requester.is_same_person(&person(json!({"email": "alice@acme.io "}))));
        assert!(requester.is_same_person(&person(json!({"id": "U-1"}))));
        assert!(!requester.is_same_person(&person(json!({"id": "u-2", "name": "Alice"}))));
        assert!(!Person::default().is_same_person(&Person::default()));
    }

    #[test]
    fn malformed_permissions_hold_nothing_and_odd_ephemeral_values_count() {
        assert_eq!(person(json!({})).permissions, None);
        assert_eq!(
            person(json!({"permissions": "open"})).permissions,
            Some(vec![])
        );
        assert!(person(json!({"permissions": ["Open "]})).holds_permission("open"));
        for (value, ephemeral) in [
            (json!(false), false),
            (json!(null), false),
            (json!("false"), false),
            (json!(true), true),
            (json!("yes"), true),
            (json!(1), true),
        ] {
            assert_eq!(person(json!({"ephemeral": value})).ephemeral, ephemeral);
        }
    }
}
