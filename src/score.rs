//! Score: rank each table's units and compute each rule's points, exactly.
//!
//! Scoring assumes validated content: every column, rule and table a schema
//! names exists. It fails only where exact decimals cannot hold a score.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::diagnostics::Diagnostic;
use crate::findings::{Tally, tallies};
use crate::model::{
    Column, ColumnKind, Finding, Order, Period, Rule, Schema, Site, Sort, Table, Unit,
};
use crate::standing::{Standing, limited, standing};

/// A period with each of its tables scored, in the site's table order.
#[derive(Debug)]
pub struct ScoredPeriod<'a> {
    pub period: &'a Period,
    pub tables: Vec<ScoredTable<'a>>,
}

impl<'a> ScoredPeriod<'a> {
    pub fn table(&self, id: &str) -> Option<&ScoredTable<'a>> {
        self.tables.iter().find(|table| table.schema.id.value == id)
    }
}

/// One table's units in rank order, with their scores.
#[derive(Debug)]
pub struct ScoredTable<'a> {
    pub schema: &'a Schema,
    pub table: &'a Table,
    pub rows: Vec<Score<'a>>,
}

/// One unit's place in its table and its points under each applicable rule.
#[derive(Debug)]
pub struct Score<'a> {
    /// 1-based position after sorting (序号).
    pub rank: usize,
    pub unit: &'a Unit,
    /// Points by rule key.
    pub points: BTreeMap<String, Decimal>,
    /// Standing against each applicable rule's minimum, by rule key.
    pub standings: BTreeMap<String, Standing<'a>>,
    /// The unit's findings in the period.
    pub tally: Tally,
}

impl Score<'_> {
    /// The unit's value in a column: its count, its rule's points, or for
    /// a status column 1 when it falls short of the minimum and 0 when not
    /// (so that the column's sum counts the units short of it).
    pub fn value(&self, column: &Column) -> Decimal {
        match &column.kind {
            ColumnKind::Count => Decimal::from(self.unit.count(&column.key.value)),
            ColumnKind::Score { rule } => self.points.get(&rule.value).copied().unwrap_or_default(),
            ColumnKind::Status { rule } => {
                let short = self.standing(&rule.value).is_some_and(|found| found.short);
                Decimal::from(u8::from(short))
            }
            ColumnKind::Findings { open } => Decimal::from(self.tally.get(*open)),
        }
    }

    /// The unit's standing against a rule's minimum, if the rule has one.
    pub fn standing(&self, rule: &str) -> Option<&Standing<'_>> {
        self.standings.get(rule)
    }
}

impl ScoredTable<'_> {
    /// The sum of a column over all units.
    pub fn sum(&self, column: &Column) -> Decimal {
        self.rows.iter().map(|row| row.value(column)).sum()
    }
}

/// Scores every table of a period that the site has a schema for. Returns
/// every score that exact decimals cannot hold, when there is one.
pub fn score_period<'a>(
    site: &'a Site,
    period: &'a Period,
) -> Result<ScoredPeriod<'a>, Vec<Diagnostic>> {
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    for schema in &site.tables {
        let Some(table) = period.table(&schema.id.value) else {
            continue;
        };
        match score_table(site, schema, table, &period.findings) {
            Ok(scored) => tables.push(scored),
            Err(overflows) => errors.extend(overflows),
        }
    }
    if errors.is_empty() {
        Ok(ScoredPeriod { period, tables })
    } else {
        Err(errors)
    }
}

/// Sorts a table's units by its sort keys (units equal in all of them keep
/// the data file's order) and computes each rule whose columns the table
/// has, counting each unit's `findings` for the columns computed from them.
pub fn score_table<'a>(
    site: &'a Site,
    schema: &'a Schema,
    table: &'a Table,
    findings: &[Finding],
) -> Result<ScoredTable<'a>, Vec<Diagnostic>> {
    let tallies = tallies(findings, &site.findings);
    let rules: Vec<&Rule> = site
        .rules
        .values()
        .filter(|rule| rule.columns().all(|key| schema.column(key).is_some()))
        .collect();
    let mut errors = Vec::new();
    let mut rows: Vec<Score> = Vec::with_capacity(table.units.len());
    for unit in &table.units {
        let tally = tallies
            .get(unit.name.value.as_str())
            .copied()
            .unwrap_or_default();
        let count = |key: &str| match schema.column(key).map(|column| &column.kind) {
            Some(ColumnKind::Findings { open }) => tally.get(*open),
            _ => unit.count(key),
        };
        let mut scores = BTreeMap::new();
        let mut standings = BTreeMap::new();
        for rule in &rules {
            match limited(rule, unit, points(rule, count)) {
                Ok(points) => {
                    scores.insert(rule.key.clone(), points);
                }
                Err(overflow) => errors.push(overflow),
            }
            if let Some(minimum) = &rule.minimum {
                standings.insert(rule.key.clone(), standing(minimum, unit));
            }
        }
        rows.push(Score {
            rank: 0,
            unit,
            points: scores,
            standings,
            tally,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // `sort_by` is stable, which keeps units tied in every key in file order.
    rows.sort_by(|a, b| compare(schema, a, b));
    for (index, row) in rows.iter_mut().enumerate() {
        row.rank = index + 1;
    }
    Ok(ScoredTable {
        schema,
        table,
        rows,
    })
}

/// Two rows in the schema's sort order: by the first key, ties broken by
/// the next, and so on.
fn compare(schema: &Schema, a: &Score, b: &Score) -> Ordering {
    schema.sort.iter().fold(Ordering::Equal, |ordering, key| {
        ordering.then_with(|| compare_by(schema, key, a, b))
    })
}

fn compare_by(schema: &Schema, key: &Sort, a: &Score, b: &Score) -> Ordering {
    let Some(column) = schema.column(&key.column.value) else {
        return Ordering::Equal;
    };
    let ordering = a.value(column).cmp(&b.value(column));
    match key.order {
        Order::Ascending => ordering,
        Order::Descending => ordering.reverse(),
    }
}

/// A unit's points under a rule: the sum of points × count over the rule's
/// columns, where `count` gives the unit's count in a column.
pub fn points(rule: &Rule, count: impl Fn(&str) -> u64) -> Decimal {
    rule.points
        .iter()
        .map(|(key, points)| points.value * Decimal::from(count(key)))
        .sum::<Decimal>()
        .normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Located, Location};
    use std::str::FromStr;

    fn located<T>(value: T) -> Located<T> {
        Located::new(value, Location::new(0, 0..0))
    }

    #[test]
    fn points_are_exact_decimals() {
        let rule = Rule {
            key: "weekly".into(),
            label: String::new(),
            points: [(
                "missed".to_string(),
                located(Decimal::from_str("-0.2").unwrap()),
            )]
            .into(),
            cap: None,
            minimum: None,
        };
        let unit = Unit {
            name: located("x".into()),
            counts: [("missed".to_string(), located(3))].into(),
            rejected: Default::default(),
            location: Location::new(0, 0..0),
        };
        // 3 × 0.2 in binary floating point is 0.6000000000000001.
        assert_eq!(points(&rule, |key| unit.count(key)).to_string(), "-0.6");
    }
}
