//! Arithmetic and comparison operators (SPEC 4.3): total, `null` where the operands make
//! no sense together.

use chrono::TimeDelta;

use super::program::{Arithmetic, Comparison};
use super::value::Value;

/// `left OP right` for `+ - * / %`:
/// - numbers with numbers; a result that is not finite, and division by zero, give `null`;
/// - time − time is a duration, time ± duration a time, duration ± duration a duration;
///   a duration times or divided by a number is a duration;
/// - anything else gives `null`.
pub fn arithmetic<'a>(op: Arithmetic, left: &Value<'a>, right: &Value<'a>) -> Value<'a> {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => numbers(op, *left, *right),
        (Value::Time(time), Value::Duration(delta)) => match op {
            Arithmetic::Add => time
                .checked_add_signed(*delta)
                .map_or(Value::Null, Value::Time),
            Arithmetic::Sub => time
                .checked_sub_signed(*delta)
                .map_or(Value::Null, Value::Time),
            _ => Value::Null,
        },
        (Value::Duration(delta), Value::Time(time)) if op == Arithmetic::Add => time
            .checked_add_signed(*delta)
            .map_or(Value::Null, Value::Time),
        (Value::Time(later), Value::Time(earlier)) if op == Arithmetic::Sub => {
            Value::Duration(later.signed_duration_since(*earlier))
        }
        (Value::Duration(left), Value::Duration(right)) => durations(op, *left, *right),
        (Value::Duration(delta), Value::Number(factor)) => scaled(op, *delta, *factor),
        (Value::Number(factor), Value::Duration(delta)) if op == Arithmetic::Mul => {
            scaled(op, *delta, *factor)
        }
        // Strings are not numbers either (SPEC 4.3): `"a" + "b"` is `null`; messages and
        // values are put together with `${...}`.
        _ => Value::Null,
    }
}

fn numbers<'a>(op: Arithmetic, left: f64, right: f64) -> Value<'a> {
    match op {
        Arithmetic::Add => Value::number(left + right),
        Arithmetic::Sub => Value::number(left - right),
        Arithmetic::Mul => Value::number(left * right),
        Arithmetic::Div if right == 0.0 => Value::Null,
        Arithmetic::Div => Value::number(left / right),
        Arithmetic::Mod if right == 0.0 => Value::Null,
        Arithmetic::Mod => Value::number(left % right),
    }
}

fn durations<'a>(op: Arithmetic, left: TimeDelta, right: TimeDelta) -> Value<'a> {
    match op {
        Arithmetic::Add => left
            .checked_add(&right)
            .map_or(Value::Null, Value::Duration),
        Arithmetic::Sub => left
            .checked_sub(&right)
            .map_or(Value::Null, Value::Duration),
        Arithmetic::Div => match right.num_milliseconds() {
            0 => Value::Null,
            divisor => Value::number(left.num_milliseconds() as f64 / divisor as f64),
        },
        Arithmetic::Mul | Arithmetic::Mod => Value::Null,
    }
}

/// A duration multiplied or divided by a number, to the millisecond.
fn scaled<'a>(op: Arithmetic, delta: TimeDelta, factor: f64) -> Value<'a> {
    let millis = delta.num_milliseconds() as f64;
    let result = match op {
        Arithmetic::Mul => millis * factor,
        Arithmetic::Div if factor != 0.0 => millis / factor,
        _ => return Value::Null,
    };
    // TimeDelta holds at most i64::MAX milliseconds; beyond (or not finite) is null.
    if !result.is_finite() || result.abs() >= i64::MAX as f64 {
        return Value::Null;
    }
    TimeDelta::try_milliseconds(result.round() as i64).map_or(Value::Null, Value::Duration)
}

/// Unary `-`: numbers and durations; `null` for anything else.
pub fn negate<'a>(operand: &Value<'a>) -> Value<'a> {
    match operand {
        Value::Number(number) => Value::number(-number),
        Value::Duration(delta) => delta.checked_mul(-1).map_or(Value::Null, Value::Duration),
        _ => Value::Null,
    }
}

/// `== != < <= > >=`: equality is structural; order holds only between two numbers, two
/// strings, two times or two durations, and is false for any other pair.
pub fn compare(op: Comparison, left: &Value<'_>, right: &Value<'_>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        Comparison::Eq => left.equals(right),
        Comparison::Ne => !left.equals(right),
        Comparison::Lt => left.compare(right) == Some(Less),
        Comparison::Le => matches!(left.compare(right), Some(Less | Equal)),
        Comparison::Gt => left.compare(right) == Some(Greater),
        Comparison::Ge => matches!(left.compare(right), Some(Greater | Equal)),
    }
}
