# The builtins of the policy language (`count`, `lower`, `hour`, ...), part of the helpers
# of Rego compiled from verdict policies. Each `builtin_NAME` gives what the builtin `NAME`
# gives in the policy language; `data.verdict.fn` offers them under their own names.
# Arguments of the wrong kind give null, never an error.
package verdict.lib

import rego.v1

# ---------------------------------------------------------------------------------------
# collections

builtin_count(x) := 0 if {
	x == null
} else := count(x) if {
	is_iterable(x)
} else := null

# Characters of a string, elements of an array, entries of an object.
builtin_len(x) := count(x) if {
	is_string(x)
} else := count(x) if {
	is_iterable(x)
} else := null

builtin_keys(x) := sort(object.keys(x)) if is_object(x) else := null

builtin_values(x) := items(x) if is_object(x) else := null

# First occurrences, in order.
builtin_unique(x) := [item |
	some i, item in x
	not seen_before(x, i, item)
] if {
	is_array(x)
} else := null

seen_before(list, i, item) if {
	some j, earlier in list
	j < i
	equals(earlier, item)
}

builtin_any(x) := true if {
	is_array(x)
	some item in x
	item == true
} else := false

builtin_all(x) := true if {
	is_array(x)
	every item in x {
		item == true
	}
} else := false

builtin_contains(haystack, needle) := is_in(needle, haystack) if {
	is_iterable(haystack)
} else := is_in(needle, haystack) if {
	is_string(haystack)
} else := null

# ---------------------------------------------------------------------------------------
# strings

builtin_lower(x) := lower(x) if is_string(x) else := null

builtin_upper(x) := upper(x) if is_string(x) else := null

builtin_trim(x) := trim_space(x) if is_string(x) else := null

builtin_starts_with(s, prefix) := startswith(s, prefix) if {
	is_string(s)
	is_string(prefix)
} else := null

builtin_ends_with(s, suffix) := endswith(s, suffix) if {
	is_string(s)
	is_string(suffix)
} else := null

# An empty separator splits into characters.
builtin_split(s, separator) := regex.find_n(`(?s).`, s, -1) if {
	is_string(s)
	separator == ""
} else := split(s, separator) if {
	is_string(s)
	is_string(separator)
} else := null

# Strings and numbers only, numbers as `${...}` shows them.
builtin_join(list, separator) := concat(separator, [text(item) | some item in list]) if {
	is_array(list)
	is_string(separator)
	every item in list {
		joinable(item)
	}
} else := null

joinable(x) if is_string(x)

joinable(x) if is_number(x)

# ---------------------------------------------------------------------------------------
# patterns

# A glob over the whole string: `*` and `?` stay within a `/`-separated segment, `**`
# crosses them. An invalid pattern matches nothing. Text holding a NUL character is beyond
# what regorus's glob.match takes.
builtin_matches(s, pattern) := unsupported("`matches` on text holding a NUL character") if {
	is_string(s)
	is_string(pattern)
	contains(concat("", [s, pattern]), "\u0000")
} else := matched if {
	is_string(s)
	is_string(pattern)
	matched := glob.match(pattern, ["/"], s)
} else := false if {
	is_string(s)
	is_string(pattern)
} else := null

# A regular expression, matching anywhere unless anchored; an invalid one matches nothing.
builtin_regex(s, pattern) := matched if {
	is_string(s)
	is_string(pattern)
	matched := regex.match(pattern, s)
} else := false if {
	is_string(s)
	is_string(pattern)
} else := null

# ---------------------------------------------------------------------------------------
# numbers

builtin_sum(x) := 0 if {
	x == null
} else := list_sum(x) if {
	is_array(x)
} else := null

list_sum(list) := 0 if {
	count(list) == 0
} else := duration_sum(list) if {
	_ = duration_ns(list[0])
} else := sum_of(list) if {
	every item in list {
		is_number(item)
	}
} else := null

# Durations add up while every partial sum stays a duration.
duration_sum(list) := duration_of(sum(spans)) if {
	spans := [ns | some item in list; ns := duration_ns(item)]
	count(spans) == count(list)
	every n in numbers.range(1, count(spans)) {
		duration_in_range(sum(array.slice(spans, 0, n)))
	}
} else := null

# The least (or greatest) of numbers, strings, times or durations all of one kind.
builtin_min(x) := extreme(x, "min")

builtin_max(x) := extreme(x, "max")

extreme(list, which) := pick_extreme([num(item) | some item in list], which) if {
	single_kind(list) == "number"
} else := pick_extreme(list, which) if {
	single_kind(list) == "string"
} else := time_of(pick_extreme([time_ns(item) | some item in list], which)) if {
	single_kind(list) == "time"
} else := duration_of(pick_extreme([duration_ns(item) | some item in list], which)) if {
	single_kind(list) == "duration"
} else := null

single_kind(list) := name if {
	is_array(list)
	kinds := {kind(item) | some item in list}
	count(kinds) == 1
	some name in kinds
}

pick_extreme(list, "min") := min(list)

pick_extreme(list, "max") := max(list)

# A list of numbers, strings, times or durations all of one kind, in order; a list of one
# element is in order whatever it holds.
builtin_sort(x) := x if {
	is_array(x)
	count(x) <= 1
} else := sort([num(item) | some item in x]) if {
	single_kind(x) == "number"
} else := sort(x) if {
	single_kind(x) == "string"
} else := [time_of(ns) | some ns in sort([time_ns(item) | some item in x])] if {
	single_kind(x) == "time"
} else := [duration_of(ns) | some ns in sort([duration_ns(item) | some item in x])] if {
	single_kind(x) == "duration"
} else := null

# Half away from zero to `digits` places (-15 to 15), through the same doubles as the
# policy language: the power of ten, the scaled number, its rounding and the quotient.
builtin_round(x, digits) := rounded(num(x), product_of([x, scale]), scale) if {
	is_number(x)
	is_number(digits)
	whole_double(digits)
	digits >= -15
	digits <= 15
	scale := powers_of_ten[digits + 15]
} else := null

# Past 2^52 a double has no fraction left to round.
rounded(x, scaled, scale) := x if {
	scaled == null
} else := x if {
	abs(scaled) >= 4503599627370496
} else := quotient(round(scaled), scale)

# 10^-15 to 10^15 as the policy language computes them (`10f64.powi(digits)`).
powers_of_ten := [
	0.000000000000001, 0.00000000000001, 0.0000000000001, 0.000000000001,
	0.00000000001, 0.0000000001, 0.000000001, 0.00000001, 0.0000001, 0.000001, 0.00001,
	0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
	1000000000000000,
]

builtin_abs(x) := abs(num(x)) if {
	is_number(x)
} else := duration_of(abs(ns)) if {
	ns := duration_ns(x)
} else := null

# ---------------------------------------------------------------------------------------
# times

# An RFC 3339 string as a time (a time stays as it is).
builtin_time(x) := x if {
	_ = time_ns(x)
} else := parsed_time(trim_space(x)) if {
	is_string(x)
} else := null

# RFC 3339 as the policy language reads it: `T`, `t` or a space between date and time, any
# number of fractional digits (past nine ignored), `Z`, `z` or an offset below 24 hours. It
# is checked here, and handed to the engine in the form every engine parses, so that no
# engine meets a string it would refuse (some stop the evaluation on one).
parsed_time(s) := time_of(ns) if {
	fields := rfc3339_fields(s)
	fields.year >= 1678
	fields.year <= 2261
	fields.second < 60
	ns := time.parse_rfc3339_ns(canonical_rfc3339(fields))
} else := unsupported("a time outside the years 1678 to 2261, or a leap second") if {
	rfc3339_fields(s)
} else := null

rfc3339 := `^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:([Zz])|([-+\x{2212}])([0-9]{2}):([0-9]{2}))$`

# The fields of a valid RFC 3339 time; undefined for anything else.
rfc3339_fields(s) := fields if {
	[groups] := regex.find_all_string_submatch_n(rfc3339, s, 1)
	fields := {
		"year": whole_number(groups[1]),
		"month": whole_number(groups[2]),
		"day": whole_number(groups[3]),
		"hour": whole_number(groups[4]),
		"minute": whole_number(groups[5]),
		"second": whole_number(groups[6]),
		"fraction": substring(groups[7], 0, 9),
		"offset": offset_text(groups),
		"offset_hour": whole_number(groups[10]),
		"offset_minute": whole_number(groups[11]),
	}
	fields.month >= 1
	fields.month <= 12
	fields.day >= 1
	fields.day <= days_in_month(fields.year, fields.month)
	fields.hour <= 23
	fields.minute <= 59
	fields.second <= 60
	fields.offset_hour <= 23
	fields.offset_minute <= 59
}

offset_text(groups) := "Z" if {
	groups[8] != ""
} else := concat("", ["-", groups[10], ":", groups[11]]) if {
	groups[9] != "+"
} else := concat("", ["+", groups[10], ":", groups[11]])

canonical_rfc3339(fields) := sprintf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", [
	fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second,
	fraction_text(fields.fraction), fields.offset,
])

fraction_text(digits) := "" if digits == "" else := concat("", [".", digits])

days_in_month(year, month) := 29 if {
	month == 2
	is_leap_year(year)
} else := month_lengths[month - 1]

month_lengths := [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

is_leap_year(year) if {
	year % 4 == 0
	year % 100 != 0
}

is_leap_year(year) if year % 400 == 0

# `30s 90m 2h 1h30m 1d 1w` or ISO 8601 (`PT2H`) as a duration (a duration stays as it is).
builtin_duration(x) := x if {
	_ = duration_ns(x)
} else := parsed_duration(trim_space(x)) if {
	is_string(x)
} else := null

parsed_duration(s) := millis(ms) if {
	ms := duration_millis(s)
	ms <= 9223372036854775807
} else := null

# Units in decreasing order, each at most once; whole numbers of up to 12 digits, and up to
# three decimals on seconds.
duration_millis(s) := ms if {
	s != ""
	not startswith(lower(s), "p")
	[groups] := regex.find_all_string_submatch_n(compact_duration, s, 1)
	ms := duration_total(groups)
} else := ms if {
	[groups] := regex.find_all_string_submatch_n(iso_duration, s, 1)
	not regex.match(`^[Pp]$|[Tt]$`, s)
	ms := duration_total(groups)
}

compact_duration := `^(?:([0-9]{1,12})w)?(?:([0-9]{1,12})d)?(?:([0-9]{1,12})h)?(?:([0-9]{1,12})m)?(?:([0-9]{1,12})(?:\.([0-9]{1,3}))?s)?$`

iso_duration := `^[Pp](?:([0-9]{1,12})[Ww])?(?:([0-9]{1,12})[Dd])?(?:[Tt](?:([0-9]{1,12})[Hh])?(?:([0-9]{1,12})[Mm])?(?:([0-9]{1,12})(?:\.([0-9]{1,3}))?[Ss])?)?$`

# The groups of either pattern: weeks, days, hours, minutes, seconds, thousandths.
duration_total(groups) := sum([
	component(groups[1], 604800000),
	component(groups[2], 86400000),
	component(groups[3], 3600000),
	component(groups[4], 60000),
	component(groups[5], 1000),
	thousandths(groups[6]),
])

component(digits, scale) := whole_number(digits) * scale

thousandths(digits) := 0 if digits == "" else := whole_number(digits) * padding[count(digits)]

padding := {1: 100, 2: 10, 3: 1}

# `hour`, `minute`, `weekday` (`Mon`..`Sun`) and `date` (`2026-11-21`) of a time (or an
# RFC 3339 string) in an IANA time zone; null for anything else.
builtin_hour(t, zone) := hour if {
	clock := time.clock(zoned(t, zone))
	hour := clock[0]
} else := null

builtin_minute(t, zone) := minute if {
	clock := time.clock(zoned(t, zone))
	minute := clock[1]
} else := null

builtin_weekday(t, zone) := substring(day, 0, 3) if {
	day := time.weekday(zoned(t, zone))
} else := null

builtin_date(t, zone) := sprintf("%04d-%02d-%02d", date) if {
	date := time.date(zoned(t, zone))
} else := null

# `[ns, zone]` as the time builtins take it, for the IANA zones the policy language knows
# (`time_zones`); engines also read "" and "Local" as zones, and some stop the evaluation
# on a zone they do not know.
zoned(t, zone) := [ns, zone] if {
	is_string(zone)
	zone in time_zones
	ns := time_ns(builtin_time(t))
}

# ---------------------------------------------------------------------------------------
# types

builtin_is_string(x) := is_string(x)

builtin_is_number(x) := is_number(x)

builtin_is_bool(x) := is_boolean(x)

builtin_is_array(x) := is_array(x)

builtin_is_object(x) := is_object(x)

builtin_exists(x) := x != null
