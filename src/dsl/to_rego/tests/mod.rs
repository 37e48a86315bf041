//! Tests of the compiler to Rego: the compiled Rego must decide as the policy language does.

mod support;

mod agreement;
mod semantics;
mod snapshot;
