//! The builtins the engine provides, with the number of arguments each takes: calls are
//! checked against them when policies load, as OPA's compiler does.

/// Name and number of arguments, sorted by name.
const BUILTINS: &[(&str, usize)] = &[
    ("__builtin_sets.intersection", 2),
    ("__builtin_sets.union", 2),
    ("abs", 1),
    ("array.concat", 2),
    ("array.reverse", 1),
    ("array.slice", 3),
    ("base64.decode", 1),
    ("base64.encode", 1),
    ("base64.is_valid", 1),
    ("base64url.decode", 1),
    ("base64url.encode", 1),
    ("base64url.encode_no_pad", 1),
    ("bits.and", 2),
    ("bits.lsh", 2),
    ("bits.negate", 1),
    ("bits.or", 2),
    ("bits.rsh", 2),
    ("bits.xor", 2),
    ("ceil", 1),
    ("concat", 2),
    ("contains", 2),
    ("count", 1),
    ("endswith", 2),
    ("floor", 1),
    ("format_int", 2),
    ("glob.match", 3),
    ("glob.quote_meta", 1),
    ("graph.reachable", 2),
    ("graph.reachable_paths", 2),
    ("hex.decode", 1),
    ("hex.encode", 1),
    ("indexof", 2),
    ("indexof_n", 2),
    ("intersection", 1),
    ("is_array", 1),
    ("is_boolean", 1),
    ("is_null", 1),
    ("is_number", 1),
    ("is_object", 1),
    ("is_set", 1),
    ("is_string", 1),
    ("json.filter", 2),
    ("json.is_valid", 1),
    ("json.marshal", 1),
    ("json.marshal_with_options", 2),
    ("json.match_schema", 2),
    ("json.patch", 2),
    ("json.remove", 2),
    ("json.unmarshal", 1),
    ("json.verify_schema", 1),
    ("lower", 1),
    ("max", 1),
    ("min", 1),
    ("net.cidr_contains", 2),
    ("net.cidr_expand", 1),
    ("net.cidr_is_valid", 1),
    ("numbers.range", 2),
    ("numbers.range_step", 3),
    ("object.filter", 2),
    ("object.get", 3),
    ("object.keys", 1),
    ("object.remove", 2),
    ("object.subset", 2),
    ("object.union", 2),
    ("object.union_n", 1),
    ("opa.runtime", 0),
    ("product", 1),
    ("rand.intn", 2),
    ("regex.find_all_string_submatch_n", 3),
    ("regex.find_n", 3),
    ("regex.is_valid", 1),
    ("regex.match", 2),
    ("regex.replace", 3),
    ("regex.split", 2),
    ("regex.template_match", 4),
    ("replace", 3),
    ("round", 1),
    ("semver.compare", 2),
    ("semver.is_valid", 1),
    ("sort", 1),
    ("split", 2),
    ("sprintf", 2),
    ("startswith", 2),
    ("strings.any_prefix_match", 2),
    ("strings.any_suffix_match", 2),
    ("strings.count", 2),
    ("strings.replace_n", 2),
    ("strings.reverse", 1),
    ("substring", 3),
    ("sum", 1),
    ("time.add_date", 4),
    ("time.clock", 1),
    ("time.date", 1),
    ("time.diff", 2),
    ("time.format", 1),
    ("time.now_ns", 0),
    ("time.parse_duration_ns", 1),
    ("time.parse_ns", 2),
    ("time.parse_rfc3339_ns", 1),
    ("time.weekday", 1),
    ("to_number", 1),
    ("trace", 1),
    ("trim", 2),
    ("trim_left", 2),
    ("trim_prefix", 2),
    ("trim_right", 2),
    ("trim_space", 1),
    ("trim_suffix", 2),
    ("type_name", 1),
    ("union", 1),
    ("units.parse", 1),
    ("units.parse_bytes", 1),
    ("upper", 1),
    ("urlquery.decode", 1),
    ("urlquery.decode_object", 1),
    ("urlquery.encode", 1),
    ("urlquery.encode_object", 1),
    ("uuid.parse", 1),
    ("uuid.rfc4122", 1),
    ("walk", 1),
    ("yaml.is_valid", 1),
    ("yaml.marshal", 1),
    ("yaml.unmarshal", 1),
];

/// The number of arguments a builtin takes; `None` when there is no such builtin.
pub fn arity(name: &str) -> Option<usize> {
    BUILTINS
        .binary_search_by(|(known, _)| known.cmp(&name))
        .ok()
        .and_then(|index| BUILTINS.get(index))
        .map(|(_, arity)| *arity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_for_binary_search() {
        assert!(
            BUILTINS
                .windows(2)
                .all(|pair| matches!(pair, [a, b] if a.0 < b.0))
        );
    }

    #[test]
    fn common_builtins_are_known_with_their_arity() {
        assert_eq!(arity("sprintf"), Some(2));
        assert_eq!(arity("count"), Some(1));
        assert_eq!(arity("time.now_ns"), Some(0));
        assert_eq!(arity("nope"), None);
    }
}
