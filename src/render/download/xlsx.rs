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
    for (index, row) in appendix.rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            let at = (first_row + index, column);
            match (cell.covered, cell.rowspan) {
                // Merged into the cell above that spans it.
                (true, _) => {}
                (false, 0 | 1) => write_cell(sheet, at.0, at.1, cell, &formats)?,
                (false, rows) => write_span(sheet, at, (rows, 1), &cell.text, &formats.name)?,
            }
        }
    }
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

fn write_cell(
    sheet: &mut Worksheet,
    at_row: usize,
    at_column: usize,
    cell: &Cell,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let (r, c) = (row(at_row), col(at_column));
    let format = if cell.numeric {
        &formats.number
    } else {
        &formats.name
    };
    match cell.value.and_then(|value| value.to_f64()) {
        Some(number) => sheet.write_number_with_format(r, c, number, format)?,
        None if cell.text.is_empty() => sheet.write_blank(r, c, format)?,
        None => sheet.write_string_with_format(r, c, &cell.text, &guarded(format, &cell.text))?,
    };
    Ok(())
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
