//! Static checks of a `.policy` file (SPEC 4.4): the errors that stop a policy from
//! compiling, and warnings about paths into the input that SPEC 2 does not know.
//!
//! Rulesets and tests have checks of their own; this covers `policy` blocks.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::dsl::ast::{File, Item};
use crate::dsl::compile::CompiledPolicy;
use crate::dsl::eval::Limits;
use crate::dsl::eval::program::Explainers;
use crate::source::{SourceFile, Span};

/// Every error and warning of the policies of a file, each with `file:line:col`, in the
/// order they appear.
pub fn check(file: &File, source: &Arc<SourceFile>) -> Vec<Diagnostic> {
    check_with_limits(file, source, &Limits::default())
}

pub fn check_with_limits(
    file: &File,
    source: &Arc<SourceFile>,
    limits: &Limits,
) -> Vec<Diagnostic> {
    check_compiling(file, source, limits).1
}

/// Checks a file as [`check_with_limits`] does, and keeps what checking compiled: one entry
/// per `policy` block in order, the policy when its block has no error. Each block is
/// lowered once, for both.
pub fn check_compiling(
    file: &File,
    source: &Arc<SourceFile>,
    limits: &Limits,
) -> (Vec<Option<CompiledPolicy>>, Vec<Diagnostic>) {
    let mut policies = Vec::new();
    let mut diagnostics = Vec::new();
    let mut names: HashMap<&str, Span> = HashMap::new();
    for item in &file.items {
        let Item::Policy(block) = item else {
            continue;
        };
        if let Some(first) = names.get(block.name.value.as_str()) {
            let line = source.line_column(first.start).0;
            diagnostics.push(
                Diagnostic::error(format!("policy `{}` is defined twice", block.name.value))
                    .at(source, block.name.span)
                    .with_label("defined again here")
                    .with_help(format!(
                        "the first is at line {line}; policy names must be unique"
                    )),
            );
        } else {
            names.insert(&block.name.value, block.name.span);
        }
        let (policy, found) =
            CompiledPolicy::compile_checked(block, source, limits, Explainers::Skip);
        policies.push(policy);
        diagnostics.extend(found);
    }
    diagnostics.sort_by_key(|diagnostic| diagnostic.span.map_or(0, |span| span.start));
    (policies, diagnostics)
}

#[cfg(test)]
mod tests {
    use crate::dsl::eval::tests::check;
    use crate::dsl::eval::tests::spec_example::COST_GUARD;

    fn policy(body: &str) -> String {
        format!("policy \"p\" {{\n{body}\n}}\n")
    }

    /// The errors of a policy, without the warnings about made-up input fields.
    fn errors(body: &str) -> Vec<String> {
        check(&policy(body))
            .into_iter()
            .filter(|line| line.contains(": error: "))
            .collect()
    }

    #[test]
    fn the_spec_example_is_clean() {
        assert_eq!(check(COST_GUARD), Vec::<String>::new());
    }

    #[test]
    fn unknown_functions_suggest_the_closest_builtin() {
        assert_eq!(
            errors("  deny if lowr(x) == \"a\" or frobnicate(x)"),
            [
                "2:11: error: unknown function `lowr` (did you mean `lower`?)",
                "2:29: error: unknown function `frobnicate`",
            ]
        );
    }

    #[test]
    fn argument_counts_are_checked() {
        assert_eq!(
            errors("  deny if lower(a, b) or hour() == 1 or round(1, 2, 3) or min()"),
            [
                "2:11: error: `lower` takes 1 argument, found 2",
                "2:26: error: `hour` takes 1 or 2 arguments, found 0",
                "2:41: error: `round` takes 1 or 2 arguments, found 3",
                "2:59: error: `min` takes at least 1 argument, found 0",
            ]
        );
    }

    #[test]
    fn lets_are_defined_before_use_and_once() {
        assert_eq!(
            errors(
                "  deny if limit > 1\n  let limit = 2\n  let limit = 3\n  let self_ref = self_ref"
            ),
            [
                "2:11: error: `limit` is used before its definition (a `let` is visible in the statements after it; move `let limit` (line 3) above this use)",
                "4:7: error: `limit` is defined twice (the first is at line 3; rename one of them)",
                "5:18: error: `self_ref` is used before its definition (a `let` is visible in the statements after it; move `let self_ref` (line 5) above this use)",
            ]
        );
    }

    #[test]
    fn loop_variables_do_not_shadow() {
        assert_eq!(
            errors("  let a = 1\n  deny for a in xs\n  warn for x in xs if any(x for x in x)"),
            [
                "3:12: error: loop variable `a` shadows a `let` of the same name (rename the loop variable)",
                "4:33: error: loop variable `x` shadows an enclosing loop variable of the same name (rename the loop variable)",
            ]
        );
        // Sibling loops may reuse a name.
        assert_eq!(
            errors("  deny if any(x for x in a) and all(x for x in b)"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn reserved_names_cannot_be_defined() {
        assert_eq!(
            errors("  let now = 1\n  deny for input in xs"),
            [
                "2:7: error: `now` is reserved and cannot name a `let` (`input`, `config` and `now` are reserved; choose another name)",
                "3:12: error: `input` is reserved and cannot name a loop variable (`input`, `config` and `now` are reserved; choose another name)",
            ]
        );
    }

    #[test]
    fn config_holds_literals_once() {
        let lines = errors("  config { a: approvers, b: 1, b: 2 }\n  config { c: 1 }");
        assert_eq!(
            lines,
            [
                "2:15: error: the default of `a` is not a literal value (a default is a number, string, boolean, duration, array or object written out; read the input in `let`s and rules)",
                "2:32: error: duplicate key `b`",
                "3:3: error: a policy has at most one `config` (merge it into the `config` at line 2)",
            ]
        );
        assert_eq!(
            errors("  config { a: -1, b: [1, \"x\"], c: {d: 2h}, e: 1 + 1 }"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn literal_patterns_and_time_zones_are_checked() {
        assert_eq!(
            errors(
                "  deny if regex(x, \"a(\") or matches(x, \"[a\") or hour(now, \"Europe/Berln\") > 1 or date(now, \"Nowhere\") == \"\""
            ),
            [
                "2:20: error: invalid regular expression `a(`: unclosed group",
                "2:40: error: invalid glob `[a`: unclosed character class; missing ']'",
                "2:59: error: unknown time zone `Europe/Berln` (did you mean `Europe/Berlin`?)",
                "2:92: error: unknown time zone `Nowhere` (time zones are IANA names such as `Europe/Berlin` or `UTC`)",
            ]
        );
    }

    #[test]
    fn unknown_input_fields_are_warnings_with_suggestions() {
        assert_eq!(
            check(&policy("  deny if costEstimaton.monthlyCostDiff > 1")),
            ["2:11: warning: unknown input field `costEstimaton` (did you mean `costEstimation`?)"]
        );
        assert_eq!(
            check(&policy(
                "  deny if costEstimation.monthlyCostDif > 1 or input.approver == []"
            )),
            [
                "2:26: warning: unknown input field `costEstimation.monthlyCostDif` (did you mean `costEstimation.monthlyCostDiff`?)",
                "2:54: warning: unknown input field `approver` (did you mean `approvers`?)",
            ]
        );
        assert_eq!(
            check(&policy(
                "  deny if approvers[0].emial or approvers[*].teams[*].nme or request[\"requestor\"]"
            )),
            [
                "2:24: warning: unknown input field `approvers[0].emial` (did you mean `approvers[0].email`?)",
                "2:55: warning: unknown input field `approvers[*].teams[*].nme` (did you mean `approvers[*].teams[*].name`?)",
                "2:69: warning: unknown input field `request.requestor` (did you mean `request.requester`?)",
            ]
        );
    }

    #[test]
    fn unknown_fields_without_a_near_name_list_the_known_ones() {
        assert_eq!(
            check(&policy(
                "  deny if costEstimation.currency == \"EUR\" or somethingElse"
            )),
            [
                "2:26: warning: unknown input field `costEstimation.currency` (the fields of `costEstimation` are totalMonthlyCost, monthlyCostDiff)",
                "2:47: warning: unknown input field `somethingElse` (a bare name is a `let`, a loop variable, or a field of the input document)",
            ]
        );
    }

    #[test]
    fn a_misspelt_let_suggests_the_let() {
        assert_eq!(
            check(&policy("  let others = 1\n  deny if otters > 0")),
            ["3:11: warning: unknown input field `otters` (did you mean `others`?)"]
        );
    }

    #[test]
    fn open_parts_loop_variables_and_lets_are_not_checked() {
        let clean = policy(
            "  let x = {a: 1}\n  deny if plan.anything.at.all or policyData.custom or x.b or any(r.whatever for r in approvers)\n  warn if environments[\"acme/prod\"].imports == [] or input.now == now or config.whatever",
        );
        assert_eq!(check(&clean), Vec::<String>::new());
        assert_eq!(
            check(&policy("  deny if environments[\"acme/prod\"].import")),
            [
                "2:37: warning: unknown input field `environments.acme/prod.import` (did you mean `environments.acme/prod.imports`?)"
            ]
        );
    }

    #[test]
    fn policy_names_are_unique_in_a_file() {
        let file = "policy \"a\" {\n  deny\n}\npolicy \"a\" {\n  warn\n}\n";
        assert_eq!(
            check(file),
            [
                "4:8: error: policy `a` is defined twice (the first is at line 1; policy names must be unique)"
            ]
        );
    }

    #[test]
    fn rulesets_and_tests_are_left_to_their_own_checks() {
        let file = "ruleset \"r\" {\n  action open\n}\ntest \"t\" {\n  expect deny\n}\n";
        assert_eq!(check(file), Vec::<String>::new());
    }
}
