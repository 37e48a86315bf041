//! Durations as verdict reads them: `30s`, `90m`, `2h`, `1h30m`, `1d`, `1w`, and ISO 8601
//! (`PT2H`, `P1DT12H`).
//!
//! Written here rather than taken from a general duration crate on purpose: those accept
//! months and years of approximate length (and `ms`/`ns` units), which a gate deciding
//! access windows must reject rather than guess at.

use chrono::TimeDelta;

/// Parses a duration; `None` when the text is not one of the accepted forms, is negative,
/// or is too large to represent.
pub fn parse(text: &str) -> Option<TimeDelta> {
    let text = text.trim();
    let millis = match text.strip_prefix('P').or_else(|| text.strip_prefix('p')) {
        Some(iso) => parse_iso(iso)?,
        None => parse_compact(text)?,
    };
    TimeDelta::try_milliseconds(i64::try_from(millis).ok()?)
}

/// The number of milliseconds in a duration, for code that keeps durations as integers.
pub fn parse_millis(text: &str) -> Option<i64> {
    parse(text).map(|delta| delta.num_milliseconds())
}

const SECOND: u128 = 1000;
const MINUTE: u128 = 60 * SECOND;
const HOUR: u128 = 60 * MINUTE;
const DAY: u128 = 24 * HOUR;
const WEEK: u128 = 7 * DAY;

/// `1h30m`: one or more `<number><unit>` pairs with units in decreasing order, each once.
fn parse_compact(text: &str) -> Option<u128> {
    let units = [
        ('w', WEEK),
        ('d', DAY),
        ('h', HOUR),
        ('m', MINUTE),
        ('s', SECOND),
    ];
    sum_components(text, &units)
}

/// `PnWnD` then optionally `T` and `nHnMnS`; fractions only on seconds.
fn parse_iso(text: &str) -> Option<u128> {
    let (date, time) = match text.split_once(['T', 't']) {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (text, None),
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let date_units = [('W', WEEK), ('D', DAY)];
    let time_units = [('H', HOUR), ('M', MINUTE), ('S', SECOND)];
    let date_part = if date.is_empty() {
        0
    } else {
        sum_components(&date.to_ascii_uppercase(), &date_units)?
    };
    let time_part = match time {
        Some(time) => sum_components(&time.to_ascii_uppercase(), &time_units)?,
        None => 0,
    };
    date_part.checked_add(time_part)
}

/// Sums `<number><unit>` components whose units appear in `units`' order, each at most
/// once. Numbers are whole, except a fraction with up to three digits on the last unit
/// when it is seconds.
fn sum_components(text: &str, units: &[(char, u128)]) -> Option<u128> {
    if text.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    let mut rest = text;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits_end);
        let mut chars = after.chars();
        let unit = chars.next()?;
        let position = units
            .iter()
            .skip(next_unit)
            .position(|&(name, _)| name == unit)?;
        let index = next_unit + position;
        let &(_, scale) = units.get(index)?;
        total = total.checked_add(scaled(number, scale)?)?;
        next_unit = index + 1;
        rest = chars.as_str();
    }
    Some(total)
}

fn scaled(number: &str, scale: u128) -> Option<u128> {
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    if whole.is_empty() || whole.len() > 12 {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let mut millis = whole.checked_mul(scale)?;
    if let Some(fraction) = fraction {
        if scale != SECOND || fraction.is_empty() || fraction.len() > 3 {
            return None;
        }
        let padded = format!("{fraction:0<3}");
        millis = millis.checked_add(padded.parse::<u128>().ok()?)?;
    }
    Some(millis)
}

/// Renders a duration compactly (`1h30m`, `2d`, `45s`), the form the accepted syntax reads.
pub fn format(delta: TimeDelta) -> String {
    let mut millis = delta.num_milliseconds().unsigned_abs() as u128;
    if millis == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    if delta < TimeDelta::zero() {
        out.push('-');
    }
    for (unit, scale) in [("d", DAY), ("h", HOUR), ("m", MINUTE)] {
        if millis >= scale {
            out.push_str(&format!("{}{unit}", millis / scale));
            millis %= scale;
        }
    }
    if millis > 0 {
        let seconds = millis / SECOND;
        let rest = millis % SECOND;
        if rest == 0 {
            out.push_str(&format!("{seconds}s"));
        } else {
            let fraction = format!("{rest:03}");
            out.push_str(&format!("{seconds}.{}s", fraction.trim_end_matches('0')));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<i64> {
        parse(text).map(|d| d.num_seconds())
    }

    #[test]
    fn compact_forms() {
        assert_eq!(secs("30s"), Some(30));
        assert_eq!(secs("90m"), Some(5400));
        assert_eq!(secs("2h"), Some(7200));
        assert_eq!(secs("1h30m"), Some(5400));
        assert_eq!(secs("1d"), Some(86_400));
        assert_eq!(secs("1w"), Some(604_800));
        assert_eq!(
            secs("1w2d3h4m5s"),
            Some(604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5)
        );
        assert_eq!(secs(" 2h "), Some(7200));
        assert_eq!(parse_millis("1.5s"), Some(1500));
    }

    #[test]
    fn iso_forms() {
        assert_eq!(secs("PT2H"), Some(7200));
        assert_eq!(secs("PT1H30M"), Some(5400));
        assert_eq!(secs("P1D"), Some(86_400));
        assert_eq!(secs("P1W"), Some(604_800));
        assert_eq!(secs("P1DT12H"), Some(129_600));
        assert_eq!(secs("PT0.5S").map(|_| 0), Some(0));
        assert_eq!(parse_millis("PT0.5S"), Some(500));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "",
            "2",
            "h",
            "2x",
            "1m1h",
            "1h1h",
            "-1h",
            "1.5h",
            "P",
            "PT",
            "P1H",
            "PT1D",
            "1y",
            "1M",
            "2 h",
            "1h 30m",
            "9999999999999w",
            "P1Y",
            "1.s",
        ] {
            assert_eq!(parse(bad), None, "{bad:?} should be rejected");
        }
    }

    #[test]
    fn formats_compactly() {
        let f = |text| parse(text).map(format);
        assert_eq!(f("90m").as_deref(), Some("1h30m"));
        assert_eq!(f("1w").as_deref(), Some("7d"));
        assert_eq!(f("PT0.25S").as_deref(), Some("0.25s"));
        assert_eq!(f("0s").as_deref(), Some("0s"));
    }
}
