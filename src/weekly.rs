//! The once-a-week rule counted from the backend's publication log
//! (`log.csv`, [`crate::model::Log`]): each unit's dynamic items in a data
//! window and the assessable weeks in which it published none.
//!
//! A unit is **covered** by a log when it has at least one line in it, of
//! any kind and any date. For a covered unit, a row of `data.toml` that
//! leaves out the weekly rule's columns gets the counted values; a row that
//! types them is compared, and each disagreement is a warning at the typed
//! value with the counted number (the typed value is what the notice
//! publishes, so check does not silently overrule it). A unit the log does
//! not cover keeps its typed values. A unit of the log that no table of the
//! period has is an error.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};

use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Diagnostics, Located, Location};
use crate::layout::LOG_FILE;
use crate::model::{Log, LogEntry, Period, Schema, Site, Unit, Weekly};
use crate::spelling::closest;

/// A unit's once-a-week figures over a window, as the log gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Dynamic items dated in the window.
    pub items: u64,
    /// Assessable weeks of the window without a dynamic item.
    pub misses: u64,
}

/// Counts `entries` (one unit's) over `start..=end`, or `None` when the
/// calendar does not cover the window. A week counts as met when a dynamic
/// item is dated on any of its days inside the window.
pub fn tally(
    calendar: &Calendar,
    entries: &[&LogEntry],
    start: NaiveDate,
    end: NaiveDate,
) -> Option<Tally> {
    let mondays = calendar.assessable_mondays(start, end)?;
    let days: BTreeSet<NaiveDate> = entries
        .iter()
        .filter(|entry| entry.dynamic)
        .map(|entry| entry.date.value)
        .filter(|day| start <= *day && *day <= end)
        .collect();
    let items = entries
        .iter()
        .filter(|entry| entry.dynamic && start <= entry.date.value && entry.date.value <= end)
        .count();
    let misses = mondays
        .iter()
        .filter(|monday| {
            let sunday = monday.checked_add_days(Days::new(6)).unwrap_or(**monday);
            days.range(**monday..=sunday).next().is_none()
        })
        .count();
    Some(Tally {
        items: u64::try_from(items).ok()?,
        misses: u64::try_from(misses).ok()?,
    })
}

/// The log's lines by unit name, in file order.
pub fn by_unit(log: &Log) -> BTreeMap<&str, Vec<&LogEntry>> {
    let mut units: BTreeMap<&str, Vec<&LogEntry>> = BTreeMap::new();
    for entry in &log.entries {
        units
            .entry(entry.unit.value.as_str())
            .or_default()
            .push(entry);
    }
    units
}

/// Applies the period's log (if any) to the rows of its tables that have
/// the once-a-week rule: fills the counts a covered row leaves out, warns
/// where a typed count disagrees with the log, and reports the log's units
/// that no such table has.
pub fn apply(site: &Site, calendar: &Calendar, period: &mut Period, diagnostics: &mut Diagnostics) {
    let Some(log) = period.log.take() else {
        return;
    };
    let lines = by_unit(&log);
    report_unknown_units(site, period, &lines, diagnostics);
    let (start, end) = (period.window.start.value, period.window.end.value);
    for table in &mut period.tables {
        let Some(schema) = site.schema(&table.id.value) else {
            continue;
        };
        let Some(weekly) = &schema.weekly else {
            continue;
        };
        for unit in &mut table.units {
            let Some(entries) = lines.get(unit.name.value.as_str()) else {
                continue;
            };
            match tally(calendar, entries, start, end) {
                Some(tally) => settle(schema, weekly, unit, tally, diagnostics),
                None => {
                    diagnostics.push(uncounted(
                        calendar,
                        period.window.end.location.clone(),
                        start,
                        end,
                    ));
                    period.log = Some(log);
                    return;
                }
            }
        }
    }
    period.log = Some(log);
}

/// The error for a window the calendar cannot count.
fn uncounted(calendar: &Calendar, at: Location, start: NaiveDate, end: NaiveDate) -> Diagnostic {
    let years: Vec<String> = calendar
        .missing_years(start, end)
        .iter()
        .map(|year| format!("{year} 年"))
        .collect();
    Diagnostic::error(format!(
        "无法按发布记录（{LOG_FILE}）计算每周更新未达标次数：日历中没有{}的节假日安排",
        years.join("、")
    ))
    .at(&at)
    .hint("在 content/calendar.toml 中加入这些年份的节假日安排")
}

/// Fills or compares one covered row's weekly counts.
fn settle(
    schema: &Schema,
    weekly: &Weekly,
    unit: &mut Unit,
    tally: Tally,
    diagnostics: &mut Diagnostics,
) {
    for (key, counted) in [(&weekly.items, tally.items), (&weekly.misses, tally.misses)] {
        let key = &key.value;
        if unit.rejected.contains(key) {
            continue;
        }
        match unit.counts.get(key) {
            Some(typed) if typed.value != counted => {
                diagnostics.push(disagreement(schema, key, unit, typed, counted));
            }
            Some(_) => {}
            None => {
                unit.counts
                    .insert(key.clone(), Located::new(counted, unit.location.clone()));
            }
        }
    }
}

fn disagreement(
    schema: &Schema,
    key: &str,
    unit: &Unit,
    typed: &Located<u64>,
    counted: u64,
) -> Diagnostic {
    let label = schema
        .column(key)
        .map_or(key, |column| column.label.as_str());
    Diagnostic::warning(format!(
        "单位 “{}” 的 “{label}” 填写 {}，按发布记录（{LOG_FILE}）算出 {counted}",
        unit.name.value, typed.value
    ))
    .at(&typed.location)
    .label(format!("发布记录算出 {counted}"))
    .hint(format!(
        "核对 data.toml 或 {LOG_FILE}；删去 data.toml 中的这一项，即按发布记录计算"
    ))
}

/// One error per unit of the log that no table with the once-a-week rule
/// has, at its first line, with the closest name.
fn report_unknown_units(
    site: &Site,
    period: &Period,
    lines: &BTreeMap<&str, Vec<&LogEntry>>,
    diagnostics: &mut Diagnostics,
) {
    let known: Vec<&str> = period
        .tables
        .iter()
        .filter(|table| {
            site.schema(&table.id.value)
                .is_some_and(|schema| schema.weekly.is_some())
        })
        .flat_map(|table| table.units.iter().map(|unit| unit.name.value.as_str()))
        .collect();
    let mut unknown: Vec<&LogEntry> = lines
        .iter()
        .filter(|(name, _)| !known.contains(name))
        .filter_map(|(_, entries)| entries.first().copied())
        .collect();
    unknown.sort_by_key(|entry| entry.unit.location.span().start);
    for entry in unknown {
        let count = lines.get(entry.unit.value.as_str()).map_or(0, Vec::len);
        diagnostics.push(
            Diagnostic::error(format!(
                "发布记录中的单位 “{}” 不在本期有每周更新规则的表格中（共 {count} 行）",
                entry.unit.value
            ))
            .at(&entry.unit.location)
            .hint("单位名称应与 data.toml 中的一致")
            .suggest(closest(&entry.unit.value, known.iter().copied())),
        );
    }
}
