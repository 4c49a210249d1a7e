//! The publication log (issue 12, items 1 and 2): weekly misses counted
//! from `log.csv`, rules with a start date in the annual ledger, and
//! `tongbao import --log`. The disagreement report and the log's bad-input
//! messages are check fixtures (`tests/fixtures/check/cases/log_*.toml`).

mod common;

use common::{
    Site, assert_reloads_as_loaded, diagnostic, diagnostics, fixture_site, read_html, table_rows,
    tree,
};
use rust_xlsxwriter::Workbook;

const PERIOD: &str = "2019-01-05";
const LOG: &str = "content/2019-01-05/log.csv";
const DATA: &str = "content/2019-01-05/data.toml";

/// The check fixtures' small site (two towns, 2019-01-01..2019-05-30, whose
/// 20 assessable weeks the calendar counts as docs/FORMAT.md explains) with
/// `[log]` and `extra` added to `site.toml`, and `log` as its period's log.
fn small_site(extra: &str, log: &str) -> Site {
    let site = Site {
        dir: fixture_site("check/base"),
    };
    // The built-in theme, whose tables carry `data-table`.
    std::fs::remove_dir_all(site.path("themes")).unwrap();
    let config = site.read("content/site.toml");
    let settings = "[log]\nunit = \"发布单位\"\ntitle = \"标题\"\nkind = \"栏目\"\ndate = \"发布日期\"\ndynamic = [\"镇街动态\"]\n\n[check]";
    site.write(
        "content/site.toml",
        &config.replace("[check]", settings).replace(
            "points = { missed_weeks = -0.2 }",
            &format!("points = {{ missed_weeks = -0.2 }}\n{extra}"),
        ),
    );
    site.write(LOG, log);
    site
}

/// Removes a row's typed weekly counts, so they come from the log.
fn untype(site: &Site, slug: &str) {
    let path = format!("content/{slug}/data.toml");
    let data = site
        .read(&path)
        .replace("dynamic = 70, missed_weeks = 3, ", "")
        .replace("dynamic = 111, missed_weeks = 7, ", "")
        .replace("declared = { disclosure = 835, dynamic = 181 }\n", "");
    site.write(&path, &data);
}

/// Worked out by hand over 2019-01-01..2019-05-30. The assessable weeks
/// start on the Mondays 12-31, 01-07, 01-14, 01-21, 01-28, 02-11, 02-18,
/// 02-25, 03-04, 03-11, 03-18, 03-25, 04-01, 04-08, 04-15, 04-22, 04-29,
/// 05-06, 05-13 and 05-20 (the Spring Festival week 02-04 has no working
/// day; the week of 05-27 ends after the window).
///
/// 十字路街道: dynamic items on 01-02, 01-03, 02-06, 02-17 (a Sunday),
/// 03-30 (a Saturday) and 04-01 = 6 items; 12-28 and 05-31 lie outside the
/// window and 01-09 is not a dynamic kind. Weeks met: 12-31, 02-11, 03-25,
/// 04-01 (02-06 is in the Spring Festival week) = 4, so 16 missed.
/// From 04-01 on (8 assessable weeks, 04-01 to 05-20) it met only 04-01:
/// 7 missed.
///
/// 板泉镇: items on 03-04, 04-08, 04-15 and 05-20 = 4; weeks met 03-04,
/// 04-08, 04-15, 05-20, so 16 missed; from 04-01 on it met 3 of 8: 5 missed.
const HAND_LOG: &str = "\
发布单位,标题,栏目,发布日期
十字路街道,年终总结,镇街动态,2018-12-28
十字路街道,新年工作会,镇街动态,2019-01-02
十字路街道,\"冬季检查,全镇\",镇街动态,2019-01-03
十字路街道,政策解读,政策文件,2019-01-09
十字路街道,春节慰问,镇街动态,2019-02-06
十字路街道,植树,镇街动态,2019-02-17
十字路街道,春耕,镇街动态,2019-03-30
十字路街道,四月工作会,镇街动态,2019-04-01
十字路街道,月末,镇街动态,2019-05-31
板泉镇,春耕,镇街动态,2019-03-04
板泉镇,会议一,镇街动态,2019-04-08
板泉镇,会议二,镇街动态,2019-04-15
板泉镇,会议三,镇街动态,2019-05-20
";

fn notice_rows(site: &Site) -> Vec<Vec<String>> {
    table_rows(
        &read_html(&site.path(&format!("public/{PERIOD}/index.html"))),
        "towns",
    )
}

fn ledger_rows(site: &Site) -> Vec<Vec<String>> {
    table_rows(
        &read_html(&site.path("public/ledger/2019/index.html")),
        "towns",
    )
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|cell| cell.to_string()).collect()
}

#[test]
fn rows_without_weekly_counts_take_them_from_the_log() {
    let site = small_site("", HAND_LOG);
    untype(&site, PERIOD);
    let run = site.run(&["build"]);
    run.assert_success();
    assert_eq!(diagnostics(&run.stderr), []);
    // 序号, unit, 信息公开, 动态信息, 未达标, 国办, 市级, 累计加分.
    assert_eq!(
        notice_rows(&site),
        [
            row(&["1", "十字路街道", "421", "6", "16", "", "1", "0.5"]),
            row(&["2", "板泉镇", "414", "4", "16", "1", "", "5"]),
        ]
    );
}

#[test]
fn a_unit_the_log_does_not_cover_keeps_its_typed_counts() {
    let only_one: String = HAND_LOG
        .lines()
        .filter(|line| !line.starts_with("板泉镇"))
        .map(|line| format!("{line}\n"))
        .collect();
    let site = small_site("", &only_one);
    let data = site
        .read(DATA)
        .replace("dynamic = 70, missed_weeks = 3, ", "");
    site.write(DATA, &data);
    let run = site.run(&["build"]);
    run.assert_success();
    assert_eq!(
        diagnostics(&run.stderr),
        [diagnostic(
            "警告：表格 “towns” 的 “动态信息” 列：后台申报合计 181，各行相加为 117",
            "content/2019-01-05/data.toml:12:42"
        )]
    );
    assert_eq!(
        notice_rows(&site)
            .iter()
            .map(|cells| cells[1..5].to_vec())
            .collect::<Vec<_>>(),
        [
            row(&["十字路街道", "421", "6", "16"]),
            row(&["板泉镇", "414", "111", "7"]),
        ]
    );
}

/// The ledger counts the weekly rule from 2019-04-01; the period straddles
/// it and its log splits it (see [`HAND_LOG`]): 十字路街道 7 weeks missed
/// (−1.4), 板泉镇 5 (−1). The notice's own table keeps the whole window.
#[test]
fn a_start_date_splits_a_straddling_period_by_its_log() {
    let site = small_site("from = 2019-04-01", HAND_LOG);
    untype(&site, PERIOD);
    site.run(&["build"]).assert_success();
    // 名次, unit, 信息公开, 动态信息, 未达标（4月1日起）, 国办, 市级,
    // 亮点（分）, 每周（分）, 合计, 列入期数.
    assert_eq!(
        ledger_rows(&site),
        [
            row(&[
                "1",
                "十字路街道",
                "421",
                "6",
                "7",
                "0",
                "1",
                "0.5",
                "-1.4",
                "-0.9",
                "1/1"
            ]),
            row(&[
                "2",
                "板泉镇",
                "414",
                "4",
                "5",
                "1",
                "0",
                "5",
                "-1",
                "4",
                "1/1"
            ]),
        ]
    );
    assert_eq!(notice_rows(&site)[0][4], "16");
}

/// A build parses a period again from its kept texts to render it: the
/// counts the log fills in must come out the same.
#[test]
fn a_period_with_a_log_parses_again_as_it_loaded() {
    let site = small_site("from = 2019-04-01", HAND_LOG);
    untype(&site, PERIOD);
    assert_eq!(assert_reloads_as_loaded(site.root()), 1);
}

/// Without a log, a period over 2019-01-01..2019-03-31 splits the
/// straddling one by subtraction: 十字路街道 3 − 2 = 1 week (−0.2),
/// 板泉镇 7 − 4 = 3 weeks (−0.6). Year-to-date, so the other figures are
/// the last period's.
#[test]
fn a_start_date_splits_a_straddling_period_by_an_earlier_one() {
    let site = small_site("from = 2019-04-01", "");
    std::fs::remove_file(site.path(LOG)).unwrap();
    add_period(
        &site,
        "2019-04-03",
        "start = 2019-01-01\nend = 2019-03-31\nissued = 2019-04-03",
        80,
        &[("十字路街道", 200, 40, 2), ("板泉镇", 250, 60, 4)],
    );
    let run = site.run(&["build"]);
    run.assert_success();
    assert_eq!(
        ledger_rows(&site),
        [
            row(&[
                "1",
                "十字路街道",
                "421",
                "70",
                "1",
                "0",
                "1",
                "0.5",
                "-0.2",
                "0.3",
                "2/2"
            ]),
            row(&[
                "2",
                "板泉镇",
                "414",
                "111",
                "3",
                "1",
                "0",
                "5",
                "-0.6",
                "4.4",
                "2/2"
            ]),
        ]
    );
}

/// Consecutive windows: P1 (01-01..02-28, before the start date) adds
/// nothing to the weekly misses; P2 (03-01..05-30, 12 assessable weeks from
/// 03-04 to 05-20, the week of 02-25 being cut by the window) straddles
/// 2019-04-01 and its log splits it, as in [`HAND_LOG`]: 7 and 5 missed
/// from 04-01. Other figures are summed over the periods: 十字路街道
/// disclosure 100 + 421 = 521, dynamic 10 + 2 (03-30, 04-01) = 12; 板泉镇
/// 90 + 414 = 504 and 10 + 4 = 14.
#[test]
fn a_start_date_splits_a_consecutive_period_by_its_log() {
    let site = small_site("from = 2019-04-01", HAND_LOG);
    untype(&site, PERIOD);
    let config = site.read("content/site.toml");
    site.write(
        "content/site.toml",
        &config.replace("[check]", "[periods]\nwindow = \"consecutive\"\n\n[check]"),
    );
    let data = site
        .read(DATA)
        .replace("start = 2019-01-01", "start = 2019-03-01")
        .replace("weeks = 20\n", "");
    site.write(DATA, &data);
    add_period(
        &site,
        "2019-03-05",
        "start = 2019-01-01\nend = 2019-02-28\nissued = 2019-03-05",
        20,
        &[("十字路街道", 100, 10, 2), ("板泉镇", 90, 10, 1)],
    );
    let run = site.run(&["build"]);
    run.assert_success();
    assert_eq!(diagnostics(&run.stderr), []);
    assert_eq!(
        ledger_rows(&site),
        [
            row(&[
                "1",
                "十字路街道",
                "521",
                "12",
                "7",
                "0",
                "1",
                "0.5",
                "-1.4",
                "-0.9",
                "2/2"
            ]),
            row(&[
                "2",
                "板泉镇",
                "504",
                "14",
                "5",
                "1",
                "0",
                "5",
                "-1",
                "4",
                "2/2"
            ]),
        ]
    );
}

#[test]
fn a_start_date_that_nothing_splits_is_an_error_and_nothing_is_built() {
    let site = small_site("from = 2019-04-01", "");
    std::fs::remove_file(site.path(LOG)).unwrap();
    let run = site.run(&["build"]);
    run.assert_failure();
    assert_eq!(
        diagnostics(&run.stderr),
        [diagnostic(
            "错误：规则 “每周更新未达标” 从 2019年4月1日 起计入年度台账，2019-01-05 期的采集时段 2019年1月1日—2019年5月30日 跨过这一天，无法拆分 2 个单位（十字路街道、板泉镇）的 “每周更新未达标次数”",
            "content/site.toml:24:8"
        )]
    );
    assert!(!site.path("public").exists());
}

/// The seed, whose `[log]` counts 镇街园区动态 and 部门动态 as dynamic.
fn seed_with_export(name: &str) -> Site {
    let site = Site::seed();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows: [[&str; 4]; 4] = [
        ["标题", "发布单位", "栏目", "发布日期"],
        ["春耕备耕", "板泉镇", "镇街园区动态", "2019-03-04 09:12:00"],
        ["政策解读", "气象局", "政策文件", "2019/3/5"],
        ["汛期值班", "气象局", "部门动态", ""],
    ];
    for (index, cells) in rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate() {
            sheet
                .write_string(index as u32 + 1, column as u16, *cell)
                .unwrap();
        }
    }
    sheet.write_string(0, 0, "后台发布记录").unwrap();
    // A date cell as Excel keeps it: day 43466 is 2019-01-01, so day
    // 43590 is 2019-05-05.
    sheet.write_number(4, 3, 43590.0).unwrap();
    workbook.save(site.path(name)).unwrap();
    site
}

#[test]
fn an_xlsx_log_is_written_one_sorted_line_per_item() {
    let site = seed_with_export("log.xlsx");
    let run = site.run(&["import", "--log", "log.xlsx", "--period", PERIOD]);
    run.assert_success();
    assert_eq!(
        run.stdout.lines().next(),
        Some("读取 log.xlsx（工作表 “Sheet1”）：3 条信息，2 个单位，其中动态信息 2 条")
    );
    assert_eq!(
        site.read(LOG),
        "发布单位,标题,栏目,发布日期\n\
         板泉镇,春耕备耕,镇街园区动态,2019-03-04\n\
         气象局,政策解读,政策文件,2019-03-05\n\
         气象局,汛期值班,部门动态,2019-05-05\n"
    );
}

#[test]
fn a_gbk_csv_log_is_decoded_and_its_units_matched_as_data_toml_spells_them() {
    let site = Site::seed();
    let text = "发布单位,标题,栏目,发布日期\r\n十字路街道 ,\"冬季检查,全镇\",镇街园区动态,2019年1月3日\r\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    std::fs::write(site.path("log.csv"), &bytes).unwrap();
    let run = site.run(&["import", "--log", "log.csv", "--period", PERIOD]);
    run.assert_success();
    assert_eq!(
        site.read(LOG),
        "发布单位,标题,栏目,发布日期\n十字路街道,\"冬季检查,全镇\",镇街园区动态,2019-01-03\n"
    );
    // The seed types 70 and 3 for 十字路街道; one item misses 19 weeks.
    assert!(
        diagnostics(&run.stderr).contains(&diagnostic(
            "警告：单位 “十字路街道” 的 “每周更新未达标次数” 填写 3，按发布记录（log.csv）算出 19",
            "content/2019-01-05/data.toml:21:53"
        )),
        "{run:#?}"
    );
}

#[test]
fn an_unknown_unit_in_a_log_is_refused_with_the_closest_name() {
    let site = Site::seed();
    site.write(
        "log.csv",
        "发布单位,标题,栏目,发布日期\n板泉,春耕,镇街园区动态,2019-03-04\n板泉,夏收,镇街园区动态,2019-05-04\n",
    );
    let before = tree(site.root());
    let run = site.run(&["import", "--log", "log.csv", "--period", PERIOD]);
    run.assert_failure();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "错误：log.csv：第 2 行 A 列：单位 “板泉” 不在本期有每周更新规则的表格中（共 2 行）",
            " = 提示：是否应为 板泉镇？",
            "",
            "未导入：content/2019-01-05/log.csv 未改动",
        ]
    );
    assert_eq!(tree(site.root()), before);
}

#[test]
fn a_dry_run_prints_the_new_log_and_writes_nothing() {
    let site = seed_with_export("log.xlsx");
    let before = tree(site.root());
    let run = site.run(&[
        "import",
        "--log",
        "log.xlsx",
        "--period",
        PERIOD,
        "--dry-run",
    ]);
    run.assert_success();
    let stdout: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        stdout[1..],
        [
            "--- a/content/2019-01-05/log.csv",
            "+++ b/content/2019-01-05/log.csv",
            "@@ -0,0 +1,4 @@",
            "+发布单位,标题,栏目,发布日期",
            "+板泉镇,春耕备耕,镇街园区动态,2019-03-04",
            "+气象局,政策解读,政策文件,2019-03-05",
            "+气象局,汛期值班,部门动态,2019-05-05",
            "试运行：导入后检查通过，content/2019-01-05/log.csv 未改动",
        ]
    );
    assert_eq!(tree(site.root()), before);
}

/// Adds period `slug` to `site` with the seed's notice, the `[period]`
/// lines given, the figure `news`, and towns rows of
/// (unit, disclosure, dynamic, missed_weeks).
fn add_period(site: &Site, slug: &str, period: &str, news: u64, rows: &[(&str, u64, u64, u64)]) {
    let rows: String = rows
        .iter()
        .map(|(unit, disclosure, dynamic, missed)| {
            format!(
                "{{ unit = \"{unit}\", disclosure = {disclosure}, dynamic = {dynamic}, \
                 missed_weeks = {missed} }},\n"
            )
        })
        .collect();
    site.write(
        &format!("content/{slug}/data.toml"),
        &format!(
            "[period]\n{period}\n\n[figures]\nnews = {news}\n\n[tables.towns]\nrows = [\n{rows}]\n"
        ),
    );
    let notice = site.read("content/2019-01-05/notice.md");
    site.write(&format!("content/{slug}/notice.md"), &notice);
}
