//! Names in the generated Rego: package paths from policy names, and variables and rules
//! that never collide with a keyword, a builtin, or one another.

use std::collections::HashSet;

/// Words a generated rule or variable must not take: Rego's keywords, the roots of its
/// builtins (a rule named `count` would hide the builtin in its package), and the names
/// the generated code itself uses.
const RESERVED: &[&str] = &[
    // keywords, the wildcard and the roots of documents
    "_",
    "as",
    "contains",
    "data",
    "default",
    "else",
    "every",
    "false",
    "if",
    "import",
    "in",
    "input",
    "not",
    "null",
    "package",
    "some",
    "true",
    "with",
    "future",
    "rego",
    // builtins and builtin namespaces
    "abs",
    "all",
    "and",
    "any",
    "array",
    "assign",
    "base64",
    "base64url",
    "bits",
    "cast_array",
    "cast_boolean",
    "cast_null",
    "cast_object",
    "cast_set",
    "cast_string",
    "ceil",
    "concat",
    "count",
    "crypto",
    "div",
    "endswith",
    "eq",
    "equal",
    "floor",
    "format_int",
    "glob",
    "graph",
    "graphql",
    "gt",
    "gte",
    "hex",
    "http",
    "indexof",
    "indexof_n",
    "internal",
    "intersection",
    "io",
    "is_array",
    "is_boolean",
    "is_null",
    "is_number",
    "is_object",
    "is_set",
    "is_string",
    "json",
    "lower",
    "lt",
    "lte",
    "max",
    "min",
    "minus",
    "mul",
    "neq",
    "net",
    "numbers",
    "object",
    "opa",
    "or",
    "plus",
    "print",
    "product",
    "providers",
    "rand",
    "re_match",
    "regex",
    "rem",
    "replace",
    "round",
    "semver",
    "set_diff",
    "sort",
    "split",
    "sprintf",
    "startswith",
    "strings",
    "substring",
    "sum",
    "time",
    "to_number",
    "trace",
    "trim",
    "trim_left",
    "trim_prefix",
    "trim_right",
    "trim_space",
    "trim_suffix",
    "type_name",
    "union",
    "units",
    "upper",
    "urlquery",
    "uuid",
    "walk",
    "yaml",
    // what generated modules define or import
    "lib",
    "fn",
    "config",
    "applies",
    "msg",
    "deny",
    "violation",
    "pending",
    "warn",
    "allow",
];

pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

/// The last component of a policy's package: its name with every character Rego does not
/// allow in a name replaced by `_`, never starting with a digit and never a reserved word.
pub fn package_component(policy_name: &str) -> String {
    let mut component: String = policy_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if component.is_empty() || component.starts_with(|c: char| c.is_ascii_digit()) {
        component.insert_str(0, "p_");
    }
    if is_reserved(&component) {
        component.push('_');
    }
    component
}

/// Names already given in one module, and fresh ones that collide with none of them.
#[derive(Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// Marks a name as used (a rule, a variable, a name of the policy's source).
    pub fn take(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name) || is_reserved(name)
    }

    /// `wanted` when it is free, else `wanted_2`, `wanted_3`...; the name is then taken.
    pub fn fresh(&mut self, wanted: &str) -> String {
        let mut candidate = wanted.to_string();
        let mut suffix = 2;
        while self.is_taken(&candidate) {
            candidate = format!("{wanted}_{suffix}");
            suffix += 1;
        }
        self.take(&candidate);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_components_are_rego_names() {
        assert_eq!(package_component("cost-guard"), "cost_guard");
        assert_eq!(package_component("prod open (JIT)"), "prod_open__JIT_");
        assert_eq!(package_component("2fa"), "p_2fa");
        assert_eq!(package_component(""), "p_");
        assert_eq!(package_component("héllo"), "h_llo");
        assert_eq!(package_component("in"), "in_");
    }

    #[test]
    fn fresh_names_avoid_reserved_and_taken_ones() {
        let mut names = Names::default();
        names.take("items");
        assert_eq!(names.fresh("items"), "items_2");
        assert_eq!(names.fresh("items"), "items_3");
        assert_eq!(names.fresh("count"), "count_2");
        assert_eq!(names.fresh("others"), "others");
        assert!(names.is_taken("others"));
    }
}
