//! `tongbao import`: the backend's export → one table of a period's data.toml.

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use similar::TextDiff;

use super::import_log;
use super::{EXIT_CONTENT_ERROR, print_diagnostics_about, print_message};
use crate::diagnostics::{Diagnostic, Diagnostics, io_reason};
use crate::import::{self, Override, Plan, Request, shown};
use crate::load::{CONTENT_DIR, Content};
use crate::model::Period;
use crate::progress::Progress;
use crate::staging::{self, Changes};

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The backend's export: .xlsx, .xls or .csv (UTF-8, GBK or UTF-16)
    #[arg(
        value_name = "文件",
        help = "后台导出的文件：.xlsx、.xls 或 .csv（UTF-8、GBK 或 UTF-16 均可）"
    )]
    pub file: PathBuf,
    /// Period to import into (its folder name under content/)
    #[arg(
        long,
        value_name = "期次",
        help = "导入到哪一期（content/ 下的目录名）"
    )]
    pub period: String,
    /// Table to import into, as site.toml names it (e.g. towns)
    #[arg(
        long,
        value_name = "表格",
        required_unless_present = "log",
        help = "导入到哪张表，用 site.toml 中的编号（如 towns）"
    )]
    pub table: Option<String>,
    /// The file is the backend's publication log: write it to the period's log.csv
    #[arg(
        long,
        conflicts_with_all = ["table", "overrides", "keep", "add_units", "keep_units"],
        help = "文件是后台的发布记录（每行一条信息）：写入这一期的 log.csv，不用 --table"
    )]
    pub log: bool,
    /// Header of the file = column key (or unit, or - to ignore); repeatable
    #[arg(
        long = "map",
        value_name = "表头=列",
        help = "文件的表头对应哪一列：列的 key，或 unit（单位名称），或 -（忽略）；可写多次"
    )]
    pub overrides: Vec<Override>,
    /// Count column (key or label) the file lacks, to leave as data.toml
    /// has it; repeatable or comma-separated. Any other column the file
    /// lacks is an error
    #[arg(
        long,
        value_name = "列",
        value_delimiter = ',',
        help = "文件中确实没有的计数列（key 或列名），保留 data.toml 中原有的数字；可写多次或用逗号分隔。文件缺少其他计数列时报错"
    )]
    pub keep: Vec<String>,
    /// Worksheet of a workbook [default: the first]
    #[arg(long, value_name = "工作表", help = "工作簿中的工作表（默认：第一张）")]
    pub sheet: Option<String>,
    /// Append units that data.toml lacks instead of refusing them
    #[arg(long, help = "把 data.toml 中没有的单位加到表末，而不是拒绝导入")]
    pub add_units: bool,
    /// Leave units the file lacks as data.toml has them instead of refusing
    #[arg(
        long,
        help = "文件中没有的单位保留 data.toml 中原有的数字，而不是拒绝导入"
    )]
    pub keep_units: bool,
    /// Print the change to data.toml without writing it
    #[arg(
        long,
        help = "只显示对 data.toml（用 --log 时为 log.csv）的改动，不写入"
    )]
    pub dry_run: bool,
    /// Site root holding content/ (and themes/, if the site has one)
    #[arg(
        long,
        default_value = ".",
        value_name = "目录",
        help = "站点目录，其中有 content/"
    )]
    pub root: PathBuf,
}

pub fn run(args: &ImportArgs) -> ExitCode {
    let progress = Progress::new(3);
    progress.step("检查现有内容");
    let mut diagnostics = Diagnostics::new();
    let verified = crate::pipeline::verify(&args.root, &mut diagnostics);
    let Some(content) = verified.map(|verified| verified.content) else {
        drop(progress);
        print_diagnostics_about(&diagnostics, CONTENT_DIR);
        eprintln!("现有内容未通过检查，请先修正；未导入");
        return ExitCode::from(EXIT_CONTENT_ERROR);
    };
    let period = match find_period(&content, &args.period) {
        Ok(period) => period,
        Err(error) => {
            drop(progress);
            print_message(error);
            return ExitCode::from(EXIT_CONTENT_ERROR);
        }
    };
    progress.step(&shown(&format!("读取 {}", args.file.display())));
    let table = match (&args.table, args.log) {
        (Some(table), false) => table,
        _ => {
            drop(progress);
            return import_log::run(args, &content, period, &diagnostics);
        }
    };
    let request = Request {
        file: &args.file,
        sheet: args.sheet.as_deref(),
        table,
        overrides: &args.overrides,
        keep: &args.keep,
        add_units: args.add_units,
        keep_units: args.keep_units,
    };
    let data_name = diagnostics.file_name(period.file);
    let planned = import::plan(
        &content.site,
        period,
        diagnostics.source(period.file),
        &request,
    );
    let plan = match planned {
        Ok(plan) => plan,
        Err(errors) => {
            drop(progress);
            errors.into_iter().for_each(print_escaped);
            eprintln!("未导入：{data_name} 未改动");
            return ExitCode::from(EXIT_CONTENT_ERROR);
        }
    };
    if !plan.changes_anything() {
        drop(progress);
        report(&args.file, &plan);
        println!("数据与文件一致，{data_name} 未改动");
        return ExitCode::SUCCESS;
    }
    progress.step("检查导入结果");
    let checked = check(&args.root, &plan, data_name);
    drop(progress);
    report(&args.file, &plan);
    if args.dry_run {
        print!("{}", unified_diff(&plan, data_name));
    }
    if !print_check(checked, data_name) {
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    if args.dry_run {
        println!("试运行：导入后检查通过，{data_name} 未改动");
        return ExitCode::SUCCESS;
    }
    if let Err(error) = staging::write_file(&args.root.join(data_name), plan.new_text.as_bytes()) {
        let reason = io_reason(&error);
        print_message(Diagnostic::error(format!("无法写入 {data_name}：{reason}")));
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    println!("已写入 {data_name}");
    ExitCode::SUCCESS
}

/// The site as it would be with the planned data.toml, checked as `tongbao
/// check` does: what the check found, and whether it passed.
fn check(root: &Path, plan: &Plan, data_name: &str) -> io::Result<(Diagnostics, bool)> {
    let mut changes = Changes::new();
    changes.put(data_name, plan.new_text.as_bytes());
    let mut checked = Diagnostics::new();
    let passed = staging::check_changed(root, &changes, &mut checked)?.is_some();
    Ok((checked, passed))
}

/// Prints what the check found about data.toml; returns whether it passed.
pub(super) fn print_check(outcome: io::Result<(Diagnostics, bool)>, data_name: &str) -> bool {
    match outcome {
        Ok((checked, passed)) => {
            print_diagnostics_about(&checked, data_name);
            if !passed {
                eprintln!("导入后的数据未通过检查，{data_name} 未改动");
            }
            passed
        }
        Err(error) => {
            let reason = io_reason(&error);
            print_message(Diagnostic::error(format!("无法检查导入结果：{reason}")));
            false
        }
    }
}

/// The period named `--period`, or a message with the closest slug.
fn find_period<'c>(content: &'c Content, slug: &str) -> Result<&'c Period, Diagnostic> {
    if let Some(period) = content.periods.iter().find(|period| period.slug == slug) {
        return Ok(period);
    }
    let slugs = content.periods.iter().map(|period| period.slug.as_str());
    let error = Diagnostic::error(format!("找不到期次 {CONTENT_DIR}/{slug}"));
    Err(match crate::figures::closest(slug, slugs) {
        Some(near) => error.hint(format!("是否应为 --period {near}？")),
        None => error.hint(format!("先用 tongbao new {slug} 建立这一期")),
    })
}

/// Prints a message about the imported file. Text from the file (unit
/// names, headers, cells, sheet names) is in it: it is shown escaped, so
/// that no escape sequence in a file can rewrite the clerk's terminal.
pub(super) fn print_escaped(mut diagnostic: Diagnostic) {
    diagnostic.message = shown(&diagnostic.message).into_owned();
    diagnostic.hint = diagnostic.hint.map(|hint| shown(&hint).into_owned());
    print_message(diagnostic);
}

/// Prints a line of the report, escaped as [`print_escaped`] does.
pub(super) fn say(line: &str) {
    println!("{}", shown(line));
}

fn report(file: &Path, plan: &Plan) {
    say(&format!(
        "读取 {}（{}）：{} 个单位",
        file.display(),
        plan.source,
        plan.units_read
    ));
    say(&format!("导入的列：{}", plan.imported.join("，")));
    if !plan.kept.is_empty() {
        say(&format!(
            "按 --keep 保留原有数字的列：{}",
            plan.kept.join("、")
        ));
    }
    if !plan.ignored.is_empty() {
        say(&format!("未导入的表头：{}", plan.ignored.join("，")));
    }
    say(&format!(
        "{} 个单位数字有变化，{} 个单位不变",
        plan.changed.len(),
        plan.unchanged
    ));
    if !plan.added.is_empty() {
        say(&format!("新增单位：{}", plan.added.join("、")));
    }
    if !plan.declared.is_empty() {
        say(&format!(
            "后台申报合计（合计行）：{}",
            plan.declared.join("，")
        ));
    }
    for skipped in &plan.skipped {
        say(&format!("跳过：{skipped}"));
    }
    if !plan.missing.is_empty() {
        print_escaped(
            Diagnostic::warning(format!(
                "文件中没有 {} 个单位，按 --keep-units 保留其原有数字：{}",
                plan.missing.len(),
                plan.missing.join("、")
            ))
            .hint("核对导出范围；这些单位若已撤并，请从 data.toml 中删除"),
        );
    }
}

/// The change to data.toml as a unified diff, as `git diff` shows it.
fn unified_diff(plan: &Plan, name: &str) -> String {
    TextDiff::from_lines(&plan.old_text, &plan.new_text)
        .unified_diff()
        .context_radius(1)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
