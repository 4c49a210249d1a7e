//! The random check's findings: `[findings]` of `site.toml` (the words
//! findings use) → [`FindingWords`], and a period's `findings.toml` → its
//! [`Finding`]s. Whether a finding's unit, category and status are known is
//! checked later by `crate::findings::validate`.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::value::{date, locate, located_string};
use super::{Reading, read_toml};
use crate::diagnostics::{Diagnostics, FileId};
use crate::layout::FINDINGS_FILE;
use crate::model::{
    Finding, FindingHeaders, FindingWords, FindingsAppendix, RecheckAppendix, StatusWord, Word,
};

/// `[findings]` in `site.toml`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWords {
    #[serde(default)]
    categories: Vec<RawWord>,
    #[serde(default)]
    statuses: Vec<RawStatus>,
    /// The 问题清单 appendix's title, with figures.
    title: Option<Spanned<String>>,
    #[serde(default)]
    notes: Vec<Spanned<String>>,
    #[serde(default)]
    headers: RawHeaders,
    #[serde(default)]
    recheck: RawRecheck,
    checked_until: Option<Spanned<toml::value::Datetime>>,
}

/// `[findings.recheck]`: the re-check appendix's title and notes.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRecheck {
    title: Option<Spanned<String>>,
    #[serde(default)]
    notes: Vec<Spanned<String>>,
}

/// `[findings.headers]`: each header has the wording of the county's own
/// 问题清单 unless the site words it otherwise.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawHeaders {
    number: String,
    unit: String,
    column: String,
    category: String,
    problem: String,
    found: String,
    url: String,
    status: String,
    result: String,
    count: String,
    closed: String,
    open: String,
    total: String,
}

impl Default for RawHeaders {
    fn default() -> Self {
        let text = |text: &str| text.to_string();
        RawHeaders {
            number: text("序号"),
            unit: text("单位"),
            column: text("栏目"),
            category: text("问题类型"),
            problem: text("问题描述"),
            found: text("发现日期"),
            url: text("网址"),
            status: text("整改情况"),
            result: text("整改结果"),
            count: text("问题数"),
            closed: text("已整改"),
            open: text("未整改"),
            total: text("合计"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWord {
    key: Spanned<String>,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatus {
    key: Spanned<String>,
    label: String,
    /// Whether a finding with this status still needs rectifying.
    open: bool,
}

pub(super) fn convert_words(
    file: FileId,
    raw: RawWords,
    diagnostics: &mut Diagnostics,
) -> FindingWords {
    let checked_until = raw
        .checked_until
        .as_ref()
        .and_then(|checked| date(file, checked, diagnostics));
    FindingWords {
        checked_until,
        recheck: RecheckAppendix {
            title: raw.recheck.title.as_ref().map(|t| located_string(file, t)),
            notes: raw
                .recheck
                .notes
                .iter()
                .map(|note| located_string(file, note))
                .collect(),
        },
        categories: raw
            .categories
            .iter()
            .map(|word| Word {
                key: located_string(file, &word.key),
                label: word.label.clone(),
            })
            .collect(),
        statuses: raw
            .statuses
            .iter()
            .map(|word| StatusWord {
                key: located_string(file, &word.key),
                label: word.label.clone(),
                open: word.open,
            })
            .collect(),
        appendix: FindingsAppendix {
            title: raw.title.as_ref().map(|title| located_string(file, title)),
            notes: raw
                .notes
                .iter()
                .map(|note| located_string(file, note))
                .collect(),
            headers: headers(raw.headers),
        },
    }
}

fn headers(raw: RawHeaders) -> FindingHeaders {
    FindingHeaders {
        number: raw.number,
        unit: raw.unit,
        column: raw.column,
        category: raw.category,
        problem: raw.problem,
        found: raw.found,
        url: raw.url,
        status: raw.status,
        result: raw.result,
        count: raw.count,
        closed: raw.closed,
        open: raw.open,
        total: raw.total,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFindings {
    #[serde(default)]
    findings: Vec<Spanned<RawFinding>>,
}

/// One line of `findings.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFinding {
    unit: Spanned<String>,
    column: String,
    url: Option<String>,
    category: Spanned<String>,
    problem: String,
    found: Spanned<toml::value::Datetime>,
    status: Option<Spanned<String>>,
    checked: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    note: String,
}

/// The findings of the period in `folder`: none when it has no
/// `findings.toml`; `None` when the file is there but wrong (reported).
pub fn load_findings(
    (root, reading): (&Path, Reading),
    folder: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Finding>> {
    let path = folder.join(FINDINGS_FILE);
    if !reading.exists(root, &path, diagnostics) {
        return Some(Vec::new());
    }
    let (file, raw): (FileId, RawFindings) = read_toml((root, reading), &path, diagnostics)?;
    let findings: Vec<Option<Finding>> = raw
        .findings
        .iter()
        .map(|raw| convert_finding(file, raw, diagnostics))
        .collect();
    findings.into_iter().collect()
}

fn convert_finding(
    file: FileId,
    spanned: &Spanned<RawFinding>,
    diagnostics: &mut Diagnostics,
) -> Option<Finding> {
    let raw = spanned.get_ref();
    let found = date(file, &raw.found, diagnostics);
    let checked = match &raw.checked {
        Some(checked) => Some(date(file, checked, diagnostics)?),
        None => None,
    };
    Some(Finding {
        unit: located_string(file, &raw.unit),
        column: raw.column.clone(),
        url: raw.url.clone(),
        category: located_string(file, &raw.category),
        problem: raw.problem.clone(),
        found: found?,
        status: raw
            .status
            .as_ref()
            .map(|status| located_string(file, status)),
        checked,
        note: raw.note.clone(),
        location: locate(file, 0, spanned),
    })
}
