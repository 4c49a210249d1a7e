//! Write: the rendered site → the output folder, all or nothing.
//!
//! Files go into a fresh folder beside the output, which replaces the output
//! only once every file is written. A failure at any point leaves the previous
//! output exactly as it was.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::Refusal;
use crate::render::Output;

/// Prefix of the temporary folders created beside the output folder.
const STAGING_PREFIX: &str = ".tongbao-";

/// A file every build writes into its output. Only a folder holding it (or
/// an empty one) is ever replaced, so a mistyped `--output ~/Documents`
/// cannot delete someone's files.
pub const MARKER: &str = ".tongbao";
const MARKER_TEXT: &str = "This folder is built by tongbao and replaced on every build.\n";

/// Replaces `destination` with the rendered files and the [`MARKER`].
/// An existing `destination` that is not a folder, or a non-empty folder
/// without the marker (not an earlier build's output), is refused, never
/// replaced.
pub fn write_site(output: &Output, destination: &Path) -> io::Result<()> {
    if fs::symlink_metadata(destination).is_ok_and(|meta| !meta.is_dir()) {
        return Err(Refusal::io(
            io::ErrorKind::AlreadyExists,
            "该路径已有一个文件，不是目录；不会覆盖它",
        ));
    }
    if destination.is_dir() && !is_replaceable(destination)? {
        return Err(Refusal::io(
            io::ErrorKind::AlreadyExists,
            format!(
                "该目录不是 tongbao 生成的（没有 {MARKER} 标记文件）；为免误删，不会替换它，请换一个输出目录或先清空它"
            ),
        ));
    }
    let parent = parent_of(destination);
    fs::create_dir_all(&parent)?;
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(&parent)?;
    for (path, bytes) in &output.files {
        let target = staging.path().join(path);
        if let Some(folder) = target.parent() {
            fs::create_dir_all(folder)?;
        }
        fs::write(&target, bytes)?;
    }
    fs::write(staging.path().join(MARKER), MARKER_TEXT)?;
    swap_in(staging, destination, &parent)
}

/// Whether an existing output folder may be replaced: it is empty, or an
/// earlier build left its marker in it.
fn is_replaceable(folder: &Path) -> io::Result<bool> {
    Ok(folder.join(MARKER).is_file() || fs::read_dir(folder)?.next().is_none())
}

/// Moves the staged folder to `destination`, moving any previous output aside
/// first and deleting it only after the new one is in place.
fn swap_in(staging: tempfile::TempDir, destination: &Path, parent: &Path) -> io::Result<()> {
    if !destination.exists() {
        let staged = staging.keep();
        return fs::rename(&staged, destination).inspect_err(|_| {
            let _ = fs::remove_dir_all(&staged);
        });
    }
    let previous = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(parent)?;
    let aside = previous.path().join("previous");
    fs::rename(destination, &aside)?;
    let staged = staging.keep();
    if let Err(error) = fs::rename(&staged, destination) {
        // Put the previous output back before reporting.
        let _ = fs::rename(&aside, destination);
        let _ = fs::remove_dir_all(&staged);
        return Err(error);
    }
    // `previous` is dropped here, deleting the old output.
    Ok(())
}

fn parent_of(destination: &Path) -> PathBuf {
    match destination.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
