//! `tongbao check`: load, validate, score and render everything in memory,
//! write nothing, and report every problem found.

use std::process::ExitCode;

use clap::Args;

use super::cli::SiteRoot;
use super::{exit_code, print_diagnostics};
use crate::diagnostics::Diagnostics;
use crate::pipeline::{self, Warnings};

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteRoot,
    /// Treat warnings as errors (exit 1 when there is any)
    #[arg(long, help = "警告也按错误处理：有任何警告，退出码为 1")]
    pub strict: bool,
}

/// Exits 0 when the content is clean (warnings allowed unless `--strict`),
/// 1 when it has errors.
pub fn run(args: &CheckArgs) -> ExitCode {
    let mut diagnostics = Diagnostics::new();
    let summary = pipeline::dry_run(
        &args.site.root,
        &mut diagnostics,
        Warnings::from_strict(args.strict),
    );
    print_diagnostics(&diagnostics);
    match summary {
        Some(summary) => println!(
            "检查通过：{} 期通报，{} 个单位；{}",
            summary.periods,
            summary.units,
            diagnostics.tally()
        ),
        _ if args.strict => eprintln!(
            "检查未通过（--strict：警告按错误计）：{}",
            diagnostics.tally()
        ),
        _ => eprintln!("检查未通过：{}", diagnostics.tally()),
    }
    exit_code(&diagnostics)
}
