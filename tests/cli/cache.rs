//! `verdict eval` keeps parsed `.policy` files between runs: a run that reads them back
//! decides exactly as one that parses, an edited file is parsed again, and `off` keeps
//! nothing.

use std::path::Path;

use crate::harness::{Output, Scratch, Verdict};

fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|entry| entry.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    found.sort();
    found
}

fn eval(policies: &str, input: &str, cache: &str) -> Output {
    let now = "2026-11-20T10:00:00Z";
    Verdict::new([
        "eval", "-p", policies, "-i", input, "-f", "json", "--now", now,
    ])
    .env("VERDICT_CACHE", cache)
    .run()
}

#[test]
fn a_second_run_reads_what_the_first_parsed_and_decides_the_same() {
    let cache = Scratch::new();
    let dir = cache.path("verdict");
    let fixtures = [
        "deploy-small",
        "deploy-cost-6000",
        "destroy",
        "delete-database",
    ];
    let first: Vec<Output> = fixtures
        .iter()
        .map(|fixture| {
            eval(
                "policies/dsl",
                &format!("fixtures/env0/{fixture}.json"),
                &dir,
            )
        })
        .collect();
    // One entry per file with a policy or ruleset in it.
    let kept = entries(Path::new(&dir));
    assert_eq!(kept.len(), 7, "{kept:?}");
    // Dated back, so that an entry written again would show a new time.
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for path in &kept {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(long_ago).unwrap();
    }
    let modified = |path: &std::path::PathBuf| std::fs::metadata(path).unwrap().modified().unwrap();
    let written: Vec<_> = kept.iter().map(modified).collect();
    for (fixture, first) in fixtures.iter().zip(first) {
        let again = eval(
            "policies/dsl",
            &format!("fixtures/env0/{fixture}.json"),
            &dir,
        );
        let uncached = eval(
            "policies/dsl",
            &format!("fixtures/env0/{fixture}.json"),
            "off",
        );
        assert_eq!((again.code, &again.stdout), (first.code, &first.stdout));
        assert_eq!(
            (uncached.code, &uncached.stdout),
            (first.code, &first.stdout)
        );
        assert_eq!(again.stderr, first.stderr);
    }
    let reread: Vec<_> = kept.iter().map(modified).collect();
    assert_eq!(reread, written, "entries are read, not written again");
}

#[test]
fn an_edited_policy_is_parsed_again() {
    let cache = Scratch::new();
    let dir = cache.path("verdict");
    let policy = |verdict: &str| format!("policy \"p\" {{\n  {verdict} \"always\"\n}}\n");
    let set = Scratch::new().file("p.policy", policy("deny"));
    let path = set.path("p.policy");
    let run = || {
        Verdict::new(["eval", "-p", &path, "-f", "json"])
            .env("VERDICT_CACHE", &dir)
            .stdin("{}")
            .run()
    };
    run().code(1).stdout_has("\"verdict\": \"deny\"");
    std::fs::write(&path, policy("warn")).unwrap();
    run().code(0).stdout_has("\"verdict\": \"warn\"");
    std::fs::write(&path, policy("deny")).unwrap();
    run().code(1).stdout_has("\"verdict\": \"deny\"");
    assert_eq!(entries(Path::new(&dir)).len(), 2);
}

#[test]
fn off_keeps_nothing_and_the_flag_outranks_the_environment() {
    let cache = Scratch::new();
    let dir = cache.path("verdict");
    eval("policies/dsl", "fixtures/env0/deploy-small.json", "off").code(0);
    Verdict::new(["eval", "-p", "policies/dsl", "--cache", "off"])
        .env("VERDICT_CACHE", &dir)
        .stdin(std::fs::read("fixtures/env0/deploy-small.json").unwrap())
        .run()
        .code(0);
    assert!(!Path::new(&dir).exists());
    Verdict::new(["eval", "-p", "policies/dsl", "--cache", &dir])
        .stdin(std::fs::read("fixtures/env0/deploy-small.json").unwrap())
        .run()
        .code(0);
    assert_eq!(entries(Path::new(&dir)).len(), 7);
}

#[test]
fn a_damaged_or_unwritable_cache_changes_nothing() {
    let cache = Scratch::new().file("blocked", "a file where the directory would be");
    let expected = eval("policies/dsl", "fixtures/env0/deploy-cost-150.json", "off").code(2);
    let unwritable = eval(
        "policies/dsl",
        "fixtures/env0/deploy-cost-150.json",
        &cache.path("blocked/verdict"),
    );
    assert_eq!(
        (unwritable.code, unwritable.stdout),
        (2, expected.stdout.clone())
    );
    assert_eq!(unwritable.stderr, "");

    let dir = cache.path("verdict");
    eval("policies/dsl", "fixtures/env0/deploy-cost-150.json", &dir).code(2);
    for entry in entries(Path::new(&dir)) {
        let mut bytes = std::fs::read(&entry).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(&entry, bytes).unwrap();
    }
    let damaged = eval("policies/dsl", "fixtures/env0/deploy-cost-150.json", &dir);
    assert_eq!((damaged.code, damaged.stdout), (2, expected.stdout));
    assert_eq!(damaged.stderr, "");
}

#[test]
fn the_default_cache_is_in_the_users_cache_directory() {
    let home = Scratch::new();
    let xdg = Scratch::new();
    let run = |env: &[(&str, &str)]| {
        let mut command = Verdict::new(["eval", "-p", "policies/dsl/cost.policy"]);
        for (key, value) in env {
            command = command.env(key, value);
        }
        command.stdin("{}").run().code(2)
    };
    // An empty setting, as an unset CI variable may give, means the default too.
    run(&[
        ("HOME", &home.path("")),
        ("XDG_CACHE_HOME", ""),
        ("VERDICT_CACHE", ""),
    ]);
    assert_eq!(entries(&home.dir.path().join(".cache/verdict")).len(), 1);
    run(&[("HOME", &home.path("")), ("XDG_CACHE_HOME", &xdg.path(""))]);
    assert_eq!(entries(&xdg.dir.path().join("verdict")).len(), 1);
    // A relative directory is no cache directory, as the XDG specification says.
    run(&[("HOME", "relative"), ("XDG_CACHE_HOME", "relative")]);
    assert!(!Path::new("relative").exists());
}
