//! Messages for hostile input: each in Chinese, each naming the user's file
//! with its line and column, each with the exit status and files on disk a
//! refusal implies. Every input is tried in more than one spelling.

mod common;

use common::{Run, SEED, Site, diagnostic, diagnostics, seed_reconciliation, tree};

const DATA: &str = "content/2019-01-05/data.toml";

/// Replaces `from` (which must occur) with `to` in a file of the site.
fn replace(site: &Site, file: &str, from: &str, to: &str) {
    common::edit(&site.path(file), from, to);
}

/// Asserts a failed run whose diagnostics are exactly `expected`.
fn assert_errors(run: &Run, expected: &[(String, String)]) {
    run.assert_failure();
    assert_eq!(diagnostics(&run.stderr), expected, "{run:#?}");
}

#[test]
fn integers_beyond_64_bits_are_told_in_chinese() {
    for (file, from, to, headline, location) in [
        (
            DATA,
            "disclosure = 421,",
            "disclosure = 99999999999999999999999,",
            "错误：整数超出可表示的范围：99999999999999999999999",
            "content/2019-01-05/data.toml:21:34",
        ),
        (
            DATA,
            "disclosure = 421,",
            "disclosure = -99999999999999999999999,",
            "错误：整数超出可表示的范围：-99999999999999999999999",
            "content/2019-01-05/data.toml:21:34",
        ),
        (
            DATA,
            "news = 171",
            "news = 170141183460469231731687303715884105728",
            "错误：整数超出可表示的范围：170141183460469231731687303715884105728",
            "content/2019-01-05/data.toml:14:8",
        ),
        (
            DATA,
            "news = 171",
            "news = 0x1_0000_0000_0000_0000_0000",
            "错误：整数超出可表示的范围：0x1_0000_0000_0000_0000_0000",
            "content/2019-01-05/data.toml:14:8",
        ),
    ] {
        let site = Site::seed();
        replace(&site, file, from, to);
        let run = site.run(&["check"]);
        assert_errors(&run, &[diagnostic(headline, location)]);
        assert!(!run.stderr.contains(" as i128"), "{run:#?}");
    }
}

#[test]
fn control_characters_are_named_where_they_stand() {
    for (from, to, headline, location) in [
        (
            "unit = \"板泉镇\"",
            "unit = \"板泉\u{0}镇\"",
            "错误：TOML 语法错误：有不允许的控制字符 U+0000（空字符 NUL）",
            "content/2019-01-05/data.toml:22:15",
        ),
        (
            "unit = \"板泉镇\"",
            "unit = '板泉\u{0}镇'",
            "错误：TOML 语法错误：有不允许的控制字符 U+0000（空字符 NUL）",
            "content/2019-01-05/data.toml:22:15",
        ),
        (
            "disclosure = 414,",
            "disclosure = 414\u{0},",
            "错误：TOML 语法错误：有不允许的控制字符 U+0000（空字符 NUL）",
            "content/2019-01-05/data.toml:22:35",
        ),
        (
            "# Figures for one period.",
            "#\u{0} Figures for one period.",
            "错误：TOML 语法错误：有不允许的控制字符 U+0000（空字符 NUL）",
            "content/2019-01-05/data.toml:1:2",
        ),
        (
            "unit = \"板泉镇\"",
            "unit = \"板泉\u{1b}镇\"",
            "错误：TOML 语法错误：有不允许的控制字符 U+001B（转义符 ESC）",
            "content/2019-01-05/data.toml:22:15",
        ),
        (
            "news = 171",
            "ne\u{7f}ws = 171",
            "错误：TOML 语法错误：有不允许的控制字符 U+007F（删除符 DEL）",
            "content/2019-01-05/data.toml:14:3",
        ),
    ] {
        let site = Site::seed();
        replace(&site, DATA, from, to);
        assert_errors(&site.run(&["check"]), &[diagnostic(headline, location)]);
    }
}

/// UTF-16 without a byte order mark, in either byte order, whether the
/// text has Chinese in it (not valid UTF-8) or is all ASCII (valid UTF-8
/// with a zero byte beside every character).
#[test]
fn utf16_without_a_byte_order_mark_is_named_utf16() {
    let le = "UTF-16LE（记事本所说的“Unicode”）";
    let be = "UTF-16BE（记事本所说的“Unicode big endian”）";
    for (file, ascii, little_endian, described) in [
        (DATA, false, true, le),
        (DATA, false, false, be),
        ("content/site.toml", true, true, le),
        ("content/site.toml", true, false, be),
    ] {
        let site = Site::seed();
        let mut text = site.read(file);
        if ascii {
            text.retain(|c| c.is_ascii());
        }
        let bytes: Vec<u8> = text
            .encode_utf16()
            .flat_map(|unit| {
                if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                }
            })
            .collect();
        assert_eq!(std::str::from_utf8(&bytes).is_ok(), ascii, "{file}");
        std::fs::write(site.path(file), bytes).unwrap();
        let run = site.run(&["check"]);
        assert_errors(
            &run,
            &[diagnostic(
                &format!("错误：文件 {file} 不是 UTF-8 编码，看来是 {described}"),
                &format!("{file}:1:1"),
            )],
        );
        assert!(!run.stderr.contains("GBK"), "{run:#?}");
    }
}

/// A text longer than an Excel cell holds is refused where it is written,
/// before anything is rendered; one at the limit is accepted.
#[test]
fn texts_too_long_for_an_excel_cell_are_located() {
    let long_ascii = "a".repeat(32_768);
    let long_chinese = "板".repeat(40_000);
    // Each of these counts as two UTF-16 units, as Excel counts.
    let long_astral = "𠀀".repeat(16_384);
    for (file, from, to, headline, location) in [
        (
            DATA,
            "unit = \"板泉镇\"",
            format!("unit = \"{long_ascii}\""),
            "错误：单位名称有 32768 个字符，超出 Excel 单元格的上限 32767 个字符",
            "content/2019-01-05/data.toml:22:12",
        ),
        (
            DATA,
            "unit = \"板泉镇\"",
            format!("unit = \"{long_chinese}\""),
            "错误：单位名称有 40000 个字符，超出 Excel 单元格的上限 32767 个字符",
            "content/2019-01-05/data.toml:22:12",
        ),
        (
            DATA,
            "unit = \"板泉镇\"",
            format!("unit = '{long_astral}'"),
            "错误：单位名称有 32768 个字符，超出 Excel 单元格的上限 32767 个字符",
            "content/2019-01-05/data.toml:22:12",
        ),
        (
            "content/site.toml",
            "  \"按{{ table.sort }}条数排序，通报条数以网站后台采用数据为准；\",\n  \"每周更新",
            format!("  \"{long_chinese}\",\n  \"每周更新"),
            "错误：表注有 40000 个字符，超出 Excel 单元格的上限 32767 个字符",
            "content/site.toml:92:3",
        ),
    ] {
        let site = Site::seed();
        replace(&site, file, from, &to);
        let run = site.run(&["build"]);
        // The seed's own warnings come after the error, in file order.
        let mut expected = vec![diagnostic(headline, location)];
        expected.extend(seed_reconciliation("警告"));
        assert_errors(&run, &expected);
        assert!(!site.path("public").exists(), "nothing was written");
    }
    // At the limit, the workbook is made.
    let site = Site::seed();
    let name = "a".repeat(32_767);
    replace(
        &site,
        DATA,
        "unit = \"板泉镇\"",
        &format!("unit = \"{name}\""),
    );
    site.run(&["build"]).assert_success();
    assert!(site.path("public/2019-01-05/towns.xlsx").is_file());
}

/// Dates `new` derives that data.toml cannot hold are blamed on the
/// derivation and the option that avoids it, not on the previous period's
/// file; nothing is created.
#[test]
fn new_dates_past_the_year_9999_are_refused_for_what_they_are() {
    for (issued, headline) in [
        (
            "9999-12-29",
            "错误：按上一期 2019-01-05 推算，整改期限在成文日期 9999-12-29 之后 5 天，超出 9999 年",
        ),
        (
            "9999-12-31",
            "错误：按上一期 2019-01-05 推算，整改期限在成文日期 9999-12-31 之后 5 天，超出 9999 年",
        ),
    ] {
        let site = Site::seed();
        let before = tree(site.root());
        let run = site.run(&["new", "b", "--end", "9999-12-28", "--issued", issued]);
        run.assert_failure();
        assert_eq!(run.stderr.lines().next(), Some(headline), "{run:#?}");
        assert!(
            !run.stderr.contains(&format!("content/{SEED}/data.toml")),
            "{run:#?}"
        );
        assert_eq!(tree(site.root()), before, "nothing was created");
        // Giving the deadline is the way out.
        let run = site.run(&[
            "new",
            "b",
            "--end",
            "9999-12-28",
            "--issued",
            issued,
            "--deadline",
            issued,
            "--weeks",
            "1",
        ]);
        run.assert_success();
    }
    // A consecutive window after one that ends on the last day there is.
    let site = Site::seed();
    let config = site.read("content/site.toml");
    site.write(
        "content/site.toml",
        &config.replace("window = \"year-to-date\"", "window = \"consecutive\""),
    );
    for (from, to) in [
        ("end = 2019-05-30", "end = 9999-12-31"),
        ("issued = 2019-06-05", "issued = 9999-12-31"),
        ("deadline = 2019-06-10", "deadline = 9999-12-31"),
    ] {
        replace(&site, DATA, from, to);
    }
    site.run(&["check"]).assert_success();
    let before = tree(site.root());
    let run = site.run(&["new", "b", "--end", "9999-12-31", "--issued", "9999-12-31"]);
    run.assert_failure();
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            "错误：按上一期 2019-01-05 推算，本期的数据采集开始日期在 9999-12-31 之后，超出 9999 年"
        ),
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before, "nothing was created");
}

#[test]
fn new_refuses_a_deadline_before_the_issue_date() {
    for deadline in ["2019-07-04", "2019-06-30", "2000-01-01"] {
        let site = Site::seed();
        let before = tree(site.root());
        let run = site.run(&[
            "new",
            "b",
            "--end",
            "2019-06-30",
            "--issued",
            "2019-07-05",
            "--deadline",
            deadline,
        ]);
        run.assert_failure();
        assert_eq!(
            run.stderr.lines().next(),
            Some(
                format!("错误：整改期限 --deadline {deadline} 早于成文日期 --issued 2019-07-05")
                    .as_str()
            ),
            "{run:#?}"
        );
        assert_eq!(tree(site.root()), before, "nothing was created");
    }
    // The deadline on the issue date itself is accepted.
    let site = Site::seed();
    let run = site.run(&[
        "new",
        "b",
        "--end",
        "2019-06-30",
        "--issued",
        "2019-07-05",
        "--deadline",
        "2019-07-05",
    ]);
    run.assert_success();
    let data: toml::Table = site.read("content/b/data.toml").parse().unwrap();
    assert_eq!(data["period"]["deadline"].to_string(), "2019-07-05");
    // A previous period whose deadline came before its issue date is itself
    // refused by the check, so nothing is carried over into a new one.
    let site = Site::seed();
    replace(
        &site,
        DATA,
        "deadline = 2019-06-10",
        "deadline = 2019-06-01",
    );
    let before = tree(site.root());
    let run = site.add_period("b");
    run.assert_failure();
    assert_eq!(
        run.stderr.lines().next(),
        Some("错误：整改期限早于成文日期"),
        "{run:#?}"
    );
    assert_eq!(
        run.stderr.lines().nth(1),
        Some("  ┌─ content/2019-01-05/data.toml:9:12"),
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before, "nothing was created");
}

/// A build checks each period alone as it loads and keeps only its
/// outline (`src/outline.rs`); `diff` and `serve` validate whole periods.
/// Both must tell the same problems, in the same order.
#[test]
fn outlined_and_whole_periods_are_told_the_same_problems() {
    use tongbao::diagnostics::Diagnostics;
    use tongbao::load::{load_content, load_content_keeping};
    use tongbao::outline::{Outline, Rosters};
    use tongbao::validate::{validate, validate_outlined};

    let site = Site::example();
    // A period's own problems in both periods, and one across periods.
    let first = "content/2019-01-05/data.toml";
    let second = "content/2019-07-05/data.toml";
    replace(&site, first, "disclosure = 2762,", "disclosure = 2763,");
    replace(&site, second, "dynamic = 741 }", "dynamic = 742 }");
    let notice = "content/2019-07-05/notice.md";
    let recheck = "\nrecheck = \"2019-01-05\"";
    replace(&site, notice, recheck, "\nrecheck = \"2019-01-06\"");

    let mut whole = Diagnostics::new();
    let content = load_content(site.root(), &mut whole).expect("the site loads");
    validate(&content, &mut whole);

    let mut outlined = Diagnostics::new();
    let rosters = Rosters::default();
    let (content, _) = load_content_keeping(
        site.root(),
        &mut outlined,
        |_, _| (),
        |period, site, task| Outline::of(period, site, &rosters, task),
    );
    validate_outlined(&mut content.expect("the site loads"), &mut outlined);

    // In the order they were found, not only as printed (in file order).
    assert_eq!(outlined.list(), whole.list());
    let told = outlined.render();
    for expected in [
        "content/2019-01-05/data.toml:19",
        "content/2019-07-05/data.toml:22",
        "recheck 指向的期次 “2019-01-06” 不存在",
    ] {
        assert!(told.contains(expected), "{expected} in {told}");
    }
}
