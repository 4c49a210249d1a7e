//! Rules with a start date (`from = 2019-04-01` in `[rules.NAME]`): for the
//! annual ledger, the columns such a rule reads count only what happened
//! from that day on.
//!
//! A period whose window ends before the start date adds nothing; one that
//! starts on or after it adds all its figures. A period whose window
//! **straddles** the date must be split, and tongbao splits it only from
//! data, never by guessing:
//!
//! 1. the period's publication log (`log.csv`), for the once-a-week rule's
//!    columns of a unit the log covers: the figures are counted from the log
//!    over the start date to the window's end ([`crate::weekly::tally`]);
//! 2. otherwise another period of the same table with the same start whose
//!    window ends the day before the start date (cumulative windows, e.g. a
//!    1-3月 notice beside a 1-5月 one): the figure from the start date is the
//!    straddling period's minus that one's;
//! 3. otherwise the split is impossible: one error per rule and period, at
//!    the rule's `from`, naming the units and what would let tongbao split.
//!
//! The subtraction counts a week that straddles the start date with the
//! later part, so a weekly rule's start date is best a Monday.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Located};
use crate::layout::LOG_FILE;
use crate::model::{Period, Rule, Schema, Site, Table, Unit, WindowKind};
use crate::notation::format_date;
use crate::weekly::{by_unit, tally};

/// The start date of each count column of `schema` that a rule with a
/// start date reads, by column key. Each column takes its rule's date
/// (validation refuses a column two rules start on different dates).
pub fn start_dates(site: &Site, schema: &Schema) -> BTreeMap<String, NaiveDate> {
    let mut dates = BTreeMap::new();
    for rule in site.rules_of(schema) {
        let Some(from) = &rule.from else {
            continue;
        };
        for key in rule.columns() {
            dates.insert(key.to_string(), from.value);
        }
    }
    dates
}

/// One table's year, for applying the start dates to its yearly rows:
/// `tables` are the year's periods that have the table, chronological.
pub struct Split<'a> {
    pub site: &'a Site,
    pub calendar: &'a Calendar,
    pub schema: &'a Schema,
    pub tables: &'a [(&'a Period, &'a Table)],
}

/// One straddling period that could not be split for some units.
#[derive(Debug)]
struct Unsplit<'a> {
    period: &'a Period,
    column: String,
    units: Vec<String>,
}

impl<'a> Split<'a> {
    /// Applies every start date to the yearly `units`: each column a rule
    /// with a start date reads is replaced by the unit's count from that
    /// date on. `Err` holds one error per straddling period and column that
    /// nothing splits (naming its units), and one per earlier figure larger
    /// than the later one it would be subtracted from.
    pub fn apply(&self, units: &mut [Unit]) -> Result<(), Vec<Diagnostic>> {
        let dates = start_dates(self.site, self.schema);
        let mut unsplit: Vec<Unsplit> = Vec::new();
        let mut errors = Vec::new();
        for (key, from) in &dates {
            for unit in units.iter_mut() {
                let name = unit.name.value.clone();
                match self.since(&name, key, *from) {
                    Ok(count) => {
                        let location = unit
                            .counts
                            .get(key)
                            .map_or(unit.location.clone(), |typed| typed.location.clone());
                        unit.counts
                            .insert(key.clone(), Located::new(count, location));
                    }
                    Err(Missing::Split(period)) => {
                        match unsplit
                            .iter_mut()
                            .find(|known| known.period.slug == period.slug && known.column == *key)
                        {
                            Some(known) => known.units.push(name),
                            None => unsplit.push(Unsplit {
                                period,
                                column: key.clone(),
                                units: vec![name],
                            }),
                        }
                    }
                    Err(Missing::Shrank(error)) => errors.push(*error),
                }
            }
        }
        for missing in unsplit {
            if let Some(rule) = self.rule_of(&missing.column) {
                errors.push(self.unsplit_error(rule, &missing));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The unit's count in column `key` from `from` on, over the year.
    fn since(&self, name: &str, key: &str, from: NaiveDate) -> Result<u64, Missing<'a>> {
        let mut rows = self
            .tables
            .iter()
            .filter_map(|(period, table)| Some((*period, unit_of(table, name)?)));
        match self.site.window {
            WindowKind::YearToDate => match rows.next_back() {
                Some((period, unit)) => self.part(period, unit, key, from),
                None => Ok(0),
            },
            WindowKind::Consecutive => {
                let mut sum: u64 = 0;
                for (period, unit) in rows {
                    let part = self.part(period, unit, key, from)?;
                    // Each part is at most its period's figure (or a count
                    // of log lines), and the figures' yearly sum is checked.
                    sum = sum.saturating_add(part);
                }
                Ok(sum)
            }
        }
    }

    /// One period's count of a unit in `key` from `from` on.
    fn part(
        &self,
        period: &'a Period,
        unit: &Unit,
        key: &str,
        from: NaiveDate,
    ) -> Result<u64, Missing<'a>> {
        let (start, end) = (period.window.start.value, period.window.end.value);
        if end < from {
            return Ok(0);
        }
        if start >= from {
            return Ok(unit.count(key));
        }
        if let Some(counted) = self.counted_in_log(period, &unit.name.value, key, from) {
            return Ok(counted);
        }
        match self.boundary(period, &unit.name.value, from) {
            // A row that lacks the count is reported by validation already.
            Some(_) if !unit.counts.contains_key(key) => Ok(0),
            Some((before, earlier)) => {
                let (whole, early) = (unit.count(key), earlier.count(key));
                whole.checked_sub(early).ok_or_else(|| {
                    Missing::Shrank(Box::new(self.shrank(period, before, earlier, key)))
                })
            }
            None => Err(Missing::Split(period)),
        }
    }

    /// The once-a-week count from the period's log, for a unit it covers.
    fn counted_in_log(
        &self,
        period: &Period,
        name: &str,
        key: &str,
        from: NaiveDate,
    ) -> Option<u64> {
        let weekly = self.schema.weekly.as_ref()?;
        let log = period.log.as_ref()?;
        let lines = by_unit(log);
        let entries = lines.get(name)?;
        let counted = tally(self.calendar, entries, from, period.window.end.value)?;
        if weekly.items.value == key {
            Some(counted.items)
        } else if weekly.misses.value == key {
            Some(counted.misses)
        } else {
            None
        }
    }

    /// A period of the table with the same start whose window ends the day
    /// before `from`, with the unit's row in it.
    fn boundary(
        &self,
        straddling: &Period,
        name: &str,
        from: NaiveDate,
    ) -> Option<(&'a Period, &'a Unit)> {
        let last = from.pred_opt()?;
        self.tables.iter().find_map(|(period, table)| {
            let window = &period.window;
            let fits =
                window.start.value == straddling.window.start.value && window.end.value == last;
            if fits {
                Some((*period, unit_of(table, name)?))
            } else {
                None
            }
        })
    }

    fn rule_of(&self, key: &str) -> Option<&'a Rule> {
        self.site
            .rules_of(self.schema)
            .into_iter()
            .find(|rule| rule.from.is_some() && rule.columns().any(|column| column == key))
    }

    fn label(&self, key: &str) -> String {
        self.schema
            .column(key)
            .map_or(key.to_string(), |column| column.label.clone())
    }

    fn unsplit_error(&self, rule: &Rule, missing: &Unsplit) -> Diagnostic {
        let period = missing.period;
        let window = &period.window;
        let from = rule
            .from
            .as_ref()
            .map_or(window.start.value, |from| from.value);
        let mut diagnostic = Diagnostic::error(format!(
            "规则 “{}” 从 {} 起计入年度台账，{} 期的采集时段 {}—{} 跨过这一天，无法拆分 {} 个单位（{}）的 “{}”",
            rule.label,
            format_date(from),
            period.slug,
            format_date(window.start.value),
            format_date(window.end.value),
            missing.units.len(),
            shown_names(&missing.units),
            self.label(&missing.column),
        ));
        if let Some(at) = &rule.from {
            diagnostic = diagnostic.at(&at.location);
        }
        let before = from.pred_opt().unwrap_or(from);
        let weekly = self.schema.weekly.as_ref().is_some_and(|weekly| {
            weekly.items.value == missing.column || weekly.misses.value == missing.column
        });
        let log = if weekly {
            format!(
                "在 content/{}/{LOG_FILE} 中提供这些单位的发布记录，或",
                period.slug
            )
        } else {
            String::new()
        };
        diagnostic.hint(format!(
            "{log}建立一期采集时段为 {}—{}、含这些单位的通报（表格 {}），tongbao 才能算出 {} 起的数字",
            format_date(window.start.value),
            format_date(before),
            self.schema.id.value,
            month_day(from)
        ))
    }

    fn shrank(&self, period: &Period, before: &Period, earlier: &Unit, key: &str) -> Diagnostic {
        let count = earlier.counts.get(key);
        let error = Diagnostic::error(format!(
            "单位 “{}” 的 “{}” 在 {} 期少于截至 {} 的 {} 期，无法相减",
            earlier.name.value,
            self.label(key),
            period.slug,
            format_date(before.window.end.value),
            before.slug
        ))
        .hint("累计数只增不减；核对这两期的数字");
        match count {
            Some(count) => error.at(&count.location),
            None => error.at(&earlier.location),
        }
    }
}

/// Why a count from the start date could not be had.
enum Missing<'a> {
    /// The period straddles the start date and nothing splits it.
    Split(&'a Period),
    /// The earlier period's figure is larger than the later one's.
    Shrank(Box<Diagnostic>),
}

fn unit_of<'t>(table: &'t Table, name: &str) -> Option<&'t Unit> {
    table.units.iter().find(|unit| unit.name.value == name)
}

/// The first few names, then 等.
fn shown_names(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut shown = names[..names.len().min(SHOWN)].join("、");
    if names.len() > SHOWN {
        shown.push('等');
    }
    shown
}

/// `4月1日`.
pub fn month_day(day: NaiveDate) -> String {
    format!("{}月{}日", day.month(), day.day())
}
