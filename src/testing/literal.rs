//! Test values are literals: the inline input, `set` values. This turns a literal
//! expression into JSON and applies `set` overrides to a document.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::dsl::ast::{Access, Expr, ExprKind, TemplatePart, UnaryOp};
use crate::source::SourceFile;

/// The JSON value of a literal expression: numbers, strings without interpolation,
/// booleans, null, durations (as their text), arrays and objects of literals.
pub fn to_json(expr: &Expr, source: &Arc<SourceFile>) -> Result<Value, String> {
    let not_literal = |what: &str| {
        problem(
            source,
            expr.span,
            &format!(
                "test values must be literals (a number, string, true, false, null, array or object), not {what}"
            ),
        )
    };
    Ok(match &expr.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(value) => Value::Bool(*value),
        ExprKind::Number(number) => {
            number_value(*number).ok_or_else(|| not_literal("a non-finite number"))?
        }
        ExprKind::String(parts) => {
            let mut text = String::new();
            for part in parts {
                match part {
                    TemplatePart::Text(piece) => text.push_str(piece),
                    TemplatePart::Interpolation(_) => {
                        return Err(not_literal("an interpolated string"));
                    }
                }
            }
            Value::String(text)
        }
        ExprKind::Duration { text, .. } => Value::String(text.clone()),
        ExprKind::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| to_json(item, source))
                .collect::<Result<_, _>>()?,
        ),
        ExprKind::Object(entries) => {
            let mut fields = Map::new();
            for entry in entries {
                fields.insert(entry.key.value.clone(), to_json(&entry.value, source)?);
            }
            Value::Object(fields)
        }
        ExprKind::Paren(inner) => to_json(inner, source)?,
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => match to_json(operand, source)? {
            Value::Number(number) => number
                .as_f64()
                .and_then(|value| number_value(-value))
                .ok_or_else(|| not_literal("a number out of range"))?,
            _ => return Err(not_literal("the negation of a non-number")),
        },
        ExprKind::Name(_) => return Err(not_literal("a name")),
        ExprKind::Path { .. } => return Err(not_literal("a path")),
        ExprKind::Unary { .. } | ExprKind::Binary { .. } => {
            return Err(not_literal("an operation"));
        }
        ExprKind::Call { .. } | ExprKind::Comprehension { .. } => {
            return Err(not_literal("a call"));
        }
    })
}

/// A problem with a test statement, as `file:line:col: message`.
fn problem(source: &SourceFile, span: crate::source::Span, message: &str) -> String {
    format!("{}: {message}", source.location(span.start))
}

/// Integers stay integers in JSON so that `150` prints as `150`.
fn number_value(number: f64) -> Option<Value> {
    if number.is_finite() && number.fract() == 0.0 && number.abs() < 9.007_199_254_740_992e15 {
        // Within ±2^53 the conversion is exact.
        #[allow(clippy::cast_possible_truncation)]
        return Some(Value::from(number as i64));
    }
    serde_json::Number::from_f64(number).map(Value::Number)
}

/// One step of a `set` target path.
enum Step {
    Key(String),
    Index(usize),
}

/// Applies `set TARGET = value` to a document: objects along the path are created as
/// needed; an array index must exist.
pub fn set(
    document: &mut Value,
    target: &Expr,
    value: Value,
    source: &Arc<SourceFile>,
) -> Result<(), String> {
    let steps = target_steps(target, source)?;
    let bad_target = |why: String| problem(source, target.span, &why);
    let mut place = document;
    for step in steps {
        place = match step {
            Step::Key(key) => {
                if !place.is_object() {
                    *place = Value::Object(Map::new());
                }
                match place {
                    Value::Object(fields) => fields.entry(key).or_insert(Value::Null),
                    _ => return Err(bad_target("internal error: expected an object".into())),
                }
            }
            Step::Index(index) => match place {
                Value::Array(items) => {
                    let length = items.len();
                    items.get_mut(index).ok_or_else(|| {
                        bad_target(format!(
                            "index {index} is out of range: the array has {length} items"
                        ))
                    })?
                }
                other => {
                    return Err(bad_target(format!(
                        "cannot index a {} with [{index}]",
                        crate::input::json_type(other)
                    )));
                }
            },
        };
    }
    *place = value;
    Ok(())
}

fn target_steps(target: &Expr, source: &Arc<SourceFile>) -> Result<Vec<Step>, String> {
    let invalid = || {
        problem(
            source,
            target.span,
            "`set` needs a path into the input, such as `costEstimation.monthlyCostDiff` or `approvers[0].email`",
        )
    };
    match &target.kind {
        ExprKind::Name(name) => Ok(vec![Step::Key(name.name.clone())]),
        ExprKind::Path { base, accesses } => {
            let ExprKind::Name(root) = &base.kind else {
                return Err(invalid());
            };
            let mut steps = vec![Step::Key(root.name.clone())];
            for access in accesses {
                steps.push(match access {
                    Access::Field(field) => Step::Key(field.name.clone()),
                    Access::Index { index, .. } => match to_json(index, source)? {
                        Value::String(key) => Step::Key(key),
                        Value::Number(number) => Step::Index(
                            number
                                .as_u64()
                                .and_then(|n| usize::try_from(n).ok())
                                .ok_or_else(invalid)?,
                        ),
                        _ => return Err(invalid()),
                    },
                    Access::Each { .. } => return Err(invalid()),
                });
            }
            if matches!(steps.first(), Some(Step::Key(key)) if key == "input") && steps.len() > 1 {
                steps.remove(0);
            }
            Ok(steps)
        }
        _ => Err(invalid()),
    }
}
