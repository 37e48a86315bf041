//! The Rego of the SPEC's example policy, whole, as a reader sees it.

use super::support::parse_text;
use crate::dsl::to_rego::RegoCompiler;

#[test]
fn the_spec_example_compiles_to_readable_rego() {
    let text = std::fs::read_to_string("tests/data/dsl/spec/cost-guard.policy").unwrap();
    let (file, source) = parse_text("cost-guard.policy", &text);
    let modules = RegoCompiler::new().compile_file(&file, &source).unwrap();
    let [module] = modules.as_slice() else {
        panic!("one policy, one module");
    };
    assert_eq!(module.package, "verdict.policy.cost_guard");
    assert_eq!(module.path, "verdict/policy/cost_guard.rego");
    insta::assert_snapshot!(module.text);
}
