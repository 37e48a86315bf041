//! Time builtins: `time`, `duration`, and the parts of a time in a time zone (`hour`,
//! `minute`, `weekday`, `date`), DST-correct through the IANA database of `chrono-tz`.
//! Wherever a time is expected, an RFC 3339 string is read as one.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::Builtin;
use crate::dsl::eval::value::Value;

/// `time(s)`: an RFC 3339 string as a time (a time stays as it is); `null` otherwise.
pub fn time<'a>(value: &Value<'a>) -> Value<'a> {
    as_time(value).map_or(Value::Null, Value::Time)
}

/// `duration(s)`: `30s 90m 2h 1h30m 1d 1w` or ISO 8601 as a duration (a duration stays as
/// it is); `null` otherwise.
pub fn duration<'a>(value: &Value<'a>) -> Value<'a> {
    match value {
        Value::Duration(_) => value.clone(),
        _ => value
            .as_str()
            .and_then(crate::duration::parse)
            .map_or(Value::Null, Value::Duration),
    }
}

/// A time, or a string holding one in RFC 3339.
pub fn as_time(value: &Value<'_>) -> Option<DateTime<Utc>> {
    match value {
        Value::Time(time) => Some(*time),
        _ => crate::input::parse_time(value.as_str()?),
    }
}

/// The time zone an IANA name (`"Europe/Berlin"`, `"UTC"`) names; `None` for anything else.
pub fn zone(value: &Value<'_>) -> Option<Tz> {
    value.as_str()?.parse().ok()
}

/// `hour`, `minute`, `weekday` or `date` of a time in a zone; `null` when the time or the
/// zone is not one.
pub fn part<'a>(builtin: Builtin, value: &Value<'a>, zone: Option<Tz>) -> Value<'a> {
    let (Some(time), Some(zone)) = (as_time(value), zone) else {
        return Value::Null;
    };
    let local = time.with_timezone(&zone);
    match builtin {
        Builtin::Hour => Value::Number(f64::from(local.hour())),
        Builtin::Minute => Value::Number(f64::from(local.minute())),
        Builtin::Weekday => Value::Str(weekday_name(local.weekday())),
        Builtin::Date => Value::string(local.format("%Y-%m-%d").to_string()),
        _ => Value::Null,
    }
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::dsl::eval::builtins::test_support::call_json as call;

    #[test]
    fn time_reads_rfc3339_only() {
        assert_eq!(
            call("time", &[json!("2026-11-21T10:00:00Z")]),
            json!("2026-11-21T10:00:00Z")
        );
        assert_eq!(
            call("time", &[json!("2026-11-21T11:00:00+01:00")]),
            json!("2026-11-21T10:00:00Z")
        );
        assert_eq!(
            call("time", &[json!("2026-11-21T10:00:00.250Z")]),
            json!("2026-11-21T10:00:00.250Z")
        );
        for bad in [
            json!("2026-11-21"),
            json!("yesterday"),
            json!(""),
            json!(1_700_000_000),
            json!(null),
        ] {
            assert_eq!(
                call("time", std::slice::from_ref(&bad)),
                json!(null),
                "{bad}"
            );
        }
    }

    #[test]
    fn duration_reads_the_accepted_forms() {
        assert_eq!(call("duration", &[json!("90m")]), json!("1h30m"));
        assert_eq!(call("duration", &[json!("PT2H")]), json!("2h"));
        assert_eq!(call("duration", &[json!("2 hours")]), json!(null));
        assert_eq!(call("duration", &[json!(7200)]), json!(null));
        assert_eq!(call("duration", &[json!(null)]), json!(null));
    }

    #[test]
    fn parts_default_to_utc() {
        let at = json!("2026-11-21T23:30:00Z");
        assert_eq!(call("hour", std::slice::from_ref(&at)), json!(23));
        assert_eq!(call("minute", std::slice::from_ref(&at)), json!(30));
        assert_eq!(call("weekday", std::slice::from_ref(&at)), json!("Sat"));
        assert_eq!(call("date", &[at]), json!("2026-11-21"));
    }

    #[test]
    fn parts_in_a_zone_cross_midnight() {
        let at = json!("2026-11-21T23:30:00Z");
        let berlin = json!("Europe/Berlin");
        assert_eq!(call("hour", &[at.clone(), berlin.clone()]), json!(0));
        assert_eq!(call("weekday", &[at.clone(), berlin.clone()]), json!("Sun"));
        assert_eq!(call("date", &[at.clone(), berlin]), json!("2026-11-22"));
        assert_eq!(
            call("date", &[at, json!("America/Los_Angeles")]),
            json!("2026-11-21")
        );
    }

    #[test]
    fn parts_follow_daylight_saving_time() {
        // Berlin is UTC+2 in summer and UTC+1 in winter; the change in 2026 is on 25 October.
        let berlin = json!("Europe/Berlin");
        assert_eq!(
            call("hour", &[json!("2026-07-01T08:00:00Z"), berlin.clone()]),
            json!(10)
        );
        assert_eq!(
            call("hour", &[json!("2026-10-25T00:30:00Z"), berlin.clone()]),
            json!(2)
        );
        assert_eq!(
            call("hour", &[json!("2026-10-25T01:30:00Z"), berlin.clone()]),
            json!(2)
        );
        assert_eq!(
            call("hour", &[json!("2026-12-01T08:00:00Z"), berlin]),
            json!(9)
        );
    }

    #[test]
    fn unknown_zones_and_non_times_are_null() {
        let at = json!("2026-11-21T10:00:00Z");
        assert_eq!(
            call("hour", &[at.clone(), json!("Europe/Berln")]),
            json!(null)
        );
        assert_eq!(call("hour", &[at.clone(), json!(1)]), json!(null));
        assert_eq!(call("weekday", &[at, json!(null)]), json!(null));
        assert_eq!(call("hour", &[json!("10:00")]), json!(null));
        assert_eq!(call("date", &[json!(null), json!("UTC")]), json!(null));
    }
}
