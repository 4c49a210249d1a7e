//! CSV: UTF-8 with a byte-order mark, which Excel and WPS need to read
//! Chinese text as UTF-8 rather than the system's legacy code page.

use ::csv::{QuoteStyle, Terminator, WriterBuilder};

use super::{NOTES_LEAD, neutralise, note_line, place, width};
use crate::render::view::AppendixView;

/// Byte-order mark that marks the file as UTF-8.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// The appendix table as CSV: the title, the header rows (a spanning cell's
/// text in its first row and column, the rest of its span empty), the rows,
/// an empty line, then `注：` and the numbered notes. Every line has the
/// table's width. A body cell spanning rows (a unit's name over its
/// findings) is repeated on each of them, so every line is a whole record
/// that survives sorting and filtering. Text cells are neutralised against formula injection;
/// numbers are written as the page shows them.
pub fn to_csv(appendix: &AppendixView) -> Result<Vec<u8>, ::csv::Error> {
    let columns = width(appendix);
    let mut writer = WriterBuilder::new()
        .terminator(Terminator::CRLF)
        .quote_style(QuoteStyle::Necessary)
        .from_writer(BOM.to_vec());
    let line = |first: &str| {
        let mut line = vec![neutralise(first).into_owned()];
        line.resize(columns, String::new());
        line
    };
    writer.write_record(line(&appendix.title))?;
    let mut header = vec![vec![String::new(); columns]; appendix.header.len()];
    for cell in place(&appendix.header) {
        header[cell.row][cell.column] = neutralise(cell.text).into_owned();
    }
    for record in header {
        writer.write_record(record)?;
    }
    for row in &appendix.rows {
        let mut record: Vec<String> = row
            .iter()
            .map(|cell| match cell.value {
                Some(_) => cell.text.clone(),
                None => neutralise(&cell.text).into_owned(),
            })
            .collect();
        record.resize(columns, String::new());
        writer.write_record(record)?;
    }
    if !appendix.notes.is_empty() {
        writer.write_record(line(""))?;
        writer.write_record(line(NOTES_LEAD))?;
        for (index, note) in appendix.notes.iter().enumerate() {
            writer.write_record(line(&note_line(index, note)))?;
        }
    }
    writer
        .into_inner()
        .map_err(|error| ::csv::Error::from(error.into_error()))
}
