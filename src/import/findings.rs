//! Import of findings: the inspectors' spreadsheet (xlsx, xls or CSV) →
//! a period's `findings.toml`, one finding per line.
//!
//! [`plan`] reads the file with the readers and bounds counts use
//! ([`super::sheet`]), finds the header row by the unit's header, matches
//! each header to a field of a finding (by the site's `[findings.headers]`,
//! the field's key, or `--map`), and reads every row: its unit matched to
//! the period's tables, its category and status to the words of
//! `[findings]`, its dates parsed. It writes nothing and returns every
//! problem it finds.
//!
//! The file replaces the period's findings. A re-check already recorded
//! is never lost silently: a re-check column the file lacks (status, date,
//! note) keeps what `findings.toml` records for the same finding, and a
//! recorded status the file would drop is an error unless `drop_status`
//! is asked. A merged cell of a workbook reads as its range's first cell,
//! so the 问题清单 download, a unit's name merged down its findings,
//! imports back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::Path;

use chrono::NaiveDate;

use super::dates::{BadDate, parse_date};
use super::names::{normalize, without_trailing_note};
use super::sheet::{self, Cell, MergeIndex, Row, Sheet, column_name};
use super::{FORMULA_HINT, Override};
use crate::diagnostics::Diagnostic;
use crate::layout::FINDINGS_FILE;
use crate::load::CELL_LIMIT;
use crate::load::text::refused;
use crate::model::{Finding, FindingWords, Period, Site};
use crate::spelling::closest;

/// How many rows from the top may hold the header: a list often starts
/// with a title line or two.
const HEADER_SEARCH_ROWS: usize = 30;

/// A field of a finding, as a column of the spreadsheet holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Unit,
    Column,
    Url,
    Category,
    Problem,
    Found,
    Status,
    Checked,
    Note,
}

const FIELDS: [Field; 9] = [
    Field::Unit,
    Field::Column,
    Field::Url,
    Field::Category,
    Field::Problem,
    Field::Found,
    Field::Status,
    Field::Checked,
    Field::Note,
];

/// The re-check's date and note have no column in the 问题清单, so no
/// header in `[findings.headers]`: these are their headers in the
/// spreadsheet, besides their keys.
const CHECKED_HEADER: &str = "复查日期";
const NOTE_HEADERS: [&str; 2] = ["复查说明", "备注"];

impl Field {
    /// The key of `findings.toml` (and of `--map`).
    fn key(self) -> &'static str {
        match self {
            Field::Unit => "unit",
            Field::Column => "column",
            Field::Url => "url",
            Field::Category => "category",
            Field::Problem => "problem",
            Field::Found => "found",
            Field::Status => "status",
            Field::Checked => "checked",
            Field::Note => "note",
        }
    }

    /// Whether every finding must have it.
    fn required(self) -> bool {
        match self {
            Field::Unit | Field::Column | Field::Category | Field::Problem | Field::Found => true,
            Field::Url | Field::Status | Field::Checked | Field::Note => false,
        }
    }

    /// The headers that name it: the site's (or the default) and its key.
    fn headers(self, words: &FindingWords) -> Vec<&str> {
        let headers = &words.appendix.headers;
        let mut names = match self {
            Field::Unit => vec![headers.unit.as_str()],
            Field::Column => vec![headers.column.as_str()],
            Field::Url => vec![headers.url.as_str()],
            Field::Category => vec![headers.category.as_str()],
            Field::Problem => vec![headers.problem.as_str()],
            Field::Found => vec![headers.found.as_str()],
            Field::Status => vec![headers.status.as_str()],
            Field::Checked => vec![CHECKED_HEADER],
            Field::Note => NOTE_HEADERS.to_vec(),
        };
        names.push(self.key());
        names
    }

    /// Its header for messages: the first of [`Field::headers`].
    fn label(self, words: &FindingWords) -> String {
        self.headers(words)
            .first()
            .map_or_else(|| self.key().to_string(), |header| header.to_string())
    }

    fn from_key(key: &str) -> Option<Field> {
        FIELDS.into_iter().find(|field| field.key() == key)
    }
}

/// What to import.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub file: &'a Path,
    /// Worksheet of a workbook; the first one when `None`.
    pub sheet: Option<&'a str>,
    pub overrides: &'a [Override],
    /// Let the import drop re-check statuses `findings.toml` records.
    pub drop_status: bool,
}

/// What a findings import will write, for the report and the write.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// How the file was read, e.g. `工作表 “Sheet1”`.
    pub source: String,
    /// Findings read from the file, and the units they concern.
    pub findings: usize,
    pub units: usize,
    /// Fields imported: `单位 ← A 列`.
    pub imported: Vec<String>,
    /// Headers not imported: `序号（A 列）`.
    pub ignored: Vec<String>,
    /// Rows read as no finding, e.g. a footnote.
    pub skipped: Vec<String>,
    /// The number of findings `findings.toml` held before.
    pub replaced: usize,
    /// Findings that kept (part of) the re-check `findings.toml` records,
    /// since the file lacks the column.
    pub kept_rechecks: usize,
    /// The headers of the re-check's columns the file lacks.
    pub absent_rechecks: Vec<String>,
    /// Recorded statuses dropped by `--drop-status`.
    pub dropped: Vec<String>,
    pub old_text: String,
    pub new_text: String,
}

impl Plan {
    pub fn changes_anything(&self) -> bool {
        self.old_text != self.new_text
    }
}

/// One finding as it will be written.
#[derive(Debug, Clone, PartialEq)]
struct Record {
    unit: String,
    column: String,
    url: Option<String>,
    category: String,
    problem: String,
    found: NaiveDate,
    status: Option<String>,
    checked: Option<NaiveDate>,
    note: String,
}

/// What makes a finding the same one in the file and in `findings.toml`:
/// its unit, portal column and problem, compared as names are.
type Identity = (String, String, String);

fn identity(unit: &str, column: &str, problem: &str) -> Identity {
    (normalize(unit), normalize(column), normalize(problem))
}

/// Plans the import of `request.file` into `period`, whose `findings.toml`
/// text is `old_text` (empty when it has none). Returns every problem found.
pub fn plan(
    site: &Site,
    period: &Period,
    old_text: &str,
    request: &Request,
) -> Result<Plan, Vec<Diagnostic>> {
    let words = &site.findings;
    let sheet = sheet::read(request.file, request.sheet).map_err(|error| vec![error])?;
    let layout = find_layout(&sheet, words, request.overrides).map_err(|error| vec![error])?;
    let mut plan = Plan {
        source: sheet.description.clone(),
        ignored: layout.ignored.clone(),
        imported: imported_columns(&sheet, &layout, words),
        replaced: period.findings.len(),
        old_text: old_text.to_string(),
        ..Plan::default()
    };
    let indices: Vec<usize> = layout.fields.values().copied().collect();
    let reader = Reader {
        merges: sheet.merge_index(&indices),
        sheet: &sheet,
        layout: &layout,
        site,
        period,
    };
    let mut errors = Vec::new();
    let mut records = reader.records(&mut plan, &mut errors);
    if records.is_empty() && errors.is_empty() {
        errors.push(sheet.error(format!(
            "第 {} 行表头之下没有任何问题",
            sheet.rows[layout.header_row].number
        )));
    }
    let absent: Vec<Field> = [Field::Status, Field::Checked, Field::Note]
        .into_iter()
        .filter(|field| !layout.fields.contains_key(field))
        .collect();
    plan.kept_rechecks = keep_rechecks(&mut records, &period.findings, &absent);
    plan.absent_rechecks = absent.iter().map(|field| field.label(words)).collect();
    // Rows in error are missing from `records`: their statuses are not lost.
    let lost = if errors.is_empty() {
        lost_statuses(&records, &period.findings)
    } else {
        Vec::new()
    };
    if request.drop_status {
        plan.dropped = lost.iter().map(|(finding, _)| describe(finding)).collect();
    } else {
        errors.extend(
            lost.iter()
                .map(|(finding, loss)| lost_status_error(finding, *loss)),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    plan.findings = records.len();
    plan.units = records
        .iter()
        .map(|record| record.unit.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    plan.new_text = findings_text(old_text, &records);
    Ok(plan)
}

/// Where the fields are in the file.
#[derive(Debug)]
struct Layout {
    /// Index into `Sheet::rows` of the header row.
    header_row: usize,
    /// Each field's cell index.
    fields: BTreeMap<Field, usize>,
    /// Headers not imported: `序号（A 列）`.
    ignored: Vec<String>,
}

/// What a header names: a field, or nothing to import.
enum Target {
    Field(Field),
    Ignore,
}

/// The header names of each field, normalized, and the `--map`s.
struct Names {
    by_name: BTreeMap<String, Field>,
    overrides: BTreeMap<String, Target>,
}

impl Names {
    fn new(words: &FindingWords, overrides: &[Override]) -> Result<Names, UnknownField> {
        let mut by_name = BTreeMap::new();
        for field in FIELDS {
            for header in field.headers(words) {
                by_name.entry(normalize(header)).or_insert(field);
            }
        }
        let mut mapped = BTreeMap::new();
        for Override { header, key } in overrides {
            let target = if key == "-" {
                Target::Ignore
            } else {
                match Field::from_key(key) {
                    Some(field) => Target::Field(field),
                    None => {
                        return Err(UnknownField {
                            header: header.clone(),
                            key: key.clone(),
                        });
                    }
                }
            };
            mapped.insert(normalize(header), target);
        }
        Ok(Names {
            by_name,
            overrides: mapped,
        })
    }

    /// What a header names; `None` for a header that names nothing.
    fn target(&self, header: &str) -> Option<Target> {
        let plain = normalize(header);
        if let Some(target) = self.overrides.get(&plain) {
            return Some(match target {
                Target::Field(field) => Target::Field(*field),
                Target::Ignore => Target::Ignore,
            });
        }
        self.by_name
            .get(&plain)
            .or_else(|| self.by_name.get(without_trailing_note(&plain)))
            .map(|field| Target::Field(*field))
    }

    fn is_unit(&self, header: &str) -> bool {
        matches!(self.target(header), Some(Target::Field(Field::Unit)))
    }
}

/// A `--map HEADER=KEY` whose key names no field of a findings list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnknownField {
    header: String,
    key: String,
}

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let UnknownField { header, key } = self;
        let keys: Vec<&str> = FIELDS.iter().map(|field| field.key()).collect();
        write!(
            f,
            "--map {header}={key}：问题清单没有 “{key}” 这一项；可用：{}，或 -（忽略）。",
            keys.join("、")
        )?;
        if let Some(near) = closest(key, keys.iter().copied()) {
            write!(f, "是否应为 --map {header}={near}？")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownField {}

/// Finds the header row (the first of the top rows naming the unit) and
/// each field's column. A required field the header lacks is an error.
fn find_layout(
    sheet: &Sheet,
    words: &FindingWords,
    overrides: &[Override],
) -> Result<Layout, Diagnostic> {
    let names = Names::new(words, overrides).map_err(|message| sheet.error(message))?;
    let header_row = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|row| row.cells.iter().any(|cell| names.is_unit(&cell.text())))
        .ok_or_else(|| {
            sheet
                .error(format!(
                    "前 {HEADER_SEARCH_ROWS} 行中没有单位一列的表头 “{}”",
                    words.appendix.headers.unit
                ))
                .hint(format!(
                    "用 --map 表头=unit 指出哪一列是单位，如 --map 被检查单位=unit；问题清单各项：{}",
                    field_keys()
                ))
        })?;
    let row = &sheet.rows[header_row];
    let mut fields: BTreeMap<Field, usize> = BTreeMap::new();
    let mut ignored = Vec::new();
    let mut unknown = Vec::new();
    for (index, cell) in row.cells.iter().enumerate() {
        let header = cell.text();
        if header.is_empty() {
            continue;
        }
        let letter = column_name(sheet.first_column + index);
        match names.target(&header) {
            Some(Target::Field(field)) => {
                if let Some(first) = fields.insert(field, index) {
                    let first_letter = column_name(sheet.first_column + first);
                    let first_header = row.cell(first).text();
                    return Err(sheet.error(format!(
                        "表头 “{first_header}”（{first_letter} 列）和 “{header}”（{letter} 列）都对应 {}",
                        field.key()
                    )).hint(format!("用 --map {header}=- 忽略其中一列，或用 --map 指定")));
                }
            }
            Some(Target::Ignore) => ignored.push(format!("{header}（{letter} 列）")),
            None => {
                ignored.push(format!("{header}（{letter} 列）"));
                unknown.push(header);
            }
        }
    }
    let missing: Vec<Field> = FIELDS
        .into_iter()
        .filter(|field| field.required() && !fields.contains_key(field))
        .collect();
    if !missing.is_empty() {
        return Err(missing_fields(sheet, row, words, &missing, &unknown));
    }
    Ok(Layout {
        header_row,
        fields,
        ignored,
    })
}

/// The refusal of a header row that lacks required fields, with the
/// `--map` for each that a header of the file seems to mean: one that holds
/// the field's header (检查栏目 for 栏目) or is spelled close to it.
fn missing_fields(
    sheet: &Sheet,
    row: &Row,
    words: &FindingWords,
    missing: &[Field],
    unknown: &[String],
) -> Diagnostic {
    let names: Vec<String> = missing
        .iter()
        .map(|field| format!("{}（{}）", field.label(words), field.key()))
        .collect();
    let maps: Vec<String> = missing
        .iter()
        .filter_map(|field| {
            let headers: Vec<String> = field.headers(words).iter().map(|h| normalize(h)).collect();
            let holds = unknown.iter().find(|header| {
                let plain = normalize(header);
                headers
                    .iter()
                    .any(|name| !name.is_empty() && plain.contains(name.as_str()))
            });
            let near = || {
                headers
                    .iter()
                    .find_map(|name| closest(name, unknown.iter().map(String::as_str)))
            };
            let header = holds.map(String::as_str).or_else(near)?;
            Some(format!("--map {header}={}", field.key()))
        })
        .collect();
    let hint = if maps.is_empty() {
        "用 --map 表头=项 指出对应的列，如 --map 存在问题=problem".to_string()
    } else {
        format!("是否应为 {}？", maps.join(" "))
    };
    sheet
        .error(format!(
            "第 {} 行表头中没有 {}",
            row.number,
            names.join("、")
        ))
        .hint(hint)
}

/// The fields imported, in the file's column order: `单位 ← B 列`.
fn imported_columns(sheet: &Sheet, layout: &Layout, words: &FindingWords) -> Vec<String> {
    let mut columns: Vec<(usize, Field)> = layout
        .fields
        .iter()
        .map(|(field, index)| (*index, *field))
        .collect();
    columns.sort();
    columns
        .into_iter()
        .map(|(index, field)| {
            let letter = column_name(sheet.first_column + index);
            format!("{} ← {letter} 列", field.label(words))
        })
        .collect()
}

fn field_keys() -> String {
    FIELDS
        .iter()
        .map(|field| field.key())
        .collect::<Vec<_>>()
        .join("、")
}

/// The rows of one import under way.
struct Reader<'a> {
    sheet: &'a Sheet,
    /// The merged ranges over the fields' columns.
    merges: MergeIndex,
    layout: &'a Layout,
    site: &'a Site,
    period: &'a Period,
}

impl Reader<'_> {
    /// Every row below the header: a finding, a row skipped, or errors.
    fn records(&self, plan: &mut Plan, errors: &mut Vec<Diagnostic>) -> Vec<Record> {
        let units = self.units();
        let mut records = Vec::new();
        let mut seen: BTreeMap<Identity, usize> = BTreeMap::new();
        for row in self.sheet.rows.iter().skip(self.layout.header_row + 1) {
            let Some(record) = self.record(row, &units, plan, errors) else {
                continue;
            };
            let key = identity(&record.unit, &record.column, &record.problem);
            if let Some(first) = seen.insert(key, row.number) {
                errors.push(self.sheet.error(format!(
                    "第 {} 行与第 {first} 行是同一个问题（单位、栏目和问题描述都相同）",
                    row.number
                )));
                continue;
            }
            records.push(record);
        }
        records
    }

    /// The units of the period's tables by normalized name.
    fn units(&self) -> BTreeMap<String, &str> {
        self.period
            .tables
            .iter()
            .flat_map(|table| &table.units)
            .map(|unit| (normalize(&unit.name.value), unit.name.value.as_str()))
            .collect()
    }

    fn cell<'r>(&'r self, row: &'r Row, field: Field) -> Option<(usize, &'r Cell)> {
        let index = *self.layout.fields.get(&field)?;
        Some((index, self.merges.shown_cell(self.sheet, row, index)))
    }

    fn label(&self, field: Field) -> String {
        field.label(&self.site.findings)
    }

    /// One row as a finding; `None` for a row skipped or in error.
    fn record(
        &self,
        row: &Row,
        units: &BTreeMap<String, &str>,
        plan: &mut Plan,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Record> {
        let before = errors.len();
        let texts: BTreeMap<Field, String> = FIELDS
            .into_iter()
            .filter(|field| !matches!(field, Field::Found | Field::Checked))
            .filter_map(|field| Some((field, self.text(row, field, errors)?)))
            .collect();
        // A merged cell is content of its first row only: the unit's name
        // merged down its findings is no finding on a row of its own.
        let has_content = self
            .layout
            .fields
            .iter()
            .any(|(field, index)| *field != Field::Unit && !row.cell(*index).is_empty());
        let unit_text = texts.get(&Field::Unit).map_or("", String::as_str);
        if errors.len() == before && (unit_text.is_empty() || !has_content) {
            self.skip(row, unit_text, has_content, plan, errors);
            return None;
        }
        let unit = match unit_text {
            "" => None,
            written => self.unit(row, written, units, errors),
        };
        let category = self.category(row, texts.get(&Field::Category), errors);
        let StatusCell {
            status,
            checked: status_checked,
            note: status_note,
        } = self.status(row, texts.get(&Field::Status), errors);
        let found = match self.date(row, Field::Found, errors) {
            Ok(None) => {
                errors.push(self.empty(row, Field::Found));
                None
            }
            Ok(found) => found,
            Err(()) => None,
        };
        let checked = self
            .date(row, Field::Checked, errors)
            .unwrap_or_default()
            .or(status_checked);
        if let Some(checked) = checked {
            self.check_recheck(row, status.is_some(), found, checked, errors);
        }
        for field in [Field::Column, Field::Problem] {
            if texts.get(&field).is_some_and(String::is_empty) {
                errors.push(self.empty(row, field));
            }
        }
        let text = |field: Field| texts.get(&field).cloned().unwrap_or_default();
        let note = match (text(Field::Note), status_note) {
            (note, Some(from_status)) if note.is_empty() => from_status,
            (note, _) => note,
        };
        if errors.len() > before {
            return None;
        }
        let record = Record {
            unit: unit?,
            column: text(Field::Column),
            url: Some(text(Field::Url)).filter(|url| !url.is_empty()),
            category: category?,
            problem: text(Field::Problem),
            found: found?,
            status,
            checked,
            note,
        };
        Some(record)
    }

    /// A row without a unit or without a problem: an error when it holds a
    /// problem but no unit (a merged cell, often), otherwise reported as
    /// skipped when it holds any text.
    fn skip(
        &self,
        row: &Row,
        unit: &str,
        has_content: bool,
        plan: &mut Plan,
        errors: &mut Vec<Diagnostic>,
    ) {
        if unit.is_empty() && has_content {
            let index = self.layout.fields.get(&Field::Unit).copied().unwrap_or(0);
            errors.push(
                self.sheet
                    .error(format!(
                        "{}（{}）为空，但这一行写了问题",
                        self.sheet.position(row.number, index),
                        self.label(Field::Unit)
                    ))
                    .hint("每一行都要写单位名称；.xlsx、.xls 以外的文件不记录合并的单元格，请取消合并，并在每一行填上单位"),
            );
        } else if !unit.is_empty() {
            plan.skipped
                .push(format!("第 {} 行 “{unit}”（没有问题）", row.number));
        } else {
            let text = row_text(row);
            if !text.is_empty() {
                plan.skipped
                    .push(format!("第 {} 行 “{text}”（没有单位和问题）", row.number));
            }
        }
    }

    /// A field's text, trimmed; `None` when the file has no such column or
    /// the cell holds no text import may write (reported).
    fn text(&self, row: &Row, field: Field, errors: &mut Vec<Diagnostic>) -> Option<String> {
        let (index, cell) = self.cell(row, field)?;
        let at = || self.sheet.position(row.number, index);
        if let Cell::Uncomputed(formula) = cell {
            errors.push(
                self.sheet
                    .error(format!(
                        "{}（{}）{}",
                        at(),
                        self.label(field),
                        BadDate::Uncomputed(formula.clone())
                    ))
                    .hint(FORMULA_HINT),
            );
            return None;
        }
        let text = cell.text();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if refused(c, chars.peek().copied()).is_some() {
                errors.push(
                    self.sheet
                        .error(format!(
                            "{}（{}）中有不可见的控制字符 U+{:04X}",
                            at(),
                            self.label(field),
                            u32::from(c)
                        ))
                        .hint("它会原样进入网页、订阅源和下载的表格；在文件中删去它再导入"),
                );
                return None;
            }
        }
        // Excel counts UTF-16 code units.
        let length = text.encode_utf16().count();
        if length > CELL_LIMIT {
            errors.push(self.sheet.error(format!(
                "{}（{}）有 {length} 个字符，超出 Excel 单元格的上限 {CELL_LIMIT} 个字符",
                at(),
                self.label(field)
            )));
            return None;
        }
        Some(text)
    }

    fn empty(&self, row: &Row, field: Field) -> Diagnostic {
        let index = self.layout.fields.get(&field).copied().unwrap_or(0);
        self.sheet.error(format!(
            "{}（{}）为空",
            self.sheet.position(row.number, index),
            self.label(field)
        ))
    }

    /// The unit as the period's data.toml names it.
    fn unit(
        &self,
        row: &Row,
        written: &str,
        units: &BTreeMap<String, &str>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        if let Some(name) = units.get(&normalize(written)) {
            return Some(name.to_string());
        }
        let index = self.layout.fields.get(&Field::Unit).copied().unwrap_or(0);
        let error = self.sheet.error(format!(
            "{}的单位 “{written}” 不在期次 {} 的表格中",
            self.sheet.position(row.number, index),
            self.period.slug
        ));
        let near = closest(written, units.values().copied());
        errors.push(match near {
            Some(near) => error.hint(format!("是否应为 “{near}”？")),
            None => error.hint("问题清单中的单位须是本期表格中的单位；核对单位名称"),
        });
        None
    }

    /// The category's label as `[findings] categories` writes it, matched
    /// by label or key.
    fn category(
        &self,
        row: &Row,
        written: Option<&String>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let written = written?;
        if written.is_empty() {
            errors.push(self.empty(row, Field::Category));
            return None;
        }
        let words = &self.site.findings;
        let labels = words
            .categories
            .iter()
            .map(|word| (word.key.value.as_str(), word.label.as_str()));
        match find_word(written, labels) {
            Some(label) => Some(label.to_string()),
            None => {
                let known: Vec<&str> = words
                    .categories
                    .iter()
                    .map(|word| word.label.as_str())
                    .collect();
                errors.push(self.unknown_word(row, Field::Category, written, &known, "categories"));
                None
            }
        }
    }

    /// The status's label as `[findings] statuses` writes it, and the
    /// re-check's date and a note written after it in brackets
    /// (`未整改（2025年1月22日复查，仍为旧的分工）`, as the 问题清单 shows
    /// them); no status for an empty cell.
    fn status(
        &self,
        row: &Row,
        written: Option<&String>,
        errors: &mut Vec<Diagnostic>,
    ) -> StatusCell {
        let Some(written) = written.filter(|text| !text.is_empty()) else {
            return StatusCell::default();
        };
        let words = &self.site.findings;
        let labels = || {
            words
                .statuses
                .iter()
                .map(|word| (word.key.value.as_str(), word.label.as_str()))
        };
        if let Some(label) = find_word(written, labels()) {
            return StatusCell {
                status: Some(label.to_string()),
                ..StatusCell::default()
            };
        }
        if let Some((label, note)) = split_note(written)
            && let Some(label) = find_word(label, labels())
        {
            let (checked, note) = split_checked(note);
            return StatusCell {
                status: Some(label.to_string()),
                checked,
                note: note.map(str::to_string),
            };
        }
        let known: Vec<&str> = words
            .statuses
            .iter()
            .map(|word| word.label.as_str())
            .collect();
        errors.push(self.unknown_word(row, Field::Status, written, &known, "statuses"));
        StatusCell::default()
    }

    fn unknown_word(
        &self,
        row: &Row,
        field: Field,
        written: &str,
        known: &[&str],
        list: &str,
    ) -> Diagnostic {
        let index = self.layout.fields.get(&field).copied().unwrap_or(0);
        let error = self.sheet.error(format!(
            "{}的{} “{written}” 不在 site.toml 的 [findings] {list} 中",
            self.sheet.position(row.number, index),
            self.label(field)
        ));
        match closest(written, known.iter().copied()) {
            Some(near) => error.hint(format!("是否应为 “{near}”？")),
            None if known.is_empty() => error.hint(format!(
                "site.toml 的 [findings] 中没有 {list}；先在那里列出县里用的词"
            )),
            None => error.hint(format!("可用的{}：{}", self.label(field), known.join("、"))),
        }
    }

    /// A date field: `Ok(None)` when the file has no such column or the
    /// cell is empty, `Err` when it holds no date (reported).
    fn date(
        &self,
        row: &Row,
        field: Field,
        errors: &mut Vec<Diagnostic>,
    ) -> Result<Option<NaiveDate>, ()> {
        let Some((index, cell)) = self.cell(row, field) else {
            return Ok(None);
        };
        parse_date(cell).map_err(|problem| {
            let error = self.sheet.error(format!(
                "{}（{}）{problem}",
                self.sheet.position(row.number, index),
                self.label(field)
            ));
            errors.push(match problem {
                BadDate::Uncomputed(_) => error.hint(FORMULA_HINT),
                BadDate::NotADate(_) | BadDate::BadSerial(_) => error
                    .hint("日期写作 2019-06-03、2019/6/3 或 2019年6月3日，或设为 Excel 的日期格式"),
            });
        })
    }

    /// A re-check date needs a status and comes no earlier than the finding.
    fn check_recheck(
        &self,
        row: &Row,
        has_status: bool,
        found: Option<NaiveDate>,
        checked: NaiveDate,
        errors: &mut Vec<Diagnostic>,
    ) {
        let index = self
            .layout
            .fields
            .get(&Field::Checked)
            .copied()
            .unwrap_or(0);
        let at = self.sheet.position(row.number, index);
        if !has_status {
            errors.push(
                self.sheet
                    .error(format!(
                        "{at}有复查日期，但这一行没有{}",
                        self.label(Field::Status)
                    ))
                    .hint("在同一行写复查结果，如 已整改"),
            );
        } else if let Some(found) = found
            && checked < found
        {
            errors.push(
                self.sheet
                    .error(format!("{at}的复查日期 {checked} 早于发现日期 {found}")),
            );
        }
    }
}

/// The label of the word written as its label or its key.
fn find_word<'w>(
    written: &str,
    mut words: impl Iterator<Item = (&'w str, &'w str)>,
) -> Option<&'w str> {
    let plain = normalize(written);
    words
        .find(|(key, label)| normalize(label) == plain || *key == plain)
        .map(|(_, label)| label)
}

/// What a 整改情况 cell holds, as the 问题清单 writes it:
/// `已整改（2019年6月12日复查，已更新）` is the status, the re-check's date
/// and the note, each but the status optional.
#[derive(Default)]
struct StatusCell {
    status: Option<String>,
    checked: Option<NaiveDate>,
    note: Option<String>,
}

/// The bracket of a 整改情况 cell → the re-check's date, when it starts
/// with `2019年6月12日复查` as the 问题清单 writes it, and the note after it
/// (after `，`), if any.
fn split_checked(bracket: &str) -> (Option<NaiveDate>, Option<&str>) {
    let Some((day, rest)) = bracket.split_once("复查") else {
        return (None, Some(bracket));
    };
    let Some(date) = chinese_date(day) else {
        return (None, Some(bracket));
    };
    let note = rest.strip_prefix('，').unwrap_or(rest).trim();
    (Some(date), (!note.is_empty()).then_some(note))
}

/// `2019年6月12日` → the date.
fn chinese_date(text: &str) -> Option<NaiveDate> {
    let (year, rest) = text.trim().split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// `未整改（仍为旧的分工）` → (`未整改`, `仍为旧的分工`), in full-width or
/// half-width brackets.
fn split_note(text: &str) -> Option<(&str, &str)> {
    let (close, open) = if text.ends_with('）') {
        ('）', '（')
    } else if text.ends_with(')') {
        (')', '(')
    } else {
        return None;
    };
    let inner = text.strip_suffix(close)?;
    let at = inner.find(open)?;
    let label = inner[..at].trim();
    let note = inner[at + open.len_utf8()..].trim();
    (!label.is_empty() && !note.is_empty()).then_some((label, note))
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

/// Gives each finding the parts of the re-check `findings.toml` records
/// for it whose columns (`absent`) the file lacks: the status, and when the
/// status is the recorded one, the date and the note. Returns how many
/// findings kept some.
fn keep_rechecks(records: &mut [Record], old: &[Finding], absent: &[Field]) -> usize {
    let recorded: BTreeMap<Identity, &Finding> = old
        .iter()
        .filter(|finding| finding.status.is_some())
        .map(|finding| (old_identity(finding), finding))
        .collect();
    let mut kept = 0;
    for record in records {
        let key = identity(&record.unit, &record.column, &record.problem);
        let Some(finding) = recorded.get(&key) else {
            continue;
        };
        let status = finding.status.as_ref().map(|status| status.value.clone());
        let mut keeps = false;
        if absent.contains(&Field::Status) {
            record.status = status;
            keeps = true;
        } else if record.status != status {
            // A new re-check: the old date and note were about the old one.
            continue;
        }
        let checked = finding.checked.as_ref().map(|date| date.value);
        if absent.contains(&Field::Checked) && record.checked.is_none() && checked.is_some() {
            record.checked = checked;
            keeps = true;
        }
        if absent.contains(&Field::Note) && record.note.is_empty() && !finding.note.is_empty() {
            record.note = finding.note.clone();
            keeps = true;
        }
        kept += usize::from(keeps);
    }
    kept
}

fn old_identity(finding: &Finding) -> Identity {
    identity(&finding.unit.value, &finding.column, &finding.problem)
}

/// How a recorded status would be lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loss {
    /// The file lacks the finding.
    Missing,
    /// The file has the finding without a status.
    Blank,
}

/// The findings of `findings.toml` with a status that the import would
/// drop, and how.
fn lost_statuses<'f>(records: &[Record], old: &'f [Finding]) -> Vec<(&'f Finding, Loss)> {
    let statuses: BTreeMap<Identity, bool> = records
        .iter()
        .map(|record| {
            let key = identity(&record.unit, &record.column, &record.problem);
            (key, record.status.is_some())
        })
        .collect();
    old.iter()
        .filter(|finding| finding.status.is_some())
        .filter_map(|finding| match statuses.get(&old_identity(finding)) {
            Some(true) => None,
            Some(false) => Some((finding, Loss::Blank)),
            None => Some((finding, Loss::Missing)),
        })
        .collect()
}

/// A lost status for the report: `丙镇 栏目：问题（未整改）`.
fn describe(finding: &Finding) -> String {
    let status = finding.status.as_ref().map_or("", |status| &status.value);
    format!(
        "{} {}：{}（{status}）",
        finding.unit.value, finding.column, finding.problem
    )
}

/// The refusal of a lost status, at its line of `findings.toml`.
fn lost_status_error(finding: &Finding, loss: Loss) -> Diagnostic {
    let status = finding.status.as_ref().map_or("", |status| &status.value);
    let message = match loss {
        Loss::Missing => format!("已记录复查结果 “{status}” 的问题不在导入的文件中"),
        Loss::Blank => format!("已记录复查结果 “{status}” 的问题在导入的文件中没有整改情况"),
    };
    let at = finding
        .status
        .as_ref()
        .map_or(&finding.location, |status| &status.location);
    Diagnostic::error(message).at(at).hint(
        "导入会替换本期的全部问题：在文件中保留这个问题和它的整改情况；确要丢弃这些复查结果，加 --drop-status",
    )
}

/// The new `findings.toml`: the comment lines heading the old one (if
/// any), then one finding per line.
fn findings_text(old_text: &str, records: &[Record]) -> String {
    let mut text: String = old_text
        .split_inclusive('\n')
        .take_while(|line| {
            let line = line.trim();
            line.is_empty() || line.starts_with('#')
        })
        .collect();
    text.push_str("findings = [\n");
    for record in records {
        let _ = writeln!(text, "  {},", finding_line(record));
    }
    text.push_str("]\n");
    text
}

/// A finding as one inline table, in the key order docs/FORMAT.md shows.
fn finding_line(record: &Record) -> String {
    let mut parts = vec![
        format!("unit = {}", quoted(&record.unit)),
        format!("column = {}", quoted(&record.column)),
    ];
    if let Some(url) = &record.url {
        parts.push(format!("url = {}", quoted(url)));
    }
    parts.push(format!("category = {}", quoted(&record.category)));
    parts.push(format!("problem = {}", quoted(&record.problem)));
    parts.push(format!("found = {}", record.found));
    if let Some(status) = &record.status {
        parts.push(format!("status = {}", quoted(status)));
    }
    if let Some(checked) = record.checked {
        parts.push(format!("checked = {checked}"));
    }
    if !record.note.is_empty() {
        parts.push(format!("note = {}", quoted(&record.note)));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// A TOML basic string on one line: a line break in a cell is written
/// `\n`, so each finding stays on its own line.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `findings.toml` of the period whose `data.toml` is named
/// `data_name`, named the same way.
pub fn file_name(data_name: &str) -> String {
    Path::new(data_name)
        .with_file_name(FINDINGS_FILE)
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_stay_on_one_line() {
        assert_eq!(quoted("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
        assert_eq!(quoted("标题“政务公开”"), "\"标题“政务公开”\"");
    }

    #[test]
    fn a_note_in_brackets_follows_the_status() {
        assert_eq!(
            split_note("未整改（仍为旧的分工）"),
            Some(("未整改", "仍为旧的分工"))
        );
        assert_eq!(split_note("未整改 (旧)"), Some(("未整改", "旧")));
        assert_eq!(split_note("未整改"), None);
        assert_eq!(split_note("（只有括号）"), None);
    }

    #[test]
    fn a_status_brackets_re_check_date_is_read_before_its_note() {
        let day = NaiveDate::from_ymd_opt(2025, 1, 22);
        assert_eq!(
            split_checked("2025年1月22日复查，仍为旧的分工"),
            (day, Some("仍为旧的分工"))
        );
        assert_eq!(split_checked("2025年1月22日复查"), (day, None));
        assert_eq!(split_checked("仍为旧的分工"), (None, Some("仍为旧的分工")));
        assert_eq!(split_checked("明天复查"), (None, Some("明天复查")));
    }

    #[test]
    fn leading_comments_are_kept() {
        let record = Record {
            unit: "甲镇".into(),
            column: "政务动态".into(),
            url: None,
            category: "未更新".into(),
            problem: "三个月未更新".into(),
            found: NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            status: None,
            checked: None,
            note: String::new(),
        };
        assert_eq!(
            findings_text("# 说明\n\nfindings = [\n]\n", &[record]),
            "# 说明\n\nfindings = [\n  { unit = \"甲镇\", column = \"政务动态\", category = \"未更新\", problem = \"三个月未更新\", found = 2024-12-20 },\n]\n"
        );
    }
}
