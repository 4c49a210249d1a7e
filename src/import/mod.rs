//! Import: the portal backend's export (xlsx, xls or CSV) → the counts of
//! one table in a period's `data.toml`; or the inspectors' spreadsheet of
//! findings → a period's `findings.toml` (`findings.rs`).
//!
//! [`plan`] reads the export, matches its headers to columns and its rows
//! to units, and computes the new `data.toml` text; it writes nothing.
//! Every row is accounted for: imported, reported as unknown, or reported
//! as skipped, never dropped silently.

mod columns;
mod dates;
pub mod findings;
pub mod limits;
pub mod log;
mod names;
pub mod sheet;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

pub use columns::{Override, Target};
pub use names::{normalize, shown};

use crate::data_edit::{DataDocument, EditError};
use crate::diagnostics::Diagnostic;
use crate::model::{Period, Schema, Site};
use crate::spelling::closest;
use sheet::{Cell, Row, Sheet};

/// Unit names that mark the backend's totals row; its figures become the
/// table's `declared` totals.
const TOTAL_ROW_NAMES: [&str; 3] = ["合计", "总计", "合计数"];

/// What to import and where.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub file: &'a Path,
    /// Worksheet of a workbook; the first one when `None`.
    pub sheet: Option<&'a str>,
    pub table: &'a str,
    pub overrides: &'a [Override],
    /// Count columns (by key or label) the file lacks, to leave as
    /// `data.toml` has them (`--keep`). Any other column the file lacks
    /// is an error.
    pub keep: &'a [String],
    /// Append units the data file lacks instead of refusing them.
    pub add_units: bool,
    /// Leave units of data.toml that the file lacks as they are
    /// (`--keep-units`). Without it a missing unit is an error: after
    /// `tongbao new` its counts are zero, and keeping them silently would
    /// publish a zero the backend never reported.
    pub keep_units: bool,
}

/// The refusal of a file that lacks some of the table's units.
fn missing_units_error(sheet: &Sheet, missing: &[String]) -> Diagnostic {
    sheet
        .error(format!(
            "文件中没有表格的 {} 个单位：{}",
            missing.len(),
            missing.join("、")
        ))
        .hint(
            "核对导出范围；这些单位本期确无数据时加 --keep-units 保留其原有数字，已撤并的单位请从 data.toml 中删除",
        )
}

/// What an import will change, for the report and the write.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// How the file was read, e.g. `工作表 “Sheet1”`.
    pub source: String,
    /// Units read from the file.
    pub units_read: usize,
    /// Columns imported: `信息公开 ← B 列`.
    pub imported: Vec<String>,
    /// Headers not imported, with the reason.
    pub ignored: Vec<String>,
    /// Count columns left as they were by `--keep`, by label.
    pub kept: Vec<String>,
    /// Units whose figures change.
    pub changed: Vec<String>,
    /// Units whose figures were already the file's.
    pub unchanged: usize,
    /// Units appended to the table (`--add-units`).
    pub added: Vec<String>,
    /// Units in the table that the file lacks; their figures stay as they were.
    pub missing: Vec<String>,
    /// Rows that hold a name but no figure, e.g. a footnote.
    pub skipped: Vec<String>,
    /// Declared totals set from the totals row: `信息公开 2762 → 2800`.
    pub declared: Vec<String>,
    pub old_text: String,
    pub new_text: String,
}

impl Plan {
    pub fn changes_anything(&self) -> bool {
        self.old_text != self.new_text
    }
}

/// A row of the export with a unit's figures.
struct Record {
    number: usize,
    name: String,
    /// By column key; `None` for an empty cell. A cell that held no
    /// count is absent: it was reported when the row was read.
    counts: BTreeMap<String, Option<u64>>,
}

/// Plans the import of `request.file` into `period`, whose `data.toml`
/// text is `data_text`. Returns every problem found, not just the first.
pub fn plan(
    site: &Site,
    period: &Period,
    data_text: &str,
    request: &Request,
) -> Result<Plan, Vec<Diagnostic>> {
    let schema = find_schema(site, period, request.table).map_err(|error| vec![error])?;
    let sheet = sheet::read(request.file, request.sheet).map_err(|error| vec![error])?;
    let layout = columns::find_layout(&sheet, schema, request.overrides)
        .map_err(|message| vec![sheet.error(message)])?;
    let mut plan = Plan {
        source: sheet.description.clone(),
        ignored: layout.ignored.clone(),
        old_text: data_text.to_string(),
        ..Plan::default()
    };
    describe_columns(&mut plan, &sheet, schema, &layout);

    let mut errors = Vec::new();
    let kept = columns::coverage(&sheet, schema, &layout, request.keep, &mut errors);
    plan.kept = kept
        .iter()
        .map(|key| column_label(schema, key).to_string())
        .collect();
    let (records, totals) = read_records(&sheet, &layout, schema, &mut plan, &mut errors);
    let edit_error = |error: EditError| vec![Diagnostic::error(error.0)];
    let mut document = DataDocument::parse(data_text).map_err(edit_error)?;
    let existing = document.unit_names(request.table).map_err(edit_error)?;
    let import = Import {
        request,
        period,
        schema,
        sheet: &sheet,
        layout: &layout,
        existing: &existing,
    };
    let matched = import.apply_records(&mut document, &records, &mut plan, &mut errors);
    plan.units_read = records.len();
    plan.missing = existing
        .iter()
        .enumerate()
        .filter(|(index, _)| !matched.contains(index))
        .map(|(_, name)| name.clone())
        .collect();
    if !plan.missing.is_empty() && !request.keep_units {
        errors.push(missing_units_error(&sheet, &plan.missing));
    }
    if let Some(totals) = totals {
        import.set_declared(&mut document, &totals, &mut plan, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    plan.new_text = document.to_string();
    Ok(plan)
}

/// One import under way: what was asked, where it goes, and what the file
/// and the data file hold.
struct Import<'a> {
    request: &'a Request<'a>,
    period: &'a Period,
    schema: &'a Schema,
    sheet: &'a Sheet,
    layout: &'a columns::Layout,
    /// The table's unit names in data.toml, in file order.
    existing: &'a [String],
}

impl Import<'_> {
    /// Writes each record's counts into its unit's row (or a new row with
    /// `--add-units`). Returns the indices of the existing rows matched.
    fn apply_records(
        &self,
        document: &mut DataDocument,
        records: &[Record],
        plan: &mut Plan,
        errors: &mut Vec<Diagnostic>,
    ) -> BTreeSet<usize> {
        let positions: BTreeMap<String, usize> = self
            .existing
            .iter()
            .enumerate()
            .map(|(index, name)| (normalize(name), index))
            .collect();
        let mut matched = BTreeSet::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for record in records {
            let key = normalize(&record.name);
            if let Some(first) = seen.insert(key.clone(), record.number) {
                errors.push(self.sheet.error(format!(
                    "第 {} 行与第 {first} 行是同一个单位 “{}”",
                    record.number, record.name
                )));
                continue;
            }
            let counts = match complete_counts(record, self.layout, self.schema, self.sheet) {
                Ok(counts) => counts,
                Err(mut problems) => {
                    errors.append(&mut problems);
                    continue;
                }
            };
            let table = self.request.table;
            let result = match positions.get(&key) {
                Some(&index) => {
                    matched.insert(index);
                    document
                        .set_counts(table, index, &counts, self.schema)
                        .map(|changed| {
                            if changed {
                                plan.changed.push(self.existing[index].clone());
                            } else {
                                plan.unchanged += 1;
                            }
                        })
                }
                None if self.request.add_units => document
                    .push_unit(table, &record.name, &counts, self.schema)
                    .map(|()| plan.added.push(record.name.clone())),
                None => {
                    errors.push(self.unknown_unit(record));
                    continue;
                }
            };
            if let Err(error) = result {
                errors.push(Diagnostic::error(error.0));
            }
        }
        matched
    }

    fn unknown_unit(&self, record: &Record) -> Diagnostic {
        let error = self.sheet.error(format!(
            "第 {} 行的单位 “{}” 不在期次 {} 的表格 {} 中",
            record.number, record.name, self.period.slug, self.request.table
        ));
        let near = closest(&record.name, self.existing.iter().map(String::as_str));
        error.hint(match near {
            Some(near) => {
                format!("是否应为 “{near}”？若是新增单位，加 --add-units 导入为新的一行")
            }
            None => "核对单位名称；若是新增单位，加 --add-units 导入为新的一行".to_string(),
        })
    }

    /// Sets the table's declared totals from the file's totals row.
    fn set_declared(
        &self,
        document: &mut DataDocument,
        totals: &Record,
        plan: &mut Plan,
        errors: &mut Vec<Diagnostic>,
    ) {
        let table = self.request.table;
        let old = self.period.table(table).map(|table| &table.declared);
        for (key, count) in &totals.counts {
            let Some(count) = count else { continue };
            match document.set_declared(table, key, *count) {
                Ok(true) => {
                    let label = column_label(self.schema, key);
                    let before = old
                        .and_then(|declared| declared.get(key))
                        .map_or("无".to_string(), |old| old.value.to_string());
                    plan.declared.push(format!("{label} {before} → {count}"));
                }
                Ok(false) => {}
                Err(error) => errors.push(Diagnostic::error(error.0)),
            }
        }
    }
}

fn find_schema<'s>(site: &'s Site, period: &Period, table: &str) -> Result<&'s Schema, Diagnostic> {
    let ids = || site.tables.iter().map(|schema| schema.id.value.as_str());
    let Some(schema) = site.schema(table) else {
        let mut error = Diagnostic::error(format!(
            "site.toml 中没有表格 “{table}”；有：{}",
            ids().collect::<Vec<_>>().join("、")
        ));
        if let Some(near) = closest(table, ids()) {
            error = error.hint(format!("是否应为 --table {near}？"));
        }
        return Err(error);
    };
    if period.table(table).is_none() {
        return Err(Diagnostic::error(format!(
            "期次 {} 的 data.toml 中没有表格 [tables.{table}]",
            period.slug
        )));
    }
    Ok(schema)
}

fn describe_columns(plan: &mut Plan, sheet: &Sheet, schema: &Schema, layout: &columns::Layout) {
    for (index, key) in &layout.counts {
        let label = column_label(schema, key);
        let letter = sheet::column_name(sheet.first_column + index);
        plan.imported.push(format!("{label} ← {letter} 列"));
    }
}

/// The rows below the header: units, the totals row, and rows skipped.
fn read_records(
    sheet: &Sheet,
    layout: &columns::Layout,
    schema: &Schema,
    plan: &mut Plan,
    errors: &mut Vec<Diagnostic>,
) -> (Vec<Record>, Option<Record>) {
    let mut records = Vec::new();
    let mut totals: Option<Record> = None;
    for row in sheet.rows.iter().skip(layout.first_data_row) {
        if let Cell::Uncomputed(formula) = row.cell(layout.unit) {
            let problem = BadCount::Uncomputed(formula.clone());
            let at = sheet.position(row.number, layout.unit);
            errors.push(
                sheet
                    .error(format!("{at}（单位名称）{problem}"))
                    .hint(FORMULA_HINT),
            );
            continue;
        }
        let name = row.cell(layout.unit).text();
        let counts = read_counts(row, sheet, layout, schema, errors);
        let has_figures = layout
            .counts
            .iter()
            .any(|(index, _)| !row.cell(*index).is_empty());
        match (name.is_empty(), has_figures) {
            (true, false) => {
                // A blank row says nothing; a note in another column is reported.
                let text = row_text(row);
                if !text.is_empty() {
                    plan.skipped.push(format!(
                        "第 {} 行 “{text}”（没有单位名称和数字）",
                        row.number
                    ));
                }
            }
            (true, true) => errors.push(sheet.error(format!(
                "第 {} 行有数字，但没有单位名称（{} 列）",
                row.number,
                sheet::column_name(sheet.first_column + layout.unit)
            ))),
            (false, false) => plan
                .skipped
                .push(format!("第 {} 行 “{name}”（没有数字）", row.number)),
            (false, true) if is_totals_row(&name) => {
                if let Some(first) = &totals {
                    errors.push(sheet.error(format!(
                        "第 {} 行和第 {} 行都是合计行",
                        first.number, row.number
                    )));
                }
                totals = Some(Record {
                    number: row.number,
                    name,
                    counts,
                });
            }
            (false, true) => records.push(Record {
                number: row.number,
                name,
                counts,
            }),
        }
    }
    (records, totals)
}

/// A row's counts by column key, `None` for an empty cell. A cell that
/// holds no count is reported in `errors` and left out of the map.
fn read_counts(
    row: &Row,
    sheet: &Sheet,
    layout: &columns::Layout,
    schema: &Schema,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Option<u64>> {
    let mut counts = BTreeMap::new();
    for (index, key) in &layout.counts {
        match parse_count(row.cell(*index)) {
            Ok(count) => {
                counts.insert(key.clone(), count);
            }
            Err(problem) => {
                let at = sheet.position(row.number, *index);
                let label = column_label(schema, key);
                let error = sheet.error(format!("{at}（{label}）{problem}"));
                errors.push(match problem.hint() {
                    Some(hint) => error.hint(hint),
                    None => error,
                });
            }
        }
    }
    counts
}

/// The non-empty cells of a row, joined by spaces.
fn row_text(row: &Row) -> String {
    row.cells
        .iter()
        .map(Cell::text)
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A column's label, or its key when the schema lacks it.
fn column_label<'a>(schema: &'a Schema, key: &'a str) -> &'a str {
    schema
        .column(key)
        .map_or(key, |column| column.label.as_str())
}

fn is_totals_row(name: &str) -> bool {
    TOTAL_ROW_NAMES.contains(&normalize(name).as_str())
}

/// The largest count import accepts: beyond it a figure is surely a slip,
/// and every count still fits the signed integers TOML writes.
const MAX_COUNT: u64 = 1_000_000_000_000_000;

/// What to do about a formula import cannot read.
const FORMULA_HINT: &str = "导入不计算公式：用 Excel 或 WPS 打开这个文件并保存一次（保存时写入公式的结果），或从后台导出数值，再导入";

/// Why a cell holds no count.
#[derive(Debug, Clone, PartialEq)]
enum BadCount {
    NotANumber(String),
    NotWhole(f64),
    Negative(String),
    TooLarge(String),
    /// A formula without its result; the formula as the file writes it.
    Uncomputed(String),
}

impl BadCount {
    fn hint(&self) -> Option<&'static str> {
        match self {
            BadCount::Uncomputed(_) => Some(FORMULA_HINT),
            BadCount::NotANumber(_)
            | BadCount::NotWhole(_)
            | BadCount::Negative(_)
            | BadCount::TooLarge(_) => None,
        }
    }
}

impl fmt::Display for BadCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadCount::NotANumber(text) => write!(f, "“{text}” 不是数字"),
            BadCount::NotWhole(number) => write!(f, "应为整数，而不是 {number}"),
            BadCount::Negative(number) => write!(f, "不能为负数：{number}"),
            BadCount::TooLarge(number) => write!(f, "数字过大：{number}"),
            BadCount::Uncomputed(formula) => write!(
                f,
                "是公式 ={}，文件中没有它算出的结果",
                formula.trim_start_matches('=')
            ),
        }
    }
}

/// A count from a cell: a whole number, not negative, at most [`MAX_COUNT`].
/// Text may use full-width digits and thousands separators (`1,100`). A
/// formula without its result is no count: import never guesses one.
fn parse_count(cell: &Cell) -> Result<Option<u64>, BadCount> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Uncomputed(formula) => Err(BadCount::Uncomputed(formula.clone())),
        Cell::Integer(number) => match u64::try_from(*number) {
            Ok(count) => checked_count(count).map(Some),
            Err(_) => Err(BadCount::Negative(number.to_string())),
        },
        Cell::Number(number) => {
            if number.fract() != 0.0 || !number.is_finite() {
                Err(BadCount::NotWhole(*number))
            } else if *number < 0.0 {
                Err(BadCount::Negative(number.to_string()))
            } else if *number > MAX_COUNT as f64 {
                Err(BadCount::TooLarge(number.to_string()))
            } else {
                Ok(Some(*number as u64))
            }
        }
        Cell::Text(text) => {
            let plain = normalize(text);
            if plain.is_empty() {
                return Ok(None);
            }
            let digits = without_thousands_separators(&plain);
            match digits.parse::<u64>() {
                Ok(count) => checked_count(count).map(Some),
                Err(_) => match digits.parse::<f64>() {
                    Ok(number) => parse_count(&Cell::Number(number)),
                    Err(_) => Err(BadCount::NotANumber(text.trim().to_string())),
                },
            }
        }
    }
}

fn checked_count(count: u64) -> Result<u64, BadCount> {
    if count > MAX_COUNT {
        Err(BadCount::TooLarge(count.to_string()))
    } else {
        Ok(count)
    }
}

/// `1,100` → `1100`; anything else unchanged.
fn without_thousands_separators(text: &str) -> String {
    let groups: Vec<&str> = text.split(',').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|group| group.len() == 3)
        && groups
            .iter()
            .all(|group| group.bytes().all(|b| b.is_ascii_digit()));
    if grouped {
        groups.concat()
    } else {
        text.to_string()
    }
}

/// The counts to write for a record: an empty cell is zero in an optional
/// column and an error in a required one, where a blank is more likely a
/// slip than a zero.
fn complete_counts(
    record: &Record,
    layout: &columns::Layout,
    schema: &Schema,
    sheet: &Sheet,
) -> Result<BTreeMap<String, u64>, Vec<Diagnostic>> {
    let mut counts = BTreeMap::new();
    let mut errors = Vec::new();
    for (index, key) in &layout.counts {
        let Some(column) = schema.column(key) else {
            continue;
        };
        match record.counts.get(key) {
            Some(Some(count)) => {
                counts.insert(key.clone(), *count);
            }
            Some(None) if column.optional => {
                counts.insert(key.clone(), 0);
            }
            None => {}
            Some(None) => {
                errors.push(
                    sheet
                        .error(format!(
                            "{}（{}，单位 “{}”）为空",
                            sheet.position(record.number, *index),
                            column.label,
                            record.name
                        ))
                        .hint("这一列每个单位都要有数字：没有就填 0"),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(counts)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_whole_non_negative_numbers() {
        assert_eq!(parse_count(&Cell::Integer(421)), Ok(Some(421)));
        assert_eq!(parse_count(&Cell::Number(421.0)), Ok(Some(421)));
        assert_eq!(
            parse_count(&Cell::Text("１，１００".into())),
            Ok(Some(1100))
        );
        assert_eq!(parse_count(&Cell::Text(" 1,100 ".into())), Ok(Some(1100)));
        assert_eq!(parse_count(&Cell::Text("12.0".into())), Ok(Some(12)));
        assert_eq!(parse_count(&Cell::Empty), Ok(None));
        assert!(parse_count(&Cell::Number(2.5)).is_err());
        assert!(parse_count(&Cell::Integer(-1)).is_err());
        assert!(parse_count(&Cell::Text("1,10".into())).is_err());
        assert!(parse_count(&Cell::Text("无".into())).is_err());
        assert_eq!(
            parse_count(&Cell::Text("18446744073709551615".into())).map_err(|e| e.to_string()),
            Err("数字过大：18446744073709551615".to_string())
        );
        assert_eq!(
            parse_count(&Cell::Uncomputed("SUM(B2:B4)".into())).map_err(|e| e.to_string()),
            Err("是公式 =SUM(B2:B4)，文件中没有它算出的结果".to_string())
        );
        assert!(parse_count(&Cell::Integer(i64::MAX)).is_err());
        assert!(parse_count(&Cell::Number(1e16)).is_err());
    }

    #[test]
    fn totals_rows_are_recognised_whatever_their_spacing() {
        assert!(is_totals_row("合 计"));
        assert!(is_totals_row("总计"));
        assert!(!is_totals_row("十字路街道"));
    }
}
