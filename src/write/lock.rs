//! One build at a time per output folder.
//!
//! A build holds an advisory lock on a file beside the output (see
//! [`Place::lock_file`]) from before it looks for an earlier build's
//! leftovers until its new output is in place. The operating system
//! releases the lock when the process ends, however it ends, so a crashed
//! or killed build never leaves a stale lock; the file itself stays, which
//! is harmless, and is not published.

use std::fs::{self, File, TryLockError};
use std::io;

use super::Note;
use super::place::Place;

/// The lock on one output folder, released when dropped.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Takes the lock for `place`, creating the output's parent folder and
    /// the lock file when missing. When another process holds it, tells
    /// `report` so and waits for it.
    pub fn acquire(place: &Place, report: &mut dyn FnMut(Note)) -> io::Result<OutputLock> {
        fs::create_dir_all(place.parent())?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(place.lock_file())?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                report(Note::Waiting {
                    output: place.output().to_path_buf(),
                    lock: place.lock_file(),
                });
                file.lock()?;
            }
            Err(TryLockError::Error(error)) => return Err(error),
        }
        Ok(OutputLock { _file: file })
    }
}
