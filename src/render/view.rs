//! Views: the plain, serialisable shapes that templates receive. All the
//! arithmetic and text expansion happens before a template sees a value.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::figures::Figures;
use crate::model::{ColumnKind, Schema, ZeroDisplay};
use crate::notation::format_points;
use crate::score::{Score, ScoredTable};

use super::Expander;
use super::address::unit_page_path;
use super::format::Format;

#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub office: String,
    pub language: String,
    /// Whether the site publishes `atom.xml` (it does when it has a notice).
    pub feed: bool,
    /// Absolute address of the published site, ending in `/`, if configured:
    /// the portal fragment's links are made absolute with it.
    pub base_url: Option<String>,
}

/// One entry of the home page's list.
#[derive(Clone, PartialEq, Serialize)]
pub struct NoticeLink {
    /// Path of the notice page from the site root.
    pub href: String,
    pub title: String,
    pub label: String,
    /// 成文日期 as the notice prints it, e.g. 2019年6月5日.
    pub date: String,
    /// 成文日期 in ISO 8601, for `<time datetime>`.
    pub iso_date: String,
    #[serde(skip)]
    pub issued: NaiveDate,
    /// The year of the notice's data (the year its window ends in), by
    /// which the home page groups notices.
    pub year: i32,
}

#[derive(Serialize)]
pub struct NoticeView {
    pub slug: String,
    /// The title on one line, for the browser tab, lists and feeds.
    pub title: String,
    /// The title as the author broke it into lines (GB/T 9704 wants breaks
    /// that keep words whole, which CSS cannot find in Chinese).
    pub title_lines: Vec<String>,
    /// 主送机关, without the colon.
    pub addressees: String,
    /// The Markdown body as HTML.
    pub body: String,
    /// The Markdown body, figures expanded, from which `body` was rendered;
    /// the Word document renders it too.
    #[serde(skip)]
    pub markdown: String,
    pub contact: Option<ContactView>,
    pub attachments: Vec<AttachmentLink>,
    /// 发文机关署名.
    pub office: String,
    /// 成文日期, e.g. 2019年6月5日.
    pub date: String,
    /// 成文日期 in ISO 8601, for `<time datetime>`.
    pub iso_date: String,
    /// 数据采集时间, for the page's summary line.
    pub label: String,
    /// The notice as a Word document.
    pub document: DownloadLink,
}

#[derive(Serialize)]
pub struct ContactView {
    pub office: String,
    pub phone: String,
}

#[derive(Serialize)]
pub struct AttachmentLink {
    pub number: usize,
    pub title: String,
    pub anchor: String,
}

/// An appendix table, laid out for a template.
#[derive(Debug, Serialize)]
pub struct AppendixView {
    pub number: usize,
    pub anchor: String,
    pub id: String,
    pub title: String,
    /// One or two header rows.
    pub header: Vec<Vec<HeaderCell>>,
    pub rows: Vec<Vec<Cell>>,
    pub notes: Vec<String>,
    /// The table as files to download, one per format.
    pub downloads: Vec<DownloadLink>,
    /// The 问题清单's links to each unit's rectification sheet.
    pub sheets: Vec<SheetLink>,
    /// A findings appendix's result by unit, once the re-check has given a
    /// finding a status.
    pub result: Option<ResultView>,
}

/// A link to a download file: one of an appendix table's, or the notice's
/// Word document.
#[derive(Debug, Serialize)]
pub struct DownloadLink {
    /// Format name to show, e.g. `CSV`.
    pub format: &'static str,
    /// What the format is for, in a sentence fragment for the link text.
    pub description: &'static str,
    pub media_type: &'static str,
    /// File name beside the notice page, e.g. `towns.csv`, `notice.docx`.
    pub href: String,
    /// Absolute address, when the site has a base URL.
    pub url: Option<String>,
    /// Name to save the file under, e.g. `附件1 …通报表.csv`, `关于…的通报.docx`.
    pub save_as: String,
}

#[derive(Debug, Serialize)]
pub struct HeaderCell {
    pub text: String,
    pub colspan: usize,
    pub rowspan: usize,
    /// `col` or `colgroup`.
    pub scope: &'static str,
}

/// A body cell of a table. Templates receive it without the value, with
/// `plain_number` (see [`Cell::is_plain_number`]), and without the flags
/// and addresses that are false or empty (see `TemplateCell`).
#[derive(Clone, Debug)]
pub struct Cell {
    pub text: String,
    /// The unit's name: a row header.
    pub header: bool,
    pub numeric: bool,
    /// The number `text` shows, for spreadsheets; `None` for names and blank zeros.
    pub value: Option<Decimal>,
    /// For a unit's name: its page, from the site root.
    pub href: Option<String>,
    /// The number of rows the cell spans, from its own down: 1 but for a
    /// unit's name heading its group of findings in the 问题清单.
    pub rowspan: usize,
    /// Whether a cell above spans over this one: a page leaves it out, a
    /// spreadsheet merges it into that cell; it holds that cell's text, so
    /// a CSV line stays whole.
    pub covered: bool,
    /// An address on another site the text links to: a finding's page.
    /// Only `http:` and `https:` addresses are links.
    pub link: Option<String>,
}

/// A [`Cell`] as templates receive it: every field but the value, and
/// `plain_number`. `header`, `href`, `covered` and `link` are left out
/// when false or empty, as they are on most cells (on every plain
/// number): tera builds each cell's context field by field, each key a
/// string, for every page and fragment, and its `{% if %}` takes a
/// missing field as false, so a template that tests them on every cell
/// renders what it did (about 4% fewer instructions at 100 periods;
/// docs/PERFORMANCE.md, eighth pass). `numeric` and `rowspan` stay on
/// every cell: a template that reads them on every cell would otherwise
/// lose the number class without a word, or fail on `rowspan > 1`.
#[derive(Serialize)]
struct TemplateCell<'a> {
    text: &'a str,
    plain_number: bool,
    #[serde(skip_serializing_if = "is_false")]
    header: bool,
    numeric: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<&'a str>,
    rowspan: usize,
    #[serde(skip_serializing_if = "is_false")]
    covered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
}

fn is_false(flag: &bool) -> bool {
    !flag
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TemplateCell {
            text: &self.text,
            plain_number: self.is_plain_number(),
            header: self.header,
            numeric: self.numeric,
            href: self.href.as_deref(),
            rowspan: self.rowspan,
            covered: self.covered,
            link: self.link.as_deref(),
        }
        .serialize(serializer)
    }
}

impl Cell {
    /// Whether the cell is a number and nothing more: not a row header,
    /// not covered, spanning one row, without a page or a link. Most cells
    /// of a score table are, so a template tests this first and, when it
    /// holds, looks up nothing but `text` (each field a template reads is
    /// a lookup by name, per cell, per page).
    pub fn is_plain_number(&self) -> bool {
        self.numeric
            && !self.header
            && !self.covered
            && self.rowspan <= 1
            && self.href.is_none()
            && self.link.is_none()
    }

    /// A cell of text: neither a row header nor a number.
    pub fn text(text: String) -> Self {
        Cell {
            text,
            header: false,
            numeric: false,
            value: None,
            href: None,
            rowspan: 1,
            covered: false,
            link: None,
        }
    }

    /// A number as the tables print it ([`format_points`]), with its value
    /// for spreadsheets.
    pub fn number(value: Decimal) -> Self {
        Cell {
            text: format_points(value),
            numeric: true,
            value: Some(value.normalize()),
            ..Cell::text(String::new())
        }
    }

    /// A unit's name: its row's header, linked to its page when it has one.
    pub fn unit(name: String, href: Option<String>) -> Self {
        Cell {
            header: true,
            href,
            ..Cell::text(name)
        }
    }
}

/// A link from the 问题清单 to a unit's rectification sheet.
#[derive(Debug, Serialize)]
pub struct SheetLink {
    pub unit: String,
    /// From the notice's folder.
    pub href: String,
}

/// The rectification result by unit (整改结果): how many findings each unit
/// had, how many are closed and how many still open, in the 问题清单's order.
#[derive(Debug, Serialize)]
pub struct ResultView {
    pub caption: String,
    /// The unit, the findings, the closed ones, the open ones.
    pub header: [String; 4],
    pub rows: Vec<ResultRow>,
    /// The sums over the units, headed by the header's unit text.
    pub total: ResultRow,
}

#[derive(Debug, Serialize)]
pub struct ResultRow {
    pub unit: String,
    pub count: u64,
    pub closed: u64,
    pub open: u64,
}

/// Builds the appendix view of a scored table.
///
/// `folder_url` is the absolute address of the notice's folder, ending in
/// `/`, when the site has a base URL.
pub fn appendix(
    number: usize,
    table: &ScoredTable,
    figures: &Figures,
    folder_url: Option<&str>,
    expander: &mut Expander,
) -> AppendixView {
    let schema = table.schema;
    let title = expander.plain(&schema.title, figures);
    let downloads = downloads(number, &schema.id.value, &title, folder_url);
    AppendixView {
        number,
        anchor: format!("appendix-{number}"),
        id: schema.id.value.clone(),
        header: header_rows(schema, figures, expander),
        rows: table.rows.iter().map(|row| cells(schema, row)).collect(),
        notes: schema
            .notes
            .iter()
            .map(|note| expander.plain(note, figures))
            .collect(),
        title,
        downloads,
        sheets: Vec::new(),
        result: None,
    }
}

/// The links to an appendix's download files, `ID.csv` and so on, saved
/// under the appendix's number and title.
pub fn downloads(
    number: usize,
    id: &str,
    title: &str,
    folder_url: Option<&str>,
) -> Vec<DownloadLink> {
    Format::ALL
        .iter()
        .map(|format| {
            let href = format!("{id}.{}", format.extension());
            DownloadLink {
                format: format.name(),
                description: format.description(),
                media_type: format.media_type(),
                url: folder_url.map(|folder| format!("{folder}{href}")),
                save_as: format!("附件{number} {title}.{}", format.extension()),
                href,
            }
        })
        .collect()
}

/// The header: one row when no group is declared, else two rows, with each
/// group spanning its columns and ungrouped columns spanning both rows.
fn header_rows(
    schema: &Schema,
    figures: &Figures,
    expander: &mut Expander,
) -> Vec<Vec<HeaderCell>> {
    let rows = if schema.groups.is_empty() { 1 } else { 2 };
    let mut top = vec![
        header_cell(schema.rank_label.clone(), 1, rows),
        header_cell(schema.unit_label.clone(), 1, rows),
    ];
    let mut bottom = Vec::new();
    for column in &schema.columns {
        let text = match &column.header {
            Some(header) => expander.plain(header, figures),
            None => column.label.clone(),
        };
        let group = schema.groups.iter().find(|group| {
            group
                .columns
                .iter()
                .any(|key| key.value == column.key.value)
        });
        match group {
            None => top.push(header_cell(text, 1, rows)),
            Some(group) => {
                if group.columns[0].value == column.key.value {
                    top.push(header_cell(group.label.clone(), group.columns.len(), 1));
                }
                bottom.push(header_cell(text, 1, 1));
            }
        }
    }
    if rows == 1 {
        vec![top]
    } else {
        vec![top, bottom]
    }
}

fn header_cell(text: String, colspan: usize, rowspan: usize) -> HeaderCell {
    let scope = if colspan > 1 { "colgroup" } else { "col" };
    HeaderCell {
        text,
        colspan,
        rowspan,
        scope,
    }
}

fn cells(schema: &Schema, row: &Score) -> Vec<Cell> {
    let mut cells = vec![
        Cell::number(Decimal::from(row.rank)),
        Cell::unit(
            row.unit.name.value.clone(),
            Some(unit_page_path(&schema.id.value, &row.unit.name.value)),
        ),
    ];
    for column in &schema.columns {
        match &column.kind {
            ColumnKind::Status { rule } => {
                cells.push(status_cell(row, &rule.value));
                continue;
            }
            ColumnKind::Count | ColumnKind::Score { .. } | ColumnKind::Findings { .. } => {}
        }
        let value = row.value(column);
        let blank = value.is_zero() && column.zero == ZeroDisplay::Blank;
        cells.push(if blank {
            Cell {
                numeric: true,
                ..Cell::text(String::new())
            }
        } else {
            Cell::number(value)
        });
    }
    cells
}

/// A status column's cell: the text of the unit's standing against the
/// rule's minimum (such as 未达标), or nothing.
fn status_cell(row: &Score, rule: &str) -> Cell {
    let text = row.standing(rule).map_or("", |standing| standing.text);
    Cell::text(text.to_string())
}
