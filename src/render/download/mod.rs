//! Downloads: each appendix table as a CSV and an XLSX file, cell for cell
//! what the notice page shows: the title, the header rows, the rows with
//! their computed columns, and the notes.
//!
//! Both files are built from the page's own [`AppendixView`], so a download
//! can never disagree with the page it is linked from.

mod csv;
mod xlsx;

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::load::CELL_LIMIT;

use super::format::Format;
use super::view::{AppendixView, HeaderCell};

pub use self::csv::to_csv;
pub use self::xlsx::to_xlsx;

/// The bytes of `appendix` as a file of `format`.
pub fn render(
    format: Format,
    appendix: &AppendixView,
    meta: &Meta,
) -> Result<Vec<u8>, DownloadError> {
    match format {
        Format::Csv => to_csv(appendix).map_err(|error| DownloadError::Failed(error.to_string())),
        Format::Xlsx => to_xlsx(appendix, meta),
    }
}

/// Why a download could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadError {
    /// A text is longer than an Excel cell holds ([`CELL_LIMIT`]).
    /// Validation refuses such a text where it is written; one that grows
    /// too long as its figures are filled in is only seen here.
    CellTooLong,
    /// Anything else, told as the writer told it.
    Failed(String),
}

impl std::fmt::Display for DownloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DownloadError::CellTooLong => write!(
                f,
                "表中有一段文字（标题、表头、单位名称或表注，代入数字之后）超出 Excel 单元格的上限 {CELL_LIMIT} 个字符"
            ),
            DownloadError::Failed(reason) => f.write_str(reason),
        }
    }
}

/// Document properties that spreadsheets record.
pub struct Meta<'a> {
    /// 发文机关, recorded as the author.
    pub office: &'a str,
    /// 成文日期, recorded as the creation date so that builds are repeatable.
    pub issued: NaiveDate,
}

/// A header cell at its place on the sheet, rows and columns from 0.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Placed<'a> {
    pub row: usize,
    pub column: usize,
    pub rows: usize,
    pub columns: usize,
    pub text: &'a str,
}

/// Places header cells the way HTML lays out a table: each cell goes into
/// the next column of its row that no cell from a row above still spans.
pub(super) fn place(header: &[Vec<HeaderCell>]) -> Vec<Placed<'_>> {
    let mut taken: Vec<Vec<bool>> = vec![Vec::new(); header.len()];
    let mut placed = Vec::new();
    for (row, cells) in header.iter().enumerate() {
        let mut column = 0;
        for cell in cells {
            while taken[row].get(column).copied().unwrap_or(false) {
                column += 1;
            }
            let rows = cell.rowspan.max(1).min(header.len() - row);
            let columns = cell.colspan.max(1);
            for spanned in &mut taken[row..row + rows] {
                if spanned.len() < column + columns {
                    spanned.resize(column + columns, false);
                }
                spanned[column..column + columns].fill(true);
            }
            placed.push(Placed {
                row,
                column,
                rows,
                columns,
                text: &cell.text,
            });
            column += columns;
        }
    }
    placed
}

/// The number of columns of the table: the widest of its header and rows.
pub(super) fn width(appendix: &AppendixView) -> usize {
    let header = place(&appendix.header)
        .iter()
        .map(|cell| cell.column + cell.columns)
        .max()
        .unwrap_or(0);
    let rows = appendix.rows.iter().map(Vec::len).max().unwrap_or(0);
    header.max(rows).max(1)
}

/// The lead line above the notes, as the page shows it.
pub(super) const NOTES_LEAD: &str = "注：";

/// A note as its numbered line, as the page's list shows it.
fn note_line(index: usize, note: &str) -> String {
    format!("{}. {note}", index + 1)
}

/// Whether a spreadsheet would read `text` as a formula: it starts with
/// `=`, `+`, `-` or `@`, or with a tab or carriage return, which some
/// programs skip before looking (OWASP, "CSV Injection").
pub fn is_formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text made safe for a CSV cell: formula-like text gets a leading `'`, which
/// spreadsheets show and never evaluate. Text that already looks neutralised
/// (`'` or more, then formula-like text) gets one too, so that [`unneutralise`]
/// gives every text back exactly.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if is_formula_like(text) || looks_neutralised(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text a CSV cell held before `neutralise`: the one `'` it added is
/// dropped, and any other text is left as it is. `tongbao import` reads the
/// downloads back through this.
pub fn unneutralise(text: &str) -> &str {
    if looks_neutralised(text) {
        &text[1..]
    } else {
        text
    }
}

/// Whether `text` is one or more `'` followed by formula-like text.
fn looks_neutralised(text: &str) -> bool {
    text.starts_with('\'') && is_formula_like(text.trim_start_matches('\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, colspan: usize, rowspan: usize) -> HeaderCell {
        HeaderCell {
            text: text.to_string(),
            colspan,
            rowspan,
            scope: "col",
        }
    }

    #[test]
    fn unneutralise_gives_back_exactly_what_neutralise_was_given() {
        let texts = [
            "=SUM(A1)",
            "+86",
            "-1",
            "@user",
            "\tx",
            "\rx",
            "'=x",
            "''=x",
            "'x",
            "'",
            "x'=",
            "十字路街道",
            "",
            "=",
            "'-",
        ];
        for text in texts {
            assert_eq!(unneutralise(&neutralise(text)), text, "{text:?}");
        }
        assert_eq!(neutralise("=x"), "'=x");
        assert_eq!(neutralise("'=x"), "''=x");
        assert_eq!(neutralise("'x"), "'x");
        assert_eq!(unneutralise("'x"), "'x");
    }

    #[test]
    fn header_cells_skip_columns_spanned_from_above() {
        let header = vec![
            vec![cell("序号", 1, 2), cell("单位", 1, 2), cell("组", 2, 1)],
            vec![cell("甲", 1, 1), cell("乙", 1, 1)],
        ];
        let placed = place(&header);
        let at: Vec<(usize, usize, usize, usize, &str)> = placed
            .iter()
            .map(|p| (p.row, p.column, p.rows, p.columns, p.text))
            .collect();
        assert_eq!(
            at,
            vec![
                (0, 0, 2, 1, "序号"),
                (0, 1, 2, 1, "单位"),
                (0, 2, 1, 2, "组"),
                (1, 2, 1, 1, "甲"),
                (1, 3, 1, 1, "乙"),
            ]
        );
    }

    #[test]
    fn formula_like_text_is_neutralised() {
        for text in ["=1+1", "+86", "-单位", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(text), format!("'{text}"), "{text:?}");
        }
        for text in ["十字路街道", "1-5月份", "a=b", ""] {
            assert_eq!(neutralise(text), text, "{text:?}");
        }
    }
}
