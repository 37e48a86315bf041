//! Parsed `.policy` files kept on disk, so that deciding again with the same policies does
//! not parse them again: parsing is most of what a one-shot `verdict eval` of a
//! policy-language set does.
//!
//! An entry is named by a SHA-256 digest of everything its syntax tree depends on: the
//! file's text, whether `test` blocks were read, verdict's version and the fingerprint of
//! the sources it was built from (so no build reads what another build wrote). The name
//! must resist collisions made on purpose: were two texts to share one, a policy run once
//! by some job (an unreviewed change, say) could later stand in for a reviewed one that an
//! attacker wrote to collide with it. The entry holds that digest too, so an entry under
//! another entry's name (copied or restored there) is not read. It also holds a checksum
//! of its own contents (SipHash-1-3, 128 bits), checked before it is read: a damaged entry
//! is parsed again, never trusted. That checksum guards against damage, not against
//! someone who can write the directory, who could write a valid entry anyway; on Unix, a
//! directory or an entry that anyone but the user could have written (owned by another
//! user, or writable by group or others) is not used at all.
//!
//! Only files that parsed without an error are kept; a file with a mistake is parsed, and
//! reported, every time. Reading and writing the cache never fails a load: whatever goes
//! wrong with it, the file is parsed as if there were none.

use std::fs;
use std::hash::Hasher;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};
use siphasher::sip128::{Hasher128, SipHasher13};

use super::{TestBlocks, parse_with};
use crate::diagnostic::Diagnostic;
use crate::dsl::ast;
use crate::source::SourceFile;

/// The first bytes of every entry; a change of layout changes them.
const MAGIC: &[u8; 8] = b"vrdast\x00\x03";

/// The bytes of the digest that names an entry, which the entry also holds.
const KEY_LEN: usize = 32;

/// The largest entry read: far above the tree of any policy file within the size limit.
const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// The bytes of an entry's checksum.
const CHECKSUM_LEN: usize = 16;

/// Entries kept before the oldest are removed (each is a few kilobytes).
const MAX_ENTRIES: usize = 512;

/// What a write leaves when it has to remove old entries.
const KEEP_AFTER_PRUNING: usize = 384;

/// [`ParseCache::headroom`] before the directory has been listed.
const UNLISTED: usize = usize::MAX;

/// A directory of parsed `.policy` files.
#[derive(Debug)]
pub struct ParseCache {
    dir: PathBuf,
    /// Set once the directory has been seen to be the user's own and private, so that a
    /// load reading many entries looks at it once.
    private: OnceLock<()>,
    /// How many more entries this cache may write before the directory could hold more
    /// than [`MAX_ENTRIES`], as of its last listing ([`UNLISTED`] before the first). A
    /// load that writes many entries lists the directory at its first write and then only
    /// once its writes could have filled it: listing a directory of hundreds of entries,
    /// and asking each one's age, costs more than parsing a file.
    headroom: AtomicUsize,
}

impl Clone for ParseCache {
    fn clone(&self) -> ParseCache {
        ParseCache {
            dir: self.dir.clone(),
            private: self.private.clone(),
            headroom: AtomicUsize::new(self.headroom.load(Ordering::Relaxed)),
        }
    }
}

impl PartialEq for ParseCache {
    fn eq(&self, other: &ParseCache) -> bool {
        self.dir == other.dir
    }
}

impl Eq for ParseCache {}

impl ParseCache {
    /// A cache in `dir`, created when first written to.
    pub fn new(dir: impl Into<PathBuf>) -> ParseCache {
        ParseCache {
            dir: dir.into(),
            private: OnceLock::new(),
            headroom: AtomicUsize::new(UNLISTED),
        }
    }

    /// Whether the directory is the user's own and no one else may write to it.
    fn is_private(&self) -> bool {
        if self.private.get().is_some() {
            return true;
        }
        let private = is_private(&self.dir);
        if private {
            let _ = self.private.set(());
        }
        private
    }

    /// The directory the cache reads and writes.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Parses `source` as [`parse_with`] does, or reads the syntax tree an earlier parse of
    /// the same text left.
    pub fn parse(
        &self,
        source: &Arc<SourceFile>,
        tests: TestBlocks,
    ) -> Result<ast::File, Vec<Diagnostic>> {
        let key = entry_key(&source.text, tests);
        let path = self.dir.join(entry_name(&key));
        if let Some(file) = self.is_private().then(|| read_entry(&path, &key)).flatten() {
            return Ok(file);
        }
        let file = parse_with(source, tests)?;
        self.write_entry(&path, &key, &file);
        Ok(file)
    }

    /// Writes an entry beside the others and renames it into place, so that a reader never
    /// sees half of one. Failures are ignored: the cache is only ever a shortcut.
    fn write_entry(&self, path: &Path, key: &[u8; KEY_LEN], file: &ast::File) {
        let Some(bytes) = encode_entry(key, file) else {
            return;
        };
        if create_private_dir(&self.dir).is_err() || !self.is_private() {
            return;
        }
        // Unique to this process and this write, so that no two writers share one.
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let write = WRITES.fetch_add(1, Ordering::Relaxed);
        let temporary = path.with_extension(format!("{}-{write}.tmp", std::process::id()));
        let written = create_private_file(&temporary).and_then(|mut out| out.write_all(&bytes));
        if written.is_err() || fs::rename(&temporary, path).is_err() {
            let _ = fs::remove_file(&temporary);
            return;
        }
        self.prune_when_full();
    }

    /// Removes the oldest entries when the directory may hold more than [`MAX_ENTRIES`]:
    /// at the first write, and when the writes since the last listing could have filled
    /// it. Other processes writing the same directory are seen at the next listing.
    fn prune_when_full(&self) {
        let counted =
            self.headroom
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |headroom| {
                    (headroom != UNLISTED && headroom > 0).then(|| headroom - 1)
                });
        if counted.is_err() {
            let entries = prune(&self.dir);
            let headroom = entries.map_or(UNLISTED, |entries| MAX_ENTRIES.saturating_sub(entries));
            self.headroom.store(headroom, Ordering::Relaxed);
        }
    }
}

/// The digest of everything an entry's syntax tree depends on.
fn entry_key(text: &str, tests: TestBlocks) -> [u8; KEY_LEN] {
    let mut hasher = Sha256::new();
    hasher.update(b"verdict parse cache\0");
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(b"\0");
    hasher.update(env!("VERDICT_SOURCE_FINGERPRINT").as_bytes());
    hasher.update(match tests {
        TestBlocks::Read => b"\0read\0",
        TestBlocks::Skip => b"\0skip\0",
    });
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

/// The entry's file name: its key in hex.
fn entry_name(key: &[u8; KEY_LEN]) -> String {
    let mut name = String::with_capacity(KEY_LEN * 2 + 4);
    for &byte in key {
        name.push(hex_digit(byte >> 4));
        name.push(hex_digit(byte & 0xf));
    }
    name.push_str(".ast");
    name
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

/// The syntax tree an entry holds, if the entry is there, whole, undamaged, made for
/// `key`, and a plain file of the user's own. The caller checks the directory.
fn read_entry(path: &Path, key: &[u8; KEY_LEN]) -> Option<ast::File> {
    let file = open_entry(path)?;
    let metadata = file.metadata().ok()?;
    if !is_entry(&metadata) {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).ok()?);
    file.take(MAX_ENTRY_BYTES).read_to_end(&mut bytes).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?.strip_prefix(key)?;
    let (sum, payload) = rest.split_at_checked(CHECKSUM_LEN)?;
    if checksum(payload) != sum {
        return None;
    }
    match postcard::take_from_bytes::<ast::File>(payload) {
        Ok((file, [])) => Some(file),
        _ => None,
    }
}

/// An entry's bytes: the layout's first bytes, the key, the checksum, the encoded tree.
fn encode_entry(key: &[u8; KEY_LEN], file: &ast::File) -> Option<Vec<u8>> {
    let payload = postcard::to_stdvec(file).ok()?;
    Some([MAGIC.as_slice(), key, &checksum(&payload), &payload].concat())
}

/// The checksum an entry carries of its contents.
fn checksum(payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    let mut hasher = SipHasher13::new();
    hasher.write(payload);
    hasher.finish128().as_bytes()
}

/// Whether `metadata` is that of a plain file of the user's own, of a size an entry can be.
fn is_entry(metadata: &fs::Metadata) -> bool {
    metadata.is_file() && metadata.len() <= MAX_ENTRY_BYTES && is_users_own(metadata)
}

/// Whether `dir` is the user's own and no one else may write to it.
fn is_private(dir: &Path) -> bool {
    fs::metadata(dir).is_ok_and(|metadata| metadata.is_dir() && is_users_own(&metadata))
}

/// Whether the user owns the file or directory and neither group nor others may write it.
#[cfg(unix)]
fn is_users_own(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: `geteuid` only reads the process's effective user id; it cannot fail.
    #[allow(unsafe_code)]
    let user = unsafe { libc::geteuid() };
    metadata.uid() == user && metadata.mode() & 0o022 == 0
}

#[cfg(not(unix))]
fn is_users_own(_: &fs::Metadata) -> bool {
    true
}

/// Opens what is at `path` for reading, unless it is a symbolic link. Opening does not
/// wait: what is not a plain file (a pipe, a device) is opened without blocking, then
/// turned down by its metadata before anything is read.
#[cfg(unix)]
fn open_entry(path: &Path) -> Option<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()
}

/// Looks before it opens: opening something else than a plain file could block.
#[cfg(not(unix))]
fn open_entry(path: &Path) -> Option<fs::File> {
    if !is_entry(&fs::symlink_metadata(path).ok()?) {
        return None;
    }
    fs::File::open(path).ok()
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Removes the least recently written entries once there are more than [`MAX_ENTRIES`];
/// the entries left, or `None` when the directory cannot be listed. Only a directory
/// over the limit has its entries' ages asked for.
fn prune(dir: &Path) -> Option<usize> {
    let paths: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "ast"))
        .collect();
    if paths.len() <= MAX_ENTRIES {
        return Some(paths.len());
    }
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = paths
        .into_iter()
        .filter_map(|path| Some((fs::metadata(&path).ok()?.modified().ok()?, path)))
        .collect();
    found.sort();
    let excess = found.len().saturating_sub(KEEP_AFTER_PRUNING);
    let left = found.len() - excess;
    for (_, path) in found.into_iter().take(excess) {
        let _ = fs::remove_file(path);
    }
    Some(left)
}

#[cfg(test)]
mod tests;
