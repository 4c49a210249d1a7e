//! `tongbao serve`: preview the site on this computer, rebuilt on every change.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{EXIT_CONTENT_ERROR, print_message};
use crate::diagnostics::Diagnostic;
use crate::serve::{self, Options};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
    /// Site root holding content/ and themes/
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

pub fn run(args: &ServeArgs) -> ExitCode {
    let options = Options {
        root: args.root.clone(),
        port: args.port,
        open: args.open,
    };
    match serve::serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            print_message(Diagnostic::error(message));
            ExitCode::from(EXIT_CONTENT_ERROR)
        }
    }
}
