//! `content/calendar.toml` → [`Calendar`]: holidays and make-up working days.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use super::value::{date, locate};
use super::{entry_exists, read_toml};
use crate::calendar::{Calendar, Holiday, Year};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Severity};

/// The calendar's file name under `content/`.
pub const CALENDAR_FILE: &str = "calendar.toml";

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

/// Loads the calendar if the site has one; an absent file is an empty
/// calendar. Returns `None` when the file has errors.
pub fn load_calendar(root: &Path, path: &Path, diagnostics: &mut Diagnostics) -> Option<Calendar> {
    if !entry_exists(path) {
        return Some(Calendar::default());
    }
    let (file, raw): (FileId, RawCalendar) = read_toml(root, path, diagnostics)?;
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
    (!failed).then_some(Calendar { years })
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
