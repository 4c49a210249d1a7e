//! An appendix on its own page: "附件N", the title on the third line, the
//! table and its notes.
//!
//! The table is as wide as the 版心 with fixed column widths. Its header
//! rows repeat on every page (`w:tblHeader`) and keep their merged cells:
//! a cell spanning columns has `w:gridSpan`, one spanning rows starts a
//! `w:vMerge` that the rows under it continue, in the header and in the
//! body (a unit's name over its findings). No row breaks across pages.

use std::fmt::Write;

use super::document::{empty, paragraph};
use super::grid::Grid;
use super::parts::StyleId;
use super::style::{Align, Style};
use super::xml::twips_from_mm;
use crate::render::download::{NOTES_LEAD, Placed, place, width};
use crate::render::view::{AppendixView, Cell};

/// Thin black borders: `w:sz` is in eighths of a point.
const BORDER: &str = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"";

/// Writes the appendix: label, title, table, notes.
pub fn appendix(out: &mut String, appendix: &AppendixView, style: &Style, grid: &Grid) {
    let label = format!("附件{}", appendix.number);
    paragraph(out, StyleId::AppendixLabel, "", &label);
    // The title on the third line (GB/T 9704, 8).
    empty(out, StyleId::Normal);
    paragraph(out, StyleId::AppendixTitle, "", &appendix.title);
    let columns = column_widths(width(appendix), style, grid);
    table(out, appendix, &columns, style);
    notes(out, appendix, style);
}

/// Each column's width in twips: 序号 and the unit take their share of
/// the 版心, the figure columns divide the rest; the last column takes
/// what rounding left, so the table is exactly as wide as the 版心.
fn column_widths(count: usize, style: &Style, grid: &Grid) -> Vec<i64> {
    let total = grid.text_width;
    let share = |percent: f64| (total as f64 * percent / 100.0).round() as i64;
    let mut widths = Vec::with_capacity(count);
    match count {
        0 => {}
        1 => widths.push(total),
        2 => {
            let rank = share(style.table.rank_width);
            widths.extend([rank, total - rank]);
        }
        _ => {
            let rank = share(style.table.rank_width);
            let unit = share(style.table.unit_width);
            let figures = count - 2;
            let each = (total - rank - unit) / figures as i64;
            widths.extend([rank, unit]);
            widths.extend(std::iter::repeat_n(each, figures));
        }
    }
    let used: i64 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += total - used;
    }
    widths
}

fn table(out: &mut String, appendix: &AppendixView, columns: &[i64], style: &Style) {
    let total: i64 = columns.iter().sum();
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
<w:tblBorders><w:top {BORDER}/><w:left {BORDER}/><w:bottom {BORDER}/><w:right {BORDER}/>\
<w:insideH {BORDER}/><w:insideV {BORDER}/></w:tblBorders>\
<w:tblLayout w:type=\"fixed\"/>\
<w:tblCellMar><w:left w:w=\"40\" w:type=\"dxa\"/><w:right w:w=\"40\" w:type=\"dxa\"/></w:tblCellMar>\
<w:tblLook w:val=\"0020\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>\
</w:tblPr><w:tblGrid>"
    );
    for column in columns {
        let _ = write!(out, "<w:gridCol w:w=\"{column}\"/>");
    }
    out.push_str("</w:tblGrid>");
    let height = format!(
        "<w:trHeight w:val=\"{}\" w:hRule=\"atLeast\"/>",
        twips_from_mm(style.table.row_height)
    );
    header_rows(out, appendix, columns);
    for row in &appendix.rows {
        body_row(out, row, columns, &height, style.table.numbers);
    }
    out.push_str("</w:tbl>");
}

/// A header row's cells in column order: the cells that start in the row,
/// and the continuations of cells that span down into it from above.
enum HeaderEntry<'a> {
    Starts(&'a Placed<'a>),
    Continues(&'a Placed<'a>),
}

fn header_rows(out: &mut String, appendix: &AppendixView, columns: &[i64]) {
    let placed = place(&appendix.header);
    for row in 0..appendix.header.len() {
        let mut entries: Vec<(usize, HeaderEntry)> = placed
            .iter()
            .filter_map(|cell| {
                if cell.row == row {
                    Some((cell.column, HeaderEntry::Starts(cell)))
                } else if cell.row < row && row < cell.row + cell.rows {
                    Some((cell.column, HeaderEntry::Continues(cell)))
                } else {
                    None
                }
            })
            .collect();
        entries.sort_by_key(|(column, _)| *column);
        out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        let mut next = 0;
        for (column, entry) in &entries {
            fill_gap(out, next, *column, columns);
            let cell = match entry {
                HeaderEntry::Starts(cell) | HeaderEntry::Continues(cell) => cell,
            };
            let span = cell
                .columns
                .min(columns.len().saturating_sub(*column))
                .max(1);
            let merge = match (entry, cell.rows > 1) {
                (HeaderEntry::Starts(_), true) => "<w:vMerge w:val=\"restart\"/>",
                (HeaderEntry::Continues(_), _) => "<w:vMerge/>",
                (HeaderEntry::Starts(_), false) => "",
            };
            let text = match entry {
                HeaderEntry::Starts(cell) => cell.text,
                HeaderEntry::Continues(_) => "",
            };
            let width: i64 = columns.iter().skip(*column).take(span).sum();
            table_cell(out, width, span, merge, |out| {
                paragraph(out, StyleId::TableHeading, "", text);
            });
            next = column + span;
        }
        fill_gap(out, next, columns.len(), columns);
        out.push_str("</w:tr>");
    }
}

/// Empty cells for the columns `from..to` no header cell covers, so every
/// row has the table's width.
fn fill_gap(out: &mut String, from: usize, to: usize, columns: &[i64]) {
    for column in from..to {
        let width = columns.get(column).copied().unwrap_or(0);
        table_cell(out, width, 1, "", |out| empty(out, StyleId::TableHeading));
    }
}

fn body_row(out: &mut String, row: &[Cell], columns: &[i64], height: &str, numbers: Align) {
    let _ = write!(out, "<w:tr><w:trPr><w:cantSplit/>{height}</w:trPr>");
    for (index, width) in columns.iter().enumerate() {
        let cell = row.get(index);
        let (text, align) = match cell {
            Some(cell) if cell.covered => ("", Align::Left),
            Some(cell) if cell.numeric => (cell.text.as_str(), numbers),
            Some(cell) => (cell.text.as_str(), Align::Left),
            None => ("", Align::Left),
        };
        let merge = match cell {
            Some(cell) if cell.covered => "<w:vMerge/>",
            Some(cell) if cell.rowspan > 1 => "<w:vMerge w:val=\"restart\"/>",
            Some(_) | None => "",
        };
        table_cell(out, *width, 1, merge, |out| {
            paragraph(out, StyleId::TableText, align.justification(), text);
        });
    }
    out.push_str("</w:tr>");
}

/// Appends a cell (`w:tc`) `width` twips wide spanning `span` columns,
/// with `merge` (a `w:vMerge`, or nothing) in its properties and the
/// paragraph `content` writes.
fn table_cell(
    out: &mut String,
    width: i64,
    span: usize,
    merge: &str,
    content: impl FnOnce(&mut String),
) {
    let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>");
    if span > 1 {
        let _ = write!(out, "<w:gridSpan w:val=\"{span}\"/>");
    }
    out.push_str(merge);
    out.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
    content(out);
    out.push_str("</w:tc>");
}

/// The notes under the table: "注：", then each note numbered, its later
/// lines under its first character. Without notes, an empty paragraph, since
/// a document may not end in a table.
fn notes(out: &mut String, appendix: &AppendixView, style: &Style) {
    if appendix.notes.is_empty() {
        empty(out, StyleId::TableNote);
        return;
    }
    paragraph(out, StyleId::TableNote, "", NOTES_LEAD);
    let indent = (style.table.size * 2.0 * 20.0).round() as i64;
    let properties = format!(
        "<w:tabs><w:tab w:val=\"left\" w:pos=\"{indent}\"/></w:tabs><w:ind w:left=\"{indent}\" w:hanging=\"{indent}\"/>"
    );
    for (index, note) in appendix.notes.iter().enumerate() {
        let text = format!("{}.\t{note}", index + 1);
        paragraph(out, StyleId::TableNote, &properties, &text);
    }
}
