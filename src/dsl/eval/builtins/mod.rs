//! The builtin functions of the policy language, one family a file. Every builtin is
//! total: arguments of the wrong type give `null`, never an error.

mod collections;
mod numbers;
pub mod patterns;
mod strings;
pub mod time;
mod types;

use super::limits::{Budget, Halt};
use super::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Count,
    Len,
    Lower,
    Upper,
    Trim,
    StartsWith,
    EndsWith,
    Contains,
    Split,
    Join,
    Matches,
    Regex,
    Keys,
    Values,
    Unique,
    Sort,
    Any,
    All,
    Sum,
    Min,
    Max,
    Round,
    Abs,
    Time,
    Duration,
    Hour,
    Minute,
    Weekday,
    Date,
    IsString,
    IsNumber,
    IsBool,
    IsArray,
    IsObject,
    Exists,
}

/// How many arguments a builtin takes: at least `min`, at most `max` (`None`: no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arity {
    pub min: usize,
    pub max: Option<usize>,
}

const fn exactly(count: usize) -> Arity {
    Arity {
        min: count,
        max: Some(count),
    }
}

const fn between(min: usize, max: usize) -> Arity {
    Arity {
        min,
        max: Some(max),
    }
}

const AT_LEAST_ONE: Arity = Arity { min: 1, max: None };

/// Every builtin with its name and arity.
const TABLE: &[(Builtin, &str, Arity)] = &[
    (Builtin::Count, "count", exactly(1)),
    (Builtin::Len, "len", exactly(1)),
    (Builtin::Lower, "lower", exactly(1)),
    (Builtin::Upper, "upper", exactly(1)),
    (Builtin::Trim, "trim", exactly(1)),
    (Builtin::StartsWith, "starts_with", exactly(2)),
    (Builtin::EndsWith, "ends_with", exactly(2)),
    (Builtin::Contains, "contains", exactly(2)),
    (Builtin::Split, "split", exactly(2)),
    (Builtin::Join, "join", exactly(2)),
    (Builtin::Matches, "matches", exactly(2)),
    (Builtin::Regex, "regex", exactly(2)),
    (Builtin::Keys, "keys", exactly(1)),
    (Builtin::Values, "values", exactly(1)),
    (Builtin::Unique, "unique", exactly(1)),
    (Builtin::Sort, "sort", exactly(1)),
    (Builtin::Any, "any", exactly(1)),
    (Builtin::All, "all", exactly(1)),
    (Builtin::Sum, "sum", exactly(1)),
    (Builtin::Min, "min", AT_LEAST_ONE),
    (Builtin::Max, "max", AT_LEAST_ONE),
    (Builtin::Round, "round", between(1, 2)),
    (Builtin::Abs, "abs", exactly(1)),
    (Builtin::Time, "time", exactly(1)),
    (Builtin::Duration, "duration", exactly(1)),
    (Builtin::Hour, "hour", between(1, 2)),
    (Builtin::Minute, "minute", between(1, 2)),
    (Builtin::Weekday, "weekday", between(1, 2)),
    (Builtin::Date, "date", between(1, 2)),
    (Builtin::IsString, "is_string", exactly(1)),
    (Builtin::IsNumber, "is_number", exactly(1)),
    (Builtin::IsBool, "is_bool", exactly(1)),
    (Builtin::IsArray, "is_array", exactly(1)),
    (Builtin::IsObject, "is_object", exactly(1)),
    (Builtin::Exists, "exists", exactly(1)),
];

impl Builtin {
    pub fn from_name(name: &str) -> Option<Builtin> {
        TABLE
            .iter()
            .find(|(_, candidate, _)| *candidate == name)
            .map(|(builtin, _, _)| *builtin)
    }

    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(builtin, _, _)| *builtin == self)
            .map_or("?", |(_, name, _)| name)
    }

    pub fn arity(self) -> Arity {
        TABLE
            .iter()
            .find(|(builtin, _, _)| *builtin == self)
            .map_or(AT_LEAST_ONE, |(_, _, arity)| *arity)
    }

    /// Every builtin's name, for suggestions.
    pub fn names() -> impl Iterator<Item = &'static str> {
        TABLE.iter().map(|(_, name, _)| *name)
    }

    /// Whether the builtin's second argument is a time zone.
    pub fn takes_time_zone(self) -> bool {
        matches!(
            self,
            Builtin::Hour | Builtin::Minute | Builtin::Weekday | Builtin::Date
        )
    }
}

impl Arity {
    pub fn accepts(self, count: usize) -> bool {
        count >= self.min && self.max.is_none_or(|max| count <= max)
    }

    /// `1 argument`, `1 or 2 arguments`, `at least 1 argument`.
    pub fn describe(self) -> String {
        let plural = |count: usize| if count == 1 { "argument" } else { "arguments" };
        match self.max {
            Some(max) if max == self.min => format!("{max} {}", plural(max)),
            Some(max) if max == self.min + 1 => format!("{} or {max} {}", self.min, plural(max)),
            Some(max) => format!("{} to {max} {}", self.min, plural(max)),
            None => format!("at least {} {}", self.min, plural(self.min)),
        }
    }
}

/// Calls a builtin. The argument count was checked when compiling; a call with another
/// count gives `null`.
pub fn call<'a>(
    builtin: Builtin,
    args: &[Value<'a>],
    budget: &mut Budget,
) -> Result<Value<'a>, Halt> {
    Ok(match (builtin, args) {
        (Builtin::Count, [value]) => collections::count(value),
        (Builtin::Len, [value]) => collections::len(value),
        (Builtin::Keys, [value]) => collections::keys(value),
        (Builtin::Values, [value]) => collections::values(value),
        (Builtin::Unique, [value]) => collections::unique(value),
        (Builtin::Sort, [value]) => collections::sort(value),
        (Builtin::Any, [value]) => collections::any(value),
        (Builtin::All, [value]) => collections::all(value),
        (Builtin::Contains, [haystack, needle]) => collections::contains(haystack, needle),
        (Builtin::Lower, [value]) => strings::lower(value),
        (Builtin::Upper, [value]) => strings::upper(value),
        (Builtin::Trim, [value]) => strings::trim(value),
        (Builtin::StartsWith, [text, prefix]) => strings::starts_with(text, prefix),
        (Builtin::EndsWith, [text, suffix]) => strings::ends_with(text, suffix),
        (Builtin::Split, [text, separator]) => strings::split(text, separator),
        (Builtin::Join, [items, separator]) => strings::join(items, separator, budget)?,
        (Builtin::Matches, [text, glob]) => patterns::matches_glob(text, glob),
        (Builtin::Regex, [text, pattern]) => patterns::matches_regex(text, pattern),
        (Builtin::Sum, [value]) => numbers::sum(value),
        (Builtin::Min, [value]) => numbers::min(value),
        (Builtin::Max, [value]) => numbers::max(value),
        (Builtin::Min, values) => numbers::min(&Value::list(values.to_vec())),
        (Builtin::Max, values) => numbers::max(&Value::list(values.to_vec())),
        (Builtin::Round, [value]) => numbers::round(value, &Value::Number(0.0)),
        (Builtin::Round, [value, digits]) => numbers::round(value, digits),
        (Builtin::Abs, [value]) => numbers::abs(value),
        (Builtin::Time, [value]) => time::time(value),
        (Builtin::Duration, [value]) => time::duration(value),
        (Builtin::Hour | Builtin::Minute | Builtin::Weekday | Builtin::Date, [value]) => {
            time::part(builtin, value, Some(chrono_tz::Tz::UTC))
        }
        (Builtin::Hour | Builtin::Minute | Builtin::Weekday | Builtin::Date, [value, zone]) => {
            time::part(builtin, value, time::zone(zone))
        }
        (
            Builtin::IsString
            | Builtin::IsNumber
            | Builtin::IsBool
            | Builtin::IsArray
            | Builtin::IsObject
            | Builtin::Exists,
            [value],
        ) => types::test(builtin, value),
        _ => Value::Null,
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Calls builtins on JSON arguments, for the tests of each family.

    use serde_json::Value as Json;

    use super::*;
    use crate::dsl::eval::limits::Limits;
    use crate::dsl::eval::render::to_json;
    use crate::dsl::eval::value::Document;

    /// `builtin(args...)` as JSON; times and durations come back as strings.
    pub fn call_json(name: &str, args: &[Json]) -> Json {
        let builtin = Builtin::from_name(name).unwrap();
        let arena = crate::document::Arena::new();
        let documents: Vec<Document> = args
            .iter()
            .map(|arg| Document::from_json(arg, &arena))
            .collect();
        let values: Vec<Value> = documents.iter().map(Value::from_document).collect();
        let mut budget = Budget::new(&Limits::default());
        to_json(&call(builtin, &values, &mut budget).unwrap())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_one_name() {
        for name in Builtin::names() {
            let builtin = Builtin::from_name(name).unwrap();
            assert_eq!(builtin.name(), name);
        }
        assert_eq!(Builtin::from_name("lowercase"), None);
    }

    #[test]
    fn arities_describe_themselves() {
        assert_eq!(Builtin::Lower.arity().describe(), "1 argument");
        assert_eq!(Builtin::Contains.arity().describe(), "2 arguments");
        assert_eq!(Builtin::Hour.arity().describe(), "1 or 2 arguments");
        assert_eq!(Builtin::Min.arity().describe(), "at least 1 argument");
        assert!(Builtin::Min.arity().accepts(3));
        assert!(!Builtin::Round.arity().accepts(3));
    }
}
