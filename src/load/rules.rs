//! `[rules.NAME]` of `site.toml` → [`Rule`]: points per item, and the
//! optional minimum (`minimum = { … }`) and cap (`cap = N`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::text::fit_cell;
use super::value::{count, date, locate, located_string, points};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located};
use crate::model::{Minimum, Rule};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    label: String,
    #[serde(default)]
    points: BTreeMap<String, Spanned<toml::Value>>,
    cap: Option<Spanned<toml::Value>>,
    minimum: Option<RawMinimum>,
    from: Option<Spanned<toml::value::Datetime>>,
}

/// `minimum = { column = "…", at_least = N, below = "…", met = "…", points = P }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMinimum {
    column: Spanned<String>,
    at_least: Spanned<toml::Value>,
    below: Spanned<String>,
    met: Option<Spanned<String>>,
    points: Option<Spanned<toml::Value>>,
}

/// Converts every rule; a bad value is reported and its rule left out
/// (the caller fails the site when anything was reported).
pub(super) fn convert_rules(
    file: FileId,
    raw: BTreeMap<String, RawRule>,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, Rule> {
    raw.into_iter()
        .map(|(key, rule)| {
            let rule = Rule {
                key: key.clone(),
                label: rule.label,
                points: convert_points(file, &rule.points, diagnostics),
                cap: rule
                    .cap
                    .as_ref()
                    .and_then(|cap| convert_cap(file, cap, diagnostics)),
                minimum: rule
                    .minimum
                    .as_ref()
                    .and_then(|minimum| convert_minimum(file, minimum, diagnostics)),
                from: rule
                    .from
                    .as_ref()
                    .and_then(|from| date(file, from, diagnostics)),
            };
            (key, rule)
        })
        .collect()
}

fn convert_points(
    file: FileId,
    raw: &BTreeMap<String, Spanned<toml::Value>>,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, Located<Decimal>> {
    raw.iter()
        .filter_map(|(column, value)| {
            Some((column.clone(), written_points(file, value, diagnostics)?))
        })
        .collect()
}

/// Points read exactly as written in the file (see [`points`]).
fn written_points(
    file: FileId,
    value: &Spanned<toml::Value>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<Decimal>> {
    let literal = diagnostics
        .source(file)
        .get(value.span())
        .unwrap_or_default()
        .to_string();
    points(file, value, &literal, diagnostics)
}

/// A cap is a positive number of points: it bounds a bonus from above and
/// a deduction from below alike, so its sign carries no meaning.
fn convert_cap(
    file: FileId,
    raw: &Spanned<toml::Value>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<Decimal>> {
    let cap = written_points(file, raw, diagnostics)?;
    if cap.value <= Decimal::ZERO {
        diagnostics.push(
            Diagnostic::error(format!("封顶分值应为正数，而不是 {}", cap.value))
                .at(&cap.location)
                .label("应大于 0")
                .hint("cap 是加分或扣分的上限，扣分规则也写正数，例如 cap = 5 即最多扣 5 分"),
        );
        return None;
    }
    Some(cap)
}

fn convert_minimum(
    file: FileId,
    raw: &RawMinimum,
    diagnostics: &mut Diagnostics,
) -> Option<Minimum> {
    let at_least = count(file, &raw.at_least, "“at_least”", u64::MAX, diagnostics);
    let shortfall = match &raw.points {
        Some(value) => Some(written_points(file, value, diagnostics)?),
        None => None,
    };
    // What a status column shows: a cell of the table's XLSX download.
    for (what, text) in [
        ("minimum 的 below 文字", Some(&raw.below)),
        ("minimum 的 met 文字", raw.met.as_ref()),
    ] {
        if let Some(text) = text {
            fit_cell(what, text.get_ref(), &locate(file, 0, text), diagnostics);
        }
    }
    if raw.below.get_ref().trim().is_empty() {
        diagnostics.push(
            Diagnostic::error("minimum 的 below 不能为空")
                .at(&locate(file, 0, &raw.column))
                .hint(r#"below 是未达到最低数的单位所显示的文字，例如 below = "未达标""#),
        );
        return None;
    }
    Some(Minimum {
        column: located_string(file, &raw.column),
        at_least: at_least?,
        below: raw.below.get_ref().clone(),
        met: raw
            .met
            .as_ref()
            .map_or_else(String::new, |met| met.get_ref().clone()),
        points: shortfall,
    })
}
