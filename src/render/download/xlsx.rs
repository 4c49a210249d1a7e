//! XLSX: the table as an Excel workbook with merged header cells, borders,
//! column widths, and a print setup (A4, header rows repeated on every page).
//!
//! SpreadsheetML is written here directly and zipped as a package
//! ([`crate::render::package`]), as the Word document is. rust_xlsxwriter
//! wrote these workbooks until it was measured as half of a 2,000-period
//! build's time (docs/PERFORMANCE.md, tenth pass): it starts and joins a
//! thread for every workbook, sets up a compressor for each of its ten
//! parts, and hashes every cell's format. A workbook here is one sheet of
//! a known layout: its four parts that never change ([`FIXED`]) are
//! deflated once per process, and each workbook writes and deflates only
//! its sheet, its workbook part and its properties.
//!
//! Text is stored inline in its cell (`inlineStr`), numbers as the exact
//! decimals the page shows. The workbook's creation date is the notice's
//! issue date, not the clock, so the same content always builds the same
//! bytes.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::OnceLock;

use super::{DownloadError, Meta, NOTES_LEAD, Placed, is_formula_like, note_line, place, width};
use rust_decimal::Decimal;

use crate::load::CELL_LIMIT;
use crate::render::package::{
    self, APP, CONTENT_TYPES, CORE, DECLARATION, PACKAGE_RELS, Part, escape, escape_char,
};
use crate::render::view::{AppendixView, Cell};

/// The workbook's own parts, by name.
const WORKBOOK: &str = "xl/workbook.xml";
const WORKBOOK_RELS: &str = "xl/_rels/workbook.xml.rels";
const STYLES: &str = "xl/styles.xml";
const SHEET: &str = "xl/worksheets/sheet1.xml";

/// The SpreadsheetML namespace, and the relationships namespace.
const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;
/// Font of the title and header rows, and of the body, as Excel and WPS
/// name the fonts every Chinese Windows has.
const HEADING_FONT: &str = "黑体";
const BODY_FONT: &str = "宋体";

/// The sheet's fonts, numbered in `styles.xml` in this order; the first is
/// the workbook's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Font {
    Body,
    Title,
    Heading,
}

impl Font {
    const ALL: [Font; 3] = [Font::Body, Font::Title, Font::Heading];

    /// The font's number in `styles.xml`.
    fn index(self) -> usize {
        match self {
            Font::Body => 0,
            Font::Title => 1,
            Font::Heading => 2,
        }
    }

    /// Its name and size in points.
    fn face(self) -> (&'static str, u8) {
        match self {
            Font::Body => (BODY_FONT, 11),
            Font::Title => (HEADING_FONT, 16),
            Font::Heading => (HEADING_FONT, 11),
        }
    }
}
/// Height of one line of body text, in points.
const LINE_HEIGHT: f64 = 15.0;
/// How many rows and columns a sheet can hold.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;

/// Writes the text of one of the [`FIXED`] parts.
type Writer = fn() -> String;

/// The parts that are the same in every workbook, in the order they are
/// zipped among the others.
const FIXED: [(&str, Writer); 4] = [
    (CONTENT_TYPES, content_types),
    (PACKAGE_RELS, || package::package_relationships(WORKBOOK)),
    (WORKBOOK_RELS, workbook_relationships),
    (STYLES, styles),
];

/// The appendix table as an XLSX workbook of one sheet, laid out as the CSV
/// is: title, header rows (spanning cells merged), rows (a cell spanning
/// rows merged over the cells it covers), an empty row, notes.
/// Numbers are numeric cells; text that looks like a formula is stored with
/// Excel's quote prefix, so it shows as typed and is never evaluated.
pub fn to_xlsx(appendix: &AppendixView, meta: &Meta) -> Result<Vec<u8>, DownloadError> {
    let columns = width(appendix);
    let sheet_name = format!("附件{}", appendix.number);
    let layout = lay_out(appendix, columns)?;
    let title = format!("附件{} {}", appendix.number, appendix.title);
    let fixed = fixed_parts();
    let parts = [
        fixed_part(CONTENT_TYPES, fixed),
        fixed_part(PACKAGE_RELS, fixed),
        (APP, Part::Text(package::app(Some(meta.office)))),
        (
            CORE,
            Part::Text(package::core(&title, meta.office, meta.issued)),
        ),
        fixed_part(WORKBOOK_RELS, fixed),
        (WORKBOOK, Part::Text(workbook(&sheet_name, &layout))),
        fixed_part(STYLES, fixed),
        (SHEET, Part::Text(layout.sheet_xml())),
    ];
    package::package(&parts, fixed.unwrap_or_default(), meta.issued)
        .map_err(|error| DownloadError::Failed(format!("Excel 文件写入出错（{error}）")))
}

/// The part `name` of [`FIXED`]: copied from `archive`, or written and
/// deflated here when there is none.
fn fixed_part(name: &'static str, archive: Option<&[u8]>) -> (&'static str, Part) {
    let part = match archive {
        Some(_) => Part::Fixed,
        None => {
            let write = FIXED.iter().find(|(fixed, _)| *fixed == name);
            Part::Text(write.map_or_else(String::new, |(_, write)| write()))
        }
    };
    (name, part)
}

/// The fixed parts, deflated once for the whole process; `None` if they
/// could not be zipped, when each workbook deflates them itself.
fn fixed_parts() -> Option<&'static [u8]> {
    static ARCHIVE: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    ARCHIVE
        .get_or_init(|| {
            let texts = FIXED.map(|(name, write)| (name, write()));
            package::archive(&texts).ok()
        })
        .as_deref()
}

/// A cell's look: each is one cell format of [`styles`], and again with
/// Excel's quote prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Look {
    Title,
    Header,
    Name,
    Number,
    Note,
}

impl Look {
    const ALL: [Look; 5] = [
        Look::Title,
        Look::Header,
        Look::Name,
        Look::Number,
        Look::Note,
    ];

    /// A body cell's look: centred for a number, else left.
    fn body(numeric: bool) -> Look {
        if numeric { Look::Number } else { Look::Name }
    }

    /// The cell format: font, whether the cell is boxed, and its
    /// horizontal and vertical alignment. Every look wraps text.
    fn format(self) -> (Font, bool, &'static str, &'static str) {
        match self {
            Look::Title => (Font::Title, false, "center", "center"),
            Look::Header => (Font::Heading, true, "center", "center"),
            Look::Name => (Font::Body, true, "left", "center"),
            Look::Number => (Font::Body, true, "center", "center"),
            Look::Note => (Font::Body, false, "left", "top"),
        }
    }

    /// The index of the look's cell format; format 0 is the default.
    fn style(self, quoted: bool) -> usize {
        let position = match self {
            Look::Title => 0,
            Look::Header => 1,
            Look::Name => 2,
            Look::Number => 3,
            Look::Note => 4,
        };
        let quoted = if quoted { Look::ALL.len() } else { 0 };
        1 + position + quoted
    }
}

/// A cell's value as the sheet stores it.
enum Value<'a> {
    /// A formatted cell with nothing in it.
    Blank,
    /// An exact decimal, as the page shows it.
    Number(Decimal),
    Text(Cow<'a, str>),
}

/// One written cell: its format and value.
struct Entry<'a> {
    style: usize,
    value: Value<'a>,
}

/// One row: its height in points when set, and its cells by column.
#[derive(Default)]
struct Row<'a> {
    height: Option<f64>,
    cells: Vec<Option<Entry<'a>>>,
}

/// The cells of the sheet, row by row, and its merged blocks.
#[derive(Default)]
struct Sheet<'a> {
    rows: Vec<Row<'a>>,
    /// First row, first column, last row, last column of each block.
    merged: Vec<(usize, usize, usize, usize)>,
}

/// The sheet, with where its header rows start and end and its columns'
/// widths, in Excel's units.
struct Layout<'a> {
    sheet: Sheet<'a>,
    columns: usize,
    widths: Vec<f64>,
    /// The first header row, and the first row after the header.
    header: (usize, usize),
}

/// Places the appendix's title, header, rows and notes on the sheet.
fn lay_out(appendix: &AppendixView, columns: usize) -> Result<Layout<'_>, DownloadError> {
    let mut sheet = Sheet::default();
    let widths = column_widths(appendix, columns);
    let line_width: f64 = widths.iter().sum();

    sheet.height(0, 2.0 * LINE_HEIGHT + 6.0);
    sheet.span((0, 0), (1, columns), &appendix.title, Look::Title)?;
    let top = 1;
    let header = place(&appendix.header);
    for cell in &header {
        let at = (top + cell.row, cell.column);
        sheet.span(at, (cell.rows, cell.columns), cell.text, Look::Header)?;
    }
    // Excel does not fit a row to wrapped text in merged cells, so each
    // header row is made tall enough for its most-wrapped cell.
    for (index, lines) in header_lines(&header, &widths).into_iter().enumerate() {
        sheet.height(top + index, lines * LINE_HEIGHT + 4.0);
    }
    let first_row = top + appendix.header.len();
    for (index, cells) in appendix.rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate() {
            sheet.body_cell((first_row + index, column), cell)?;
        }
    }
    let mut next = first_row + appendix.rows.len();
    if !appendix.notes.is_empty() {
        next += 1;
        let notes = appendix
            .notes
            .iter()
            .enumerate()
            .map(|(index, note)| note_line(index, note));
        for text in std::iter::once(NOTES_LEAD.to_string()).chain(notes) {
            let lines = (display_width(&text) / line_width).ceil().max(1.0);
            sheet.height(next, lines * LINE_HEIGHT);
            sheet.span((next, 0), (1, columns), text, Look::Note)?;
            next += 1;
        }
    }
    if sheet.rows.len() > MAX_ROWS || columns > MAX_COLUMNS {
        return Err(DownloadError::Failed(format!(
            "表格有 {} 行、{columns} 列，超出 Excel 工作表的上限（{MAX_ROWS} 行、{MAX_COLUMNS} 列）",
            sheet.rows.len()
        )));
    }
    Ok(Layout {
        sheet,
        columns,
        widths,
        header: (top, first_row),
    })
}

impl<'a> Sheet<'a> {
    fn row(&mut self, row: usize) -> &mut Row<'a> {
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Row::default);
        }
        &mut self.rows[row]
    }

    fn height(&mut self, row: usize, points: f64) {
        self.row(row).height = Some(points);
    }

    fn put(&mut self, (row, column): (usize, usize), entry: Entry<'a>) {
        let cells = &mut self.row(row).cells;
        if cells.len() <= column {
            cells.resize_with(column + 1, || None);
        }
        cells[column] = Some(entry);
    }

    /// Writes text into a block of `span` (rows, columns) cells at `at`,
    /// merging the block when it is larger than one cell: the covered
    /// cells are written blank in the same format, so the block's borders
    /// show all round it.
    fn span(
        &mut self,
        at: (usize, usize),
        span: (usize, usize),
        text: impl Into<Cow<'a, str>>,
        look: Look,
    ) -> Result<(), DownloadError> {
        let text = fit(text.into())?;
        let style = look.style(is_formula_like(&text));
        let (rows, columns) = (span.0.max(1), span.1.max(1));
        for row in at.0..at.0 + rows {
            for column in at.1..at.1 + columns {
                let value = Value::Blank;
                self.put((row, column), Entry { style, value });
            }
        }
        // A text that shows nothing is a blank cell, not an empty string.
        let value = if text.chars().any(shown) {
            Value::Text(text)
        } else {
            Value::Blank
        };
        self.put(at, Entry { style, value });
        if (rows, columns) != (1, 1) {
            let last = (at.0 + rows - 1, at.1 + columns - 1);
            self.merged.push((at.0, at.1, last.0, last.1));
        }
        Ok(())
    }

    /// A body cell: a number as a number, other text as text (an empty
    /// cell blank, in its column's format). A cell spanning rows is merged
    /// over the cells it covers, which are then left alone here.
    fn body_cell(&mut self, at: (usize, usize), cell: &'a Cell) -> Result<(), DownloadError> {
        let look = Look::body(cell.numeric);
        match (cell.covered, cell.rowspan, cell.value) {
            (true, _, _) => Ok(()),
            (false, 0 | 1, Some(number)) => {
                let (style, value) = (look.style(false), Value::Number(number));
                self.put(at, Entry { style, value });
                Ok(())
            }
            (false, 0 | 1, None) => self.span(at, (1, 1), cell.text.as_str(), look),
            (false, rows, _) => self.span(at, (rows, 1), cell.text.as_str(), Look::Name),
        }
    }
}

impl Layout<'_> {
    /// `xl/worksheets/sheet1.xml`, the parts in the order the schema sets.
    fn sheet_xml(&self) -> String {
        let (_, first_row) = self.header;
        let sheet = &self.sheet;
        let last = cell_name(
            sheet.rows.len().saturating_sub(1),
            self.columns.saturating_sub(1),
        );
        let mut out = format!(
            "{DECLARATION}<worksheet xmlns=\"{MAIN}\" xmlns:r=\"{RELATIONSHIPS}\">\
<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr><dimension ref=\"A1:{last}\"/>"
        );
        // The header rows and the rank and unit columns stay on screen.
        let _ = write!(
            out,
            "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">\
<pane xSplit=\"2\" ySplit=\"{first_row}\" topLeftCell=\"{}\" activePane=\"bottomRight\" state=\"frozen\"/>\
<selection pane=\"topRight\"/><selection pane=\"bottomLeft\"/><selection pane=\"bottomRight\"/>\
</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"{LINE_HEIGHT}\"/><cols>",
            cell_name(first_row, 2)
        );
        for (index, width) in self.widths.iter().enumerate() {
            let (number, width) = (index + 1, stored_width(*width));
            let _ = write!(
                out,
                "<col min=\"{number}\" max=\"{number}\" width=\"{width}\" customWidth=\"1\"/>"
            );
        }
        out.push_str("</cols><sheetData>");
        for (index, row) in sheet.rows.iter().enumerate() {
            write_row(&mut out, index, row);
        }
        out.push_str("</sheetData>");
        if !sheet.merged.is_empty() {
            let _ = write!(out, "<mergeCells count=\"{}\">", sheet.merged.len());
            for (row, column, last_row, last_column) in &sheet.merged {
                let (first, last) = (cell_name(*row, *column), cell_name(*last_row, *last_column));
                let _ = write!(out, "<mergeCell ref=\"{first}:{last}\"/>");
            }
            out.push_str("</mergeCells>");
        }
        // Printed on A4, one page wide, centred; the header rows repeat on
        // every page (see `workbook`).
        let _ = write!(
            out,
            "<printOptions horizontalCentered=\"1\"/>\
<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
<pageSetup paperSize=\"{PAPER_A4}\" fitToHeight=\"0\" orientation=\"portrait\"/></worksheet>"
        );
        out
    }
}

/// Appends one `row` element (at `index` from 0) and its cells.
fn write_row(out: &mut String, index: usize, row: &Row) {
    let number = index + 1;
    let _ = write!(out, "<row r=\"{number}\"");
    if let Some(height) = row.height {
        let _ = write!(out, " ht=\"{height}\" customHeight=\"1\"");
    }
    out.push('>');
    for (column, entry) in row.cells.iter().enumerate() {
        let Some(Entry { style, value }) = entry else {
            continue;
        };
        let name = cell_name(index, column);
        match value {
            Value::Blank => {
                let _ = write!(out, "<c r=\"{name}\" s=\"{style}\"/>");
            }
            Value::Number(number) => {
                let _ = write!(out, "<c r=\"{name}\" s=\"{style}\"><v>{number}</v></c>");
            }
            Value::Text(text) => {
                let _ = write!(out, "<c r=\"{name}\" s=\"{style}\" t=\"inlineStr\"><is>");
                write_text(out, text);
                out.push_str("</is></c>");
            }
        }
    }
    out.push_str("</row>");
}

/// Appends a cell's text as a `t` element. Tabs and line breaks are kept
/// (a wrapped cell shows the breaks); other control characters are
/// dropped. An `_` that would start one of Excel's `_xHHHH_` escapes is
/// itself escaped, so the text reads back as written.
fn write_text(out: &mut String, text: &str) {
    let text: Cow<str> = if text.chars().all(shown) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| shown(*c)).collect())
    };
    let edge_space = text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace);
    out.push_str(if edge_space {
        "<t xml:space=\"preserve\">"
    } else {
        "<t>"
    });
    for (at, c) in text.char_indices() {
        match c {
            '_' if starts_escape(&text[at..]) => out.push_str("_x005F_"),
            '\t' | '\n' => out.push(c),
            c => escape_char(out, c),
        }
    }
    out.push_str("</t>");
}

/// Whether [`write_text`] keeps `c`.
fn shown(c: char) -> bool {
    matches!(c, '\t' | '\n') || package::allowed(c)
}

/// Whether `text` starts with `_x`, four hexadecimal digits and `_`.
fn starts_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7
        && bytes.starts_with(b"_x")
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

/// `text`, refused when it is longer than a cell holds.
fn fit(text: Cow<'_, str>) -> Result<Cow<'_, str>, DownloadError> {
    if text.chars().count() > CELL_LIMIT {
        Err(DownloadError::CellTooLong)
    } else {
        Ok(text)
    }
}

/// A cell's name, `A1` for row 0 and column 0.
fn cell_name(row: usize, column: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = column + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        rest = (rest - 1) / 26;
    }
    let mut name: String = letters.into_iter().rev().collect();
    let _ = write!(name, "{}", row + 1);
    name
}

/// A column width as the file stores it: `width` characters of the
/// default font's widest digit (7 pixels at 11 points) plus 5 pixels of
/// padding, in 256ths of a digit (ECMA-376 Part 1, 18.3.1.13).
fn stored_width(width: f64) -> f64 {
    let pixels = (width * 7.0 + 5.0).round();
    (pixels / 7.0 * 256.0).floor() / 256.0
}

/// `xl/workbook.xml`: the one sheet, and its header rows as the rows
/// printed at the top of every page.
fn workbook(sheet_name: &str, layout: &Layout) -> String {
    let name = escape(sheet_name);
    let (top, first_row) = layout.header;
    let titles = if first_row > top {
        // Quoted, with any quote in the name doubled, as a formula names
        // a sheet.
        let quoted = name.replace('\'', "''");
        format!(
            "<definedNames><definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">'{quoted}'!${}:${first_row}</definedName></definedNames>",
            top + 1
        )
    } else {
        String::new()
    };
    format!(
        "{DECLARATION}<workbook xmlns=\"{MAIN}\" xmlns:r=\"{RELATIONSHIPS}\">\
<bookViews><workbookView/></bookViews><sheets><sheet name=\"{name}\" sheetId=\"1\" r:id=\"rId1\"/></sheets>\
{titles}</workbook>"
    )
}

fn content_types() -> String {
    const TYPES: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    package::content_types(&[
        (WORKBOOK, format!("{TYPES}.sheet.main+xml")),
        (SHEET, format!("{TYPES}.worksheet+xml")),
        (STYLES, format!("{TYPES}.styles+xml")),
    ])
}

fn workbook_relationships() -> String {
    let relative = |part: &'static str| part.trim_start_matches("xl/");
    package::relationships(&[
        (
            "rId1",
            "officeDocument/2006/relationships/worksheet",
            relative(SHEET),
        ),
        (
            "rId2",
            "officeDocument/2006/relationships/styles",
            relative(STYLES),
        ),
    ])
}

/// `xl/styles.xml`: the [`Font`]s, no border or a thin one, and a cell format for each [`Look`], plain
/// and then with the quote prefix.
fn styles() -> String {
    let mut fonts = String::new();
    for font in Font::ALL {
        let (name, size) = font.face();
        let _ = write!(
            fonts,
            "<font><sz val=\"{size}\"/><name val=\"{name}\"/><family val=\"3\"/><charset val=\"134\"/></font>"
        );
    }
    let thin = |side: &str| format!("<{side} style=\"thin\"><color auto=\"1\"/></{side}>");
    let mut formats =
        String::from("<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>");
    for quoted in [false, true] {
        for look in Look::ALL {
            let (font, boxed, horizontal, vertical) = look.format();
            let font = font.index();
            let prefix = if quoted { " quotePrefix=\"1\"" } else { "" };
            let _ = write!(
                formats,
                "<xf numFmtId=\"0\" fontId=\"{font}\" fillId=\"0\" borderId=\"{}\" xfId=\"0\" \
applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"{prefix}>\
<alignment horizontal=\"{horizontal}\" vertical=\"{vertical}\" wrapText=\"1\"/></xf>",
                u8::from(boxed)
            );
        }
    }
    format!(
        "{DECLARATION}<styleSheet xmlns=\"{MAIN}\">\
<fonts count=\"{}\">{fonts}</fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border>{}{}{}{}<diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"{}\">{formats}</cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>",
        Font::ALL.len(),
        thin("left"),
        thin("right"),
        thin("top"),
        thin("bottom"),
        1 + 2 * Look::ALL.len(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_by_column_letters_and_row_number() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(4, 2), "C5");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(9, 701), "ZZ10");
        assert_eq!(cell_name(0, 702), "AAA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn widths_are_stored_as_excel_stores_them() {
        // Excel's default column, 8.43 digits, is stored as 9.140625.
        assert_eq!(stored_width(8.43), 9.140625);
        assert_eq!(stored_width(6.0), 6.7109375);
        assert_eq!(stored_width(40.0), 40.7109375);
    }

    fn text(text: &str) -> String {
        let mut out = String::new();
        write_text(&mut out, text);
        out
    }

    #[test]
    fn text_is_escaped_for_xml_and_for_excel() {
        assert_eq!(text("a<b>&c"), "<t>a&lt;b&gt;&amp;c</t>");
        assert_eq!(
            text("_x0041_ _x41_ _xZZZZ_"),
            "<t>_x005F_x0041_ _x41_ _xZZZZ_</t>"
        );
        assert_eq!(
            text(" 甲\n乙\u{7}"),
            "<t xml:space=\"preserve\"> 甲\n乙</t>"
        );
        assert_eq!(text(""), "<t></t>");
    }

    #[test]
    fn a_text_showing_nothing_is_a_blank_cell() {
        let mut sheet = Sheet::default();
        for (column, text) in ["", "\u{7}", " "].into_iter().enumerate() {
            sheet
                .span((0, column), (1, 1), text, Look::Name)
                .expect("fits");
        }
        let values: Vec<bool> = sheet.rows[0]
            .cells
            .iter()
            .map(|entry| {
                matches!(
                    entry,
                    Some(Entry {
                        value: Value::Blank,
                        ..
                    })
                )
            })
            .collect();
        // A lone space still shows, as typed.
        assert_eq!(values, [true, true, false]);
    }

    #[test]
    fn an_edge_space_is_kept_when_a_dropped_character_follows_it() {
        assert_eq!(text("a \u{7}"), "<t xml:space=\"preserve\">a </t>");
        assert_eq!(text("\u{7} a"), "<t xml:space=\"preserve\"> a</t>");
    }

    #[test]
    fn each_look_has_its_own_format_plain_and_quoted() {
        let mut styles: Vec<usize> = [false, true]
            .into_iter()
            .flat_map(|quoted| Look::ALL.map(|look| look.style(quoted)))
            .collect();
        styles.sort();
        let expected: Vec<usize> = (1..=2 * Look::ALL.len()).collect();
        assert_eq!(styles, expected);
        // Formats are written in this order: default, plain, quoted.
        for (index, look) in Look::ALL.into_iter().enumerate() {
            assert_eq!(look.style(false), 1 + index);
        }
        let xml = styles_xml_formats();
        assert_eq!(xml.len(), 1 + 2 * Look::ALL.len());
        for look in Look::ALL {
            assert!(!xml[look.style(false)].contains("quotePrefix"));
            assert!(xml[look.style(true)].contains("quotePrefix=\"1\""));
        }
    }

    /// The `xf` elements of `cellXfs`, in order.
    fn styles_xml_formats() -> Vec<String> {
        let styles = styles();
        let start = styles.find("<cellXfs").expect("cellXfs");
        let end = styles.find("</cellXfs>").expect("end of cellXfs");
        styles[start..end]
            .split("<xf ")
            .skip(1)
            .map(str::to_string)
            .collect()
    }

    mod round_trip {
        //! Any table, written as a workbook and read back by calamine (a
        //! reader written apart from this writer), gives back its texts,
        //! numbers and merged cells.

        use std::io::Cursor;

        use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
        use chrono::NaiveDate;
        use proptest::prelude::*;
        use rust_decimal::Decimal;
        use rust_decimal::prelude::ToPrimitive;

        use super::super::super::Meta;
        use super::to_xlsx;
        use crate::render::view::{AppendixView, Cell, HeaderCell};

        /// Text made of what escaping must get right: markup, quotes,
        /// formula starts, Excel's `_xHHHH_` escapes, edge spaces, tabs,
        /// line breaks, control characters, Chinese.
        fn text() -> impl Strategy<Value = String> {
            let pieces = prop::sample::select(vec![
                "a", "字", "<", ">", "&", "\"", "'", "=", "+", "-", "@", "_x0041_", "_x00", "_",
                " ", "\t", "\n", "\r", "\u{7}", "\u{85}", "1", "2.5",
            ]);
            prop::collection::vec(pieces, 0..8).prop_map(|pieces| pieces.concat())
        }

        /// A body cell: a number, a text, or empty.
        fn cell() -> impl Strategy<Value = Cell> {
            prop_oneof![
                (-10_000i64..10_000, 0u32..3)
                    .prop_map(|(mantissa, scale)| { Cell::number(Decimal::new(mantissa, scale)) }),
                text().prop_map(Cell::text),
            ]
        }

        fn header(text: String) -> HeaderCell {
            HeaderCell {
                text,
                colspan: 1,
                rowspan: 1,
                scope: "col",
            }
        }

        /// A table of 2 to 5 columns: one header row whose last cell may
        /// span two columns, rows whose second cell may span the row
        /// below it, and notes.
        fn table() -> impl Strategy<Value = AppendixView> {
            (2usize..6).prop_flat_map(|columns| {
                (
                    text(),
                    prop::collection::vec(text(), columns),
                    any::<bool>(),
                    prop::collection::vec(prop::collection::vec(cell(), columns), 0..6),
                    prop::collection::vec(any::<bool>(), 6),
                    prop::collection::vec(text(), 0..3),
                )
                    .prop_map(
                        |(title, heads, spanning, mut rows, spans, notes)| {
                            let mut heads: Vec<HeaderCell> =
                                heads.into_iter().map(header).collect();
                            if spanning {
                                // The last two columns under one heading.
                                heads.pop();
                                if let Some(last) = heads.last_mut() {
                                    last.colspan = 2;
                                }
                            }
                            span_rows(&mut rows, &spans);
                            AppendixView {
                                number: 1,
                                anchor: "fujian1".to_string(),
                                id: "towns".to_string(),
                                title,
                                header: vec![heads],
                                rows,
                                notes,
                                downloads: Vec::new(),
                                sheets: Vec::new(),
                                result: None,
                            }
                        },
                    )
            })
        }

        /// Makes the second cell of each row `spans` picks span the row
        /// below it too, as a unit's name heads its findings.
        fn span_rows(rows: &mut [Vec<Cell>], spans: &[bool]) {
            let mut index = 0;
            while index + 1 < rows.len() {
                if spans[index] && !rows[index][1].covered {
                    let name = rows[index][1].text.clone();
                    rows[index][1] = Cell {
                        rowspan: 2,
                        ..Cell::text(name.clone())
                    };
                    rows[index + 1][1] = Cell {
                        covered: true,
                        ..Cell::text(name)
                    };
                    index += 2;
                } else {
                    index += 1;
                }
            }
        }

        /// `text` as a cell holds it: control characters but tabs and
        /// line breaks dropped, as XML 1.0 forbids most of them.
        fn kept(text: &str) -> String {
            text.chars()
                .filter(|c| matches!(c, '\t' | '\n') || !c.is_control())
                .collect()
        }

        /// The sheet's cells as calamine reads them, by (row, column), and
        /// its merged blocks as (first row, first column, last row, last
        /// column).
        type Read = (
            Vec<((usize, usize), Data)>,
            Vec<(usize, usize, usize, usize)>,
        );

        fn read(bytes: Vec<u8>) -> Read {
            let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("open");
            let name = workbook.sheet_names()[0].clone();
            let range = workbook.worksheet_range(&name).expect("sheet");
            let start = range.start().unwrap_or((0, 0));
            let cells = range
                .used_cells()
                .map(|(row, column, data)| {
                    let at = (row + start.0 as usize, column + start.1 as usize);
                    (at, data.clone())
                })
                .collect();
            let mut merged: Vec<_> = workbook
                .merge_cells_by_sheet_name(&name)
                .expect("merged cells")
                .iter()
                .map(|area| {
                    let (first, last) = (area.start, area.end);
                    (
                        first.0 as usize,
                        first.1 as usize,
                        last.0 as usize,
                        last.1 as usize,
                    )
                })
                .collect();
            merged.sort();
            (cells, merged)
        }

        /// What the sheet should hold: every non-empty cell by place, and
        /// the merged blocks.
        fn expected(table: &AppendixView, columns: usize) -> Read {
            let mut cells = Vec::new();
            let mut merged = vec![(0, 0, 0, columns - 1)];
            let text_at = |cells: &mut Vec<_>, at: (usize, usize), text: &str| {
                let text = kept(text);
                if !text.is_empty() {
                    cells.push((at, Data::String(text)));
                }
            };
            text_at(&mut cells, (0, 0), &table.title);
            let mut column = 0;
            for head in &table.header[0] {
                text_at(&mut cells, (1, column), &head.text);
                if head.colspan > 1 {
                    merged.push((1, column, 1, column + head.colspan - 1));
                }
                column += head.colspan;
            }
            for (index, row) in table.rows.iter().enumerate() {
                let at_row = 2 + index;
                for (column, cell) in row.iter().enumerate() {
                    match (cell.covered, cell.value) {
                        (true, _) => {}
                        (false, Some(value)) => {
                            let number = value.to_f64().expect("a small decimal");
                            cells.push(((at_row, column), Data::Float(number)));
                        }
                        (false, None) => text_at(&mut cells, (at_row, column), &cell.text),
                    }
                    if cell.rowspan > 1 {
                        merged.push((at_row, column, at_row + cell.rowspan - 1, column));
                    }
                }
            }
            if !table.notes.is_empty() {
                let lead = 2 + table.rows.len() + 1;
                text_at(&mut cells, (lead, 0), "注：");
                merged.push((lead, 0, lead, columns - 1));
                for (index, note) in table.notes.iter().enumerate() {
                    let at = lead + 1 + index;
                    text_at(&mut cells, (at, 0), &format!("{}. {note}", index + 1));
                    merged.push((at, 0, at, columns - 1));
                }
            }
            cells.sort_by_key(|(at, _)| *at);
            merged.sort();
            (cells, merged)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(96))]

            #[test]
            fn a_workbook_reads_back_as_its_table(table in table()) {
                let meta = Meta {
                    office: "莒南县人民政府办公室",
                    issued: NaiveDate::from_ymd_opt(2019, 6, 5).expect("date"),
                };
                let bytes = to_xlsx(&table, &meta).expect("a workbook");
                let columns = table.rows.first().map_or(table.header[0].len(), Vec::len);
                let columns = columns.max(table.header[0].iter().map(|head| head.colspan).sum());
                prop_assert_eq!(read(bytes), expected(&table, columns));
            }
        }
    }

    #[test]
    fn a_text_longer_than_a_cell_is_refused() {
        let long = "字".repeat(CELL_LIMIT + 1);
        assert_eq!(
            fit(Cow::Owned(long)).err(),
            Some(DownloadError::CellTooLong)
        );
        let full = "字".repeat(CELL_LIMIT);
        assert!(fit(Cow::Owned(full)).is_ok());
    }
}
