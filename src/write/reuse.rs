//! Reuse: a file the previous output already holds, byte for byte, is
//! hard-linked into the staging folder instead of written again.
//!
//! Most of a rebuild is unchanged: every earlier period's folder, the
//! theme's static files. Writing each again costs a new inode, and
//! deleting the previous output costs freeing the old one; on ext4 a
//! run of fresh inodes right after a run of deleted ones is where a small
//! site's build spends most of its time. A link costs neither: the file
//! gets a second name, and deleting the previous output takes that name
//! away again.
//!
//! A linked file must be one a fresh write would have made, so a file is
//! linked only when all of these hold, and written otherwise:
//! - it is a regular file (not a symbolic link) with exactly the new
//!   bytes, in a folder of the previous output that is not a symbolic
//!   link either (nor inside one);
//! - it has no other name (a link count of one), so the new output never
//!   shares a file with anything outside the output, such as a hard-linked
//!   backup, which an edit of one would change in the other;
//! - its owner, group and permissions are those a new file in the staging
//!   folder gets, so the output is the same whoever built it last.
//!
//! What differs from a fresh write is only the file's times: an unchanged
//! file keeps its modification time, which lets upload tools that compare
//! times (rsync, many FTP clients) skip it.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The previous output, when there is one to reuse files from.
pub struct Previous {
    /// The previous output's real path.
    folder: PathBuf,
    /// Whether each folder of the previous output (by its path) is inside
    /// it, with no symbolic link on the way: a file reached through one
    /// lies elsewhere, and linking it would share it with that place.
    folders: Mutex<HashMap<PathBuf, bool>>,
    #[cfg(unix)]
    fresh: Fresh,
}

/// What a file newly written into the staging folder would have.
#[cfg(unix)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fresh {
    owner: u32,
    group: u32,
    mode: u32,
}

impl Previous {
    /// The previous output `folder`, for a staging folder `staging` that
    /// has just been made. `None` when there is no previous output.
    pub fn new(folder: &Path, staging: &Path) -> Option<Previous> {
        if !folder.is_dir() {
            return None;
        }
        Previous::with_fresh(folder, staging)
    }

    #[cfg(unix)]
    fn with_fresh(folder: &Path, staging: &Path) -> Option<Previous> {
        use std::os::unix::fs::MetadataExt;
        // The staging folder was made with mode 0o777 less the umask, as
        // a file is made with 0o666 less the umask; so a new file's mode
        // is the folder's without the execute bits and the folder's own
        // flags (a set-group-id bit inherited from its parent).
        let staging = std::fs::metadata(staging).ok()?;
        Some(Previous {
            folder: folder.canonicalize().ok()?,
            folders: Mutex::new(HashMap::new()),
            fresh: Fresh {
                owner: staging.uid(),
                group: staging.gid(),
                mode: staging.mode() & 0o666,
            },
        })
    }

    /// Without Unix's link counts a file's other names cannot be seen,
    /// so nothing is linked (`reusable` is false).
    #[cfg(not(unix))]
    fn with_fresh(folder: &Path, _staging: &Path) -> Option<Previous> {
        Some(Previous {
            folder: folder.canonicalize().ok()?,
            folders: Mutex::new(HashMap::new()),
        })
    }

    /// Links the previous output's file at `path` (relative to the output)
    /// to `target` when it holds exactly `bytes` and may be shared (see the
    /// module's documentation). Returns whether `target` now exists; when
    /// not, the caller writes it.
    pub fn link(&self, path: &str, target: &Path, bytes: &[u8]) -> bool {
        let old = self.folder.join(path);
        old.parent().is_some_and(|folder| self.is_inside(folder))
            && self.reusable(&old, bytes)
            && std::fs::hard_link(&old, target).is_ok()
    }

    /// Whether `folder`, a folder of the previous output by its path,
    /// is really there: every folder from the output's own down to it is
    /// a folder, not a symbolic link, and named plainly (no `..`). Asked
    /// once a folder, each looked at once: one `lstat` a folder, where
    /// resolving each folder's real path read every name on the way from
    /// the root of the file system again.
    fn is_inside(&self, folder: &Path) -> bool {
        if folder == self.folder {
            return true;
        }
        if let Some(&inside) = self.folders().get(folder) {
            return inside;
        }
        let plain = matches!(
            folder
                .strip_prefix(&self.folder)
                .map(|tail| tail.components().next_back()),
            Ok(Some(Component::Normal(_)))
        );
        let inside = plain
            && folder.parent().is_some_and(|parent| self.is_inside(parent))
            && std::fs::symlink_metadata(folder).is_ok_and(|meta| meta.is_dir());
        self.folders().insert(folder.to_path_buf(), inside);
        inside
    }

    fn folders(&self) -> MutexGuard<'_, HashMap<PathBuf, bool>> {
        // Each insert is whole: a poisoned map is still right.
        self.folders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[cfg(unix)]
    fn reusable(&self, old: &Path, bytes: &[u8]) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::symlink_metadata(old) else {
            return false;
        };
        let found = Fresh {
            owner: meta.uid(),
            group: meta.gid(),
            mode: meta.mode() & 0o7777,
        };
        meta.is_file()
            && meta.nlink() == 1
            && meta.len() == bytes.len() as u64
            && found == self.fresh
            && std::fs::read(old).is_ok_and(|held| held == bytes)
    }

    #[cfg(not(unix))]
    fn reusable(&self, _old: &Path, _bytes: &[u8]) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::Previous;

    #[test]
    fn a_folder_is_inside_only_by_plain_names_through_real_folders() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let output = root.path().join("public");
        let staging = root.path().join("staging");
        for folder in [output.join("units/a"), output.join("b"), staging.clone()] {
            std::fs::create_dir_all(folder).expect("a folder");
        }
        let previous = Previous::new(&output, &staging).expect("the previous output");
        let real = previous.folder.clone();
        assert!(previous.is_inside(&real.join("units/a")));
        assert!(previous.is_inside(&real.join("b")));
        assert!(!previous.is_inside(&real.join("units/../b")));
        assert!(!previous.is_inside(&real.join("missing")));
        assert!(!previous.is_inside(root.path()));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join("units"), real.join("linked"))
                .expect("a symbolic link");
            assert!(!previous.is_inside(&real.join("linked/a")));
        }
    }
}
