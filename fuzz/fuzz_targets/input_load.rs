//! Arbitrary bytes as the input document: read within the size limit, decoded, parsed,
//! given an evaluation time, and decided by the shipped policies. Every byte sequence ends
//! in a decision or an error. The shipped policy-language set also decides the text as
//! `eval` and `--batch` do, reading only the parts it reads into its kept arena: that
//! decision is the one over the whole document.

#![no_main]

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use verdict::Verdict;
use verdict::limits::Limits;
use verdict::policy_set::{LoadOptions, PolicySet};
use verdict::projection::Projection;

/// The shipped policies under `folder`, with a short time limit.
fn load(folder: &str, capture_prints: bool) -> PolicySet {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(folder);
    let options = LoadOptions {
        limits: Limits {
            eval_time: std::time::Duration::from_secs(2),
            ..Limits::default()
        },
        capture_prints,
        ..LoadOptions::default()
    };
    PolicySet::load(&[root], &options).expect("the shipped policies load")
}

/// The shipped policies, loaded once.
fn policies() -> &'static Mutex<PolicySet> {
    static SET: OnceLock<Mutex<PolicySet>> = OnceLock::new();
    SET.get_or_init(|| Mutex::new(load("policies", true)))
}

/// The shipped policy-language set and the parts of a document it reads, loaded once.
fn dsl_policies() -> &'static Mutex<(PolicySet, Projection)> {
    static SET: OnceLock<Mutex<(PolicySet, Projection)>> = OnceLock::new();
    SET.get_or_init(|| {
        let set = load("policies/dsl", false);
        let projection = set.input_projection();
        Mutex::new((set, projection))
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
    drop(set);

    let mut dsl = dsl_policies()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (set, projection) = &mut *dsl;
    let whole = set.decide(&document, now, Verdict::Pending);
    let parts = set.decide_text("fuzz", text, projection, Some(now), Verdict::Pending);
    // Limits count work, and reading less can mean less work: only two decisions compare.
    if let (Ok(whole), Ok(parts)) = (whole, parts) {
        assert_eq!(whole, parts, "the parts read decide as the whole document");
    }
});
