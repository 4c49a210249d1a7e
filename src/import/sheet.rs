//! The backend's export → a grid of cells, whatever the file's format:
//! CSV in any common encoding (UTF-8, GBK/GB18030, UTF-16 with a BOM), or an
//! Excel workbook (xlsx, xls) or other spreadsheet calamine reads.

use std::fmt;
use std::fs;
use std::io::Cursor;
use std::path::Path;
use std::str::FromStr;

use calamine::{Data, Error, Reader, Sheets, open_workbook_from_rs};
use encoding_rs::{Encoding, UTF_8};

use crate::diagnostics::io_reason;

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Integer(i64),
    Number(f64),
    Text(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, e.g. for a header or a unit name.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
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
    /// How the file was read, for the report: `GBK 编码的 CSV`, `工作表 “Sheet1”`.
    pub description: String,
    pub rows: Vec<Row>,
    /// 0-based index of the file's column that `cells[0]` holds.
    pub first_column: usize,
}

impl Sheet {
    /// A cell's position as a spreadsheet program names it: `第 5 行 C 列`.
    pub fn position(&self, row_number: usize, index: usize) -> String {
        format!(
            "第 {} 行 {} 列",
            row_number,
            column_name(self.first_column + index)
        )
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
    type Err = String;

    fn from_str(extension: &str) -> Result<Self, Self::Err> {
        match extension.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "xls" => Ok(Format::Workbook(WorkbookFormat::Xls)),
            "xlsx" | "xlsm" => Ok(Format::Workbook(WorkbookFormat::Xlsx)),
            "xlsb" => Ok(Format::Workbook(WorkbookFormat::Xlsb)),
            "ods" => Ok(Format::Workbook(WorkbookFormat::Ods)),
            _ => Err("只能导入 .xlsx、.xls 或 .csv 文件".to_string()),
        }
    }
}

/// Reads the file at `path`; `sheet` names the worksheet of a workbook
/// (the first one when `None`).
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Sheet, String> {
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = extension.parse::<Format>()?;
    // Read here for both formats, so that a missing or unreadable file is
    // worded the same way whatever reads it next.
    let bytes = fs::read(path).map_err(|error| format!("无法读取文件：{}", io_reason(&error)))?;
    match format {
        Format::Csv => read_csv(&bytes),
        Format::Workbook(format) => read_workbook(open_workbook(&bytes, format)?, sheet),
    }
}

/// Reads CSV bytes in whatever encoding they come in.
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, String> {
    let (text, encoding) = decode(bytes)?;
    let delimiter = guess_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| format!("CSV 格式错误：{error}"))?;
        let number = record
            .position()
            .map_or(rows.len() + 1, |position| line_at(&text, position.byte()));
        let cells = record
            .iter()
            .map(|field| match field.trim() {
                "" => Cell::Empty,
                text => Cell::Text(text.to_string()),
            })
            .collect();
        rows.push(Row { number, cells });
    }
    Ok(Sheet {
        description: format!("{} 编码的 CSV", encoding.name()),
        rows,
        first_column: 0,
    })
}

/// The 1-based line of a record starting at `byte`. The csv crate's own
/// line count is off after a CRLF, and its byte offset may point at the
/// line break that ends the previous record, before any blank lines that
/// the reader skipped; both are stepped over here.
fn line_at(text: &str, byte: u64) -> usize {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(byte)
        .unwrap_or(bytes.len())
        .min(bytes.len());
    while at < bytes.len() && (bytes[at] == b'\r' || bytes[at] == b'\n') {
        at += 1;
    }
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()
}

/// Decodes text: a byte order mark decides, then valid UTF-8 is UTF-8, and
/// anything else is guessed (chardetng, biased to Chinese encodings).
fn decode(bytes: &[u8]) -> Result<(String, &'static Encoding), String> {
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
) -> Result<(String, &'static Encoding), String> {
    if had_errors {
        Err(format!(
            "无法识别文件的编码（按 {} 读取时有无法解码的字节）",
            encoding.name()
        ))
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

type Workbook<'b> = Sheets<Cursor<&'b [u8]>>;

/// Opens a workbook of the format its extension names, so that a damaged
/// file is reported by the reader of that format.
fn open_workbook(bytes: &[u8], format: WorkbookFormat) -> Result<Workbook<'_>, String> {
    let data = Cursor::new(bytes);
    let opened = match format {
        WorkbookFormat::Xls => open_workbook_from_rs(data)
            .map(Sheets::Xls)
            .map_err(Error::Xls),
        WorkbookFormat::Xlsx => open_workbook_from_rs(data)
            .map(Sheets::Xlsx)
            .map_err(Error::Xlsx),
        WorkbookFormat::Xlsb => open_workbook_from_rs(data)
            .map(Sheets::Xlsb)
            .map_err(Error::Xlsb),
        WorkbookFormat::Ods => open_workbook_from_rs(data)
            .map(Sheets::Ods)
            .map_err(Error::Ods),
    };
    opened.map_err(|error| format!("无法读取电子表格：文件已损坏，或不是 {format} 格式（{error}）"))
}

fn read_workbook(mut workbook: Workbook, sheet: Option<&str>) -> Result<Sheet, String> {
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|name| name.as_str() == wanted)
            .cloned()
            .ok_or_else(|| format!("文件中没有工作表 “{wanted}”；有：{}", names.join("、")))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "文件中没有工作表".to_string())?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|error| format!("无法读取工作表 “{name}”：{error}"))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(index, cells)| Row {
            number: first_row as usize + index + 1,
            cells: cells.iter().map(cell).collect(),
        })
        .collect();
    Ok(Sheet {
        description: format!("工作表 “{name}”"),
        rows,
        first_column: first_column as usize,
    })
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::Int(number) => Cell::Integer(*number),
        Data::Float(number) => Cell::Number(*number),
        Data::String(text) if text.trim().is_empty() => Cell::Empty,
        Data::String(text) => Cell::Text(text.clone()),
        Data::Bool(value) => Cell::Text(value.to_string()),
        Data::DateTime(value) => Cell::Text(value.to_string()),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(error) => Cell::Text(format!("#{error}")),
    }
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
        let sheet = read_csv(&bytes).unwrap();
        assert_eq!(sheet.description, "GBK 编码的 CSV");
        assert_eq!(sheet.rows[1].cells[0], Cell::Text("十字路街道".into()));
        assert_eq!(sheet.rows[2].number, 3);
        let crlf = read_csv("标题\r\n单位,信息公开\r\n\r\n气象局,316\r\n".as_bytes()).unwrap();
        let numbers: Vec<usize> = crlf.rows.iter().map(|row| row.number).collect();
        assert_eq!(numbers, [1, 2, 4]);
    }

    #[test]
    fn utf16_with_bom_and_tabs_is_read() {
        let text = "单位\t信息公开\r\n气象局\t316\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let sheet = read_csv(&bytes).unwrap();
        assert_eq!(
            sheet.rows[1].cells,
            [Cell::Text("气象局".into()), Cell::Text("316".into())]
        );
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let sheet = read_csv("\u{feff}单位,信息公开\n".as_bytes()).unwrap();
        assert_eq!(sheet.rows[0].cells[0], Cell::Text("单位".into()));
        assert_eq!(sheet.description, "UTF-8 编码的 CSV");
    }
}
