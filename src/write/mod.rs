//! Write: the rendered site → the output folder, all or nothing.
//!
//! Under a lock on the output (`lock.rs`), a build first tidies what an
//! interrupted build left beside it (`recover.rs`), then writes every file
//! into a staging folder beside the output, and only then swaps it in: the
//! previous output is moved aside, its top-level dot-files (`.git`,
//! `.nojekyll`, …) move into the new output, the new output takes its place,
//! and the previous one is deleted. A failure at any point puts everything
//! back, so the previous output stays exactly as it was. Where the output
//! may be at all is decided first, in `place.rs`.

mod lock;
mod place;
mod recover;
mod reuse;

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use std::sync::{Mutex, MutexGuard};

use crate::diagnostics::io_reason;
use crate::render::{Output, Sink};

use lock::OutputLock;
pub use place::{DEFAULT_OUTPUT, Place, PlaceProblem, RESERVED_PREFIX};
use reuse::Previous;

/// A file every build writes into its output. Only a folder holding it (or
/// nothing but dot-files, which a build keeps) is ever replaced, so a
/// mistyped `--output ~/Documents` cannot delete someone's files.
pub const MARKER: &str = ".tongbao";
const MARKER_TEXT: &str = "This folder is built by tongbao and replaced on every build.\n";

/// Something a build did to the output folder or beside it that the
/// person running it should hear about, as it happens.
#[derive(Debug)]
pub enum Note {
    /// Another process holds the output's lock; this build waits for it.
    Waiting { output: PathBuf, lock: PathBuf },
    /// An interrupted build's leftover folder was deleted.
    Removed { leftover: PathBuf },
    /// An interrupted build had moved the output aside; it was put back.
    Restored { output: PathBuf, from: PathBuf },
    /// Dot-files an interrupted build had moved out of the output were put back.
    Returned {
        output: PathBuf,
        from: PathBuf,
        names: Vec<OsString>,
    },
    /// A folder named like an older tongbao's leftover whose contents are
    /// not a build's output; it was left alone.
    Unrecognised { leftover: PathBuf },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Waiting { output, lock } => write!(
                f,
                "另一个 tongbao 构建正在写入输出目录 {}（锁文件 {}），等它结束再写入……",
                output.display(),
                lock.display()
            ),
            Note::Removed { leftover } => {
                write!(f, "已删除以前中断的构建留下的 {}", leftover.display())
            }
            Note::Restored { output, from } => write!(
                f,
                "以前中断的构建把输出目录移到了 {}，已放回 {}",
                from.display(),
                output.display()
            ),
            Note::Returned {
                output,
                from,
                names,
            } => write!(
                f,
                "已把以前中断的构建移到 {} 里的 {} 放回输出目录 {}",
                from.display(),
                names
                    .iter()
                    .map(|name| name.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("、"),
                output.display()
            ),
            Note::Unrecognised { leftover } => write!(
                f,
                "{} 可能是以前中断的 tongbao 命令留下的，但里面不是构建的输出，未删除；确认无用后可以手动删除",
                leftover.display()
            ),
        }
    }
}

/// A write that put the new output in place.
#[derive(Debug)]
pub struct Written {
    /// The previous output, moved aside, when it could not be deleted (the
    /// next build deletes it), with the reason.
    pub undeleted: Option<(PathBuf, io::Error)>,
}

/// Why a write did not put the new output in place, and what became of the
/// output folder.
#[derive(Debug)]
pub struct WriteFailure {
    pub problem: WriteProblem,
    pub output: OutputState,
}

/// Why a write stopped.
#[derive(Debug)]
pub enum WriteProblem {
    /// The output path is a file (or a link to nowhere), not a folder.
    NotAFolder,
    /// The output folder holds files and no marker: no build wrote it.
    NotOurs,
    /// An interrupted build's leftover holds dot-files there is no output
    /// folder to put back into; it is left for a person to look at.
    LeftoverHeld { leftover: PathBuf },
    /// An interrupted build's leftover could not be deleted.
    LeftoverStuck { leftover: PathBuf, error: io::Error },
    /// Locking, staging or swapping failed.
    Io(io::Error),
}

impl fmt::Display for WriteProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteProblem::NotAFolder => {
                f.write_str("该路径已有一个文件（或指向不存在位置的链接），不是目录；不会覆盖它")
            }
            WriteProblem::NotOurs => write!(
                f,
                "该目录不是 tongbao 生成的（没有 {MARKER} 标记文件）；为免误删，不会替换它，请换一个输出目录或先清空它"
            ),
            WriteProblem::LeftoverHeld { leftover } => write!(
                f,
                "以前中断的构建留下的 {} 里有不是构建生成的文件（以 . 开头），又没有输出目录可以放回；请先查看并处理这个目录",
                leftover.display()
            ),
            WriteProblem::LeftoverStuck { leftover, error } => write!(
                f,
                "无法删除以前中断的构建留下的 {}：{}",
                leftover.display(),
                io_reason(error)
            ),
            WriteProblem::Io(error) => f.write_str(&io_reason(error)),
        }
    }
}

/// What a failed write left in the output folder.
#[derive(Debug)]
pub enum OutputState {
    /// Exactly as before the build.
    Unchanged,
    /// What an interrupted earlier build had moved away was put back (see
    /// the [`Note`]s); nothing new was written.
    Restored,
    /// The previous output could not be put back: it is at `previous`, the
    /// new one at `staging`.
    NotRestored {
        previous: PathBuf,
        staging: PathBuf,
        error: io::Error,
    },
}

impl fmt::Display for WriteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.problem)?;
        match &self.output {
            OutputState::Unchanged | OutputState::Restored => Ok(()),
            OutputState::NotRestored {
                previous,
                staging,
                error,
            } => write!(
                f,
                "；把原来的输出放回时也出错：{}。原来的输出现在在 {}，新生成的文件在 {}",
                io_reason(error),
                previous.display(),
                staging.display()
            ),
        }
    }
}

/// Replaces the output at `place` with the rendered files and the
/// [`MARKER`], keeping the previous output's top-level dot-files other than
/// the marker. An existing output that is not a folder, or a folder with
/// other files and no marker (not an earlier build's output), is refused,
/// never replaced. Notes on what happens beside the output go to `report`
/// as they happen.
pub fn write_site(
    output: &Output,
    place: &Place,
    report: &mut dyn FnMut(Note),
) -> Result<Written, WriteFailure> {
    let staged = write_site_with(place, report, |staging| {
        for (path, bytes) in &output.files {
            staging.put(path, bytes);
        }
        true
    })?;
    // The files are complete, so the staging is never abandoned.
    staged.ok_or_else(|| WriteFailure {
        problem: WriteProblem::Io(io::Error::other("staging abandoned")),
        output: OutputState::Unchanged,
    })
}

/// [`write_site`], with the files put by `fill` into the [`Staging`]
/// folder as they are made, so that a site never needs to be held whole in
/// memory. The staging folder is made, under the output's lock, only once
/// the output is known to be replaceable; `fill` returns whether to swap
/// it in. When it returns `false` (the content had errors) or a file could
/// not be written, the staging folder is deleted and the output stays as
/// it was: `Ok(None)` for the first, an error for the second.
pub fn write_site_with(
    place: &Place,
    report: &mut dyn FnMut(Note),
    fill: impl FnOnce(&Staging) -> bool,
) -> Result<Option<Written>, WriteFailure> {
    let _lock = OutputLock::acquire(place, report).map_err(|error| WriteFailure {
        problem: WriteProblem::Io(error),
        output: OutputState::Unchanged,
    })?;
    let mut recovery = recover::Recovery::default();
    let written = recover::leftovers(place, report, &mut recovery)
        .and_then(|()| refuse_foreign(place.output()))
        .map_err(|problem| (problem, None))
        .and_then(|()| replace(place, fill));
    written.map_err(|(problem, state)| WriteFailure {
        problem,
        output: state.unwrap_or_else(|| recovery.state()),
    })
}

/// A staging folder being filled; files may be put from several threads.
/// The first write that fails is kept, and every later file skipped.
pub struct Staging {
    folder: PathBuf,
    /// The output being replaced, whose unchanged files are linked rather
    /// than written again (`reuse.rs`).
    previous: Option<Previous>,
    failure: Mutex<Option<io::Error>>,
}

impl Staging {
    /// Writes one file, by its path relative to the output folder, making
    /// its folders as needed; a file the previous output holds unchanged
    /// is linked instead. Each path is put once: a second put of the same
    /// path fails, rather than write through a link into the previous
    /// output.
    pub fn put(&self, path: &str, bytes: &[u8]) {
        if self.stopped() {
            return;
        }
        let target = self.folder.join(path);
        let written = match target.parent() {
            Some(folder) => fs::create_dir_all(folder),
            None => Ok(()),
        }
        .and_then(|()| {
            let linked = self
                .previous
                .as_ref()
                .is_some_and(|previous| previous.link(path, &target, bytes));
            if linked {
                Ok(())
            } else {
                write_new(&target, bytes)
            }
        });
        if let Err(error) = written {
            self.lock_failure().get_or_insert(error);
        }
    }

    /// Whether a write has failed.
    pub fn stopped(&self) -> bool {
        self.lock_failure().is_some()
    }

    fn lock_failure(&self) -> MutexGuard<'_, Option<io::Error>> {
        // Every update is a whole assignment: a poisoned value is whole.
        self.failure
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Sink for Staging {
    fn put(&self, path: &str, bytes: &[u8]) {
        Staging::put(self, path, bytes);
    }

    fn stopped(&self) -> bool {
        Staging::stopped(self)
    }
}

/// Stages the files and swaps them in. On failure, the output's state
/// when it is not what it was before the write began.
fn replace(
    place: &Place,
    fill: impl FnOnce(&Staging) -> bool,
) -> Result<Option<Written>, (WriteProblem, Option<OutputState>)> {
    let staging = place.staging();
    let staged = stage(&staging, place.output(), fill);
    if !matches!(staged, Ok(true)) {
        let _ = fs::remove_dir_all(&staging);
    }
    match staged {
        Ok(true) => swap_in(place)
            .map(Some)
            .map_err(|(error, state)| (WriteProblem::Io(error), state)),
        Ok(false) => Ok(None),
        Err(error) => Err((WriteProblem::Io(error), None)),
    }
}

/// Refuses an existing output that is not a folder, or a folder that holds
/// files other than dot-files and no marker.
fn refuse_foreign(folder: &Path) -> Result<(), WriteProblem> {
    match fs::symlink_metadata(folder) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(WriteProblem::Io(error)),
        Ok(meta) if !meta.is_dir() => Err(WriteProblem::NotAFolder),
        Ok(_) if folder.join(MARKER).is_file() => Ok(()),
        Ok(_) => {
            for entry in fs::read_dir(folder).map_err(WriteProblem::Io)? {
                let entry = entry.map_err(WriteProblem::Io)?;
                if !is_kept(&entry.file_name()) {
                    return Err(WriteProblem::NotOurs);
                }
            }
            Ok(())
        }
    }
}

/// Whether a top-level entry of an output moves into the next output:
/// a dot-file or dot-folder other than the marker.
fn is_kept(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.') && name != MARKER
}

/// Creates `path` holding `bytes`; refuses a path that exists.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    io::Write::write_all(&mut fs::File::create_new(path)?, bytes)
}

/// Writes the marker into a new `staging` folder, then lets `fill` put
/// every file, reusing the unchanged files of the `output` it replaces.
/// The marker comes first so that a folder left by an interruption is
/// recognisably a build's. Returns what `fill` returned, or the first
/// write that failed.
fn stage(staging: &Path, output: &Path, fill: impl FnOnce(&Staging) -> bool) -> io::Result<bool> {
    fs::create_dir(staging)?;
    fs::write(staging.join(MARKER), MARKER_TEXT)?;
    let folder = Staging {
        folder: staging.to_path_buf(),
        previous: Previous::new(output, staging),
        failure: Mutex::new(None),
    };
    let complete = fill(&folder);
    let failure = folder
        .failure
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match failure {
        Some(error) => Err(error),
        None => Ok(complete),
    }
}

/// Swaps the staged folder in: the previous output moves aside, its kept
/// dot-files move into the staged folder, the staged folder takes the
/// output's place, and the previous output is deleted. On failure
/// everything is put back; the error comes with the output's state when
/// putting back failed too.
fn swap_in(place: &Place) -> Result<Written, (io::Error, Option<OutputState>)> {
    let (output, staging, previous) = (place.output(), place.staging(), place.previous());
    if fs::symlink_metadata(output).is_err() {
        return match fs::rename(&staging, output) {
            Ok(()) => Ok(Written { undeleted: None }),
            Err(error) => {
                let _ = fs::remove_dir_all(&staging);
                Err((error, None))
            }
        };
    }
    if let Err(error) = fs::rename(output, &previous) {
        let _ = fs::remove_dir_all(&staging);
        return Err((error, None));
    }
    let swapped = move_kept(&previous, &staging).and_then(|_| fs::rename(&staging, output));
    if let Err(error) = swapped {
        return match recover::put_back(place) {
            Ok(()) => Err((error, None)),
            Err(put_back) => Err((
                error,
                Some(OutputState::NotRestored {
                    previous,
                    staging,
                    error: put_back,
                }),
            )),
        };
    }
    Ok(Written {
        undeleted: fs::remove_dir_all(&previous)
            .err()
            .map(|error| (previous, error)),
    })
}

/// Moves each kept top-level entry of `from` (see [`is_kept`]) into `to`,
/// unless `to` already has that name. Returns the names moved.
fn move_kept(from: &Path, to: &Path) -> io::Result<Vec<OsString>> {
    let mut moved = Vec::new();
    for entry in fs::read_dir(from)? {
        let name = entry?.file_name();
        if !is_kept(&name) || fs::symlink_metadata(to.join(&name)).is_ok() {
            continue;
        }
        fs::rename(from.join(&name), to.join(&name))?;
        moved.push(name);
    }
    moved.sort();
    Ok(moved)
}
