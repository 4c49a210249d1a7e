//! Each unit's rectification sheet (整改通知单): one printable page per unit
//! with findings, in a period whose notice attaches its findings (lists
//! `"findings"` among its `attachments`). The office that issues the notice
//! sends each unit only its own findings, with the deadline and the
//! contact, in the notice's official layout (the theme's
//! `rectification.html`, styled by the notice's print CSS).
//!
//! A sheet lives at `<period>/rectification/<key>/index.html`, where the
//! key is the unit's page key (see [`super::unit`]): the name-based UUID of
//! the first table that lists the unit and its name, so the address is
//! stable and plain ASCII. A unit in no table (refused by validation) gets
//! no sheet.

use serde::Serialize;

use crate::findings::rectification;
use crate::model::{FINDINGS_ID, Finding, FindingHeaders, Period, Site};
use crate::notation::format_date;

use super::address::{PAGE_FILE, sheet_path};
use super::findings::{Columns, Group, groups, link};
use super::theme::Templates;
use super::view::{NoticeView, SiteView};
use super::{Files, Report, render_reported};

/// Whether the period publishes sheets: its notice attaches its findings.
pub fn publishes(period: &Period) -> bool {
    period
        .notice
        .attachments
        .iter()
        .any(|attachment| attachment.value == FINDINGS_ID)
}

#[derive(Serialize)]
struct SheetPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    /// The notice the sheet follows: its office, contact, date and title.
    notice: &'a NoticeView,
    sheet: SheetView,
}

/// One unit's sheet, laid out for `rectification.html`.
#[derive(Serialize)]
struct SheetView {
    /// The addressee.
    unit: String,
    /// The period, e.g. 2019年1-5月份.
    label: String,
    count: usize,
    /// The rectification deadline, e.g. 2019年6月10日, when the period has one.
    deadline: Option<String>,
    /// The notice page, from the sheet.
    notice_href: String,
    /// The table's headers: 序号, 栏目, [网址], 问题类型, 问题描述, 发现日期, [整改情况].
    header: Vec<String>,
    /// Whether the rows have a 网址, and a 整改情况.
    url: bool,
    status: bool,
    rows: Vec<SheetRow>,
}

#[derive(Serialize)]
struct SheetRow {
    number: usize,
    column: String,
    url: String,
    /// The address `url` links to, when it is a web address.
    link: Option<String>,
    category: String,
    problem: String,
    found: String,
    status: String,
}

/// Renders the sheet of each unit with findings in `period` into `files`,
/// when its notice attaches its findings; a page that fails is left out
/// and reported.
pub fn render_sheets(
    templates: &Templates,
    site: &Site,
    site_view: &SiteView,
    period: &Period,
    notice: &NoticeView,
    files: &mut Files,
    report: &mut Report,
) {
    if !publishes(period) {
        return;
    }
    let headers = &site.findings.appendix.headers;
    for group in groups(site, period) {
        let Some(table) = group.table else { continue };
        // A unit's sheet shows the columns its own findings fill.
        let columns = Columns::of(group.findings.iter().copied(), false);
        let page = SheetPage {
            site: site_view,
            root: "../../../",
            notice,
            sheet: sheet(period, &group, &columns, headers),
        };
        let path = format!("{}/{}", period.slug, sheet_path(table, group.name));
        if let Some(html) = render_reported(templates, TEMPLATE, &page, report) {
            files.push((path, html));
        }
    }
}

/// The theme's template of a sheet.
const TEMPLATE: &str = "rectification.html";

fn sheet(period: &Period, group: &Group, columns: &Columns, headers: &FindingHeaders) -> SheetView {
    SheetView {
        unit: group.name.to_string(),
        label: period.window.label(),
        count: group.findings.len(),
        deadline: period
            .window
            .deadline
            .as_ref()
            .map(|deadline| format_date(deadline.value)),
        notice_href: format!("../../{PAGE_FILE}"),
        header: header(headers, columns),
        url: columns.url,
        status: columns.status,
        rows: group
            .findings
            .iter()
            .enumerate()
            .map(|(index, finding)| sheet_row(index + 1, finding))
            .collect(),
    }
}

fn header(headers: &FindingHeaders, columns: &Columns) -> Vec<String> {
    let mut texts = vec![&headers.number, &headers.column];
    if columns.url {
        texts.push(&headers.url);
    }
    texts.extend([&headers.category, &headers.problem, &headers.found]);
    if columns.status {
        texts.push(&headers.status);
    }
    texts.into_iter().cloned().collect()
}

fn sheet_row(number: usize, finding: &Finding) -> SheetRow {
    let url = finding.url.clone().unwrap_or_default();
    SheetRow {
        number,
        column: finding.column.clone(),
        link: link(&url),
        url,
        category: finding.category.value.clone(),
        problem: finding.problem.clone(),
        found: format_date(finding.found.value),
        status: rectification(finding),
    }
}
