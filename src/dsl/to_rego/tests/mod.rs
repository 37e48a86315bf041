//! Tests of the compiler to Rego: the compiled Rego must decide as the policy language does.

mod support;

pub mod agreement;
mod compile;
mod fail_closed;
mod library;
mod opa;
mod random;
pub mod semantics;
mod snapshot;
