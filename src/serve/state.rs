//! What `serve` serves: the last good build, the last build's error, and a
//! version number that every rebuild raises, so pages can wait for it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostics, Severity};
use crate::pipeline;
use crate::render::{Collect, Output};

/// The state shared by the builder and the request handlers.
pub struct Served {
    root: PathBuf,
    state: Mutex<State>,
    changed: Condvar,
}

/// One moment's view of the site.
#[derive(Clone, Default)]
pub struct State {
    /// Raised by every build, good or bad.
    pub version: u64,
    /// The last build that succeeded; `None` until one has.
    pub output: Option<Arc<Output>>,
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

impl Served {
    pub fn new(root: &Path) -> Served {
        Served {
            root: root.to_path_buf(),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        }
    }

    /// Builds the site in memory and publishes the result. A failed build
    /// keeps the last good output and records the error beside it.
    pub fn rebuild(&self) -> BuildReport {
        let started = Instant::now();
        let mut diagnostics = Diagnostics::new();
        let sink = Collect::default();
        let built = pipeline::verify_into(&self.root, &sink, &mut diagnostics);
        let messages = diagnostics.render();
        let report = BuildReport {
            succeeded: built.is_some(),
            elapsed: started.elapsed(),
            messages: messages.clone(),
            pages: built.as_ref().map_or(0, |verified| verified.pages),
            warnings: diagnostics.count(Severity::Warning),
        };
        let mut state = self.lock();
        state.version += 1;
        match built {
            Some(_) => {
                state.output = Some(Arc::new(sink.into_output()));
                state.error = None;
            }
            None => state.error = Some(messages),
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
