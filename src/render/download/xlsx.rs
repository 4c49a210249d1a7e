//! XLSX: the table as an Excel workbook with merged header cells, borders,
//! column widths, and a print setup (A4, header rows repeated on every page).
//!
//! The workbook's creation date is the notice's issue date, not the clock,
//! so the same content always builds the same bytes.

use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    ColNum, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, RowNum, Workbook,
    Worksheet, XlsxError,
};

use super::{Meta, NOTES_LEAD, Placed, is_formula_like, note_line, place, width};
use crate::render::ZIP_LEVEL;
use crate::render::view::{AppendixView, Cell};

/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;
/// Font of the title and header rows, and of the body, as Excel and WPS
/// name the fonts every Chinese Windows has.
const HEADING_FONT: &str = "黑体";
const BODY_FONT: &str = "宋体";
/// Height of one line of body text, in points.
const LINE_HEIGHT: f64 = 15.0;

/// The cell formats of the sheet.
struct Formats {
    title: Format,
    header: Format,
    name: Format,
    number: Format,
    note: Format,
}

impl Formats {
    /// The format of a body cell: centred for a number, else left.
    fn body(&self, numeric: bool) -> &Format {
        if numeric { &self.number } else { &self.name }
    }

    fn new() -> Formats {
        let body = Format::new().set_font_name(BODY_FONT).set_font_size(11);
        let boxed = body
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        Formats {
            title: Format::new()
                .set_font_name(HEADING_FONT)
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            header: boxed
                .clone()
                .set_font_name(HEADING_FONT)
                .set_align(FormatAlign::Center),
            name: boxed.clone().set_align(FormatAlign::Left),
            number: boxed.set_align(FormatAlign::Center),
            note: body
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
        }
    }
}

/// The appendix table as an XLSX workbook of one sheet, laid out as the CSV
/// is: title, header rows (spanning cells merged), rows (a cell spanning
/// rows merged over the cells it covers), an empty row, notes.
/// Numbers are numeric cells; text that looks like a formula is stored with
/// Excel's quote prefix, so it shows as typed and is never evaluated.
pub fn to_xlsx(appendix: &AppendixView, meta: &Meta) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(ZIP_LEVEL);
    workbook.set_properties(&properties(appendix, meta)?);
    let sheet = workbook.add_worksheet();
    sheet.set_name(format!("附件{}", appendix.number))?;
    let formats = Formats::new();
    let columns = width(appendix);
    let widths = column_widths(appendix, columns);
    for (column, width) in widths.iter().enumerate() {
        sheet.set_column_width(col(column), *width)?;
    }
    let line_width: f64 = widths.iter().sum();

    sheet.set_row_height(0, 2.0 * LINE_HEIGHT + 6.0)?;
    write_span(sheet, (0, 0), (1, columns), &appendix.title, &formats.title)?;
    let top = 1;
    let header = place(&appendix.header);
    for cell in &header {
        let at = (top + cell.row, cell.column);
        let span = (cell.rows, cell.columns);
        write_span(sheet, at, span, cell.text, &formats.header)?;
    }
    // Excel does not fit a row to wrapped text in merged cells, so each
    // header row is made tall enough for its most-wrapped cell.
    for (index, lines) in header_lines(&header, &widths).into_iter().enumerate() {
        sheet.set_row_height(row(top + index), lines * LINE_HEIGHT + 4.0)?;
    }
    let first_row = top + appendix.header.len();
    write_body(sheet, first_row, appendix, &formats)?;
    let mut next = first_row + appendix.rows.len();
    if !appendix.notes.is_empty() {
        next += 1;
        let lead = std::iter::once(NOTES_LEAD.to_string());
        let notes = appendix
            .notes
            .iter()
            .enumerate()
            .map(|(index, note)| note_line(index, note));
        for text in lead.chain(notes) {
            let lines = (display_width(&text) / line_width).ceil().max(1.0);
            sheet.set_row_height(row(next), lines * LINE_HEIGHT)?;
            write_span(sheet, (next, 0), (1, columns), &text, &formats.note)?;
            next += 1;
        }
    }
    print_setup(sheet, top, first_row)?;
    workbook.save_to_buffer()
}

fn properties(appendix: &AppendixView, meta: &Meta) -> Result<DocProperties, XlsxError> {
    let issued = meta.issued;
    // A year outside Excel's range makes from_ymd fail, which is reported.
    let year = u16::try_from(issued.year()).unwrap_or(0);
    let created = ExcelDateTime::from_ymd(year, issued.month() as u8, issued.day() as u8)?;
    Ok(DocProperties::new()
        .set_title(format!("附件{} {}", appendix.number, appendix.title))
        .set_author(meta.office)
        .set_company(meta.office)
        .set_creation_datetime(&created))
}

/// Prints on A4, one page wide, centred, repeating the header rows on every
/// page and freezing them (with the rank and unit columns) on screen.
fn print_setup(sheet: &mut Worksheet, top: usize, first_row: usize) -> Result<(), XlsxError> {
    sheet
        .set_paper_size(PAPER_A4)
        .set_portrait()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true);
    sheet.set_repeat_rows(row(top), row(first_row - 1))?;
    sheet.set_freeze_panes(row(first_row), 2)?;
    Ok(())
}

/// Writes text into a block of `span` (rows, columns) cells at `at`,
/// merging the block when it is larger than one cell.
fn write_span(
    sheet: &mut Worksheet,
    at: (usize, usize),
    span: (usize, usize),
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    let format = guarded(format, text);
    let (first_row, first_column) = (row(at.0), col(at.1));
    if span == (1, 1) {
        sheet.write_string_with_format(first_row, first_column, text, &format)?;
    } else {
        let last_row = row(at.0 + span.0 - 1);
        let last_column = col(at.1 + span.1 - 1);
        sheet.merge_range(
            first_row,
            first_column,
            last_row,
            last_column,
            text,
            &format,
        )?;
    }
    Ok(())
}

/// Writes the table's rows from `first_row` down. A cell spanning rows is
/// merged over the cells it covers.
///
/// rust_xlsxwriter finds a cell's format by hashing the whole `Format`; done
/// for every cell, that was a third of a workbook's time (6% of a
/// 2,000-period build). So the values are written bare, and each column's
/// runs of cells that share a format get it in one call
/// ([`Worksheet::set_range_format`]). The workbook is byte for byte the one
/// that formatting each cell made.
fn write_body(
    sheet: &mut Worksheet,
    first_row: usize,
    appendix: &AppendixView,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let mut runs = Runs::default();
    for (index, cells) in appendix.rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate() {
            let at = (first_row + index, column);
            match (cell.covered, cell.rowspan) {
                // Merged into the cell above that spans it.
                (true, _) => {}
                (false, 0 | 1) if number(cell).is_none() && is_formula_like(&cell.text) => {
                    let format = guarded(formats.body(cell.numeric), &cell.text);
                    sheet.write_string_with_format(row(at.0), col(at.1), &cell.text, &format)?;
                }
                (false, 0 | 1) => {
                    write_value(sheet, at, cell)?;
                    runs.add(at, cell.numeric);
                }
                (false, rows) => write_span(sheet, at, (rows, 1), &cell.text, &formats.name)?,
            }
        }
    }
    for run in runs.finish() {
        let format = formats.body(run.numeric);
        let (first, last, column) = (row(run.first), row(run.last), col(run.column));
        sheet.set_range_format(first, column, last, column, format)?;
    }
    Ok(())
}

/// A cell's value, bare: a number as a number, other text as a string, an
/// empty cell left for its format to create.
fn write_value(sheet: &mut Worksheet, at: (usize, usize), cell: &Cell) -> Result<(), XlsxError> {
    let (r, c) = (row(at.0), col(at.1));
    match number(cell) {
        Some(number) => {
            sheet.write_number(r, c, number)?;
        }
        None if cell.text.is_empty() => {}
        None => {
            sheet.write_string(r, c, &cell.text)?;
        }
    }
    Ok(())
}

/// A cell's value as Excel stores it, when it is a number.
fn number(cell: &Cell) -> Option<f64> {
    cell.value.and_then(|value| value.to_f64())
}

/// One column's consecutive body rows that take the same format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    column: usize,
    first: usize,
    last: usize,
    numeric: bool,
}

/// The runs of the body's cells, as the cells are written row by row.
#[derive(Default)]
struct Runs {
    /// Each column's run in progress.
    open: Vec<Option<Run>>,
    done: Vec<Run>,
}

impl Runs {
    fn add(&mut self, (at_row, column): (usize, usize), numeric: bool) {
        if self.open.len() <= column {
            self.open.resize(column + 1, None);
        }
        let slot = &mut self.open[column];
        match slot {
            Some(run) if run.last + 1 == at_row && run.numeric == numeric => run.last = at_row,
            _ => {
                self.done.extend(slot.take());
                *slot = Some(Run {
                    column,
                    first: at_row,
                    last: at_row,
                    numeric,
                });
            }
        }
    }

    /// Every run, column by column, top to bottom: the order the formats
    /// are first met in is the order they are numbered in the workbook.
    fn finish(mut self) -> Vec<Run> {
        self.done.extend(self.open.into_iter().flatten());
        self.done.sort_by_key(|run| (run.column, run.first));
        self.done
    }
}

/// `format`, with Excel's quote prefix when `text` looks like a formula.
fn guarded(format: &Format, text: &str) -> Format {
    if is_formula_like(text) {
        format.clone().set_quote_prefix()
    } else {
        format.clone()
    }
}

/// Column widths in Excel's units (the width of a `0`): wide enough for the
/// widest cell of each column, where header text may wrap onto a few lines.
fn column_widths(appendix: &AppendixView, columns: usize) -> Vec<f64> {
    const NARROWEST: f64 = 6.0;
    const HEADER_LINE: f64 = 10.0;
    const WIDEST: f64 = 40.0;
    let mut widths = vec![NARROWEST; columns];
    let placed = place(&appendix.header);
    let headers = placed.iter().filter(|cell| cell.columns == 1).map(|cell| {
        (
            cell.column,
            (display_width(cell.text) + 2.0).min(HEADER_LINE),
        )
    });
    let cells = appendix.rows.iter().flat_map(|row| {
        row.iter()
            .enumerate()
            .map(|(column, cell)| (column, display_width(&cell.text) + 2.0))
    });
    for (column, wanted) in headers.chain(cells) {
        if let Some(width) = widths.get_mut(column) {
            *width = width.max(wanted.min(WIDEST));
        }
    }
    widths
}

/// The number of lines each header row needs, from the cells that lie in
/// that row alone (a cell spanning rows has their combined height).
fn header_lines(header: &[Placed], widths: &[f64]) -> Vec<f64> {
    let rows = header
        .iter()
        .map(|cell| cell.row + cell.rows)
        .max()
        .unwrap_or(0);
    let mut lines = vec![1.0_f64; rows];
    for cell in header.iter().filter(|cell| cell.rows == 1) {
        let width: f64 = widths.iter().skip(cell.column).take(cell.columns).sum();
        let needed = (display_width(cell.text) / (width - 1.0).max(1.0)).ceil();
        lines[cell.row] = lines[cell.row].max(needed);
    }
    lines
}

/// How wide text shows, in widths of a `0`: a Chinese character takes two.
fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

/// Sheet sizes are small (a table of a few hundred rows); a position past
/// Excel's limits is reported by rust_xlsxwriter as an error, so clamping
/// here cannot hide one.
fn row(index: usize) -> RowNum {
    RowNum::try_from(index).unwrap_or(RowNum::MAX)
}

fn col(index: usize) -> ColNum {
    ColNum::try_from(index).unwrap_or(ColNum::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(column: usize, first: usize, last: usize, numeric: bool) -> Run {
        Run {
            column,
            first,
            last,
            numeric,
        }
    }

    #[test]
    fn runs_break_where_the_kind_changes_or_a_cell_is_skipped() {
        let mut runs = Runs::default();
        // Column 0 numbers in rows 3-5; column 1 names in rows 3-4, a
        // merged cell covers row 5, a name again in row 6; column 2 turns
        // from numbers to text at row 5.
        for (at, numeric) in [
            ((3, 0), true),
            ((3, 1), false),
            ((3, 2), true),
            ((4, 0), true),
            ((4, 1), false),
            ((4, 2), true),
            ((5, 0), true),
            ((5, 2), false),
            ((6, 1), false),
        ] {
            runs.add(at, numeric);
        }
        assert_eq!(
            runs.finish(),
            [
                run(0, 3, 5, true),
                run(1, 3, 4, false),
                run(1, 6, 6, false),
                run(2, 3, 4, true),
                run(2, 5, 5, false),
            ]
        );
    }
}
