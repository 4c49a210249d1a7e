//! Import of a publication log: the backend's list of published items
//! (xlsx, xls or CSV, as [`super::sheet`] reads them) → the period's
//! `log.csv` ([`crate::layout::LOG_FILE`]).
//!
//! The header row is the first row that holds every header `[log]` in
//! `site.toml` names. Each following row is one item: its unit is matched
//! to a unit of the period's tables with the once-a-week rule (as counts
//! are matched, ignoring spaces and full-width forms) and written as
//! data.toml spells it; its date (read as every import reads dates,
//! `import::dates`) is written `YYYY-MM-DD`. The lines are
//! sorted by date, unit, kind and title, so that a newer export of the same
//! items gives the same file and a diff shows one line per item.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use super::dates::parse_date;
use super::names::normalize;
use super::sheet::{self, Cell, Row, Sheet};
use crate::diagnostics::Diagnostic;
use crate::model::{LogColumns, Period, Site};
use crate::spelling::closest;

/// What a log import will write, for the report and the write.
#[derive(Debug, Clone, Default)]
pub struct LogPlan {
    /// How the file was read, e.g. `工作表 “Sheet1”`.
    pub source: String,
    /// Items read.
    pub items: usize,
    /// Units with at least one item.
    pub units: usize,
    /// Items of a dynamic kind.
    pub dynamic: usize,
    /// The log's text now (empty when there is none) and after the import.
    pub old_text: String,
    pub new_text: String,
}

/// One item, as it will be written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Item {
    date: NaiveDate,
    unit: String,
    kind: String,
    title: String,
}

/// The columns of the file that hold the log's fields.
struct Layout {
    header_row: usize,
    unit: usize,
    date: usize,
    kind: usize,
    title: Option<usize>,
}

/// Plans the import of the log in `file` (worksheet `sheet_name`) into
/// `period`, whose `log.csv` holds `old_text` now. Returns every problem.
pub fn plan_log(
    site: &Site,
    period: &Period,
    file: &Path,
    sheet_name: Option<&str>,
    old_text: &str,
) -> Result<LogPlan, Vec<Diagnostic>> {
    let Some(columns) = &site.log else {
        return Err(vec![Diagnostic::error(
            "site.toml 中没有 [log]，不知道发布记录的哪一列是单位、日期和栏目",
        )
        .hint("在 site.toml 中写 [log]：unit、date、kind 为导出文件中这些列的表头，dynamic 列出算作动态信息的栏目")]);
    };
    let sheet = sheet::read(file, sheet_name).map_err(|error| vec![error])?;
    let layout = find_layout(&sheet, columns).map_err(|error| vec![error])?;
    let units = weekly_units(site, period);
    let mut errors = Vec::new();
    let mut unknown: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut items = Vec::new();
    for row in sheet
        .rows
        .iter()
        .filter(|row| row.number > layout.header_row)
    {
        if row.cells.iter().all(Cell::is_empty) {
            continue;
        }
        match read_item(&sheet, row, &layout, &units) {
            Ok(item) => items.push(item),
            Err(Problem::Unknown(name)) => {
                let entry = unknown.entry(name).or_insert((row.number, 0));
                entry.1 += 1;
            }
            Err(Problem::Bad(error)) => errors.push(error),
        }
    }
    for (name, (first, count)) in &unknown {
        let error = sheet
            .error(format!(
                "{}：单位 “{name}” 不在本期有每周更新规则的表格中（共 {count} 行）",
                sheet.position(*first, layout.unit)
            ))
            .hint(
                "单位名称应与 data.toml 中的一致；先用 tongbao import 或在 data.toml 中加入该单位",
            )
            .suggest(closest(name, units.values().map(String::as_str)));
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    items.sort();
    let mut names: Vec<&str> = items.iter().map(|item| item.unit.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    Ok(LogPlan {
        source: sheet.description.clone(),
        items: items.len(),
        units: names.len(),
        dynamic: items
            .iter()
            .filter(|item| columns.dynamic.contains(&item.kind))
            .count(),
        old_text: old_text.to_string(),
        new_text: write_log(columns, &items),
    })
}

/// The units of the period's tables with the once-a-week rule, by their
/// normalized name, as data.toml spells them.
fn weekly_units(site: &Site, period: &Period) -> BTreeMap<String, String> {
    period
        .tables
        .iter()
        .filter(|table| {
            site.schema(&table.id.value)
                .is_some_and(|schema| schema.weekly.is_some())
        })
        .flat_map(|table| &table.units)
        .map(|unit| (normalize(&unit.name.value), unit.name.value.clone()))
        .collect()
}

/// The first row holding every header `[log]` names.
fn find_layout(sheet: &Sheet, columns: &LogColumns) -> Result<Layout, Diagnostic> {
    let wanted = |row: &Row, name: &str| {
        row.cells
            .iter()
            .position(|cell| normalize(&cell.text()) == normalize(name))
    };
    for row in &sheet.rows {
        let found = (
            wanted(row, &columns.unit.value),
            wanted(row, &columns.date.value),
            wanted(row, &columns.kind.value),
        );
        if let (Some(unit), Some(date), Some(kind)) = found {
            return Ok(Layout {
                header_row: row.number,
                unit,
                date,
                kind,
                title: columns
                    .title
                    .as_ref()
                    .and_then(|title| wanted(row, &title.value)),
            });
        }
    }
    let first: Vec<String> = sheet
        .rows
        .first()
        .map(|row| row.cells.iter().map(Cell::text).collect())
        .unwrap_or_default();
    Err(sheet
        .error(format!(
            "找不到含 “{}”、“{}”、“{}” 的表头行",
            columns.unit.value, columns.date.value, columns.kind.value
        ))
        .hint(format!(
            "第一行的表头是：{}；site.toml 的 [log] 应写导出文件中的表头",
            first.join("、")
        )))
}

enum Problem {
    /// A unit no weekly table has, by name as the file spells it.
    Unknown(String),
    Bad(Diagnostic),
}

fn read_item(
    sheet: &Sheet,
    row: &Row,
    layout: &Layout,
    units: &BTreeMap<String, String>,
) -> Result<Item, Problem> {
    let name = row.cell(layout.unit).text();
    if name.is_empty() {
        return Err(Problem::Bad(sheet.error(format!(
            "{}：单位为空",
            sheet.position(row.number, layout.unit)
        ))));
    }
    let Some(unit) = units.get(&normalize(&name)) else {
        return Err(Problem::Unknown(name));
    };
    let position = sheet.position(row.number, layout.date);
    let date = match parse_date(row.cell(layout.date)) {
        Ok(Some(date)) => date,
        Ok(None) => {
            return Err(Problem::Bad(
                sheet.error(format!("{position}：发布日期为空")),
            ));
        }
        Err(bad) => {
            return Err(Problem::Bad(
                sheet
                    .error(format!("{position}：{bad}"))
                    .hint("日期应如 2019-06-05、2019/6/5 或 2019年6月5日，可带时间"),
            ));
        }
    };
    Ok(Item {
        date,
        unit: unit.clone(),
        kind: row.cell(layout.kind).text(),
        title: layout
            .title
            .map(|index| row.cell(index).text())
            .unwrap_or_default(),
    })
}

/// The log's text: the header, then one line per item.
fn write_log(columns: &LogColumns, items: &[Item]) -> String {
    let mut header = vec![columns.unit.value.as_str()];
    if let Some(title) = &columns.title {
        header.push(title.value.as_str());
    }
    header.extend([columns.kind.value.as_str(), columns.date.value.as_str()]);
    let mut text = csv_line(header.iter().copied());
    for item in items {
        let date = item.date.format("%Y-%m-%d").to_string();
        let mut fields = vec![item.unit.as_str()];
        if columns.title.is_some() {
            fields.push(item.title.as_str());
        }
        fields.extend([item.kind.as_str(), date.as_str()]);
        text.push_str(&csv_line(fields.into_iter()));
    }
    text
}

/// One CSV line, each field quoted where it needs to be; control
/// characters (line breaks in a title) become spaces, so an item is a line.
fn csv_line<'a>(fields: impl Iterator<Item = &'a str>) -> String {
    let fields: Vec<String> = fields
        .map(|field| {
            let field: String = field
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            if field.contains([',', '"']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect();
    format!("{}\n", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(
            csv_line(["a,b", "say \"hi\"", "x\ny"].into_iter()),
            "\"a,b\",\"say \"\"hi\"\"\",x y\n"
        );
    }
}
