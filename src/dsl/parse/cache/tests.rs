//! The cache must give back exactly the tree a parse gives, never a damaged or foreign
//! one, and never stand in the way of a parse.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::*;
use crate::dsl::ast::{File, Item};

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.map(|entry| entry.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    found.sort();
    found
}

/// A parse's result in a form that compares: diagnostics as their debug text.
fn shown(result: Result<File, Vec<Diagnostic>>) -> Result<File, String> {
    result.map_err(|diagnostics| format!("{diagnostics:?}"))
}

fn source(text: &str) -> Arc<SourceFile> {
    SourceFile::new("test.policy", text)
}

const POLICY: &str = r#"
policy "no-deletes" {
  deny "deletes ${change.address}" for change in plan.resource_changes if "delete" in change.change.actions
}

test "a delete" {
  input { plan: { resource_changes: [{ address: "a", change: { actions: ["delete"] } }] } }
  expect deny
}
"#;

#[test]
fn every_shipped_and_sample_file_comes_back_as_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut parsed = 0;
    for folder in ["policies", "tests/data", "fuzz/seeds"] {
        for entry in walkdir::WalkDir::new(root.join(folder)) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|ext| ext != "policy") {
                continue;
            }
            let file = SourceFile::new("x.policy", fs::read_to_string(entry.path()).unwrap());
            for tests in [TestBlocks::Read, TestBlocks::Skip] {
                let fresh = shown(parse_with(&file, tests));
                let first = shown(cache.parse(&file, tests));
                let again = shown(cache.parse(&file, tests));
                assert_eq!(first, fresh, "{}", entry.path().display());
                assert_eq!(again, fresh, "{}", entry.path().display());
                parsed += usize::from(fresh.is_ok());
            }
        }
    }
    assert!(parsed > 20, "only {parsed} files parsed");
    // One entry per text and mode (files with the same text share one).
    let kept = entries(dir.path());
    assert!(
        kept.len() > 10 && kept.len() <= parsed,
        "{} entries",
        kept.len()
    );
    assert!(kept.iter().all(|path| path.extension().unwrap() == "ast"));
}

#[test]
fn a_second_parse_reads_the_entry_the_first_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path());
    let file = source(POLICY);
    let parsed = cache.parse(&file, TestBlocks::Skip).unwrap();
    let [entry] = entries(dir.path()).try_into().unwrap();

    // An entry holding another tree (well formed, its digest right) is what comes back:
    // proof that the second parse reads the entry rather than the text.
    let other = File {
        items: Vec::new(),
        comments: parsed.comments.clone(),
    };
    let key = entry_key(POLICY, TestBlocks::Skip);
    fs::write(&entry, encode_entry(&key, &other).unwrap()).unwrap();
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), other);
}

#[test]
fn an_entry_under_another_entrys_name_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path());
    let edited = POLICY.replace("deletes", "removes");
    let original = cache.parse(&source(POLICY), TestBlocks::Skip).unwrap();
    let parsed = cache.parse(&source(&edited), TestBlocks::Skip).unwrap();
    assert_ne!(original, parsed);

    // The original's entry, whole and undamaged, copied over the edited text's.
    let from = dir
        .path()
        .join(entry_name(&entry_key(POLICY, TestBlocks::Skip)));
    let to = dir
        .path()
        .join(entry_name(&entry_key(&edited, TestBlocks::Skip)));
    fs::copy(&from, &to).unwrap();
    assert_eq!(
        cache.parse(&source(&edited), TestBlocks::Skip).unwrap(),
        parsed
    );
    // And the parse put the edited text's own entry back.
    assert_ne!(fs::read(&from).unwrap(), fs::read(&to).unwrap());
    assert_eq!(
        cache.parse(&source(&edited), TestBlocks::Skip).unwrap(),
        parsed
    );
}

#[test]
fn each_mode_and_each_text_has_its_own_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path());
    let skipped = cache.parse(&source(POLICY), TestBlocks::Skip).unwrap();
    let read = cache.parse(&source(POLICY), TestBlocks::Read).unwrap();
    assert_eq!(entries(dir.path()).len(), 2);
    assert!(
        !skipped
            .items
            .iter()
            .any(|item| matches!(item, Item::Test(_)))
    );
    assert!(read.items.iter().any(|item| matches!(item, Item::Test(_))));

    let edited = POLICY.replace("deletes", "removes");
    let tree = cache.parse(&source(&edited), TestBlocks::Skip).unwrap();
    assert_eq!(entries(dir.path()).len(), 3);
    assert_eq!(
        tree,
        parse_with(&source(&edited), TestBlocks::Skip).unwrap()
    );
}

#[test]
fn a_damaged_entry_is_parsed_again_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path());
    let file = source(POLICY);
    let expected = parse_with(&file, TestBlocks::Skip).unwrap();
    cache.parse(&file, TestBlocks::Skip).unwrap();
    let [entry] = entries(dir.path()).try_into().unwrap();
    let whole = fs::read(&entry).unwrap();

    let mut flipped = whole.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x20;
    let damaged: [Vec<u8>; 5] = [
        flipped,
        whole[..whole.len() - 1].to_vec(),
        [whole.as_slice(), b"\0"].concat(),
        whole[..20].to_vec(),
        Vec::new(),
    ];
    for bytes in damaged {
        fs::write(&entry, &bytes).unwrap();
        assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), expected);
        assert_eq!(
            fs::read(&entry).unwrap(),
            whole,
            "the entry is written again"
        );
    }
}

#[test]
fn a_file_with_a_mistake_is_reported_and_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path());
    let file = source("policy \"x\" {\n  deny if 1 +\n}\n");
    let fresh = shown(parse_with(&file, TestBlocks::Skip));
    assert!(fresh.is_err());
    assert_eq!(shown(cache.parse(&file, TestBlocks::Skip)), fresh);
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn a_cache_that_cannot_be_written_is_no_cache() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("a-file");
    fs::write(&blocked, "not a directory").unwrap();
    let cache = ParseCache::new(blocked.join("cache"));
    let file = source(POLICY);
    let expected = parse_with(&file, TestBlocks::Skip).unwrap();
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), expected);
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), expected);
}

#[cfg(unix)]
#[test]
fn entries_are_private_to_their_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path().join("verdict"));
    cache.parse(&source(POLICY), TestBlocks::Skip).unwrap();
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(cache.dir()), 0o700);
    let [entry] = entries(cache.dir()).try_into().unwrap();
    assert_eq!(mode(&entry), 0o600);
}

#[test]
fn the_oldest_entries_go_once_there_are_too_many() {
    let dir = tempfile::tempdir().unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    for index in 0..MAX_ENTRIES {
        let path = dir.path().join(format!("{index:064x}.ast"));
        fs::write(&path, b"old").unwrap();
        let file = fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(long_ago + Duration::from_secs(index as u64))
            .unwrap();
    }
    let other = dir.path().join("not-an-entry.txt");
    fs::write(&other, b"kept").unwrap();
    let cache = ParseCache::new(dir.path());
    let file = source(POLICY);
    cache.parse(&file, TestBlocks::Skip).unwrap();

    let kept = entries(dir.path());
    assert_eq!(
        kept.len(),
        KEEP_AFTER_PRUNING + 1,
        "the entries and the other file"
    );
    assert!(kept.contains(&other));
    assert!(
        kept.contains(
            &dir.path()
                .join(entry_name(&entry_key(POLICY, TestBlocks::Skip)))
        )
    );
    // The newest of the old ones stay.
    assert!(kept.contains(&dir.path().join(format!("{:064x}.ast", MAX_ENTRIES - 1))));
    assert!(!kept.contains(&dir.path().join(format!("{:064x}.ast", 0))));
}

#[test]
fn a_load_writing_many_entries_keeps_the_directory_within_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    for index in 0..MAX_ENTRIES - 2 {
        let path = dir.path().join(format!("{index:064x}.ast"));
        fs::write(&path, b"old").unwrap();
        let file = fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(long_ago).unwrap();
    }
    let cache = ParseCache::new(dir.path());
    // The first write lists the directory and leaves room for one more entry; the third
    // finds it over the limit although the cache has not listed it since.
    let texts: Vec<String> = (0..6)
        .map(|index| POLICY.replace("deletes", &format!("deletes{index}")))
        .collect();
    for (written, text) in texts.iter().enumerate() {
        cache.parse(&source(text), TestBlocks::Skip).unwrap();
        let count = entries(dir.path()).len();
        assert!(
            count <= MAX_ENTRIES,
            "{count} entries after {} writes",
            written + 1
        );
    }
    let kept = entries(dir.path());
    for text in &texts {
        let entry = dir
            .path()
            .join(entry_name(&entry_key(text, TestBlocks::Skip)));
        assert!(kept.contains(&entry), "the new entries stay");
    }
    assert_eq!(kept.len(), KEEP_AFTER_PRUNING + 3);
}

#[cfg(unix)]
#[test]
fn a_directory_or_entry_others_may_write_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let chmod = |path: &Path, mode: u32| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    };
    let dir = tempfile::tempdir().unwrap();
    let cache = ParseCache::new(dir.path());
    let file = source(POLICY);
    let parsed = cache.parse(&file, TestBlocks::Skip).unwrap();
    let [entry] = entries(dir.path()).try_into().unwrap();
    // A planted tree, well formed: read only while the directory and entry are private.
    let planted = File {
        items: Vec::new(),
        comments: Vec::new(),
    };
    let planted_bytes = encode_entry(&entry_key(POLICY, TestBlocks::Skip), &planted).unwrap();
    fs::write(&entry, &planted_bytes).unwrap();
    chmod(&entry, 0o600);
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), planted);

    let written = fs::read(&entry).unwrap();
    chmod(&entry, 0o622);
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), parsed);
    // Replaced by the parse's own entry, private again.
    assert_ne!(fs::read(&entry).unwrap(), written);
    assert_eq!(
        fs::metadata(&entry).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), parsed);

    // In a directory others may write, nothing is read or written. (A cache looks at its
    // directory once, so each run gets a cache of its own.)
    fs::write(&entry, &planted_bytes).unwrap();
    chmod(&entry, 0o600);
    chmod(dir.path(), 0o777);
    let cache = ParseCache::new(dir.path());
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), parsed);
    let other = source(&POLICY.replace("deletes", "removes"));
    cache.parse(&other, TestBlocks::Skip).unwrap();
    assert_eq!(entries(dir.path()).len(), 1, "nothing new written");
    chmod(dir.path(), 0o700);
    let cache = ParseCache::new(dir.path());
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), planted);
}

#[cfg(unix)]
#[test]
fn a_link_or_a_pipe_under_an_entrys_name_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = source(POLICY);
    let parsed = ParseCache::new(dir.path())
        .parse(&file, TestBlocks::Skip)
        .unwrap();
    let [entry] = entries(dir.path()).try_into().unwrap();
    let planted = File {
        items: Vec::new(),
        comments: Vec::new(),
    };
    let planted_bytes = encode_entry(&entry_key(POLICY, TestBlocks::Skip), &planted).unwrap();
    let target = elsewhere.path().join("planted.ast");
    fs::write(&target, &planted_bytes).unwrap();

    fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&target, &entry).unwrap();
    let cache = ParseCache::new(dir.path());
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), parsed);
    assert!(
        !fs::symlink_metadata(&entry).unwrap().is_symlink(),
        "replaced"
    );

    // A pipe no one writes to would block a plain open; the parse goes on.
    fs::remove_file(&entry).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&entry).status();
    assert!(made.unwrap().success());
    assert_eq!(cache.parse(&file, TestBlocks::Skip).unwrap(), parsed);
    assert!(fs::metadata(&entry).unwrap().is_file(), "replaced");
}
