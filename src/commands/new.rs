//! `tongbao new`: a new period folder made from the previous period.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;

use super::cli::SiteRoot;
use super::{EXIT_CONTENT_ERROR, cli, is_about, print_diagnostics_about, print_message};
use crate::diagnostics::{Diagnostic, Diagnostics, io_reason};
use crate::layout::CONTENT_DIR;
use crate::new_period::{self, Options, Plan};
use crate::pipeline;
use crate::staging;

#[derive(Args, Debug)]
pub struct NewArgs {
    /// Folder name of the new period, e.g. 2019-06-30
    #[arg(
        value_name = "期次",
        help = "新一期的目录名，如 2019-06-30（只用字母、数字、- 和 _）"
    )]
    pub slug: String,
    /// Period to copy [default: the newest, by issue date]
    #[arg(
        long,
        value_name = "期次",
        help = "沿用哪一期（默认：成文日期最新的一期）"
    )]
    pub from: Option<String>,
    /// First day of the data window [default: the previous start, or 1 January when the year changes]
    #[arg(
        long,
        value_name = "日期",
        value_parser = cli::date,
        help = "数据采集开始日期（默认：按 site.toml 中 [periods] 的 window 由上一期推出）"
    )]
    pub start: Option<NaiveDate>,
    /// Last day of the data window
    #[arg(long, value_name = "日期", value_parser = cli::date, help = "数据采集截止日期")]
    pub end: Option<NaiveDate>,
    /// Issue date (成文日期)
    #[arg(long, value_name = "日期", value_parser = cli::date, help = "成文日期")]
    pub issued: Option<NaiveDate>,
    /// Rectification deadline [default: as many days after the issue date as before]
    #[arg(
        long,
        value_name = "日期",
        value_parser = cli::date,
        help = "整改期限（默认：与上一期一样，在成文日期后同样天数）"
    )]
    pub deadline: Option<NaiveDate>,
    /// Assessable weeks in the window
    #[arg(
        long,
        value_name = "周数",
        value_parser = cli::count,
        help = "可考核周数（默认：按节假日安排算出）"
    )]
    pub weeks: Option<u32>,
    /// Period label, e.g. 2019年二季度 [default: derived from the window]
    #[arg(
        long,
        value_name = "名称",
        help = "期次名称，如 2019年二季度（默认：由采集时段得出，如 2019年1-6月份）"
    )]
    pub label: Option<String>,
    #[command(flatten)]
    pub site: SiteRoot,
}

pub fn run(args: &NewArgs) -> ExitCode {
    let mut diagnostics = Diagnostics::new();
    let folder = args.site.root.join(CONTENT_DIR).join(&args.slug);
    if folder.exists() {
        return fail(
            Diagnostic::error(format!("{CONTENT_DIR}/{} 已存在，未做任何改动", args.slug))
                .hint("新一期请换一个期次名；要修改已有的期次，直接编辑其中的文件"),
        );
    }
    let verified = pipeline::verify(&args.site.root, &mut diagnostics);
    let Some(content) = verified else {
        print_diagnostics_about(&diagnostics, CONTENT_DIR);
        eprintln!("现有内容未通过检查，请先修正；未创建新期次");
        return ExitCode::from(EXIT_CONTENT_ERROR);
    };
    let options = Options {
        start: args.start,
        end: args.end,
        issued: args.issued,
        deadline: args.deadline,
        weeks: args.weeks,
        label: args.label.clone(),
    };
    let plan = match new_period::plan(
        &content,
        &diagnostics,
        &args.slug,
        args.from.as_deref(),
        &options,
    ) {
        Ok(plan) => plan,
        Err(diagnostic) => return fail(diagnostic),
    };
    create(args, &plan)
}

fn create(args: &NewArgs, plan: &Plan) -> ExitCode {
    let mut staged = staging::Changes::new();
    for (name, bytes) in plan.files.files() {
        staged.put(PathBuf::from(plan.folder()).join(name), bytes);
    }
    let mut diagnostics = Diagnostics::new();
    let folder_name = plan.folder();
    match staging::check_changed(&args.site.root, &staged, &mut diagnostics) {
        Ok(Some(_)) => {}
        Ok(None) => {
            print_diagnostics_about(&diagnostics, &folder_name);
            eprintln!("新期次未通过检查，未创建 {}", plan.folder());
            return ExitCode::from(EXIT_CONTENT_ERROR);
        }
        Err(error) => {
            let message = format!("无法检查新期次：{}", io_reason(&error));
            return fail(Diagnostic::error(message));
        }
    }
    let folder = args.site.root.join(CONTENT_DIR).join(&plan.slug);
    if let Err(error) = staging::create_folder(&args.site.root, &folder, &plan.files) {
        let message = format!("无法创建 {}：{}", plan.folder(), io_reason(&error));
        return fail(Diagnostic::error(message));
    }
    report(plan);
    // A zeroed period draws warnings (e.g. fewer dynamic items than weeks)
    // that importing the figures resolves; count them rather than list them.
    let warnings = diagnostics
        .list()
        .iter()
        .filter(|diagnostic| is_about(&diagnostics, diagnostic, &folder_name))
        .count();
    if warnings > 0 {
        println!("检查通过，有 {warnings} 条警告（计数清零所致，导入数据后用 tongbao check 复查）");
    }
    ExitCode::SUCCESS
}

fn report(plan: &Plan) {
    println!(
        "已创建 {}（沿用 {}）：{} 个表格，{} 个单位，计数已清零",
        plan.folder(),
        plan.from,
        plan.tables,
        plan.units
    );
    println!(
        "数据采集时间 {} 至 {}，成文日期 {}{}",
        plan.start,
        plan.end,
        plan.issued,
        plan.deadline
            .map(|deadline| format!("，整改期限 {deadline}"))
            .unwrap_or_default()
    );
    for reminder in &plan.reminders {
        println!("  - {reminder}");
    }
    println!(
        "下一步：tongbao import 后台导出文件.xlsx --period {} --table 表格编号",
        plan.slug
    );
}

fn fail(diagnostic: Diagnostic) -> ExitCode {
    print_message(diagnostic);
    ExitCode::from(EXIT_CONTENT_ERROR)
}
