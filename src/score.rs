//! Score: rank each table's units and compute each rule's points and each
//! column's sum, exactly.
//!
//! Scoring assumes validated content: every column, rule and table a schema
//! names exists. Every sum and product is checked: one that would overflow,
//! or that exact decimals could only hold rounded, is an error located at
//! the value that made it so, never a wrapped or rounded number.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::diagnostics::{Diagnostic, Located};
use crate::exact::{exact_add, exact_mul};
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

/// One table's units in rank order, with their scores, and each column's sum.
#[derive(Debug)]
pub struct ScoredTable<'a> {
    pub schema: &'a Schema,
    pub table: &'a Table,
    pub rows: Vec<Score<'a>>,
    /// The sum of each column over all units, in `schema.columns` order.
    pub sums: Vec<ColumnSum>,
}

/// A column's sum over a table's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnSum {
    /// The sum of a count column.
    Count(u64),
    /// The sum of a score column, normalized.
    Points(Decimal),
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
    /// The unit's value in a column: its count, its rule's points, its
    /// number of findings, or for a status column 1 when it falls short of
    /// the minimum and 0 when not (so that the column's sum counts the
    /// units short of it).
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

/// Scores every table of a period that the site has a schema for. Returns
/// every overflow of every table when any arithmetic does not fit.
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
/// the data file's order), computes each rule whose columns the table has,
/// counting each unit's `findings` for the columns computed from them, and
/// sums each column. Returns every overflow when any unit's points or
/// column's sum does not fit.
pub fn score_table<'a>(
    site: &'a Site,
    schema: &'a Schema,
    table: &'a Table,
    findings: &[Finding],
) -> Result<ScoredTable<'a>, Vec<Diagnostic>> {
    let rules = site.rules_of(schema);
    let tallies = tallies(findings, &site.findings);
    let mut errors = Vec::new();
    let mut rows: Vec<Score> = Vec::with_capacity(table.units.len());
    for unit in &table.units {
        let tally = tallies
            .get(unit.name.value.as_str())
            .copied()
            .unwrap_or_default();
        let computed = |key: &str| match schema.column(key).map(|column| &column.kind) {
            Some(ColumnKind::Findings { open }) => Some(tally.get(*open)),
            Some(ColumnKind::Count | ColumnKind::Score { .. } | ColumnKind::Status { .. })
            | None => None,
        };
        let mut scores = BTreeMap::new();
        let mut standings = BTreeMap::new();
        for rule in &rules {
            let score = points(rule, unit, computed).and_then(|base| limited(rule, unit, base));
            match score {
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
    // Sums are taken in file order, so that an overflow is reported at the
    // row where a clerk reading the file would reach it. A score column is
    // not summed when a unit's points failed: its sum would be short.
    let scored = errors.is_empty();
    let mut sums = Vec::with_capacity(schema.columns.len());
    for column in &schema.columns {
        let summed = match column.kind {
            ColumnKind::Count | ColumnKind::Status { .. } | ColumnKind::Findings { .. } => true,
            ColumnKind::Score { .. } => scored,
        };
        if !summed {
            continue;
        }
        match column_sum(schema, column, &rows) {
            Ok(sum) => sums.push(sum),
            Err(overflow) => errors.push(overflow),
        }
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
        sums,
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

/// A column's sum over `rows`, or the overflow at the row that made it too
/// large. A count column sums whole numbers, a score column exact points.
fn column_sum(schema: &Schema, column: &Column, rows: &[Score]) -> Result<ColumnSum, Diagnostic> {
    let overflow = |at: &crate::diagnostics::Location, label: &str| {
        Diagnostic::error(format!(
            "表格 “{}” 的 “{}” 列合计超出可计算的范围",
            schema.id.value, column.label
        ))
        .at(at)
        .label(label.to_string())
        .hint("核对这一列中过大的数字")
    };
    match &column.kind {
        ColumnKind::Count => {
            let key = &column.key.value;
            let mut sum: u64 = 0;
            for row in rows {
                let Some(count) = row.unit.counts.get(key) else {
                    continue;
                };
                sum = sum.checked_add(count.value).ok_or_else(|| {
                    overflow(&count.location, &format!("加上这一行后超过 {}", u64::MAX))
                })?;
            }
            Ok(ColumnSum::Count(sum))
        }
        ColumnKind::Score { .. } => {
            let mut sum = Decimal::ZERO;
            for row in rows {
                sum = exact_add(sum, row.value(column))
                    .ok_or_else(|| overflow(&row.unit.location, "加上这一单位的得分后超出范围"))?;
            }
            Ok(ColumnSum::Points(sum.normalize()))
        }
        // The units short of the minimum.
        ColumnKind::Status { rule } => {
            let short = rows
                .iter()
                .filter(|row| row.standing(&rule.value).is_some_and(|found| found.short))
                .count();
            Ok(ColumnSum::Count(short as u64))
        }
        // At most the number of findings, which fit in memory: no overflow.
        ColumnKind::Findings { open } => Ok(ColumnSum::Count(
            rows.iter().map(|row| row.tally.get(*open)).sum(),
        )),
    }
}

/// A unit's points under a rule: the sum of points × count over the rule's
/// columns, exactly; an overflow is reported at the count that caused it.
/// `computed` gives the unit's count in a column computed from findings
/// (reported at the unit's row), `None` for a typed count.
pub fn points(
    rule: &Rule,
    unit: &Unit,
    computed: impl Fn(&str) -> Option<u64>,
) -> Result<Decimal, Diagnostic> {
    let mut sum = Decimal::ZERO;
    for (key, points) in &rule.points {
        let count = match computed(key) {
            Some(count) => &Located::new(count, unit.location.clone()),
            None => match unit.counts.get(key) {
                Some(count) => count,
                None => continue,
            },
        };
        let overflow = |count: &Located<u64>| {
            Diagnostic::error(format!(
                "单位 “{}” 按 “{}” 计算的分值超出可计算的范围",
                unit.name.value, rule.label
            ))
            .at(&count.location)
            .label(format!("{} × 分值 {} 超出范围", count.value, points.value))
            .hint("核对这个数字和 site.toml 中该规则的分值")
        };
        let product =
            exact_mul(points.value, Decimal::from(count.value)).ok_or_else(|| overflow(count))?;
        sum = exact_add(sum, product).ok_or_else(|| overflow(count))?;
    }
    Ok(sum.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{FileId, Location};
    use std::str::FromStr;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn located<T>(value: T) -> Located<T> {
        Located::new(value, Location::new(FileId::default(), 0..0))
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
            from: None,
        };
        let unit = Unit {
            name: located("x".into()),
            counts: [("missed".to_string(), located(3))].into(),
            rejected: Default::default(),
            location: Location::new(FileId::default(), 0..0),
        };
        // 3 × 0.2 in binary floating point is 0.6000000000000001.
        assert_eq!(points(&rule, &unit, |_| None).unwrap().to_string(), "-0.6");
    }

    #[test]
    fn a_product_too_large_is_an_error_at_its_count() {
        let rule = Rule {
            key: "highlight".into(),
            label: "亮点".into(),
            points: [(
                "city".to_string(),
                located(decimal("7922816251426433759354395033")),
            )]
            .into(),
            cap: None,
            minimum: None,
            from: None,
        };
        let unit = Unit {
            name: located("板泉镇".into()),
            counts: [(
                "city".to_string(),
                Located::new(20, Location::new(FileId::default(), 10..19)),
            )]
            .into(),
            rejected: Default::default(),
            location: Location::new(FileId::default(), 0..40),
        };
        let error = points(&rule, &unit, |_| None).unwrap_err();
        assert_eq!(
            error.message,
            "单位 “板泉镇” 按 “亮点” 计算的分值超出可计算的范围"
        );
        assert_eq!(
            error.location,
            Some(Location::new(FileId::default(), 10..19))
        );
    }
}
