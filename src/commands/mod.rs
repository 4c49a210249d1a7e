//! One module per CLI command.

pub mod build;
pub mod check;
pub mod cli;
pub mod diff;
pub mod import;
pub mod init;
pub mod new;
pub mod serve;
pub mod theme;

use std::process::ExitCode;

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};

/// Exit code when the content has errors (usage errors exit with
/// [`cli::EXIT_USAGE`]).
pub const EXIT_CONTENT_ERROR: u8 = 1;

/// Prints every diagnostic to standard error.
pub fn print_diagnostics(diagnostics: &Diagnostics) {
    eprint!("{}", diagnostics.render());
}

/// Prints every error, and the warnings about files under `prefix` (a path
/// relative to the site root), in file order: a command that changed those
/// files reports on them, not on warnings the rest of the site already had.
pub fn print_diagnostics_about(diagnostics: &Diagnostics, prefix: &str) {
    for diagnostic in diagnostics.in_file_order() {
        if diagnostic.severity == Severity::Error || is_about(diagnostics, diagnostic, prefix) {
            eprint!("{}", diagnostics.render_one(diagnostic));
        }
    }
}

/// Prints the errors only, in file order.
pub fn print_errors(diagnostics: &Diagnostics) {
    for diagnostic in diagnostics.in_file_order() {
        if diagnostic.severity == Severity::Error {
            eprint!("{}", diagnostics.render_one(diagnostic));
        }
    }
}

/// Whether a diagnostic points into a file under `prefix`.
pub fn is_about(diagnostics: &Diagnostics, diagnostic: &Diagnostic, prefix: &str) -> bool {
    diagnostic
        .location
        .as_ref()
        .is_some_and(|location| diagnostics.file_name(location.file).starts_with(prefix))
}

/// Prints one diagnostic that points at no file.
pub fn print_message(diagnostic: Diagnostic) {
    eprint!("{}", Diagnostics::new().render_one(&diagnostic));
}

/// The exit code for a run that found these diagnostics.
pub fn exit_code(diagnostics: &Diagnostics) -> ExitCode {
    if diagnostics.has_errors() {
        ExitCode::from(EXIT_CONTENT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}
