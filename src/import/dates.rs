//! A date from a spreadsheet cell: an Excel date (a serial number of days,
//! or the text import gives a date-formatted cell, `2019-06-03`), or a
//! date written as text the way clerks write them: `2019-06-03`,
//! `2019/6/3`, `2019.6.3`, `2019年6月3日`, full-width digits allowed.

use std::fmt;

use chrono::{Days, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use super::names::normalize;
use super::sheet::Cell;

/// The largest serial Excel shows as a date: 9999-12-31.
const LAST_SERIAL: f64 = 2_958_465.0;

/// Serial 60 is 1900-02-29, a day that never was: Excel counts 1900 as a
/// leap year (as Lotus 1-2-3 did), so serials from 61 on are one day ahead
/// of a plain count from 1899-12-31.
const PHANTOM_LEAP_DAY: u64 = 60;

/// Why a cell holds no date.
#[derive(Debug, Clone, PartialEq)]
pub enum BadDate {
    /// Text that is no date, as the cell holds it.
    NotADate(String),
    /// A number outside Excel's dates, or Excel's 1900-02-29.
    BadSerial(String),
    /// A formula without its result, as the file writes it.
    Uncomputed(String),
}

impl fmt::Display for BadDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadDate::NotADate(text) => write!(f, "“{text}” 不是日期"),
            BadDate::BadSerial(number) => {
                write!(f, "{number} 不是 Excel 中的有效日期")
            }
            BadDate::Uncomputed(formula) => write!(
                f,
                "是公式 ={}，文件中没有它算出的结果",
                formula.trim_start_matches('=')
            ),
        }
    }
}

/// The date in `cell`; `None` for an empty cell.
pub fn parse_date(cell: &Cell) -> Result<Option<NaiveDate>, BadDate> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Uncomputed(formula) => Err(BadDate::Uncomputed(formula.clone())),
        Cell::Integer(number) => from_serial(*number as f64).map(Some),
        Cell::Number(number) => from_serial(*number).map(Some),
        Cell::Text(text) => {
            let plain = normalize(text);
            if plain.is_empty() {
                return Ok(None);
            }
            match plain.parse::<f64>() {
                Ok(serial) => from_serial(serial).map(Some),
                Err(_) => from_text(text).map(Some),
            }
        }
    }
}

/// An Excel serial (days since 1899-12-31, with the phantom 1900-02-29);
/// a fraction is a time of day, which a date leaves out.
fn from_serial(serial: f64) -> Result<NaiveDate, BadDate> {
    let bad = || BadDate::BadSerial(serial.to_string());
    if !serial.is_finite() || !(1.0..LAST_SERIAL + 1.0).contains(&serial) {
        return Err(bad());
    }
    let days = serial.trunc() as u64;
    let days = match days.cmp(&PHANTOM_LEAP_DAY) {
        std::cmp::Ordering::Less => days,
        std::cmp::Ordering::Equal => return Err(bad()),
        std::cmp::Ordering::Greater => days - 1,
    };
    NaiveDate::from_ymd_opt(1899, 12, 31)
        .and_then(|epoch| epoch.checked_add_days(Days::new(days)))
        .ok_or_else(bad)
}

/// A date written as text; a time after it (`2019-06-03 00:00:00`, as a
/// spreadsheet exports a date cell to CSV) is left out.
fn from_text(text: &str) -> Result<NaiveDate, BadDate> {
    let bad = || BadDate::NotADate(text.trim().to_string());
    let wide: String = text.nfkc().collect();
    let mut words = wide.split_whitespace();
    let first = words.next().ok_or_else(bad)?;
    // An ISO date and time, as OpenDocument writes it: 2019-06-03T00:00:00.
    let date_part = match first.split_once('T') {
        Some((date, time)) if is_time(time) => date,
        Some(_) | None => first,
    };
    let time_ok = match (words.next(), words.next()) {
        (None, _) => true,
        (Some(time), None) => is_time(time),
        (Some(_), Some(_)) => false,
    };
    if !time_ok {
        return Err(bad());
    }
    const FORMATS: [&str; 4] = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"];
    FORMATS
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(date_part, format).ok())
        .ok_or_else(bad)
}

/// `0:00`, `12:30:00`: a time of day as spreadsheets write it.
fn is_time(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|part| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn text(text: &str) -> Result<Option<NaiveDate>, BadDate> {
        parse_date(&Cell::Text(text.to_string()))
    }

    #[test]
    fn excel_serials_are_dates() {
        assert_eq!(parse_date(&Cell::Integer(43619)), Ok(date(2019, 6, 3)));
        assert_eq!(parse_date(&Cell::Number(43619.75)), Ok(date(2019, 6, 3)));
        assert_eq!(parse_date(&Cell::Integer(1)), Ok(date(1900, 1, 1)));
        assert_eq!(parse_date(&Cell::Integer(59)), Ok(date(1900, 2, 28)));
        assert_eq!(parse_date(&Cell::Integer(61)), Ok(date(1900, 3, 1)));
        assert_eq!(
            parse_date(&Cell::Integer(2_958_465)),
            Ok(date(9999, 12, 31))
        );
        assert!(parse_date(&Cell::Integer(60)).is_err());
        assert!(parse_date(&Cell::Integer(0)).is_err());
        assert!(parse_date(&Cell::Integer(-5)).is_err());
        assert!(parse_date(&Cell::Integer(2_958_466)).is_err());
        assert_eq!(parse_date(&Cell::Empty), Ok(None));
    }

    #[test]
    fn clerks_dates_are_read() {
        for written in [
            "2019-06-03",
            "2019/6/3",
            "2019.6.3",
            "2019年6月3日",
            " ２０１９年６月３日 ",
            "2019-06-03 00:00:00",
            "2019/6/3 0:00",
            "2019-06-03T00:00:00",
            "43619",
        ] {
            assert_eq!(text(written), Ok(date(2019, 6, 3)), "{written}");
        }
        assert_eq!(text("  "), Ok(None));
        assert_eq!(
            text("6月3日").map_err(|error| error.to_string()),
            Err("“6月3日” 不是日期".to_string())
        );
        assert!(text("2019-02-30").is_err());
        assert!(text("2019-06-03 abc").is_err());
        assert_eq!(
            parse_date(&Cell::Uncomputed("TODAY()".into())).map_err(|error| error.to_string()),
            Err("是公式 =TODAY()，文件中没有它算出的结果".to_string())
        );
    }
}
