//! One module per CLI command.

pub mod build;
pub mod check;

use std::process::ExitCode;

use crate::diagnostics::{Diagnostics, Severity};

/// Exit code when the content has errors (usage errors exit with 2, by clap).
pub const EXIT_CONTENT_ERROR: u8 = 1;

/// Prints every diagnostic to standard error.
pub fn print_diagnostics(diagnostics: &Diagnostics) {
    eprint!("{}", diagnostics.render());
}

/// The exit code for a run that found these diagnostics.
pub fn exit_code(diagnostics: &Diagnostics) -> ExitCode {
    if diagnostics.count(Severity::Error) > 0 {
        ExitCode::from(EXIT_CONTENT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}
