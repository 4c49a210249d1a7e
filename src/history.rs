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

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Located};
use crate::exact::exact_add;
use crate::model::{
    Column, ColumnKind, Finding, Period, Schema, Site, Table, Unit, Window, WindowKind,
};
use crate::packed::PackedDecimals;
use crate::score::{ScoredPeriod, ScoredTable, score_table};
use crate::since::{Split, start_dates};

/// The year a period belongs to: the year its data window ends in.
pub fn year_of(period: &Period) -> i32 {
    period.window.end.value.year()
}

/// The chronological periods grouped by year, oldest year first.
pub fn by_year<'p, 'a>(periods: &'p [Scored<'a>]) -> BTreeMap<i32, Vec<&'p Scored<'a>>> {
    let mut years: BTreeMap<i32, Vec<&Scored>> = BTreeMap::new();
    for period in periods {
        years.entry(period.year()).or_default().push(period);
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
    periods: &[&'a Period],
) -> Result<Option<YearTable<'a>>, Vec<Diagnostic>> {
    let tables: Vec<(&'a Period, &'a Table)> = periods
        .iter()
        .filter_map(|period| period.table(&schema.id.value).map(|table| (*period, table)))
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
                    .map_or(key.as_ref(), |column| column.label.as_str());
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

/// The sum of a row's points under every rule, exactly; `None` on overflow.
pub fn total_points(points: &BTreeMap<String, Decimal>) -> Option<Decimal> {
    points
        .values()
        .try_fold(Decimal::ZERO, |sum, value| exact_add(sum, *value))
        .map(|sum| sum.normalize())
}

/// How a unit's rank moved since the previous period of the same table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Movement {
    /// The table's first period: nothing to compare with.
    First,
    /// Not in the previous period's table.
    New,
    /// Moved up (a smaller rank number) by this many places.
    Up(u32),
    /// Moved down by this many places.
    Down(u32),
    Unchanged,
}

impl Movement {
    /// The movement from `previous` (the rank in the previous period of the
    /// table, if the unit was in it) to `rank`.
    pub fn between(previous: Option<usize>, rank: usize) -> Movement {
        // A table's ranks are bounded by its rows, which a file of at most
        // 64 MiB cannot make more than 32 bits' worth of.
        let places = |from: usize, to: usize| u32::try_from(from - to).unwrap_or(u32::MAX);
        match previous {
            None => Movement::New,
            Some(before) if before > rank => Movement::Up(places(before, rank)),
            Some(before) if before < rank => Movement::Down(places(rank, before)),
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

/// The columns the pages across periods show as figures: counts typed and
/// counted. Points are shown per rule, and a status is words, not a figure.
pub fn figure_columns(schema: &Schema) -> Vec<&Column> {
    schema
        .columns
        .iter()
        .filter(|column| match column.kind {
            ColumnKind::Count | ColumnKind::Findings { .. } => true,
            ColumnKind::Score { .. } | ColumnKind::Status { .. } => false,
        })
        .collect()
}

/// One period's scored rows, kept compact for the pages across periods, so
/// that each period is scored once, while it renders, and its scores (with
/// their maps of points and standings) are dropped with its pages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PeriodRows {
    /// The period's folder name (see [`crate::model::Period::slug`]).
    pub slug: String,
    /// The period's scored tables, in the site's table order.
    pub tables: Vec<TableRows>,
}

/// One scored table of a period, rows in rank order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableRows {
    /// The table's position in `site.tables`.
    pub schema: usize,
    /// The units' names, in the order the period's table lists them;
    /// shared between periods whose tables list the same units
    /// ([`crate::outline::Rosters`]).
    pub units: Arc<[Box<str>]>,
    pub rows: Vec<RowFigures>,
}

/// One unit's scored row.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RowFigures {
    /// The unit's position in the period's table as loaded, and so in
    /// [`TableRows::units`].
    pub unit: usize,
    pub rank: usize,
    /// The [`figure_columns`]' values, then each rule's points in
    /// [`Site::rules_of`] order, packed: every period's rows are kept
    /// until the last unit page is written.
    pub figures: PackedDecimals,
    /// The sum of the row's points; `None` when it overflows.
    pub total: Option<Decimal>,
    /// A digest of the rank, figures and total, for [`Course::digest`].
    pub digest: u64,
}

impl PeriodRows {
    /// The compact rows of a scored period.
    pub fn of(site: &Site, scored: &ScoredPeriod) -> PeriodRows {
        let tables = scored
            .tables
            .iter()
            .filter_map(|table| {
                let schema = site
                    .tables
                    .iter()
                    .position(|schema| std::ptr::eq(schema, table.schema))?;
                let units = table.table.units.iter();
                Some(TableRows {
                    schema,
                    units: units.map(|unit| unit.name.value.as_str().into()).collect(),
                    rows: table_rows(site, table),
                })
            })
            .collect();
        PeriodRows {
            slug: scored.period.slug.clone(),
            tables,
        }
    }

    /// The rows of the table at `schema` in `site.tables`, if the period has it.
    pub fn table(&self, schema: usize) -> Option<&TableRows> {
        self.tables.iter().find(|table| table.schema == schema)
    }
}

fn table_rows(site: &Site, table: &ScoredTable) -> Vec<RowFigures> {
    let columns = figure_columns(table.schema);
    let rules = site.rules_of(table.schema);
    table
        .rows
        .iter()
        .map(|row| {
            let figures: PackedDecimals = columns
                .iter()
                .map(|column| row.value(column))
                .chain(
                    rules
                        .iter()
                        .map(|rule| row.points.get(&rule.key).copied().unwrap_or_default()),
                )
                .collect();
            let total = total_points(&row.points);
            RowFigures {
                unit: table
                    .table
                    .units
                    .iter()
                    .position(|unit| std::ptr::eq(unit, row.unit))
                    .unwrap_or_default(),
                rank: row.rank,
                digest: row_digest(row.rank, &figures, total),
                figures,
                total,
            }
        })
        .collect()
}

/// A digest of a row's rank, figures and total. The decimals are hashed
/// by their bytes (the packed ones keep each value's scale):
/// `Decimal`'s own `Hash` normalises every value first, and 1.0 prints
/// otherwise than 1.
fn row_digest(rank: usize, figures: &PackedDecimals, total: Option<Decimal>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    rank.hash(&mut hasher);
    figures.hash(&mut hasher);
    total.map(|total| total.serialize()).hash(&mut hasher);
    hasher.finish()
}

/// A period that scored, with its rows and its label: what the pages
/// across periods read of it. Its whole model is not here (a build of
/// many periods does not hold it); a page that needs it asks [`Models`].
#[derive(Debug)]
pub struct Scored<'a> {
    /// The period's position in the list its models are asked by.
    pub index: usize,
    pub window: &'a Window,
    pub rows: &'a PeriodRows,
    /// The period as the pages name it ([`crate::model::Window::label`]).
    pub label: String,
}

impl<'a> Scored<'a> {
    pub fn new(index: usize, window: &'a Window, rows: &'a PeriodRows) -> Scored<'a> {
        Scored {
            index,
            window,
            rows,
            label: window.label(),
        }
    }

    /// The period's folder name (see [`crate::model::Period::slug`]).
    pub fn slug(&self) -> &'a str {
        &self.rows.slug
    }

    /// The year the period belongs to: the year its data window ends in.
    pub fn year(&self) -> i32 {
        self.window.end.value.year()
    }
}

/// Where the pages across periods get a period's whole model, by its
/// [`Scored::index`]: borrowed where every period is held (`serve`), parsed
/// again from its kept texts where it is not (a build). `None` when the
/// period cannot be had.
pub trait Models: Sync {
    fn model(&self, index: usize) -> Option<Model<'_>>;
}

impl Models for Vec<Period> {
    fn model(&self, index: usize) -> Option<Model<'_>> {
        self.get(index).map(Model::Held)
    }
}

/// A period's whole model, as [`Models`] gives it.
pub enum Model<'a> {
    /// Borrowed from the periods held.
    Held(&'a Period),
    /// Parsed again for the asker, dropped with it. Boxed: a `Period` is
    /// some 400 bytes, and a borrowed one is a pointer.
    Parsed(Box<Period>),
}

impl std::ops::Deref for Model<'_> {
    type Target = Period;

    fn deref(&self) -> &Period {
        match self {
            Model::Held(period) => period,
            Model::Parsed(period) => period,
        }
    }
}

/// The periods of `periods` that scored, with their `rows`, in the order
/// of their data (see [`in_order`]). Rows whose period is not in
/// `periods` are left out.
pub fn chronological<'a>(
    periods: &'a [Period],
    rows: impl IntoIterator<Item = &'a PeriodRows>,
) -> Vec<Scored<'a>> {
    let by_slug: HashMap<&str, (usize, &Period)> = periods
        .iter()
        .enumerate()
        .map(|(index, period)| (period.slug.as_str(), (index, period)))
        .collect();
    let scored = rows.into_iter().filter_map(|rows| {
        let (index, period) = *by_slug.get(rows.slug.as_str())?;
        Some(Scored::new(index, &period.window, rows))
    });
    in_order(scored.collect())
}

/// `scored` in the order of their data: by window end, then issue date,
/// then folder name, so the order never depends on the disk.
pub fn in_order(mut scored: Vec<Scored>) -> Vec<Scored> {
    scored.sort_by(|a, b| {
        let key = |p: &Scored| (p.window.end.value, p.window.issued.value);
        key(a).cmp(&key(b)).then_with(|| a.slug().cmp(b.slug()))
    });
    scored
}

/// One unit's row in one period.
///
/// A site holds one for every unit of every period until the last unit
/// page is written, so it is kept to 24 bytes: the counts are 32 bits,
/// which a site's periods and a table's rows cannot outgrow.
#[derive(Debug)]
pub struct Step<'p> {
    pub row: &'p RowFigures,
    pub movement: Movement,
    /// The period's position in the chronological periods.
    period: u32,
    /// How many units the table had in that period.
    of: u32,
}

impl<'p> Step<'p> {
    fn new(period: usize, row: &'p RowFigures, movement: Movement, of: usize) -> Step<'p> {
        let narrow = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
        Step {
            row,
            movement,
            period: narrow(period),
            of: narrow(of),
        }
    }

    /// The period's position in the chronological periods.
    pub fn period(&self) -> usize {
        self.period as usize
    }

    /// How many units the table had in that period.
    pub fn of(&self) -> usize {
        self.of as usize
    }
}

/// One unit of one table across every period that has the table.
#[derive(Debug)]
pub struct Course<'p> {
    /// The table's position in `site.tables`.
    pub schema: usize,
    pub name: &'p str,
    /// Chronological.
    pub steps: Vec<Step<'p>>,
}

impl Course<'_> {
    /// A digest of everything the unit's page shows of its periods (their
    /// folders and labels, by `keys` from [`period_keys`], the rows and
    /// movements), so that `serve` can tell which unit pages a change
    /// touched without rendering them. Each row's figures are digested once,
    /// when its period is scored ([`RowFigures::digest`]); the steps' bytes
    /// are gathered in `buffer` and hashed at once: hashing every value on
    /// every update cost more than the rendering it saved.
    pub fn digest(&self, keys: &[u64], buffer: &mut Vec<u8>) -> u64 {
        use std::hash::{Hash, Hasher};
        buffer.clear();
        for step in &self.steps {
            let key = keys.get(step.period()).copied().unwrap_or_default();
            buffer.extend_from_slice(&key.to_le_bytes());
            buffer.extend_from_slice(&step.row.digest.to_le_bytes());
            buffer.extend_from_slice(&step.of().to_le_bytes());
            let (kind, places) = match step.movement {
                Movement::First => (0u8, 0),
                Movement::New => (1, 0),
                Movement::Up(places) => (2, places as usize),
                Movement::Down(places) => (3, places as usize),
                Movement::Unchanged => (4, 0),
            };
            buffer.push(kind);
            buffer.extend_from_slice(&places.to_le_bytes());
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.schema, self.name).hash(&mut hasher);
        buffer.hash(&mut hasher);
        hasher.finish()
    }
}

/// A digest of each chronological period's folder name and label, for
/// [`Course::digest`].
pub fn period_keys(periods: &[Scored]) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    periods
        .iter()
        .map(|period| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (period.slug(), &period.label).hash(&mut hasher);
            hasher.finish()
        })
        .collect()
}

/// Every unit of every table across the chronological `periods`, table by
/// table in the site's order, each table's units in the order they first
/// appear (by rank within a period).
pub fn courses<'p>(site: &Site, periods: &[Scored<'p>]) -> Vec<Course<'p>> {
    (0..site.tables.len())
        .flat_map(|schema| table_courses(schema, periods))
        .collect()
}

fn table_courses<'p>(schema: usize, periods: &[Scored<'p>]) -> Vec<Course<'p>> {
    let mut courses: Vec<Course> = Vec::new();
    let mut seen: Vec<Seen> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    // The course of the unit at each position of the previous table: a
    // table usually lists its units in the same order every period, so a
    // name is looked up only when it moved.
    let mut slots: Vec<Option<(&str, usize)>> = Vec::new();
    let mut previous: Option<usize> = None;
    for (at, scored) in periods.iter().enumerate() {
        let Some(rows) = scored.rows.table(schema) else {
            continue;
        };
        let mut next_slots = vec![None; rows.units.len()];
        for row in &rows.rows {
            let Some(name) = rows.units.get(row.unit) else {
                continue;
            };
            let name: &str = name;
            let slot = slots
                .get(row.unit)
                .copied()
                .flatten()
                .filter(|(known, _)| *known == name);
            let course = match slot {
                Some((_, course)) => course,
                None => *index.entry(name).or_insert_with(|| {
                    courses.push(Course {
                        schema,
                        name,
                        steps: Vec::new(),
                    });
                    seen.push(Seen::default());
                    courses.len() - 1
                }),
            };
            if let Some(slot) = next_slots.get_mut(row.unit) {
                *slot = Some((name, course));
            }
            let movement = match previous {
                None => Movement::First,
                Some(before) => Movement::between(seen[course].rank_in(before, at), row.rank),
            };
            seen[course].visit(at, row.rank);
            courses[course]
                .steps
                .push(Step::new(at, row, movement, rows.rows.len()));
        }
        slots = next_slots;
        previous = Some(at);
    }
    // Kept until the last unit page is written: give back the room the
    // steps grew into.
    for course in &mut courses {
        course.steps.shrink_to_fit();
    }
    courses
}

/// Where a unit was ranked in the last two periods it appears in: its
/// first row in each, as a search of the table would find.
#[derive(Clone, Copy, Default)]
struct Seen {
    last: Option<(usize, usize)>,
    before: Option<(usize, usize)>,
}

impl Seen {
    /// Records the unit's row in period `at` unless it has one there.
    fn visit(&mut self, at: usize, rank: usize) {
        if self.last.is_none_or(|(period, _)| period != at) {
            self.before = self.last;
            self.last = Some((at, rank));
        }
    }

    /// The unit's rank in period `period`, seen from period `now`.
    fn rank_in(&self, period: usize, now: usize) -> Option<usize> {
        let earlier = match self.last {
            Some((last, _)) if last == now => self.before,
            last => last,
        };
        earlier
            .filter(|(seen, _)| *seen == period)
            .map(|(_, rank)| rank)
    }
}

#[cfg(test)]
mod tests {
    use super::{Movement, Step};

    #[test]
    fn a_step_is_three_words() {
        // One is held for every unit of every period (docs/PERFORMANCE.md).
        assert_eq!(std::mem::size_of::<Step>(), 24);
    }

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
