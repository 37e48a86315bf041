//! Links the `verdict` binary as a position-dependent executable on Linux. A
//! position-independent one is relocated by the loader at every start: some 50,000
//! pointers over 1.4 MB of tables, about 350 page faults, which doubled the time of
//! `verdict --version` and weighed on every single decision. The binary's own code then
//! loads at a fixed address (libraries, stack and heap are still randomised); set
//! `VERDICT_BUILD_PIE=1` when building to keep it position-independent.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=VERDICT_BUILD_PIE");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let keep_pie = std::env::var_os("VERDICT_BUILD_PIE").is_some_and(|value| value != "0");
    if target_os == "linux" && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
