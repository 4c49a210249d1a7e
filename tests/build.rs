//! `tongbao build` on the shipped seed content: the page reproduces the seed
//! notice, and the build is deterministic and all-or-nothing.

mod common;

use std::fs;

use common::*;

/// The seed's notice page, freshly built.
fn seed_notice() -> scraper::Html {
    let (_site, public) = built_seed();
    read_html(&public.join(SEED).join("index.html"))
}

fn expected_rows(table: &str) -> Vec<Vec<String>> {
    let text = fs::read_to_string(repository().join("tests/expected/seed-tables.tsv")).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split('\t').map(str::to_string).collect::<Vec<_>>())
        .filter(|cells| cells[0] == table)
        .map(|cells| cells[1..].to_vec())
        .collect()
}

#[test]
fn both_tables_reproduce_the_seed_row_by_row() {
    let page = seed_notice();
    for (table, units) in [("towns", 14), ("departments", 46)] {
        let expected = expected_rows(table);
        assert_eq!(expected.len(), units);
        let actual = table_rows(&page, table);
        assert_eq!(actual.len(), units, "rows of {table}");
        for (actual, expected) in actual.iter().zip(&expected) {
            assert_eq!(actual, expected, "a row of {table}");
        }
    }
}

#[test]
fn headers_group_columns_over_two_rows() {
    let page = seed_notice();
    let header_rows = selector("table[data-table='departments'] thead tr");
    let cell = selector("th");
    let rows: Vec<Vec<(String, String, String)>> = page
        .select(&header_rows)
        .map(|row| {
            row.select(&cell)
                .map(|th| {
                    let attribute = |name| th.value().attr(name).unwrap_or("1").to_string();
                    (compact_text(th), attribute("colspan"), attribute("rowspan"))
                })
                .collect()
        })
        .collect();
    let cell = |text: &str, colspan: &str, rowspan: &str| {
        (text.to_string(), colspan.to_string(), rowspan.to_string())
    };
    assert_eq!(
        rows,
        vec![
            vec![
                cell("序号", "1", "2"),
                cell("部门（单位）", "1", "2"),
                cell("信息公开（采用数）", "1", "1"),
                cell("动态信息（采用数）", "2", "1"),
                cell("政务公开亮点信息采用情况", "4", "1"),
            ],
            vec![
                cell("1-5月份", "1", "1"),
                cell("1-5月份", "1", "1"),
                cell("每周更新未达标次数", "1", "1"),
                cell("国办", "1", "1"),
                cell("省办", "1", "1"),
                cell("市办", "1", "1"),
                cell("累计加分", "1", "1"),
            ],
        ]
    );
}

#[test]
fn notes_are_generated_from_the_rules() {
    let page = seed_notice();
    let notes: Vec<String> = page
        .select(&selector("#appendix-2 .table-notes li"))
        .map(compact_text)
        .collect();
    assert_eq!(
        notes,
        [
            "按信息公开条数排序，通报条数以网站后台采用数据为准；",
            "每周更新未达标次数：每周至少更新一篇动态类信息即“每周达标1次”（不含节假日），不达标一次扣0.2分，从二季度开始计入年底考核成绩；",
            "政务公开亮点信息：国办采用1条加5分，省级采用1条加2分，市级采用1条加0.5分；",
            "累计数采集范围为2019年1月1日—5月30日。",
        ]
    );
}

#[test]
fn the_text_reproduces_every_paragraph_of_the_seed() {
    let page = seed_notice();
    let expected = fs::read_to_string(repository().join("tests/expected/seed-body.txt")).unwrap();
    let expected: Vec<&str> = expected.lines().filter(|l| !l.starts_with('#')).collect();
    let actual: Vec<String> = page
        .select(&selector(".notice-body > *"))
        .map(compact_text)
        .collect();
    assert_eq!(actual, expected);

    // The title wraps where notice.md breaks it, keeping words whole.
    let title = page.select(&selector(".notice-title")).next().unwrap();
    assert_eq!(
        title.text().collect::<Vec<_>>(),
        ["关于2019年1-5月份政务公开", "随机抽查情况的通报"]
    );
    assert_eq!(title.select(&selector("br")).count(), 1);
    let text = |css: &str| {
        page.select(&selector(css))
            .map(compact_text)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        text(".notice-title"),
        ["关于2019年1-5月份政务公开随机抽查情况的通报"]
    );
    assert_eq!(
        text(".addressees"),
        ["各镇街人民政府（办事处），县政府各部门、单位，莒南经济开发区管委会，临港产业园管委会："]
    );
    assert_eq!(
        text(".contact"),
        ["联系科室：县政府办公室政务公开办", "联系电话：7215008"]
    );
    assert_eq!(text(".signature-office"), ["莒南县人民政府办公室"]);
    assert_eq!(text(".signature-date"), ["2019年6月5日"]);
}

#[test]
fn the_attachment_list_uses_the_appendix_titles_and_links_to_them() {
    let page = seed_notice();
    let links: Vec<(String, String)> = page
        .select(&selector(".attachment-list a"))
        .map(|a| (compact_text(a), a.value().attr("href").unwrap().to_string()))
        .collect();
    assert_eq!(
        links,
        [
            (
                "1.2019年1-5月份镇街（园区）网站内容保障情况通报表".to_string(),
                "#appendix-1".to_string()
            ),
            (
                "2.2019年1-5月份部门（单位）网站内容保障情况通报表".to_string(),
                "#appendix-2".to_string()
            ),
        ]
    );
    let titles: Vec<String> = page
        .select(&selector(".appendix-title"))
        .map(compact_text)
        .collect();
    assert_eq!(
        titles,
        [
            "2019年1-5月份镇街（园区）网站内容保障情况通报表",
            "2019年1-5月份部门（单位）网站内容保障情况通报表"
        ]
    );
    for id in ["appendix-1", "appendix-2"] {
        assert_eq!(page.select(&selector(&format!("section#{id}"))).count(), 1);
    }
}

#[test]
fn the_build_warns_exactly_about_the_two_disagreeing_totals() {
    let site = shipped_site();
    let output = build_ok(site.path());
    assert_eq!(diagnostics(&stderr(&output)), seed_reconciliation("警告"));
    let summary = String::from_utf8_lossy(&output.stdout);
    // Pages: the home page, the notice, the 2019 ledger and 60 unit pages.
    assert!(
        summary.starts_with("构建完成：1 期通报，60 个单位，63 个页面，2 条警告"),
        "{summary}"
    );
}

#[test]
fn the_text_quotes_the_declared_totals_and_the_sums_of_the_others() {
    let page = seed_notice();
    let basics = page
        .select(&selector(".notice-body p"))
        .nth(1)
        .map(compact_text)
        .unwrap();
    assert_eq!(
        basics,
        "2019年1-5月份，全县通过县政府门户网站共发布信息8113条。其中，发布政务公开类信息6142条（镇街园区2762条、县政府部门单位3380条），动态类信息1971条（政务要闻171条、镇街园区动态542条、部门动态1113条、其他145条）。"
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let site = shipped_site();
    build_ok(site.path());
    let first = tree(&site.path().join("public"));
    build_ok(site.path());
    assert_eq!(first, tree(&site.path().join("public")));

    let elsewhere = shipped_site();
    build_ok(elsewhere.path());
    assert_eq!(first, tree(&elsewhere.path().join("public")));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = shipped_site();
    build_ok(site.path());
    let before = tree(&site.path().join("public"));
    edit(
        &site.path().join("content/2019-01-05/data.toml"),
        "disclosure = 421",
        "disclosure = -421",
    );

    let output = tongbao(site.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    let mut expected = vec![diagnostic(
        "错误：“disclosure”不能为负数：-421",
        "content/2019-01-05/data.toml:21:34",
    )];
    expected.extend(seed_reconciliation("警告"));
    assert_eq!(diagnostics(&stderr(&output)), expected);
    assert_eq!(before, tree(&site.path().join("public")));
    assert_no_leftovers(site.path());
}

#[test]
fn every_link_is_relative_and_resolves() {
    let site = shipped_site();
    build_ok(site.path());
    let public = site.path().join("public");
    let linked = selector("a[href], link[href], script[src], img[src]");
    for page_path in tree(&public).keys().filter(|path| path.ends_with(".html")) {
        let page = read_html(&public.join(page_path));
        let folder = public.join(page_path).parent().unwrap().to_path_buf();
        for element in page.select(&linked) {
            let value = element.value();
            let target = value.attr("href").or(value.attr("src")).unwrap();
            assert!(
                !target.starts_with('/') && !target.contains("://"),
                "{page_path}: {target}"
            );
            let path = target.split('#').next().unwrap();
            if !path.is_empty() {
                assert!(
                    folder.join(path).is_file(),
                    "{page_path}: {target} does not resolve"
                );
            }
        }
    }
}

#[test]
fn the_home_page_lists_the_notice() {
    let site = shipped_site();
    build_ok(site.path());
    let page = read_html(&site.path().join("public/index.html"));
    let html = selector("html");
    assert_eq!(
        page.select(&html).next().unwrap().value().attr("lang"),
        Some("zh-CN")
    );
    let links: Vec<(String, String)> = page
        .select(&selector(".notice-list a"))
        .map(|a| (compact_text(a), a.value().attr("href").unwrap().to_string()))
        .collect();
    assert_eq!(
        links,
        [(
            "关于2019年1-5月份政务公开随机抽查情况的通报".to_string(),
            "2019-01-05/index.html".to_string()
        )]
    );
}

#[test]
fn strict_refuses_to_build_on_warnings_and_writes_nothing() {
    let site = shipped_site();
    build_ok(site.path());
    let before = tree(&site.path().join("public"));

    let output = tongbao(site.path(), &["build", "--strict"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert_eq!(diagnostics(&stderr), seed_reconciliation("错误"));
    assert_eq!(
        stderr.lines().last(),
        Some("构建失败（--strict：警告按错误计）：2 个错误，0 条警告；输出目录 ./public 未改动")
    );
    assert!(output.stdout.is_empty());
    assert_eq!(before, tree(&site.path().join("public")));
    assert_no_leftovers(site.path());
}

#[test]
fn strict_builds_content_without_warnings() {
    let site = fixture_site("check/base");
    let output = tongbao(site.path(), &["build", "--strict"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    assert!(site.path().join("public/index.html").is_file());
}

#[test]
fn the_summary_counts_each_unit_once_over_all_periods() {
    let site = Site::seed();
    site.add_period("2019-01-06").assert_success();
    let run = site.run(&["build"]);
    run.assert_success();
    // Pages: the home page, two notices, the 2019 ledger and 60 unit pages.
    assert!(
        run.stdout
            .starts_with("构建完成：2 期通报，60 个单位，64 个页面，"),
        "{run:#?}"
    );
}
