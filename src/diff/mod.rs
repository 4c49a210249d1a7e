//! Diff: what a data change does to the published notice. For each table,
//! the units whose figures, score or rank changed, the units added or
//! removed, and the declared totals that changed; for each period, its
//! dates and `[figures]`, and its findings added, removed or re-checked
//! (`findings.rs`).
//!
//! Scores and ranks come from [`crate::score::score_table`], so they are
//! exactly the ones the site shows.

pub mod findings;
pub mod report;
pub mod side;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use crate::import::normalize;
use crate::model::{Column, ColumnKind, Finding, Period, Schema, Site, Table};
use crate::notation::format_points;
use crate::score::score_table;
use side::Side;

/// A value before and after; `None` where that side lacks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed, e.g. 信息公开, 排名, 数据采集截止日期.
    pub what: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// How a period or table compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Both,
    Added,
    Removed,
}

/// The changes of one period.
#[derive(Debug, Clone)]
pub struct PeriodDiff {
    /// The slug, or `old → new` when two differently named periods are compared.
    pub name: String,
    pub presence: Presence,
    /// Dates, weeks, label and `[figures]`.
    pub fields: Vec<Change>,
    pub tables: Vec<TableDiff>,
    /// The findings added, removed or changed (`findings.toml`).
    pub findings: Vec<findings::FindingDiff>,
}

/// The changes of one table.
#[derive(Debug, Clone)]
pub struct TableDiff {
    pub id: String,
    /// The unit column's header, e.g. 镇街（园区）.
    pub unit_label: String,
    pub presence: Presence,
    /// Column labels in display order, for a report that shows every column.
    pub columns: Vec<String>,
    pub units: Vec<UnitDiff>,
    pub declared: Vec<Change>,
}

/// One unit whose figures, score or rank changed, or that was added or removed.
#[derive(Debug, Clone)]
pub struct UnitDiff {
    pub name: String,
    pub presence: Presence,
    pub rank: (Option<usize>, Option<usize>),
    /// Each column's value, before and after, in `TableDiff::columns` order.
    pub values: Vec<(Option<String>, Option<String>)>,
}

impl UnitDiff {
    /// The columns whose value changed, as changes.
    pub fn changes<'a>(&'a self, columns: &'a [String]) -> impl Iterator<Item = Change> + 'a {
        columns
            .iter()
            .zip(&self.values)
            .filter(|(_, (old, new))| old != new)
            .map(|(what, (old, new))| Change {
                what: what.clone(),
                old: old.clone(),
                new: new.clone(),
            })
    }
}

impl PeriodDiff {
    pub fn is_empty(&self) -> bool {
        self.presence == Presence::Both
            && self.fields.is_empty()
            && self.tables.is_empty()
            && self.findings.is_empty()
    }
}

/// Compares two sides: their single periods when both name one, otherwise
/// the periods of the same slug. Only periods with changes are returned.
pub fn compare(old: &Side, new: &Side) -> Vec<PeriodDiff> {
    let pairs = pair_periods(old, new);
    pairs
        .into_iter()
        .map(|(name, old_data, new_data)| compare_period(name, old, old_data, new, new_data))
        .filter(|diff| !diff.is_empty())
        .collect()
}

type Pair<'a> = (String, Option<&'a Period>, Option<&'a Period>);

fn pair_periods<'a>(old: &'a Side, new: &'a Side) -> Vec<Pair<'a>> {
    let (old_periods, new_periods) = (old.periods(), new.periods());
    if old.single.is_some()
        && new.single.is_some()
        && let ([(old_slug, old_period)], [(new_slug, new_period)]) =
            (old_periods.as_slice(), new_periods.as_slice())
    {
        let name = if old_slug == new_slug {
            new_slug.to_string()
        } else {
            format!("{old_slug} → {new_slug}")
        };
        return vec![(name, Some(*old_period), Some(*new_period))];
    }
    // A single period is compared with the other side's period of its slug.
    let slugs: BTreeSet<&str> = match (&old.single, &new.single) {
        (Some(_), None) => old_periods.iter().map(|(slug, _)| *slug).collect(),
        (None, Some(_)) => new_periods.iter().map(|(slug, _)| *slug).collect(),
        _ => old_periods
            .iter()
            .chain(&new_periods)
            .map(|(slug, _)| *slug)
            .collect(),
    };
    let find = |periods: &[(&str, &'a Period)], slug: &str| {
        periods
            .iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, period)| *period)
    };
    slugs
        .into_iter()
        .map(|slug| {
            (
                slug.to_string(),
                find(&old_periods, slug),
                find(&new_periods, slug),
            )
        })
        .collect()
}

fn compare_period(
    name: String,
    old_side: &Side,
    old: Option<&Period>,
    new_side: &Side,
    new: Option<&Period>,
) -> PeriodDiff {
    let presence = presence(old.is_some(), new.is_some());
    let mut fields = Vec::new();
    if let (Some(old), Some(new)) = (old, new) {
        fields = compare_fields(old, new);
    }
    let empty = Vec::new();
    let old_tables = old.map_or(&empty, |data| &data.tables);
    let new_tables = new.map_or(&empty, |data| &data.tables);
    let no_findings = Vec::new();
    let old_findings = old.map_or(&no_findings, |data| &data.findings);
    let new_findings = new.map_or(&no_findings, |data| &data.findings);
    let tables = table_ids(&new_side.content.site, old_tables, new_tables)
        .into_iter()
        .filter_map(|id| {
            let old = scored_side(&old_side.content.site, old_tables, old_findings, &id);
            let new = scored_side(&new_side.content.site, new_tables, new_findings, &id);
            compare_table(&id, old, new)
        })
        .collect();
    PeriodDiff {
        name,
        presence,
        fields,
        tables,
        findings: findings::compare(old_findings, new_findings),
    }
}

fn presence(old: bool, new: bool) -> Presence {
    match (old, new) {
        (true, false) => Presence::Removed,
        (false, true) => Presence::Added,
        _ => Presence::Both,
    }
}

fn compare_fields(old: &Period, new: &Period) -> Vec<Change> {
    let date =
        |value: &crate::diagnostics::Located<chrono::NaiveDate>| Some(value.value.to_string());
    let (o, n) = (&old.window, &new.window);
    let mut fields = vec![
        change("数据采集开始日期", date(&o.start), date(&n.start)),
        change("数据采集截止日期", date(&o.end), date(&n.end)),
        change("成文日期", date(&o.issued), date(&n.issued)),
        change(
            "整改期限",
            o.deadline.as_ref().and_then(date),
            n.deadline.as_ref().and_then(date),
        ),
        change(
            "可考核周数",
            old.weeks.as_ref().map(|w| w.value.to_string()),
            new.weeks.as_ref().map(|w| w.value.to_string()),
        ),
        change("期次名称", o.label.clone(), n.label.clone()),
    ];
    let keys: BTreeSet<&String> = old.figures.keys().chain(new.figures.keys()).collect();
    for key in keys {
        let value = |data: &Period| data.figures.get(key).map(|v| v.value.to_string());
        fields.push(change(&format!("figures.{key}"), value(old), value(new)));
    }
    fields.into_iter().flatten().collect()
}

fn change(what: &str, old: Option<String>, new: Option<String>) -> Option<Change> {
    (old != new).then(|| Change {
        what: what.to_string(),
        old,
        new,
    })
}

/// Table ids in the new site's order, then any others in file order.
fn table_ids(site: &Site, old: &[Table], new: &[Table]) -> Vec<String> {
    let present: BTreeSet<&str> = old
        .iter()
        .chain(new)
        .map(|table| table.id.value.as_str())
        .collect();
    let mut ids: Vec<String> = site
        .tables
        .iter()
        .map(|schema| schema.id.value.clone())
        .filter(|id| present.contains(id.as_str()))
        .collect();
    for table in old.iter().chain(new) {
        if !ids.contains(&table.id.value) {
            ids.push(table.id.value.clone());
        }
    }
    ids
}

/// One side of a table, scored: each unit's rank and column values.
struct ScoredSide<'a> {
    schema: &'a Schema,
    declared: BTreeMap<String, u64>,
    /// Unit name → (rank, values by column key), in rank order.
    units: Vec<(String, usize, BTreeMap<String, Value>)>,
}

/// A unit's value in a column, as the site shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// A count or points.
    Number(Decimal),
    /// A status column's text: the minimum's `below` or `met`.
    Label(String),
}

/// The unit's value in `column`: a status column's label rather than the
/// 1 or 0 that `Score::value` sums.
fn value_of(row: &crate::score::Score, column: &Column) -> Value {
    match &column.kind {
        ColumnKind::Status { rule } => Value::Label(
            row.standing(&rule.value)
                .map_or_else(String::new, |standing| standing.text.to_string()),
        ),
        ColumnKind::Count | ColumnKind::Score { .. } | ColumnKind::Findings { .. } => {
            Value::Number(row.value(column))
        }
    }
}

fn scored_side<'a>(
    site: &'a Site,
    tables: &'a [Table],
    findings: &[Finding],
    id: &str,
) -> Option<ScoredSide<'a>> {
    let table = tables.iter().find(|table| table.id.value == id)?;
    let schema = site.schema(id)?;
    // A side whose scores exact decimals cannot hold has no figures to
    // compare; `tongbao check` reports the overflow.
    let scored = score_table(site, schema, table, findings).ok()?;
    let units = scored
        .rows
        .iter()
        .map(|row| {
            let values = schema
                .columns
                .iter()
                .map(|column| (column.key.value.clone(), value_of(row, column)))
                .collect();
            (row.unit.name.value.clone(), row.rank, values)
        })
        .collect();
    let declared = table
        .declared
        .iter()
        .map(|(key, total)| (key.clone(), total.value))
        .collect();
    Some(ScoredSide {
        schema,
        declared,
        units,
    })
}

fn compare_table(id: &str, old: Option<ScoredSide>, new: Option<ScoredSide>) -> Option<TableDiff> {
    let (old, new) = (old.as_ref(), new.as_ref());
    let schema = new.or(old)?.schema;
    let columns = Columns::of(old, new);
    let units = compare_units(old, new, &columns);
    let declared = compare_declared(old, new, &|key| columns.label(key));
    let diff = TableDiff {
        id: id.to_string(),
        unit_label: schema.unit_label.clone(),
        presence: presence(old.is_some(), new.is_some()),
        columns: columns.keys.iter().map(|key| columns.label(key)).collect(),
        units,
        declared,
    };
    let unchanged =
        diff.presence == Presence::Both && diff.units.is_empty() && diff.declared.is_empty();
    (!unchanged).then_some(diff)
}

/// The columns of both sides of a table, and how their values are shown.
struct Columns<'a> {
    keys: Vec<String>,
    /// The new schema first: its labels win.
    schemas: Vec<&'a Schema>,
}

/// A unit's rank and shown values (in [`Columns::keys`] order) on one side.
type Shown = (usize, Vec<Option<String>>);

impl<'a> Columns<'a> {
    fn of(old: Option<&ScoredSide<'a>>, new: Option<&ScoredSide<'a>>) -> Columns<'a> {
        Columns {
            keys: column_keys(old, new),
            schemas: [new, old]
                .into_iter()
                .flatten()
                .map(|side| side.schema)
                .collect(),
        }
    }

    fn column(&self, key: &str) -> Option<&'a Column> {
        self.schemas.iter().find_map(|schema| schema.column(key))
    }

    fn label(&self, key: &str) -> String {
        self.column(key)
            .map_or_else(|| key.to_string(), |column| column.label.clone())
    }

    /// Points as the site prints them; counts as plain numbers; a
    /// status as its label.
    fn show(&self, key: &str, value: &Value) -> String {
        let number = match value {
            Value::Label(text) => return text.clone(),
            Value::Number(number) => *number,
        };
        match self.column(key).map(|column| &column.kind) {
            Some(ColumnKind::Score { .. }) => format_points(number),
            Some(ColumnKind::Count | ColumnKind::Status { .. } | ColumnKind::Findings { .. })
            | None => number.normalize().to_string(),
        }
    }

    /// Each unit of a side by its normalized name, ranked and shown.
    fn shown_units(&self, side: Option<&ScoredSide>) -> BTreeMap<String, Shown> {
        let Some(side) = side else {
            return BTreeMap::new();
        };
        side.units
            .iter()
            .map(|(name, rank, values)| {
                let shown = self
                    .keys
                    .iter()
                    // An empty label (a minimum's `met` left out) shows as
                    // nothing, like a column the side lacks.
                    .map(|key| {
                        let value = values.get(key)?;
                        Some(self.show(key, value)).filter(|shown| !shown.is_empty())
                    })
                    .collect();
                (normalize(name), (*rank, shown))
            })
            .collect()
    }
}

/// The units whose figures, score or rank changed, or that were added or
/// removed: new units in rank order, then removed ones in their old order.
fn compare_units(
    old: Option<&ScoredSide>,
    new: Option<&ScoredSide>,
    columns: &Columns,
) -> Vec<UnitDiff> {
    let old_units = columns.shown_units(old);
    let new_units = columns.shown_units(new);
    let names = new
        .iter()
        .chain(old.iter())
        .flat_map(|side| &side.units)
        .map(|(name, _, _)| name);
    let mut seen = BTreeSet::new();
    let mut units = Vec::new();
    for name in names {
        let key = normalize(name);
        if !seen.insert(key.clone()) {
            continue;
        }
        let (before, after) = (old_units.get(&key), new_units.get(&key));
        let values = (0..columns.keys.len())
            .map(|index| {
                let pick =
                    |side: Option<&Shown>| side.and_then(|(_, values)| values[index].clone());
                (pick(before), pick(after))
            })
            .collect();
        let unit = UnitDiff {
            name: name.clone(),
            presence: presence(before.is_some(), after.is_some()),
            rank: (before.map(|shown| shown.0), after.map(|shown| shown.0)),
            values,
        };
        let changed = unit.presence != Presence::Both
            || unit.rank.0 != unit.rank.1
            || unit.values.iter().any(|(old, new)| old != new);
        if changed {
            units.push(unit);
        }
    }
    units
}

/// Column keys in the new schema's order, then any the old one alone has.
fn column_keys(old: Option<&ScoredSide>, new: Option<&ScoredSide>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for side in [new, old].into_iter().flatten() {
        for column in &side.schema.columns {
            if !keys.contains(&column.key.value) {
                keys.push(column.key.value.clone());
            }
        }
    }
    keys
}

fn compare_declared(
    old: Option<&ScoredSide>,
    new: Option<&ScoredSide>,
    label: &dyn Fn(&str) -> String,
) -> Vec<Change> {
    let value = |side: Option<&ScoredSide>, key: &str| {
        side.and_then(|side| side.declared.get(key))
            .map(u64::to_string)
    };
    let keys: BTreeSet<&String> = [old, new]
        .into_iter()
        .flatten()
        .flat_map(|side| side.declared.keys())
        .collect();
    keys.into_iter()
        .filter_map(|key| change(&label(key), value(old, key), value(new, key)))
        .collect()
}
