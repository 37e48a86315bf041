//! Finding and reading policy sources (SPEC 3): files and directories, walked
//! recursively in sorted order; `*.rego`, `*.policy` and env0 catalog folders.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, ErrorClass, Result, io_reason};
use crate::input;
use crate::limits::format_size;
use crate::source::SourceFile;

/// The file a catalog folder is recognised by.
pub const CATALOG_POLICY_FILE: &str = "policy.rego";

/// Everything read from the policy paths, before any of it is parsed.
#[derive(Debug, Default)]
pub struct Sources {
    /// `.rego` files, each with the catalog folder it belongs to, if any.
    pub rego: Vec<RegoSource>,
    /// `.policy` files.
    pub policy_files: Vec<Arc<SourceFile>>,
    pub catalogs: Vec<Arc<Catalog>>,
    /// Every file read, in order: policies, catalog metadata and schemas.
    pub files: Vec<Arc<SourceFile>>,
    /// The policy files taken so far: one named twice (`-p dir -p dir/a.policy`, or
    /// through a link) is read once.
    taken: HashMap<FileKey, Taken>,
    /// The catalog of each catalog folder read so far: every file of a folder belongs to
    /// one catalog however the folder and its files were named.
    catalog_folders: HashMap<FileKey, Arc<Catalog>>,
}

/// What tells two names of one file or folder apart: its device and inode on Unix (one
/// `stat`, where resolving the path walks every component), its resolved path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileKey {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

impl FileKey {
    fn of(path: &Path) -> FileKey {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(metadata) = std::fs::metadata(path) {
                return FileKey::Inode(metadata.dev(), metadata.ino());
            }
        }
        FileKey::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// Where a file already taken went.
#[derive(Debug, Clone, Copy)]
enum Taken {
    Policy,
    /// Its place in [`Sources::rego`].
    Rego(usize),
}

#[derive(Debug, Clone)]
pub struct RegoSource {
    pub source: Arc<SourceFile>,
    pub catalog: Option<Arc<Catalog>>,
}

impl Sources {
    pub fn is_empty(&self) -> bool {
        self.rego.is_empty() && self.policy_files.is_empty()
    }
}

/// Reads every policy source under `paths`. Every problem is collected: one error comes
/// back with all of them.
pub fn discover(paths: &[PathBuf], max_file_bytes: u64) -> Result<Sources> {
    let mut sources = Sources::default();
    let mut errors = Vec::new();
    for path in paths {
        if let Err(error) = discover_path(path, max_file_bytes, &mut sources, &mut errors) {
            errors.push(error);
        }
    }
    match Error::merge(errors) {
        Some(error) => Err(error),
        None => Ok(sources),
    }
}

fn discover_path(
    path: &Path,
    limit: u64,
    sources: &mut Sources,
    errors: &mut Vec<Error>,
) -> Result<()> {
    let display = path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|error| {
        Error::unreadable(
            Diagnostic::error(format!(
                "cannot read policy path `{display}`: {}",
                io_reason(&error)
            ))
            .in_file(display.as_str())
            .with_help("`--policy` takes a .rego or .policy file, or a directory of them"),
        )
    })?;
    if metadata.is_file() {
        return match policy_kind(path) {
            Some(kind) => {
                let catalog = catalog_of_named_file(path, limit, sources)?;
                add_file(path, kind, catalog, limit, sources)
            }
            None => Err(Error::invalid(
                Diagnostic::error(format!(
                    "`{display}` is not a policy file: expected `.rego` or `.policy`"
                ))
                .in_file(display.as_str()),
            )),
        };
    }
    walk_directory(path, limit, sources, errors);
    Ok(())
}

/// A `policy.rego` named on its own still brings its folder's metadata and schema.
fn catalog_of_named_file(
    path: &Path,
    limit: u64,
    sources: &mut Sources,
) -> Result<Option<Arc<Catalog>>> {
    let is_entry = path
        .file_name()
        .is_some_and(|name| name == CATALOG_POLICY_FILE);
    let Some(folder) = path.parent().filter(|_| is_entry) else {
        return Ok(None);
    };
    let has_catalog_files = [crate::catalog::METADATA_FILE, crate::catalog::SCHEMA_FILE]
        .iter()
        .any(|name| folder.join(name).is_file());
    if !has_catalog_files {
        return Ok(None);
    }
    load_catalog(folder, limit, sources).map(Some)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PolicyKind {
    Rego,
    Policy,
}

fn policy_kind(path: &Path) -> Option<PolicyKind> {
    match path.extension()?.to_str()? {
        "rego" => Some(PolicyKind::Rego),
        "policy" => Some(PolicyKind::Policy),
        _ => None,
    }
}

/// Walks a directory in sorted order, following links (a link loop is an error), skipping
/// hidden entries. A folder holding `policy.rego` is a catalog folder: every `.rego` file
/// under it belongs to that policy (unless a deeper folder is a catalog of its own).
fn walk_directory(root: &Path, limit: u64, sources: &mut Sources, errors: &mut Vec<Error>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    let mut catalogs: Vec<(PathBuf, Arc<Catalog>)> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                errors.push(walk_error(&error));
                continue;
            }
        };
        let path = entry.path();
        while catalogs
            .last()
            .is_some_and(|(folder, _)| !path.starts_with(folder))
        {
            catalogs.pop();
        }
        if entry.file_type().is_dir() {
            if path.join(CATALOG_POLICY_FILE).is_file() {
                match load_catalog(path, limit, sources) {
                    Ok(catalog) => catalogs.push((path.to_path_buf(), catalog)),
                    Err(error) => errors.push(error),
                }
            }
            continue;
        }
        let Some(kind) = policy_kind(path) else {
            continue;
        };
        let catalog = match kind {
            PolicyKind::Rego => catalogs.last().map(|(_, catalog)| catalog.clone()),
            PolicyKind::Policy => None,
        };
        if let Err(error) = add_file(path, kind, catalog, limit, sources) {
            errors.push(error);
        }
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|name| name.starts_with('.'))
}

fn walk_error(error: &walkdir::Error) -> Error {
    let path = error
        .path()
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    let reason = match (error.loop_ancestor(), error.io_error()) {
        (Some(ancestor), _) => format!(
            "it links back to `{}` (a symbolic link loop)",
            ancestor.display()
        ),
        (None, Some(io)) => io_reason(io),
        (None, None) => error.to_string(),
    };
    Error::unreadable(
        Diagnostic::error(format!("cannot read `{path}`: {reason}")).in_file(path.as_str()),
    )
}

fn load_catalog(folder: &Path, limit: u64, sources: &mut Sources) -> Result<Arc<Catalog>> {
    let key = FileKey::of(folder);
    if let Some(catalog) = sources.catalog_folders.get(&key) {
        return Ok(catalog.clone());
    }
    let read_if_present = |name: &str| -> Result<Option<Arc<SourceFile>>> {
        let path = folder.join(name);
        path.is_file()
            .then(|| read_source(&path, limit))
            .transpose()
    };
    let metadata = read_if_present(crate::catalog::METADATA_FILE)?;
    let schema = read_if_present(crate::catalog::SCHEMA_FILE)?;
    sources
        .files
        .extend(metadata.iter().chain(schema.iter()).cloned());
    let folder_name = folder.file_name().map_or_else(
        || folder.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let catalog = Arc::new(Catalog::new(
        &folder_name,
        metadata.as_ref(),
        schema.as_ref(),
    )?);
    sources.catalogs.push(catalog.clone());
    sources.catalog_folders.insert(key, catalog.clone());
    Ok(catalog)
}

fn add_file(
    path: &Path,
    kind: PolicyKind,
    catalog: Option<Arc<Catalog>>,
    limit: u64,
    sources: &mut Sources,
) -> Result<()> {
    let key = FileKey::of(path);
    match sources.taken.get(&key) {
        // A Rego file named on its own, then found in its catalog folder, joins the
        // catalog: the folder's policy is all of its files.
        Some(Taken::Rego(index)) => {
            if let Some(taken) = sources.rego.get_mut(*index)
                && taken.catalog.is_none()
            {
                taken.catalog = catalog;
            }
            return Ok(());
        }
        Some(Taken::Policy) => return Ok(()),
        None => {}
    }
    let source = read_source(path, limit)?;
    sources.files.push(source.clone());
    let taken = match kind {
        PolicyKind::Rego => {
            sources.rego.push(RegoSource { source, catalog });
            Taken::Rego(sources.rego.len() - 1)
        }
        PolicyKind::Policy => {
            sources.policy_files.push(source);
            Taken::Policy
        }
    };
    sources.taken.insert(key, taken);
    Ok(())
}

/// Reads one policy, schema or data file as UTF-8 text within the size limit.
pub fn read_source(path: &Path, limit: u64) -> Result<Arc<SourceFile>> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|error| Error::io(&name, &error))?;
    let expected = file.metadata().map_or(0, |metadata| metadata.len());
    let bytes =
        input::read_up_to(file, limit, expected).map_err(|error| Error::io(&name, &error))?;
    if bytes.len() as u64 > limit {
        return Err(Error::invalid(
            Diagnostic::error(format!(
                "`{name}` is larger than the policy file limit of {}",
                format_size(limit)
            ))
            .in_file(name.as_str())
            .with_help(
                "raise the limit with `--max-policy-size` if the file is expected to be this large",
            ),
        ));
    }
    let text = input::decode(&name, &bytes)?;
    Ok(SourceFile::new(name.as_str(), text))
}

/// Reads a `--data` file: JSON, or YAML when it ends in `.yaml` or `.yml`. The document
/// must be an object: its keys are added under `data`.
pub fn read_data(path: &Path, limit: u64) -> Result<(Arc<SourceFile>, Value)> {
    let source = read_source(path, limit)?;
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let value: Value = if is_yaml {
        yaml_serde::from_str(&source.text).map_err(|error| {
            let diagnostic = Diagnostic::error(format!(
                "invalid YAML in data file `{}`: {error}",
                source.name
            ));
            Error::invalid(match error.location() {
                Some(at) => {
                    diagnostic.at_line_column(&source, to_u32(at.line()), to_u32(at.column()))
                }
                None => diagnostic.in_file(source.name.clone()),
            })
        })?
    } else {
        serde_json::from_str(&source.text)
            .map_err(|error| input::json_error(&source.name, &source.text, &error))?
    };
    if !value.is_object() {
        return Err(Error::new(
            ErrorClass::Invalid,
            Diagnostic::error(format!(
                "data file `{}` holds a JSON {}: expected an object, whose keys go under `data`",
                source.name,
                input::json_type(&value)
            ))
            .in_file(source.name.clone()),
        ));
    }
    Ok((source, value))
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(sources: &[Arc<SourceFile>], root: &Path) -> Vec<String> {
        let prefix = format!("{}/", root.display());
        sources
            .iter()
            .map(|s| s.name.strip_prefix(&prefix).unwrap_or(&s.name).to_string())
            .collect()
    }

    #[test]
    fn directories_are_walked_recursively_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/nested")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        fs::write(root.join("b/nested/z.rego"), "package z").unwrap();
        fs::write(root.join("b/a.policy"), "").unwrap();
        fs::write(root.join("a.rego"), "package a").unwrap();
        fs::write(root.join("notes.md"), "ignored").unwrap();
        fs::write(root.join(".hidden/h.rego"), "package h").unwrap();
        let sources = discover(&[root.to_path_buf()], 1 << 20).unwrap();
        assert_eq!(
            names(&sources.files, root),
            ["a.rego", "b/a.policy", "b/nested/z.rego"]
        );
    }

    /// A temporary folder holding `files`, each a path under it and its text.
    fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_file_named_twice_is_read_once() {
        let dir = folder_with(&[
            ("a.policy", ""),
            ("gate/policy.rego", "package gate"),
            ("gate/metadata.yml", "name: Gate\n"),
        ]);
        let root = dir.path();
        let paths = [
            root.join("a.policy"),
            root.to_path_buf(),
            root.join("gate/../a.policy"),
            root.join("gate/policy.rego"),
        ];
        let sources = discover(&paths, 1 << 20).unwrap();
        assert_eq!(
            names(&sources.files, root),
            ["a.policy", "gate/metadata.yml", "gate/policy.rego"]
        );
        assert_eq!(sources.rego.len(), 1);
        assert_eq!(sources.catalogs.len(), 1);
    }

    #[test]
    fn a_catalog_file_named_before_its_folder_joins_the_folders_catalog() {
        let dir = folder_with(&[
            ("gate/policy.rego", "package gate"),
            ("gate/lib.rego", "package gate"),
            ("gate/metadata.yml", "name: Gate\n"),
        ]);
        let root = dir.path();
        for first in ["gate/policy.rego", "gate/lib.rego", "gate", ""] {
            let paths = [root.join(first), root.to_path_buf()];
            let sources = discover(&paths, 1 << 20).unwrap();
            assert_eq!(sources.rego.len(), 2, "{first}");
            assert_eq!(sources.catalogs.len(), 1, "{first}");
            for rego in &sources.rego {
                let catalog = rego.catalog.as_ref().expect("in the catalog");
                assert!(Arc::ptr_eq(catalog, &sources.catalogs[0]), "{first}");
            }
            assert_eq!(sources.files.len(), 3, "{first}");
        }
    }

    #[test]
    fn a_folder_with_policy_rego_is_a_catalog_policy() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("cost-guard");
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("policy.rego"), "package cost").unwrap();
        fs::write(folder.join("helpers.rego"), "package cost").unwrap();
        fs::write(folder.join("metadata.yml"), "name: Cost guard\n").unwrap();
        let sources = discover(&[dir.path().to_path_buf()], 1 << 20).unwrap();
        assert_eq!(sources.catalogs.len(), 1);
        assert_eq!(sources.catalogs[0].name, "Cost guard");
        let with_catalog: Vec<bool> = sources.rego.iter().map(|r| r.catalog.is_some()).collect();
        assert_eq!(
            with_catalog,
            [true, true],
            "every file of the folder belongs to the policy"
        );
    }

    #[test]
    fn every_problem_is_reported_with_the_right_class() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("big.rego"), "package big # padding").unwrap();
        fs::write(dir.path().join("latin1.rego"), b"package \xe9").unwrap();
        let missing = dir.path().join("missing");
        let error = discover(&[dir.path().to_path_buf(), missing], 12).unwrap_err();
        assert_eq!(error.class, ErrorClass::Unreadable);
        let messages: Vec<&str> = error
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("larger than the policy file limit of 12 bytes"));
        assert!(messages[1].contains("not valid UTF-8"));
        assert!(messages[2].contains("no such file or directory"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("inner");
        fs::create_dir_all(&inner).unwrap();
        std::os::unix::fs::symlink(dir.path(), inner.join("back")).unwrap();
        let error = discover(&[dir.path().to_path_buf()], 1 << 20).unwrap_err();
        assert_eq!(error.class, ErrorClass::Unreadable);
        assert!(error.diagnostics[0].message.contains("symbolic link loop"));
        let self_link = dir.path().join("self");
        std::os::unix::fs::symlink(&self_link, &self_link).unwrap();
        let error = discover(&[self_link], 1 << 20).unwrap_err();
        assert_eq!(error.class, ErrorClass::Unreadable);
    }
}
