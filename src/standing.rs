//! Rules beyond points × count: a unit's standing against a rule's minimum
//! (`minimum = { … }`), the points for falling short of it, and the cap
//! that bounds a rule's score (`cap = N`).
//!
//! Like `score`, this assumes validated content; its only failure is
//! arithmetic that exact decimals cannot hold.

use rust_decimal::Decimal;

use crate::diagnostics::Diagnostic;
use crate::exact::exact_add;
use crate::model::{Minimum, Rule, Unit};

/// Where a unit stands against a rule's minimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing<'a> {
    /// Whether the unit's count is under the minimum.
    pub short: bool,
    /// What a status column shows: the minimum's `below` or `met` text.
    pub text: &'a str,
}

/// The unit's standing against `minimum`; an omitted count is zero.
pub fn standing<'a>(minimum: &'a Minimum, unit: &Unit) -> Standing<'a> {
    let short = unit.count(&minimum.column.value) < minimum.at_least.value;
    let text = if short { &minimum.below } else { &minimum.met };
    Standing { short, text }
}

/// A rule's score of a unit from `base`, its points × counts: plus the
/// minimum's points when the unit falls short, then held within the cap
/// (`-cap ..= cap`). An overflow is reported at the minimum's points.
pub fn limited(rule: &Rule, unit: &Unit, base: Decimal) -> Result<Decimal, Diagnostic> {
    let mut score = base;
    if let Some(minimum) = &rule.minimum
        && let Some(points) = &minimum.points
        && standing(minimum, unit).short
    {
        score = exact_add(score, points.value).ok_or_else(|| {
            Diagnostic::error(format!(
                "单位 “{}” 按 “{}” 计算的分值超出可计算的范围",
                unit.name.value, rule.label
            ))
            .at(&points.location)
            .label("加上未达最低数的分值后超出范围")
            .hint("核对 site.toml 中该规则的分值")
        })?;
    }
    if let Some(cap) = &rule.cap {
        score = score.clamp(-cap.value, cap.value);
    }
    Ok(score.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{FileId, Located, Location};
    use std::str::FromStr;

    fn located<T>(value: T) -> Located<T> {
        Located::new(value, Location::new(FileId::default(), 0..0))
    }

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn unit(count: u64) -> Unit {
        Unit {
            name: located("甲".into()),
            counts: [("items".to_string(), located(count))].into(),
            rejected: Default::default(),
            location: Location::new(FileId::default(), 0..0),
        }
    }

    fn rule(cap: Option<&str>, shortfall: Option<&str>) -> Rule {
        Rule {
            key: "quota".into(),
            label: "最低条数".into(),
            points: Default::default(),
            cap: cap.map(|cap| located(decimal(cap))),
            minimum: Some(Minimum {
                column: located("items".into()),
                at_least: located(20),
                below: "未达标".into(),
                met: String::new(),
                points: shortfall.map(|points| located(decimal(points))),
            }),
            from: None,
        }
    }

    #[test]
    fn a_unit_under_the_minimum_falls_short() {
        let rule = rule(None, None);
        let minimum = rule.minimum.as_ref().unwrap();
        assert_eq!(standing(minimum, &unit(19)).text, "未达标");
        assert_eq!(standing(minimum, &unit(20)).text, "");
        assert!(!standing(minimum, &unit(20)).short);
    }

    #[test]
    fn shortfall_points_apply_only_under_the_minimum() {
        let rule = rule(None, Some("-2"));
        assert_eq!(
            limited(&rule, &unit(3), decimal("1.5")).unwrap(),
            decimal("-0.5")
        );
        assert_eq!(
            limited(&rule, &unit(30), decimal("1.5")).unwrap(),
            decimal("1.5")
        );
    }

    #[test]
    fn the_cap_bounds_bonuses_and_deductions_alike() {
        let rule = rule(Some("10"), None);
        assert_eq!(
            limited(&rule, &unit(30), decimal("12.5")).unwrap(),
            decimal("10")
        );
        assert_eq!(
            limited(&rule, &unit(30), decimal("-11")).unwrap(),
            decimal("-10")
        );
        assert_eq!(
            limited(&rule, &unit(30), decimal("9.5")).unwrap(),
            decimal("9.5")
        );
    }
}
