//! Watching `content/` and `themes/` for changes, and rebuilding.
//!
//! A watch on a folder ends when the folder is deleted or renamed, and a
//! folder made again in its place is a new folder nobody watches: `git
//! checkout` of another branch, or restoring `content/` from a copy, does
//! exactly that. So the site root itself is watched too (not recursively):
//! when `content/` or `themes/` appears there again, it is watched again
//! and the site rebuilt.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::state::{BuildReport, Scope, Served};
use crate::layout::{CALENDAR_FILE, CONTENT_DIR, SITE_FILE, THEMES_DIR};

/// The folders of the site root that the build reads.
const FOLDERS: [&str; 2] = [CONTENT_DIR, THEMES_DIR];

/// The files directly under `content/` that every page depends on.
const SITE_FILES: [&str; 2] = [SITE_FILE, CALENDAR_FILE];

/// The scope of two changes together.
fn widen(one: Scope, other: Scope) -> Scope {
    match (one, other) {
        (Scope::Periods(mut these), Scope::Periods(those)) => {
            these.extend(those);
            Scope::Periods(these)
        }
        (Scope::Everything, _) | (_, Scope::Everything) => Scope::Everything,
    }
}

/// How long to wait for more events after one that leaves a write
/// unfinished (a file made, or written but not yet closed): an editor's
/// save, or `git checkout`, touches several files in several writes, and
/// a build between them would show a half-saved file for a moment.
const SETTLE: Duration = Duration::from_millis(40);

/// How long to wait for more events after one that ends a write (a file
/// closed after writing, renamed into place, removed): the next file of
/// the same save follows within microseconds, unless the saving program
/// loses its core for a scheduler slice on a loaded machine. A build that
/// still starts between two writes is not wrong for long: the later
/// write's event starts another build (see docs/PERFORMANCE.md).
const QUICK: Duration = Duration::from_millis(10);

/// How long to wait after `event` for the rest of its burst, `current`
/// being the wait before it.
fn settling(event: &notify::Result<Event>, current: Duration) -> Duration {
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    let Ok(event) = event else {
        return SETTLE;
    };
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(_))
        | EventKind::Remove(_) => QUICK,
        EventKind::Create(_)
        | EventKind::Modify(ModifyKind::Any | ModifyKind::Data(_) | ModifyKind::Other)
        | EventKind::Any
        | EventKind::Other => SETTLE,
        // A read, or a change of permissions or times, neither starts
        // nor ends a write.
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => current,
    }
}

/// How often the loop looks at the stop flag when nothing happens.
const IDLE: Duration = Duration::from_millis(200);

/// A running watch of a site root. It stops when dropped.
pub struct Watch {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
}

impl Watch {
    /// Starts watching the site root, and `content/` and `themes/` (those
    /// that exist) with everything under them.
    pub fn start(root: &Path) -> notify::Result<Watch> {
        // Watchers report resolved paths on some systems; comparing them
        // with the folders needs the root resolved too.
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let (sender, events) = channel();
        let mut watcher = notify::recommended_watcher(sender)?;
        watcher.watch(&root, RecursiveMode::NonRecursive)?;
        let mut watch = Watch {
            root,
            watcher,
            events,
        };
        watch.arm()?;
        Ok(watch)
    }

    /// Watches each of [`FOLDERS`] that exists now, with everything under
    /// it. Watching a folder that is already watched does no harm.
    fn arm(&mut self) -> notify::Result<()> {
        for folder in FOLDERS {
            let path = self.root.join(folder);
            if path.is_dir() {
                self.watcher.watch(&path, RecursiveMode::Recursive)?;
            }
        }
        Ok(())
    }

    /// Rebuilds after every burst of changes until `stop` is set; `report`
    /// prints each build.
    pub fn rebuild_on_change(
        mut self,
        served: &Served,
        stop: &Arc<AtomicBool>,
        report: impl Fn(&BuildReport),
    ) {
        while !stop.load(Ordering::SeqCst) {
            match self.events.recv_timeout(IDLE) {
                Ok(event) if self.is_change(&event) => {
                    // Let the burst settle, then build once for all of it.
                    let mut rearm = self.needs_rearming(&event);
                    let mut scope = self.scope(&event);
                    let mut wait = settling(&event, SETTLE);
                    while let Ok(event) = self.events.recv_timeout(wait) {
                        wait = settling(&event, wait);
                        // Reading a folder (our own build, or any other
                        // reader) neither changes it nor ends its watch.
                        if self.is_change(&event) {
                            rearm |= self.needs_rearming(&event);
                            scope = widen(scope, self.scope(&event));
                        }
                    }
                    // Armed before the build, so a change made meanwhile is
                    // either in this build or reported by the new watch.
                    if rearm {
                        self.rearm();
                        scope = Scope::Everything;
                    }
                    report(&served.rebuild_scope(&scope));
                }
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Watches the folders again, telling the clerk when that fails for
    /// any reason but the folder being gone again already.
    fn rearm(&mut self) {
        match self.arm() {
            Ok(()) => {}
            Err(error) if matches!(error.kind, notify::ErrorKind::PathNotFound) => {}
            Err(error) => eprintln!(
                "无法重新监视 {CONTENT_DIR}/ 和 {THEMES_DIR}/ 的变化（{error}）：修改后请重新运行 tongbao serve"
            ),
        }
    }

    /// Whether an event may change the site: a change under `content/` or
    /// `themes/`, or to those folders themselves. Reads, metadata-only
    /// events and other files of the site root do not.
    fn is_change(&self, event: &notify::Result<Event>) -> bool {
        match event {
            Ok(event) => {
                let kind = !matches!(
                    event.kind,
                    EventKind::Access(_)
                        | EventKind::Modify(notify::event::ModifyKind::Metadata(_))
                );
                // An event without paths (the watcher lost track, say) may
                // hide any change.
                let place =
                    event.paths.is_empty() || event.paths.iter().any(|path| self.is_in_site(path));
                kind && place
            }
            // A watcher error may mean missed events: rebuild to be sure.
            Err(_) => true,
        }
    }

    /// Whether the watch of a folder may have ended: the event names one
    /// of [`FOLDERS`] itself, or the watcher lost track of events.
    fn needs_rearming(&self, event: &notify::Result<Event>) -> bool {
        match event {
            Ok(event) => {
                event.need_rescan()
                    || event.paths.is_empty()
                    || event.paths.iter().any(|path| self.is_folder(path))
            }
            Err(_) => true,
        }
    }

    /// What an event asks to rebuild: the period folders it names under
    /// `content/`, or everything for site.toml, the calendar, the theme,
    /// and anything the watcher cannot name.
    fn scope(&self, event: &notify::Result<Event>) -> Scope {
        let Ok(event) = event else {
            return Scope::Everything;
        };
        if event.need_rescan() || event.paths.is_empty() {
            return Scope::Everything;
        }
        event
            .paths
            .iter()
            .filter(|path| self.is_in_site(path))
            .map(|path| self.scope_of(path))
            .fold(Scope::Periods(BTreeSet::new()), widen)
    }

    /// What a change to `path`, under `content/` or `themes/`, asks to rebuild.
    fn scope_of(&self, path: &Path) -> Scope {
        let Ok(relative) = path.strip_prefix(self.root.join(CONTENT_DIR)) else {
            return Scope::Everything;
        };
        let entry = relative.components().next().and_then(|first| match first {
            Component::Normal(name) => name.to_str(),
            _ => None,
        });
        match entry {
            Some(name) if !SITE_FILES.contains(&name) => {
                Scope::Periods(BTreeSet::from([name.to_string()]))
            }
            _ => Scope::Everything,
        }
    }

    fn is_in_site(&self, path: &Path) -> bool {
        FOLDERS
            .iter()
            .any(|folder| path.starts_with(self.root.join(folder)))
    }

    fn is_folder(&self, path: &Path) -> bool {
        FOLDERS.iter().any(|folder| path == self.root.join(folder))
    }
}

#[cfg(test)]
mod tests {
    use notify::event::{
        AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode,
    };

    use super::*;

    fn after(kind: EventKind, current: Duration) -> Duration {
        settling(&Ok(Event::new(kind)), current)
    }

    #[test]
    fn a_write_left_open_waits_longer_than_one_that_ended() {
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        let removed = EventKind::Remove(RemoveKind::File);
        assert_eq!(after(EventKind::Create(CreateKind::File), QUICK), SETTLE);
        assert_eq!(after(written, QUICK), SETTLE);
        assert_eq!(after(closed, SETTLE), QUICK);
        assert_eq!(after(renamed, SETTLE), QUICK);
        assert_eq!(after(removed, SETTLE), QUICK);
    }

    #[test]
    fn a_read_keeps_the_wait_it_came_in() {
        let opened = EventKind::Access(AccessKind::Open(AccessMode::Read));
        assert_eq!(after(opened, SETTLE), SETTLE);
        assert_eq!(after(opened, QUICK), QUICK);
    }
}
