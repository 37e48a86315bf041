//! Arbitrary bytes as the input document: read within the size limit, decoded, parsed,
//! given an evaluation time, and decided by the shipped policies. Every byte sequence ends
//! in a decision or an error.

#![no_main]

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use verdict::Verdict;
use verdict::limits::Limits;
use verdict::policy_set::{LoadOptions, PolicySet};

/// The shipped policies, loaded once.
fn policies() -> &'static Mutex<PolicySet> {
    static SET: OnceLock<Mutex<PolicySet>> = OnceLock::new();
    SET.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let options = LoadOptions {
            limits: Limits {
                eval_time: std::time::Duration::from_secs(2),
                ..Limits::default()
            },
            capture_prints: true,
            ..LoadOptions::default()
        };
        let set = PolicySet::load(&[root], &options).expect("the shipped policies load");
        Mutex::new(set)
    })
}

fuzz_target!(|bytes: &[u8]| {
    let limits = Limits::default();
    let expected = bytes.len() as u64;
    let Ok(bytes) = verdict::input::read_limited(bytes, limits.input_bytes, "fuzz", expected)
    else {
        return;
    };
    let Ok(text) = verdict::input::decode("fuzz", &bytes) else {
        return;
    };
    let Ok(document) = verdict::input::parse_document("fuzz", text) else {
        return;
    };
    let Ok(now) = verdict::input::resolve_now(None, &document, "fuzz") else {
        return;
    };
    let mut set = policies()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let _ = set.decide(&document, now, Verdict::Pending);
});
