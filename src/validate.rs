//! Validate: the cross-references and sanity rules that loading cannot see
//! one file at a time. Finds every problem, never stops at the first.

use std::collections::{BTreeMap, BTreeSet};

use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Diagnostics, Located, Location};
use crate::figures::{self};
use crate::findings;
use crate::layout::{CALENDAR_FILE, CONTENT_DIR, FINDINGS_FILE};
use crate::load::fit_cell;
use crate::load::{Content, UNIT_KEY};
use crate::model::{
    ColumnKind, FINDINGS_ID, Period, RECHECK_ID, Rule, Schema, Site, Table, Unit, Weekly,
};
use crate::notation::format_date;
use crate::outline::{Heading, Outline};
use crate::score::score_period;
use crate::spelling::closest;

/// Table ids a table's figures would shadow: the figures' namespaces
/// (`findings` and `recheck` are also attachment ids).
const RESERVED_IDS: [&str; 8] = figures::NAMESPACES;

/// Column keys a figure name would shadow: the row's unit, and the words
/// figure names put where a column key goes.
fn reserved_keys() -> impl Iterator<Item = &'static str> {
    std::iter::once(UNIT_KEY).chain(figures::COLUMN_WORDS)
}

pub fn validate(content: &Content, diagnostics: &mut Diagnostics) {
    let (site, calendar) = (&content.site, &content.calendar);
    validate_with(content, diagnostics, |period, diagnostics| {
        validate_period(site, calendar, period, diagnostics);
    });
}

/// [`validate`] for a build's outlined periods, each checked alone as it
/// loaded ([`Outline::of`]): those messages are told here, in the order
/// [`validate`] tells them, with each period's checks against the others.
pub fn validate_outlined(content: &mut Content<Outline>, diagnostics: &mut Diagnostics) {
    let checked: Vec<Vec<Diagnostic>> = content
        .periods
        .iter_mut()
        .map(|period| std::mem::take(&mut period.checked))
        .collect();
    let mut checked = checked.into_iter();
    validate_with(content, diagnostics, |_, diagnostics| {
        let told = checked.next().unwrap_or_default();
        told.into_iter()
            .for_each(|diagnostic| diagnostics.push(diagnostic));
    });
}

/// The site's checks, then each period's own (`own`) and its checks
/// against the others, period by period, then the distinct periods.
fn validate_with<P: Heading>(
    content: &Content<P>,
    diagnostics: &mut Diagnostics,
    mut own: impl FnMut(&P, &mut Diagnostics),
) {
    // A period that failed to load is left out of `content`: what names
    // it (a `recheck`) is not told again that it is missing.
    let complete = !diagnostics.has_errors();
    validate_site(&content.site, diagnostics);
    for period in &content.periods {
        own(period, diagnostics);
        validate_across(content, period, complete, diagnostics);
    }
    validate_distinct_periods(&content.periods, diagnostics);
}

/// Validates one period against the site, as [`validate`] does for each:
/// for `serve`, which reloads only the periods that changed.
pub fn validate_one(content: &Content, period: &Period, diagnostics: &mut Diagnostics) {
    let complete = !diagnostics.has_errors();
    validate_period(&content.site, &content.calendar, period, diagnostics);
    validate_across(content, period, complete, diagnostics);
}

/// What a period is checked for against the other periods: its findings
/// past the deadline as of the site's newest date, and the period its
/// notice re-checks. `complete` says whether every period loaded.
fn validate_across<P: Heading>(
    content: &Content<P>,
    period: &P,
    complete: bool,
    diagnostics: &mut Diagnostics,
) {
    let reference = findings::reference_date(&content.site, &content.periods);
    findings::validate_overdue(period, reference, diagnostics);
    let periods = findings::Periods {
        all: &content.periods,
        complete,
    };
    findings::validate_recheck(&content.site, &periods, period, diagnostics);
}

/// Two periods must not publish to the same address, nor report the same
/// table over the same window twice (a copied folder left behind).
pub fn validate_distinct_periods<P: Heading>(periods: &[P], diagnostics: &mut Diagnostics) {
    let mut slugs: BTreeMap<String, &P> = BTreeMap::new();
    let mut windows: BTreeMap<(_, _, &str), &Located<String>> = BTreeMap::new();
    for period in periods {
        // Folder names differing only in case collide on Windows and macOS
        // disks, and on many web servers.
        if let Some(first) = slugs.insert(period.slug().to_lowercase(), period) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "期次 “{}” 与 “{}” 的目录名只差大小写，发布后会互相覆盖",
                    period.slug(),
                    first.slug()
                ))
                .hint("给其中一期改用别的目录名"),
            );
        }
        let window = period.window();
        for id in period.table_ids() {
            let key = (window.start.value, window.end.value, id.value.as_str());
            if let Some(first) = windows.insert(key, id) {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "表格 “{}” 的同一采集时段（{}至{}）在两期中都有数据",
                        id.value,
                        format_date(window.start.value),
                        format_date(window.end.value)
                    ))
                    .at(&id.location)
                    .label("重复的一期")
                    .hint(format!(
                        "另一期在 {}；删去重复的期次目录，或改正其中一期的日期",
                        diagnostics.position(&first.location)
                    )),
                );
            }
        }
    }
}

fn validate_site(site: &Site, diagnostics: &mut Diagnostics) {
    findings::validate_words(&site.findings, diagnostics);
    let mut ids = BTreeSet::new();
    for schema in &site.tables {
        let id = &schema.id;
        if !ids.insert(id.value.as_str()) {
            diagnostics
                .push(Diagnostic::error(format!("表格编号 “{}” 重复", id.value)).at(&id.location));
        }
        if RESERVED_IDS.contains(&id.value.as_str()) || !is_file_stem(&id.value) {
            diagnostics.push(
                Diagnostic::error(format!("表格编号 “{}” 不可用", id.value))
                    .at(&id.location)
                    .hint(format!(
                        "编号也是下载文件名（如 towns.csv），只能用英文字母、数字、“-” 和 “_”，也不能是 {}",
                        RESERVED_IDS.join("、")
                    )),
            );
        }
        validate_schema(site, schema, diagnostics);
    }
    validate_start_dates(site, diagnostics);
}

/// A column counts from one start date only: two rules that read it with
/// different `from` dates would need two yearly figures for one column.
fn validate_start_dates(site: &Site, diagnostics: &mut Diagnostics) {
    let mut starts: BTreeMap<&str, (&Rule, &Located<chrono::NaiveDate>)> = BTreeMap::new();
    for rule in site.rules.values() {
        let Some(from) = &rule.from else {
            continue;
        };
        for key in rule.columns() {
            match starts.get(key) {
                Some((other, date)) if date.value != from.value => diagnostics.push(
                    Diagnostic::error(format!(
                        "列 “{key}” 由规则 “{}” 和 “{}” 计分，两者的起始日期不同",
                        other.label, rule.label
                    ))
                    .at(&from.location)
                    .hint(format!(
                        "年度台账中一列只有一个起始日期；另一个在 {}",
                        diagnostics.position(&date.location)
                    )),
                ),
                Some(_) => {}
                None => {
                    starts.insert(key, (rule, from));
                }
            }
        }
    }
}

/// Whether a table id can name its download files (`ID.csv`) on any system
/// and in a URL without escaping. This also keeps `.` out of ids, which
/// would break figure names such as `towns.disclosure`.
fn is_file_stem(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn validate_schema(site: &Site, schema: &Schema, diagnostics: &mut Diagnostics) {
    let keys: Vec<&str> = schema
        .columns
        .iter()
        .map(|c| c.key.value.as_str())
        .collect();
    let mut seen = BTreeSet::new();
    for column in &schema.columns {
        let key = &column.key;
        if !seen.insert(key.value.as_str()) {
            diagnostics
                .push(Diagnostic::error(format!("列 “{}” 重复", key.value)).at(&key.location));
        }
        if reserved_keys().any(|reserved| reserved == key.value) {
            diagnostics.push(
                Diagnostic::error(format!("列名 “{}” 是保留字", key.value))
                    .at(&key.location)
                    .hint(format!(
                        "列的 key 不能是 {}：它们已用作数字名称（如 towns.units、rules.bonus.cap）；换一个 key",
                        reserved_keys().collect::<Vec<_>>().join("、")
                    )),
            );
        }
        match &column.kind {
            ColumnKind::Count => {}
            ColumnKind::Score { rule } => {
                validate_rule_reference(site, schema, rule, diagnostics);
            }
            ColumnKind::Status { rule } => {
                validate_status_reference(site, schema, rule, diagnostics);
            }
            ColumnKind::Findings { .. } => {}
        }
    }
    for key in &schema.sort {
        expect_column(&keys, &key.column, diagnostics);
    }
    if let Some(weekly) = &schema.weekly {
        for key in [&weekly.misses, &weekly.items] {
            expect_count_column(schema, &keys, key, diagnostics);
        }
    }
    validate_groups(schema, &keys, diagnostics);
    validate_schema_cells(schema, diagnostics);
}

/// The texts of a table's spreadsheet cells (title, header, notes) fit an
/// Excel cell. Each is checked as written; a label without a place of its
/// own is pointed at by its column's key, or the table's id.
fn validate_schema_cells(schema: &Schema, diagnostics: &mut Diagnostics) {
    let id = &schema.id.location;
    fit_cell(
        "表格标题",
        &schema.title.value,
        &schema.title.location,
        diagnostics,
    );
    fit_cell("序号列的表头", &schema.rank_label, id, diagnostics);
    fit_cell("单位列的表头", &schema.unit_label, id, diagnostics);
    for column in &schema.columns {
        let key = &column.key;
        fit_cell("列名", &column.label, &key.location, diagnostics);
        if let Some(header) = &column.header {
            fit_cell("列的表头", &header.value, &header.location, diagnostics);
        }
    }
    for group in &schema.groups {
        fit_cell("分组表头", &group.label, &group.location, diagnostics);
    }
    for note in &schema.notes {
        fit_cell("表注", &note.value, &note.location, diagnostics);
    }
}

/// The texts of each finding fit a cell of the 问题清单's XLSX download:
/// its unit, column, address, category and problem, and its 整改情况 cell
/// (the status with the re-check's date and its note in brackets).
fn validate_finding_cells(period: &Period, diagnostics: &mut Diagnostics) {
    for finding in &period.findings {
        let whole = &finding.location;
        fit_cell(
            "问题清单的单位",
            &finding.unit.value,
            &finding.unit.location,
            diagnostics,
        );
        fit_cell("问题清单的栏目", &finding.column, whole, diagnostics);
        if let Some(url) = &finding.url {
            fit_cell("问题清单的网址", url, whole, diagnostics);
        }
        let category = &finding.category;
        fit_cell(
            "问题清单的问题类型",
            &category.value,
            &category.location,
            diagnostics,
        );
        fit_cell("问题清单的问题描述", &finding.problem, whole, diagnostics);
        fit_cell(
            "问题清单的整改情况（连同说明）",
            &findings::rectification(finding),
            whole,
            diagnostics,
        );
    }
}

/// Each group heads one or more adjacent columns, in column order, and no
/// column is in two groups.
fn validate_groups(schema: &Schema, keys: &[&str], diagnostics: &mut Diagnostics) {
    let mut grouped = BTreeSet::new();
    for group in &schema.groups {
        if group.columns.is_empty() {
            diagnostics.push(
                Diagnostic::error(format!("表头分组 “{}” 没有列", group.label))
                    .at(&group.location)
                    .hint("在 columns 中列出分组下的列，或删去这个分组"),
            );
        }
        for key in &group.columns {
            expect_column(keys, key, diagnostics);
            if !grouped.insert(key.value.as_str()) {
                diagnostics.push(
                    Diagnostic::error(format!("列 “{}” 已属于另一个表头分组", key.value))
                        .at(&key.location),
                );
            }
        }
        let positions: Vec<usize> = group
            .columns
            .iter()
            .filter_map(|key| keys.iter().position(|k| *k == key.value))
            .collect();
        let contiguous = positions.windows(2).all(|pair| pair[1] == pair[0] + 1);
        if !contiguous {
            diagnostics.push(
                Diagnostic::error(format!(
                    "表头分组 “{}” 的列不相邻或顺序与 columns 不同",
                    group.label
                ))
                .at(&group.location)
                .hint("分组按 columns 的顺序列出相邻的列"),
            );
        }
    }
}

/// The rule a column names, reported where it is unknown.
fn referenced_rule<'s>(
    site: &'s Site,
    rule: &Located<String>,
    diagnostics: &mut Diagnostics,
) -> Option<&'s Rule> {
    let found = site.rules.get(&rule.value);
    if found.is_none() {
        diagnostics.push(
            Diagnostic::error(format!("未知的计分规则 “{}”", rule.value))
                .at(&rule.location)
                .suggest(closest(&rule.value, site.rules.keys().map(String::as_str))),
        );
    }
    found
}

fn validate_rule_reference(
    site: &Site,
    schema: &Schema,
    rule: &Located<String>,
    diagnostics: &mut Diagnostics,
) {
    let Some(found) = referenced_rule(site, rule, diagnostics) else {
        return;
    };
    for (key, points) in &found.points {
        // Points may weigh a unit's findings as they weigh a count.
        match schema.column(key).map(|column| &column.kind) {
            Some(ColumnKind::Findings { .. }) => continue,
            Some(ColumnKind::Count | ColumnKind::Score { .. } | ColumnKind::Status { .. })
            | None => {}
        }
        expect_rule_column(schema, found, key, &points.location, diagnostics);
    }
    if let Some(minimum) = &found.minimum {
        let key = &minimum.column;
        expect_rule_column(schema, found, &key.value, &key.location, diagnostics);
    }
}

/// A status column names a rule with a minimum, whose column the table counts.
fn validate_status_reference(
    site: &Site,
    schema: &Schema,
    rule: &Located<String>,
    diagnostics: &mut Diagnostics,
) {
    let Some(found) = referenced_rule(site, rule, diagnostics) else {
        return;
    };
    match &found.minimum {
        Some(minimum) => {
            let key = &minimum.column;
            expect_rule_column(schema, found, &key.value, &key.location, diagnostics);
        }
        None => diagnostics.push(
            Diagnostic::error(format!("计分规则 “{}” 没有 minimum（最低数）", found.key))
                .at(&rule.location)
                .label("达标情况列要指向有 minimum 的规则")
                .hint(format!(
                    "在 [rules.{}] 中写 minimum = {{ column = \"列名\", at_least = 最低数, below = \"未达标\" }}",
                    found.key
                )),
        ),
    }
}

/// A column a rule reads must be a count column of the table.
fn expect_rule_column(
    schema: &Schema,
    rule: &Rule,
    key: &str,
    location: &Location,
    diagnostics: &mut Diagnostics,
) {
    let problem = match schema.column(key).map(|c| &c.kind) {
        Some(ColumnKind::Count) => return,
        Some(
            ColumnKind::Score { .. } | ColumnKind::Status { .. } | ColumnKind::Findings { .. },
        ) => "不是计数列",
        None => "不存在",
    };
    let keys = schema.columns.iter().map(|c| c.key.value.as_str());
    diagnostics.push(
        Diagnostic::error(format!(
            "计分规则 “{}” 用到的列 “{key}” 不是表格 “{}” 的计数列",
            rule.key, schema.id.value
        ))
        .at(location)
        .label(format!("表格 “{}” 中这一列{problem}", schema.id.value))
        .suggest(closest(key, keys)),
    );
}

/// `key` must name a count column of `schema` (not a computed score).
fn expect_count_column(
    schema: &Schema,
    keys: &[&str],
    key: &Located<String>,
    diagnostics: &mut Diagnostics,
) {
    match schema.column(&key.value).map(|column| &column.kind) {
        Some(ColumnKind::Count) => {}
        Some(
            ColumnKind::Score { .. } | ColumnKind::Status { .. } | ColumnKind::Findings { .. },
        ) => diagnostics.push(
            Diagnostic::error(format!("列 “{}” 是计分列，不是计数列", key.value))
                .at(&key.location)
                .hint("weekly 的 misses 和 items 各指一个填写计数的列"),
        ),
        None => expect_column(keys, key, diagnostics),
    }
}

fn expect_column(keys: &[&str], key: &Located<String>, diagnostics: &mut Diagnostics) {
    if keys.contains(&key.value.as_str()) {
        return;
    }
    diagnostics.push(
        Diagnostic::error(format!("未知的列 “{}”", key.value))
            .at(&key.location)
            .suggest(closest(&key.value, keys.iter().copied())),
    );
}

/// Checks one period against the site, on its own: its dates, weeks,
/// findings, tables and attachments. What it is checked for against the
/// other periods is left to [`validate`].
pub fn validate_period(
    site: &Site,
    calendar: &Calendar,
    period: &Period,
    diagnostics: &mut Diagnostics,
) {
    let window = &period.window;
    if window.end.value < window.start.value {
        diagnostics
            .push(Diagnostic::error("数据采集截止日期早于开始日期").at(&window.end.location));
    }
    if window.issued.value < window.end.value {
        diagnostics
            .push(Diagnostic::warning("成文日期早于数据采集截止日期").at(&window.issued.location));
    }
    if let Some(deadline) = &window.deadline
        && deadline.value < window.issued.value
    {
        diagnostics.push(
            Diagnostic::error("整改期限早于成文日期")
                .at(&deadline.location)
                .hint("整改期限应在通报印发之后；请检查 deadline 和 issued"),
        );
    }
    validate_weeks(site, calendar, period, diagnostics);
    findings::validate(site, period, diagnostics);
    validate_finding_cells(period, diagnostics);
    if let Err(overflows) = score_period(site, period) {
        overflows
            .into_iter()
            .for_each(|overflow| diagnostics.push(overflow));
    }
    for table in &period.tables {
        match site.schema(&table.id.value) {
            Some(schema) => validate_table(schema, period, table, diagnostics),
            None => {
                let ids = site.tables.iter().map(|s| s.id.value.as_str());
                diagnostics.push(
                    Diagnostic::error(format!("site.toml 中没有表格 “{}” 的定义", table.id.value))
                        .at(&table.id.location)
                        .suggest(closest(&table.id.value, ids)),
                );
            }
        }
    }
    for attachment in &period.notice.attachments {
        if attachment.value == FINDINGS_ID {
            findings::validate_attachment(site, period, attachment, diagnostics);
        } else if attachment.value == RECHECK_ID {
            // Checked against the other periods by `validate_across`.
        } else if period.table(&attachment.value).is_none()
            || site.schema(&attachment.value).is_none()
        {
            diagnostics.push(
                Diagnostic::error(format!("附件 “{}” 不是本期的表格", attachment.value))
                    .at(&attachment.location)
                    .hint("attachments 列出 data.toml 中 [tables.编号] 的编号"),
            );
        }
    }
}

/// The assessable weeks must be known where a table has the once-a-week
/// rule, and a declared count should agree with the calendar's.
fn validate_weeks(
    site: &Site,
    calendar: &Calendar,
    period: &Period,
    diagnostics: &mut Diagnostics,
) {
    match (&period.weeks, period.calendar_weeks) {
        (Some(declared), Some(counted)) if declared.value != counted => diagnostics.push(
            Diagnostic::warning(format!(
                "申报的可考核周数 {} 与按节假日安排算出的 {counted} 周不符",
                declared.value
            ))
            .at(&declared.location)
            .label(format!("节假日安排算出 {counted} 周"))
            .hint(format!(
                "可考核周：周一至周日，至少有一个工作日，且所有工作日都在采集时段内；\
                 核对 weeks，或核对 {CONTENT_DIR}/{CALENDAR_FILE} 和内置日历中该年的节假日安排"
            )),
        ),
        // A reversed window is reported already and has no weeks to count.
        (None, None) if period.window.end.value >= period.window.start.value => {
            let weekly = period.tables.iter().any(|table| {
                site.schema(&table.id.value)
                    .is_some_and(|schema| schema.weekly.is_some())
            });
            if weekly {
                let missing =
                    calendar.missing_years(period.window.start.value, period.window.end.value);
                diagnostics.push(
                    Diagnostic::error("无法确定可考核周数，无法核对每周更新未达标次数")
                        .at(&period.window.end.location)
                        .hint(missing_years_hint(&missing)),
                );
            }
        }
        _ => {}
    }
}

/// What to add when the calendar lacks the years a window touches: the
/// file, each `[years.N]` entry and the announcement it comes from.
fn missing_years_hint(missing: &[i32]) -> String {
    let years: Vec<String> = missing.iter().map(|year| format!("{year} 年")).collect();
    let entries: Vec<String> = missing
        .iter()
        .map(|year| format!("[years.{year}]"))
        .collect();
    let notices: Vec<String> = missing
        .iter()
        .map(|year| format!("《国务院办公厅关于{year}年部分节假日安排的通知》"))
        .collect();
    format!(
        "内置日历和 {CONTENT_DIR}/{CALENDAR_FILE} 都没有 {}的节假日安排：在 {CONTENT_DIR}/{CALENDAR_FILE} 中加入 {}，\
         照{}填写 holidays 和 workdays；或在 [period] 中写 weeks = 周数",
        years.join("、"),
        entries.join("、"),
        notices.join("")
    )
}

fn validate_table(schema: &Schema, period: &Period, table: &Table, diagnostics: &mut Diagnostics) {
    let mut names: BTreeMap<&str, &Located<String>> = BTreeMap::new();
    for unit in &table.units {
        fit_cell(
            "单位名称",
            &unit.name.value,
            &unit.name.location,
            diagnostics,
        );
        if let Some(first) = names.insert(unit.name.value.as_str(), &unit.name) {
            diagnostics.push(
                Diagnostic::error(format!("单位 “{}” 在表格中出现两次", unit.name.value))
                    .at(&unit.name.location)
                    .hint(format!(
                        "第一次出现在 {}",
                        diagnostics.position(&first.location)
                    )),
            );
        }
        for (key, count) in &unit.counts {
            match schema.column(key).map(|c| &c.kind) {
                Some(ColumnKind::Count) => {}
                Some(ColumnKind::Score { .. } | ColumnKind::Status { .. }) => diagnostics.push(
                    Diagnostic::error(format!("“{key}” 由计分规则算出，不应填写"))
                        .at(&count.location),
                ),
                Some(ColumnKind::Findings { .. }) => diagnostics.push(
                    Diagnostic::error(format!(
                        "“{key}” 由问题清单（{FINDINGS_FILE}）算出，不应填写"
                    ))
                    .at(&count.location),
                ),
                None => diagnostics.push(unknown_column(schema, key, &count.location)),
            }
        }
        let weekly = schema.weekly.as_ref().zip(period.assessable_weeks());
        if let (Some((weekly, weeks)), false) = (weekly, is_unfilled(unit)) {
            validate_weekly(weekly, weeks, unit, diagnostics);
        }
        for column in &schema.columns {
            let required = column.is_typed() && !column.optional;
            let key = &column.key.value;
            if required && !unit.counts.contains_key(key) && !unit.rejected.contains(key) {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "单位 “{}” 缺少 “{}”（{}）",
                        unit.name.value, column.key.value, column.label
                    ))
                    .at(&unit.location),
                );
            }
        }
    }
    for (key, declared) in &table.declared {
        if schema.column(key).is_none() {
            diagnostics.push(unknown_column(schema, key, &declared.location));
        }
    }
    warn_unfilled(schema, table, diagnostics);
    reconcile(schema, table, diagnostics);
}

/// Whether every count of a unit is zero: a row not filled in yet (as
/// `tongbao new` leaves them) rather than figures to hold to the weekly rule.
fn is_unfilled(unit: &Unit) -> bool {
    unit.rejected.is_empty() && unit.counts.values().all(|count| count.value == 0)
}

/// One warning for the rows whose counts are all zero, instead of a weekly
/// rule warning for each: after `tongbao new` that would be every unit.
fn warn_unfilled(schema: &Schema, table: &Table, diagnostics: &mut Diagnostics) {
    let unfilled: Vec<&str> = table
        .units
        .iter()
        .filter(|unit| is_unfilled(unit))
        .map(|unit| unit.name.value.as_str())
        .collect();
    if unfilled.is_empty() {
        return;
    }
    const SHOWN: usize = 3;
    let mut names = unfilled[..unfilled.len().min(SHOWN)].join("、");
    if unfilled.len() > SHOWN {
        names.push('等');
    }
    diagnostics.push(
        Diagnostic::warning(format!(
            "表格 “{}” 有 {} 个单位的计数全为 0（{names}），尚未填写？",
            schema.id.value,
            unfilled.len()
        ))
        .at(&table.id.location)
        .hint(format!(
            "用 tongbao import 导入后台数据；确有单位全为 0 时，请核对其每周更新未达标次数（表格 {}）",
            schema.id.value
        )),
    );
}

/// A unit cannot miss more weeks than there were, nor meet the once-a-week
/// rule in more weeks than it published dynamic items.
fn validate_weekly(weekly: &Weekly, weeks: u64, unit: &Unit, diagnostics: &mut Diagnostics) {
    // A unit lacking either count is reported as such; guessing zero here
    // would only add a second, misleading message.
    let (Some(misses), Some(items)) = (
        unit.counts.get(&weekly.misses.value),
        unit.counts.get(&weekly.items.value),
    ) else {
        return;
    };
    let (misses, items, at_misses, at_items) =
        (misses.value, items.value, &misses.location, &items.location);
    if misses > weeks {
        diagnostics.push(
            Diagnostic::error(format!(
                "单位 “{}” 每周更新未达标 {misses} 次，超过可考核的 {weeks} 周",
                unit.name.value
            ))
            .at(at_misses)
            .label(format!("最多 {weeks}"))
            .hint("核对后台数据，或核对 [period] 的 weeks"),
        );
        return;
    }
    let compliant = weeks - misses;
    if compliant > items {
        diagnostics.push(
            Diagnostic::warning(format!(
                "单位 “{}” 有 {compliant} 周达标（{weeks} 周减去未达标 {misses} 次），但只发布了 {items} 条动态信息",
                unit.name.value
            ))
            .at(at_items)
            .label(format!("至少应有 {compliant} 条"))
            .hint("每个达标周至少有一条动态信息；核对动态信息数和未达标次数"),
        );
    }
}

fn unknown_column(schema: &Schema, key: &str, location: &Location) -> Diagnostic {
    let keys = schema.columns.iter().map(|c| c.key.value.as_str());
    Diagnostic::error(format!("表格 “{}” 没有列 “{key}”", schema.id.value))
        .at(location)
        .suggest(closest(key, keys))
}

/// Warns where a total the backend declared differs from the sum of the rows.
fn reconcile(schema: &Schema, table: &Table, diagnostics: &mut Diagnostics) {
    for (key, declared) in &table.declared {
        let Some(column) = schema.column(key) else {
            continue;
        };
        // A sum missing a rejected row or value would only mislead.
        if !table.complete || table.units.iter().any(|unit| unit.rejected.contains(key)) {
            continue;
        }
        // A sum too large to hold is reported by scoring.
        let sum = table
            .units
            .iter()
            .try_fold(0_u64, |sum, unit| sum.checked_add(unit.count(key)));
        let Some(sum) = sum else {
            continue;
        };
        if sum != declared.value {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "表格 “{}” 的 “{}” 列：后台申报合计 {}，各行相加为 {sum}",
                    schema.id.value, column.label, declared.value
                ))
                .at(&declared.location)
                .label(format!("与各行合计相差 {}", declared.value.abs_diff(sum)))
                .hint("核对后台数据；正文引用的是申报合计"),
            );
        }
    }
}
