//! Type tests: `is_string`, `is_number`, `is_bool`, `is_array`, `is_object`, `exists`.
//! Times and durations are none of these kinds.

use super::Builtin;
use crate::dsl::eval::value::Value;

/// Whether a value is of the kind a type test names; `exists` is "not `null`".
pub fn test<'a>(builtin: Builtin, value: &Value<'a>) -> Value<'a> {
    let answer = match builtin {
        Builtin::IsString => value.is_string(),
        Builtin::IsNumber => matches!(value, Value::Number(_)),
        Builtin::IsBool => matches!(value, Value::Bool(_)),
        Builtin::IsArray => value.is_list(),
        Builtin::IsObject => value.is_object(),
        Builtin::Exists => !value.is_null(),
        _ => return Value::Null,
    };
    Value::Bool(answer)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::dsl::eval::builtins::test_support::call_json as call;

    #[test]
    fn each_test_recognises_its_kind_only() {
        let samples = [
            json!(null),
            json!(true),
            json!(1.5),
            json!("s"),
            json!([1]),
            json!({"k": 1}),
        ];
        let expected = [
            ("is_string", [false, false, false, true, false, false]),
            ("is_number", [false, false, true, false, false, false]),
            ("is_bool", [false, true, false, false, false, false]),
            ("is_array", [false, false, false, false, true, false]),
            ("is_object", [false, false, false, false, false, true]),
            ("exists", [false, true, true, true, true, true]),
        ];
        for (name, answers) in expected {
            for (sample, answer) in samples.iter().zip(answers) {
                assert_eq!(
                    call(name, std::slice::from_ref(sample)),
                    json!(answer),
                    "{name}({sample})"
                );
            }
        }
    }

    #[test]
    fn empty_values_exist() {
        for sample in [json!(""), json!(0), json!(false), json!([]), json!({})] {
            assert_eq!(call("exists", &[sample]), json!(true));
        }
    }
}
