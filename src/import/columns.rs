//! Which column of the export holds what: the header row found, each
//! header matched to the unit name or to a count column of the table.
//!
//! A header matches a column by the column's key, its label or its literal
//! header text in `site.toml` (e.g. 信息公开, 国办), compared after
//! [`normalize`]; a header with a trailing note in brackets, such as
//! 信息公开（采用数）, matches too. `--map 表头=key` decides for any header,
//! and `--map 表头=-` ignores one.
//!
//! Every count column of the table must then be accounted for: read from
//! the file, or left as `data.toml` has it by `--keep`. A column the file
//! seems to lack is an error, never a silently kept old figure (after
//! `tongbao new`, a 0): [`coverage`] says so and, where a header the file
//! has is close to the column's label, which `--map` fixes it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use super::names::{normalize, without_trailing_note};
use super::sheet::{Row, Sheet, column_name};
use crate::diagnostics::Diagnostic;
use crate::load::UNIT_KEY;
use crate::model::{Column, ColumnKind, Schema};
use crate::spelling::closest;

/// How many rows from the top may hold the header: exports often start
/// with a title line or two.
const HEADER_SEARCH_ROWS: usize = 30;

/// What an export column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The unit's name.
    Unit,
    /// A count, by column key.
    Count(String),
    /// Nothing to import; the reason is shown in the report.
    Ignore(String),
}

/// One `--map 表头=key` given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub header: String,
    pub key: String,
}

impl FromStr for Override {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once('=') {
            Some((header, key)) if !header.trim().is_empty() && !key.trim().is_empty() => {
                Ok(Override {
                    header: header.trim().to_string(),
                    key: key.trim().to_string(),
                })
            }
            _ => Err(format!(
                "“{text}” 应写作 表头=列名，例如 信息公开数=disclosure，或 序号=- 表示忽略"
            )),
        }
    }
}

/// Where things are in the export.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Index into `Sheet::rows` of the first row after the header.
    pub first_data_row: usize,
    /// Cell index of the unit names.
    pub unit: usize,
    /// Cell index and column key of each count to import, in file order.
    pub counts: Vec<(usize, String)>,
    /// Headers not imported, with the reason: `序号（A 列）`.
    pub ignored: Vec<String>,
    /// The columns whose header names nothing the table has.
    pub unknown: Vec<UnknownHeader>,
}

/// A column of the export whose header matched no column of the table.
#[derive(Debug, Clone)]
pub struct UnknownHeader {
    /// Its header texts, the one under a group heading first.
    pub texts: Vec<String>,
}

/// Why an export's header cannot be matched to a table's columns. Each
/// carries what its message names, already in the clerk's words (the
/// header texts, the column letters, the table's columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// `--map HEADER=KEY` names a column the rules compute.
    Computed { header: String, key: String },
    /// `--map HEADER=KEY` names no column of the table.
    UnknownKey {
        header: String,
        key: String,
        /// The table's key nearest to `key`, if one is near.
        near: Option<String>,
        table: String,
        /// The table's count columns, `key（label）` each.
        columns: String,
    },
    /// No header in the top rows names the unit column.
    NoUnitColumn {
        label: String,
        /// The first non-empty row's texts.
        first_row: String,
    },
    /// Two columns of the export name the same key.
    TwoColumns {
        key: String,
        first: String,
        first_letter: String,
        second: String,
        second_letter: String,
    },
    /// The header row names no count column of the table.
    NoCounts {
        row: usize,
        table: String,
        columns: String,
    },
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::Computed { header, key } => {
                write!(f, "--map {header}={key}：{key} 由计分规则算出，不能导入")
            }
            LayoutError::UnknownKey {
                header,
                key,
                near,
                table,
                columns,
            } => {
                write!(f, "--map {header}={key}：表格 “{table}” 没有列 “{key}”。")?;
                if let Some(near) = near {
                    write!(f, "是否应为 {near}？")?;
                }
                write!(f, "可用的列：unit（单位名称）、{columns}")
            }
            LayoutError::NoUnitColumn { label, first_row } => write!(
                f,
                "找不到单位名称列：前 {HEADER_SEARCH_ROWS} 行中没有表头 “{label}”（文件第一行为：{first_row}）；请用 --map 表头=unit 指定，例如 --map 单位名称=unit"
            ),
            LayoutError::TwoColumns {
                key,
                first,
                first_letter,
                second,
                second_letter,
            } => write!(
                f,
                "表头 “{first}”（{first_letter} 列）和 “{second}”（{second_letter} 列）都对应 {key}；请用 --map {second}=- 忽略其中一列，或用 --map 指定"
            ),
            LayoutError::NoCounts {
                row,
                table,
                columns,
            } => write!(
                f,
                "第 {row} 行表头中没有可导入的列：表格 “{table}” 的计数列为 {columns}；请用 --map 表头=列名 指定"
            ),
        }
    }
}

impl std::error::Error for LayoutError {}

/// Finds the header row and matches its cells to the table's columns.
pub fn find_layout(
    sheet: &Sheet,
    schema: &Schema,
    overrides: &[Override],
) -> Result<Layout, LayoutError> {
    let names = Names::new(schema, overrides)?;
    let is_unit = |cell: &super::sheet::Cell| names.target(&cell.text()) == Some(Target::Unit);
    let (header_row, unit_index) = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .find_map(|(index, row)| Some((index, row.cells.iter().position(is_unit)?)))
        .ok_or_else(|| no_unit_column(sheet, schema))?;
    let row = &sheet.rows[header_row];
    let second = second_header_row(sheet, header_row, unit_index, &names);
    let width = row
        .cells
        .len()
        .max(second.map_or(0, |second| second.cells.len()));
    let mut unit = None;
    let mut counts: Vec<(usize, String)> = Vec::new();
    let mut ignored = Vec::new();
    let mut unknown = Vec::new();
    let mut seen: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for index in 0..width {
        let letter = column_name(sheet.first_column + index);
        let (header, target) = match match_header(&names, row, second, index) {
            Matched::Blank => continue,
            Matched::Unknown(texts) => {
                let shown = texts.last().cloned().unwrap_or_default();
                ignored.push(format!("{shown}（{letter} 列）"));
                unknown.push(UnknownHeader { texts });
                continue;
            }
            Matched::Ignore(header, reason) => {
                ignored.push(format!("{header}（{letter} 列，{reason}）"));
                continue;
            }
            Matched::Column(header, target) => (header, target),
        };
        let key = match &target {
            Target::Count(key) => key.clone(),
            _ => UNIT_KEY.to_string(),
        };
        if let Some((first, first_header)) = seen.insert(key.clone(), (index, header.clone())) {
            return Err(LayoutError::TwoColumns {
                key,
                first: first_header,
                first_letter: column_name(sheet.first_column + first),
                second: header,
                second_letter: letter,
            });
        }
        match target {
            Target::Count(key) => counts.push((index, key)),
            _ => unit = Some(index),
        }
    }
    let unit = unit.ok_or_else(|| no_unit_column(sheet, schema))?;
    if counts.is_empty() {
        return Err(LayoutError::NoCounts {
            row: row.number,
            table: schema.id.value.clone(),
            columns: count_columns(schema),
        });
    }
    Ok(Layout {
        first_data_row: header_row + 1 + usize::from(second.is_some()),
        unit,
        counts,
        ignored,
        unknown,
    })
}

/// What one column's header says.
enum Matched {
    /// No header text at all.
    Blank,
    /// A header that names no column of the table: its texts, the one
    /// under a group heading first.
    Unknown(Vec<String>),
    /// A header to leave out, with the reason.
    Ignore(String, String),
    /// The unit name or a count column.
    Column(String, Target),
}

/// Matches the header of column `index`: a second header row names the
/// column under a group heading, so its text is tried first.
fn match_header(names: &Names, row: &Row, second: Option<&Row>, index: usize) -> Matched {
    let candidates: Vec<String> = [
        second.map(|second| second.cell(index)),
        Some(row.cell(index)),
    ]
    .into_iter()
    .flatten()
    .map(|cell| cell.text())
    .filter(|text| !text.is_empty())
    .collect();
    let found = candidates
        .iter()
        .find_map(|header| names.target(header).map(|target| (header.clone(), target)));
    match found {
        Some((header, Target::Ignore(reason))) => Matched::Ignore(header, reason),
        Some((header, target)) => Matched::Column(header, target),
        None if candidates.is_empty() => Matched::Blank,
        None => Matched::Unknown(candidates),
    }
}

/// The row under the header when it continues the header: its unit cell is
/// empty and it names a column, as in a table whose group headings span
/// the columns below them.
fn second_header_row<'s>(
    sheet: &'s Sheet,
    header_row: usize,
    unit_index: usize,
    names: &Names,
) -> Option<&'s Row> {
    let row = sheet.rows.get(header_row + 1)?;
    let continues = row.cell(unit_index).is_empty()
        && row
            .cells
            .iter()
            .any(|cell| matches!(names.target(&cell.text()), Some(Target::Count(_))));
    continues.then_some(row)
}

/// Header names and what they stand for, overrides first.
struct Names {
    overrides: BTreeMap<String, Target>,
    defaults: BTreeMap<String, Target>,
}

impl Names {
    fn new(schema: &Schema, overrides: &[Override]) -> Result<Names, LayoutError> {
        let mut defaults = BTreeMap::new();
        let mut add = |name: &str, target: Target| {
            let name = normalize(name);
            if !name.is_empty() && !name.contains("{{") {
                defaults.entry(name).or_insert(target);
            }
        };
        add(&schema.unit_label, Target::Unit);
        add(UNIT_KEY, Target::Unit);
        for column in &schema.columns {
            let target = match column.kind {
                ColumnKind::Count => Target::Count(column.key.value.clone()),
                ColumnKind::Score { .. } | ColumnKind::Status { .. } => {
                    Target::Ignore("由计分规则计算，不导入".to_string())
                }
                ColumnKind::Findings { .. } => Target::Ignore("由问题清单计算，不导入".to_string()),
            };
            add(&column.key.value, target.clone());
            add(&column.label, target.clone());
            if let Some(header) = &column.header {
                add(&header.value, target);
            }
        }
        let mut mapped = BTreeMap::new();
        for item in overrides {
            let target = match item.key.as_str() {
                "-" => Target::Ignore("按 --map 忽略".to_string()),
                UNIT_KEY => Target::Unit,
                key => match schema.column(key).map(|column| &column.kind) {
                    Some(ColumnKind::Count) => Target::Count(key.to_string()),
                    Some(
                        ColumnKind::Score { .. }
                        | ColumnKind::Status { .. }
                        | ColumnKind::Findings { .. },
                    ) => {
                        return Err(LayoutError::Computed {
                            header: item.header.clone(),
                            key: key.to_string(),
                        });
                    }
                    None => return Err(unknown_key(schema, &item.header, key)),
                },
            };
            mapped.insert(normalize(&item.header), target);
        }
        Ok(Names {
            overrides: mapped,
            defaults,
        })
    }

    fn target(&self, header: &str) -> Option<Target> {
        let name = normalize(header);
        if name.is_empty() {
            return None;
        }
        let shortened = without_trailing_note(&name);
        self.overrides
            .get(&name)
            .or_else(|| self.defaults.get(&name))
            .or_else(|| self.overrides.get(shortened))
            .or_else(|| self.defaults.get(shortened))
            .cloned()
    }
}

/// Checks that every count column of the table is imported from the file
/// or named by `--keep` (by key or label), and that each `--keep` names a
/// count column the file does not also have. Returns the keys kept, in the
/// table's order; each problem goes into `errors`, headed by the file.
pub fn coverage(
    sheet: &Sheet,
    schema: &Schema,
    layout: &Layout,
    keep: &[String],
    errors: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let imported: BTreeMap<&str, usize> = layout
        .counts
        .iter()
        .map(|(index, key)| (key.as_str(), *index))
        .collect();
    let mut kept = BTreeSet::new();
    for wanted in keep {
        match kept_column(schema, wanted) {
            Ok(column) => match imported.get(column.key.value.as_str()) {
                Some(index) => errors.push(sheet.error(format!(
                    "--keep {wanted}：文件的 {} 列就是 “{}”，会被导入；去掉 --keep {wanted}，或用 --map 表头=- 忽略那一列",
                    column_name(sheet.first_column + index),
                    column.label
                ))),
                None => {
                    kept.insert(column.key.value.as_str());
                }
            },
            Err(error) => errors.push(sheet.error(error.message).suggest(error.near.as_deref())),
        }
    }
    for column in count_columns_of(schema) {
        let key = column.key.value.as_str();
        if imported.contains_key(key) || kept.contains(key) {
            continue;
        }
        let near = near_header(layout, column)
            .map(|header| format!("--map {}", shell_word(&format!("{header}={key}"))));
        errors.push(
            sheet
                .error(format!(
                    "文件中没有 “{}”（{key}）这一列：表格 “{}” 的每个计数列都要从文件导入；文件确实没有这一列时，加 --keep {key} 保留 data.toml 中原有的数字",
                    column.label, schema.id.value
                ))
                .suggest(near.as_deref()),
        );
    }
    count_columns_of(schema)
        .map(|column| column.key.value.as_str())
        .filter(|key| kept.contains(key))
        .map(str::to_string)
        .collect()
}

/// A `--keep` that names no count column, and the closest one.
struct BadKeep {
    message: String,
    near: Option<String>,
}

/// The count column `wanted` names by its key or its label.
fn kept_column<'s>(schema: &'s Schema, wanted: &str) -> Result<&'s Column, BadKeep> {
    let name = normalize(wanted);
    let found = schema
        .columns
        .iter()
        .find(|column| column.key.value == wanted || normalize(&column.label) == name);
    match found {
        Some(column) => match column.kind {
            ColumnKind::Count => Ok(column),
            ColumnKind::Score { .. } | ColumnKind::Status { .. } | ColumnKind::Findings { .. } => {
                Err(BadKeep {
                    message: format!(
                        "--keep {wanted}：“{}” 由计分规则算出，从不导入，不必 --keep",
                        column.label
                    ),
                    near: None,
                })
            }
        },
        None => {
            let names = count_columns_of(schema)
                .flat_map(|column| [column.key.value.as_str(), column.label.as_str()]);
            Err(BadKeep {
                message: format!(
                    "--keep {wanted}：表格 “{}” 没有计数列 “{wanted}”。可用的列：{}",
                    schema.id.value,
                    count_columns(schema)
                ),
                near: closest(wanted, names).map(|near| format!("--keep {near}")),
            })
        }
    }
}

/// The header, among those that matched nothing, that most likely means
/// `column`: one that holds its label or is held in it (省级采用 for 省级),
/// else one close to it in spelling. Normalized, so that `--map` takes it
/// as it is.
fn near_header(layout: &Layout, column: &Column) -> Option<String> {
    let label = normalize(&column.label);
    let texts: Vec<String> = layout
        .unknown
        .iter()
        .flat_map(|header| header.texts.iter().map(|text| normalize(text)))
        .collect();
    let long_enough = |text: &str| text.chars().count() >= 2;
    let holds = |text: &&String| {
        long_enough(text)
            && long_enough(&label)
            && (text.contains(label.as_str()) || label.contains(text.as_str()))
    };
    texts
        .iter()
        .find(holds)
        .cloned()
        .or_else(|| closest(&label, texts.iter().map(String::as_str)).map(str::to_string))
}

/// `text` as one word of a shell command: quoted when it holds anything
/// but letters, digits (Chinese ones included) and `-_.,:/+%@=`.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "-_.,:/+%@=".contains(c);
    if text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn count_columns_of(schema: &Schema) -> impl Iterator<Item = &Column> {
    schema.columns.iter().filter(|column| column.is_typed())
}

fn unknown_key(schema: &Schema, header: &str, key: &str) -> LayoutError {
    let keys = count_columns_of(schema)
        .map(|column| column.key.value.as_str())
        .chain([UNIT_KEY]);
    LayoutError::UnknownKey {
        header: header.to_string(),
        key: key.to_string(),
        near: closest(key, keys).map(str::to_string),
        table: schema.id.value.clone(),
        columns: count_columns(schema),
    }
}

fn count_columns(schema: &Schema) -> String {
    count_columns_of(schema)
        .map(|column| format!("{}（{}）", column.key.value, column.label))
        .collect::<Vec<_>>()
        .join("、")
}

fn no_unit_column(sheet: &Sheet, schema: &Schema) -> LayoutError {
    let first = sheet
        .rows
        .iter()
        .find(|row| row.cells.iter().any(|cell| !cell.is_empty()));
    let first_row = first
        .map(|row| {
            row.cells
                .iter()
                .map(|cell| cell.text())
                .filter(|text| !text.is_empty())
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default();
    LayoutError::NoUnitColumn {
        label: schema.unit_label.clone(),
        first_row,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggested_map_is_one_shell_word() {
        assert_eq!(shell_word("省级采用=province"), "省级采用=province");
        assert_eq!(shell_word("省级(采用)=province"), "'省级(采用)=province'");
        assert_eq!(shell_word("a'b=c"), r"'a'\''b=c'");
    }
}
