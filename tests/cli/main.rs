//! verdict through its real binary: arguments, stdin, exit codes, stdout and stderr.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod harness;

mod batch;
mod cache;
mod check;
mod errors;
mod esc;
mod eval;
mod language_doc;
mod limits;
mod link_static;
mod log;
mod properties;
mod readme;
mod security;
mod test_command;
mod twins;
mod usage;
