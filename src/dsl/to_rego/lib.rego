# The helpers of Rego compiled from verdict policies (`verdict compile --to rego`): every
# operator and builtin of the policy language, with the policy language's semantics, over
# Rego values. Generated policies call the operators here and the builtins through
# `data.verdict.fn`.
#
# Values. null, booleans, strings, arrays and objects are Rego's own. A time is the
# one-element set {["time", ns]} and a duration {["duration", ns]}, with ns a whole number
# of nanoseconds: no JSON document holds a set, so no input can pass for either. Numbers are
# 64-bit doubles in the policy language: `num` turns a Rego number into the double the
# policy language would hold, so that engines computing in doubles (regorus) give the
# policy language's answer digit for digit; OPA computes with more precision than doubles
# and can differ in the last digits of fractions and beyond 2^53.
#
# Totality. Every function here gives a value for every argument, null where the policy
# language gives null, so that no expression of a compiled policy is ever undefined. Where
# Rego cannot give the policy language's answer, `unsupported` stops the evaluation with an
# error, so that a gate fails closed instead of deciding differently.
package verdict.lib

import rego.v1

# ---------------------------------------------------------------------------------------
# failing closed

# Stops the evaluation with an error ("functions must not produce multiple outputs"): the
# two definitions below disagree on purpose. `reason` says what cannot be done in Rego.
unsupported(reason) := reason

unsupported(reason) := [reason]

# ---------------------------------------------------------------------------------------
# times and durations

# Whole nanoseconds since the epoch that engines can take apart (64-bit signed).
time_in_range(ns) if {
	ns >= -9223372036854775808
	ns <= 9223372036854775807
}

time_of(ns) := {["time", ns]} if {
	time_in_range(ns)
} else := unsupported("a time outside the years 1678 to 2261")

# The policy language's durations reach 2^63 - 1 milliseconds either way.
duration_in_range(ns) if {
	ns >= -9223372036854775807000000
	ns <= 9223372036854775807000000
}

duration_of(ns) := {["duration", ns]} if duration_in_range(ns) else := null

# A duration literal: `90m` is `millis(5400000)`.
millis(ms) := duration_of(ms * 1000000)

# The nanoseconds of a time or a duration; undefined for anything else.
time_ns(x) := pair[1] if {
	is_set(x)
	some pair in x
	pair[0] == "time"
}

duration_ns(x) := pair[1] if {
	is_set(x)
	some pair in x
	pair[0] == "duration"
}

# The evaluation time (verdict answers `time.now_ns()` with `--now`).
now := time_of(time.now_ns())

# Whole milliseconds, counted toward zero as the policy language counts them.
whole_millis(ns) := (ns - (ns % 1000000)) / 1000000

# The name of a value's kind.
kind(x) := "null" if {
	x == null
} else := "boolean" if {
	is_boolean(x)
} else := "number" if {
	is_number(x)
} else := "string" if {
	is_string(x)
} else := "array" if {
	is_array(x)
} else := "object" if {
	is_object(x)
} else := "time" if {
	_ = time_ns(x)
} else := "duration" if {
	_ = duration_ns(x)
} else := "other"

# ---------------------------------------------------------------------------------------
# numbers

# The double the policy language holds for a number: integers beyond 2^53 round to the
# nearest double, and -0 reads as 0. Halving and doubling are exact in doubles and make an
# engine that keeps integers exact (regorus) compute in doubles.
num(x) := 0 if {
	x == 0
} else := x if {
	doubles == false
} else := x if {
	abs(x) < 1
} else := (x * 0.5) * 2

# Whether the engine computes in doubles, as the policy language does (regorus), rather
# than in a wider precision (OPA), where `num` would add digits instead of taking them away.
doubles := 0.1 + 0.2 != 0.3

# Sums and products through builtins, whose failures (an overflow) leave them undefined:
# the policy language's null. An operator would stop the evaluation instead.
sum_of(list) := num(total) if {
	total := sum([num(n) | some n in list])
} else := null

product_of(list) := num(total) if {
	total := product([num(n) | some n in list])
} else := null

# `x / y` for doubles: null for division by zero and for quotients beyond the largest
# double. A quotient within a factor of two of the largest double may stop an engine that
# computes in doubles with an overflow error, which fails the gate closed.
quotient(x, y) := null if {
	y == 0
} else := num(x / y) if {
	abs(y) >= 1
} else := num(x / y) if {
	abs(x) <= product([abs(y), 1e308])
} else := null if {
	abs(x) * 0.5 > product([abs(y), 1e308])
} else := num(x / y)

# Decimal digits as a number; leading zeros are fine, none at all is 0 (`to_number` takes
# neither in every engine).
whole_number(digits) := 0 if {
	trim_left(digits, "0") == ""
} else := to_number(trim_left(digits, "0"))

whole_double(x) if {
	x == floor(x)
	abs(x) <= 9007199254740992
}

# ---------------------------------------------------------------------------------------
# reading values

# `x.a[0]["b"]`: each key is a field name or a whole number indexing an array; anything
# missing, and any key into what is not an object or an array, is null.
get(x, keys) := object.get({"value": x}, array.concat(["value"], keys), null)

# A computed index: only strings and numbers select anything.
key(k) := k if {
	is_string(k)
} else := k if {
	is_number(k)
} else := null

# What `for x in xs` visits: the elements of an array, the values of an object in key
# order, nothing for anything else.
items(xs) := xs if {
	is_array(xs)
} else := [xs[k] | some k in sort(object.keys(xs))] if {
	is_object(xs)
} else := []

is_iterable(xs) if is_array(xs)

is_iterable(xs) if is_object(xs)

# `xs[*].rest`: `list` is the projection of the items, null when xs has none to give.
projected(xs, list) := list if is_iterable(xs) else := null

# `all(... for x in xs)`: false over what is not iterable (fail safe), true over nothing.
all_over(xs, conditions) := true if {
	is_iterable(xs)
	every condition in conditions {
		condition == true
	}
} else := false

# `config`: the policy's defaults with the non-null keys of `input.policyData` over them.
config(defaults) := {name: config_value(defaults, supplied, name) |
	supplied := supplied_config
	some name in config_names(defaults, supplied)
}

config_names(defaults, supplied) := object.keys(defaults) | {name | some name, value in supplied; value != null}

supplied_config := input.policyData if is_object(input.policyData) else := {}

config_value(defaults, supplied, name) := supplied[name] if {
	supplied[name] != null
} else := defaults[name]

# ---------------------------------------------------------------------------------------
# logic, equality and order: only `true` is true

both(a, b) := true if {
	a == true
	b == true
} else := false

either(a, b) := true if {
	a == true
} else := b == true

not_true(a) := a != true

coalesce(a, b) := b if a == null else := a

equals(a, b) := num(a) == num(b) if {
	is_number(a)
	is_number(b)
} else := a == b

differs(a, b) := not_true(equals(a, b))

# Two values that have an order: two numbers, two strings, two times or two durations.
ordered(a, b) := [num(a), num(b)] if {
	is_number(a)
	is_number(b)
} else := [a, b] if {
	is_string(a)
	is_string(b)
} else := [x, y] if {
	x := time_ns(a)
	y := time_ns(b)
} else := [x, y] if {
	x := duration_ns(a)
	y := duration_ns(b)
}

less(a, b) := pair[0] < pair[1] if pair := ordered(a, b) else := false

less_or_equal(a, b) := pair[0] <= pair[1] if pair := ordered(a, b) else := false

greater(a, b) := pair[0] > pair[1] if pair := ordered(a, b) else := false

greater_or_equal(a, b) := pair[0] >= pair[1] if pair := ordered(a, b) else := false

# `x in c`: an element of an array, a substring of a string, a key of an object.
is_in(x, c) := true if {
	is_array(c)
	some item in c
	equals(item, x)
} else := contains(c, x) if {
	is_string(c)
	is_string(x)
} else := x in object.keys(c) if {
	is_object(c)
	is_string(x)
} else := false

# ---------------------------------------------------------------------------------------
# arithmetic

add(a, b) := sum_of([a, b]) if {
	is_number(a)
	is_number(b)
} else := time_of(x + y) if {
	x := time_ns(a)
	y := duration_ns(b)
} else := time_of(x + y) if {
	x := duration_ns(a)
	y := time_ns(b)
} else := duration_of(x + y) if {
	x := duration_ns(a)
	y := duration_ns(b)
} else := null

subtract(a, b) := sum_of([a, 0 - num(b)]) if {
	is_number(a)
	is_number(b)
} else := time_of(x - y) if {
	x := time_ns(a)
	y := duration_ns(b)
} else := duration_of(x - y) if {
	x := time_ns(a)
	y := time_ns(b)
} else := duration_of(x - y) if {
	x := duration_ns(a)
	y := duration_ns(b)
} else := null

multiply(a, b) := product_of([a, b]) if {
	is_number(a)
	is_number(b)
} else := scaled_duration(ns, b) if {
	ns := duration_ns(a)
	is_number(b)
} else := scaled_duration(ns, a) if {
	is_number(a)
	ns := duration_ns(b)
} else := null

divide(a, b) := quotient(num(a), num(b)) if {
	is_number(a)
	is_number(b)
} else := duration_ratio(x, y) if {
	x := duration_ns(a)
	y := duration_ns(b)
} else := divided_duration(ns, b) if {
	ns := duration_ns(a)
	is_number(b)
} else := null

# The policy language's `%` is the remainder of doubles (its sign is the dividend's).
remainder(a, b) := whole_remainder(num(a), num(b)) if {
	is_number(a)
	is_number(b)
} else := null

whole_remainder(x, y) := null if {
	y == 0
} else := num(x % y) if {
	whole_double(x)
	whole_double(y)
} else := unsupported("`%` on numbers that are not whole, or beyond 2^53")

negative(x) := 0 - num(x) if {
	is_number(x)
} else := duration_of(0 - ns) if {
	ns := duration_ns(x)
} else := null

# A duration times a number, to the millisecond as the policy language rounds it.
scaled_duration(ns, factor) := duration_from_millis(product_of([whole_millis(ns), factor]))

divided_duration(ns, factor) := null if {
	num(factor) == 0
} else := duration_from_millis(quotient(num(whole_millis(ns)), num(factor)))

duration_from_millis(ms) := millis(round(ms)) if {
	ms != null
	abs(ms) < 9223372036854775807
} else := null

duration_ratio(x, y) := null if {
	whole_millis(y) == 0
} else := quotient(num(whole_millis(x)), num(whole_millis(y)))

# ---------------------------------------------------------------------------------------
# text: `${...}` shows strings as they are, numbers in their shortest form, times in
# RFC 3339, durations compactly (`1h30m`), everything else as compact JSON

text(x) := x if {
	is_string(x)
} else := number_text(x) if {
	is_number(x)
} else := time_text(ns) if {
	ns := time_ns(x)
} else := duration_text(ns) if {
	ns := duration_ns(x)
} else := json_text(x)

# `150`, `10.01`, `-0.5`: never an exponent. Engines that compute in doubles show the
# shortest decimal that reads back as the double; OPA shows exponents (`1e-07`), which are
# written out here.
number_text(x) := format_int(n, 10) if {
	n := num(x)
	n == floor(n)
} else := without_exponent(sprintf("%v", [num(x)]))

without_exponent(shown) := concat("", [sign, placed(digits, point)]) if {
	[[_, sign, whole, fraction, exponent]] := regex.find_all_string_submatch_n(`^(-?)([0-9]+)(?:\.([0-9]+))?[eE]([-+]?[0-9]+)$`, shown, 1)
	digits := concat("", [whole, fraction])
	point := count(whole) + signed_whole_number(exponent)
} else := shown

placed(digits, point) := concat("", ["0.", zeros(0 - point), digits]) if {
	point <= 0
} else := concat("", [digits, zeros(point - count(digits))]) if {
	point >= count(digits)
} else := concat("", [substring(digits, 0, point), ".", substring(digits, point, count(digits) - point)])

zeros(amount) := concat("", ["0" | some _ in numbers.range(1, amount)]) if amount > 0 else := ""

signed_whole_number(digits) := 0 - whole_number(trim_prefix(digits, "-")) if {
	startswith(digits, "-")
} else := whole_number(trim_prefix(digits, "+"))

# RFC 3339 in UTC with `Z`, and as many fractional digits as the time needs (0, 3, 6 or 9).
time_text(ns) := sprintf("%04d-%02d-%02dT%02d:%02d:%02d%sZ", parts) if {
	utc := [ns, "UTC"]
	nanos := ((ns % 1000000000) + 1000000000) % 1000000000
	parts := array.concat(array.concat(time.date(utc), time.clock(utc)), [second_fraction(nanos)])
}

second_fraction(nanos) := "" if {
	nanos == 0
} else := sprintf(".%03d", [nanos / 1000000]) if {
	nanos % 1000000 == 0
} else := sprintf(".%06d", [nanos / 1000]) if {
	nanos % 1000 == 0
} else := sprintf(".%09d", [nanos])

# `1d2h`, `-30m`, `1.5s`, `0s`.
duration_text(ns) := "0s" if {
	whole_millis(ns) == 0
} else := concat("", [sign, days, hours, minutes, seconds]) if {
	ms := abs(whole_millis(ns))
	sign := negative_sign(ns)
	days := unit_text(whole_quotient(ms, 86400000), "d")
	hours := unit_text(whole_quotient(ms % 86400000, 3600000), "h")
	minutes := unit_text(whole_quotient(ms % 3600000, 60000), "m")
	seconds := seconds_text(ms % 60000)
}

negative_sign(ns) := "-" if ns < 0 else := ""

whole_quotient(a, b) := (a - (a % b)) / b

unit_text(amount, unit) := "" if amount == 0 else := sprintf("%d%s", [amount, unit])

seconds_text(ms) := "" if {
	ms == 0
} else := sprintf("%ds", [whole_quotient(ms, 1000)]) if {
	ms % 1000 == 0
} else := sprintf("%d.%ss", [whole_quotient(ms, 1000), trim_right(sprintf("%03d", [ms % 1000]), "0")])

# Compact JSON with keys in order, escaped as the policy language escapes: `\"`, `\\`,
# `\n`, `\r`, `\t`, and `\u00XX` for other control characters; times and durations as
# strings. Rego functions cannot recurse, so the text is built from the walk of the value:
# its nodes in order, each one opening, closing and separating as its place requires.
json_text(x) := concat("", array.concat(pieces, [closing(x, last, 0)])) if {
	is_open(x)
	nodes := sort([[path, value] | walk(x, [path, value]); not inside_time(path)])
	pieces := [json_piece(x, nodes, i) | some i in numbers.range(0, count(nodes) - 1)]
	last := nodes[count(nodes) - 1]
} else := json_scalar(x)

# A non-empty array or object: its text opens here and closes after its last node.
is_open(x) if {
	is_array(x)
	count(x) > 0
}

is_open(x) if {
	is_object(x)
	count(x) > 0
}

# Times and durations are sets; the walk goes into them with their elements as keys.
inside_time(path) if {
	some step in path
	is_array(step)
}

json_piece(x, nodes, i) := concat("", [before, separator, label, opening]) if {
	[path, value] := nodes[i]
	before := closing_before(x, nodes, i)
	separator := separator_before(nodes, i)
	label := json_label(path)
	opening := json_opening(value)
}

closing_before(x, nodes, i) := "" if i == 0 else := closing(x, nodes[i - 1], count(nodes[i][0]))

# The brackets that close, after `node`, every container deeper than `depth`.
closing(x, node, depth) := "" if {
	innermost_open(node) < depth
} else := concat("", [bracket |
	some level in numbers.range(innermost_open(node), depth)
	bracket := closing_bracket(get(x, array.slice(node[0], 0, level)))
])

innermost_open(node) := count(node[0]) if is_open(node[1]) else := count(node[0]) - 1

closing_bracket(container) := "]" if is_array(container) else := "}"

separator_before(nodes, i) := "" if {
	i == 0
} else := "" if {
	path := nodes[i][0]
	nodes[i - 1][0] == array.slice(path, 0, count(path) - 1)
} else := ","

json_label(path) := concat("", [json_string(name), ":"]) if {
	count(path) > 0
	name := path[count(path) - 1]
	is_string(name)
} else := ""

json_opening(value) := "[" if {
	is_array(value)
	is_open(value)
} else := "{" if {
	is_object(value)
	is_open(value)
} else := json_scalar(value)

json_scalar(x) := "null" if {
	x == null
} else := "true" if {
	x == true
} else := "false" if {
	x == false
} else := number_text(x) if {
	is_number(x)
} else := json_string(x) if {
	is_string(x)
} else := json_string(time_text(ns)) if {
	ns := time_ns(x)
} else := json_string(duration_text(ns)) if {
	ns := duration_ns(x)
} else := "[]" if {
	is_array(x)
} else := "{}"

# Backslashes first; then no replacement makes text another one replaces.
json_string(s) := concat("", ["\"", strings.replace_n(json_escapes, replace(s, "\\", "\\\\")), "\""])

json_escapes := {
	"\"": "\\\"",
	"\n": "\\n",
	"\r": "\\r",
	"\t": "\\t",
	"\u0000": "\\u0000",
	"\u0001": "\\u0001",
	"\u0002": "\\u0002",
	"\u0003": "\\u0003",
	"\u0004": "\\u0004",
	"\u0005": "\\u0005",
	"\u0006": "\\u0006",
	"\u0007": "\\u0007",
	"\u0008": "\\u0008",
	"\u000b": "\\u000b",
	"\u000c": "\\u000c",
	"\u000e": "\\u000e",
	"\u000f": "\\u000f",
	"\u0010": "\\u0010",
	"\u0011": "\\u0011",
	"\u0012": "\\u0012",
	"\u0013": "\\u0013",
	"\u0014": "\\u0014",
	"\u0015": "\\u0015",
	"\u0016": "\\u0016",
	"\u0017": "\\u0017",
	"\u0018": "\\u0018",
	"\u0019": "\\u0019",
	"\u001a": "\\u001a",
	"\u001b": "\\u001b",
	"\u001c": "\\u001c",
	"\u001d": "\\u001d",
	"\u001e": "\\u001e",
	"\u001f": "\\u001f",
}
