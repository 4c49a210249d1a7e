//! A period folder (`data.toml` + `notice.md`) → [`Period`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::findings::load_findings;
use super::notice::load_notice;
use super::value::{count, date, locate, located_string};
use super::{Reading, display_name, read_toml};
use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located, Location};
use crate::layout::{DATA_FILE, NOTICE_FILE};
use crate::model::{Counts, Notice, Period, Table, Unit, Window};

/// The key that names the unit in a row; every other key is a column.
pub const UNIT_KEY: &str = "unit";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    period: RawPeriod,
    #[serde(default)]
    figures: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    tables: BTreeMap<Spanned<String>, RawTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    start: Spanned<toml::value::Datetime>,
    end: Spanned<toml::value::Datetime>,
    issued: Spanned<toml::value::Datetime>,
    deadline: Option<Spanned<toml::value::Datetime>>,
    label: Option<String>,
    weeks: Option<Spanned<toml::Value>>,
}

type RawRow = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    declared: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    rows: Vec<Spanned<RawRow>>,
}

/// Loads one period folder under `root`, reading its files as `reading`
/// says. The folder name is the period's slug; a count above `max_count`
/// is an error. The window's assessable weeks are counted on `calendar`
/// when the site's calendar loaded.
pub fn load_period(
    (root, reading): (&Path, Reading),
    folder: &Path,
    max_count: u64,
    calendar: Option<&Calendar>,
    diagnostics: &mut Diagnostics,
) -> Option<Period> {
    let slug = folder.file_name()?.to_string_lossy().into_owned();
    if !is_valid_slug(&slug) {
        diagnostics.push(
            Diagnostic::error(format!("期次目录名 “{slug}” 不可用作网址"))
                .hint("目录名只用字母、数字、- 和 _，例如 2019-01-05"),
        );
        return None;
    }
    let data_path = folder.join(DATA_FILE);
    let notice_path = folder.join(NOTICE_FILE);
    for required in [&data_path, &notice_path] {
        if !reading.exists(root, required, diagnostics) {
            diagnostics.push(Diagnostic::error(format!(
                "期次目录缺少文件 {}",
                display_name(root, required)
            )));
        }
    }
    let from = (root, reading);
    let data = load_data(from, &data_path, diagnostics);
    let notice = load_notice(from, &notice_path, diagnostics);
    let findings = load_findings(from, folder, diagnostics);
    let (file, raw) = data?;
    let notice = notice?;
    let mut period = convert_period(file, slug, raw, notice, max_count, diagnostics)?;
    period.findings = findings?;
    let window = &period.window;
    period.calendar_weeks = calendar
        .and_then(|calendar| calendar.assessable_weeks(window.start.value, window.end.value));
    Some(period)
}

/// Whether a folder name can be a period's slug, and so a path on the site.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn load_data(
    (root, reading): (&Path, Reading),
    path: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<(FileId, RawData)> {
    if !reading.exists(root, path, diagnostics) {
        return None;
    }
    read_toml((root, reading), path, diagnostics)
}

fn convert_period(
    file: FileId,
    slug: String,
    raw: RawData,
    notice: Notice,
    max_count: u64,
    diagnostics: &mut Diagnostics,
) -> Option<Period> {
    let period = &raw.period;
    let start = date(file, &period.start, diagnostics);
    let end = date(file, &period.end, diagnostics);
    let issued = date(file, &period.issued, diagnostics);
    let deadline = period.deadline.as_ref().map(|d| date(file, d, diagnostics));
    let weeks = period
        .weeks
        .as_ref()
        .map(|w| count(file, w, "可考核周数", max_count, diagnostics));
    let figures = raw
        .figures
        .iter()
        .filter_map(|(key, value)| {
            Some((
                key.clone(),
                count(file, value, "数字", max_count, diagnostics)?,
            ))
        })
        .collect();
    let tables = raw
        .tables
        .iter()
        .map(|(id, table)| convert_table(file, id, table, max_count, diagnostics))
        .collect();
    // A bad count, figure or declared total is reported and left out, and
    // the period goes on to validation so that every other problem in it is
    // found in the same run. A period whose dates or declared weeks are bad
    // stops here: the rules that depend on them would only add noise.
    let weeks = match weeks {
        Some(weeks) => Some(weeks?),
        None => None,
    };
    Some(Period {
        slug,
        file,
        window: Window {
            start: start?,
            end: end?,
            issued: issued?,
            deadline: deadline.flatten(),
            label: period.label.clone(),
        },
        weeks,
        calendar_weeks: None,
        figures,
        tables,
        notice,
        findings: Vec::new(),
        log: None,
    })
}

fn convert_table(
    file: FileId,
    id: &Spanned<String>,
    raw: &RawTable,
    max_count: u64,
    diagnostics: &mut Diagnostics,
) -> Table {
    let declared = raw
        .declared
        .iter()
        .filter_map(|(key, value)| {
            Some((
                key.get_ref().clone(),
                count(file, value, "申报合计", max_count, diagnostics)?,
            ))
        })
        .collect();
    let mut keys = Keys::default();
    let mut units: Vec<Unit> = raw
        .rows
        .iter()
        .filter_map(|row| convert_row(file, row, max_count, &mut keys, diagnostics))
        .collect();
    // Rows are kept for the whole build; drop the room collecting left.
    units.shrink_to_fit();
    Table {
        id: located_string(file, id),
        declared,
        complete: units.len() == raw.rows.len(),
        units,
    }
}

/// The unit's name, trimmed; anything but text is reported.
fn unit_name(
    file: FileId,
    value: &Spanned<toml::Value>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<String>> {
    let location = locate(file, 0, value);
    match value.get_ref() {
        toml::Value::String(text) => Some(Located::new(text.trim().to_string(), location)),
        _ => {
            diagnostics.push(Diagnostic::error("单位名称应为文本").at(&location));
            None
        }
    }
}

/// The column keys of one table's rows, each allocated once and shared by
/// every row that has it (see [`Counts`]).
#[derive(Default)]
struct Keys(BTreeSet<Arc<str>>);

impl Keys {
    fn shared(&mut self, key: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(key) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(key);
        self.0.insert(Arc::clone(&shared));
        shared
    }
}

/// One row of a table: the unit's name and its counts. A bad count is
/// reported and kept in `rejected`, so that no rule reports it missing.
fn convert_row(
    file: FileId,
    row: &Spanned<RawRow>,
    max_count: u64,
    keys: &mut Keys,
    diagnostics: &mut Diagnostics,
) -> Option<Unit> {
    let location = locate(file, 0, row);
    let mut name = None;
    let mut counts = Counts::new();
    let mut rejected = BTreeSet::new();
    for (key, value) in row.get_ref() {
        if key.get_ref() == UNIT_KEY {
            name = unit_name(file, value, diagnostics);
        } else if let Some(count) = count(
            file,
            value,
            &format!("“{}”", key.get_ref()),
            max_count,
            diagnostics,
        ) {
            // Span the whole `key = value` so a message can point at either.
            let whole = key.span().start..value.span().end;
            let count = Located::new(count.value, Location::new(file, whole));
            counts.insert(keys.shared(key.get_ref()), count);
        } else {
            rejected.insert(key.get_ref().clone());
        }
    }
    counts.shrink_to_fit();
    match name {
        Some(name) => Some(Unit {
            name,
            counts,
            rejected,
            location,
        }),
        None => {
            diagnostics.push(
                Diagnostic::error("这一行缺少单位名称")
                    .at(&location)
                    .hint(format!("每行以 {UNIT_KEY} = \"单位名称\" 开头")),
            );
            None
        }
    }
}
