//! Number builtins: `sum`, `min`, `max`, `round`, `abs`.

use std::cmp::Ordering;

use chrono::TimeDelta;

use crate::dsl::eval::value::Value;

/// The sum of a list of numbers, or of durations; `0` for `[]` and `null`; `null` when the
/// elements are of any other kind or mixed.
pub fn sum<'a>(value: &Value<'a>) -> Value<'a> {
    if value.is_null() {
        return Value::Number(0.0);
    }
    if !value.is_list() {
        return Value::Null;
    }
    let mut elements = value.elements().into_iter().flatten().peekable();
    match elements.peek() {
        None => Value::Number(0.0),
        Some(Value::Duration(_)) => elements
            .try_fold(TimeDelta::zero(), |total, item| match item {
                Value::Duration(delta) => total.checked_add(&delta),
                _ => None,
            })
            .map_or(Value::Null, Value::Duration),
        Some(_) => elements
            .try_fold(0.0, |total, item| {
                item.as_number().map(|number| total + number)
            })
            .map_or(Value::Null, Value::number),
    }
}

/// The least element of a list of numbers, strings, times or durations (all of one kind);
/// `null` for `[]`, `null`, and mixed kinds.
pub fn min<'a>(value: &Value<'a>) -> Value<'a> {
    extreme(value, Ordering::Less)
}

pub fn max<'a>(value: &Value<'a>) -> Value<'a> {
    extreme(value, Ordering::Greater)
}

fn extreme<'a>(value: &Value<'a>, wanted: Ordering) -> Value<'a> {
    if !value.is_list() {
        return Value::Null;
    }
    let mut best: Option<Value<'a>> = None;
    for item in value.elements().into_iter().flatten() {
        best = match best {
            None if orderable(&item) => Some(item),
            None => return Value::Null,
            Some(current) => match item.compare(&current) {
                Some(order) if order == wanted => Some(item),
                Some(_) => Some(current),
                None => return Value::Null,
            },
        };
    }
    best.unwrap_or(Value::Null)
}

fn orderable(value: &Value<'_>) -> bool {
    value.compare(value).is_some()
}

/// Rounds half away from zero to `digits` decimal places (`-15..=15`; negative digits
/// round to tens, hundreds...).
pub fn round<'a>(value: &Value<'a>, digits: &Value<'a>) -> Value<'a> {
    let (Some(number), Some(digits)) = (value.as_number(), digits.as_number()) else {
        return Value::Null;
    };
    if digits.fract() != 0.0 || !(-15.0..=15.0).contains(&digits) {
        return Value::Null;
    }
    // Whole and within ±15: the cast is exact.
    let scale = 10f64.powi(digits as i32);
    let scaled = number * scale;
    // Past 2^52 a double has no fractional part left to round at this scale.
    if !scaled.is_finite() || scaled.abs() >= 4_503_599_627_370_496.0 {
        return Value::number(number);
    }
    Value::number(scaled.round() / scale)
}

pub fn abs<'a>(value: &Value<'a>) -> Value<'a> {
    match value {
        Value::Number(number) => Value::number(number.abs()),
        Value::Duration(delta) => Value::Duration(delta.abs()),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::dsl::eval::builtins::test_support::call_json as call;

    #[test]
    fn sum_adds_numbers() {
        assert_eq!(call("sum", &[json!([1, 2.5, -0.5])]), json!(3));
        assert_eq!(call("sum", &[json!([])]), json!(0));
        assert_eq!(call("sum", &[json!(null)]), json!(0));
        assert_eq!(call("sum", &[json!([1, "2"])]), json!(null));
        assert_eq!(call("sum", &[json!([1e308, 1e308])]), json!(null));
        assert_eq!(call("sum", &[json!("12")]), json!(null));
    }

    #[test]
    fn min_and_max_of_one_kind() {
        assert_eq!(call("min", &[json!([3, 1, 2])]), json!(1));
        assert_eq!(call("max", &[json!([3, 1, 2])]), json!(3));
        assert_eq!(call("min", &[json!(["b", "a", "é"])]), json!("a"));
        assert_eq!(call("max", &[json!(["b", "a", "é"])]), json!("é"));
        assert_eq!(call("min", &[json!([])]), json!(null));
        assert_eq!(call("max", &[json!(null)]), json!(null));
        assert_eq!(call("min", &[json!([1, "a"])]), json!(null));
        assert_eq!(call("min", &[json!([[1], [0]])]), json!(null));
        assert_eq!(call("min", &[json!(4), json!(2), json!(9)]), json!(2));
        assert_eq!(call("max", &[json!(4), json!(null)]), json!(null));
    }

    #[test]
    fn round_to_digits() {
        assert_eq!(call("round", &[json!(2.5)]), json!(3));
        assert_eq!(call("round", &[json!(-2.5)]), json!(-3));
        assert_eq!(call("round", &[json!(10.014), json!(2)]), json!(10.01));
        assert_eq!(call("round", &[json!(1234), json!(-2)]), json!(1200));
        assert_eq!(call("round", &[json!(1e300), json!(15)]), json!(1e300));
        assert_eq!(call("round", &[json!(1.5), json!(0.5)]), json!(null));
        assert_eq!(call("round", &[json!(1.5), json!(16)]), json!(null));
        assert_eq!(call("round", &[json!("1.5")]), json!(null));
    }

    #[test]
    fn abs_of_numbers() {
        assert_eq!(call("abs", &[json!(-3.5)]), json!(3.5));
        assert_eq!(call("abs", &[json!(null)]), json!(null));
    }
}
