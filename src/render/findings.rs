//! The 问题清单 appendix: a period's findings as an appendix of its notice,
//! asked for by listing [`FINDINGS_ID`] among the notice's `attachments`.
//!
//! It is an ordinary [`AppendixView`], so the page, the portal fragment,
//! the downloads and the Word document show it as they show a table. Its
//! findings are grouped by unit, the units in the order the period's tables
//! list them (site.toml's tables in order, each in data.toml's order, then
//! the next table's new units), each unit's findings in file order; the
//! unit's name heads its group, spanning its rows ([`Cell::rowspan`], the
//! other rows [`Cell::covered`]). The numbering runs on across groups.
//!
//! The same table shows the findings of an earlier period that a notice
//! re-checks ([`RECHECK_ID`]), and under either, once a finding has a
//! status, the result by unit ([`ResultView`]).

use std::collections::BTreeMap;

use crate::diagnostics::Located;
use crate::figures::Figures;
use crate::findings::{is_open, rectification};
use crate::links;
use crate::model::{FINDINGS_ID, Finding, FindingHeaders, Period, RECHECK_ID, Site};
use crate::notation::format_date;
use crate::score::{ScoredPeriod, ScoredTable};

use super::Expander;
use super::address::{sheet_path, unit_page_path};
use super::view::{AppendixView, Cell, HeaderCell, ResultRow, ResultView, SheetLink, downloads};

/// What an attachment id of a notice names.
pub enum Source<'s, 'a> {
    Table(&'s ScoredTable<'a>),
    Findings,
    /// The earlier period whose findings the notice re-checks.
    Recheck(&'s Period),
}

/// The table or the findings that attachment `id` names, `rechecked` being
/// the period the notice's `recheck` names; `None` for an id validation
/// has refused.
pub fn source<'s, 'a>(
    scored: &'s ScoredPeriod<'a>,
    rechecked: Option<&'s Period>,
    id: &str,
) -> Option<Source<'s, 'a>> {
    if id == FINDINGS_ID {
        Some(Source::Findings)
    } else if id == RECHECK_ID {
        rechecked.map(Source::Recheck)
    } else {
        scored.table(id).map(Source::Table)
    }
}

/// What a findings appendix shows, beside its number and figures.
pub struct Shown<'w, 'p> {
    pub id: &'static str,
    pub title: Option<&'w Located<String>>,
    pub notes: &'w [Located<String>],
    /// Whose findings: the period's own, or the one it re-checks.
    pub period: &'p Period,
}

/// The 问题清单 as appendix `number`. Its title and notes are
/// `[findings]`'s, with the period's figures; a missing title has been
/// reported by validation. It links to each unit's rectification sheet
/// and, once a finding has a status, shows the result by unit.
pub fn appendix(
    number: usize,
    site: &Site,
    period: &Period,
    figures: &Figures,
    folder_url: Option<&str>,
    expander: &mut Expander,
) -> AppendixView {
    let words = &site.findings.appendix;
    let shown = Shown {
        id: FINDINGS_ID,
        title: words.title.as_ref(),
        notes: &words.notes,
        period,
    };
    let groups = groups(site, period);
    let columns = Columns::of(&period.findings, false);
    let mut view = table(
        number, &shown, &groups, &columns, site, figures, folder_url, expander,
    );
    view.sheets = groups
        .iter()
        .filter_map(|group| {
            Some(SheetLink {
                unit: group.name.to_string(),
                href: sheet_path(group.table?, group.name),
            })
        })
        .collect();
    if columns.status {
        view.result = Some(result(&groups, site));
    }
    view
}

/// The re-check of `rechecked`'s findings (上期问题整改情况) as appendix
/// `number`: the same table as its 问题清单, the 整改情况 column always
/// shown, and the result by unit. Title and notes are
/// `[findings.recheck]`'s, with the figures of the period that re-checks.
pub fn recheck_appendix(
    number: usize,
    site: &Site,
    rechecked: &Period,
    figures: &Figures,
    folder_url: Option<&str>,
    expander: &mut Expander,
) -> AppendixView {
    let words = &site.findings.recheck;
    let shown = Shown {
        id: RECHECK_ID,
        title: words.title.as_ref(),
        notes: &words.notes,
        period: rechecked,
    };
    let groups = groups(site, rechecked);
    let columns = Columns::of(&rechecked.findings, true);
    let mut view = table(
        number, &shown, &groups, &columns, site, figures, folder_url, expander,
    );
    view.result = Some(result(&groups, site));
    view
}

/// The findings of `groups` as an appendix: numbered across groups, each
/// unit's name spanning its rows.
#[allow(clippy::too_many_arguments)]
fn table(
    number: usize,
    shown: &Shown,
    groups: &[Group],
    columns: &Columns,
    site: &Site,
    figures: &Figures,
    folder_url: Option<&str>,
    expander: &mut Expander,
) -> AppendixView {
    let title = shown
        .title
        .map(|title| expander.plain(title, figures))
        .unwrap_or_default();
    let mut rows = Vec::with_capacity(shown.period.findings.len());
    for group in groups {
        for (index, finding) in group.findings.iter().enumerate() {
            let unit = unit_cell(group, index);
            rows.push(row(rows.len() + 1, unit, finding, columns));
        }
    }
    AppendixView {
        number,
        anchor: format!("appendix-{number}"),
        id: shown.id.to_string(),
        header: vec![header(&site.findings.appendix.headers, columns)],
        rows,
        notes: shown
            .notes
            .iter()
            .map(|note| expander.plain(note, figures))
            .collect(),
        downloads: downloads(number, shown.id, &title, folder_url),
        title,
        sheets: Vec::new(),
        result: None,
    }
}

/// Each unit's findings, closed and open, and their sums.
fn result(groups: &[Group], site: &Site) -> ResultView {
    let words = &site.findings;
    let rows: Vec<ResultRow> = groups
        .iter()
        .map(|group| {
            let count = group.findings.len() as u64;
            let open = group
                .findings
                .iter()
                .filter(|finding| is_open(finding, words))
                .count() as u64;
            ResultRow {
                unit: group.name.to_string(),
                count,
                closed: count - open,
                open,
            }
        })
        .collect();
    let total = ResultRow {
        unit: words.appendix.headers.total.clone(),
        count: rows.iter().map(|row| row.count).sum(),
        closed: rows.iter().map(|row| row.closed).sum(),
        open: rows.iter().map(|row| row.open).sum(),
    };
    let headers = &words.appendix.headers;
    ResultView {
        caption: headers.result.clone(),
        header: [
            headers.unit.clone(),
            headers.count.clone(),
            headers.closed.clone(),
            headers.open.clone(),
        ],
        rows,
        total,
    }
}

/// The optional columns, shown when any finding has a value for them.
pub(super) struct Columns {
    pub url: bool,
    pub status: bool,
}

impl Columns {
    /// `status` forces the 整改情况 column, as the re-check shows it.
    pub fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>, status: bool) -> Columns {
        let mut columns = Columns { url: false, status };
        for finding in findings {
            columns.url |= finding.url.is_some();
            columns.status |= finding.status.is_some();
        }
        columns
    }
}

/// One unit's findings, and the table whose unit page its name links to.
pub(super) struct Group<'p> {
    pub name: &'p str,
    pub table: Option<&'p str>,
    pub findings: Vec<&'p Finding>,
}

/// The findings grouped by unit, in the order of the period's tables: the
/// tables in site.toml's order (data.toml names them in any order), each
/// table's units in data.toml's order. A unit in no table (reported by
/// validation) comes last, so that no finding is left out.
pub(super) fn groups<'p>(site: &Site, period: &'p Period) -> Vec<Group<'p>> {
    let mut order: Vec<(&str, Option<&str>)> = Vec::new();
    let tables = site
        .tables
        .iter()
        .filter_map(|schema| period.table(&schema.id.value));
    for table in tables {
        for unit in &table.units {
            let name = unit.name.value.as_str();
            if !order.iter().any(|(known, _)| *known == name) {
                order.push((name, Some(table.id.value.as_str())));
            }
        }
    }
    let mut by_unit: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &period.findings {
        let name = finding.unit.value.as_str();
        if !order.iter().any(|(known, _)| *known == name) {
            order.push((name, None));
        }
        by_unit.entry(name).or_default().push(finding);
    }
    order
        .into_iter()
        .filter_map(|(name, table)| {
            let findings = by_unit.remove(name)?;
            Some(Group {
                name,
                table,
                findings,
            })
        })
        .collect()
}

fn header(headers: &FindingHeaders, columns: &Columns) -> Vec<HeaderCell> {
    let mut texts = vec![
        &headers.number,
        &headers.unit,
        &headers.column,
        &headers.category,
        &headers.problem,
        &headers.found,
    ];
    if columns.url {
        texts.push(&headers.url);
    }
    if columns.status {
        texts.push(&headers.status);
    }
    texts
        .into_iter()
        .map(|text| HeaderCell {
            text: text.clone(),
            colspan: 1,
            rowspan: 1,
            scope: "col",
        })
        .collect()
}

/// The unit's name in the `index`th row of its group: the first row's
/// spans the group, the others are covered by it.
fn unit_cell(group: &Group, index: usize) -> Cell {
    Cell {
        rowspan: if index == 0 { group.findings.len() } else { 1 },
        covered: index > 0,
        ..Cell::unit(
            group.name.to_string(),
            group.table.map(|table| unit_page_path(table, group.name)),
        )
    }
}

fn row(number: usize, unit: Cell, finding: &Finding, columns: &Columns) -> Vec<Cell> {
    let mut cells = vec![
        Cell::number(rust_decimal::Decimal::from(number)),
        unit,
        Cell::text(finding.column.clone()),
        Cell::text(finding.category.value.clone()),
        Cell::text(finding.problem.clone()),
        Cell::text(format_date(finding.found.value)),
    ];
    if columns.url {
        let url = finding.url.clone().unwrap_or_default();
        cells.push(Cell {
            link: link(&url),
            ..Cell::text(url)
        });
    }
    if columns.status {
        cells.push(Cell::text(rectification(finding)));
    }
    cells
}

/// The address a finding's 网址 links to: only a web address, and only one
/// a page may carry (see [`crate::links::check`]); anything else is text.
pub(super) fn link(url: &str) -> Option<String> {
    let address = url.trim();
    let lower = address.to_ascii_lowercase();
    let web = lower.starts_with("http://") || lower.starts_with("https://");
    (web && links::check(address, links::Use::Link).is_ok()).then(|| address.to_string())
}
