//! The backend's export → a grid of cells, whatever the file's format:
//! CSV in any common encoding (UTF-8, GBK/GB18030, UTF-16 with a BOM), or an
//! Excel workbook (xlsx, xls) or other spreadsheet calamine reads
//! (`workbook.rs`, below this module). Every file is read within the
//! bounds of `limits.rs`.

mod workbook;

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use encoding_rs::{Encoding, UTF_8};

use super::limits::{self, Budget, Limit, MAX_FILE_BYTES};
use crate::diagnostics::{Diagnostic, io_reason};
use crate::render::unneutralise;
use crate::spelling::closest;

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Integer(i64),
    Number(f64),
    Text(String),
    /// A formula whose result the file does not hold: files written by
    /// scripts (openpyxl, Apache POI) leave computing it to Excel. Import
    /// computes no formula, so such a cell has no value it could read.
    Uncomputed(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            Cell::Integer(_) | Cell::Number(_) | Cell::Uncomputed(_) => false,
        }
    }

    /// The cell as text, e.g. for a header or a unit name; empty for a
    /// formula without its result.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty | Cell::Uncomputed(_) => String::new(),
            Cell::Integer(number) => number.to_string(),
            Cell::Number(number) => number.to_string(),
            Cell::Text(text) => text.trim().to_string(),
        }
    }
}

/// One row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based row number, as a spreadsheet program shows it.
    pub number: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&Cell::Empty)
    }
}

/// A file's rows, and how it was read.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The file as the clerk named it.
    pub file: PathBuf,
    /// How the file was read, for the report: `GBK 编码的 CSV`, `工作表 “Sheet1”`.
    pub description: String,
    /// The worksheet read; `None` for CSV, which has no sheets.
    pub sheet: Option<String>,
    /// The rows that hold a cell, in order; a blank row may be left out.
    pub rows: Vec<Row>,
    /// 0-based index of the file's column that `cells[0]` holds.
    pub first_column: usize,
    /// The workbook's merged cells; none in a CSV.
    pub merged: Vec<Merged>,
}

/// A range of merged cells: the value is the top-left cell's, the others
/// are empty in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    /// 1-based row numbers, as [`Row::number`].
    pub rows: (usize, usize),
    /// 0-based columns of the sheet (not indices into [`Row::cells`]).
    pub columns: (usize, usize),
}

/// Where the merged ranges are, for the columns a reader looks at: by cell
/// index, each range's first row → its last row and first cell index.
/// Ranges do not overlap, so within one column at most one starts at or
/// before a row and reaches it.
#[derive(Debug, Default)]
pub struct MergeIndex {
    columns: BTreeMap<usize, BTreeMap<usize, (usize, usize)>>,
}

impl MergeIndex {
    /// The cell at `index` of `row`, or, when it is empty and lies in a
    /// merged range below or right of its first cell, that first cell: the
    /// value a merged cell shows on every row it spans.
    pub fn shown_cell<'s>(&self, sheet: &'s Sheet, row: &'s Row, index: usize) -> &'s Cell {
        let cell = row.cell(index);
        if !cell.is_empty() {
            return cell;
        }
        let range = self
            .columns
            .get(&index)
            .and_then(|starts| starts.range(..=row.number).next_back())
            .filter(|(_, (last_row, _))| row.number <= *last_row);
        let Some((first_row, (_, first_index))) = range else {
            return cell;
        };
        match sheet.rows.binary_search_by_key(first_row, |row| row.number) {
            Ok(found) => sheet.rows[found].cell(*first_index),
            Err(_) => cell,
        }
    }
}

impl Sheet {
    /// The merged ranges that cover the cells at `indices` (of every row),
    /// indexed for [`MergeIndex::shown_cell`].
    pub fn merge_index(&self, indices: &[usize]) -> MergeIndex {
        let mut columns: BTreeMap<usize, BTreeMap<usize, (usize, usize)>> = BTreeMap::new();
        for merged in &self.merged {
            let Some(first_index) = merged.columns.0.checked_sub(self.first_column) else {
                continue;
            };
            for &index in indices {
                let column = self.first_column + index;
                if (merged.columns.0..=merged.columns.1).contains(&column) {
                    columns
                        .entry(index)
                        .or_default()
                        .insert(merged.rows.0, (merged.rows.1, first_index));
                }
            }
        }
        MergeIndex { columns }
    }

    /// A cell's position as a spreadsheet program names it:
    /// `工作表 “Sheet1” 第 5 行 C 列`, or `第 5 行 C 列` in a CSV.
    pub fn position(&self, row_number: usize, index: usize) -> String {
        let column = column_name(self.first_column + index);
        match &self.sheet {
            Some(sheet) => format!("工作表 “{sheet}” 第 {row_number} 行 {column} 列"),
            None => format!("第 {row_number} 行 {column} 列"),
        }
    }

    /// An error about this file, its path heading the message.
    pub fn error(&self, message: impl fmt::Display) -> Diagnostic {
        file_error(&self.file, message)
    }
}

/// The file formats import reads, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-, semicolon- or tab-separated text.
    Csv,
    Workbook(WorkbookFormat),
}

/// The spreadsheet formats calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkbookFormat {
    /// Excel 97–2003 (`.xls`).
    Xls,
    /// Excel 2007 and later (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel binary workbook (`.xlsb`).
    Xlsb,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
}

impl fmt::Display for WorkbookFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WorkbookFormat::Xls => ".xls",
            WorkbookFormat::Xlsx => ".xlsx",
            WorkbookFormat::Xlsb => ".xlsb",
            WorkbookFormat::Ods => ".ods",
        })
    }
}

impl FromStr for Format {
    type Err = Unreadable;

    fn from_str(extension: &str) -> Result<Self, Self::Err> {
        match extension.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "xls" => Ok(Format::Workbook(WorkbookFormat::Xls)),
            "xlsx" | "xlsm" => Ok(Format::Workbook(WorkbookFormat::Xlsx)),
            "xlsb" => Ok(Format::Workbook(WorkbookFormat::Xlsb)),
            "ods" => Ok(Format::Workbook(WorkbookFormat::Ods)),
            _ => Err(Unreadable::Extension),
        }
    }
}

/// Why a file could not be read, for the clerk.
#[derive(Debug, Clone, PartialEq)]
pub enum Unreadable {
    /// An extension import does not read.
    Extension,
    /// The system's reason, in Chinese (see [`io_reason`]).
    Io(String),
    /// Text that does not decode in the encoding it seems to be in.
    Encoding(&'static str),
    Csv(String),
    Damaged {
        format: WorkbookFormat,
        reason: String,
    },
    NoSuchSheet {
        wanted: String,
        names: Vec<String>,
    },
    NoSheets,
    Sheet {
        name: String,
        reason: String,
    },
    TooLarge(Limit),
}

impl Unreadable {
    /// What went wrong, without the file's name.
    pub fn message(&self) -> String {
        match self {
            Unreadable::Extension => "只能导入 .xlsx、.xls 或 .csv 文件".to_string(),
            Unreadable::Io(reason) => format!("无法读取文件：{reason}"),
            Unreadable::Encoding(encoding) => {
                format!("无法识别文件的编码（按 {encoding} 读取时有无法解码的字节）")
            }
            Unreadable::Csv(reason) => format!("CSV 格式错误：{reason}"),
            Unreadable::Damaged { format, reason } => {
                format!("无法读取电子表格：文件已损坏，或不是 {format} 格式（{reason}）")
            }
            Unreadable::NoSuchSheet { wanted, names } => {
                format!("文件中没有工作表 “{wanted}”；有：{}", names.join("、"))
            }
            Unreadable::NoSheets => "文件中没有工作表".to_string(),
            Unreadable::Sheet { name, reason } => format!("无法读取工作表 “{name}”：{reason}"),
            Unreadable::TooLarge(limit) => format!("超出导入上限：{limit}，未读取"),
        }
    }

    /// What the clerk can do about it, where there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Unreadable::NoSuchSheet { wanted, names } => {
                closest(wanted, names.iter().map(String::as_str))
                    .map(|near| format!("是否应为 --sheet {near}？"))
            }
            Unreadable::TooLarge(_) => Some(
                "后台导出的统计表远小于这个上限：核对是否选错了文件，或只导出要导入的那张表"
                    .to_string(),
            ),
            Unreadable::Extension
            | Unreadable::Io(_)
            | Unreadable::Encoding(_)
            | Unreadable::Csv(_)
            | Unreadable::Damaged { .. }
            | Unreadable::NoSheets
            | Unreadable::Sheet { .. } => None,
        }
    }
}

impl From<Limit> for Unreadable {
    fn from(limit: Limit) -> Self {
        Unreadable::TooLarge(limit)
    }
}

/// An error about the imported file: its path as the clerk gave it heads
/// the message, so every message says which file it is about.
pub fn file_error(file: &Path, message: impl fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("{}：{message}", file.display()))
}

/// Reads the file at `path`; `sheet` names the worksheet of a workbook
/// (the first one when `None`). A file past a bound of [`super::limits`]
/// is refused.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Sheet, Diagnostic> {
    read_file(path, sheet).map_err(|problem| {
        let error = file_error(path, problem.message());
        match problem.hint() {
            Some(hint) => error.hint(hint),
            None => error,
        }
    })
}

fn read_file(path: &Path, sheet: Option<&str>) -> Result<Sheet, Unreadable> {
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = extension.parse::<Format>()?;
    // Read here for both formats, so that a missing or unreadable file is
    // worded the same way whatever reads it next.
    let bytes = read_bytes(path)?;
    match format {
        Format::Csv => read_csv(path, &bytes),
        Format::Workbook(format) => {
            let read = workbook::read(&bytes, format, sheet)?;
            Ok(Sheet {
                file: path.to_path_buf(),
                description: format!("工作表 “{}”", read.name),
                sheet: Some(read.name),
                rows: read.rows,
                first_column: read.first_column,
                merged: read.merged,
            })
        }
    }
}

/// The file's bytes, up to [`MAX_FILE_BYTES`].
fn read_bytes(path: &Path) -> Result<Vec<u8>, Unreadable> {
    let io_error = |error: std::io::Error| Unreadable::Io(io_reason(&error));
    let file = fs::File::open(path).map_err(io_error)?;
    if file.metadata().map_err(io_error)?.len() > MAX_FILE_BYTES {
        return Err(Limit::FileBytes.into());
    }
    // The size is checked again while reading: a file may grow meanwhile.
    Ok(limits::read_bounded(file, MAX_FILE_BYTES).map_err(io_error)??)
}

/// Reads CSV bytes in whatever encoding they come in. A cell the downloads
/// neutralised against formula injection gets its text back (see
/// [`unneutralise`]).
pub fn read_csv(file: &Path, bytes: &[u8]) -> Result<Sheet, Unreadable> {
    let (text, encoding) = decode(bytes)?;
    let delimiter = guess_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut lines = LineCounter::new(&text);
    let mut budget = Budget::default();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| Unreadable::Csv(error.to_string()))?;
        budget.cells(record.len())?;
        let number = record
            .position()
            .map_or(rows.len() + 1, |position| lines.line_at(position.byte()));
        let cells = record
            .iter()
            .map(|field| match unneutralise(field).trim() {
                "" => Cell::Empty,
                text => Cell::Text(text.to_string()),
            })
            .collect();
        rows.push(Row { number, cells });
    }
    Ok(Sheet {
        file: file.to_path_buf(),
        description: format!("{} 编码的 CSV", encoding.name()),
        sheet: None,
        rows,
        first_column: 0,
        merged: Vec::new(),
    })
}

/// The 1-based line of each record, counted once through the text: records
/// come in file order, so each count goes on from the previous one.
struct LineCounter<'t> {
    bytes: &'t [u8],
    /// Byte offset counted up to, and the line it is on.
    at: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of a record starting at `byte`. The csv crate's own line
    /// count is off after a CRLF, and its byte offset may point at the line
    /// break that ends the previous record, before any blank lines that the
    /// reader skipped; both are stepped over here.
    fn line_at(&mut self, byte: u64) -> usize {
        let bytes = self.bytes;
        let mut at = usize::try_from(byte)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        while at < bytes.len() && (bytes[at] == b'\r' || bytes[at] == b'\n') {
            at += 1;
        }
        if at < self.at {
            // Not in file order after all: count again from the start.
            self.at = 0;
            self.line = 1;
        }
        self.line += bytes[self.at..at].iter().filter(|&&b| b == b'\n').count();
        self.at = at;
        self.line
    }
}

/// Decodes text: a byte order mark decides, then valid UTF-8 is UTF-8, and
/// anything else is guessed (chardetng, biased to Chinese encodings).
fn decode(bytes: &[u8]) -> Result<(String, &'static Encoding), Unreadable> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return checked(text.into_owned(), encoding, had_errors);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), UTF_8));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    checked(text.into_owned(), encoding, had_errors)
}

fn checked(
    text: String,
    encoding: &'static Encoding,
    had_errors: bool,
) -> Result<(String, &'static Encoding), Unreadable> {
    if had_errors {
        Err(Unreadable::Encoding(encoding.name()))
    } else {
        Ok((text, encoding))
    }
}

/// The separator the first non-empty line uses most: `,`, `;` or a tab.
fn guess_delimiter(text: &str) -> u8 {
    let first = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let count = |separator: char| first.matches(separator).count();
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|&separator| (count(char::from(separator)), separator == b','))
        .unwrap_or(b',')
}

/// A 0-based column index as a spreadsheet names it: 0 → A, 25 → Z, 26 → AA.
pub fn column_name(index: usize) -> String {
    let mut name = Vec::new();
    let mut rest = index + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        name.push(b'A' + digit as u8);
        rest = (rest - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_follow_spreadsheets() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn gbk_csv_is_detected_and_decoded() {
        let text = "镇街（园区）,信息公开\n十字路街道,421\n板泉镇,414\n";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        assert!(std::str::from_utf8(&bytes).is_err());
        let sheet = read_csv(Path::new("t.csv"), &bytes).unwrap();
        assert_eq!(sheet.description, "GBK 编码的 CSV");
        assert_eq!(sheet.rows[1].cells[0], Cell::Text("十字路街道".into()));
        assert_eq!(sheet.rows[2].number, 3);
        let crlf = read_csv(
            Path::new("t.csv"),
            "标题\r\n单位,信息公开\r\n\r\n气象局,316\r\n".as_bytes(),
        )
        .unwrap();
        let numbers: Vec<usize> = crlf.rows.iter().map(|row| row.number).collect();
        assert_eq!(numbers, [1, 2, 4]);
    }

    #[test]
    fn line_numbers_are_counted_once_through_the_file() {
        // A million records: counting from the start of the file for each
        // one, as import once did, would take hours.
        let text = "x\r\n".repeat(1_000_000);
        let mut lines = LineCounter::new(&text);
        for record in 0..1_000_000 {
            assert_eq!(lines.line_at(record * 3), record as usize + 1);
        }
        // The csv crate may point at the line break before a record.
        let mut lines = LineCounter::new("a\n\n\nb\nc");
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(1), 4);
        assert_eq!(lines.line_at(6), 5);
    }

    #[test]
    fn a_neutralised_download_cell_gets_its_text_back() {
        let text = "单位,信息公开\r\n'=十字路街道,1\r\n'+板泉镇,2\r\n'-洮边镇,3\r\n'@园区,4\r\n''=x,5\r\n'普通,6\r\n";
        let sheet = read_csv(Path::new("t.csv"), text.as_bytes()).unwrap();
        let names: Vec<String> = sheet.rows.iter().map(|row| row.cell(0).text()).collect();
        assert_eq!(
            names,
            [
                "单位",
                "=十字路街道",
                "+板泉镇",
                "-洮边镇",
                "@园区",
                "'=x",
                "'普通"
            ]
        );
    }

    #[test]
    fn utf16_with_bom_and_tabs_is_read() {
        let text = "单位\t信息公开\r\n气象局\t316\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let sheet = read_csv(Path::new("t.csv"), &bytes).unwrap();
        assert_eq!(
            sheet.rows[1].cells,
            [Cell::Text("气象局".into()), Cell::Text("316".into())]
        );
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let sheet = read_csv(Path::new("t.csv"), "\u{feff}单位,信息公开\n".as_bytes()).unwrap();
        assert_eq!(sheet.rows[0].cells[0], Cell::Text("单位".into()));
        assert_eq!(sheet.description, "UTF-8 编码的 CSV");
    }
}
