//! Write: the rendered site → the output folder, all or nothing.
//!
//! Files go into a fresh folder beside the output, which replaces the output
//! only once every file is written. A failure at any point leaves the previous
//! output exactly as it was.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::render::Output;

/// Prefix of the temporary folders created beside the output folder.
const STAGING_PREFIX: &str = ".tongbao-";

/// Replaces `destination` with the rendered files. An existing
/// `destination` that is not a folder (a file the user named by mistake) is
/// refused, never replaced.
pub fn write_site(output: &Output, destination: &Path) -> io::Result<()> {
    if fs::symlink_metadata(destination).is_ok_and(|meta| !meta.is_dir()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "该路径已有一个文件，不是目录；不会覆盖它",
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
    swap_in(staging, destination, &parent)
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
