//! `tongbao new`: a new period from the previous one.

mod common;

use common::{SEED, Site, diagnostic, diagnostics, tree};

const NEW: &str = "2019-01-06";

#[test]
fn new_copies_units_zeroes_counts_and_keeps_comments() {
    let site = Site::seed();
    let run = site.add_period(NEW);
    run.assert_success();
    assert!(
        run.stdout
            .contains("已创建 content/2019-01-06（沿用 2019-01-05）：2 个表格，60 个单位"),
        "{run:#?}"
    );

    let data = site.read("content/2019-01-06/data.toml");
    let seed = site.read("content/2019-01-05/data.toml");
    // Comments and layout survive: the header comment and the end-of-line ones.
    assert!(data.starts_with("# Figures for one period. One unit per line,"));
    assert!(data.contains("start = 2019-01-01      # data window (数据采集时间)\nend = 2019-06-30\nissued = 2019-07-05     # 成文日期\ndeadline = 2019-07-10   # rectification deadline (整改期限)\n"), "{data}");
    assert!(data.contains("news = 0    # 政务要闻\nother = 0   # 其他\n"));
    // Same units in the same order, one per line, counts zeroed; zero highlights left out.
    assert!(data.contains("  { unit = \"十字路街道\", disclosure = 0, dynamic = 0, missed_weeks = 0 },\n  { unit = \"板泉镇\", disclosure = 0, dynamic = 0, missed_weeks = 0 },\n"));
    let units = |text: &str| {
        text.lines()
            .filter(|line| line.trim_start().starts_with("{ unit = "))
            .count()
    };
    assert_eq!(units(&data), units(&seed));
    assert_eq!(units(&data), 60);
    // The old totals and weeks would be wrong for the new window.
    let parsed: toml::Table = data.parse().unwrap();
    assert_eq!(parsed["period"].get("weeks"), None, "{data}");
    for (id, table) in parsed["tables"].as_table().unwrap() {
        assert_eq!(table.get("declared"), None, "tables.{id}");
    }
    assert!(
        run.stdout
            .contains("可考核周数按节假日安排算出为 25 周（上一期写明 weeks = 20，已删除）"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("检查通过，有 2 条警告"), "{run:#?}");
    assert!(run.stderr.is_empty(), "{run:#?}");
    // The notice text is carried over as it was.
    assert_eq!(
        site.read("content/2019-01-06/notice.md"),
        site.read("content/2019-01-05/notice.md")
    );
    // And the new period builds.
    site.run(&["build"]).assert_success();
    assert!(site.path("public/2019-01-06/index.html").is_file());
}

#[test]
fn new_takes_dates_weeks_and_label_from_the_arguments() {
    let site = Site::seed();
    site.run(&[
        "new",
        "2019-q2",
        "--from",
        SEED,
        "--start",
        "2019-04-01",
        "--end",
        "2019-06-30",
        "--issued",
        "2019-07-08",
        "--deadline",
        "2019-07-20",
        "--weeks",
        "12",
        "--label",
        "2019年二季度",
    ])
    .assert_success();
    let data = site.read("content/2019-q2/data.toml");
    let parsed: toml::Table = data.parse().unwrap();
    let period = parsed["period"].as_table().unwrap();
    let date = |key: &str| period[key].as_datetime().map(ToString::to_string);
    assert_eq!(date("start").as_deref(), Some("2019-04-01"));
    assert_eq!(date("end").as_deref(), Some("2019-06-30"));
    assert_eq!(date("issued").as_deref(), Some("2019-07-08"));
    assert_eq!(date("deadline").as_deref(), Some("2019-07-20"));
    assert_eq!(period["weeks"].as_integer(), Some(12));
    assert_eq!(period["label"].as_str(), Some("2019年二季度"));
    // The value changes, the comment beside it stays.
    assert!(data.contains("weeks = 12              # assessable weeks"));
}

#[test]
fn new_refuses_to_overwrite_an_existing_period() {
    let site = Site::seed();
    let before = tree(site.root());
    let run = site.run(&["new", SEED, "--end", "2019-06-30", "--issued", "2019-07-05"]);
    run.assert_failure();
    assert!(
        run.stderr
            .contains("content/2019-01-05 已存在，未做任何改动"),
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before, "nothing on disk changed");
}

#[test]
fn new_without_dates_says_which_are_needed_and_creates_nothing() {
    let site = Site::seed();
    let before = tree(site.root());
    let run = site.run(&["new", NEW]);
    run.assert_failure();
    assert!(
        run.stderr
            .contains("请给出新一期的数据截止日期（--end）和成文日期（--issued）")
    );
    assert!(
        run.stderr
            .contains("上一期 2019-01-05 的数据采集时间为 2019-01-01 至 2019-05-30")
    );
    assert_eq!(tree(site.root()), before);
}

#[test]
fn new_that_would_fail_the_check_creates_nothing() {
    let site = Site::seed();
    let before = tree(site.root());
    let run = site.run(&[
        "new",
        NEW,
        "--start",
        "2019-07-01",
        "--end",
        "2019-06-30",
        "--issued",
        "2019-07-05",
    ]);
    run.assert_failure();
    assert_eq!(
        diagnostics(&run.stderr),
        [
            diagnostic(
                "错误：数据采集截止日期早于开始日期",
                "content/2019-01-06/data.toml:7:7"
            ),
            diagnostic(
                "警告：表格 “towns” 有 14 个单位的计数全为 0（十字路街道、板泉镇、洮边镇等），尚未填写？",
                "content/2019-01-06/data.toml:16:9"
            ),
            diagnostic(
                "警告：表格 “departments” 有 46 个单位的计数全为 0（行政审批服务局、气象局、自然资源和规划局等），尚未填写？",
                "content/2019-01-06/data.toml:35:9"
            ),
        ],
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before);
}

#[test]
fn new_refuses_a_year_that_data_toml_cannot_hold() {
    let site = Site::seed();
    let before = tree(site.root());
    let run = site.run(&[
        "new",
        NEW,
        "--end",
        "+12019-06-30",
        "--issued",
        "2019-07-05",
    ]);
    run.assert_failure();
    assert_eq!(
        run.stderr.lines().next(),
        Some("错误：日期 +12019-06-30 的年份应在 0 至 9999 之间"),
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before);
}

/// Links tongbao never reads: editors' lock files (dangling links beside
/// the files being edited), and an unused theme linking to a big system
/// folder and to itself. `check` passes with them, so `new` passes too,
/// without following them, and leaves them as they were.
#[cfg(unix)]
#[test]
fn links_tongbao_does_not_read_neither_stop_nor_slow_new() {
    use std::os::unix::fs::symlink;
    let site = Site::seed();
    let links = [
        ("clerk@pc.4242:1700000000", "content/2019-01-05/.#data.toml"),
        ("/nonexistent/lock", "content/2019-01-05/.~lock.notice.md#"),
        ("/usr", "themes/unused/static/usr"),
        ("..", "themes/unused/static/parent"),
        ("loop-b", "themes/unused/loop-a"),
        ("loop-a", "themes/unused/loop-b"),
    ];
    std::fs::create_dir_all(site.path("themes/unused/static")).unwrap();
    for (target, link) in links {
        symlink(target, site.path(link)).unwrap();
    }
    site.run(&["check"]).assert_success();
    let started = std::time::Instant::now();
    let run = site.add_period(NEW);
    run.assert_success();
    // Not a speed target: copying /usr took half a minute.
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(20),
        "new took {took:?}"
    );
    assert!(site.path("content/2019-01-06/data.toml").is_file());
    for (target, link) in links {
        assert_eq!(
            std::fs::read_link(site.path(link)).unwrap(),
            std::path::Path::new(target)
        );
    }
}

/// A link the site does read is refused by `new` with the very message
/// `check` gives, and nothing is created.
#[cfg(unix)]
#[test]
fn a_link_the_site_reads_is_refused_by_new_as_by_check() {
    let site = Site::seed();
    for (target, link) in [
        ("/etc/hostname", "themes/default/static/host.txt"),
        ("missing.css", "themes/default/static/gone.css"),
    ] {
        std::os::unix::fs::symlink(target, site.path(link)).unwrap();
        let expected = format!("错误：{link} 是符号链接，tongbao 不读取链接");
        let check = site.run(&["check"]);
        check.assert_failure();
        assert!(
            check.stderr.lines().any(|line| line == expected),
            "{check:#?}"
        );
        let before = tree(site.root());
        let run = site.add_period(NEW);
        run.assert_failure();
        assert!(run.stderr.lines().any(|line| line == expected), "{run:#?}");
        assert_eq!(tree(site.root()), before, "nothing was created");
        std::fs::remove_file(site.path(link)).unwrap();
    }
}

#[test]
fn a_consecutive_site_starts_the_new_window_after_the_last() {
    let site = Site::seed();
    let config = site.read("content/site.toml");
    site.write(
        "content/site.toml",
        &config.replace("window = \"year-to-date\"", "window = \"consecutive\""),
    );
    let run = site.add_period(NEW);
    run.assert_success();
    let data: toml::Table = site.read("content/2019-01-06/data.toml").parse().unwrap();
    assert_eq!(data["period"]["start"].to_string(), "2019-05-31");
    assert_eq!(data["period"]["end"].to_string(), "2019-06-30");
}

#[test]
fn an_unknown_window_kind_is_an_error_in_site_toml() {
    let site = Site::seed();
    let config = site.read("content/site.toml");
    site.write(
        "content/site.toml",
        &config.replace("window = \"year-to-date\"", "window = \"monthly\""),
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    let line = 1 + config
        .lines()
        .position(|line| line.starts_with("window ="))
        .unwrap();
    let expected = [diagnostic(
        "错误：无法识别的选项 \"monthly\"",
        &format!("content/site.toml:{line}:10"),
    )];
    assert_eq!(diagnostics(&run.stderr), expected, "{run:#?}");
}
