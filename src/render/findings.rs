//! The 问题清单 appendix: a period's findings as an appendix of its notice,
//! asked for by listing [`FINDINGS_ID`] among the notice's `attachments`.
//!
//! It is an ordinary [`AppendixView`], so the page, the portal fragment,
//! the downloads and the Word document show it as they show a table. Its
//! findings are grouped by unit, the units in the order the period's tables
//! list them (data.toml's order, then the next table's new units), each
//! unit's findings in file order; the unit's name heads its group, spanning
//! its rows ([`Cell::rowspan`], the other rows [`Cell::covered`]). The
//! numbering runs on across groups.

use std::collections::BTreeMap;

use crate::figures::{Figures, format_date};
use crate::model::{FINDINGS_ID, Finding, FindingHeaders, Period, Site};
use crate::score::{ScoredPeriod, ScoredTable};

use super::Expander;
use super::unit;
use super::view::{AppendixView, Cell, HeaderCell, downloads};

/// What an attachment id of a notice names.
pub enum Source<'s, 'a> {
    Table(&'s ScoredTable<'a>),
    Findings,
}

/// The table or the findings that attachment `id` names; `None` for an id
/// validation has refused.
pub fn source<'s, 'a>(scored: &'s ScoredPeriod<'a>, id: &str) -> Option<Source<'s, 'a>> {
    if id == FINDINGS_ID {
        Some(Source::Findings)
    } else {
        scored.table(id).map(Source::Table)
    }
}

/// The 问题清单 as appendix `number`. Its title and notes are
/// `[findings]`'s, with the period's figures; a missing title has been
/// reported by validation.
pub fn appendix(
    number: usize,
    site: &Site,
    period: &Period,
    figures: &Figures,
    folder_url: Option<&str>,
    expander: &mut Expander,
) -> AppendixView {
    let words = &site.findings.appendix;
    let title = words
        .title
        .as_ref()
        .map(|title| expander.plain(title, figures))
        .unwrap_or_default();
    let columns = Columns::of(&period.findings);
    let mut rows = Vec::with_capacity(period.findings.len());
    for group in groups(period) {
        for (index, finding) in group.findings.iter().enumerate() {
            let unit = unit_cell(&group, index);
            rows.push(row(rows.len() + 1, unit, finding, &columns));
        }
    }
    AppendixView {
        number,
        anchor: format!("appendix-{number}"),
        id: FINDINGS_ID.to_string(),
        header: vec![header(&words.headers, &columns)],
        rows,
        notes: words
            .notes
            .iter()
            .map(|note| expander.plain(note, figures))
            .collect(),
        downloads: downloads(number, FINDINGS_ID, &title, folder_url),
        title,
    }
}

/// The optional columns, shown when any finding has a value for them.
struct Columns {
    url: bool,
    status: bool,
}

impl Columns {
    fn of(findings: &[Finding]) -> Columns {
        Columns {
            url: findings.iter().any(|finding| finding.url.is_some()),
            status: findings.iter().any(|finding| finding.status.is_some()),
        }
    }
}

/// One unit's findings, and the table whose unit page its name links to.
struct Group<'p> {
    name: &'p str,
    table: Option<&'p str>,
    findings: Vec<&'p Finding>,
}

/// The findings grouped by unit, in the order of the period's tables. A
/// unit in no table (reported by validation) comes last, so that no finding
/// is left out.
fn groups(period: &Period) -> Vec<Group<'_>> {
    let mut order: Vec<(&str, Option<&str>)> = Vec::new();
    for table in &period.tables {
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
        text: group.name.to_string(),
        header: true,
        numeric: false,
        value: None,
        href: group.table.map(|table| unit::page_path(table, group.name)),
        rowspan: if index == 0 { group.findings.len() } else { 1 },
        covered: index > 0,
    }
}

fn row(number: usize, unit: Cell, finding: &Finding, columns: &Columns) -> Vec<Cell> {
    let number = rust_decimal::Decimal::from(number);
    let mut cells = vec![
        Cell {
            text: number.to_string(),
            numeric: true,
            value: Some(number),
            ..text_cell(String::new())
        },
        unit,
        text_cell(finding.column.clone()),
        text_cell(finding.category.value.clone()),
        text_cell(finding.problem.clone()),
        text_cell(format_date(finding.found.value)),
    ];
    if columns.url {
        cells.push(text_cell(finding.url.clone().unwrap_or_default()));
    }
    if columns.status {
        cells.push(text_cell(rectification(finding)));
    }
    cells
}

/// The 整改情况 cell: the re-check's status, and its note in brackets;
/// empty before the re-check.
fn rectification(finding: &Finding) -> String {
    match (&finding.status, finding.note.is_empty()) {
        (None, _) => String::new(),
        (Some(status), true) => status.value.clone(),
        (Some(status), false) => format!("{}（{}）", status.value, finding.note),
    }
}

fn text_cell(text: String) -> Cell {
    Cell {
        text,
        header: false,
        numeric: false,
        value: None,
        href: None,
        rowspan: 1,
        covered: false,
    }
}
