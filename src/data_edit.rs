//! Edits to a period's `data.toml` that keep what the clerk wrote: comments,
//! the order of keys and tables, and the one-unit-per-line layout of `rows`.
//!
//! `new` and `import` change figures only through [`DataDocument`]. A row
//! whose keys stay the same keeps its exact spacing; a row that gains or
//! loses a key is laid out again as `{ unit = "…", key = value, … }`, its
//! keys in the schema's column order.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use crate::load::UNIT_KEY;
use crate::model::{Schema, Site};

/// A `data.toml` open for editing.
#[derive(Debug, Clone)]
pub struct DataDocument {
    document: DocumentMut,
}

/// Why a `data.toml` could not be edited, in Chinese for the clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError(pub String);

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EditError {}

impl DataDocument {
    /// Parses the text of a `data.toml`.
    pub fn parse(text: &str) -> Result<Self, EditError> {
        text.parse::<DocumentMut>()
            .map(|document| DataDocument { document })
            .map_err(|error| EditError(format!("TOML 格式错误：{}", error.message().trim())))
    }

    /// Sets a date in `[period]`, keeping the comment after it. TOML
    /// writes a year in four digits, so one outside 0–9999 is refused.
    pub fn set_period_date(&mut self, key: &str, date: NaiveDate) -> Result<(), EditError> {
        let year = u16::try_from(date.year())
            .ok()
            .filter(|year| *year <= 9999)
            .ok_or_else(|| EditError(format!("{key} 的日期 {date} 超出 0 至 9999 年")))?;
        let value = Value::from(toml_edit::Datetime {
            date: Some(toml_edit::Date {
                year,
                month: date.month() as u8,
                day: date.day() as u8,
            }),
            time: None,
            offset: None,
        });
        self.set_period_value(key, value)
    }

    /// Sets any value in `[period]`, keeping the comment after it.
    pub fn set_period_value(&mut self, key: &str, value: Value) -> Result<(), EditError> {
        let period = self.period_mut()?;
        match period.get_mut(key).and_then(Item::as_value_mut) {
            Some(slot) => replace_keeping_decor(slot, value),
            None => {
                period.insert(key, Item::Value(value));
            }
        }
        Ok(())
    }

    /// Removes a key from `[period]`; its line and the comment on it go too.
    pub fn remove_period_key(&mut self, key: &str) -> Result<bool, EditError> {
        Ok(remove_keeping_comments(self.period_mut()?, key))
    }

    /// Zeroes every figure for a new period: counts in rows become 0 (an
    /// optional column's count is left out, as zero), `[figures]` become 0,
    /// and each table's `declared` totals are removed, since the previous
    /// period's totals would otherwise be quoted in the new notice.
    pub fn zero_counts(&mut self, site: &Site) -> Result<(), EditError> {
        if let Some(figures) = self
            .document
            .get_mut("figures")
            .and_then(Item::as_table_like_mut)
        {
            for (_, item) in figures.iter_mut() {
                if let Some(slot) = item.as_value_mut() {
                    replace_keeping_decor(slot, Value::from(0));
                }
            }
        }
        for id in self.table_ids() {
            let schema = site.schema(&id);
            let table = self.table_mut(&id)?;
            remove_keeping_comments(table, "declared");
            let rows = rows_mut(table, &id)?;
            for index in 0..rows.len() {
                let row = row_mut(rows, index, &id)?;
                let keys: Vec<String> = row
                    .iter()
                    .map(|(key, _)| key.to_string())
                    .filter(|key| key != UNIT_KEY)
                    .collect();
                let zeroes = keys.into_iter().map(|key| (key, 0)).collect();
                apply_counts(row, &zeroes, schema)?;
            }
        }
        Ok(())
    }

    /// The ids of the tables under `[tables]`, in file order.
    pub fn table_ids(&self) -> Vec<String> {
        self.document
            .get("tables")
            .and_then(Item::as_table_like)
            .map(|tables| tables.iter().map(|(id, _)| id.to_string()).collect())
            .unwrap_or_default()
    }

    /// The unit names of a table's rows, in file order.
    pub fn unit_names(&mut self, table: &str) -> Result<Vec<String>, EditError> {
        let rows = rows_mut(self.table_mut(table)?, table)?;
        let mut names = Vec::with_capacity(rows.len());
        for index in 0..rows.len() {
            let row = row_mut(rows, index, table)?;
            let name = row.get(UNIT_KEY).and_then(Value::as_str).unwrap_or("");
            names.push(name.trim().to_string());
        }
        Ok(names)
    }

    /// Sets counts in the row at `index` (as [`unit_names`](Self::unit_names)
    /// lists them). Returns whether the row changed.
    pub fn set_counts(
        &mut self,
        table: &str,
        index: usize,
        counts: &BTreeMap<String, u64>,
        schema: &Schema,
    ) -> Result<bool, EditError> {
        let rows = rows_mut(self.table_mut(table)?, table)?;
        let row = row_mut(rows, index, table)?;
        apply_counts(row, counts, Some(schema))
    }

    /// Appends a row for a unit, on its own line like the rows before it.
    pub fn push_unit(
        &mut self,
        table: &str,
        name: &str,
        counts: &BTreeMap<String, u64>,
        schema: &Schema,
    ) -> Result<(), EditError> {
        let rows = rows_mut(self.table_mut(table)?, table)?;
        let mut row = InlineTable::new();
        row.insert(UNIT_KEY, Value::from(name));
        apply_counts(&mut row, counts, Some(schema))?;
        let indent = rows
            .iter()
            .last()
            .and_then(|last| last.decor().prefix())
            .and_then(|prefix| prefix.as_str())
            .map(|prefix| match prefix.rfind('\n') {
                Some(newline) => prefix[newline..].to_string(),
                None => prefix.to_string(),
            })
            .unwrap_or_else(|| "\n  ".to_string());
        let mut value = Value::InlineTable(row);
        value.decor_mut().set_prefix(indent);
        value.decor_mut().set_suffix("");
        rows.push_formatted(value);
        if !rows.trailing_comma() {
            rows.set_trailing_comma(true);
        }
        if rows.trailing().as_str().is_none_or(|t| !t.contains('\n')) {
            rows.set_trailing("\n");
        }
        Ok(())
    }

    /// Sets a declared total, adding `declared = { … }` before `rows` when
    /// the table has none.
    pub fn set_declared(&mut self, table: &str, key: &str, total: u64) -> Result<bool, EditError> {
        let id = table;
        let table = self.table_mut(id)?;
        if !table.contains_key("declared") {
            table.insert(
                "declared",
                Item::Value(Value::InlineTable(InlineTable::new())),
            );
            // `declared` reads best above the rows it sums up, under the
            // comment that `new` moved onto `rows` when it removed it.
            table.sort_values_by(|a, _, b, _| {
                let rank = |key: &str| usize::from(key != "declared");
                rank(a.get()).cmp(&rank(b.get()))
            });
            move_comments(table, "rows", "declared");
        }
        let Some(declared) = table
            .get_mut("declared")
            .and_then(Item::as_value_mut)
            .and_then(Value::as_inline_table_mut)
        else {
            return Err(EditError(format!(
                "[tables.{id}] 的 declared 应写作一行：declared = {{ 列名 = 数字 }}"
            )));
        };
        let mut counts = BTreeMap::new();
        counts.insert(key.to_string(), total);
        apply_counts(declared, &counts, None)
    }

    fn period_mut(&mut self) -> Result<&mut Table, EditError> {
        self.document
            .get_mut("period")
            .and_then(Item::as_table_mut)
            .ok_or_else(|| EditError("data.toml 缺少 [period] 表".to_string()))
    }

    fn table_mut(&mut self, id: &str) -> Result<&mut Table, EditError> {
        self.document
            .get_mut("tables")
            .and_then(Item::as_table_mut)
            .and_then(|tables| tables.get_mut(id))
            .and_then(Item::as_table_mut)
            .ok_or_else(|| EditError(format!("data.toml 中没有表格 [tables.{id}]")))
    }
}

impl std::fmt::Display for DataDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.document)
    }
}

fn rows_mut<'t>(table: &'t mut Table, id: &str) -> Result<&'t mut Array, EditError> {
    table
        .get_mut("rows")
        .and_then(Item::as_value_mut)
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            EditError(format!(
                "[tables.{id}] 的 rows 应写作每行一个单位的数组：rows = [ {{ unit = \"…\", … }}, … ]"
            ))
        })
}

fn row_mut<'a>(
    rows: &'a mut Array,
    index: usize,
    id: &str,
) -> Result<&'a mut InlineTable, EditError> {
    rows.get_mut(index)
        .and_then(Value::as_inline_table_mut)
        .ok_or_else(|| {
            EditError(format!(
                "[tables.{id}] 的第 {} 行应写作 {{ unit = \"…\", … }}",
                index + 1
            ))
        })
}

/// Writes counts into an inline table. With a schema, a zero count of an
/// optional column is left out. Returns whether anything changed; refuses
/// a count beyond the signed 64-bit integers TOML holds.
fn apply_counts(
    row: &mut InlineTable,
    counts: &BTreeMap<String, u64>,
    schema: Option<&Schema>,
) -> Result<bool, EditError> {
    let before = row.to_string();
    let mut keys_changed = false;
    for (key, &count) in counts {
        let count =
            i64::try_from(count).map_err(|_| EditError(format!("“{key}” 的数字过大：{count}")))?;
        let omit = count == 0 && schema.is_some_and(|schema| is_optional(schema, key));
        match (row.get_mut(key), omit) {
            (Some(_), true) => {
                row.remove(key);
                keys_changed = true;
            }
            (Some(slot), false) => {
                if slot.as_integer() != Some(count) {
                    replace_keeping_decor(slot, Value::from(count));
                }
            }
            (None, true) => {}
            (None, false) => {
                row.insert(key, Value::from(count));
                keys_changed = true;
            }
        }
    }
    if keys_changed {
        let position = |key: &str| key_position(schema, key);
        row.sort_values_by(|a, _, b, _| position(a.get()).cmp(&position(b.get())));
        row.fmt();
    }
    Ok(row.to_string() != before)
}

/// Where a key goes in a row: the unit first, then the schema's columns in
/// order, then anything else in the order it was found (the sort is stable).
fn key_position(schema: Option<&Schema>, key: &str) -> usize {
    if key == UNIT_KEY {
        return 0;
    }
    schema
        .and_then(|schema| {
            schema
                .columns
                .iter()
                .position(|column| column.key.value == key)
        })
        .map_or(usize::MAX, |index| index + 1)
}

fn is_optional(schema: &Schema, key: &str) -> bool {
    schema
        .column(key)
        .is_some_and(|column| column.optional && column.is_typed())
}

/// Replaces a value and keeps the spaces and comment around it.
fn replace_keeping_decor(slot: &mut Value, value: Value) {
    let decor = slot.decor().clone();
    *slot = value;
    *slot.decor_mut() = decor;
}

/// Removes `key` from a table and hands the comment lines above it to the
/// key that follows, so no comment the clerk wrote is lost.
fn remove_keeping_comments(table: &mut Table, key: &str) -> bool {
    let comments = key_prefix(table, key);
    let next = table
        .iter()
        .map(|(name, _)| name.to_string())
        .skip_while(|name| name != key)
        .nth(1);
    if table.remove(key).is_none() {
        return false;
    }
    if let Some(next) = next
        && comments.contains('#')
    {
        let own = key_prefix(table, &next);
        set_key_prefix(table, &next, format!("{comments}{own}"));
    }
    true
}

/// Moves the comment lines above key `from` to above key `to`.
fn move_comments(table: &mut Table, from: &str, to: &str) {
    let comments = key_prefix(table, from);
    if comments.contains('#') {
        set_key_prefix(table, from, String::new());
        let own = key_prefix(table, to);
        set_key_prefix(table, to, format!("{comments}{own}"));
    }
}

/// The text before a key on its line and the lines above: its comments.
fn key_prefix(table: &Table, key: &str) -> String {
    table
        .key(key)
        .and_then(|key| key.leaf_decor().prefix())
        .and_then(|prefix| prefix.as_str())
        .unwrap_or("")
        .to_string()
}

fn set_key_prefix(table: &mut Table, key: &str, prefix: String) {
    if let Some(mut key) = table.key_mut(key) {
        key.leaf_decor_mut().set_prefix(prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = r#"# Figures for one period.
[period]
start = 2019-01-01      # data window
end = 2019-05-30
issued = 2019-06-05
weeks = 20              # assessable weeks

[figures]
news = 171    # 政务要闻

[tables.towns]
# Totals as the backend declared them.
declared = { disclosure = 2762, dynamic = 542 }
rows = [
  { unit = "十字路街道", disclosure = 421, dynamic = 70, province = 1, city = 1 },
  { unit = "板泉镇",     disclosure = 414, dynamic = 111 },
]
"#;

    #[test]
    fn changing_a_value_keeps_spacing_and_comments() {
        let mut document = DataDocument::parse(DATA).unwrap();
        let date = NaiveDate::from_ymd_opt(2019, 6, 30).unwrap();
        document.set_period_date("end", date).unwrap();
        document
            .set_period_date("start", NaiveDate::from_ymd_opt(2019, 2, 1).unwrap())
            .unwrap();
        let text = document.to_string();
        assert!(text.contains("start = 2019-02-01      # data window\nend = 2019-06-30\n"));
    }

    #[test]
    fn removing_declared_hands_its_comment_to_rows() {
        let mut document = DataDocument::parse(DATA).unwrap();
        let table = document.table_mut("towns").unwrap();
        assert!(remove_keeping_comments(table, "declared"));
        let text = document.to_string();
        assert!(
            text.contains("[tables.towns]\n# Totals as the backend declared them.\nrows = [\n")
        );
    }

    /// The shipped site's definitions, for the schema's column order.
    fn shipped_site() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut diagnostics = crate::diagnostics::Diagnostics::new();
        crate::load::load_site(root, &root.join("content/site.toml"), &mut diagnostics)
            .expect("the shipped site.toml loads")
    }

    #[test]
    fn a_pushed_unit_gets_its_own_line_in_column_order() {
        let site = shipped_site();
        let schema = site.schema("towns").expect("a towns table");
        let mut document = DataDocument::parse(DATA).unwrap();
        let counts = BTreeMap::from([
            ("city".to_string(), 2),
            ("disclosure".to_string(), 5),
            ("national".to_string(), 0),
            ("dynamic".to_string(), 6),
        ]);
        document
            .push_unit("towns", "新单位", &counts, schema)
            .unwrap();
        let text = document.to_string();
        assert!(
            text.ends_with(
                "disclosure = 414, dynamic = 111 },\n  { unit = \"新单位\", disclosure = 5, dynamic = 6, city = 2 },\n]\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn unit_names_are_listed_in_file_order() {
        let mut document = DataDocument::parse(DATA).unwrap();
        assert_eq!(
            document.unit_names("towns").unwrap(),
            ["十字路街道", "板泉镇"]
        );
        assert!(document.unit_names("nowhere").is_err());
    }
}
