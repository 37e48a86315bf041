//! Links the `verdict` binary as a position-dependent executable on Linux. A
//! position-independent one is relocated by the loader at every start: some 50,000
//! pointers over 1.4 MB of tables, about 350 page faults, which doubled the time of
//! `verdict --version` and weighed on every single decision. The binary's own code then
//! loads at a fixed address (libraries, stack and heap are still randomised); set
//! `VERDICT_BUILD_PIE=1` when building to keep it position-independent. On x86-64 Linux,
//! `.cargo/link-static` also links it statically, where it can.
//!
//! It also gives the build a fingerprint, `VERDICT_SOURCE_FINGERPRINT`: a digest of the
//! sources, the grammar and the lock file. Files that verdict caches are keyed by it, so
//! that no build reads what another build wrote.

use std::hash::{DefaultHasher, Hasher};
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let mut hasher = DefaultHasher::new();
    for input in ["src", "grammar", "Cargo.lock", "Cargo.toml"] {
        println!("cargo:rerun-if-changed={input}");
        hash_path(Path::new(input), &mut hasher);
    }
    println!(
        "cargo:rustc-env=VERDICT_SOURCE_FINGERPRINT={:016x}",
        hasher.finish()
    );
    println!("cargo:rerun-if-env-changed=VERDICT_BUILD_PIE");
    // Read by `.cargo/link-static`: the binary is linked again when it changes.
    println!("cargo:rerun-if-env-changed=VERDICT_BUILD_DYNAMIC");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let keep_pie = std::env::var_os("VERDICT_BUILD_PIE").is_some_and(|value| value != "0");
    if target_os == "linux" && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}

/// Feeds the name and contents of every file under `path` to `hasher`, in sorted order.
/// Whatever cannot be read is left out of the digest but still named in it.
fn hash_path(path: &Path, hasher: &mut DefaultHasher) {
    hasher.write(path.to_string_lossy().as_bytes());
    hasher.write_u8(0);
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map(|entries| {
                entries
                    .filter_map(|entry| entry.ok())
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            hash_path(&entry, hasher);
        }
    } else if let Ok(contents) = std::fs::read(path) {
        hasher.write_usize(contents.len());
        hasher.write(&contents);
    }
}
