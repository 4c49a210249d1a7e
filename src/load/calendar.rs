//! The calendar: tongbao's built-in holidays and make-up working days
//! (`src/calendar.toml`, compiled in), with the site's
//! `content/calendar.toml` laid over them year by year → [`Calendar`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use super::value::{date, locate};
use super::{Reading, entry_exists, parse_toml, read_source};
use crate::calendar::{BUILTIN_CALENDAR, Calendar, Holiday, Year};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Severity};

/// The name the built-in calendar goes by in messages.
pub const BUILTIN_CALENDAR_NAME: &str = "<tongbao 内置日历>/calendar.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    years: BTreeMap<Spanned<String>, RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    /// The announcement the dates come from; for the reader, not the program.
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
    #[serde(default)]
    workdays: Vec<Spanned<Datetime>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    start: Spanned<Datetime>,
    end: Spanned<Datetime>,
}

/// The built-in calendar with the site's calendar file at `path` laid over
/// it: a year the site declares replaces the built-in year wholly (an
/// announcement is one unit), and the built-in years the site lacks still
/// count, so a site keeps gaining years from a newer tongbao. Returns `None`
/// when either file has errors.
pub fn load_calendar(root: &Path, path: &Path, diagnostics: &mut Diagnostics) -> Option<Calendar> {
    let mut calendar = builtin_calendar(diagnostics)?;
    if entry_exists(path) {
        let file = read_source(root, path, diagnostics)?;
        calendar.years.extend(parse_years(file, diagnostics)?);
    }
    Some(calendar)
}

/// The calendar compiled into tongbao, registered for messages under
/// [`BUILTIN_CALENDAR_NAME`].
pub fn builtin_calendar(diagnostics: &mut Diagnostics) -> Option<Calendar> {
    let file = diagnostics.add_file(BUILTIN_CALENDAR_NAME, BUILTIN_CALENDAR);
    let years = parse_years(file, diagnostics)?;
    Some(Calendar { years })
}

/// The years of a registered calendar file, or `None` when it has errors.
fn parse_years(file: FileId, diagnostics: &mut Diagnostics) -> Option<BTreeMap<i32, Year>> {
    let whole = 0..diagnostics.source(file).len();
    let raw: RawCalendar = parse_toml(file, whole, Reading::Disk, diagnostics)?;
    let errors_before = diagnostics.count(Severity::Error);
    let mut years = BTreeMap::new();
    for (key, raw_year) in &raw.years {
        let year = convert_year(file, raw_year, diagnostics);
        match key.get_ref().parse::<i32>() {
            Ok(number) if (1..=9999).contains(&number) => {
                years.insert(number, year);
            }
            _ => diagnostics.push(
                Diagnostic::error(format!("“{}” 不是年份", key.get_ref()))
                    .at(&locate(file, 0, key))
                    .hint("写作 [years.2019]"),
            ),
        }
    }
    let failed = diagnostics.count(Severity::Error) > errors_before;
    (!failed).then_some(years)
}

fn convert_year(file: FileId, raw: &RawYear, diagnostics: &mut Diagnostics) -> Year {
    let mut year = Year::default();
    for holiday in &raw.holidays {
        let start = date(file, &holiday.start, diagnostics);
        let end = date(file, &holiday.end, diagnostics);
        let (Some(start), Some(end)) = (start, end) else {
            continue;
        };
        if end.value < start.value {
            diagnostics.push(
                Diagnostic::error(format!("假期 “{}” 的结束日期早于开始日期", holiday.name))
                    .at(&end.location),
            );
            continue;
        }
        year.holidays.push(Holiday {
            name: holiday.name.clone(),
            start,
            end,
        });
    }
    for workday in &raw.workdays {
        if let Some(day) = date(file, workday, diagnostics) {
            year.workdays.insert(day.value);
        }
    }
    year
}
