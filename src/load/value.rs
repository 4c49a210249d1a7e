//! Conversions from raw, spanned TOML values to model values, each reporting
//! a located diagnostic when the value does not fit.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located, Location};

/// Where a spanned value stands in `file`, `offset` bytes into it.
pub fn locate<T>(file: FileId, offset: usize, spanned: &Spanned<T>) -> Location {
    let span = spanned.span();
    Location::new(file, offset + span.start..offset + span.end)
}

/// A spanned string as a located string.
pub fn located_string(file: FileId, spanned: &Spanned<String>) -> Located<String> {
    Located::new(spanned.get_ref().clone(), locate(file, 0, spanned))
}

/// A non-negative whole number no larger than `max`, such as a count of
/// published items.
pub fn count(
    file: FileId,
    value: &Spanned<toml::Value>,
    what: &str,
    max: u64,
    diagnostics: &mut Diagnostics,
) -> Option<Located<u64>> {
    let location = locate(file, 0, value);
    let (problem, label) = match value.get_ref() {
        toml::Value::Integer(number) => match u64::try_from(*number) {
            Ok(count) if count <= max => return Some(Located::new(count, location)),
            Ok(count) => (
                format!("{what} {count} 大得不合常理（上限为 {max}）"),
                "是否多打了一位数字？".to_string(),
            ),
            Err(_) => (
                format!("{what}不能为负数：{number}"),
                "应为非负整数".to_string(),
            ),
        },
        toml::Value::Float(number) => (
            format!("{what}应为整数，而不是 {number}"),
            "应为非负整数".to_string(),
        ),
        other => (
            format!("{what}应为整数，而不是{}", type_name(other)),
            "应为非负整数".to_string(),
        ),
    };
    let mut diagnostic = Diagnostic::error(problem).at(&location).label(label);
    if matches!(value.get_ref(), toml::Value::Integer(number) if *number > 0) {
        diagnostic =
            diagnostic.hint("核对后台数据；确实如此时，调高 site.toml 中 [check] 的 max_count");
    }
    diagnostics.push(diagnostic);
    None
}

/// The most decimals a rule's points may have. A notice prints points as
/// typed (`0.5`, `扣0.2分`) and sums them in exact decimals; two places cover
/// every weight a county uses (`0.5`, `0.25`, `0.05`) and keep every score
/// and sum exact within what [`Decimal`] holds.
pub const POINT_DECIMALS: u32 = 2;

/// Points per item: an integer or a decimal such as `0.5` or `-0.2`, kept
/// exact. `literal` is the value as written in the file: a TOML float is
/// read from its text, never through a binary float, so that a value the
/// notice could only print rounded (`123456789.123456789`, `1e-30`) is
/// refused rather than silently changed.
pub fn points(
    file: FileId,
    value: &Spanned<toml::Value>,
    literal: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Located<Decimal>> {
    let location = locate(file, 0, value);
    let text = match value.get_ref() {
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Float(_) => literal.to_string(),
        toml::Value::String(text) => text.trim().to_string(),
        other => {
            diagnostics.push(
                Diagnostic::error(format!("分值应为数字，而不是{}", type_name(other)))
                    .at(&location),
            );
            return None;
        }
    };
    match exact_decimal(&text) {
        Ok(decimal) => Some(Located::new(decimal, location)),
        Err(problem) => {
            diagnostics.push(points_problem(&text, problem).at(&location));
            None
        }
    }
}

/// Why a written number is not usable as points.
#[derive(Debug, PartialEq, Eq)]
enum PointsProblem {
    /// Not a decimal number at all (`abc`, `inf`, `nan`).
    Unreadable,
    /// More decimals than [`POINT_DECIMALS`].
    TooPrecise { decimals: u64 },
    /// More digits than exact decimal arithmetic holds.
    TooLarge,
}

fn points_problem(text: &str, problem: PointsProblem) -> Diagnostic {
    match problem {
        PointsProblem::Unreadable => Diagnostic::error(format!("无法识别的分值：{text}"))
            .label("应为整数或小数，如 5、0.5、-0.2"),
        PointsProblem::TooPrecise { decimals } => Diagnostic::error(format!(
            "分值 {text} 有 {decimals} 位小数，最多只能有 {POINT_DECIMALS} 位"
        ))
        .label(format!("通报中的分值至多精确到 {POINT_DECIMALS} 位小数"))
        .hint("改为至多两位小数的分值，例如 0.5、0.25、-0.05"),
        PointsProblem::TooLarge => Diagnostic::error(format!("分值 {text} 太大，无法精确计算"))
            .label("超出精确小数能表示的范围")
            .hint("核对分值是否多打了数字"),
    }
}

/// Reads a decimal number exactly: an optional sign, digits with an
/// optional fraction, and an optional exponent (`1e-3`); `_` between
/// digits is allowed, as in TOML. Never rounds: a number with more than
/// [`POINT_DECIMALS`] decimals, or too long for [`Decimal`], is refused.
fn exact_decimal(text: &str) -> Result<Decimal, PointsProblem> {
    let text = text.replace('_', "");
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text.as_str(), None),
    };
    let exponent: i64 = match exponent {
        Some(exponent) => exponent.parse().map_err(|_| PointsProblem::Unreadable)?,
        None => 0,
    };
    let (negative, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return Err(PointsProblem::Unreadable);
    }
    let mut digits = format!("{whole}{fraction}")
        .trim_start_matches('0')
        .to_string();
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    // `decimals` may go negative (`5e3`): the number then ends in zeros.
    let mut decimals = i64::try_from(fraction.len())
        .map_err(|_| PointsProblem::TooLarge)?
        .saturating_sub(exponent);
    while decimals > 0 && digits.ends_with('0') {
        digits.pop();
        decimals -= 1;
    }
    if decimals > i64::from(POINT_DECIMALS) {
        return Err(PointsProblem::TooPrecise {
            decimals: decimals.unsigned_abs(),
        });
    }
    // Beyond 38 digits an i128 cannot hold the number; beyond 28 or so,
    // neither can a Decimal, which the conversion below reports.
    let mut mantissa: i128 = digits.parse().map_err(|_| PointsProblem::TooLarge)?;
    if decimals < 0 {
        let zeros = u32::try_from(decimals.unsigned_abs()).map_err(|_| PointsProblem::TooLarge)?;
        mantissa = 10_i128
            .checked_pow(zeros)
            .and_then(|power| mantissa.checked_mul(power))
            .ok_or(PointsProblem::TooLarge)?;
        decimals = 0;
    }
    if negative {
        mantissa = -mantissa;
    }
    let scale = u32::try_from(decimals).map_err(|_| PointsProblem::TooLarge)?;
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| PointsProblem::TooLarge)
}

/// A calendar date written as a TOML local date, e.g. `2019-06-05`.
pub fn date(
    file: FileId,
    value: &Spanned<toml::value::Datetime>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<NaiveDate>> {
    let location = locate(file, 0, value);
    let datetime = value.get_ref();
    let day = match (datetime.date, datetime.time) {
        (Some(date), None) => {
            NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
        }
        _ => {
            diagnostics.push(
                Diagnostic::error("日期只写年月日，不带时间")
                    .at(&location)
                    .hint("例如 2019-06-05"),
            );
            return None;
        }
    };
    match day {
        Some(day) => Some(Located::new(day, location)),
        None => {
            diagnostics.push(Diagnostic::error(format!("日期不存在：{datetime}")).at(&location));
            None
        }
    }
}

/// A keyword option parsed through the model enum's `FromStr`.
pub fn option<T: FromStr<Err = String>>(
    file: FileId,
    value: &Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    match value.get_ref().parse() {
        Ok(parsed) => Some(parsed),
        Err(expected) => {
            diagnostics.push(
                Diagnostic::error(format!("无法识别的选项 \"{}\"", value.get_ref()))
                    .at(&locate(file, 0, value))
                    .label(expected),
            );
            None
        }
    }
}

fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "文本",
        toml::Value::Integer(_) => "整数",
        toml::Value::Float(_) => "小数",
        toml::Value::Boolean(_) => "布尔值",
        toml::Value::Datetime(_) => "日期",
        toml::Value::Array(_) => "数组",
        toml::Value::Table(_) => "表",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> Result<String, PointsProblem> {
        exact_decimal(text).map(|decimal| decimal.to_string())
    }

    #[test]
    fn points_are_read_exactly_as_written() {
        assert_eq!(exact("0.5"), Ok("0.5".to_string()));
        assert_eq!(exact("-0.2"), Ok("-0.2".to_string()));
        assert_eq!(exact("+2"), Ok("2".to_string()));
        assert_eq!(exact("0.250"), Ok("0.25".to_string()));
        assert_eq!(exact("1_000.05"), Ok("1000.05".to_string()));
        assert_eq!(exact("5e-2"), Ok("0.05".to_string()));
        assert_eq!(exact("2.5E1"), Ok("25".to_string()));
        assert_eq!(exact("5e3"), Ok("5000".to_string()));
        assert_eq!(exact("-0.0"), Ok("0".to_string()));
        assert_eq!(
            exact("7922816251426433759354395033"),
            Ok("7922816251426433759354395033".to_string())
        );
    }

    #[test]
    fn points_that_would_print_rounded_are_refused() {
        assert_eq!(
            exact("1e-30"),
            Err(PointsProblem::TooPrecise { decimals: 30 })
        );
        assert_eq!(
            exact("123456789.123456789"),
            Err(PointsProblem::TooPrecise { decimals: 9 })
        );
        assert_eq!(
            exact("0.125"),
            Err(PointsProblem::TooPrecise { decimals: 3 })
        );
        assert_eq!(
            exact("79228162514264337593543950336"),
            Err(PointsProblem::TooLarge)
        );
        assert_eq!(exact("1e40"), Err(PointsProblem::TooLarge));
        assert_eq!(exact("1e9999999999"), Err(PointsProblem::TooLarge));
    }

    #[test]
    fn what_is_not_a_decimal_is_unreadable() {
        for text in [
            "", "-", ".", "abc", "inf", "-nan", "1.2.3", "0x10", "1e", "e5", "1,5",
        ] {
            assert_eq!(exact(text), Err(PointsProblem::Unreadable), "{text:?}");
        }
    }
}
