//! A new period made from a previous one: the same tables, units and notice
//! text, the counts zeroed, the dates new.
//!
//! [`plan`] only computes the files; `tongbao new` checks them with
//! [`crate::staging`] and creates the folder all at once.

use chrono::{Datelike, NaiveDate};
use toml_edit::Value;

use crate::data_edit::{DataDocument, EditError};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::{CONTENT_DIR, DATA_FILE, NOTICE_FILE};
use crate::load::{Content, is_valid_slug};
use crate::model::{Period, WindowKind};
use crate::staging::Changes;

/// The dates and labels of the new period, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Defaults to the previous period's start when the new window ends in
    /// the same year (year-to-date counts, as the seed's 累计数), otherwise
    /// to 1 January of the end's year.
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub issued: Option<NaiveDate>,
    /// Defaults to as many days after `issued` as the previous period's.
    pub deadline: Option<NaiveDate>,
    /// Assessable weeks; left out when not given.
    pub weeks: Option<u32>,
    /// Label override such as 2019年二季度; left out when not given.
    pub label: Option<String>,
}

/// What `new` will create.
#[derive(Debug)]
pub struct Plan {
    pub slug: String,
    /// The slug of the period it was made from.
    pub from: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub issued: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub tables: usize,
    pub units: usize,
    /// The new folder's files, by name within the folder.
    pub files: Changes,
    /// Things the clerk still has to fill in, in Chinese.
    pub reminders: Vec<String>,
}

impl Plan {
    /// The new folder, relative to the site root.
    pub fn folder(&self) -> String {
        format!("{CONTENT_DIR}/{}", self.slug)
    }
}

/// Plans the period `slug` from the period `from`, or from the newest
/// period (by issue date) when `from` is `None`. `content` must be checked.
pub fn plan(
    content: &Content,
    diagnostics: &Diagnostics,
    slug: &str,
    from: Option<&str>,
    options: &Options,
) -> Result<Plan, Diagnostic> {
    if !is_valid_slug(slug) {
        return Err(Diagnostic::error(format!("期次名 “{slug}” 不可用作网址"))
            .hint("期次名只用字母、数字、- 和 _，例如 2019-06-30"));
    }
    if content.periods.iter().any(|period| period.slug == slug) {
        return Err(Diagnostic::error(format!(
            "期次 {CONTENT_DIR}/{slug} 已存在"
        )));
    }
    let previous = previous_period(content, from)?;
    let window = Window::new(previous, content.site.window, options)?;
    let mut reminders = Vec::new();
    let data = new_data(
        content,
        diagnostics,
        previous,
        &window,
        options,
        &mut reminders,
    )
    .map_err(|error| {
        Diagnostic::error(format!(
            "无法修改 {CONTENT_DIR}/{}/data.toml：{error}",
            previous.slug
        ))
    })?;
    reminders.extend(zeroed_reminders(previous));

    let mut files = Changes::new();
    files.put(DATA_FILE, data.to_string());
    files.put(NOTICE_FILE, diagnostics.source(previous.notice.file));
    Ok(Plan {
        slug: slug.to_string(),
        from: previous.slug.clone(),
        start: window.start,
        end: window.end,
        issued: window.issued,
        deadline: window.deadline,
        tables: previous.tables.len(),
        units: previous.tables.iter().map(|table| table.units.len()).sum(),
        files,
        reminders,
    })
}

/// The new period's dates: the ones given, the rest derived from the
/// previous period.
struct Window {
    start: NaiveDate,
    end: NaiveDate,
    issued: NaiveDate,
    deadline: Option<NaiveDate>,
}

impl Window {
    fn new(previous: &Period, kind: WindowKind, options: &Options) -> Result<Window, Diagnostic> {
        let (Some(end), Some(issued)) = (options.end, options.issued) else {
            return Err(missing_dates(previous));
        };
        let given = [options.start, Some(end), Some(issued), options.deadline];
        if let Some(date) = given.into_iter().flatten().find(|date| !writable(*date)) {
            return Err(
                Diagnostic::error(format!("日期 {date} 的年份应在 0 至 9999 之间"))
                    .hint("日期写作 年-月-日，例如 2019-06-30"),
            );
        }
        let start = match options.start {
            Some(start) => start,
            None => derived_start(previous, kind, end)?,
        };
        let deadline = match options.deadline {
            Some(deadline) => Some(deadline),
            None => derived_deadline(previous, issued)?,
        };
        if let Some(deadline) = deadline.filter(|deadline| *deadline < issued) {
            return Err(deadline_before_issued(
                deadline,
                issued,
                options.deadline.is_some(),
            ));
        }
        Ok(Window {
            start,
            end,
            issued,
            deadline,
        })
    }
}

/// Whether `data.toml` can hold the date: TOML writes four-digit years.
fn writable(date: NaiveDate) -> bool {
    (0..=9999).contains(&date.year())
}

/// The start when `--start` is not given (see [`default_start`]), refused
/// when it falls past the year 9999.
fn derived_start(
    previous: &Period,
    kind: WindowKind,
    end: NaiveDate,
) -> Result<NaiveDate, Diagnostic> {
    default_start(previous, kind, end)
        .filter(|start| writable(*start))
        .ok_or_else(|| {
            Diagnostic::error(format!(
                "按上一期 {} 推算，本期的数据采集开始日期在 {} 之后，超出 9999 年",
                previous.slug, previous.window.end.value
            ))
            .hint("用 --start 指定本期的数据采集开始日期")
        })
}

/// The deadline when `--deadline` is not given: as many days after the
/// issue date as the previous period's; none when that had none.
fn derived_deadline(previous: &Period, issued: NaiveDate) -> Result<Option<NaiveDate>, Diagnostic> {
    let old = &previous.window;
    let Some(old_deadline) = &old.deadline else {
        return Ok(None);
    };
    let days = old_deadline.value - old.issued.value;
    match issued
        .checked_add_signed(days)
        .filter(|date| writable(*date))
    {
        Some(deadline) => Ok(Some(deadline)),
        None => Err(Diagnostic::error(format!(
            "按上一期 {} 推算，整改期限在成文日期 {issued} 之后 {} 天，超出 9999 年",
            previous.slug,
            days.num_days()
        ))
        .hint("用 --deadline 指定本期的整改期限")),
    }
}

fn deadline_before_issued(deadline: NaiveDate, issued: NaiveDate, given: bool) -> Diagnostic {
    let (what, hint) = if given {
        ("整改期限 --deadline", "整改期限应在成文日期当天或之后")
    } else {
        (
            "按上一期推算的整改期限",
            "上一期的整改期限早于其成文日期；用 --deadline 指定本期的整改期限",
        )
    };
    Diagnostic::error(format!("{what} {deadline} 早于成文日期 --issued {issued}")).hint(hint)
}

/// The previous period's data.toml with the new dates, weeks and label and
/// every count zeroed; comments and layout kept.
fn new_data(
    content: &Content,
    diagnostics: &Diagnostics,
    previous: &Period,
    window: &Window,
    options: &Options,
    reminders: &mut Vec<String>,
) -> Result<DataDocument, EditError> {
    let mut data = DataDocument::parse(diagnostics.source(previous.file))?;
    data.set_period_date("start", window.start)?;
    data.set_period_date("end", window.end)?;
    data.set_period_date("issued", window.issued)?;
    match window.deadline {
        Some(deadline) => data.set_period_date("deadline", deadline)?,
        None => {
            data.remove_period_key("deadline")?;
        }
    }
    match (options.weeks, &previous.weeks) {
        (Some(weeks), _) => data.set_period_value("weeks", Value::from(i64::from(weeks)))?,
        (None, Some(old)) => {
            // The calendar counts the new window's weeks, if it covers it;
            // otherwise the check asks for --weeks.
            if let Some(counted) = content.calendar.assessable_weeks(window.start, window.end) {
                reminders.push(format!(
                    "可考核周数按节假日安排算出为 {counted} 周（上一期写明 weeks = {}，已删除）",
                    old.value
                ));
            }
            data.remove_period_key("weeks")?;
        }
        (None, None) => {}
    }
    match &options.label {
        Some(label) => data.set_period_value("label", Value::from(label.as_str()))?,
        None => {
            data.remove_period_key("label")?;
        }
    }
    data.zero_counts(&content.site)?;
    Ok(data)
}

/// What zeroing left for the clerk to fill in.
fn zeroed_reminders(previous: &Period) -> Vec<String> {
    let mut reminders = Vec::new();
    if !previous.figures.is_empty() {
        let names: Vec<&str> = previous.figures.keys().map(String::as_str).collect();
        reminders.push(format!(
            "[figures] 中的数字已清零（{}）：请按后台数据填写",
            names.join("、")
        ));
    }
    if previous
        .tables
        .iter()
        .any(|table| !table.declared.is_empty())
    {
        reminders.push(
            "各表的后台申报合计（declared）已删除：导入带“合计”行的文件时会填写，也可手工填写"
                .to_string(),
        );
    }
    reminders.push("notice.md 沿用上一期的正文：请按本期情况修改".to_string());
    reminders
}

fn previous_period<'c>(content: &'c Content, from: Option<&str>) -> Result<&'c Period, Diagnostic> {
    match from {
        Some(from) => content
            .periods
            .iter()
            .find(|period| period.slug == from)
            .ok_or_else(|| {
                let slugs = content.periods.iter().map(|period| period.slug.as_str());
                let mut diagnostic = Diagnostic::error(format!("找不到期次 {CONTENT_DIR}/{from}"));
                if let Some(near) = crate::spelling::closest(from, slugs) {
                    diagnostic = diagnostic.hint(format!("是否应为 {near}？"));
                }
                diagnostic
            }),
        None => content
            .periods
            .iter()
            .max_by(|a, b| {
                let key = |period: &Period| (period.window.issued.value, period.slug.clone());
                key(a).cmp(&key(b))
            })
            .ok_or_else(|| {
                Diagnostic::error(format!("{CONTENT_DIR}/ 中还没有任何期次可供沿用"))
                    .hint("先按 docs/FORMAT.md 手工建立第一期")
            }),
    }
}

/// Where the new window starts when `--start` is not given, by the site's
/// `[periods] window`; `None` past the last date the calendar knows.
fn default_start(previous: &Period, kind: WindowKind, end: NaiveDate) -> Option<NaiveDate> {
    let old = previous.window.start.value;
    match kind {
        WindowKind::YearToDate if old.year() == end.year() => Some(old),
        WindowKind::YearToDate => NaiveDate::from_ymd_opt(end.year(), 1, 1),
        WindowKind::Consecutive => previous.window.end.value.succ_opt(),
    }
}

fn missing_dates(previous: &Period) -> Diagnostic {
    let window = &previous.window;
    Diagnostic::error("请给出新一期的数据截止日期（--end）和成文日期（--issued）").hint(format!(
        "上一期 {} 的数据采集时间为 {} 至 {}，成文日期 {}；例如 --end 2019-06-30 --issued 2019-07-05",
        previous.slug, window.start.value, window.end.value, window.issued.value
    ))
}
