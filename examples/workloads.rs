//! Writes the benchmark workloads to a folder (default `target/workloads`), for measuring
//! verdict, OPA or anything else on the same inputs and policies:
//! `cargo run --release --example workloads -- [DIR]`.

#[path = "../benches/support/workloads.rs"]
mod workloads;

fn main() -> std::io::Result<()> {
    let folder = std::env::args()
        .nth(1)
        .map_or_else(|| workloads::root().join("target/workloads"), Into::into);
    for path in workloads::write_all(&folder)? {
        println!("{}", path.display());
    }
    Ok(())
}
