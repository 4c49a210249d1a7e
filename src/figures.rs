//! Figures: the named values that notice text, titles and notes quote, and
//! the `{{ name | filter }}` expressions that quote them.
//!
//! Every number in a notice is typed once, in `data.toml` or `site.toml`,
//! and reaches the text only through an expression, so text and tables
//! cannot disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::diagnostics::{Diagnostic, Located};
use crate::exact::exact_add;
use crate::findings::is_open;
use crate::model::{FINDINGS_ID, Finding, FindingWords, Period, RECHECK_ID, Rule, Site, Total};
use crate::notation::{format_date, format_points};
use crate::score::{ColumnSum, ScoredPeriod, ScoredTable};

/// A value a notice can quote.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A count of items or units, e.g. `8113`.
    Count(u64),
    /// Points, exact, e.g. `0.5` or `-0.2`.
    Points(Decimal),
    /// A date, shown as `2019年6月5日`.
    Date(NaiveDate),
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Count(count) => write!(f, "{count}"),
            Value::Points(points) => write!(f, "{}", format_points(*points)),
            Value::Date(date) => write!(f, "{}", format_date(*date)),
            Value::Text(text) => f.write_str(text),
        }
    }
}

/// A filter applied to a value: `{{ period.end | month_day }}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// A date without its year: `5月30日`.
    MonthDay,
    /// Points as a phrase: `加5分`, `扣0.2分`.
    Points,
}

impl FromStr for Filter {
    type Err = ();

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "month_day" => Ok(Filter::MonthDay),
            "points" => Ok(Filter::Points),
            _ => Err(()),
        }
    }
}

impl Filter {
    const NAMES: [&'static str; 2] = ["month_day", "points"];

    /// The filtered value, or `None` when the filter does not apply to
    /// this kind of value (see [`Filter::applies_to`]).
    fn apply(self, value: &Value) -> Option<Value> {
        match (self, value) {
            (Filter::MonthDay, Value::Date(date)) => {
                Some(Value::Text(format!("{}月{}日", date.month(), date.day())))
            }
            (Filter::Points, Value::Points(points)) => {
                let verb = if points.is_sign_negative() {
                    "扣"
                } else {
                    "加"
                };
                Some(Value::Text(format!(
                    "{verb}{}分",
                    format_points(points.abs())
                )))
            }
            (Filter::MonthDay | Filter::Points, _) => None,
        }
    }

    /// What the filter applies to, as told when it is used on another
    /// kind of value.
    fn applies_to(self) -> &'static str {
        match self {
            Filter::MonthDay => "month_day 只能用于日期",
            Filter::Points => "points 只能用于分值（rules.…）",
        }
    }
}

/// The figures one text may quote, by name (`towns.disclosure`, `period.start`, ...).
#[derive(Clone, Debug, Default)]
pub struct Figures {
    values: BTreeMap<String, Value>,
}

impl Figures {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The known name closest to `name`, for a "did you mean" hint.
    pub fn closest(&self, name: &str) -> Option<&str> {
        crate::spelling::closest(name, self.values.keys().map(String::as_str))
    }
}

/// How quoted values are written into the surrounding text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// Plain text (titles, notes, headers): values go in as they are.
    Plain,
    /// Markdown source: punctuation in values is backslash-escaped so a value
    /// can never become markup.
    Markdown,
}

/// A problem with one expression, at a byte range of the expanded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    pub span: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// Replaces every `{{ name }}` and `{{ name | filter }}` in `text` with the
/// figure's value. Returns every bad expression, not just the first.
pub fn expand(text: &str, figures: &Figures, escape: Escape) -> Result<String, Vec<ExpandError>> {
    expand_traced(text, figures, escape).map(|expanded| expanded.text)
}

/// A text with its expressions replaced, and where each replacement
/// stands, so that a place in the result can be traced to its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    /// Each expression's range in the source and its value's in `text`,
    /// in order.
    splices: Vec<(Range<usize>, Range<usize>)>,
}

impl Expanded {
    /// A text as it is, without expressions.
    pub fn verbatim(text: String) -> Expanded {
        Expanded {
            text,
            splices: Vec::new(),
        }
    }

    /// The source range that `range` of the expanded text came from. A
    /// range that takes in part of a value takes in its whole expression.
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source_offset(range.start, Edge::Start);
        let end = self.source_offset(range.end, Edge::End);
        start..end.max(start)
    }

    /// Where `offset` of the expanded text lies in the source, as the
    /// `edge` of a range: a start inside a value (or at its first byte)
    /// moves to its expression's start, an end inside it (or at its last
    /// byte) to its expression's end.
    fn source_offset(&self, offset: usize, edge: Edge) -> usize {
        // The last places known to correspond: (expanded, source).
        let mut anchor = (0, 0);
        for (source, value) in &self.splices {
            let (before, inside) = match edge {
                Edge::Start => (offset < value.start, offset < value.end),
                Edge::End => (offset <= value.start, offset <= value.end),
            };
            if before {
                break;
            }
            if inside {
                return match edge {
                    Edge::Start => source.start,
                    Edge::End => source.end,
                };
            }
            anchor = (value.end, source.end);
        }
        anchor.1 + offset.saturating_sub(anchor.0)
    }
}

/// Which end of a range an offset is.
#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

/// [`expand`], keeping where each value went (see [`Expanded`]).
pub fn expand_traced(
    text: &str,
    figures: &Figures,
    escape: Escape,
) -> Result<Expanded, Vec<ExpandError>> {
    let mut out = String::with_capacity(text.len());
    let mut splices = Vec::new();
    let mut errors = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find(OPEN) {
        let open = rest + found;
        out.push_str(&text[rest..open]);
        let Some(length) = text[open..].find(CLOSE) else {
            errors.push(ExpandError {
                span: open..open + OPEN.len(),
                message: "“{{” 没有对应的 “}}”".to_string(),
                hint: Some("数字引用写作 {{ 名称 }}".to_string()),
            });
            return Err(errors);
        };
        let close = open + length + CLOSE.len();
        match evaluate(&text[open + OPEN.len()..open + length], figures) {
            Ok(value) => {
                let start = out.len();
                out.push_str(&escaped(&value.to_string(), escape));
                splices.push((open..close, start..out.len()));
            }
            Err((message, hint)) => errors.push(ExpandError {
                span: open..close,
                message,
                hint,
            }),
        }
        rest = close;
    }
    out.push_str(&text[rest..]);
    if errors.is_empty() {
        Ok(Expanded { text: out, splices })
    } else {
        Err(errors)
    }
}

fn evaluate(expression: &str, figures: &Figures) -> Result<Value, (String, Option<String>)> {
    let mut parts = expression.split('|').map(str::trim);
    let name = parts.next().unwrap_or_default();
    let mut value = match figures.get(name) {
        Some(value) => value.clone(),
        None if name.is_empty() => return Err(("空的数字引用".to_string(), None)),
        None if name == "period.weeks" => {
            let hint = "在 data.toml 的 [period] 中写 weeks = 周数，\
                        或在 content/calendar.toml 中加入该年的 [years.年份]";
            return Err(("本期的可考核周数未知".to_string(), Some(hint.to_string())));
        }
        None => {
            let hint = figures
                .closest(name)
                .map(|near| format!("是否应为 {near}？"));
            return Err((format!("未知的数字 “{name}”"), hint));
        }
    };
    for filter_name in parts {
        let Ok(filter) = filter_name.parse::<Filter>() else {
            let hint = format!("可用的过滤器：{}", Filter::NAMES.join("、"));
            return Err((format!("未知的过滤器 “{filter_name}”"), Some(hint)));
        };
        value = filter
            .apply(&value)
            .ok_or_else(|| (filter.applies_to().to_string(), None))?;
    }
    Ok(value)
}

fn escaped(value: &str, escape: Escape) -> String {
    match escape {
        Escape::Plain => value.to_string(),
        Escape::Markdown => {
            let mut out = String::with_capacity(value.len());
            for c in value.chars() {
                if c.is_ascii_punctuation() {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
    }
}

/// The first word of every figure name other than a table's own
/// (`period.start`, `rules.weekly.cap`, `findings.count`, ...). A table's
/// figures start with its id, so validation refuses these as table ids.
pub const NAMESPACES: [&str; 8] = [
    PERIOD,
    SITE,
    FIGURES,
    RULES,
    TOTALS,
    TABLE,
    FINDINGS_ID,
    RECHECK_ID,
];
const PERIOD: &str = "period";
const SITE: &str = "site";
const FIGURES: &str = "figures";
const RULES: &str = "rules";
const TOTALS: &str = "totals";
const TABLE: &str = "table";

/// The words a figure name puts where a column key goes (`TABLE.sum.KEY`,
/// `TABLE.units`, `rules.RULE.cap`, `rules.RULE.minimum`), so validation
/// refuses them as column keys.
pub const COLUMN_WORDS: [&str; 4] = [SUM, UNITS, CAP, MINIMUM];
const SUM: &str = "sum";
const UNITS: &str = "units";
const CAP: &str = "cap";
const MINIMUM: &str = "minimum";

/// The figures a period's notice and tables may quote:
///
/// - `period.label`, `period.months`, `period.year`, `period.start`, `period.end`,
///   `period.issued`, `period.deadline`, `period.weeks`;
/// - `site.title`, `site.office`;
/// - `figures.KEY` for each figure in `data.toml`;
/// - `TABLE.units`, the number of units in a table;
/// - `TABLE.COLUMN`, the backend's declared total where `data.toml` declares
///   one, the sum of the rows otherwise; `TABLE.sum.COLUMN`, always the sum;
/// - `rules.RULE.COLUMN`, the points of a rule; `rules.RULE.cap`, its cap;
///   `rules.RULE.minimum`, its minimum count, and `rules.RULE.minimum.points`,
///   the points for falling short of it;
/// - `totals.KEY`, the sums `site.toml` defines;
/// - `findings.…`, the counts of the period's findings (see
///   `insert_findings`).
///
/// A total naming an unknown figure is reported at its term in `site.toml`.
pub fn period_figures(site: &Site, scored: &ScoredPeriod) -> Result<Figures, Vec<Diagnostic>> {
    let mut figures = Figures::new();
    insert_period(&mut figures, scored.period);
    figures.insert(format!("{SITE}.title"), Value::Text(site.title.clone()));
    figures.insert(format!("{SITE}.office"), Value::Text(site.office.clone()));
    for (key, value) in &scored.period.figures {
        figures.insert(format!("{FIGURES}.{key}"), Value::Count(value.value));
    }
    for table in &scored.tables {
        insert_table(&mut figures, table);
    }
    for rule in site.rules.values() {
        insert_rule(&mut figures, rule);
    }
    insert_findings(&mut figures, site, scored.period);
    insert_totals(&mut figures, site)?;
    Ok(figures)
}

/// The figures of `period_figures`, plus `table.sort` (the first sort
/// column's label), `table.sort.N` (the Nth's), `table.unit` and
/// `table.units` for the table whose title, headers and notes are expanded.
pub fn table_figures(period: &Figures, table: &ScoredTable) -> Figures {
    let mut figures = period.clone();
    let schema = table.schema;
    let label = |key: &crate::model::Sort| {
        schema
            .column(&key.column.value)
            .map(|column| column.label.clone())
            .unwrap_or_default()
    };
    let first = schema.sort.first().map(label).unwrap_or_default();
    figures.insert(format!("{TABLE}.sort"), Value::Text(first));
    for (index, key) in schema.sort.iter().enumerate() {
        let name = format!("{TABLE}.sort.{}", index + 1);
        figures.insert(name, Value::Text(label(key)));
    }
    figures.insert(
        format!("{TABLE}.unit"),
        Value::Text(schema.unit_label.clone()),
    );
    figures.insert(
        format!("{TABLE}.{UNITS}"),
        Value::Count(table.rows.len() as u64),
    );
    figures
}

/// The figures of a period's findings:
///
/// - `findings.count`, the number of findings; `findings.units`, of units
///   with at least one;
/// - `findings.category.KEY`, per category of `[findings] categories`;
/// - `findings.status.KEY`, per status of `[findings] statuses`;
/// - `findings.open`, still open (no status yet, or an `open` one), and
///   `findings.closed`, the others.
fn insert_findings(figures: &mut Figures, site: &Site, period: &Period) {
    insert_counts(figures, FINDINGS_ID, &period.findings, &site.findings);
}

/// The figures of the earlier period a notice re-checks, under `recheck.`:
/// the counts of `insert_findings` for that period's findings, and
/// `recheck.label`, `recheck.issued` and `recheck.deadline` (when it has
/// one), so the text can say which notice it follows up.
pub fn insert_recheck_figures(figures: &mut Figures, site: &Site, rechecked: &Period) {
    insert_counts(figures, RECHECK_ID, &rechecked.findings, &site.findings);
    let window = &rechecked.window;
    figures.insert(format!("{RECHECK_ID}.label"), Value::Text(window.label()));
    figures.insert(
        format!("{RECHECK_ID}.issued"),
        Value::Date(window.issued.value),
    );
    if let Some(deadline) = &window.deadline {
        figures.insert(
            format!("{RECHECK_ID}.deadline"),
            Value::Date(deadline.value),
        );
    }
}

/// `PREFIX.count`, `PREFIX.units`, `PREFIX.category.KEY`,
/// `PREFIX.status.KEY`, `PREFIX.open` and `PREFIX.closed` of `findings`.
fn insert_counts(figures: &mut Figures, prefix: &str, findings: &[Finding], words: &FindingWords) {
    let count =
        |keep: &dyn Fn(&Finding) -> bool| findings.iter().filter(|f| keep(f)).count() as u64;
    let units: BTreeSet<&str> = findings.iter().map(|f| f.unit.value.as_str()).collect();
    figures.insert(
        format!("{prefix}.count"),
        Value::Count(findings.len() as u64),
    );
    figures.insert(format!("{prefix}.units"), Value::Count(units.len() as u64));
    for category in &words.categories {
        let number = count(&|f| f.category.value == category.label);
        figures.insert(
            format!("{prefix}.category.{}", category.key.value),
            Value::Count(number),
        );
    }
    for status in &words.statuses {
        let number = count(&|f| f.status.as_ref().is_some_and(|s| s.value == status.label));
        figures.insert(
            format!("{prefix}.status.{}", status.key.value),
            Value::Count(number),
        );
    }
    let open = count(&|f| is_open(f, words));
    figures.insert(format!("{prefix}.open"), Value::Count(open));
    figures.insert(
        format!("{prefix}.closed"),
        Value::Count(findings.len() as u64 - open),
    );
}

/// `rules.RULE.COLUMN` for each column's points; `rules.RULE.cap`;
/// `rules.RULE.minimum` and `rules.RULE.minimum.points`.
fn insert_rule(figures: &mut Figures, rule: &Rule) {
    let name = |part: &str| format!("{RULES}.{}.{part}", rule.key);
    for (column, points) in &rule.points {
        figures.insert(name(column), Value::Points(points.value));
    }
    if let Some(cap) = &rule.cap {
        figures.insert(name(CAP), Value::Points(cap.value));
    }
    if let Some(minimum) = &rule.minimum {
        figures.insert(name(MINIMUM), Value::Count(minimum.at_least.value));
        if let Some(points) = &minimum.points {
            let points_name = name(&format!("{MINIMUM}.points"));
            figures.insert(points_name, Value::Points(points.value));
        }
    }
}

fn insert_period(figures: &mut Figures, period: &Period) {
    let window = &period.window;
    figures.insert(format!("{PERIOD}.label"), Value::Text(window.label()));
    figures.insert(format!("{PERIOD}.months"), Value::Text(window.months()));
    figures.insert(
        format!("{PERIOD}.year"),
        Value::Count(window.issued.value.year() as u64),
    );
    figures.insert(format!("{PERIOD}.start"), Value::Date(window.start.value));
    figures.insert(format!("{PERIOD}.end"), Value::Date(window.end.value));
    figures.insert(format!("{PERIOD}.issued"), Value::Date(window.issued.value));
    if let Some(deadline) = &window.deadline {
        figures.insert(format!("{PERIOD}.deadline"), Value::Date(deadline.value));
    }
    if let Some(weeks) = period.assessable_weeks() {
        figures.insert(format!("{PERIOD}.weeks"), Value::Count(weeks));
    }
}

fn insert_table(figures: &mut Figures, table: &ScoredTable) {
    let id = &table.schema.id.value;
    figures.insert(
        format!("{id}.{UNITS}"),
        Value::Count(table.rows.len() as u64),
    );
    for (column, sum) in table.schema.columns.iter().zip(&table.sums) {
        let key = &column.key.value;
        let sum = match *sum {
            ColumnSum::Count(count) => Value::Count(count),
            ColumnSum::Points(points) => Value::Points(points),
        };
        let quoted = match table.table.declared.get(key) {
            Some(declared) => Value::Count(declared.value),
            None => sum.clone(),
        };
        figures.insert(format!("{id}.{key}"), quoted);
        figures.insert(format!("{id}.{SUM}.{key}"), sum);
    }
}

/// Adds `totals.KEY` for every total, evaluating totals that name other
/// totals first, whatever order `site.toml` lists them in.
///
/// A total that names a failed total is left out without a message of its
/// own (the failed one is reported); what is left waits on itself: a cycle.
fn insert_totals(figures: &mut Figures, site: &Site) -> Result<(), Vec<Diagnostic>> {
    let mut pending: Vec<&Total> = site.totals.values().collect();
    let mut failed: BTreeSet<&str> = BTreeSet::new();
    let mut errors = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|total| match total_value(figures, site, total) {
            Some(Ok(value)) => {
                figures.insert(format!("{TOTALS}.{}", total.key), value);
                false
            }
            Some(Err(diagnostic)) => {
                errors.push(diagnostic);
                failed.insert(&total.key);
                false
            }
            None => true,
        });
        if pending.len() < before {
            continue;
        }
        let (blocked, cyclic): (Vec<&Total>, Vec<&Total>) = pending
            .drain(..)
            .partition(|total| term_naming(total, &failed).is_some());
        if blocked.is_empty() {
            let waiting: BTreeSet<&str> = cyclic.iter().map(|total| total.key.as_str()).collect();
            for total in cyclic {
                let mut diagnostic =
                    Diagnostic::error(format!("合计 totals.{} 循环引用了自己", total.key));
                if let Some(term) = term_naming(total, &waiting) {
                    diagnostic = diagnostic.at(&term.location);
                }
                errors.push(diagnostic);
            }
        } else {
            failed.extend(blocked.iter().map(|total| total.key.as_str()));
            pending = cyclic;
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The first of the total's terms that is `totals.KEY` for a key in `keys`.
fn term_naming<'t>(total: &'t Total, keys: &BTreeSet<&str>) -> Option<&'t Located<String>> {
    total.terms.iter().find(|term| {
        term.value
            .strip_prefix(TOTALS)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|key| keys.contains(key))
    })
}

/// A total's value; `None` while one of its terms is a total not yet evaluated.
fn total_value(figures: &Figures, site: &Site, total: &Total) -> Option<Result<Value, Diagnostic>> {
    let mut sum = Decimal::ZERO;
    let mut whole = true;
    for term in &total.terms {
        let addend = match figures.get(&term.value) {
            Some(Value::Count(count)) => Decimal::from(*count),
            Some(Value::Points(points)) => {
                whole = false;
                *points
            }
            Some(_) => {
                let message = format!("“{}” 不是数字，不能相加", term.value);
                return Some(Err(Diagnostic::error(message).at(&term.location)));
            }
            None if waits_on_total(site, total, &term.value) => return None,
            None => {
                let diagnostic = Diagnostic::error(format!("未知的数字 “{}”", term.value))
                    .at(&term.location)
                    .suggest(figures.closest(&term.value));
                return Some(Err(diagnostic));
            }
        };
        // A sum of counts is a count, and must fit one as a column's sum does.
        match exact_add(sum, addend) {
            Some(added) if !whole || u64::try_from(added).is_ok() => sum = added,
            _ => {
                let diagnostic =
                    Diagnostic::error(format!("合计 totals.{} 超出可计算的范围", total.key))
                        .at(&term.location)
                        .label("加上这一项后超出范围")
                        .hint("核对这一项所引用的数字");
                return Some(Err(diagnostic));
            }
        }
    }
    let value = match (whole, u64::try_from(sum)) {
        (true, Ok(count)) => Value::Count(count),
        _ => Value::Points(sum.normalize()),
    };
    Some(Ok(value))
}

/// Whether `name` is another total, which may not be evaluated yet.
/// A total naming itself is a cycle, reported as an unknown figure.
fn waits_on_total(site: &Site, total: &Total, name: &str) -> bool {
    match name
        .strip_prefix(TOTALS)
        .and_then(|rest| rest.strip_prefix('.'))
    {
        Some(key) => key != total.key && site.totals.contains_key(key),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> Figures {
        let mut figures = Figures::new();
        figures.insert("towns.disclosure", Value::Count(2762));
        figures.insert(
            "period.end",
            Value::Date(NaiveDate::from_ymd_opt(2019, 5, 30).unwrap()),
        );
        figures.insert(
            "rules.weekly.missed_weeks",
            Value::Points(Decimal::new(-2, 1)),
        );
        figures.insert("unit", Value::Text("a*b".to_string()));
        figures
    }

    #[test]
    fn expands_names_and_filters() {
        let text = "共 {{ towns.disclosure }} 条，至{{period.end|month_day}}，{{ rules.weekly.missed_weeks | points }}";
        assert_eq!(
            expand(text, &figures(), Escape::Plain).unwrap(),
            "共 2762 条，至5月30日，扣0.2分"
        );
    }

    #[test]
    fn reports_every_bad_expression_with_its_span() {
        let text = "{{ towns.disclosur }} and {{ towns.disclosure | nope }}";
        let errors = expand(text, &figures(), Escape::Plain).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].span, 0..21);
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("是否应为 towns.disclosure？")
        );
        assert_eq!(
            &text[errors[1].span.clone()],
            "{{ towns.disclosure | nope }}"
        );
    }

    #[test]
    fn a_filter_on_the_wrong_kind_of_value_says_what_it_takes() {
        let text = "{{ towns.disclosure | month_day }}，{{ period.end | points }}";
        let errors = expand(text, &figures(), Escape::Plain).unwrap_err();
        let told: Vec<(&str, &str)> = errors
            .iter()
            .map(|error| (&text[error.span.clone()], error.message.as_str()))
            .collect();
        assert_eq!(
            told,
            [
                (
                    "{{ towns.disclosure | month_day }}",
                    "month_day 只能用于日期"
                ),
                (
                    "{{ period.end | points }}",
                    "points 只能用于分值（rules.…）"
                ),
            ]
        );
    }

    #[test]
    fn unclosed_expression_is_an_error() {
        let errors = expand("a {{ b", &figures(), Escape::Plain).unwrap_err();
        assert_eq!(errors[0].span, 2..4);
    }

    #[test]
    fn markdown_escape_keeps_values_literal() {
        assert_eq!(
            expand("{{ unit }}", &figures(), Escape::Markdown).unwrap(),
            "a\\*b"
        );
    }

    #[test]
    fn places_in_the_expanded_text_trace_back_to_the_source() {
        let text = "共 {{ towns.disclosure }} 条[链接](x)，{{ unit }}尾";
        let expanded = expand_traced(text, &figures(), Escape::Markdown).unwrap();
        assert_eq!(expanded.text, "共 2762 条[链接](x)，a\\*b尾");
        let find = |part: &str| {
            let start = expanded.text.find(part).unwrap();
            start..start + part.len()
        };
        let source = |part: &str| &text[expanded.source_range(find(part))];
        assert_eq!(source("共 "), "共 ");
        assert_eq!(source("[链接](x)"), "[链接](x)");
        assert_eq!(source("76"), "{{ towns.disclosure }}");
        assert_eq!(source("2762 条"), "{{ towns.disclosure }} 条");
        assert_eq!(source("尾"), "尾");
        assert_eq!(source("，a"), "，{{ unit }}");
    }

    #[test]
    fn points_print_without_trailing_zeros() {
        assert_eq!(format_points(Decimal::new(250, 2)), "2.5");
        assert_eq!(format_points(Decimal::new(0, 1)), "0");
    }
}
