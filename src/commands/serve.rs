//! `tongbao serve`: preview the site on this computer, rebuilt on every change.

use std::process::ExitCode;

use clap::Args;

use super::cli::SiteRoot;
use super::{EXIT_CONTENT_ERROR, cli, print_message};
use crate::diagnostics::Diagnostic;
use crate::serve::{self, Options};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(
        long,
        default_value_t = 1111,
        value_name = "端口",
        value_parser = cli::port,
        help = "本机端口，0 表示任选一个空闲端口"
    )]
    pub port: u16,
    /// Open the site in the default browser
    #[arg(long, help = "在默认浏览器中打开网站")]
    pub open: bool,
    #[command(flatten)]
    pub site: SiteRoot,
}

pub fn run(args: &ServeArgs) -> ExitCode {
    let options = Options {
        root: args.site.root.clone(),
        port: args.port,
        open: args.open,
    };
    match serve::serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            print_message(Diagnostic::error(error.to_string()));
            ExitCode::from(EXIT_CONTENT_ERROR)
        }
    }
}
