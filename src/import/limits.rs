//! Bounds on what import reads, so that a hostile or mistaken file (a zip
//! bomb, a sheet with a cell in its far corner, a million rows) is refused
//! with a message instead of taking gigabytes or hours. A backend export
//! of a county's units is a few hundred rows; every bound here is hundreds
//! of times that. docs/WORKFLOW.md lists them for the clerk.

use std::fmt;
use std::io::{Cursor, ErrorKind, Read};

/// The largest file import opens, in bytes (20 MiB).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// The most a zip-based workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`) may
/// inflate to, all its parts together, in bytes (100 MiB).
pub const MAX_INFLATED_BYTES: u64 = 100 * 1024 * 1024;

/// The most cells import keeps, counting the empty cells between the
/// first column and a row's last cell.
pub const MAX_CELLS: usize = 1_000_000;

/// The most text all cells may hold together, in bytes (64 MiB): a
/// workbook may repeat one long shared string in every cell.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// A bound a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    FileBytes,
    InflatedBytes,
    Cells,
    TextBytes,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::FileBytes => write!(f, "文件大于 {} MiB", MAX_FILE_BYTES >> 20),
            Limit::InflatedBytes => {
                write!(f, "电子表格解压后大于 {} MiB", MAX_INFLATED_BYTES >> 20)
            }
            Limit::Cells => write!(f, "单元格多于 {MAX_CELLS} 个"),
            Limit::TextBytes => write!(f, "单元格文字合计大于 {} MiB", MAX_TEXT_BYTES >> 20),
        }
    }
}

/// What a file has used of [`MAX_CELLS`] and [`MAX_TEXT_BYTES`] so far.
#[derive(Debug, Default)]
pub struct Budget {
    cells: usize,
    text_bytes: usize,
}

impl Budget {
    /// Counts `count` more cells.
    pub fn cells(&mut self, count: usize) -> Result<(), Limit> {
        self.cells = self.cells.saturating_add(count);
        if self.cells > MAX_CELLS {
            Err(Limit::Cells)
        } else {
            Ok(())
        }
    }

    /// Counts `bytes` more bytes of cell text.
    pub fn text(&mut self, bytes: usize) -> Result<(), Limit> {
        self.text_bytes = self.text_bytes.saturating_add(bytes);
        if self.text_bytes > MAX_TEXT_BYTES {
            Err(Limit::TextBytes)
        } else {
            Ok(())
        }
    }
}

/// Reads at most `limit` bytes from `reader`; more is [`Limit::FileBytes`].
pub fn read_bounded(reader: impl Read, limit: u64) -> std::io::Result<Result<Vec<u8>, Limit>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        Ok(Err(Limit::FileBytes))
    } else {
        Ok(Ok(bytes))
    }
}

/// Inflates every part of a zip archive into nothing, counting, and refuses
/// an archive whose parts come to more than `limit` bytes. The sizes the
/// archive declares are not trusted: they are what a zip bomb lies about.
/// An archive or part that cannot be read is left to the spreadsheet
/// reader, which reports the damage in its own words.
pub fn check_inflated(bytes: &[u8], limit: u64) -> Result<(), Limit> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index(index) else {
            continue;
        };
        total += inflated_size(part, limit - total + 1);
        if total > limit {
            return Err(Limit::InflatedBytes);
        }
    }
    Ok(())
}

/// How many bytes `reader` gives, counting at most `cap`; a read error
/// ends the count.
fn inflated_size(reader: impl Read, cap: u64) -> u64 {
    let mut limited = reader.take(cap);
    let mut buffer = vec![0; 64 * 1024];
    let mut total = 0;
    loop {
        match limited.read(&mut buffer) {
            Ok(0) => return total,
            Ok(read) => total += read as u64,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(_) => return total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(parts: &[(&str, usize)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, size) in parts {
            writer.start_file(*name, options).unwrap();
            writer.write_all(&vec![b'0'; *size]).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn an_archive_is_measured_by_what_it_inflates_to() {
        let bytes = zip_of(&[("a.xml", 600), ("b.xml", 400)]);
        assert!(bytes.len() < 600, "deflate shrinks repeated bytes");
        assert_eq!(check_inflated(&bytes, 1000), Ok(()));
        assert_eq!(check_inflated(&bytes, 999), Err(Limit::InflatedBytes));
        assert_eq!(check_inflated(b"not a zip", 10), Ok(()));
    }

    #[test]
    fn a_budget_refuses_past_its_limits() {
        let mut budget = Budget::default();
        assert_eq!(budget.cells(MAX_CELLS), Ok(()));
        assert_eq!(budget.cells(1), Err(Limit::Cells));
        assert_eq!(budget.text(MAX_TEXT_BYTES), Ok(()));
        assert_eq!(budget.text(1), Err(Limit::TextBytes));
    }

    #[test]
    fn reading_stops_past_the_limit() {
        let read = |text: &[u8]| read_bounded(text, 4).unwrap();
        assert_eq!(read(b"1234"), Ok(b"1234".to_vec()));
        assert_eq!(read(b"12345"), Err(Limit::FileBytes));
    }
}
