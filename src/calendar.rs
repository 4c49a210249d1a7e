//! The working calendar: public holidays and make-up working days (调休),
//! as the State Council announces them each year, and the assessable weeks
//! of a data window that follow from them.
//!
//! The once-a-week rule asks for one dynamic item per week, holidays
//! excepted. A week is **assessable** when
//!
//! 1. it has at least one working day (a Monday to Friday that is not a
//!    holiday, or a make-up working day on a weekend), and
//! 2. every one of its working days lies inside the data window, so the
//!    window saw the whole week.
//!
//! Weeks run from Monday to Sunday. For 2019-01-01 to 2019-05-30 this gives
//! 20: the window touches 22 weeks; the Spring Festival week (02-04 to 02-10)
//! has no working day, and the window ends on Thursday 05-30, before that
//! week's working Friday.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::diagnostics::Located;

/// The built-in calendar's text (`src/calendar.toml`): every year from 2019
/// to the latest announced when this tongbao was released.
pub const BUILTIN_CALENDAR: &str = include_str!("calendar.toml");

/// Holidays and make-up working days, by year: the built-in years, with the
/// site's `content/calendar.toml` laid over them (see
/// [`crate::load::builtin_calendar`]).
#[derive(Debug, Default)]
pub struct Calendar {
    /// The years the calendar declares; a window outside them is not counted.
    pub years: BTreeMap<i32, Year>,
}

/// One year's announcement.
#[derive(Debug, Default)]
pub struct Year {
    pub holidays: Vec<Holiday>,
    /// Weekend days that are working days (调休上班).
    pub workdays: BTreeSet<NaiveDate>,
}

/// Days off, both ends included.
#[derive(Debug)]
pub struct Holiday {
    pub name: String,
    pub start: Located<NaiveDate>,
    pub end: Located<NaiveDate>,
}

impl Holiday {
    fn contains(&self, day: NaiveDate) -> bool {
        self.start.value <= day && day <= self.end.value
    }
}

impl Calendar {
    /// Whether the calendar declares every year the window touches.
    pub fn covers(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.missing_years(start, end).is_empty()
    }

    /// The years the window touches that the calendar does not declare.
    pub fn missing_years(&self, start: NaiveDate, end: NaiveDate) -> Vec<i32> {
        (start.year()..=end.year())
            .filter(|year| !self.years.contains_key(year))
            .collect()
    }

    /// Whether staff work on `day`: a weekday that is no holiday, or a
    /// make-up working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        let years = || self.years.values();
        if years().any(|year| year.workdays.contains(&day)) {
            return true;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend
            && !years()
                .flat_map(|year| &year.holidays)
                .any(|h| h.contains(day))
    }

    /// The number of assessable weeks from `start` to `end`, both included
    /// (see the module documentation), or `None` when the calendar does not
    /// cover the window or the window is empty.
    pub fn assessable_weeks(&self, start: NaiveDate, end: NaiveDate) -> Option<u64> {
        let mondays = self.assessable_mondays(start, end)?;
        u64::try_from(mondays.len()).ok()
    }

    /// The Monday of every assessable week from `start` to `end`, in order,
    /// or `None` when the calendar does not cover the window or the window
    /// is empty. The publication log's weekly misses count these weeks.
    pub fn assessable_mondays(&self, start: NaiveDate, end: NaiveDate) -> Option<Vec<NaiveDate>> {
        if end < start || !self.covers(start, end) {
            return None;
        }
        let back = u64::from(start.weekday().num_days_from_monday());
        let mut monday = start.checked_sub_days(Days::new(back))?;
        let mut mondays = Vec::new();
        while monday <= end {
            if self.is_assessable(monday, start, end) {
                mondays.push(monday);
            }
            monday = monday.checked_add_days(Days::new(7))?;
        }
        Some(mondays)
    }

    fn is_assessable(&self, monday: NaiveDate, start: NaiveDate, end: NaiveDate) -> bool {
        let working: Vec<NaiveDate> = (0..7)
            .filter_map(|offset| monday.checked_add_days(Days::new(offset)))
            .filter(|day| self.is_working_day(*day))
            .collect();
        !working.is_empty() && working.iter().all(|day| start <= *day && *day <= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{FileId, Location};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn holiday(name: &str, start: &str, end: &str) -> Holiday {
        let at = |text| Located::new(day(text), Location::new(FileId::default(), 0..0));
        Holiday {
            name: name.to_string(),
            start: at(start),
            end: at(end),
        }
    }

    /// 2019 as 国办发明电〔2018〕15号 and 〔2019〕3号 announced it.
    fn calendar_2019() -> Calendar {
        let year = Year {
            holidays: vec![
                holiday("元旦", "2018-12-30", "2019-01-01"),
                holiday("春节", "2019-02-04", "2019-02-10"),
                holiday("清明", "2019-04-05", "2019-04-07"),
                holiday("劳动节", "2019-05-01", "2019-05-04"),
            ],
            workdays: [
                "2018-12-29",
                "2019-02-02",
                "2019-02-03",
                "2019-04-28",
                "2019-05-05",
            ]
            .into_iter()
            .map(day)
            .collect(),
        };
        Calendar {
            years: [(2019, year)].into(),
        }
    }

    #[test]
    fn the_seed_window_has_twenty_assessable_weeks() {
        let weeks = calendar_2019().assessable_weeks(day("2019-01-01"), day("2019-05-30"));
        assert_eq!(weeks, Some(20));
    }

    #[test]
    fn make_up_days_work_and_holidays_rest() {
        let calendar = calendar_2019();
        assert!(
            calendar.is_working_day(day("2019-02-02")),
            "a make-up Saturday"
        );
        assert!(
            !calendar.is_working_day(day("2019-02-05")),
            "Spring Festival"
        );
        assert!(
            !calendar.is_working_day(day("2019-03-02")),
            "a plain Saturday"
        );
        assert!(calendar.is_working_day(day("2019-03-04")), "a plain Monday");
    }

    #[test]
    fn a_week_cut_by_the_window_is_not_assessable() {
        let calendar = calendar_2019();
        // Wednesday to the next Tuesday: two partial weeks.
        assert_eq!(
            calendar.assessable_weeks(day("2019-03-06"), day("2019-03-12")),
            Some(0)
        );
        // Monday to Friday of one week.
        assert_eq!(
            calendar.assessable_weeks(day("2019-03-04"), day("2019-03-08")),
            Some(1)
        );
    }

    #[test]
    fn uncovered_or_empty_windows_are_not_counted() {
        let calendar = calendar_2019();
        assert_eq!(
            calendar.assessable_weeks(day("2020-01-01"), day("2020-03-01")),
            None
        );
        assert_eq!(
            calendar.assessable_weeks(day("2019-03-01"), day("2019-02-01")),
            None
        );
    }

    #[test]
    fn a_year_missing_inside_the_window_is_not_covered() {
        let mut calendar = calendar_2019();
        calendar.years.insert(2021, Year::default());
        assert!(calendar.covers(day("2019-03-01"), day("2019-12-31")));
        assert!(!calendar.covers(day("2019-03-01"), day("2021-03-01")));
        assert_eq!(
            calendar.assessable_weeks(day("2019-03-01"), day("2021-03-01")),
            None
        );
    }
}
