//! Watching `content/` and `themes/` for changes, and rebuilding.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::state::Served;

/// How long to wait for more events after the first one of a burst: an
/// editor's save, or `git checkout`, touches several files at once.
const SETTLE: Duration = Duration::from_millis(40);

/// How often the loop looks at the stop flag when nothing happens.
const IDLE: Duration = Duration::from_millis(200);

/// Starts watching `folders` (those that exist) under `root`. The watcher
/// stops when the returned value is dropped.
pub fn watch(
    root: &Path,
    folders: &[&str],
) -> notify::Result<(RecommendedWatcher, Receiver<notify::Result<Event>>)> {
    let (sender, receiver) = channel();
    let mut watcher = notify::recommended_watcher(sender)?;
    for folder in folders {
        let path = root.join(folder);
        if path.is_dir() {
            watcher.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok((watcher, receiver))
}

/// Rebuilds after every burst of changes until `stop` is set; `report`
/// prints each build.
pub fn rebuild_on_change(
    events: &Receiver<notify::Result<Event>>,
    served: &Served,
    stop: &Arc<AtomicBool>,
    report: impl Fn(&super::state::BuildReport),
) {
    while !stop.load(Ordering::SeqCst) {
        match events.recv_timeout(IDLE) {
            Ok(event) if is_change(&event) => {
                // Let the burst settle, then build once for all of it.
                while events.recv_timeout(SETTLE).is_ok() {}
                report(&served.rebuild());
            }
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Whether an event may change the site: reads and metadata-only events do not.
fn is_change(event: &notify::Result<Event>) -> bool {
    match event {
        Ok(event) => !matches!(
            event.kind,
            EventKind::Access(_) | EventKind::Modify(notify::event::ModifyKind::Metadata(_))
        ),
        // A watcher error may mean missed events: rebuild to be sure.
        Err(_) => true,
    }
}
