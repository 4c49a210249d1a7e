//! The content model: what `site.toml`, each `data.toml` and each
//! `notice.md` say once they are loaded. Plain data; the stages around it
//! (load, validate, score, render) hold the logic.
//!
//! Values the user typed keep their [`Location`] so that later stages can
//! point at them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::diagnostics::{FileId, Located, Location};

/// `site.toml`: the publisher, the theme, the scoring rules and the table schemas.
#[derive(Debug)]
pub struct Site {
    pub file: FileId,
    pub title: String,
    pub office: String,
    pub language: String,
    pub theme: Located<String>,
    /// Absolute address of the published site, ending in `/`, if configured.
    pub base_url: Option<String>,
    pub rules: BTreeMap<String, Rule>,
    pub totals: BTreeMap<String, Total>,
    pub tables: Vec<Schema>,
    /// The largest count a row, total or figure may hold; anything above is
    /// taken for a typing slip (`[check] max_count`).
    pub max_count: u64,
    /// How a period's data window follows the previous one's (`[periods] window`).
    pub window: WindowKind,
    /// The words findings are written in (`[findings]`).
    pub findings: FindingWords,
    /// Which columns of a period's publication log (`log.csv`) hold what
    /// (`[log]`); `None` when the site keeps no logs.
    pub log: Option<LogColumns>,
}

/// `[log]` in `site.toml`: the headers of the publication log's columns
/// (as the backend's export names them) and the kinds (栏目) whose items
/// count as dynamic items for the once-a-week rule.
#[derive(Debug)]
pub struct LogColumns {
    pub unit: Located<String>,
    pub date: Located<String>,
    pub kind: Located<String>,
    /// The item's title, kept by `import` so that each line names its item.
    pub title: Option<Located<String>>,
    /// The kinds that are dynamic items (e.g. 镇街动态); others are not.
    pub dynamic: Vec<String>,
}

/// A period's publication log (`content/PERIOD/log.csv`): every item the
/// backend published, one per line.
#[derive(Debug, Default)]
pub struct Log {
    pub entries: Vec<LogEntry>,
}

/// One published item of the log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub unit: Located<String>,
    pub date: Located<NaiveDate>,
    /// Whether its kind is one of `[log] dynamic`.
    pub dynamic: bool,
}

/// `[findings]` in `site.toml`: the categories a finding may have and the
/// statuses a re-check may give it, as the county words them.
#[derive(Debug)]
pub struct FindingWords {
    pub categories: Vec<Word>,
    pub statuses: Vec<StatusWord>,
    /// The 问题清单 appendix a notice attaches by listing [`FINDINGS_ID`].
    pub appendix: FindingsAppendix,
    /// The 上期问题整改情况 appendix a notice attaches by listing
    /// [`RECHECK_ID`] (`[findings.recheck]`): its title and notes.
    pub recheck: RecheckAppendix,
    /// The date up to which findings have been re-checked
    /// (`[findings] checked_until`): with the newest period's issued date,
    /// what "past the deadline" is measured against.
    pub checked_until: Option<Located<NaiveDate>>,
}

/// The attachment id by which a notice's `attachments` asks for the
/// re-check of an earlier period's findings (上期问题整改情况), the
/// period its `recheck` names; no table may take it.
pub const RECHECK_ID: &str = "recheck";

/// `[findings.recheck]`: the words of the re-check appendix.
#[derive(Debug, Default)]
pub struct RecheckAppendix {
    /// Required once a notice attaches the re-check.
    pub title: Option<Located<String>>,
    pub notes: Vec<Located<String>>,
}

/// The attachment id by which a notice's `attachments` asks for the
/// period's findings as an appendix (问题清单); no table may take it.
pub const FINDINGS_ID: &str = "findings";

/// The 问题清单 appendix's words from `[findings]`: its title and notes (with
/// figures, like a table's), and its column headers.
#[derive(Debug)]
pub struct FindingsAppendix {
    /// Required once a notice attaches the findings.
    pub title: Option<Located<String>>,
    pub notes: Vec<Located<String>>,
    pub headers: FindingHeaders,
}

/// The 问题清单's column headers (`[findings.headers]`).
#[derive(Debug)]
pub struct FindingHeaders {
    pub number: String,
    pub unit: String,
    pub column: String,
    pub category: String,
    pub problem: String,
    pub found: String,
    /// Shown only when a finding has a `url`.
    pub url: String,
    /// Shown only when a finding has a `status`.
    pub status: String,
    /// The rectification result's table (整改结果): its caption, and its
    /// columns after the unit's name: the findings, those closed, those open.
    pub result: String,
    pub count: String,
    pub closed: String,
    pub open: String,
    /// The result table's last row, the sums.
    pub total: String,
}

impl FindingWords {
    pub fn category(&self, label: &str) -> Option<&Word> {
        self.categories.iter().find(|word| word.label == label)
    }

    pub fn status(&self, label: &str) -> Option<&StatusWord> {
        self.statuses.iter().find(|word| word.label == label)
    }
}

/// A category of findings: the label findings use (e.g. 未更新) and the
/// ASCII key figures use (`findings.category.KEY`).
#[derive(Debug)]
pub struct Word {
    pub key: Located<String>,
    pub label: String,
}

/// A re-check status (e.g. 已整改) and whether a finding with it is still open.
#[derive(Debug)]
pub struct StatusWord {
    pub key: Located<String>,
    pub label: String,
    pub open: bool,
}

/// One finding of a random check (`findings.toml`): a problem found on a
/// unit's portal column, and after the deadline what the re-check found.
#[derive(Clone, Debug)]
pub struct Finding {
    /// A unit of one of the period's tables.
    pub unit: Located<String>,
    /// The portal column checked (栏目), as a path: 政府信息公开/法定主动公开内容/机构职能.
    pub column: String,
    /// The address of the page checked.
    pub url: Option<String>,
    /// A category label from `[findings] categories`.
    pub category: Located<String>,
    /// The problem, in words.
    pub problem: String,
    pub found: Located<NaiveDate>,
    /// The re-check's status label from `[findings] statuses`.
    pub status: Option<Located<String>>,
    pub checked: Option<Located<NaiveDate>>,
    pub note: String,
    pub location: Location,
}

/// How a new period's data window starts, for `tongbao new`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WindowKind {
    /// Every notice counts from 1 January (累计数), as the seed does: a new
    /// period keeps the previous start within a year, and a new year starts
    /// on 1 January.
    #[default]
    YearToDate,
    /// Each period starts the day after the previous one ended.
    Consecutive,
}

impl FromStr for WindowKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "year-to-date" => Ok(WindowKind::YearToDate),
            "consecutive" => Ok(WindowKind::Consecutive),
            _ => Err(
                r#"应为 "year-to-date"（每期从 1 月 1 日累计）或 "consecutive"（每期接上一期）"#
                    .to_string(),
            ),
        }
    }
}

/// The largest count when `site.toml` sets no `[check] max_count`.
pub const DEFAULT_MAX_COUNT: u64 = 100_000;

impl Site {
    pub fn schema(&self, id: &str) -> Option<&Schema> {
        self.tables.iter().find(|schema| schema.id.value == id)
    }

    /// The rules that apply to a table: those whose every column the table
    /// has, in key order. Scoring applies exactly these, and every page
    /// that lists a table's points lists these.
    pub fn rules_of(&self, schema: &Schema) -> Vec<&Rule> {
        self.rules
            .values()
            .filter(|rule| rule.columns().all(|key| schema.column(key).is_some()))
            .collect()
    }
}

/// A scoring rule: points per counted item, by column key, and optionally
/// a minimum count and a cap on the score.
#[derive(Debug)]
pub struct Rule {
    pub key: String,
    pub label: String,
    pub points: BTreeMap<String, Located<Decimal>>,
    /// 封顶: the most points the rule gives or takes away. Always positive;
    /// a score above `cap` is `cap`, a deduction below `-cap` is `-cap`.
    pub cap: Option<Located<Decimal>>,
    /// The least count a unit must reach in one column.
    pub minimum: Option<Minimum>,
    /// The first day the rule counts for the annual ledger (`from`): items
    /// and weeks before it earn no points there. Notice tables are not
    /// affected: they show the period as it was reported.
    pub from: Option<Located<NaiveDate>>,
}

impl Rule {
    /// Every column key the rule reads: its points' and its minimum's.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.points.keys().map(String::as_str).chain(
            self.minimum
                .iter()
                .map(|minimum| minimum.column.value.as_str()),
        )
    }
}

/// A rule's minimum (`minimum = { column = "…", at_least = N, below = "未达标" }`):
/// a unit whose count in `column` is under `at_least` falls short.
#[derive(Debug)]
pub struct Minimum {
    pub column: Located<String>,
    pub at_least: Located<u64>,
    /// What a status column shows for a unit that falls short, e.g. 未达标.
    pub below: String,
    /// What it shows for the others; often empty.
    pub met: String,
    /// Points added to the rule's score of a unit that falls short (a
    /// deduction is negative).
    pub points: Option<Located<Decimal>>,
}

/// A figure that is the sum of other figures (e.g. all published items).
#[derive(Debug)]
pub struct Total {
    pub key: String,
    pub label: String,
    pub terms: Vec<Located<String>>,
}

/// How one appendix table looks and sorts: its columns, header groups and notes.
#[derive(Debug)]
pub struct Schema {
    pub id: Located<String>,
    /// Title template, e.g. `{{ period.label }}镇街（园区）网站内容保障情况通报表`.
    pub title: Located<String>,
    /// Header of the position column, e.g. 序号.
    pub rank_label: String,
    /// Header of the unit-name column, e.g. 镇街（园区）.
    pub unit_label: String,
    /// Sort keys, most significant first: later keys break ties of the
    /// earlier ones. Never empty.
    pub sort: Vec<Sort>,
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
    /// Note templates, shown numbered under the table.
    pub notes: Vec<Located<String>>,
    /// Which columns the once-a-week rule checks, if the table has one.
    pub weekly: Option<Weekly>,
}

/// The columns of the once-a-week rule (`weekly = { misses = "…", items = "…" }`):
/// weeks without a dynamic item, and the dynamic items published.
#[derive(Debug)]
pub struct Weekly {
    pub misses: Located<String>,
    pub items: Located<String>,
}

impl Schema {
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.key.value == key)
    }
}

#[derive(Debug)]
pub struct Sort {
    pub column: Located<String>,
    pub order: Order,
}

/// Sort direction. Units equal in every sort key keep the data file's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Descending,
    Ascending,
}

impl FromStr for Order {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "descending" => Ok(Order::Descending),
            "ascending" => Ok(Order::Ascending),
            _ => Err(r#"应为 "descending"（从高到低）或 "ascending"（从低到高）"#.to_string()),
        }
    }
}

#[derive(Debug)]
pub struct Column {
    pub key: Located<String>,
    /// Name of the column in notes, downloads and messages, e.g. 信息公开.
    pub label: String,
    /// Header text template when it differs from the label (e.g. the period's months).
    pub header: Option<Located<String>>,
    pub kind: ColumnKind,
    pub zero: ZeroDisplay,
    /// A count that rows may leave out; it is then zero.
    pub optional: bool,
}

impl Column {
    /// Whether each row of the data file holds this column's value (a
    /// count), rather than tongbao computing it (points, a standing, a
    /// tally of findings): what `import` fills, `check` requires of every
    /// row unless `optional`, and `new` may leave out.
    pub fn is_typed(&self) -> bool {
        match self.kind {
            ColumnKind::Count => true,
            ColumnKind::Score { .. } | ColumnKind::Status { .. } | ColumnKind::Findings { .. } => {
                false
            }
        }
    }
}

#[derive(Debug)]
pub enum ColumnKind {
    /// A count typed in each row.
    Count,
    /// The score of a rule, computed from the row's counts.
    Score { rule: Located<String> },
    /// Whether the row reaches a rule's minimum, shown as the minimum's
    /// `below` or `met` text.
    Status { rule: Located<String> },
    /// The number of the unit's findings in the period (`findings = "all"`),
    /// or of those still open (`findings = "open"`).
    Findings { open: bool },
}

/// How a zero value is shown in a table cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZeroDisplay {
    /// `0`
    Number,
    /// An empty cell, as the seed shows zero highlight counts.
    Blank,
}

impl FromStr for ZeroDisplay {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "number" => Ok(ZeroDisplay::Number),
            "blank" => Ok(ZeroDisplay::Blank),
            _ => Err(r#"应为 "number"（显示 0）或 "blank"（留空）"#.to_string()),
        }
    }
}

/// A first-row header cell spanning neighbouring columns.
#[derive(Debug)]
pub struct Group {
    pub label: String,
    pub columns: Vec<Located<String>>,
    pub location: Location,
}

/// One period's folder: its dates, figures, tables and notice.
#[derive(Debug)]
pub struct Period {
    /// Folder name, used as the page's path, e.g. `2019-01-05`.
    pub slug: String,
    pub file: FileId,
    pub window: Window,
    /// Number of assessable weeks in the window, if declared.
    pub weeks: Option<Located<u64>>,
    /// Number of assessable weeks counted from `content/calendar.toml`, if
    /// the calendar covers the window.
    pub calendar_weeks: Option<u64>,
    /// Figures the backend reports that no table row holds.
    pub figures: BTreeMap<String, Located<u64>>,
    pub tables: Vec<Table>,
    pub notice: Notice,
    /// The random check's findings (`findings.toml`), in file order.
    pub findings: Vec<Finding>,
    /// The backend's publication log (`log.csv`), if the period has one.
    pub log: Option<Log>,
}

impl Period {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.id.value == id)
    }

    /// The assessable weeks: as declared, else as the calendar counts them.
    pub fn assessable_weeks(&self) -> Option<u64> {
        self.weeks
            .as_ref()
            .map(|weeks| weeks.value)
            .or(self.calendar_weeks)
    }
}

/// The dates of a period.
#[derive(Debug)]
pub struct Window {
    pub start: Located<NaiveDate>,
    pub end: Located<NaiveDate>,
    /// 成文日期.
    pub issued: Located<NaiveDate>,
    /// Rectification deadline.
    pub deadline: Option<Located<NaiveDate>>,
    /// Label override, e.g. 2019年一季度; derived from the window when absent.
    pub label: Option<String>,
}

/// The figures of one appendix table in one period.
#[derive(Debug)]
pub struct Table {
    pub id: Located<String>,
    /// Totals as the backend declared them, by column key.
    pub declared: BTreeMap<String, Located<u64>>,
    /// Units in the data file's order.
    pub units: Vec<Unit>,
    /// False when a row was rejected while loading (already reported): the
    /// table's sums would then be short, so they are not reconciled.
    pub complete: bool,
}

/// One row: a town or department and its counts, by column key.
#[derive(Debug)]
pub struct Unit {
    pub name: Located<String>,
    pub counts: Counts,
    /// Keys whose values were rejected while loading (a decimal or a
    /// negative count, say). Already reported, so validation does not also
    /// call them missing.
    pub rejected: BTreeSet<String>,
    pub location: Location,
}

impl Unit {
    /// The unit's count in a column; an omitted count is zero.
    pub fn count(&self, key: &str) -> u64 {
        self.counts.get(key).map_or(0, |count| count.value)
    }
}

/// A unit's counts by column key, in key order.
///
/// A short sorted list with a map's interface rather than a `BTreeMap`:
/// a row holds a handful of counts and a site of many periods holds
/// hundreds of thousands of rows, and a `BTreeMap` allocates a node for
/// eleven entries (640 bytes here) however few it holds, which made the
/// counts most of a large site's memory (docs/PERFORMANCE.md). Lookups
/// are a binary search. Keys are shared (`Arc<str>`): the loader gives
/// every row of a table the same key for the same column
/// (`load::period`), rather than a `String` per count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts(Vec<(Arc<str>, Located<u64>)>);

impl Counts {
    pub fn new() -> Self {
        Counts(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0
            .binary_search_by(|(existing, _)| existing.as_ref().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Located<u64>> {
        let index = self.position(key).ok()?;
        self.0.get(index).map(|(_, count)| count)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets the count of `key`, returning the count it replaces.
    pub fn insert(
        &mut self,
        key: impl Into<Arc<str>>,
        count: Located<u64>,
    ) -> Option<Located<u64>> {
        let key = key.into();
        match self.position(&key) {
            Ok(index) => self
                .0
                .get_mut(index)
                .map(|(_, existing)| std::mem::replace(existing, count)),
            Err(index) => {
                self.0.insert(index, (key, count));
                None
            }
        }
    }

    /// The counts in key order.
    pub fn iter(&self) -> <&Counts as IntoIterator>::IntoIter {
        self.into_iter()
    }

    pub fn values(&self) -> impl Iterator<Item = &Located<u64>> {
        self.0.iter().map(|(_, count)| count)
    }

    /// Gives back the room kept for counts that were never added; called
    /// once a row is loaded, as rows are kept for the whole build.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl<'a> IntoIterator for &'a Counts {
    type Item = (&'a Arc<str>, &'a Located<u64>);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Arc<str>, Located<u64>)>,
        fn(&'a (Arc<str>, Located<u64>)) -> (&'a Arc<str>, &'a Located<u64>),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(key, count)| (key, count))
    }
}

impl FromIterator<(String, Located<u64>)> for Counts {
    /// Later duplicates replace earlier ones, as in a map.
    fn from_iter<I: IntoIterator<Item = (String, Located<u64>)>>(pairs: I) -> Self {
        let mut counts = Counts::new();
        for (key, count) in pairs {
            counts.insert(key, count);
        }
        counts.shrink_to_fit();
        counts
    }
}

impl<const N: usize> From<[(String, Located<u64>); N]> for Counts {
    fn from(pairs: [(String, Located<u64>); N]) -> Self {
        pairs.into_iter().collect()
    }
}

/// `notice.md`: the front matter and the Markdown body.
#[derive(Debug)]
pub struct Notice {
    pub file: FileId,
    /// Title template.
    pub title: Located<String>,
    /// 主送机关, without the closing colon.
    pub addressees: String,
    /// Table ids, in attachment order (附件1, 附件2, ...).
    pub attachments: Vec<Located<String>>,
    pub contact: Option<Contact>,
    /// The earlier period (its folder name) whose findings this notice
    /// re-checks (`recheck = "2019-01-05"`).
    pub recheck: Option<Located<String>>,
    /// Where the Markdown after the front matter lies in notice.md. Its
    /// text is the file's registered source ([`crate::diagnostics::Diagnostics::source`]),
    /// not a copy: a site of many periods would otherwise hold every
    /// notice twice.
    pub body: Location,
}

#[derive(Debug)]
pub struct Contact {
    pub office: String,
    pub phone: String,
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Order::Descending => "descending",
            Order::Ascending => "ascending",
        })
    }
}

impl Window {
    /// The period as the notice names it: the declared label, or one derived
    /// from the window, e.g. `2019年1-5月份`.
    pub fn label(&self) -> String {
        if let Some(label) = &self.label {
            return label.clone();
        }
        let (start, end) = (self.start.value, self.end.value);
        if start.year() == end.year() {
            format!("{}年{}", start.year(), self.months())
        } else {
            format!(
                "{}年{}月-{}年{}月",
                start.year(),
                start.month(),
                end.year(),
                end.month()
            )
        }
    }

    /// The months of the window, as table headers show them: `1-5月份`, or `5月份`.
    pub fn months(&self) -> String {
        let (start, end) = (self.start.value, self.end.value);
        if start.year() != end.year() {
            format!("{}月-{}月", start.month(), end.month())
        } else if start.month() == end.month() {
            format!("{}月份", start.month())
        } else {
            format!("{}-{}月份", start.month(), end.month())
        }
    }
}
