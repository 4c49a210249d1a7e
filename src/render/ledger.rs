//! The annual ledger (年度台账): one page per year, `ledger/<year>/index.html`,
//! with each table's units over the year's periods (the yearly figures,
//! each rule's points, the total and the rank; see [`crate::history`] for
//! the arithmetic), and each table as CSV and XLSX beside it.
//!
//! Each table is an [`AppendixView`], the shape the notice's tables have,
//! and the downloads are written from that same view, so a download cannot
//! disagree with the page. This module also renders the unit pages
//! ([`super::unit`]) and groups the home page's notices by year.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::diagnostics::Diagnostic;
use crate::history::{
    Model, Models, Scored, YearTable, by_year, figure_columns, total_points, year_table,
};
use crate::model::{Order, Period, Rule, Site, WindowKind};
use crate::notation::{format_date, format_points};
use crate::score::ScoredTable;
use crate::since::month_day;

use super::address::{PAGE_FILE, unit_page_path};
use super::download;
use super::format::Format;
use super::theme::Templates;
use super::view::{AppendixView, Cell, DownloadLink, HeaderCell, NoticeLink, SiteView};
use super::{Report, Sink, put_downloads, render_reported, render_tables};

/// The folder of the ledger pages, under the site root.
const LEDGER: &str = "ledger";

/// The path of a year's ledger page from the site root.
pub fn ledger_path(year: i32) -> String {
    format!("{LEDGER}/{year}/{PAGE_FILE}")
}

/// The year whose ledger files hold `path`, a path from the site root.
pub fn ledger_year(path: &str) -> Option<i32> {
    let (folder, rest) = path.split_once('/')?;
    let (year, _) = rest.split_once('/')?;
    (folder == LEDGER).then(|| year.parse().ok()).flatten()
}

/// One year of the home page: its ledger and its notices, newest first.
#[derive(Serialize)]
pub struct YearGroup {
    pub year: i32,
    /// The ledger page from the site root, when the year has one.
    pub ledger: Option<String>,
    pub notices: Vec<NoticeLink>,
}

/// The home page's notices grouped by the year of their data, newest year
/// first; `notices` are newest first and keep their order in each year.
pub fn year_groups(notices: &[NoticeLink], ledgers: &BTreeSet<i32>) -> Vec<YearGroup> {
    let mut groups: Vec<YearGroup> = Vec::new();
    for notice in notices {
        match groups.iter_mut().find(|group| group.year == notice.year) {
            Some(group) => group.notices.push(notice.clone()),
            None => groups.push(YearGroup {
                year: notice.year,
                ledger: ledgers
                    .contains(&notice.year)
                    .then(|| ledger_path(notice.year)),
                notices: vec![notice.clone()],
            }),
        }
    }
    groups.sort_by_key(|group| std::cmp::Reverse(group.year));
    groups
}

#[derive(Serialize)]
struct LedgerPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    year: i32,
    /// How the yearly figures were summed, in a sentence.
    method: String,
    /// The year's notices, oldest first.
    periods: Vec<PeriodLink>,
    tables: Vec<AppendixView>,
}

#[derive(Serialize)]
struct PeriodLink {
    label: String,
    href: String,
}

/// Renders the ledger of each year of the chronological `periods` (of
/// the years in `only`, when given) into `sink`, one year at a time, and
/// returns the years rendered that have a ledger.
pub fn render_ledgers(
    templates: &Templates,
    (site, calendar): (&Site, &Calendar),
    site_view: &SiteView,
    (periods, models): (&[Scored], &dyn Models),
    only: Option<&BTreeSet<i32>>,
    sink: &dyn Sink,
    report: &mut Report,
) -> BTreeSet<i32> {
    let years: Vec<(i32, Vec<&Scored>)> = by_year(periods)
        .into_iter()
        .filter(|(year, _)| only.is_none_or(|only| only.contains(year)))
        .collect();
    let base: &Report = report;
    // Years side by side; their problems are taken in year order.
    let rendered: Vec<(i32, bool, Report)> = years
        .par_iter()
        .map(|(year, periods)| {
            let (written, found) = base.forked(|found| {
                let site = (site, calendar);
                let periods = (*year, periods.as_slice(), models);
                render_year(templates, site, site_view, periods, sink, found)
            });
            (*year, written, found)
        })
        .collect();
    let mut written = BTreeSet::new();
    for (year, wrote, found) in rendered {
        report.absorb(found);
        if wrote {
            written.insert(year);
        }
    }
    written
}

/// Renders one year's ledger page and downloads; false when nothing was
/// written.
fn render_year(
    templates: &Templates,
    (site, calendar): (&Site, &Calendar),
    site_view: &SiteView,
    (year, periods, models): (i32, &[&Scored], &dyn Models),
    sink: &dyn Sink,
    report: &mut Report,
) -> bool {
    let held: Option<Vec<Model>> = periods
        .iter()
        .map(|scored| models.model(scored.index))
        .collect();
    let Some(held) = held else {
        // Each of them loaded once; parsing the same text again cannot
        // fail, but a ledger left out without a word would be worse.
        report.push(Diagnostic::error(format!(
            "无法生成 {year} 年的年度汇总：有一期的数据无法再次读取"
        )));
        return false;
    };
    let models: Vec<&Period> = held.iter().map(|model| &**model).collect();
    render_year_of(
        templates,
        (site, calendar),
        site_view,
        (year, periods, &models),
        sink,
        report,
    )
}

/// Renders the ledger of `year` from its chronological `periods` and
/// their `models` (in the same order), as [`render_ledgers`] does for
/// each year: for a build, which renders a year's periods and its ledger
/// from the same models, parsed once. False when nothing was written.
pub(super) fn render_year_of(
    templates: &Templates,
    (site, calendar): (&Site, &Calendar),
    site_view: &SiteView,
    (year, periods, models): (i32, &[&Scored], &[&Period]),
    sink: &dyn Sink,
    report: &mut Report,
) -> bool {
    let mut tables = Vec::new();
    for schema in &site.tables {
        let yearly = match year_table(site, calendar, schema, models) {
            Ok(Some(yearly)) => yearly,
            Ok(None) => continue,
            Err(errors) => {
                errors.into_iter().for_each(|error| report.push(error));
                continue;
            }
        };
        let scored = match yearly.score(site) {
            Ok(scored) => scored,
            Err(errors) => {
                errors.into_iter().for_each(|error| report.push(error));
                continue;
            }
        };
        match ledger_table(site, year, tables.len() + 1, &yearly, &scored) {
            Ok(view) => tables.push(view),
            Err(error) => report.push(error),
        }
    }
    let Some(last) = periods.last() else {
        return false;
    };
    let page = LedgerPage {
        site: site_view,
        root: "../../",
        year,
        method: method(site.window).to_string(),
        periods: periods
            .iter()
            .map(|scored| PeriodLink {
                label: scored.label.clone(),
                href: format!("{}/{PAGE_FILE}", scored.slug()),
            })
            .collect(),
        tables,
    };
    let meta = download::Meta {
        office: &site.office,
        issued: last.window.issued.value,
    };
    let folder = format!("{LEDGER}/{year}");
    // The page and its tables' downloads, side by side.
    let ((html, found), tables) = rayon::join(
        || report.forked(|found| render_reported(templates, "ledger.html", &page, found)),
        || render_tables(&folder, &page.tables, &meta),
    );
    report.absorb(found);
    let Some(html) = html else {
        return false;
    };
    sink.put(&ledger_path(year), &html);
    put_downloads(tables, sink, report);
    true
}

/// How the yearly figures are summed under a window kind.
fn method(window: WindowKind) -> &'static str {
    match window {
        WindowKind::YearToDate => {
            "各期通报的数字是自1月1日起的累计数，年度数取本年最后一期的累计数（单位未列入最后一期的，取其列入的最后一期），各期不相加。"
        }
        WindowKind::Consecutive => "各期通报的数据期间首尾相接、互不重叠，年度数是本年各期之和。",
    }
}

/// One table of the ledger: rank, unit, the yearly counts, each rule's
/// points, the total and the periods the unit appears in.
fn ledger_table(
    site: &Site,
    year: i32,
    number: usize,
    yearly: &YearTable,
    scored: &ScoredTable,
) -> Result<AppendixView, Diagnostic> {
    let schema = yearly.schema;
    let rules = site.rules_of(schema);
    let counts = figure_columns(schema);
    let mut header = vec![
        header_cell("名次".to_string()),
        header_cell(schema.unit_label.clone()),
    ];
    header.extend(counts.iter().map(|column| {
        // A column a rule counts from its start date says so in its header.
        match yearly.since.get(&column.key.value) {
            Some(from) => header_cell(format!("{}（{}起）", column.label, month_day(*from))),
            None => header_cell(column.label.clone()),
        }
    }));
    header.extend(
        rules
            .iter()
            .map(|rule| header_cell(format!("{}（分）", rule.label))),
    );
    header.push(header_cell("合计得分".to_string()));
    header.push(header_cell("列入期数".to_string()));
    let periods = yearly.periods.len();
    let mut rows = Vec::with_capacity(scored.rows.len());
    for row in &scored.rows {
        let name = &row.unit.name.value;
        let mut cells = vec![
            Cell::number(Decimal::from(row.rank)),
            Cell::unit(name.clone(), Some(unit_page_path(&schema.id.value, name))),
        ];
        cells.extend(counts.iter().map(|column| Cell::number(row.value(column))));
        cells.extend(
            rules
                .iter()
                .map(|rule| Cell::number(row.points.get(&rule.key).copied().unwrap_or_default())),
        );
        let total = total_points(&row.points).ok_or_else(|| {
            Diagnostic::error(format!(
                "单位 “{name}” 在 {year} 年表格 “{}” 中的合计得分超出可计算的范围",
                schema.id.value
            ))
            .at(&row.unit.location)
        })?;
        cells.push(Cell::number(total));
        let appearances = yearly.appearances.get(name).copied().unwrap_or(0);
        cells.push(Cell {
            numeric: true,
            ..Cell::text(format!("{appearances}/{periods}"))
        });
        rows.push(cells);
    }
    let title = format!("{year}年{}年度台账", schema.unit_label);
    let downloads = Format::ALL
        .iter()
        .map(|format| DownloadLink {
            format: format.name(),
            description: format.description(),
            media_type: format.media_type(),
            href: format!("{}.{}", schema.id.value, format.extension()),
            url: site.base_url.as_ref().map(|base| {
                format!(
                    "{base}{LEDGER}/{year}/{}.{}",
                    schema.id.value,
                    format.extension()
                )
            }),
            save_as: format!("{title}.{}", format.extension()),
        })
        .collect();
    Ok(AppendixView {
        number,
        anchor: format!("table-{}", schema.id.value),
        id: schema.id.value.clone(),
        header: vec![header],
        rows,
        notes: notes(site, yearly, &rules, scored),
        title,
        downloads,
        sheets: Vec::new(),
        result: None,
    })
}

/// The ledger table's notes: its sort, how the year was summed, each rule's
/// points quoted from `site.toml`, and the window of the figures.
fn notes(site: &Site, yearly: &YearTable, rules: &[&Rule], scored: &ScoredTable) -> Vec<String> {
    let schema = yearly.schema;
    let mut notes = Vec::new();
    let keys: Vec<String> = schema
        .sort
        .iter()
        .filter_map(|sort| {
            let column = schema.column(&sort.column.value)?;
            let order = match sort.order {
                Order::Descending => "从高到低",
                Order::Ascending => "从低到高",
            };
            Some(format!("年度{}{order}", column.label))
        })
        .collect();
    if !keys.is_empty() {
        notes.push(format!("按{}排列名次；", keys.join("、再按")));
    }
    notes.push(method(site.window).to_string());
    for rule in rules {
        // In the table's column order, as a reader meets the columns.
        let parts: Vec<String> = schema
            .columns
            .iter()
            .filter_map(|column| {
                let points = rule.points.get(&column.key.value)?;
                Some(format!(
                    "{}每条{}",
                    column.label,
                    points_phrase(points.value)
                ))
            })
            .collect();
        let since = match &rule.from {
            Some(from) if yearly.since.values().any(|date| *date == from.value) => {
                format!("，自{}起计算", format_date(from.value))
            }
            _ => String::new(),
        };
        notes.push(format!("{}：{}{since}；", rule.label, parts.join("，")));
    }
    notes.push("各项得分按年度数和上述分值计算，合计得分为各项得分之和；".to_string());
    let partial = scored
        .rows
        .iter()
        .filter(|row| yearly.partial(&row.unit.name.value))
        .count();
    if partial > 0 {
        notes.push(format!(
            "列入期数少于{}期的单位（{partial}个），年度数只计其列入的各期；",
            yearly.periods.len()
        ));
    }
    notes.push(format!(
        "数据范围为{}—{}，共{}期通报。",
        format_date(yearly.start),
        format_date(yearly.end),
        yearly.periods.len()
    ));
    notes
}

/// Points as the notes quote them: `加5分`, `扣0.2分`.
fn points_phrase(points: Decimal) -> String {
    let verb = if points.is_sign_negative() {
        "扣"
    } else {
        "加"
    };
    format!("{verb}{}分", format_points(points.abs()))
}

fn header_cell(text: String) -> HeaderCell {
    HeaderCell {
        text,
        colspan: 1,
        rowspan: 1,
        scope: "col",
    }
}
