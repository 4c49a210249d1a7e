//! History: the arithmetic across periods behind the annual ledger and
//! each unit's page.
//!
//! A period belongs to the year its data window ends in. A table's units
//! are matched across periods by name, exactly as typed. A unit's yearly
//! figure depends on the site's window kind ([`WindowKind`]):
//!
//! - year-to-date: every period's figure already counts from 1 January, so
//!   the year's figure is the one of the last period of the year the unit
//!   appears in (summing would count the early months again);
//! - consecutive: every period counts its own window, so the year's figure
//!   is the sum over the year's periods the unit appears in.
//!
//! A column read by a rule with a start date (`from`) counts only from that
//! date ([`crate::since`]).
//!
//! The year's points are then computed from the yearly counts by the same
//! rules ([`score_table`]) and the units ranked by the table's sort, so a
//! ledger row is scored exactly as a notice row is. Since every rule is
//! linear in its counts, this equals the sum of the periods' points for
//! consecutive windows and the last period's points for year-to-date ones.
//! Sums are checked: one that would overflow is an error located at the
//! count that made it so.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Located};
use crate::model::{Finding, Period, Rule, Schema, Site, Table, Unit, WindowKind};
use crate::score::{ScoredPeriod, ScoredTable, exact_add, score_table};
use crate::since::{Split, start_dates};

/// The year a period belongs to: the year its data window ends in.
pub fn year_of(period: &Period) -> i32 {
    period.window.end.value.year()
}

/// Periods in the order of their data: by window end, then issue date, then
/// folder name, so the order never depends on the disk.
pub fn chronological<'p, 'a>(scored: &'p [ScoredPeriod<'a>]) -> Vec<&'p ScoredPeriod<'a>> {
    let mut periods: Vec<&ScoredPeriod> = scored.iter().collect();
    periods.sort_by(|a, b| {
        let key = |p: &ScoredPeriod| {
            let window = &p.period.window;
            (window.end.value, window.issued.value)
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.period.slug.cmp(&b.period.slug))
    });
    periods
}

/// The chronological periods grouped by year, oldest year first.
pub fn by_year<'p, 'a>(
    periods: &[&'p ScoredPeriod<'a>],
) -> BTreeMap<i32, Vec<&'p ScoredPeriod<'a>>> {
    let mut years: BTreeMap<i32, Vec<&ScoredPeriod>> = BTreeMap::new();
    for period in periods {
        years
            .entry(year_of(period.period))
            .or_default()
            .push(period);
    }
    years
}

/// One table over one year: a table of yearly figures, one row per unit
/// that appears in any of the year's periods, ready for [`score_table`].
#[derive(Debug)]
pub struct YearTable<'a> {
    pub schema: &'a Schema,
    /// The yearly figures, units in order of first appearance.
    pub table: Table,
    /// The year's periods that have this table, chronologically.
    pub periods: Vec<&'a Period>,
    /// The findings of the year's periods, all of them: a finding belongs
    /// to the check that found it, so a year counts each period's own.
    pub findings: Vec<Finding>,
    /// In how many of `periods` each unit appears, by name.
    pub appearances: BTreeMap<String, usize>,
    /// The first and last day the figures cover.
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The columns counted only from a rule's start date (`from`), with
    /// that date: their yearly figures count from it ([`crate::since`]).
    pub since: BTreeMap<String, NaiveDate>,
}

impl<'a> YearTable<'a> {
    /// Ranks the yearly figures and computes each rule's points.
    pub fn score(&self, site: &'a Site) -> Result<ScoredTable<'_>, Vec<Diagnostic>> {
        score_table(site, self.schema, &self.table, &self.findings)
    }

    /// Whether a unit appears in fewer than all of the year's periods.
    pub fn partial(&self, name: &str) -> bool {
        self.appearances.get(name).copied().unwrap_or(0) < self.periods.len()
    }
}

/// The yearly table of `schema` over `periods` (one year's, chronological),
/// or `None` when none of them has the table, with every rule's start date
/// applied ([`crate::since`]). Returns every overflow of a consecutive sum
/// and every period that a start date straddles and nothing splits.
pub fn year_table<'a>(
    site: &Site,
    calendar: &Calendar,
    schema: &'a Schema,
    periods: &[&ScoredPeriod<'a>],
) -> Result<Option<YearTable<'a>>, Vec<Diagnostic>> {
    let tables: Vec<(&'a Period, &'a Table)> = periods
        .iter()
        .filter_map(|scored| {
            let period: &'a Period = scored.period;
            period.table(&schema.id.value).map(|table| (period, table))
        })
        .collect();
    let (Some((first, _)), Some((last, _))) = (tables.first(), tables.last()) else {
        return Ok(None);
    };
    let mut units: Vec<Unit> = Vec::new();
    let mut appearances: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (_, table) in &tables {
        for unit in &table.units {
            *appearances.entry(unit.name.value.clone()).or_default() += 1;
            match units
                .iter_mut()
                .find(|known| known.name.value == unit.name.value)
            {
                None => units.push(copy_unit(unit)),
                Some(known) => match site.window {
                    WindowKind::YearToDate => *known = copy_unit(unit),
                    WindowKind::Consecutive => add_counts(schema, known, unit, &mut errors),
                },
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let split = Split {
        site,
        calendar,
        schema,
        tables: &tables,
    };
    split.apply(&mut units)?;
    let since: BTreeMap<String, NaiveDate> = start_dates(site, schema)
        .into_iter()
        .filter(|(_, from)| *from > first.window.start.value)
        .collect();
    Ok(Some(YearTable {
        schema,
        table: Table {
            id: schema.id.clone(),
            declared: BTreeMap::new(),
            units,
            complete: true,
        },
        periods: tables.iter().map(|(period, _)| *period).collect(),
        findings: tables
            .iter()
            .flat_map(|(period, _)| period.findings.iter().cloned())
            .collect(),
        appearances,
        start: first.window.start.value,
        end: last.window.end.value,
        since,
    }))
}

/// A copy of a unit's row, as the start of its yearly row.
fn copy_unit(unit: &Unit) -> Unit {
    Unit {
        name: unit.name.clone(),
        counts: unit.counts.clone(),
        rejected: unit.rejected.clone(),
        location: unit.location.clone(),
    }
}

/// Adds a later period's counts into a unit's yearly row, checked: a sum
/// that would overflow is an error at the count that made it so.
fn add_counts(schema: &Schema, total: &mut Unit, unit: &Unit, errors: &mut Vec<Diagnostic>) {
    for (key, count) in &unit.counts {
        let sum = match total.counts.get(key) {
            None => Some(count.value),
            Some(before) => before.value.checked_add(count.value),
        };
        match sum {
            Some(sum) => {
                total
                    .counts
                    .insert(key.clone(), Located::new(sum, count.location.clone()));
            }
            None => {
                let label = schema
                    .column(key)
                    .map_or(key.as_str(), |column| column.label.as_str());
                errors.push(
                    Diagnostic::error(format!(
                        "单位 “{}” 在表格 “{}” 中 “{label}” 的年度合计超出可计算的范围",
                        unit.name.value, schema.id.value
                    ))
                    .at(&count.location)
                    .label(format!("加上这一期后超过 {}", u64::MAX))
                    .hint("核对这一期中过大的数字"),
                );
            }
        }
    }
    total.location = unit.location.clone();
}

/// The rules that apply to a table: those whose every column the table has,
/// as [`score_table`] applies them, in key order.
pub fn rules_of<'a>(site: &'a Site, schema: &Schema) -> Vec<&'a Rule> {
    site.rules
        .values()
        .filter(|rule| rule.columns().all(|key| schema.column(key).is_some()))
        .collect()
}

/// The sum of a row's points under every rule, exactly; `None` on overflow.
pub fn total_points(points: &BTreeMap<String, Decimal>) -> Option<Decimal> {
    points
        .values()
        .try_fold(Decimal::ZERO, |sum, value| exact_add(sum, *value))
        .map(|sum| sum.normalize())
}

/// How a unit's rank moved since the previous period of the same table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    /// The table's first period: nothing to compare with.
    First,
    /// Not in the previous period's table.
    New,
    /// Moved up (a smaller rank number) by this many places.
    Up(usize),
    /// Moved down by this many places.
    Down(usize),
    Unchanged,
}

impl Movement {
    /// The movement from `previous` (the rank in the previous period of the
    /// table, if the unit was in it) to `rank`.
    pub fn between(previous: Option<usize>, rank: usize) -> Movement {
        match previous {
            None => Movement::New,
            Some(before) if before > rank => Movement::Up(before - rank),
            Some(before) if before < rank => Movement::Down(rank - before),
            Some(_) => Movement::Unchanged,
        }
    }

    /// The mark a table shows: `↑3`, `↓1`, `—`, `新`, or nothing.
    pub fn mark(self) -> String {
        match self {
            Movement::First => String::new(),
            Movement::New => "新".to_string(),
            Movement::Up(places) => format!("↑{places}"),
            Movement::Down(places) => format!("↓{places}"),
            Movement::Unchanged => "—".to_string(),
        }
    }

    /// The movement in words, for screen readers.
    pub fn words(self) -> String {
        match self {
            Movement::First => "首期".to_string(),
            Movement::New => "上期未列入".to_string(),
            Movement::Up(places) => format!("上升{places}位"),
            Movement::Down(places) => format!("下降{places}位"),
            Movement::Unchanged => "名次不变".to_string(),
        }
    }
}

/// One unit's row in one period.
#[derive(Debug)]
pub struct Step<'p, 'a> {
    pub period: &'a Period,
    pub row: &'p crate::score::Score<'a>,
    pub movement: Movement,
    /// How many units the table had in that period.
    pub of: usize,
}

/// Every unit of a table across every period that has the table, by name,
/// each unit's steps chronological. Units are listed in the order they
/// first appear, by rank within a period.
pub fn courses<'p, 'a>(
    schema: &Schema,
    periods: &[&'p ScoredPeriod<'a>],
) -> Vec<(String, Vec<Step<'p, 'a>>)> {
    let mut courses: Vec<(String, Vec<Step>)> = Vec::new();
    let mut previous: Option<&ScoredTable> = None;
    for scored in periods {
        let Some(table) = scored.table(&schema.id.value) else {
            continue;
        };
        for row in &table.rows {
            let movement = match previous {
                None => Movement::First,
                Some(before) => Movement::between(
                    before
                        .rows
                        .iter()
                        .find(|other| other.unit.name.value == row.unit.name.value)
                        .map(|other| other.rank),
                    row.rank,
                ),
            };
            let step = Step {
                period: scored.period,
                row,
                movement,
                of: table.rows.len(),
            };
            let name = &row.unit.name.value;
            match courses.iter_mut().find(|(known, _)| known == name) {
                Some((_, steps)) => steps.push(step),
                None => courses.push((name.clone(), vec![step])),
            }
        }
        previous = Some(table);
    }
    courses
}

#[cfg(test)]
mod tests {
    use super::Movement;

    #[test]
    fn movements_compare_with_the_previous_rank() {
        assert_eq!(Movement::between(Some(5), 2), Movement::Up(3));
        assert_eq!(Movement::between(Some(2), 3), Movement::Down(1));
        assert_eq!(Movement::between(Some(4), 4), Movement::Unchanged);
        assert_eq!(Movement::between(None, 1), Movement::New);
        assert_eq!(Movement::Up(3).mark(), "↑3");
        assert_eq!(Movement::Down(1).words(), "下降1位");
    }
}
