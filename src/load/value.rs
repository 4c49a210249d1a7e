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

/// Points per item: an integer or a decimal such as `0.5` or `-0.2`, kept exact.
pub fn points(
    file: FileId,
    value: &Spanned<toml::Value>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<Decimal>> {
    let location = locate(file, 0, value);
    // A TOML float prints back as the shortest decimal that reads the same,
    // so `0.2` becomes exactly 0.2 and never 0.2000000000000000111.
    let text = match value.get_ref() {
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Float(number) if number.is_finite() => number.to_string(),
        toml::Value::String(text) => text.clone(),
        other => {
            diagnostics.push(
                Diagnostic::error(format!("分值应为数字，而不是{}", type_name(other)))
                    .at(&location),
            );
            return None;
        }
    };
    match Decimal::from_str(&text) {
        Ok(decimal) => Some(Located::new(decimal.normalize(), location)),
        Err(_) => {
            diagnostics.push(Diagnostic::error(format!("无法识别的分值：{text}")).at(&location));
            None
        }
    }
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
