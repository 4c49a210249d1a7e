//! Where a build writes: the output folder resolved to its real path, and
//! the names tongbao uses beside it.
//!
//! The output and the site root are resolved before anything is read or
//! written, so that a relative path (`../public` from inside `public/`,
//! `public/../public`) cannot change meaning while folders are moved, and so
//! that an output that would destroy or republish the site itself is refused
//! before anything moves.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::MARKER;
use crate::diagnostics::io_reason;
use crate::layout::{CONTENT_DIR, THEMES_DIR};

/// Every name tongbao gives a file or folder beside an output starts with
/// this, so one `.gitignore` line covers them all and no output may use it.
pub const RESERVED_PREFIX: &str = ".tongbao-";

/// The site's default output folder, under its root.
pub const DEFAULT_OUTPUT: &str = "public";

/// The folders a build reads: an output inside them would be read back.
const SOURCE_FOLDERS: [&str; 2] = [CONTENT_DIR, THEMES_DIR];

/// An output folder resolved to a real, absolute path, with the parent the
/// build stages in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    output: PathBuf,
    parent: PathBuf,
    name: OsString,
}

/// Why an output folder is refused. Nothing has been read or written when
/// one of these is returned.
#[derive(Debug)]
pub enum PlaceProblem {
    /// The real location of a path could not be worked out.
    Unresolvable { path: PathBuf, error: io::Error },
    /// The output is the site root or a folder holding it.
    HoldsSite { output: PathBuf, root: PathBuf },
    /// The output is or lies inside a folder the build reads.
    InsideSource { output: PathBuf, source: PathBuf },
    /// The output holds a folder the build reads (one linked from elsewhere).
    HoldsSource { output: PathBuf, source: PathBuf },
    /// The output lies inside a folder that a build replaces whole.
    InsideOutput { output: PathBuf, outer: PathBuf },
    /// The output is or lies inside one of tongbao's own temporary folders.
    Reserved { output: PathBuf, folder: PathBuf },
    /// The output is a file system's root, which has no name to stage beside.
    NoName { output: PathBuf },
}

impl fmt::Display for PlaceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlaceProblem::Unresolvable { path, error } => write!(
                f,
                "无法确定 {} 的实际位置：{}",
                path.display(),
                io_reason(error)
            ),
            PlaceProblem::HoldsSite { output, root } => write!(
                f,
                "它的实际位置 {} 是站点目录 {} 本身或包含站点目录，替换它会删掉站点；请换一个输出目录，例如 {}",
                output.display(),
                root.display(),
                root.join(DEFAULT_OUTPUT).display()
            ),
            PlaceProblem::InsideSource { output, source } => write!(
                f,
                "它的实际位置 {} 就是或位于构建读取的 {} 中，生成的文件会在下次构建时被当作内容或主题再次发布；请换一个输出目录",
                output.display(),
                source.display()
            ),
            PlaceProblem::HoldsSource { output, source } => write!(
                f,
                "它的实际位置 {} 包含构建读取的 {}，替换它会删掉这个目录；请换一个输出目录",
                output.display(),
                source.display()
            ),
            PlaceProblem::InsideOutput { output, outer } => write!(
                f,
                "它的实际位置 {} 位于构建输出目录 {} 中，构建 {} 时会把它整个替换掉；请换一个输出目录",
                output.display(),
                outer.display(),
                outer.display()
            ),
            PlaceProblem::Reserved { output, folder } => write!(
                f,
                "它的实际位置 {} 就是或位于 tongbao 的临时目录 {} 中（以 {RESERVED_PREFIX} 开头的名字留给构建过程使用）；请换一个输出目录",
                output.display(),
                folder.display()
            ),
            PlaceProblem::NoName { output } => write!(
                f,
                "它的实际位置 {} 是文件系统的根目录；请换一个输出目录",
                output.display()
            ),
        }
    }
}

impl Place {
    /// Resolves `output` (relative to the working folder, through any
    /// symbolic link, with `.` and `..` applied) for the site at `root`,
    /// and refuses an output that:
    /// - is the site root or holds it;
    /// - is, lies inside or holds the site's `content/` or `themes/`;
    /// - lies inside the site's default output `public/`, or inside any
    ///   folder holding the build [`MARKER`] (an output a build replaces);
    /// - is or lies inside a folder named with the [`RESERVED_PREFIX`].
    ///
    /// The output itself need not exist yet.
    pub fn resolve(root: &Path, output: &Path) -> Result<Place, PlaceProblem> {
        let root = real_path(root)?;
        let output = real_path(output)?;
        let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else {
            return Err(PlaceProblem::NoName { output });
        };
        let place = Place {
            parent: parent.to_path_buf(),
            name: name.to_os_string(),
            output: output.clone(),
        };
        if root.starts_with(&output) {
            return Err(PlaceProblem::HoldsSite { output, root });
        }
        for folder in SOURCE_FOLDERS {
            let source = real_path(&root.join(folder))?;
            if output.starts_with(&source) {
                return Err(PlaceProblem::InsideSource { output, source });
            }
            if source.starts_with(&output) {
                return Err(PlaceProblem::HoldsSource { output, source });
            }
        }
        place.refuse_replaced_ancestors(&root)?;
        Ok(place)
    }

    /// Refuses an output inside a folder that a build replaces whole, or
    /// inside (or named as) one of tongbao's temporary folders.
    fn refuse_replaced_ancestors(&self, root: &Path) -> Result<(), PlaceProblem> {
        let default_output = real_path(&root.join(DEFAULT_OUTPUT))?;
        for folder in self.output.ancestors() {
            let reserved = folder
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(RESERVED_PREFIX));
            if reserved {
                return Err(PlaceProblem::Reserved {
                    output: self.output.clone(),
                    folder: folder.to_path_buf(),
                });
            }
            let replaced = folder == default_output || folder.join(MARKER).is_file();
            if folder != self.output && replaced {
                return Err(PlaceProblem::InsideOutput {
                    output: self.output.clone(),
                    outer: folder.to_path_buf(),
                });
            }
        }
        Ok(())
    }

    /// The output folder's real path.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// The folder holding the output, where staging happens.
    pub fn parent(&self) -> &Path {
        &self.parent
    }

    /// A name beside the output for one of tongbao's uses: `.tongbao-ROLE-NAME`
    /// for an output called NAME.
    pub fn beside(&self, role: &str) -> PathBuf {
        let mut name = OsString::from(format!("{RESERVED_PREFIX}{role}-"));
        name.push(&self.name);
        self.parent.join(name)
    }

    /// The folder a build writes the new output into before swapping it in.
    pub fn staging(&self) -> PathBuf {
        self.beside("staging")
    }

    /// Where the previous output waits while the new one is swapped in.
    pub fn previous(&self) -> PathBuf {
        self.beside("previous")
    }

    /// The file builds of this output lock, one at a time.
    pub fn lock_file(&self) -> PathBuf {
        self.beside("lock")
    }
}

/// `path` as an absolute path with every symbolic link, `.` and `..`
/// resolved. Only the longest part that exists is resolved by the system;
/// the rest cannot hold links, so `..` there removes the name before it.
fn real_path(path: &Path) -> Result<PathBuf, PlaceProblem> {
    let unresolvable = |error| PlaceProblem::Unresolvable {
        path: path.to_path_buf(),
        error,
    };
    let absolute = std::path::absolute(path).map_err(unresolvable)?;
    let mut missing: Vec<&OsStr> = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return Ok(append_lexically(real, missing.iter().rev()));
        }
        let (Some(parent), Some(last)) = (existing.parent(), existing.components().next_back())
        else {
            return Err(unresolvable(io::Error::from(io::ErrorKind::NotFound)));
        };
        missing.push(last.as_os_str());
        existing = parent;
    }
}

/// `base` followed by `names`, where `.` is skipped and `..` drops the name
/// before it.
fn append_lexically<'a>(mut base: PathBuf, names: impl Iterator<Item = &'a &'a OsStr>) -> PathBuf {
    for name in names {
        match Path::new(name).components().next() {
            Some(Component::ParentDir) => {
                base.pop();
            }
            Some(Component::CurDir) | None => {}
            Some(Component::Normal(_) | Component::RootDir | Component::Prefix(_)) => {
                base.push(name);
            }
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tail_is_joined_to_the_real_part() {
        let folder = tempfile::tempdir().unwrap();
        let real = folder.path().canonicalize().unwrap();
        let path = folder.path().join("a/./b/../c");
        assert_eq!(real_path(&path).unwrap(), real.join("a/c"));
    }

    #[test]
    fn names_beside_the_output_carry_its_name() {
        let folder = tempfile::tempdir().unwrap();
        let place = Place::resolve(folder.path(), &folder.path().join("public")).unwrap();
        let real = folder.path().canonicalize().unwrap();
        assert_eq!(place.staging(), real.join(".tongbao-staging-public"));
        assert_eq!(place.previous(), real.join(".tongbao-previous-public"));
        assert_eq!(place.lock_file(), real.join(".tongbao-lock-public"));
    }
}
