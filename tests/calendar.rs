//! The built-in calendar: every year from 2019 to 2026 as the State
//! Council's General Office announced it, and how a site's own
//! `content/calendar.toml` lays over it.

mod common;

use chrono::NaiveDate;
use common::{Site, diagnostic, diagnostics, seed_reconciliation};
use tongbao::calendar::Calendar;
use tongbao::diagnostics::Diagnostics;

fn builtin() -> Calendar {
    let mut diagnostics = Diagnostics::new();
    let calendar = tongbao::load::builtin_calendar(&mut diagnostics);
    assert!(!diagnostics.has_errors(), "{}", diagnostics.render());
    calendar.expect("the built-in calendar loads")
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

/// Assessable weeks from 1 January to 31 May, worked out by hand from each
/// year's announcement. Weeks run Monday to Sunday; a week counts when it
/// has a working day and all its working days lie in the window (see
/// src/calendar.rs). "Touched" is the number of Monday-to-Sunday weeks the
/// window meets.
///
/// - 2019 (国办发明电〔2018〕15号, 〔2019〕3号): 1 Jan is a Tuesday, 31 May a
///   Friday; 22 weeks touched, from Mon 31 Dec. The first week counts (31 Dec
///   and 1 Jan are 元旦, so its working days are 2–4 Jan), the last too
///   (27–31 May). Spring Festival 4–10 Feb fills a whole week: 22 − 1 = 21.
/// - 2020 (〔2019〕16号, 〔2020〕1号): 1 Jan Wednesday, 31 May Sunday; 22
///   weeks from Mon 30 Dec. 30–31 Dec 2019 are worked, outside the window:
///   the first week is out. The extended Spring Festival 24 Jan–2 Feb takes
///   the whole week 27 Jan–2 Feb (the make-up Saturday 1 Feb became a
///   holiday). 22 − 2 = 20.
/// - 2021 (〔2020〕27号): 1 Jan Friday, 31 May Monday; 23 weeks from Mon
///   28 Dec. The first week's 28–31 Dec and the last week's 1–4 Jun are
///   outside. Spring Festival 11–17 Feb leaves 8–10 and 18–20 Feb (the 20th a
///   make-up Saturday) worked. 23 − 2 = 21.
/// - 2022 (〔2021〕11号): 1 Jan Saturday, 31 May Tuesday; 23 weeks from Mon
///   27 Dec. First week (27–31 Dec) and last week (1–2 Jun) out; Spring
///   Festival 31 Jan–6 Feb fills a week, its make-up days 29–30 Jan fall in
///   the week before. 23 − 3 = 20.
/// - 2023 (〔2022〕16号): 1 Jan Sunday, 31 May Wednesday; 23 weeks from Mon
///   26 Dec. First week (26–30 Dec) and last week (1–2 Jun) out; Spring
///   Festival 21–27 Jan is followed by make-up 28–29 Jan in the same week,
///   which therefore counts. 23 − 2 = 21.
/// - 2024 (〔2023〕7号): 1 Jan Monday, 31 May Friday; 22 weeks from Mon
///   1 Jan, all inside. Spring Festival 10–17 Feb: the week 12–18 Feb keeps
///   its make-up Sunday 18 Feb, and 除夕 (9 Feb) is worked. 22 − 0 = 22.
/// - 2025 (〔2024〕12号): 1 Jan Wednesday, 31 May Saturday; 22 weeks from
///   Mon 30 Dec. 30–31 Dec 2024 are worked, outside: first week out. Spring
///   Festival 28 Jan–4 Feb leaves Mon 27 Jan and 5–8 Feb worked; 端午 starts
///   31 May, after the last week's working days 26–30 May. 22 − 1 = 21.
/// - 2026 (〔2025〕7号): 1 Jan Thursday, 31 May Sunday; 22 weeks from Mon
///   29 Dec. 29–31 Dec 2025 are worked, outside: first week out. Spring
///   Festival 15–23 Feb fills the week 16–22 Feb (make-up 14 and 28 Feb fall
///   in the weeks around it). 22 − 2 = 20.
const JANUARY_TO_MAY: [(i32, u64); 8] = [
    (2019, 21),
    (2020, 20),
    (2021, 21),
    (2022, 20),
    (2023, 21),
    (2024, 22),
    (2025, 21),
    (2026, 20),
];

#[test]
fn each_year_counts_the_weeks_worked_out_by_hand() {
    let calendar = builtin();
    let counted: Vec<(i32, Option<u64>)> = JANUARY_TO_MAY
        .iter()
        .map(|(year, _)| {
            let weeks = calendar.assessable_weeks(day(*year, 1, 1), day(*year, 5, 31));
            (*year, weeks)
        })
        .collect();
    let expected: Vec<(i32, Option<u64>)> = JANUARY_TO_MAY
        .iter()
        .map(|(year, weeks)| (*year, Some(*weeks)))
        .collect();
    assert_eq!(counted, expected);
}

/// Working days from 1 January to 31 December, worked out by hand from each
/// announcement: the year's Mondays to Fridays, less the holidays that fall
/// on one, plus the make-up weekend days (holidays and make-up days of the
/// year before, such as 29–31 Dec 2018 for 2019's 元旦, are not counted).
///
/// | year | weekdays | weekday holidays | make-up days | working days |
/// |---|---|---|---|---|
/// | 2019 | 261 | 17: 1 Jan, 4–8 Feb, 5 Apr, 1–3 May, 7 Jun, 13 Sep, 1–4 and 7 Oct | 6 | 250 |
/// | 2020 | 262 | 19: 1 Jan, 24 and 27–31 Jan, 6 Apr, 1, 4, 5 May, 25–26 Jun, 1–2 and 5–8 Oct | 6 | 249 |
/// | 2021 | 261 | 18: 1 Jan, 11–12 and 15–17 Feb, 5 Apr, 3–5 May, 14 Jun, 20–21 Sep, 1 and 4–7 Oct | 7 | 250 |
/// | 2022 | 260 | 18: 3 Jan, 31 Jan–4 Feb, 4–5 Apr, 2–4 May, 3 Jun, 12 Sep, 3–7 Oct | 7 | 249 |
/// | 2023 | 260 | 18: 2 Jan, 23–27 Jan, 5 Apr, 1–3 May, 22–23 Jun, 29 Sep and 2–6 Oct | 7 | 249 |
/// | 2024 | 262 | 19: 1 Jan, 12–16 Feb, 4–5 Apr, 1–3 May, 10 Jun, 16–17 Sep, 1–4 and 7 Oct | 8 | 251 |
/// | 2025 | 261 | 18: 1 Jan, 28 Jan–4 Feb (6), 4 Apr, 1, 2, 5 May, 2 Jun, 1–3 and 6–8 Oct | 5 | 248 |
/// | 2026 | 261 | 19: 1–2 Jan, 16–20 and 23 Feb, 6 Apr, 1, 4, 5 May, 19 Jun, 25 Sep, 1–2 and 5–7 Oct | 6 | 248 |
#[test]
fn each_year_has_the_announced_number_of_working_days() {
    let calendar = builtin();
    let expected = [
        (2019, 250),
        (2020, 249),
        (2021, 250),
        (2022, 249),
        (2023, 249),
        (2024, 251),
        (2025, 248),
        (2026, 248),
    ];
    let counted: Vec<(i32, usize)> = expected
        .iter()
        .map(|(year, _)| {
            let days = day(*year, 1, 1)
                .iter_days()
                .take_while(|date| *date <= day(*year, 12, 31))
                .filter(|date| calendar.is_working_day(*date))
                .count();
            (*year, days)
        })
        .collect();
    assert_eq!(counted, expected);
}

#[test]
fn every_year_names_its_announcement() {
    let text = tongbao::calendar::BUILTIN_CALENDAR;
    let parsed: toml::Table = toml::from_str(text).expect("valid TOML");
    let years = parsed["years"].as_table().expect("[years]");
    let names: Vec<&str> = years.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026"
        ]
    );
    for (year, entry) in years {
        let source = entry.get("source").and_then(|value| value.as_str());
        assert!(
            source.is_some_and(|source| source.contains("国办发明电")),
            "{year} names no announcement"
        );
    }
}

#[test]
fn a_site_year_replaces_the_built_in_year_wholly() {
    let site = Site::seed();
    // 2019 without its Spring Festival: the week of 4–10 February counts,
    // so the seed's declared 20 weeks now disagree with the calendar's 21.
    site.write(
        "content/calendar.toml",
        "[years.2019]\nsource = \"test\"\n\
         holidays = [{ name = \"元旦\", start = 2018-12-30, end = 2019-01-01 }]\n\
         workdays = [2018-12-29]\n",
    );
    let run = site.run(&["check"]);
    run.assert_success();
    let mut expected = seed_reconciliation("警告").to_vec();
    expected.push(diagnostic(
        "警告：申报的可考核周数 20 与按节假日安排算出的 21 周不符",
        "content/2019-01-05/data.toml:10:9",
    ));
    let mut found = diagnostics(&run.stderr);
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn a_site_calendar_keeps_the_built_in_years_it_lacks() {
    let site = Site::seed();
    site.write(
        "content/calendar.toml",
        "[years.2030]\nsource = \"test\"\nholidays = []\nworkdays = []\n",
    );
    let run = site.run(&["check"]);
    run.assert_success();
    assert_eq!(
        diagnostics(&run.stderr),
        seed_reconciliation("警告").to_vec()
    );
}
