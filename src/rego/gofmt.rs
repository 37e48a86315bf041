//! `sprintf` as OPA has it: Go's `fmt.Sprintf`, with integral numbers passed as `int64`,
//! other numbers as `float64`, strings as strings and every other value as its Rego text.
//! Messages built with `sprintf` are what users read, so they follow OPA to the byte,
//! including Go's markers for mistakes (`%!f(int64=150)`, `%!s(MISSING)`).

use std::fmt::Write as _;

/// A value as Go's formatter sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum GoArg {
    Int(i64),
    /// An integer beyond `int64`, in decimal.
    Big(String),
    Float(f64),
    Str(String),
}

impl GoArg {
    fn type_name(&self) -> &'static str {
        match self {
            GoArg::Int(_) => "int64",
            GoArg::Big(_) => "*big.Int",
            GoArg::Float(_) => "float64",
            GoArg::Str(_) => "string",
        }
    }

    /// The `%v` text, used inside Go's error markers.
    fn plain(&self) -> String {
        match self {
            GoArg::Int(value) => value.to_string(),
            GoArg::Big(digits) => digits.clone(),
            GoArg::Float(value) => general(*value, None, false),
            GoArg::Str(text) => text.clone(),
        }
    }
}

/// Flags, width and precision of one verb.
#[derive(Clone, Copy, Debug, Default)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Formats like Go's `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[GoArg]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut chars = format.chars().peekable();
    let mut next_arg = 0usize;
    let mut reordered = false;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '+' => spec.plus = true,
                '-' => spec.minus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => break,
            }
            chars.next();
        }
        let mut bad_index = false;
        let mut take_index = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
                              next_arg: &mut usize| {
            if chars.peek() != Some(&'[') {
                return;
            }
            chars.next();
            let digits: String =
                std::iter::from_fn(|| chars.next_if(char::is_ascii_digit)).collect();
            match (chars.next(), digits.parse::<usize>()) {
                (Some(']'), Ok(index)) if index >= 1 && index <= args.len() => {
                    *next_arg = index - 1
                }
                _ => bad_index = true,
            }
            reordered = true;
        };
        take_index(&mut chars, &mut next_arg);
        spec.width = number_or_star(&mut chars, args, &mut next_arg, &mut out, "BADWIDTH");
        if chars.next_if_eq(&'.').is_some() {
            take_index(&mut chars, &mut next_arg);
            // `%.s` is a precision of 0; a bad `*` argument is no precision at all.
            let starred = chars.peek() == Some(&'*');
            spec.precision = number_or_star(&mut chars, args, &mut next_arg, &mut out, "BADPREC")
                .or((!starred).then_some(0));
        }
        take_index(&mut chars, &mut next_arg);
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        if bad_index {
            let _ = write!(out, "%!{verb}(BADINDEX)");
            continue;
        }
        match args.get(next_arg) {
            Some(arg) => {
                next_arg += 1;
                out.push_str(&format_arg(arg, verb, spec));
            }
            None => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
        }
    }
    if !reordered && next_arg < args.len() {
        let extra: Vec<String> = args
            .iter()
            .skip(next_arg)
            .map(|arg| format!("{}={}", arg.type_name(), arg.plain()))
            .collect();
        let _ = write!(out, "%!(EXTRA {})", extra.join(", "));
    }
    out
}

/// Go refuses widths and precisions beyond a million (`tooLarge` in `fmt`), which also
/// keeps one call from building a string of gigabytes.
const LARGEST_WIDTH: usize = 1_000_000;

/// A width or precision: digits, or `*` taking an `int64` argument. As in Go, a number
/// of digits that grows past [`LARGEST_WIDTH`] swallows the rest of the format, and a
/// `*` argument past it is a bad width.
fn number_or_star(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    args: &[GoArg],
    next_arg: &mut usize,
    out: &mut String,
    bad: &str,
) -> Option<usize> {
    if chars.next_if_eq(&'*').is_some() {
        let value = match args.get(*next_arg) {
            Some(GoArg::Int(value)) => usize::try_from(*value)
                .ok()
                .filter(|&value| value <= LARGEST_WIDTH),
            _ => None,
        };
        *next_arg += 1;
        if value.is_none() {
            let _ = write!(out, "%!({bad})");
        }
        return value;
    }
    let mut number: Option<usize> = None;
    while let Some(digit) = chars.next_if(char::is_ascii_digit) {
        let so_far = number.unwrap_or(0);
        if so_far > LARGEST_WIDTH {
            chars.for_each(drop);
            return None;
        }
        number = Some(so_far * 10 + digit.to_digit(10).map_or(0, |d| d as usize));
    }
    number
}

fn format_arg(arg: &GoArg, verb: char, spec: Spec) -> String {
    let formatted = match arg {
        GoArg::Int(value) => format_int(*value, verb, spec),
        GoArg::Big(digits) => matches!(verb, 'd' | 'v' | 's').then(|| signed(digits, spec, true)),
        GoArg::Float(value) => format_float(*value, verb, spec),
        GoArg::Str(text) => format_str(text, verb, spec),
    };
    match formatted {
        Some(text) => text,
        None => format!("%!{verb}({}={})", arg.type_name(), arg.plain()),
    }
}

/// Adds the sign Go shows (`-`, or `+`/space when asked) and pads to the width.
fn signed(digits: &str, spec: Spec, numeric: bool) -> String {
    let (negative, magnitude) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    let sign = match (negative, spec.plus, spec.space) {
        (true, _, _) => "-",
        (false, true, _) => "+",
        (false, false, true) => " ",
        _ => "",
    };
    pad(sign, magnitude, spec, numeric)
}

fn pad(sign: &str, body: &str, spec: Spec, zeros_allowed: bool) -> String {
    let length = sign.chars().count() + body.chars().count();
    let width = spec.width.unwrap_or(0);
    if length >= width {
        return format!("{sign}{body}");
    }
    let fill = width - length;
    if spec.minus {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else if spec.zero && zeros_allowed {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}

fn format_int(value: i64, verb: char, spec: Spec) -> Option<String> {
    let magnitude = value.unsigned_abs();
    let (digits, prefix) = match verb {
        'd' | 'v' => (magnitude.to_string(), ""),
        'b' => (format!("{magnitude:b}"), if spec.sharp { "0b" } else { "" }),
        'o' => (format!("{magnitude:o}"), if spec.sharp { "0" } else { "" }),
        'O' => (format!("{magnitude:o}"), "0o"),
        'x' => (format!("{magnitude:x}"), if spec.sharp { "0x" } else { "" }),
        'X' => (format!("{magnitude:X}"), if spec.sharp { "0X" } else { "" }),
        'c' => return Some(pad("", &char_of(value).to_string(), spec, false)),
        'q' => return Some(pad("", &quote_char(char_of(value)), spec, false)),
        'U' => return Some(pad("", &format!("U+{magnitude:04X}"), spec, false)),
        _ => return None,
    };
    let digits = match spec.precision {
        Some(0) if value == 0 => String::new(),
        Some(precision) if digits.len() < precision => {
            format!("{}{digits}", "0".repeat(precision - digits.len()))
        }
        _ => digits,
    };
    let body = format!("{prefix}{digits}");
    let spec = Spec {
        zero: spec.zero && spec.precision.is_none(),
        ..spec
    };
    let text = if value < 0 { format!("-{body}") } else { body };
    Some(signed(&text, spec, true))
}

fn char_of(value: i64) -> char {
    u32::try_from(value)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

fn format_float(value: f64, verb: char, spec: Spec) -> Option<String> {
    let text = match verb {
        'v' | 'g' => general(value, spec.precision, false),
        'G' => general(value, spec.precision, true),
        'e' => exponent(value, spec.precision.unwrap_or(6), false),
        'E' => exponent(value, spec.precision.unwrap_or(6), true),
        'f' | 'F' => format!("{value:.*}", spec.precision.unwrap_or(6)),
        _ => return None,
    };
    Some(signed(&text, spec, true))
}

/// Go's `%e`: one digit, the decimals, and an exponent of at least two digits.
fn exponent(value: f64, precision: usize, upper: bool) -> String {
    let rust = format!("{value:.precision$e}");
    go_exponent(&rust, upper)
}

/// Turns Rust's `1.5e3` into Go's `1.5e+03`.
fn go_exponent(rust: &str, upper: bool) -> String {
    let (mantissa, exponent) = rust.split_once('e').unwrap_or((rust, "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    let letter = if upper { 'E' } else { 'e' };
    format!("{mantissa}{letter}{sign}{digits:0>2}")
}

/// Go's `%g` (and `%v` for floats): the shortest form, or `precision` significant
/// digits; exponent form for exponents below -4 or from the precision up (6 for the
/// shortest form); no trailing zeros.
fn general(value: f64, precision: Option<usize>, upper: bool) -> String {
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let scientific = match precision {
        None => format!("{value:e}"),
        Some(precision) => format!("{value:.*e}", precision.max(1) - 1),
    };
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let count = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let mut limit = precision.map_or(6, |p| i64::try_from(p.max(1)).unwrap_or(i64::MAX));
    if precision.is_some() && limit > count && count > exponent {
        limit = count;
    }
    let sign = if negative { "-" } else { "" };
    if exponent < -4 || exponent >= limit {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        return format!(
            "{sign}{}",
            go_exponent(&format!("{mantissa}e{exponent}"), upper)
        );
    }
    let body = if exponent < 0 {
        let zeros = usize::try_from(-exponent - 1).unwrap_or(0);
        format!("0.{}{digits}", "0".repeat(zeros))
    } else {
        let point = usize::try_from(exponent + 1).unwrap_or(0);
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            let (whole, fraction) = digits.split_at(point);
            format!("{whole}.{fraction}")
        }
    };
    format!("{sign}{body}")
}

fn format_str(text: &str, verb: char, spec: Spec) -> Option<String> {
    let text = match spec.precision {
        Some(precision) if matches!(verb, 's' | 'v' | 'q') => {
            text.chars().take(precision).collect()
        }
        _ => text.to_string(),
    };
    let body = match verb {
        's' | 'v' => text,
        'q' if spec.sharp && can_backquote(&text) => format!("`{text}`"),
        'q' => quote(&text, spec.plus),
        'x' | 'X' => hex_bytes(&text, verb == 'X', spec),
        _ => return None,
    };
    Some(pad("", &body, spec, true))
}

fn hex_bytes(text: &str, upper: bool, spec: Spec) -> String {
    let bytes = text.as_bytes();
    let bytes = match spec.precision {
        Some(precision) => bytes.get(..precision.min(bytes.len())).unwrap_or(bytes),
        None => bytes,
    };
    let prefix = match (spec.sharp, upper) {
        (false, _) => "",
        (true, false) => "0x",
        (true, true) => "0X",
    };
    let pieces: Vec<String> = bytes
        .iter()
        .map(|byte| {
            let digits = if upper {
                format!("{byte:02X}")
            } else {
                format!("{byte:02x}")
            };
            if spec.space {
                format!("{prefix}{digits}")
            } else {
                digits
            }
        })
        .collect();
    if spec.space {
        pieces.join(" ")
    } else {
        format!("{prefix}{}", pieces.concat())
    }
}

fn can_backquote(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c == '`' || c == '\u{FEFF}' || (c.is_control() && c != '\t'))
}

/// Go's `strconv.Quote` (`QuoteToASCII` with `ascii_only`).
pub fn quote(text: &str, ascii_only: bool) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        push_escaped(&mut quoted, c, '"', ascii_only);
    }
    quoted.push('"');
    quoted
}

fn quote_char(c: char) -> String {
    let mut quoted = String::from("'");
    push_escaped(&mut quoted, c, '\'', false);
    quoted.push('\'');
    quoted
}

fn push_escaped(out: &mut String, c: char, delimiter: char, ascii_only: bool) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == delimiter => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if c.is_control() || (ascii_only && !c.is_ascii()) => {
            if (c as u32) < 0x10000 {
                let _ = write!(out, "\\u{:04x}", c as u32);
            } else {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GoArg::{Float, Int, Str};

    fn go(format: &str, args: &[GoArg]) -> String {
        sprintf(format, args)
    }

    // Every expected string below is what OPA 1.20 (Go's fmt) printed for the same call.
    #[test]
    fn integers_and_floats_as_opa_passes_them() {
        assert_eq!(go("%.2f", &[Int(10)]), "%!f(int64=10)");
        assert_eq!(go("%.2f", &[Float(412.456)]), "412.46");
        assert_eq!(go("%d", &[Float(412.5)]), "%!d(float64=412.5)");
        assert_eq!(go("%v %v", &[Int(150), Float(412.5)]), "150 412.5");
        assert_eq!(go("%s", &[Int(5)]), "%!s(int64=5)");
        assert_eq!(go("%v", &[Float(1234567.5)]), "1.2345675e+06");
        assert_eq!(go("%v", &[Float(0.00001)]), "1e-05");
        assert_eq!(go("%v", &[Float(0.0001)]), "0.0001");
        assert_eq!(go("%f", &[Float(2.5)]), "2.500000");
        assert_eq!(go("%e", &[Float(412.5)]), "4.125000e+02");
        assert_eq!(go("%g", &[Float(100000.5)]), "100000.5");
        assert_eq!(go("%.3g", &[Float(1234.5)]), "1.23e+03");
    }

    #[test]
    fn rounding_and_exponents() {
        assert_eq!(go("%.1f", &[Float(0.25)]), "0.2");
        assert_eq!(go("%.0f", &[Float(2.5)]), "2");
        assert_eq!(go("%v", &[Float(100000000.5)]), "1.000000005e+08");
        assert_eq!(go("%v", &[Float(-0.5)]), "-0.5");
        assert_eq!(go("%8.3e", &[Float(-1234.5678)]), "-1.235e+03");
        assert_eq!(go("%v", &[Float(0.1)]), "0.1");
    }

    #[test]
    fn strings_and_characters() {
        assert_eq!(go("%x", &[Str("hi".into())]), "6869");
        assert_eq!(
            go("%05s|%-4s|", &[Str("ab".into()), Str("c".into())]),
            "000ab|c   |"
        );
        assert_eq!(go("%c %U", &[Int(65), Int(65)]), "A U+0041");
        assert_eq!(go("%q", &[Str("é\u{1}".into())]), "\"é\\x01\"");
    }

    #[test]
    fn missing_extra_and_escaped() {
        assert_eq!(go("%s and %s", &[Str("q".into())]), "q and %!s(MISSING)");
        assert_eq!(go("%d%%", &[Int(1), Int(2)]), "1%%!(EXTRA int64=2)");
        assert_eq!(go("100%", &[]), "100%!(NOVERB)");
        assert_eq!(
            go("%[2]s %[1]s", &[Str("a".into()), Str("b".into())]),
            "b a"
        );
    }

    #[test]
    fn widths_flags_and_quotes() {
        assert_eq!(
            go("%5d|%-5d|%05d|%+d", &[Int(42), Int(42), Int(-42), Int(7)]),
            "   42|42   |-0042|+7"
        );
        assert_eq!(
            go(
                "%x %X %o %b %#x",
                &[Int(255), Int(255), Int(8), Int(5), Int(255)]
            ),
            "ff FF 10 101 0xff"
        );
        assert_eq!(go("%q", &[Str("quote\"d\n".into())]), "\"quote\\\"d\\n\"");
        assert_eq!(
            go("%.2s|%6.2f", &[Str("hello".into()), Float(412.456)]),
            "he|412.46"
        );
        assert_eq!(go("%t", &[Str("true".into())]), "%!t(string=true)");
    }

    #[test]
    fn widths_past_a_million_are_refused_as_go_does() {
        assert_eq!(go("%999999999d|", &[Int(1)]), "%!(NOVERB)%!(EXTRA int64=1)");
        assert_eq!(go("%*d", &[Int(2_000_000), Int(1)]), "%!(BADWIDTH)1");
        assert_eq!(
            go("%.*s", &[Int(2_000_000), Str("ab".into())]),
            "%!(BADPREC)ab"
        );
        assert_eq!(go("%1000000d", &[Int(1)]).len(), 1_000_000);
    }
}
