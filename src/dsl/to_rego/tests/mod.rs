//! Tests of the compiler to Rego: the compiled Rego must decide as the policy language does.

mod support;

pub mod agreement;
mod opa;
pub mod semantics;
mod snapshot;
