//! `content/site.toml` → [`Site`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::findings::{RawWords, convert_words};
use super::rules::{self, RawRule};
use super::value::{count, locate, located_string, option};
use super::{Reading, read_toml};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located, Location, Severity};
use crate::model::{
    Column, ColumnKind, DEFAULT_MAX_COUNT, Group, LogColumns, Order, Schema, Site, Sort, Total,
    Weekly, WindowKind, ZeroDisplay,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: String,
    office: String,
    #[serde(default = "default_language")]
    language: String,
    theme: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<String, RawRule>,
    #[serde(default)]
    totals: BTreeMap<String, RawTotal>,
    #[serde(default)]
    tables: Vec<RawSchema>,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    periods: RawPeriods,
    #[serde(default)]
    findings: RawWords,
    log: Option<RawLog>,
}

/// `[log]`: the publication log's column headers and dynamic kinds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    unit: Spanned<String>,
    date: Spanned<String>,
    kind: Spanned<String>,
    title: Option<Spanned<String>>,
    dynamic: Vec<String>,
}

/// `[periods]`: how one period's data window follows another's.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPeriods {
    window: Option<Spanned<String>>,
}

/// `[check]`: limits of the sanity rules.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    max_count: Option<Spanned<toml::Value>>,
}

fn default_language() -> String {
    "zh-CN".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTotal {
    label: String,
    sum: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default = "default_rank")]
    rank: String,
    unit: String,
    sort: Spanned<SortKeys>,
    columns: Vec<RawColumn>,
    #[serde(default)]
    groups: Vec<Spanned<RawGroup>>,
    #[serde(default)]
    notes: Vec<Spanned<String>>,
    weekly: Option<RawWeekly>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeekly {
    misses: Spanned<String>,
    items: Spanned<String>,
}

fn default_rank() -> String {
    "序号".to_string()
}

/// `sort`: one key as an inline table, or a list of them, most significant first.
struct SortKeys(Vec<RawSort>);

impl<'de> Deserialize<'de> for SortKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SortKeysVisitor)
    }
}

struct SortKeysVisitor;

impl<'de> serde::de::Visitor<'de> for SortKeysVisitor {
    type Value = SortKeys;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        // toml_error retells "table" as 表（[表头] 或 { … }）.
        formatter.write_str("a table { column, order } or an array of them")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<SortKeys, A::Error> {
        let key = RawSort::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(SortKeys(vec![key]))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<SortKeys, A::Error> {
        let keys = Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        Ok(SortKeys(keys))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSort {
    column: Spanned<String>,
    order: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    key: Spanned<String>,
    label: String,
    header: Option<Spanned<String>>,
    rule: Option<Spanned<String>>,
    status: Option<Spanned<String>>,
    findings: Option<Spanned<String>>,
    zero: Option<Spanned<String>>,
    #[serde(default)]
    optional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    label: String,
    columns: Vec<Spanned<String>>,
}

/// Reads and converts `site.toml`. Cross-references (a sort key naming a
/// column, a column naming a rule) are checked later by `validate`.
/// Returns `None` when any value in it is wrong; every one is reported.
pub fn load_site(root: &Path, path: &Path, diagnostics: &mut Diagnostics) -> Option<Site> {
    let (file, raw): (FileId, RawSite) = read_toml((root, Reading::Disk), path, diagnostics)?;
    let errors_before = diagnostics.count(Severity::Error);
    let max_count = match &raw.check.max_count {
        Some(value) => count(file, value, "“max_count”", u64::MAX, diagnostics)
            .map_or(DEFAULT_MAX_COUNT, |max| max.value),
        None => DEFAULT_MAX_COUNT,
    };
    let window = match &raw.periods.window {
        Some(window) => option::<WindowKind>(file, window, diagnostics).unwrap_or_default(),
        None => WindowKind::default(),
    };
    let theme = match raw.theme {
        Some(theme) => theme_name(file, &theme, diagnostics),
        None => Located::new("default".to_string(), Location::new(file, 0..0)),
    };
    let site = Site {
        file,
        title: raw.title,
        office: raw.office,
        language: raw.language,
        theme,
        base_url: raw
            .base_url
            .and_then(|url| base_url(file, &url, diagnostics))
            .map(with_trailing_slash),
        rules: rules::convert_rules(file, raw.rules, diagnostics),
        totals: convert_totals(file, raw.totals),
        tables: raw
            .tables
            .into_iter()
            .filter_map(|schema| convert_schema(file, schema, diagnostics))
            .collect(),
        max_count,
        window,
        findings: convert_words(file, raw.findings, diagnostics),
        log: raw.log.map(|log| LogColumns {
            unit: located_string(file, &log.unit),
            date: located_string(file, &log.date),
            kind: located_string(file, &log.kind),
            title: log.title.as_ref().map(|title| located_string(file, title)),
            dynamic: log.dynamic,
        }),
    };
    let failed = diagnostics.count(Severity::Error) > errors_before;
    (!failed).then_some(site)
}

/// The site's address: `http://` or `https://` and a host, nothing else,
/// since feeds, the sitemap and the portal fragment's links start with it.
fn base_url(file: FileId, url: &Spanned<String>, diagnostics: &mut Diagnostics) -> Option<String> {
    let text = url.get_ref();
    let lower = text.to_ascii_lowercase();
    let rest = ["http://", "https://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme));
    let host = rest.and_then(|rest| rest.split('/').next());
    let whole = host.is_some_and(|host| !host.is_empty())
        && !text.chars().any(|c| c.is_whitespace() || c == '\\');
    if whole {
        return Some(text.clone());
    }
    diagnostics.push(
        Diagnostic::error(format!("base_url “{text}” 不是网站地址"))
            .at(&locate(file, 0, url))
            .label("应以 http:// 或 https:// 开头，后接域名")
            .hint(
                "例如 base_url = \"http://www.junan.gov.cn/tongbao/\"；不需要绝对地址时删去这一行",
            ),
    );
    None
}

/// A base URL ends in `/`, so that page paths can follow it directly.
fn with_trailing_slash(url: String) -> String {
    if url.ends_with('/') {
        url
    } else {
        format!("{url}/")
    }
}

fn convert_totals(file: FileId, raw: BTreeMap<String, RawTotal>) -> BTreeMap<String, Total> {
    raw.into_iter()
        .map(|(key, total)| {
            let total = Total {
                key: key.clone(),
                label: total.label,
                terms: total
                    .sum
                    .iter()
                    .map(|term| located_string(file, term))
                    .collect(),
            };
            (key, total)
        })
        .collect()
}

/// A theme is a folder name under `themes/`: a path that could lead
/// elsewhere (`../x`, `/etc`) is refused.
fn theme_name(
    file: FileId,
    theme: &Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Located<String> {
    let name = located_string(file, theme);
    let plain = !name.value.is_empty()
        && !name.value.starts_with('.')
        && name
            .value
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if !plain {
        diagnostics.push(
            Diagnostic::error(format!("主题名 “{}” 不可用", name.value))
                .at(&name.location)
                .label("主题名只能是 themes/ 下的一个目录名")
                .hint("只用字母、数字、- 和 _，例如 theme = \"default\""),
        );
    }
    name
}

fn convert_schema(file: FileId, raw: RawSchema, diagnostics: &mut Diagnostics) -> Option<Schema> {
    let sort = convert_sort(file, &raw.sort, diagnostics);
    // Every column is converted, so that each bad one is reported.
    let columns: Vec<Option<Column>> = raw
        .columns
        .into_iter()
        .map(|column| convert_column(file, column, diagnostics))
        .collect();
    let columns = columns.into_iter().collect::<Option<Vec<Column>>>()?;
    let sort = sort?;
    let groups = raw
        .groups
        .iter()
        .map(|group| Group {
            label: group.get_ref().label.clone(),
            columns: group
                .get_ref()
                .columns
                .iter()
                .map(|key| located_string(file, key))
                .collect(),
            location: locate(file, 0, group),
        })
        .collect();
    Some(Schema {
        id: located_string(file, &raw.id),
        title: located_string(file, &raw.title),
        rank_label: raw.rank,
        unit_label: raw.unit,
        sort,
        columns,
        groups,
        notes: raw
            .notes
            .iter()
            .map(|note| located_string(file, note))
            .collect(),
        weekly: raw.weekly.map(|weekly| Weekly {
            misses: located_string(file, &weekly.misses),
            items: located_string(file, &weekly.items),
        }),
    })
}

/// The sort keys, most significant first; every bad order is reported.
fn convert_sort(
    file: FileId,
    raw: &Spanned<SortKeys>,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Sort>> {
    let keys = &raw.get_ref().0;
    if keys.is_empty() {
        diagnostics.push(
            Diagnostic::error("sort 没有列出排序的列")
                .at(&locate(file, 0, raw))
                .hint(r#"例如 sort = { column = "disclosure", order = "descending" }"#),
        );
        return None;
    }
    let sorts: Vec<Option<Sort>> = keys
        .iter()
        .map(|key| {
            let order = match &key.order {
                Some(order) => option::<Order>(file, order, diagnostics)?,
                None => Order::Descending,
            };
            Some(Sort {
                column: located_string(file, &key.column),
                order,
            })
        })
        .collect();
    sorts.into_iter().collect()
}

fn convert_column(file: FileId, raw: RawColumn, diagnostics: &mut Diagnostics) -> Option<Column> {
    let zero = match &raw.zero {
        Some(zero) => option::<ZeroDisplay>(file, zero, diagnostics)?,
        None => ZeroDisplay::Number,
    };
    let kind = column_kind(file, &raw, diagnostics)?;
    Some(Column {
        key: located_string(file, &raw.key),
        label: raw.label,
        header: raw
            .header
            .as_ref()
            .map(|header| located_string(file, header)),
        kind,
        zero,
        optional: raw.optional,
    })
}

/// What fills a column: typed counts, or one of `rule`, `status` and
/// `findings`, which make it computed; a column has at most one of them.
fn column_kind(file: FileId, raw: &RawColumn, diagnostics: &mut Diagnostics) -> Option<ColumnKind> {
    let given: Vec<(&str, &Spanned<String>)> = [
        ("rule", &raw.rule),
        ("status", &raw.status),
        ("findings", &raw.findings),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value.as_ref()?)))
    .collect();
    if let [_, (second, value), ..] = given.as_slice() {
        diagnostics.push(
            Diagnostic::error(format!(
                "列 “{}” 的算法写了不止一种（{second} 与 {}）",
                raw.key.get_ref(),
                given[0].0
            ))
            .at(&locate(file, 0, value))
            .hint("rule（计分）、status（达标情况）、findings（问题数）只能写一个；需要几种就分成几列"),
        );
        return None;
    }
    let Some((name, value)) = given.first() else {
        return Some(ColumnKind::Count);
    };
    let rule = || located_string(file, value);
    match *name {
        "rule" => Some(ColumnKind::Score { rule: rule() }),
        "status" => Some(ColumnKind::Status { rule: rule() }),
        _ => match value.get_ref().as_str() {
            "all" => Some(ColumnKind::Findings { open: false }),
            "open" => Some(ColumnKind::Findings { open: true }),
            _ => {
                diagnostics.push(
                    Diagnostic::error(format!("无法识别的选项 \"{}\"", value.get_ref()))
                        .at(&locate(file, 0, value))
                        .label(r#"应为 "all"（全部问题数）或 "open"（未整改的问题数）"#),
                );
                None
            }
        },
    }
}
