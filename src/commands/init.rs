//! `tongbao init`: a new, working site in a folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{EXIT_CONTENT_ERROR, print_message};
use crate::diagnostics::{Diagnostic, io_reason};
use crate::init::{self, Created, EXAMPLE_PERIOD, GITIGNORE, Gitignore, Refusal};
use crate::layout::CONTENT_DIR;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Folder of the new site, made if missing [default: the current folder]
    #[arg(
        default_value = ".",
        value_name = "目录",
        help = "新站点的目录，不存在时新建"
    )]
    pub folder: PathBuf,
    /// Allow a folder that already holds other files (never overwritten)
    #[arg(long, help = "目录中已有其他文件时也新建站点（已有的文件一律不覆盖）")]
    pub force: bool,
}

/// Exits 0 when the site was created, 1 when nothing was written.
pub fn run(args: &InitArgs) -> ExitCode {
    match init::create_site(&args.folder, args.force) {
        Ok(created) => {
            report(&args.folder, &created);
            ExitCode::SUCCESS
        }
        Err(refusal) => {
            print_message(refused(&args.folder, refusal));
            ExitCode::from(EXIT_CONTENT_ERROR)
        }
    }
}

fn refused(folder: &Path, refusal: Refusal) -> Diagnostic {
    let shown = folder.display();
    match refusal {
        Refusal::NotAFolder(path) => {
            Diagnostic::error(format!("{} 是文件，不是目录；未新建站点", path.display()))
        }
        Refusal::SiteExists(content) => Diagnostic::error(format!(
            "{} 已存在，这里已经是一个站点；未做任何改动",
            content.display()
        ))
        .hint("检查这个站点用 tongbao check；新站点请换一个空目录"),
        Refusal::NotEmpty { entries, more } => {
            let more = if more > 0 {
                format!(" 等 {} 项", entries.len() + more)
            } else {
                String::new()
            };
            Diagnostic::error(format!(
                "目录 {shown} 不是空的（有 {}{more}）；未新建站点",
                entries.join("、")
            ))
            .hint("换一个空目录，如 tongbao init 新站点；或加 --force 在此新建（已有的文件一律不覆盖）")
        }
        Refusal::WouldOverwrite(files) => {
            Diagnostic::error(format!("{} 已存在；未做任何改动", files.join("、")))
        }
        Refusal::Io(error) => {
            Diagnostic::error(format!("无法在 {shown} 中新建站点：{}", io_reason(&error)))
        }
    }
}

fn report(folder: &Path, created: &Created) {
    println!("已新建站点 {}：", folder.display());
    for file in &created.files {
        println!("  {file}");
    }
    match created.gitignore {
        Gitignore::Written => {}
        Gitignore::Kept { lists_public: true } => {
            println!("  （{GITIGNORE} 已存在，其中已有 public/，未改动）");
        }
        Gitignore::Kept {
            lists_public: false,
        } => {
            println!("  （{GITIGNORE} 已存在，未改动；请在其中加一行 public/，不提交生成的网站）");
        }
    }
    println!();
    println!("下一步：");
    let mut step = 0;
    let mut next = |text: String| {
        step += 1;
        println!("  {step}. {text}");
    };
    if folder != Path::new(".") {
        next(format!("cd {}", folder.display()));
    }
    next(format!(
        "在 {CONTENT_DIR}/site.toml 中改网站名称、发文机关和计分规则；\
         在 {CONTENT_DIR}/{EXAMPLE_PERIOD}/data.toml 中换上本县的单位"
    ));
    next("tongbao serve --open    在浏览器中预览，保存文件后页面自动刷新".to_string());
    next(format!(
        "tongbao new 2026-06 --end 2026-06-30 --issued 2026-07-05    \
         从示例期次新建一期（单位沿用，计数清零），之后可删除 {CONTENT_DIR}/{EXAMPLE_PERIOD}/"
    ));
    next(
        "tongbao import 后台导出文件.xlsx --period 2026-06 --table towns    导入后台数据"
            .to_string(),
    );
    next("tongbao build    生成 public/，上传到门户网站".to_string());
}
