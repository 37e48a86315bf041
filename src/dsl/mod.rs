//! verdict's own policy language: `.policy` files holding `policy`, `ruleset` and `test`
//! blocks (SPEC 4, 5, 6).

pub mod ast;
pub mod check;
pub mod compile;
pub mod eval;
pub mod format;
pub mod parse;
pub mod schema;
pub mod to_rego;
