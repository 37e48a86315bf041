//! verdict decides approval gates: Rego and verdict policies over a JSON request give
//! deny, pending, warn or allow, with the reasons.
//!
//! Data flows one way: the command line names sources ([`load`]), they are parsed and
//! compiled ([`rego`], [`dsl`], [`ruleset`]), evaluated against an input document
//! ([`input`]), combined into a [`decision::Decision`], and rendered ([`render`]).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The parser `pest` generates names `alloc` (pest is built without `std`, see Cargo.toml).
extern crate alloc;

pub mod catalog;
pub mod cli;
pub mod decision;
pub mod decision_log;
pub mod diagnostic;
pub mod document;
pub mod dsl;
pub mod duration;
pub mod error;
pub mod exit;
pub mod explain;
pub mod guard;
pub mod input;
pub mod limits;
pub mod load;
pub mod policy_set;
pub mod projection;
pub mod rego;
pub mod render;
pub mod ruleset;
pub mod source;
pub mod testing;
pub mod verdict;

pub use decision::{Decision, Outcome};
pub use error::{Error, ErrorClass};
pub use verdict::Verdict;
