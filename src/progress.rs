//! Progress on the terminal for work long enough to wait on.
//!
//! The bar is drawn on standard error only when that is a terminal and the
//! `CI` variable is unset, so piped output and CI logs stay clean; it is
//! cleared when the work ends, leaving only the command's own report.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over a known number of steps, each with a message.
pub struct Progress {
    bar: ProgressBar,
    started: Cell<u64>,
}

impl Progress {
    /// A bar of `steps` steps, drawn only where a person is watching.
    pub fn new(steps: u64) -> Progress {
        if !is_watched() {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} [{bar:24}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar,
            started: Cell::new(0),
        }
    }

    /// A bar that never draws.
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            started: Cell::new(0),
        }
    }

    /// Starts the next step, e.g. `生成页面`; the bar counts the steps done.
    pub fn step(&self, message: &str) {
        let done = self.started.get();
        self.bar.set_position(done);
        self.bar.set_message(message.to_string());
        self.started.set(done + 1);
    }

    /// Prints one line on standard error above the bar, which is redrawn
    /// below it.
    pub fn note(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Whether standard error reaches a person: a terminal, outside CI, and not
/// a terminal that cannot redraw a line.
fn is_watched() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var("TERM").map_or(true, |term| term != "dumb")
}
