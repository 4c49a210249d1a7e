//! `tongbao diff`: what a data change does to figures, scores and ranks.

use std::process::ExitCode;

use clap::Args;

use super::cli::SiteRoot;
use super::{EXIT_CONTENT_ERROR, print_errors, print_message};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::diff::report::{self, Format};
use crate::diff::side::{self, Source};
use crate::diff::{self as compare};

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Old side: a period folder, a data.toml, or a git revision [default: HEAD]
    #[arg(
        value_name = "旧",
        help = "旧的一方：期次目录、data.toml 或 git 版本（默认：HEAD）"
    )]
    pub old: Option<String>,
    /// New side, the same kinds [default: the working tree]
    #[arg(value_name = "新", help = "新的一方，同上（默认：工作区中的文件）")]
    pub new: Option<String>,
    /// Output: text for the terminal, md for Markdown to paste into a review
    #[arg(
        long,
        default_value = "text",
        value_name = "格式",
        help = "输出格式：text 供终端查看，md 为 Markdown，可贴入审核记录"
    )]
    pub format: Format,
    #[command(flatten)]
    pub site: SiteRoot,
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let old = match &args.old {
        Some(argument) => Source::parse(argument, &args.site.root),
        None => Ok(Source::Revision("HEAD".to_string())),
    };
    let new = match &args.new {
        Some(argument) => Source::parse(argument, &args.site.root),
        None => Ok(Source::WorkingTree),
    };
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(error), _) | (_, Err(error)) => {
            print_message(Diagnostic::error(error.to_string()));
            return ExitCode::from(EXIT_CONTENT_ERROR);
        }
    };
    let Some(old_side) = load_side(&args.site.root, &old) else {
        return ExitCode::from(EXIT_CONTENT_ERROR);
    };
    let Some(new_side) = load_side(&args.site.root, &new) else {
        return ExitCode::from(EXIT_CONTENT_ERROR);
    };
    let diffs = compare::compare(&old_side, &new_side);
    print!(
        "{}",
        report::render(&diffs, &old_side.label, &new_side.label, args.format)
    );
    ExitCode::SUCCESS
}

/// Loads one side, printing its errors (named by the side) when it has any.
fn load_side(root: &std::path::Path, source: &Source) -> Option<side::Side> {
    let mut diagnostics = Diagnostics::new();
    let loaded = side::load(root, source, &mut diagnostics);
    if loaded.is_none() {
        // Errors only: warnings such as reconciliation belong to `check`.
        print_errors(&diagnostics);
        eprintln!("{} 的内容有错误，无法比较", source.label());
    }
    loaded
}
