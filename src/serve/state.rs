//! What `serve` serves: the last good build, the last build's error, and a
//! version number that every rebuild raises, so pages can wait for it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::cache::{Cache, SiteFiles, Update};
use crate::diagnostics::{Diagnostics, Severity};

/// The state shared by the builder and the request handlers.
pub struct Served {
    root: PathBuf,
    state: Mutex<State>,
    changed: Condvar,
    /// The last good build in parts, for rebuilding only what changed;
    /// `None` after a failed build, when the next one builds everything.
    cache: Mutex<Option<Cache>>,
}

/// What a burst of changes asks to rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything: site.toml, the calendar or the theme changed, or the
    /// watcher cannot tell what changed.
    Everything,
    /// These entries of `content/` (period folders, by name) changed, were
    /// added or were removed.
    Periods(BTreeSet<String>),
}

/// One moment's view of the site.
#[derive(Clone, Default)]
pub struct State {
    /// Raised by every build, good or bad.
    pub version: u64,
    /// The last build that succeeded; `None` until one has.
    pub output: Option<Arc<SiteFiles>>,
    /// The last build's problems when it failed, as the terminal shows them.
    pub error: Option<String>,
    /// Set when the server stops, to answer every waiting page.
    pub stopping: bool,
}

/// How one build went, for the terminal.
pub struct BuildReport {
    pub succeeded: bool,
    pub elapsed: Duration,
    /// Every diagnostic, drawn as text (warnings too).
    pub messages: String,
    pub pages: usize,
    pub warnings: usize,
}

impl BuildReport {
    fn of(diagnostics: &Diagnostics, succeeded: bool, started: Instant, pages: usize) -> Self {
        BuildReport {
            succeeded,
            elapsed: started.elapsed(),
            messages: diagnostics.render(),
            pages,
            warnings: diagnostics.count(Severity::Warning),
        }
    }
}

impl Served {
    pub fn new(root: &Path) -> Served {
        Served {
            root: root.to_path_buf(),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            cache: Mutex::new(None),
        }
    }

    /// Builds the site in memory and publishes the result. A failed build
    /// keeps the last good output and records the error beside it.
    pub fn rebuild(&self) -> BuildReport {
        self.rebuild_scope(&Scope::Everything)
    }

    /// Rebuilds what `scope` names (see [`Cache::update`]) and publishes
    /// the result, as [`Served::rebuild`] does.
    pub fn rebuild_scope(&self, scope: &Scope) -> BuildReport {
        let started = Instant::now();
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let update = match (scope, cache.as_mut()) {
            (Scope::Periods(slugs), Some(built)) => built.update(&self.root, slugs),
            _ => None,
        };
        let built = match update {
            Some(Update::Built) => Ok(()),
            Some(Update::Failed(diagnostics)) => Err(diagnostics),
            None => Cache::build(&self.root).map(|built| {
                *cache = Some(built);
            }),
        };
        let (report, files) = match (built, cache.as_ref()) {
            (Ok(()), Some(built)) => (
                BuildReport::of(built.diagnostics(), true, started, built.pages()),
                Some(Arc::new(built.files().clone())),
            ),
            (Err(diagnostics), _) => {
                *cache = None;
                (BuildReport::of(&diagnostics, false, started, 0), None)
            }
            (Ok(()), None) => (
                BuildReport::of(&Diagnostics::new(), false, started, 0),
                None,
            ),
        };
        drop(cache);
        let mut state = self.lock();
        state.version += 1;
        match files {
            Some(files) => {
                state.output = Some(files);
                state.error = None;
            }
            None => state.error = Some(report.messages.clone()),
        }
        drop(state);
        self.changed.notify_all();
        report
    }

    /// A copy of the current state (the output is shared, not copied).
    pub fn snapshot(&self) -> State {
        self.lock().clone()
    }

    /// Waits until the version differs from `seen`, or `timeout` passes;
    /// returns the version then.
    pub fn wait_for_change(&self, seen: u64, timeout: Duration) -> u64 {
        let state = self.lock();
        let waited = self.changed.wait_timeout_while(state, timeout, |state| {
            state.version == seen && !state.stopping
        });
        match waited {
            Ok((state, _)) => state.version,
            Err(poisoned) => poisoned.into_inner().0.version,
        }
    }

    /// Answers every waiting page: the server is stopping.
    pub fn stop(&self) {
        self.lock().stopping = true;
        self.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked cannot leave the state half-updated: every
        // update is a whole assignment, so the data is still good.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
