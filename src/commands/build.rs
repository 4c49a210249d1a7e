//! `tongbao build`: check, score and render `content/` into `public/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::cli::SiteRoot;
use super::{exit_code, print_diagnostics};
use crate::diagnostics::{Diagnostics, Severity};
use crate::pipeline::{self, Warnings};
use crate::progress::Progress;
use crate::write::{DEFAULT_OUTPUT, OutputState};

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteRoot,
    /// Output folder [default: ROOT/public]
    #[arg(
        long,
        value_name = "目录",
        help = "输出目录（默认：站点目录下的 public/）"
    )]
    pub output: Option<PathBuf>,
    /// Treat warnings as errors (exit 1 and write nothing when there is any)
    #[arg(long, help = "警告也按错误处理：有任何警告就不写入，退出码为 1")]
    pub strict: bool,
}

/// Exits 0 when the site was written (warnings allowed unless `--strict`),
/// 1 when anything failed; the last line then says what became of the
/// output folder.
pub fn run(args: &BuildArgs) -> ExitCode {
    let destination = args
        .output
        .clone()
        .unwrap_or_else(|| args.site.root.join(DEFAULT_OUTPUT));
    let mut diagnostics = Diagnostics::new();
    let progress = Progress::new(1);
    let built = pipeline::build_with(
        &args.site.root,
        &destination,
        &mut diagnostics,
        Warnings::from_strict(args.strict),
        &progress,
    );
    drop(progress);
    print_diagnostics(&diagnostics);
    let warnings = diagnostics.count(Severity::Warning);
    match built {
        Ok(summary) => println!(
            "构建完成：{} 期通报，{} 个单位，{} 个页面，{} 条警告，用时 {} 毫秒，输出至 {}",
            summary.periods,
            summary.units,
            summary.pages,
            warnings,
            summary.elapsed.as_millis(),
            destination.display()
        ),
        Err(state) => eprintln!(
            "构建失败{}：{} 个错误，{} 条警告；{}",
            if args.strict {
                "（--strict：警告按错误计）"
            } else {
                ""
            },
            diagnostics.count(Severity::Error),
            warnings,
            outcome(&destination, &state)
        ),
    }
    exit_code(&diagnostics)
}

/// What became of the output folder after a failed build, as the last line
/// says it.
fn outcome(destination: &Path, state: &OutputState) -> String {
    let destination = destination.display();
    match state {
        OutputState::Unchanged => format!("输出目录 {destination} 未改动"),
        OutputState::Restored => {
            format!("输出目录 {destination} 已恢复为以前中断的构建之前的内容，本次没有写入")
        }
        OutputState::NotRestored { .. } => {
            format!("输出目录 {destination} 未能恢复原样，见上面的错误")
        }
    }
}
