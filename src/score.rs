//! Score: rank each table's units and compute each rule's points, exactly.
//!
//! Scoring assumes validated content: every column, rule and table a schema
//! names exists. It never fails.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::model::{Column, ColumnKind, Order, Period, Rule, Schema, Site, Table, Unit};

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
}

impl Score<'_> {
    /// The unit's value in a column: its count, or its rule's points.
    pub fn value(&self, column: &Column) -> Decimal {
        match &column.kind {
            ColumnKind::Count => Decimal::from(self.unit.count(&column.key.value)),
            ColumnKind::Score { rule } => self.points.get(&rule.value).copied().unwrap_or_default(),
        }
    }
}

impl ScoredTable<'_> {
    /// The sum of a column over all units.
    pub fn sum(&self, column: &Column) -> Decimal {
        self.rows.iter().map(|row| row.value(column)).sum()
    }
}

/// Scores every table of a period that the site has a schema for.
pub fn score_period<'a>(site: &'a Site, period: &'a Period) -> ScoredPeriod<'a> {
    let tables = site
        .tables
        .iter()
        .filter_map(|schema| {
            let table = period.table(&schema.id.value)?;
            Some(score_table(site, schema, table))
        })
        .collect();
    ScoredPeriod { period, tables }
}

/// Sorts a table's units by its sort column (ties keep the data file's order)
/// and computes each rule whose columns the table has.
pub fn score_table<'a>(site: &'a Site, schema: &'a Schema, table: &'a Table) -> ScoredTable<'a> {
    let rules: Vec<&Rule> = site
        .rules
        .values()
        .filter(|rule| rule.points.keys().all(|key| schema.column(key).is_some()))
        .collect();
    let mut rows: Vec<Score> = table
        .units
        .iter()
        .map(|unit| Score {
            rank: 0,
            unit,
            points: rules
                .iter()
                .map(|rule| (rule.key.clone(), points(rule, unit)))
                .collect(),
        })
        .collect();
    if let Some(column) = schema.column(&schema.sort.column.value) {
        // `sort_by` is stable, which keeps tied units in file order.
        rows.sort_by(|a, b| {
            let ordering = a.value(column).cmp(&b.value(column));
            match schema.sort.order {
                Order::Ascending => ordering,
                Order::Descending => ordering.reverse(),
            }
        });
    }
    for (index, row) in rows.iter_mut().enumerate() {
        row.rank = index + 1;
    }
    ScoredTable {
        schema,
        table,
        rows,
    }
}

/// A unit's points under a rule: the sum of points × count over the rule's columns.
pub fn points(rule: &Rule, unit: &Unit) -> Decimal {
    rule.points
        .iter()
        .map(|(key, points)| points.value * Decimal::from(unit.count(key)))
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
        };
        let unit = Unit {
            name: located("x".into()),
            counts: [("missed".to_string(), located(3))].into(),
            rejected: Default::default(),
            location: Location::new(0, 0..0),
        };
        // 3 × 0.2 in binary floating point is 0.6000000000000001.
        assert_eq!(points(&rule, &unit).to_string(), "-0.6");
    }
}
