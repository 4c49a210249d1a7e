//! `tongbao import`: the backend's export → one table of a period's
//! data.toml; with `--findings`, the inspectors' spreadsheet → the period's
//! findings.toml.

mod log;

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use similar::TextDiff;

use super::cli::SiteRoot;
use super::{EXIT_CONTENT_ERROR, print_diagnostics_about, print_message};
use crate::diagnostics::{Diagnostic, Diagnostics, io_reason};
use crate::import::{self, Override, Plan, Request, findings, shown};
use crate::layout::CONTENT_DIR;
use crate::load::Content;
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
        required_unless_present_any = ["findings", "log"],
        help = "导入到哪张表，用 site.toml 中的编号（如 towns）"
    )]
    pub table: Option<String>,
    /// Import the inspectors' findings into the period's findings.toml
    /// (replacing its findings) instead of a table's counts
    #[arg(
        long,
        conflicts_with_all = ["table", "keep", "add_units", "keep_units"],
        help = "导入随机抽查发现的问题（问题清单），替换本期 findings.toml 中的问题，而不是导入表格的数字"
    )]
    pub findings: bool,
    /// The file is the backend's publication log: write it to the period's log.csv
    #[arg(
        long,
        conflicts_with_all = ["table", "overrides", "keep", "add_units", "keep_units", "findings"],
        help = "文件是后台的发布记录（每行一条信息）：写入这一期的 log.csv，不用 --table"
    )]
    pub log: bool,
    /// With --findings: drop re-check statuses findings.toml records that
    /// the file lacks, instead of refusing
    #[arg(
        long,
        requires = "findings",
        help = "与 --findings 同用：findings.toml 中已记录的整改情况在文件中没有时，丢弃它们，而不是拒绝导入"
    )]
    pub drop_status: bool,
    /// Header of the file = column key (or unit, or - to ignore); with
    /// --findings, a key of findings.toml; repeatable
    #[arg(
        long = "map",
        value_name = "表头=列",
        help = "文件的表头对应哪一列：列的 key，或 unit（单位名称），或 -（忽略）；导入问题清单时为 findings.toml 的 key（如 problem）；可写多次"
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
    /// Print the change to data.toml (findings.toml, log.csv) without writing it
    #[arg(
        long,
        help = "只显示对 data.toml（或 findings.toml；用 --log 时为 log.csv）的改动，不写入"
    )]
    pub dry_run: bool,
    #[command(flatten)]
    pub site: SiteRoot,
}

pub fn run(args: &ImportArgs) -> ExitCode {
    let progress = Progress::new(3);
    progress.step("检查现有内容");
    let mut diagnostics = Diagnostics::new();
    let verified = crate::pipeline::verify(&args.site.root, &mut diagnostics);
    let Some(content) = verified else {
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
    if args.log {
        drop(progress);
        return log::run(args, &content, period, &diagnostics);
    }
    let Some(table) = args.table.as_deref() else {
        let data_name = diagnostics.file_name(period.file).to_string();
        return import_findings(args, &content, period, &diagnostics, &data_name, progress);
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
    let checked = check(&args.site.root, data_name, &plan.new_text);
    drop(progress);
    report(&args.file, &plan);
    if args.dry_run {
        print!(
            "{}",
            unified_diff(&plan.old_text, &plan.new_text, data_name)
        );
    }
    if !print_check(checked, data_name) {
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    if args.dry_run {
        println!("试运行：导入后检查通过，{data_name} 未改动");
        return ExitCode::SUCCESS;
    }
    if let Err(error) =
        staging::write_file(&args.site.root.join(data_name), plan.new_text.as_bytes())
    {
        let reason = io_reason(&error);
        print_message(Diagnostic::error(format!("无法写入 {data_name}：{reason}")));
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    println!("已写入 {data_name}");
    ExitCode::SUCCESS
}

/// The site as it would be with `name` (data.toml or findings.toml)
/// holding `text`, checked as `tongbao check` does: what the check found,
/// and whether it passed.
fn check(root: &Path, name: &str, text: &str) -> io::Result<(Diagnostics, bool)> {
    let mut changes = Changes::new();
    changes.put(name, text.as_bytes());
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
    if let Some(period) = content.period(slug) {
        return Ok(period);
    }
    let slugs = content.periods.iter().map(|period| period.slug.as_str());
    let error = Diagnostic::error(format!("找不到期次 {CONTENT_DIR}/{slug}"));
    Err(match crate::spelling::closest(slug, slugs) {
        Some(near) => error.hint(format!("是否应为 --period {near}？")),
        None => error.hint(format!("先用 tongbao new {slug} 建立这一期")),
    })
}

/// Prints a message about the imported file. Text from the file (unit
/// names, headers, cells, sheet names) is in it: it is shown escaped, so
/// that no escape sequence in a file can rewrite the clerk's terminal.
pub(super) fn print_escaped(diagnostic: Diagnostic) {
    print_message(escaped(diagnostic));
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

/// The change to a file as a unified diff, as `git diff` shows it.
fn unified_diff(old: &str, new: &str, name: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(1)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// `tongbao import --findings`: the inspectors' spreadsheet → the period's
/// findings.toml, planned, checked on a staged copy, then written.
fn import_findings(
    args: &ImportArgs,
    content: &Content,
    period: &Period,
    diagnostics: &Diagnostics,
    data_name: &str,
    progress: Progress,
) -> ExitCode {
    let name = findings::file_name(data_name);
    let old_text = match read_if_present(&args.site.root.join(&name)) {
        Ok(text) => text,
        Err(error) => {
            drop(progress);
            let reason = io_reason(&error);
            print_message(Diagnostic::error(format!("无法读取 {name}：{reason}")));
            return ExitCode::from(EXIT_CONTENT_ERROR);
        }
    };
    let request = findings::Request {
        file: &args.file,
        sheet: args.sheet.as_deref(),
        overrides: &args.overrides,
        drop_status: args.drop_status,
    };
    let plan = match findings::plan(&content.site, period, &old_text, &request) {
        Ok(plan) => plan,
        Err(errors) => {
            drop(progress);
            for error in errors {
                eprint!("{}", diagnostics.render_one(&escaped(error)));
            }
            eprintln!("未导入：{name} 未改动");
            return ExitCode::from(EXIT_CONTENT_ERROR);
        }
    };
    if !plan.changes_anything() {
        drop(progress);
        report_findings(&args.file, &plan, &name);
        println!("问题清单与文件一致，{name} 未改动");
        return ExitCode::SUCCESS;
    }
    progress.step("检查导入结果");
    let checked = check(&args.site.root, &name, &plan.new_text);
    drop(progress);
    report_findings(&args.file, &plan, &name);
    if args.dry_run {
        print!("{}", unified_diff(&plan.old_text, &plan.new_text, &name));
    }
    if !print_check(checked, &name) {
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    if args.dry_run {
        println!("试运行：导入后检查通过，{name} 未改动");
        return ExitCode::SUCCESS;
    }
    if let Err(error) = staging::write_file(&args.site.root.join(&name), plan.new_text.as_bytes()) {
        let reason = io_reason(&error);
        print_message(Diagnostic::error(format!("无法写入 {name}：{reason}")));
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    println!("已写入 {name}");
    ExitCode::SUCCESS
}

/// A file's text, or nothing when there is no such file.
fn read_if_present(path: &Path) -> io::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(error) => Err(error),
    }
}

/// A message with the file's text in it escaped, as [`print_escaped`] prints.
fn escaped(mut diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.message = shown(&diagnostic.message).into_owned();
    diagnostic.hint = diagnostic.hint.map(|hint| shown(&hint).into_owned());
    diagnostic
}

fn report_findings(file: &Path, plan: &findings::Plan, name: &str) {
    say(&format!(
        "读取 {}（{}）：{} 个问题，涉及 {} 个单位",
        file.display(),
        plan.source,
        plan.findings,
        plan.units
    ));
    say(&format!("导入的列：{}", plan.imported.join("，")));
    if !plan.ignored.is_empty() {
        say(&format!("未导入的表头：{}", plan.ignored.join("，")));
    }
    for skipped in &plan.skipped {
        say(&format!("跳过：{skipped}"));
    }
    if plan.kept_rechecks > 0 {
        say(&format!(
            "文件中没有{}列：{} 个问题保留 {name} 中已记录的复查结果",
            plan.absent_rechecks.join("、"),
            plan.kept_rechecks
        ));
    }
    if plan.replaced > 0 {
        say(&format!("替换 {name} 中原有的 {} 个问题", plan.replaced));
    }
    if !plan.dropped.is_empty() {
        print_escaped(Diagnostic::warning(format!(
            "按 --drop-status 丢弃 {} 个已记录的复查结果：{}",
            plan.dropped.len(),
            plan.dropped.join("；")
        )));
    }
}
