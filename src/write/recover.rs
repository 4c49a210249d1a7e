//! What an interrupted build (Ctrl-C, a kill, a power cut) left beside the
//! output, tidied by the next build of the same output while it holds the
//! output's lock, so no other build is using them.
//!
//! A build of output NAME uses two folders beside it:
//! `.tongbao-staging-NAME` (the new output, marker first) and
//! `.tongbao-previous-NAME` (the previous output while the new one is
//! swapped in). Older versions of tongbao used `.tongbao-XXXXXX` (six
//! random letters and digits) for both, the previous output inside it as
//! `previous/`. From any state an interruption can leave:
//! 1. a missing output is put back from the previous one;
//! 2. dot-files (`.git`, …) found in a leftover are moved back into the
//!    output, unless it has them already;
//! 3. the leftover is deleted.
//!
//! An old-style folder is only touched when its contents are recognisably a
//! build's (it holds the marker, or `previous/` holding the marker); any
//! other is reported and left alone.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::place::{Place, RESERVED_PREFIX};
use super::{MARKER, Note, OutputState, WriteProblem, move_kept};

/// The inner folder older versions moved the previous output into.
const OLD_PREVIOUS: &str = "previous";

/// Length of the random part of an older version's leftover name.
const OLD_RANDOM_LENGTH: usize = 6;

/// What recovery did to the output folder itself.
#[derive(Debug, Default)]
pub struct Recovery {
    /// The output, or some of its dot-files, were put back.
    restored: bool,
}

impl Recovery {
    /// The output's state should nothing more be written.
    pub fn state(&self) -> OutputState {
        if self.restored {
            OutputState::Restored
        } else {
            OutputState::Unchanged
        }
    }
}

/// Tidies every leftover of an interrupted build of the output at `place`,
/// telling `report` what was done.
pub fn leftovers(
    place: &Place,
    report: &mut dyn FnMut(Note),
    recovery: &mut Recovery,
) -> Result<(), WriteProblem> {
    let output = place.output();
    let old = old_leftovers(place.parent());
    if !exists(output) {
        // This version's previous output, else an older version's when there
        // is exactly one (with several, which was this output's is unknown).
        let candidates: Vec<PathBuf> = if is_folder(&place.previous()) {
            vec![place.previous()]
        } else {
            old.iter()
                .map(|folder| folder.join(OLD_PREVIOUS))
                .filter(|previous| is_folder(previous) && previous.join(MARKER).is_file())
                .collect()
        };
        if let [previous] = candidates.as_slice() {
            fs::rename(previous, output).map_err(WriteProblem::Io)?;
            recovery.restored = true;
            report(Note::Restored {
                output: output.to_path_buf(),
                from: previous.clone(),
            });
            remove_emptied(previous, place.parent(), report);
        }
    }
    for leftover in [place.staging(), place.previous()] {
        if is_folder(&leftover) {
            clear(&leftover, output, report, recovery)?;
        }
    }
    for folder in old {
        clear_old(&folder, output, report, recovery)?;
    }
    Ok(())
}

/// Removes the older version's folder an old output was put back from,
/// now empty; a folder that is not empty stays.
fn remove_emptied(previous: &Path, parent: &Path, report: &mut dyn FnMut(Note)) {
    if let Some(folder) = previous.parent().filter(|folder| *folder != parent)
        && fs::remove_dir(folder).is_ok()
    {
        report(Note::Removed {
            leftover: folder.to_path_buf(),
        });
    }
}

/// Puts the output back after a failed swap: the previous output returns
/// to its place, the dot-files already moved into the staged folder return
/// into it, and the staged folder is deleted.
pub fn put_back(place: &Place) -> io::Result<()> {
    let output = place.output();
    fs::rename(place.previous(), output)?;
    move_kept(&place.staging(), output)?;
    // The output is whole again; a staged folder that resists deletion is
    // tidied by the next build.
    let _ = fs::remove_dir_all(place.staging());
    Ok(())
}

/// Moves a leftover's dot-files back into the output, then deletes it.
fn clear(
    leftover: &Path,
    output: &Path,
    report: &mut dyn FnMut(Note),
    recovery: &mut Recovery,
) -> Result<(), WriteProblem> {
    if is_folder(output) {
        return_kept(leftover, output, report, recovery)?;
    } else if holds_kept(leftover) {
        return Err(WriteProblem::LeftoverHeld {
            leftover: leftover.to_path_buf(),
        });
    }
    match fs::remove_dir_all(leftover) {
        Ok(()) => {}
        // Another build of an output beside this one removed it first.
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(WriteProblem::LeftoverStuck {
                leftover: leftover.to_path_buf(),
                error,
            });
        }
    }
    report(Note::Removed {
        leftover: leftover.to_path_buf(),
    });
    Ok(())
}

/// Moves the dot-files of `from` (a leftover) back into the output.
fn return_kept(
    from: &Path,
    output: &Path,
    report: &mut dyn FnMut(Note),
    recovery: &mut Recovery,
) -> Result<(), WriteProblem> {
    let names = move_kept(from, output).map_err(WriteProblem::Io)?;
    if !names.is_empty() {
        recovery.restored = true;
        report(Note::Returned {
            output: output.to_path_buf(),
            from: from.to_path_buf(),
            names,
        });
    }
    Ok(())
}

/// Clears an older version's leftover when its contents are a build's: a
/// staged output (marker at the top) or a previous output (`previous/`
/// holding the marker, once the output exists again). Anything else, even
/// an empty folder, may be another command's (`new` and `import` stage
/// beside `content/` under the same prefix) and is only reported.
fn clear_old(
    folder: &Path,
    output: &Path,
    report: &mut dyn FnMut(Note),
    recovery: &mut Recovery,
) -> Result<(), WriteProblem> {
    let Ok(entries) = names(folder) else {
        return Ok(());
    };
    let previous = folder.join(OLD_PREVIOUS);
    let staged = folder.join(MARKER).is_file();
    let only_previous = entries == [OLD_PREVIOUS] && previous.join(MARKER).is_file();
    if staged {
        clear(folder, output, report, recovery)
    } else if only_previous && is_folder(output) {
        return_kept(&previous, output, report, recovery)?;
        clear(folder, output, report, recovery)
    } else {
        report(Note::Unrecognised {
            leftover: folder.to_path_buf(),
        });
        Ok(())
    }
}

/// The folders beside the output named as older versions named their
/// leftovers: the prefix and six random letters or digits.
fn old_leftovers(parent: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.strip_prefix(RESERVED_PREFIX).is_some_and(|random| {
                random.len() == OLD_RANDOM_LENGTH
                    && random.chars().all(|c| c.is_ascii_alphanumeric())
            })
        })
        .map(|entry| entry.path())
        .filter(|path| is_folder(path))
        .collect();
    found.sort();
    found
}

/// The names in a folder, sorted.
fn names(folder: &Path) -> io::Result<Vec<String>> {
    let mut names = fs::read_dir(folder)?
        .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<Vec<_>>>()?;
    names.sort();
    Ok(names)
}

/// Whether a leftover holds a dot-file that would move into an output.
fn holds_kept(leftover: &Path) -> bool {
    fs::read_dir(leftover).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|entry| super::is_kept(&entry.file_name()))
    })
}

/// Whether anything, even a broken link, is at `path`.
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Whether `path` is a folder itself, not a link to one.
fn is_folder(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A swap that failed after the previous output moved aside and its
    /// `.git` moved into the staged folder is undone whole.
    #[test]
    fn put_back_undoes_a_swap_half_way() {
        let folder = tempfile::tempdir().unwrap();
        let place = Place::resolve(folder.path(), &folder.path().join("public")).unwrap();
        write(&place.previous().join(MARKER), "marker");
        write(&place.previous().join("index.html"), "old");
        write(&place.previous().join(".nojekyll"), "");
        write(&place.staging().join(MARKER), "marker");
        write(&place.staging().join("index.html"), "new");
        write(&place.staging().join(".git/HEAD"), "ref");
        put_back(&place).unwrap();
        let output = place.output();
        assert_eq!(
            fs::read_to_string(output.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(fs::read_to_string(output.join(".git/HEAD")).unwrap(), "ref");
        assert!(output.join(".nojekyll").is_file());
        assert!(!place.staging().exists() && !place.previous().exists());
    }

    /// A leftover holding dot-files, with no output to return them to, is
    /// refused rather than deleted.
    #[test]
    fn dot_files_with_nowhere_to_go_are_not_deleted() {
        let folder = tempfile::tempdir().unwrap();
        let place = Place::resolve(folder.path(), &folder.path().join("public")).unwrap();
        write(&place.staging().join(".git/HEAD"), "ref");
        let mut recovery = Recovery::default();
        let result = leftovers(&place, &mut |_| {}, &mut recovery);
        assert!(matches!(result, Err(WriteProblem::LeftoverHeld { .. })));
        assert!(place.staging().join(".git/HEAD").is_file());
    }
}
