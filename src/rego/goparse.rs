//! `to_number`, `time.parse_duration_ns` and `time.parse_rfc3339_ns` as OPA has them:
//! strings are read with Go's number, duration and time syntax, so a policy accepts and
//! rejects the same text under verdict as under OPA (a padded `" 5"` is no number there,
//! `"007"` and `"1_000"` are; `"7d"` is a duration; `"2026-11-21 10:00:00Z"` is no time).

use regorus::Value;

/// What `to_number(value)` gives; `None` when OPA reports a builtin error.
pub fn to_number(arguments: &[Value]) -> Option<Value> {
    match arguments {
        [Value::Null] => Some(Value::from(0u64)),
        [Value::Bool(flag)] => Some(Value::from(u64::from(*flag))),
        [number @ Value::Number(_)] => Some(number.clone()),
        [Value::String(text)] => go_decimal(text).and_then(|json| Value::from_json_str(&json).ok()),
        _ => None,
    }
}

/// A string Go's `strconv.ParseFloat` accepts as a finite decimal number, rewritten as a
/// JSON number; `None` for anything else. Go's hexadecimal floats, infinities and NaN are
/// left out: OPA rejects the last two, and no policy writes the first.
fn go_decimal(text: &str) -> Option<String> {
    let (sign, unsigned) = match text.as_bytes().first()? {
        b'-' => ("-", text.get(1..)?),
        b'+' => ("", text.get(1..)?),
        _ => ("", text),
    };
    if !underscores_between_digits(unsigned) {
        return None;
    }
    let plain: String = unsigned.chars().filter(|c| *c != '_').collect();
    let (mantissa, exponent) = match plain.find(['e', 'E']) {
        Some(at) => (plain.get(..at)?, Some(plain.get(at + 1..)?)),
        None => (plain.as_str(), None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut json = format!("{sign}{}", whole.trim_start_matches('0'));
    if json.len() == sign.len() {
        json.push('0');
    }
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !all_digits(digits) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    // Go reports a value beyond the range of a float64 as an error.
    json.parse::<f64>().ok().filter(|value| value.is_finite())?;
    Some(json)
}

/// Go allows `_` in a number only between two digits.
fn underscores_between_digits(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(at, byte)| {
        *byte != b'_'
            || at
                .checked_sub(1)
                .and_then(|before| bytes.get(before))
                .is_some_and(u8::is_ascii_digit)
                && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
    })
}

/// Nanoseconds in each unit OPA's durations know: Go's, then days, weeks and 365-day years.
const DURATION_UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60 * 1_000_000_000),
    ("h", 3_600 * 1_000_000_000),
    ("d", 86_400 * 1_000_000_000),
    ("w", 7 * 86_400 * 1_000_000_000),
    ("y", 365 * 86_400 * 1_000_000_000),
];

/// What `time.parse_duration_ns(text)` gives; `None` when OPA reports a builtin error.
pub fn parse_duration_ns(arguments: &[Value]) -> Option<Value> {
    let [Value::String(text)] = arguments else {
        return None;
    };
    duration_nanos(text).map(Value::from)
}

/// Go's `time.ParseDuration`, with OPA's extra units: a signed sequence of decimal
/// numbers, each with a unit, such as `1h30m`, `-1.5d` or `0`; at most ±2^63-1 ns.
fn duration_nanos(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let limit: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let (nanos, after) = duration_term(rest)?;
        total = total.checked_add(nanos).filter(|sum| *sum <= limit)?;
        rest = after;
    }
    if negative {
        Some(0i64.checked_sub_unsigned(total).unwrap_or(i64::MIN))
    } else {
        i64::try_from(total).ok()
    }
}

/// One `<number><unit>` of a duration: its nanoseconds and the text after it.
fn duration_term(text: &str) -> Option<(u64, &str)> {
    let whole_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (whole, rest) = text.split_at(whole_end);
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after) => {
            let end = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            after.split_at(end)
        }
        None => ("", rest),
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let unit_end = rest
        .find(|c: char| c == '.' || c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (unit, rest) = rest.split_at(unit_end);
    let (_, scale) = DURATION_UNITS.iter().find(|(name, _)| *name == unit)?;
    let limit: u64 = 1 << 63;
    let mut nanos: u64 = 0;
    for digit in whole.bytes() {
        nanos = nanos
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))
            .filter(|value| *value <= limit)?;
    }
    nanos = nanos.checked_mul(*scale).filter(|value| *value <= limit)?;
    nanos = nanos
        .checked_add(fraction_nanos(fraction, *scale))
        .filter(|value| *value <= limit)?;
    Some((nanos, rest))
}

/// The nanoseconds a fraction of a unit adds, computed as Go does: the digits that fit in
/// 63 bits, scaled in floating point, truncated.
fn fraction_nanos(fraction: &str, scale: u64) -> u64 {
    let limit: u64 = 1 << 63;
    let mut digits: u64 = 0;
    let mut divisor: f64 = 1.0;
    for digit in fraction.bytes() {
        let Some(next) = digits
            .checked_mul(10)
            .and_then(|value| value.checked_add(u64::from(digit - b'0')))
            .filter(|value| *value <= limit)
        else {
            break;
        };
        digits = next;
        divisor *= 10.0;
    }
    if digits == 0 {
        return 0;
    }
    // Truncation toward zero is Go's conversion of a float to an integer.
    (digits as f64 * (scale as f64 / divisor)) as u64
}

/// What `time.parse_rfc3339_ns(text)` gives: Go's `time.Parse(time.RFC3339, text)` reads
/// `2006-01-02T15:04:05Z07:00` exactly (an upper-case `T` and `Z`, two-digit fields, no
/// leap second), with an optional fraction of a second; `None` for anything else.
pub fn parse_rfc3339_ns(arguments: &[Value]) -> Option<Value> {
    let [Value::String(text)] = arguments else {
        return None;
    };
    if !is_go_rfc3339(text) {
        return None;
    }
    // Go takes zone offsets up to 24:60, which chrono does not: the offset is applied here.
    let (local, offset_seconds) = match text.strip_suffix('Z') {
        Some(local) => (local, 0),
        None => {
            let (local, zone) = text.split_at_checked(text.len().checked_sub(6)?)?;
            let hours: i64 = zone.get(1..3)?.parse().ok()?;
            let minutes: i64 = zone.get(4..6)?.parse().ok()?;
            if hours > 24 || minutes > 60 {
                return None;
            }
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            (local, sign * (hours * 3600 + minutes * 60))
        }
    };
    let time = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let utc = time.checked_sub_signed(chrono::TimeDelta::seconds(offset_seconds))?;
    utc.and_utc().timestamp_nanos_opt().map(Value::from)
}

/// Whether text has the shape of Go's RFC 3339 layout, seconds at most 59.
fn is_go_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let at = |index: usize, byte: u8| bytes.get(index) == Some(&byte);
    let date_and_time = digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && at(10, b'T')
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19)
        && bytes
            .get(17..19)
            .is_some_and(|seconds| seconds < b"60".as_slice());
    if !date_and_time {
        return false;
    }
    let mut rest = bytes.get(19..).unwrap_or_default();
    if let Some(fraction) = rest.strip_prefix(b".") {
        let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return false;
        }
        rest = fraction.get(count..).unwrap_or_default();
    }
    match rest {
        b"Z" => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-') && [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Option<String> {
        to_number(&[Value::from(text)]).map(|value| value.to_json_str().unwrap_or_default())
    }

    #[test]
    fn numbers_read_as_go_reads_them() {
        // OPA: each of these is a number.
        assert_eq!(number("42").as_deref(), Some("42"));
        assert_eq!(number("+5").as_deref(), Some("5"));
        assert_eq!(number(".5").as_deref(), Some("0.5"));
        assert_eq!(number("5.").as_deref(), Some("5"));
        assert_eq!(number("00012").as_deref(), Some("12"));
        assert_eq!(number("-0012.50").as_deref(), Some("-12.5"));
        assert_eq!(number("1_000").as_deref(), Some("1000"));
        assert_eq!(number("1E-2").as_deref(), Some("0.01"));
        assert_eq!(
            number("12345678901234567890").as_deref(),
            Some("12345678901234567890")
        );
        // OPA: each of these is an error.
        for text in [
            " 5", "5 ", "", "-", ".", "1_", "_1", "1__0", "1_.5", "Inf", "NaN", "1e400", "1e",
            "0x10", "- 5", "1.5.2",
        ] {
            assert_eq!(number(text), None, "{text:?}");
        }
    }

    #[test]
    fn other_values_convert_as_in_opa() {
        assert_eq!(to_number(&[Value::Null]), Some(Value::from(0u64)));
        assert_eq!(to_number(&[Value::Bool(true)]), Some(Value::from(1u64)));
        assert_eq!(to_number(&[Value::new_array()]), None);
    }

    #[test]
    fn durations_read_as_opa_reads_them() {
        let day = 86_400_000_000_000;
        assert_eq!(duration_nanos("1h30m"), Some(5_400_000_000_000));
        assert_eq!(duration_nanos("1d"), Some(day));
        assert_eq!(duration_nanos("1.5d"), Some(day * 3 / 2));
        assert_eq!(duration_nanos("-1d"), Some(-day));
        assert_eq!(duration_nanos("1w"), Some(7 * day));
        assert_eq!(duration_nanos("1y"), Some(365 * day));
        assert_eq!(
            duration_nanos("2d3h"),
            Some(2 * day + 3 * 3_600_000_000_000)
        );
        assert_eq!(duration_nanos(".5h"), Some(1_800_000_000_000));
        assert_eq!(duration_nanos("1.h"), Some(3_600_000_000_000));
        assert_eq!(duration_nanos("1\u{b5}s"), Some(1_000));
        assert_eq!(duration_nanos("+5m"), Some(300_000_000_000));
        assert_eq!(duration_nanos("0"), Some(0));
        assert_eq!(
            duration_nanos("9223372036854775807ns"),
            Some(9_223_372_036_854_775_807)
        );
        assert_eq!(duration_nanos("-9223372036854775808ns"), Some(i64::MIN));
        for text in [
            "",
            "5",
            "7D",
            "1H",
            "1 h",
            "1mo",
            "1e3s",
            "9223372036854775808ns",
            "107000d",
            "-",
            "h",
        ] {
            assert_eq!(duration_nanos(text), None, "{text:?}");
        }
    }
}
