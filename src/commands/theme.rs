//! `tongbao theme export`: the built-in theme written out to restyle it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{EXIT_CONTENT_ERROR, print_message};
use crate::diagnostics::{Diagnostic, io_reason};
use crate::init::{self, Refusal};
use crate::layout::THEMES_DIR;
use crate::load::DEFAULT_THEME;

#[derive(Args, Debug)]
pub struct ThemeArgs {
    #[command(subcommand)]
    pub command: ThemeCommand,
}

#[derive(Subcommand, Debug)]
pub enum ThemeCommand {
    /// Write the built-in theme's files out, to restyle them
    #[command(about = "把内置主题的模板和样式导出到目录，供修改")]
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Folder to write to [default: ROOT/themes/default]
    #[arg(
        value_name = "目录",
        help = "导出到哪个目录（默认：站点目录下的 themes/default/，导出后即覆盖内置主题）"
    )]
    pub folder: Option<PathBuf>,
    /// Site root, for the default folder
    #[arg(long, default_value = ".", value_name = "目录", help = "站点目录")]
    pub root: PathBuf,
}

pub fn run(args: &ThemeArgs) -> ExitCode {
    match &args.command {
        ThemeCommand::Export(args) => export(args),
    }
}

/// Exits 0 when every file was written, 1 when none was.
fn export(args: &ExportArgs) -> ExitCode {
    let folder = args
        .folder
        .clone()
        .unwrap_or_else(|| args.root.join(THEMES_DIR).join(DEFAULT_THEME));
    let shown = folder.display();
    match init::export_theme(&folder) {
        Ok(files) => {
            println!("已导出内置主题到 {shown}：{} 个文件", files.len());
            for file in &files {
                println!("  {file}");
            }
            println!(
                "站点的 {THEMES_DIR}/{DEFAULT_THEME}/ 中的文件逐个覆盖内置主题的同名文件；\
                 只留下要修改的文件即可，删掉的仍用内置的"
            );
            ExitCode::SUCCESS
        }
        Err(refusal) => {
            let diagnostic = match refusal {
                Refusal::WouldOverwrite(files) => Diagnostic::error(format!(
                    "{shown} 中已有 {}；未导出任何文件",
                    files.join("、")
                ))
                .hint("导出到另一个目录，如 tongbao theme export 导出的主题"),
                Refusal::NotAFolder(path) => {
                    Diagnostic::error(format!("{} 是文件，不是目录；未导出", path.display()))
                }
                Refusal::Io(error) => {
                    Diagnostic::error(format!("无法导出主题到 {shown}：{}", io_reason(&error)))
                }
                Refusal::SiteExists(_) | Refusal::NotEmpty { .. } => {
                    Diagnostic::error(format!("无法导出主题到 {shown}"))
                }
            };
            print_message(diagnostic);
            ExitCode::from(EXIT_CONTENT_ERROR)
        }
    }
}
