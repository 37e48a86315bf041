//! Reads a verdict rule's value as outcomes (SPEC 3.1): a set or array gives one outcome
//! per element, a string one outcome, `true` one outcome named by the rule's metadata;
//! `false`, undefined and empty values give none; anything else is an error, an object
//! with `msg` too (it is an element's shape, not a value's).

use serde_json::Value as Json;

/// One message a rule produced, with the whole object when the element was one.
#[derive(Clone, Debug, PartialEq)]
pub struct Produced {
    pub message: String,
    pub details: Option<Json>,
    /// The rule was simply `true`: its message comes from its metadata.
    pub from_true: bool,
}

/// Why a value is not a verdict.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("is {0}: expected a set of messages, a message, or a boolean")]
    Value(&'static str),
    #[error("is an object without `msg` or `message`")]
    ObjectWithoutMessage,
    #[error("is one object with a message, not a set of them")]
    LoneObject,
    #[error("has an element that is {0}: expected a string or an object with `msg` or `message`")]
    Element(&'static str),
    #[error("has an element whose `{0}` is not a string")]
    MessageNotString(&'static str),
}

impl ShapeError {
    /// Advice for the common mistakes behind each shape.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            ShapeError::ObjectWithoutMessage => Some(
                "in Rego v1, `deny[msg] if { ... }` defines an object; write `deny contains msg if { ... }` for a set of messages",
            ),
            ShapeError::Value(_) | ShapeError::Element(_) => {
                Some("a verdict rule holds messages: `deny contains \"why\" if { ... }`, or `true`")
            }
            ShapeError::LoneObject => Some(
                "an object with `msg` is an element of a set: `deny contains {\"msg\": \"why\"} if { ... }`",
            ),
            ShapeError::MessageNotString(_) => None,
        }
    }
}

fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// The outcomes a rule value stands for; `None` for an undefined rule.
pub fn produced(value: Option<&Json>) -> Result<Vec<Produced>, ShapeError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    match value {
        Json::Bool(false) => Ok(Vec::new()),
        Json::Bool(true) => Ok(vec![Produced {
            message: String::new(),
            details: None,
            from_true: true,
        }]),
        Json::String(message) if message.is_empty() => Ok(Vec::new()),
        Json::String(message) => Ok(vec![message_only(message)]),
        Json::Array(elements) => elements.iter().map(element).collect(),
        Json::Object(fields) if fields.is_empty() => Ok(Vec::new()),
        // An object with a message is an element of a set or array, not a rule's value.
        Json::Object(_) => match object_message(value)? {
            Some(_) => Err(ShapeError::LoneObject),
            None => Err(ShapeError::ObjectWithoutMessage),
        },
        other => Err(ShapeError::Value(kind(other))),
    }
}

fn message_only(message: &str) -> Produced {
    Produced {
        message: message.to_string(),
        details: None,
        from_true: false,
    }
}

fn element(value: &Json) -> Result<Produced, ShapeError> {
    match value {
        Json::String(message) => Ok(message_only(message)),
        Json::Object(_) => object_message(value)?
            .ok_or(ShapeError::Element("an object without `msg` or `message`")),
        other => Err(ShapeError::Element(kind(other))),
    }
}

/// An object with `msg` (or `message`) is that message, with the object as details.
fn object_message(value: &Json) -> Result<Option<Produced>, ShapeError> {
    for key in ["msg", "message"] {
        if let Some(field) = value.get(key) {
            let message = field.as_str().ok_or(ShapeError::MessageNotString(key))?;
            return Ok(Some(Produced {
                message: message.to_string(),
                details: Some(value.clone()),
                from_true: false,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(value: Json) -> Result<Vec<String>, ShapeError> {
        produced(Some(&value)).map(|all| all.into_iter().map(|p| p.message).collect())
    }

    #[test]
    fn sets_and_arrays_give_one_outcome_per_element() {
        assert_eq!(
            messages(json!(["a", "b"])),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(messages(json!([])), Ok(vec![]));
    }

    #[test]
    fn objects_with_msg_or_message_keep_details() {
        let all = produced(Some(
            &json!([{"msg": "m", "severity": 3}, {"message": "n"}]),
        ));
        let all = all.unwrap_or_default();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].message, "m");
        assert_eq!(all[0].details, Some(json!({"msg": "m", "severity": 3})));
        assert_eq!(all[1].message, "n");
    }

    #[test]
    fn booleans_strings_and_undefined() {
        assert_eq!(produced(None), Ok(vec![]));
        assert_eq!(messages(json!(false)), Ok(vec![]));
        assert_eq!(messages(json!("")), Ok(vec![]));
        assert_eq!(messages(json!("why")), Ok(vec!["why".into()]));
        let truth = produced(Some(&json!(true))).unwrap_or_default();
        assert!(truth.len() == 1 && truth[0].from_true);
    }

    #[test]
    fn other_shapes_are_errors() {
        assert_eq!(messages(json!(3)), Err(ShapeError::Value("a number")));
        assert_eq!(messages(json!(null)), Err(ShapeError::Value("null")));
        assert_eq!(
            messages(json!({"why": true})),
            Err(ShapeError::ObjectWithoutMessage)
        );
        assert_eq!(messages(json!({"msg": "why"})), Err(ShapeError::LoneObject));
        assert_eq!(messages(json!([1])), Err(ShapeError::Element("a number")));
        assert_eq!(
            messages(json!([["a"]])),
            Err(ShapeError::Element("an array"))
        );
        assert_eq!(
            messages(json!([{"msg": 1}])),
            Err(ShapeError::MessageNotString("msg"))
        );
    }
}
