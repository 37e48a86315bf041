# The builtins of the policy language under their own names, for Rego compiled from verdict
# policies: `fn.lower(x)` is the policy language's `lower(x)`. Each one hands over to its
# implementation in `data.verdict.lib` (this package defines names that builtins of Rego
# also have, so it calls nothing but those implementations). Time builtins take the time
# zone explicitly: the compiler passes "UTC" where a policy leaves it out.
package verdict.fn

import data.verdict.lib
import rego.v1

count(x) := lib.builtin_count(x)

len(x) := lib.builtin_len(x)

lower(x) := lib.builtin_lower(x)

upper(x) := lib.builtin_upper(x)

trim(x) := lib.builtin_trim(x)

starts_with(s, prefix) := lib.builtin_starts_with(s, prefix)

ends_with(s, suffix) := lib.builtin_ends_with(s, suffix)

# `contains(haystack, needle)`: `contains` names rules in Rego v1, so it takes another name.
includes(haystack, needle) := lib.builtin_contains(haystack, needle)

split(s, separator) := lib.builtin_split(s, separator)

join(list, separator) := lib.builtin_join(list, separator)

matches(s, glob) := lib.builtin_matches(s, glob)

regex(s, pattern) := lib.builtin_regex(s, pattern)

keys(x) := lib.builtin_keys(x)

values(x) := lib.builtin_values(x)

unique(x) := lib.builtin_unique(x)

any(x) := lib.builtin_any(x)

all(x) := lib.builtin_all(x)

sum(x) := lib.builtin_sum(x)

sort(x) := lib.builtin_sort(x)

min(x) := lib.builtin_min(x)

max(x) := lib.builtin_max(x)

round(x, digits) := lib.builtin_round(x, digits)

abs(x) := lib.builtin_abs(x)

time(x) := lib.builtin_time(x)

duration(x) := lib.builtin_duration(x)

hour(t, zone) := lib.builtin_hour(t, zone)

minute(t, zone) := lib.builtin_minute(t, zone)

weekday(t, zone) := lib.builtin_weekday(t, zone)

date(t, zone) := lib.builtin_date(t, zone)

is_string(x) := lib.builtin_is_string(x)

is_number(x) := lib.builtin_is_number(x)

is_bool(x) := lib.builtin_is_bool(x)

is_array(x) := lib.builtin_is_array(x)

is_object(x) := lib.builtin_is_object(x)

exists(x) := lib.builtin_exists(x)
