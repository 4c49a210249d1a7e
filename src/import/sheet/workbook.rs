//! Excel and OpenDocument workbooks → the rows of one worksheet, through
//! calamine.
//!
//! Two things calamine leaves to its caller are done here. A formula cell
//! whose result the file does not hold (scripts such as openpyxl and
//! Apache POI write the formula and leave computing it to Excel) reads as
//! empty in calamine; it becomes [`Cell::Uncomputed`] so that import can
//! refuse it instead of taking it for a blank. So does every formula of an
//! `.xlsx` that asks to be recalculated when opened (XlsxWriter and
//! rust_xlsxwriter store 0 as each formula's result and ask for that). And the bounds of
//! `limits.rs` are kept: a zip-based workbook is measured inflated before
//! calamine opens it, and `.xlsx`/`.xlsb` sheets are streamed cell by cell,
//! never laid out as calamine's dense rectangle, which a single cell in a
//! sheet's far corner would make billions of cells large.

use std::collections::HashMap;
use std::io::{Cursor, Read as _};

use calamine::{
    Data, DataRef, Error, ExcelDateTime, Reader, Sheets, XlsbError, XlsxError,
    open_workbook_from_rs,
};

use super::{Cell, Merged, Row, Unreadable, WorkbookFormat};
use crate::import::limits::{self, Budget, Limit, MAX_INFLATED_BYTES};

/// One worksheet's rows.
pub struct Read {
    pub name: String,
    pub rows: Vec<Row>,
    /// 0-based index of the sheet's column that `cells[0]` holds.
    pub first_column: usize,
    /// The sheet's merged cells (of an .xlsx or .xls; calamine gives none
    /// for the other formats).
    pub merged: Vec<Merged>,
}

/// A cell and where the sheet has it: 0-based row and column.
struct Placed {
    row: u32,
    column: u32,
    cell: Cell,
}

type Workbook<'b> = Sheets<Cursor<&'b [u8]>>;

/// Reads worksheet `wanted` (the first one when `None`) of a workbook.
pub fn read(
    bytes: &[u8],
    format: WorkbookFormat,
    wanted: Option<&str>,
) -> Result<Read, Unreadable> {
    match format {
        WorkbookFormat::Xlsx | WorkbookFormat::Xlsb | WorkbookFormat::Ods => {
            limits::check_inflated(bytes, MAX_INFLATED_BYTES)?;
        }
        // An .xls is no archive: what calamine reads is the file itself.
        WorkbookFormat::Xls => {}
    }
    let mut workbook = open(bytes, format)?;
    let name = choose_sheet(&workbook, wanted)?;
    let results = match format {
        WorkbookFormat::Xlsx if recalculated_on_load(bytes) => Results::Distrusted,
        WorkbookFormat::Xlsx | WorkbookFormat::Xlsb | WorkbookFormat::Ods | WorkbookFormat::Xls => {
            Results::Trusted
        }
    };
    let placed = placed_cells(&mut workbook, &name, results).map_err(|failure| match failure {
        Failure::Limit(limit) => Unreadable::TooLarge(limit),
        Failure::Calamine(error) => Unreadable::Sheet {
            name: name.clone(),
            reason: error.to_string(),
        },
    })?;
    let (rows, first_column) = rows(placed)?;
    Ok(Read {
        merged: merged_cells(&mut workbook, &name),
        name,
        rows,
        first_column,
    })
}

/// The merged ranges of sheet `name`. A file whose merges cannot be read
/// has none: its cells were read, and an empty cell is then reported as
/// empty rather than read as its neighbour's.
fn merged_cells(workbook: &mut Workbook, name: &str) -> Vec<Merged> {
    let ranges = match workbook {
        Sheets::Xlsx(book) => book.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(book) => book.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
    };
    ranges
        .into_iter()
        .map(|range| Merged {
            rows: (range.start.0 as usize + 1, range.end.0 as usize + 1),
            columns: (range.start.1 as usize, range.end.1 as usize),
        })
        .collect()
}

/// Opens a workbook of the format its extension names, so that a damaged
/// file is reported by the reader of that format.
fn open(bytes: &[u8], format: WorkbookFormat) -> Result<Workbook<'_>, Unreadable> {
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
    opened.map_err(|error| Unreadable::Damaged {
        format,
        reason: error.to_string(),
    })
}

fn choose_sheet(workbook: &Workbook, wanted: Option<&str>) -> Result<String, Unreadable> {
    let names = workbook.sheet_names();
    match wanted {
        Some(wanted) => names
            .iter()
            .find(|name| name.as_str() == wanted)
            .cloned()
            .ok_or_else(|| Unreadable::NoSuchSheet {
                wanted: wanted.to_string(),
                names: names.clone(),
            }),
        None => names.first().cloned().ok_or(Unreadable::NoSheets),
    }
}

/// Why reading a sheet's cells stopped.
enum Failure {
    Limit(Limit),
    Calamine(Error),
}

impl From<Limit> for Failure {
    fn from(limit: Limit) -> Self {
        Failure::Limit(limit)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Calamine(error)
    }
}

impl From<XlsxError> for Failure {
    fn from(error: XlsxError) -> Self {
        Failure::Calamine(Error::Xlsx(error))
    }
}

impl From<XlsbError> for Failure {
    fn from(error: XlsbError) -> Self {
        Failure::Calamine(Error::Xlsb(error))
    }
}

/// Whether the results a workbook saved for its formulas are theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Results {
    Trusted,
    /// Placeholders: every formula is [`Cell::Uncomputed`].
    Distrusted,
}

/// Whether an `.xlsx` asks to be recalculated when opened
/// (`<calcPr fullCalcOnLoad="1"/>` in `xl/workbook.xml`): programs that
/// write formulas without computing them set it, and their saved results
/// are placeholders. Excel and WPS drop it when they save.
fn recalculated_on_load(bytes: &[u8]) -> bool {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let Ok(part) = archive.by_name("xl/workbook.xml") else {
        return false;
    };
    let mut text = String::new();
    if part
        .take(MAX_INFLATED_BYTES)
        .read_to_string(&mut text)
        .is_err()
    {
        return false;
    }
    asks_full_calculation(&text)
}

/// Whether workbook XML has a `calcPr` element (with or without a
/// namespace prefix) whose `fullCalcOnLoad` is `1` or `true`.
fn asks_full_calculation(xml: &str) -> bool {
    xml.split('<')
        .filter_map(|tag| tag.split_once('>').map(|(tag, _)| tag))
        .filter(|tag| {
            let name = tag.split_whitespace().next().unwrap_or_default();
            name.rsplit(':').next() == Some("calcPr")
        })
        .any(|tag| {
            ["1", "true"].iter().any(|value| {
                tag.contains(&format!("fullCalcOnLoad=\"{value}\""))
                    || tag.contains(&format!("fullCalcOnLoad='{value}'"))
            })
        })
}

/// The sheet's cells that hold something, in no particular order.
fn placed_cells(
    workbook: &mut Workbook,
    name: &str,
    results: Results,
) -> Result<Vec<Placed>, Failure> {
    match workbook {
        // Streamed twice: calamine reads a cell's formula and its value in
        // separate passes.
        Sheets::Xlsx(book) => {
            let formulas = {
                let mut reader = book.worksheet_cells_reader(name)?;
                formulas(|| Ok(reader.next_formula()?))?
            };
            let mut reader = book.worksheet_cells_reader(name)?;
            values(|| Ok(reader.next_cell()?), formulas, results)
        }
        Sheets::Xlsb(book) => {
            let formulas = {
                let mut reader = book.worksheet_cells_reader(name)?;
                formulas(|| Ok(reader.next_formula()?))?
            };
            let mut reader = book.worksheet_cells_reader(name)?;
            values(|| Ok(reader.next_cell()?), formulas, results)
        }
        // calamine reads these whole; an .xls sheet is at most 65,536 rows
        // of 256 columns, and calamine caps an .ods sheet's repeated cells.
        Sheets::Xls(_) | Sheets::Ods(_) => dense_cells(workbook, name),
    }
}

/// Every formula of a sheet streamed by `next`, by position.
fn formulas(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<String>>, Failure>,
) -> Result<HashMap<(u32, u32), String>, Failure> {
    let mut budget = Budget::default();
    let mut found = HashMap::new();
    while let Some(cell) = next()? {
        let formula = cell.get_value();
        if !formula.is_empty() {
            budget.cells(1)?;
            budget.text(formula.len())?;
            found.insert(cell.get_position(), formula.clone());
        }
    }
    Ok(found)
}

/// Every value of a sheet streamed by `next`; an empty cell with a formula
/// in `formulas`, or any such cell when `results` are distrusted, is
/// [`Cell::Uncomputed`].
fn values<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, Failure>,
    mut formulas: HashMap<(u32, u32), String>,
    results: Results,
) -> Result<Vec<Placed>, Failure> {
    let mut budget = Budget::default();
    let mut placed = Vec::new();
    while let Some(found) = next()? {
        let position = found.get_position();
        let formula = formulas.remove(&position);
        let cell = match (cell_of_ref(found.get_value()), formula) {
            (Cell::Empty, None) => continue,
            (Cell::Empty, Some(formula)) => Cell::Uncomputed(formula),
            (_, Some(formula)) if results == Results::Distrusted => Cell::Uncomputed(formula),
            (cell, _) => cell,
        };
        keep(&mut placed, position, cell, &mut budget)?;
    }
    // A formula whose cell holds no value element at all.
    for (position, formula) in formulas {
        keep(
            &mut placed,
            position,
            Cell::Uncomputed(formula),
            &mut budget,
        )?;
    }
    Ok(placed)
}

/// The cells of a sheet calamine reads whole, with its formulas.
fn dense_cells(workbook: &mut Workbook, name: &str) -> Result<Vec<Placed>, Failure> {
    let range = workbook.worksheet_range(name)?;
    let formulas = workbook.worksheet_formula(name)?;
    let mut budget = Budget::default();
    let mut placed = Vec::new();
    let (top, left) = range.start().unwrap_or((0, 0));
    for (row, column, data) in range.used_cells() {
        let cell = cell_of_data(data);
        if cell != Cell::Empty {
            let position = (top + row as u32, left + column as u32);
            keep(&mut placed, position, cell, &mut budget)?;
        }
    }
    let (top, left) = formulas.start().unwrap_or((0, 0));
    for (row, column, formula) in formulas.used_cells() {
        let position = (top + row as u32, left + column as u32);
        let value = range.get_value(position).map_or(Cell::Empty, cell_of_data);
        if value == Cell::Empty {
            let cell = Cell::Uncomputed(formula.clone());
            keep(&mut placed, position, cell, &mut budget)?;
        }
    }
    Ok(placed)
}

/// Adds a cell to `placed`, counting it and its text against `budget`.
fn keep(
    placed: &mut Vec<Placed>,
    (row, column): (u32, u32),
    cell: Cell,
    budget: &mut Budget,
) -> Result<(), Limit> {
    budget.cells(1)?;
    if let Cell::Text(text) | Cell::Uncomputed(text) = &cell {
        budget.text(text.len())?;
    }
    placed.push(Placed { row, column, cell });
    Ok(())
}

/// The cells laid out in rows from the leftmost column any row uses; the
/// empty cells this adds count against [`limits::MAX_CELLS`] too.
fn rows(mut placed: Vec<Placed>) -> Result<(Vec<Row>, usize), Limit> {
    placed.sort_by_key(|cell| (cell.row, cell.column));
    let first_column = placed.iter().map(|cell| cell.column).min().unwrap_or(0);
    let mut budget = Budget::default();
    let mut rows: Vec<Row> = Vec::new();
    for Placed { row, column, cell } in placed {
        let number = row as usize + 1;
        if rows.last().is_none_or(|last| last.number != number) {
            rows.push(Row {
                number,
                cells: Vec::new(),
            });
        }
        let Some(last) = rows.last_mut() else {
            continue;
        };
        let index = (column - first_column) as usize;
        if index >= last.cells.len() {
            budget.cells(index + 1 - last.cells.len())?;
            last.cells.resize(index + 1, Cell::Empty);
        }
        last.cells[index] = cell;
    }
    Ok((rows, first_column as usize))
}

fn cell_of_data(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::Int(number) => Cell::Integer(*number),
        Data::Float(number) => Cell::Number(*number),
        Data::String(text) => text_cell(text),
        Data::Bool(value) => Cell::Text(value.to_string()),
        Data::DateTime(value) => datetime_cell(value),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(error) => Cell::Text(format!("#{error}")),
    }
}

fn cell_of_ref(data: &DataRef) -> Cell {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(number) => Cell::Integer(*number),
        DataRef::Float(number) => Cell::Number(*number),
        DataRef::String(text) => text_cell(text),
        DataRef::SharedString(text) => text_cell(text),
        DataRef::Bool(value) => Cell::Text(value.to_string()),
        DataRef::DateTime(value) => datetime_cell(value),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => Cell::Text(text.clone()),
        DataRef::Error(error) => Cell::Text(format!("#{error}")),
    }
}

/// A date-formatted cell as the date it shows (`2019-06-03`, with the time
/// when it has one), never as the serial number the file stores: that
/// number is no count, and in a workbook dated from 1904 it is four years
/// off. A duration stays the number it is.
fn datetime_cell(value: &ExcelDateTime) -> Cell {
    if value.is_duration() {
        return Cell::Text(value.to_string());
    }
    let (year, month, day, hour, minute, second, _) = value.to_ymd_hms_milli();
    let date = format!("{year:04}-{month:02}-{day:02}");
    if (hour, minute, second) == (0, 0, 0) {
        Cell::Text(date)
    } else {
        Cell::Text(format!("{date} {hour:02}:{minute:02}:{second:02}"))
    }
}

fn text_cell(text: &str) -> Cell {
    if text.trim().is_empty() {
        Cell::Empty
    } else {
        Cell::Text(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(row: u32, column: u32, text: &str) -> Placed {
        Placed {
            row,
            column,
            cell: Cell::Text(text.to_string()),
        }
    }

    #[test]
    fn cells_are_laid_out_from_the_leftmost_column_in_row_order() {
        let (rows, first_column) = rows(vec![at(4, 3, "d"), at(1, 2, "a"), at(4, 1, "c")]).unwrap();
        assert_eq!(first_column, 1);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].number, rows[0].cells.len()), (2, 2));
        assert_eq!(rows[1].number, 5);
        assert_eq!(
            rows[1].cells,
            [Cell::Text("c".into()), Cell::Empty, Cell::Text("d".into())]
        );
    }

    #[test]
    fn a_request_to_recalculate_is_found_in_any_spelling() {
        let asks = |xml: &str| asks_full_calculation(xml);
        assert!(asks(
            r#"<workbook><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>"#
        ));
        assert!(asks("<x:calcPr fullCalcOnLoad='true' calcId='0'/>"));
        assert!(asks("<calcPr\n fullCalcOnLoad=\"1\">"));
        assert!(!asks(r#"<calcPr calcId="191029"/>"#));
        assert!(!asks(r#"<calcPr fullCalcOnLoad="0"/>"#));
        assert!(!asks(r#"<calcPrX fullCalcOnLoad="1"/>"#));
    }

    #[test]
    fn a_far_corner_cell_is_refused_not_laid_out() {
        let far = (0..2000).map(|row| at(row, 16_383, "x"));
        let placed = std::iter::once(at(0, 0, "a")).chain(far).collect();
        assert!(matches!(rows(placed), Err(Limit::Cells)));
    }
}
