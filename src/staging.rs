//! Staging: check the content as it will be after a change, then write the
//! change all at once, so that `new` and `import` never leave a broken or
//! half-written file behind.
//!
//! The check runs [`pipeline::verify`], as `tongbao check` does, on a copy
//! of `content/` and `themes/`
//! in a temporary site root with the changed files in place. Messages name
//! files relative to the site root, so they read exactly as they would for
//! the real files.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostics, Refusal, io_reason};
use crate::layout::{CONTENT_DIR, THEMES_DIR};
use crate::load::{Content, display_name};
use crate::pipeline;

/// Prefix of the temporary files and folders created inside the site.
const STAGING_PREFIX: &str = ".tongbao-";

/// Files to create or replace, by path relative to the site root.
#[derive(Debug, Default)]
pub struct Changes {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the file at `path`, relative to the site root.
    pub fn put(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    pub fn files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files
            .iter()
            .map(|(path, bytes)| (path.as_path(), bytes.as_slice()))
    }
}

/// Checks the site under `root` as it would be with `changes` applied, as
/// `tongbao check` does (load, validate, score, render), without touching
/// `root`. Returns the checked content, or `None` when the
/// check found errors (they are in `diagnostics`).
pub fn check_changed(
    root: &Path,
    changes: &Changes,
    diagnostics: &mut Diagnostics,
) -> io::Result<Option<Content>> {
    let copy = tempfile::Builder::new().prefix(STAGING_PREFIX).tempdir()?;
    for folder in [CONTENT_DIR, THEMES_DIR] {
        copy_tree(
            &root.join(folder),
            &copy.path().join(folder),
            root,
            diagnostics,
        )?;
    }
    for (path, bytes) in changes.files() {
        let target = copy.path().join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(target, bytes)?;
    }
    let verified = pipeline::verify(copy.path(), diagnostics);
    // A link refused while copying is an error the copy itself lacks.
    Ok(verified.filter(|_| !diagnostics.has_errors()))
}

/// Copies a folder tree as it stands, never following a symbolic link: a
/// link is copied as a link, so that the check on the copy refuses it
/// exactly where `tongbao check` refuses it (a link tongbao never reads,
/// such as an editor's lock file or one in an unused theme, is left alone
/// by both). Following links would copy whatever they point at (a whole
/// `/usr`), fail on a dangling one, and loop on a link to a parent.
///
/// Anything that is neither a folder, a file nor a link (a named pipe, a
/// socket) is not content and is not copied.
fn copy_tree(from: &Path, to: &Path, root: &Path, diagnostics: &mut Diagnostics) -> io::Result<()> {
    if !from.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry.map_err(|error| walk_error(root, from, &error))?;
        let path = entry.path();
        let target = to.join(path.strip_prefix(from).map_err(io::Error::other)?);
        let kind = entry.file_type();
        let copied = if kind.is_dir() {
            fs::create_dir_all(&target)
        } else if kind.is_file() {
            fs::copy(path, &target).map(drop)
        } else if kind.is_symlink() {
            copy_link(path, &target, root, diagnostics)
        } else {
            Ok(())
        };
        copied.map_err(|error| copy_error(root, path, &error))?;
    }
    Ok(())
}

/// Makes a link at `target` with the same destination as the link `link`,
/// without looking at that destination.
#[cfg(unix)]
fn copy_link(link: &Path, target: &Path, _root: &Path, _: &mut Diagnostics) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(link)?, target)
}

/// Where links cannot be made freely (Windows asks for a privilege), a
/// link is refused here with the loader's own message instead.
#[cfg(not(unix))]
fn copy_link(link: &Path, _: &Path, root: &Path, diagnostics: &mut Diagnostics) -> io::Result<()> {
    diagnostics.push(crate::load::link_refused(&display_name(root, link)));
    Ok(())
}

/// A file of the site that could not be copied, named as the clerk knows it.
fn copy_error(root: &Path, path: &Path, error: &io::Error) -> io::Error {
    Refusal::io(
        error.kind(),
        format!(
            "无法复制 {}：{}",
            display_name(root, path),
            io_reason(error)
        ),
    )
}

/// A folder that could not be read while copying (walkdir's own message
/// is English and names no file the clerk knows).
fn walk_error(root: &Path, from: &Path, error: &walkdir::Error) -> io::Error {
    let path = error.path().unwrap_or(from);
    let reason = match error.io_error() {
        Some(io) => io_reason(io),
        None => error.to_string(),
    };
    let kind = error
        .io_error()
        .map_or(io::ErrorKind::Other, io::Error::kind);
    Refusal::io(
        kind,
        format!("无法读取 {}：{reason}", display_name(root, path)),
    )
}

/// Replaces a file's content atomically: the bytes go to a temporary file
/// in the same folder, which then takes the file's place. A reader sees the
/// old file or the new one, never a part of either.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut staged = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempfile_in(folder)?;
    io::Write::write_all(&mut staged, bytes)?;
    staged.as_file().sync_all()?;
    staged.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Creates `folder` holding `files` (names relative to it), all at once:
/// the files are staged in a temporary folder under `root`, which is then
/// renamed into place. Refuses when `folder` already exists.
pub fn create_folder(root: &Path, folder: &Path, files: &Changes) -> io::Result<()> {
    if folder.exists() {
        return Err(Refusal::io(
            io::ErrorKind::AlreadyExists,
            format!("{} 已存在", folder.display()),
        ));
    }
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(root)?;
    let staged = staging.path().join("folder");
    fs::create_dir(&staged)?;
    for (path, bytes) in files.files() {
        let target = staged.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(target, bytes)?;
    }
    if folder.exists() {
        return Err(Refusal::io(
            io::ErrorKind::AlreadyExists,
            format!("{} 已存在", folder.display()),
        ));
    }
    fs::rename(&staged, folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_file_replaces_the_content() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("data.toml");
        fs::write(&path, "old").unwrap();
        write_file(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let leftovers = fs::read_dir(folder.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left beside it");
    }

    #[test]
    fn create_folder_refuses_an_existing_folder() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("period");
        let mut files = Changes::new();
        files.put("a.txt", "a");
        create_folder(root.path(), &folder, &files).unwrap();
        assert_eq!(fs::read_to_string(folder.join("a.txt")).unwrap(), "a");
        let again = create_folder(root.path(), &folder, &files).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        let entries = fs::read_dir(root.path()).unwrap().count();
        assert_eq!(entries, 1, "the staging folder is removed");
    }
}
