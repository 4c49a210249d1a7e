//! The random check's findings (`findings.toml`): how many each unit has,
//! the figures the notice quotes from them, and their cross-checks against
//! the period's tables and the words `[findings]` of `site.toml` defines.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, Diagnostics, Located};
use chrono::NaiveDate;

use crate::layout::FINDINGS_FILE;
use crate::model::{Finding, FindingWords, Period, RECHECK_ID, Site};
use crate::notation::format_date;
use crate::outline::Heading;
use crate::spelling::closest;

/// A unit's number of findings, and of those still open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub all: u64,
    pub open: u64,
}

impl Tally {
    /// The number of findings, or of open ones.
    pub fn get(&self, open: bool) -> u64 {
        if open { self.open } else { self.all }
    }
}

/// Whether a finding still needs rectifying: it has no re-check status yet,
/// or its status is one `site.toml` marks `open`.
pub fn is_open(finding: &Finding, words: &FindingWords) -> bool {
    match &finding.status {
        None => true,
        Some(status) => words.status(&status.value).is_none_or(|word| word.open),
    }
}

/// The 整改情况 cell: the re-check's status, then in brackets the date it
/// was re-checked and the note; empty before the re-check. The 问题清单,
/// the re-check and the sheets show it; validation fits it in a cell.
pub fn rectification(finding: &Finding) -> String {
    let Some(status) = &finding.status else {
        return String::new();
    };
    let checked = finding
        .checked
        .as_ref()
        .map(|checked| format!("{}复查", format_date(checked.value)));
    let note = (!finding.note.is_empty()).then_some(finding.note.as_str());
    match (checked, note) {
        (None, None) => status.value.clone(),
        (Some(checked), None) => format!("{}（{checked}）", status.value),
        (None, Some(note)) => format!("{}（{note}）", status.value),
        (Some(checked), Some(note)) => format!("{}（{checked}，{note}）", status.value),
    }
}

/// Each unit's tally, by unit name.
pub fn tallies<'f>(findings: &'f [Finding], words: &FindingWords) -> BTreeMap<&'f str, Tally> {
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for finding in findings {
        let tally = tallies.entry(finding.unit.value.as_str()).or_default();
        tally.all += 1;
        tally.open += u64::from(is_open(finding, words));
    }
    tallies
}

/// The day against which a deadline counts as past: the newest issued
/// date of any period, or `[findings] checked_until` when later. Not
/// today's date, so that `check` says the same thing on any day.
pub fn reference_date<P: Heading>(site: &Site, periods: &[P]) -> Option<NaiveDate> {
    let newest = periods
        .iter()
        .map(|period| period.window().issued.value)
        .max();
    let checked = site
        .findings
        .checked_until
        .as_ref()
        .map(|until| until.value);
    newest.max(checked)
}

/// Warns about each finding of `period` still without a re-check status
/// once its deadline has passed, as of `reference` (see
/// [`reference_date`]), at the finding's line.
pub fn validate_overdue<P: Heading>(
    period: &P,
    reference: Option<NaiveDate>,
    diagnostics: &mut Diagnostics,
) {
    let (Some(deadline), Some(reference)) = (&period.window().deadline, reference) else {
        return;
    };
    if deadline.value >= reference {
        return;
    }
    for finding in period.findings().iter().filter(|f| f.status.is_none()) {
        diagnostics.push(
            Diagnostic::warning(format!(
                "整改期限（{}）已过，这个问题还没有复查结果",
                format_date(deadline.value)
            ))
            .at(&finding.location)
            .hint(format!(
                "按{}计已过期限；复查后在这一行写 status 和 checked，如 status = \"已整改\", checked = {}",
                format_date(reference),
                reference
            )),
        );
    }
}

/// The periods a `recheck` may name, and whether every period loaded:
/// one that did not is reported already and not said to be missing.
pub struct Periods<'p, P> {
    pub all: &'p [P],
    pub complete: bool,
}

/// A notice's `recheck` names an earlier period that has findings; a
/// notice attaching the re-check (`"recheck"`) has a `recheck` and
/// `[findings.recheck]` has a title.
pub fn validate_recheck<P: Heading>(
    site: &Site,
    periods: &Periods<P>,
    period: &P,
    diagnostics: &mut Diagnostics,
) {
    if let Some(slug) = period.recheck() {
        match rechecked(periods.all, period) {
            None if !periods.complete => {}
            None => diagnostics.push(
                Diagnostic::error(format!("recheck 指向的期次 “{}” 不存在", slug.value))
                    .at(&slug.location)
                    .suggest(closest(&slug.value, periods.all.iter().map(|p| p.slug())))
                    .hint("recheck 写要复查的那一期的目录名，如 recheck = \"2019-01-05\""),
            ),
            Some(earlier) if earlier.window().issued.value >= period.window().issued.value => {
                diagnostics.push(
                    Diagnostic::error(format!("recheck 指向的期次 “{}” 不早于本期", slug.value))
                        .at(&slug.location)
                        .hint("只能复查成文日期早于本期的期次"),
                )
            }
            Some(earlier) if earlier.findings().is_empty() => diagnostics.push(
                Diagnostic::error(format!(
                    "recheck 指向的期次 “{}” 没有发现的问题",
                    slug.value
                ))
                .at(&slug.location)
                .hint(format!("在该期目录中写 {FINDINGS_FILE}")),
            ),
            Some(_) => {}
        }
    }
    let attachments = period.attachments().iter();
    for attachment in attachments.filter(|a| a.value == RECHECK_ID) {
        if period.recheck().is_none() {
            diagnostics.push(
                Diagnostic::error("附件 “recheck” 是上期问题整改情况，但通知没有写 recheck")
                    .at(&attachment.location)
                    .hint("在头部写 recheck = \"要复查的期次目录名\""),
            );
        }
        if site.findings.recheck.title.is_none() {
            diagnostics.push(
                Diagnostic::error("附件 “recheck” 是上期问题整改情况，但 site.toml 的 [findings.recheck] 中没有 title")
                    .at(&attachment.location)
                    .hint("在 [findings.recheck] 中写标题，如 title = \"{{ recheck.label }}政务公开随机抽查问题整改情况\""),
            );
        }
    }
}

/// The earlier period whose findings `period`'s notice re-checks.
pub fn rechecked<'p, P: Heading>(periods: &'p [P], period: &P) -> Option<&'p P> {
    let slug = period.recheck()?;
    periods.iter().find(|p| p.slug() == slug.value)
}

/// The words of `[findings]`: keys name figures, so they are ASCII and
/// unique; labels are unique too, since findings are written with them.
pub fn validate_words(words: &FindingWords, diagnostics: &mut Diagnostics) {
    let entries = words
        .categories
        .iter()
        .map(|word| ("分类", &word.key, &word.label))
        .chain(
            words
                .statuses
                .iter()
                .map(|word| ("整改状态", &word.key, &word.label)),
        );
    let mut keys = BTreeSet::new();
    let mut labels = BTreeSet::new();
    for (what, key, label) in entries {
        let plain = !key.value.is_empty()
            && key
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            diagnostics.push(
                Diagnostic::error(format!("{what}的 key “{}” 不可用", key.value))
                    .at(&key.location)
                    .hint("key 用在数字名称中（如 findings.category.stale），只能用英文字母、数字和 _"),
            );
        }
        if !keys.insert((what, key.value.as_str())) || !labels.insert((what, label.as_str())) {
            diagnostics.push(
                Diagnostic::error(format!("{what} “{label}”（{}）重复", key.value))
                    .at(&key.location),
            );
        }
    }
}

/// Each finding names a unit of the period's tables, a known category and
/// status, and dates that can be: found no later than the notice is issued,
/// re-checked no earlier than found, and a re-check date only with a status.
pub fn validate(site: &Site, period: &Period, diagnostics: &mut Diagnostics) {
    let units: BTreeSet<&str> = period
        .tables
        .iter()
        .flat_map(|table| table.units.iter().map(|unit| unit.name.value.as_str()))
        .collect();
    let words = &site.findings;
    for finding in &period.findings {
        let unit = &finding.unit;
        if !units.contains(unit.value.as_str()) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "问题清单中的单位 “{}” 不在本期的表格中",
                    unit.value
                ))
                .at(&unit.location)
                .suggest(closest(&unit.value, units.iter().copied())),
            );
        }
        let category = &finding.category;
        if words.category(&category.value).is_none() {
            let labels = words.categories.iter().map(|word| word.label.as_str());
            diagnostics.push(
                unknown_word("问题分类", &category.value, labels, "categories")
                    .at(&category.location),
            );
        }
        if let Some(status) = &finding.status
            && words.status(&status.value).is_none()
        {
            let labels = words.statuses.iter().map(|word| word.label.as_str());
            diagnostics.push(
                unknown_word("整改状态", &status.value, labels, "statuses").at(&status.location),
            );
        }
        validate_dates(period, finding, diagnostics);
    }
}

/// A notice that attaches the findings (`attachments = ["findings"]`) needs
/// findings in the period and a title for the appendix in `[findings]`.
pub fn validate_attachment(
    site: &Site,
    period: &Period,
    attachment: &Located<String>,
    diagnostics: &mut Diagnostics,
) {
    if period.findings.is_empty() {
        diagnostics.push(
            Diagnostic::error("附件 “findings” 是问题清单，但本期没有发现的问题")
                .at(&attachment.location)
                .hint(format!(
                    "在本期目录中写 {FINDINGS_FILE}，或从 attachments 中删去 “findings”"
                )),
        );
    }
    if site.findings.appendix.title.is_none() {
        diagnostics.push(
            Diagnostic::error("附件 “findings” 是问题清单，但 site.toml 的 [findings] 中没有 title")
                .at(&attachment.location)
                .hint("在 [findings] 中写问题清单的标题，如 title = \"{{ period.label }}政务公开随机抽查问题清单\""),
        );
    }
}

fn unknown_word<'a>(
    what: &str,
    word: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    list: &str,
) -> Diagnostic {
    let all: Vec<&str> = known.clone().collect();
    let diagnostic = Diagnostic::error(format!("未知的{what} “{word}”"));
    match closest(word, known) {
        Some(near) => diagnostic.suggest(Some(near)),
        None if all.is_empty() => diagnostic.hint(format!(
            "site.toml 的 [findings] 中没有 {list}；{FINDINGS_FILE} 只能用其中列出的词"
        )),
        None => diagnostic.hint(format!("可用的{what}：{}", all.join("、"))),
    }
}

fn validate_dates(period: &Period, finding: &Finding, diagnostics: &mut Diagnostics) {
    let found = &finding.found;
    if found.value > period.window.issued.value {
        diagnostics.push(
            Diagnostic::error("发现问题的日期晚于通报的成文日期")
                .at(&found.location)
                .hint("核对 found 的日期，或 data.toml 中的 issued"),
        );
    }
    match (&finding.status, &finding.checked) {
        (_, Some(checked)) if checked.value < found.value => diagnostics.push(
            Diagnostic::error("复查日期早于发现问题的日期")
                .at(&checked.location)
                .hint("核对 checked 和 found 的日期"),
        ),
        (None, Some(checked)) => diagnostics.push(
            Diagnostic::error("写了复查日期，却没有整改状态")
                .at(&checked.location)
                .hint("在同一行写 status = \"已整改\" 等复查结果"),
        ),
        _ => {}
    }
}
