//! `tongbao import --log`: the backend's publication log → the period's
//! `log.csv` (see [`crate::import::log`]).

use std::process::ExitCode;

use similar::TextDiff;

use super::{ImportArgs, print_check, print_escaped, say};
use crate::commands::EXIT_CONTENT_ERROR;
use crate::diagnostics::{Diagnostic, Diagnostics, io_reason};
use crate::import::log::{LogPlan, plan_log};
use crate::layout::{CONTENT_DIR, LOG_FILE};
use crate::load::Content;
use crate::model::Period;
use crate::staging::{self, Changes};

/// Imports `args.file` as `period`'s publication log; `diagnostics` holds
/// the loaded site's sources.
pub fn run(
    args: &ImportArgs,
    content: &Content,
    period: &Period,
    _diagnostics: &Diagnostics,
) -> ExitCode {
    let log_name = format!("{CONTENT_DIR}/{}/{LOG_FILE}", period.slug);
    let old_text = std::fs::read_to_string(args.site.root.join(&log_name)).unwrap_or_default();
    let planned = plan_log(
        &content.site,
        period,
        &args.file,
        args.sheet.as_deref(),
        &old_text,
    );
    let plan = match planned {
        Ok(plan) => plan,
        Err(errors) => {
            errors.into_iter().for_each(print_escaped);
            eprintln!("未导入：{log_name} 未改动");
            return ExitCode::from(EXIT_CONTENT_ERROR);
        }
    };
    report(args, &plan);
    if plan.old_text == plan.new_text {
        println!("发布记录与文件一致，{log_name} 未改动");
        return ExitCode::SUCCESS;
    }
    if args.dry_run {
        let diff = TextDiff::from_lines(&plan.old_text, &plan.new_text)
            .unified_diff()
            .context_radius(1)
            .header(&format!("a/{log_name}"), &format!("b/{log_name}"))
            .to_string();
        print!("{diff}");
    }
    let mut changes = Changes::new();
    changes.put(&log_name, plan.new_text.as_bytes());
    let mut checked = Diagnostics::new();
    let outcome = staging::check_changed(&args.site.root, &changes, &mut checked)
        .map(|content| (checked, content.is_some()));
    // The log changes the counts of data.toml's rows: its messages matter too.
    if !print_check(outcome, &format!("{CONTENT_DIR}/{}/", period.slug)) {
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    if args.dry_run {
        println!("试运行：导入后检查通过，{log_name} 未改动");
        return ExitCode::SUCCESS;
    }
    if let Err(error) =
        staging::write_file(&args.site.root.join(&log_name), plan.new_text.as_bytes())
    {
        let reason = io_reason(&error);
        print_escaped(Diagnostic::error(format!("无法写入 {log_name}：{reason}")));
        return ExitCode::from(EXIT_CONTENT_ERROR);
    }
    println!("已写入 {log_name}");
    ExitCode::SUCCESS
}

fn report(args: &ImportArgs, plan: &LogPlan) {
    say(&format!(
        "读取 {}（{}）：{} 条信息，{} 个单位，其中动态信息 {} 条",
        args.file.display(),
        plan.source,
        plan.items,
        plan.units,
        plan.dynamic
    ));
}
