//! The cycle of a random check in the shipped example (`examples/cycle/`):
//! the made-up period 2019-07-05 attaches its 问题清单, publishes each
//! unit's rectification sheet (整改通知单), and re-checks the seed period's
//! findings; the seed period holds those findings with their re-check but
//! does not attach them, so it publishes no sheet and its page is the
//! seed's. county-c shows the result by unit under its 问题清单.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use scraper::Html;

const EXAMPLE: &str = "2019-07-05";

fn texts(page: &Html, css: &str) -> Vec<String> {
    page.select(&selector(css)).map(text).collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

/// Each row of a result table (整改结果) under `section`, its sums last.
fn result_rows(page: &Html, section: &str) -> Vec<Vec<String>> {
    page.select(&selector(&format!(
        "{section} table.result tbody tr, {section} table.result tfoot tr"
    )))
    .map(|row| row.select(&selector("th, td")).map(text).collect())
    .collect()
}

fn row(cells: &[&str]) -> Vec<String> {
    strings(cells)
}

/// The units with findings in 2019-07-05, in the order of the tables
/// (towns, then departments, each in data.toml's order).
const UNITS_WITH_FINDINGS: [&str; 7] = [
    "十字路街道",
    "相沟镇",
    "石莲子镇",
    "道口镇",
    "人社局",
    "环保局",
    "粮食和物资储备中心",
];

#[test]
fn each_unit_with_findings_has_a_sheet_linked_from_the_notice() {
    let (_site, out) = built_example();
    let folder = out.join(EXAMPLE);
    let notice = read_html(&folder.join("index.html"));

    let links: Vec<(String, String)> = notice
        .select(&selector("section#appendix-3 nav.sheets li a"))
        .map(|link| (text(link), link.value().attr("href").unwrap().to_string()))
        .collect();
    let units: Vec<&str> = links.iter().map(|(unit, _)| unit.as_str()).collect();
    assert_eq!(units, UNITS_WITH_FINDINGS);
    assert_eq!(
        texts(&notice, "section#appendix-3 .sheets-lead"),
        ["各单位整改通知单："]
    );

    // Each link is the unit's page key under rectification/, and resolves.
    let unit_keys = |table: &str| -> Vec<(String, String)> {
        notice
            .select(&selector(&format!(
                "table[data-table='{table}'] tbody th a"
            )))
            .map(|link| {
                let href = link.value().attr("href").unwrap();
                let key = href.split('/').nth_back(1).unwrap().to_string();
                (text(link), key)
            })
            .collect()
    };
    let keys: Vec<(String, String)> = unit_keys("towns")
        .into_iter()
        .chain(unit_keys("departments"))
        .collect();
    for (unit, href) in &links {
        let key = &keys.iter().find(|(name, _)| name == unit).unwrap().1;
        assert_eq!(href, &format!("rectification/{key}/index.html"));
        assert!(folder.join(href).is_file(), "{href} resolves");
    }

    // One sheet per unit with findings, no other.
    let published: BTreeSet<String> = tree(&folder.join("rectification"))
        .into_keys()
        .map(|path| format!("rectification/{path}"))
        .collect();
    let linked: BTreeSet<String> = links.into_iter().map(|(_, href)| href).collect();
    assert_eq!(published, linked);

    // The seed period does not attach its findings: no sheet, no list.
    assert!(!out.join(SEED).join("rectification").exists());
    let seed = read_html(&out.join(SEED).join("index.html"));
    assert_eq!(seed.select(&selector("nav.sheets")).count(), 0);
    assert_eq!(seed.select(&selector("table.result")).count(), 0);
}

/// The sheet of the unit `name` in 2019-07-05.
fn sheet(out: &Path, name: &str) -> (Html, std::path::PathBuf) {
    let folder = out.join(EXAMPLE);
    let notice = read_html(&folder.join("index.html"));
    let href = notice
        .select(&selector("nav.sheets li a"))
        .find(|link| text(*link) == name)
        .and_then(|link| link.value().attr("href"))
        .expect("a link to the unit's sheet")
        .to_string();
    let path = folder.join(&href);
    (read_html(&path), path)
}

#[test]
fn a_sheet_addresses_the_unit_with_its_findings_deadline_and_contact() {
    let (_site, out) = built_example();
    let (page, path) = sheet(&out, "相沟镇");

    assert_eq!(
        texts(&page, "title"),
        ["相沟镇问题整改通知单（2019年1-6月份） - 莒南县政务公开通报"]
    );
    assert_eq!(texts(&page, ".issuer"), ["莒南县人民政府办公室"]);
    let title: Vec<String> = page
        .select(&selector("h1.notice-title"))
        .map(|title| title.text().collect::<Vec<_>>().join("|"))
        .collect();
    assert_eq!(title, ["2019年1-6月份政务公开随机抽查|问题整改通知单"]);
    assert_eq!(texts(&page, ".addressees"), ["相沟镇："]);
    assert_eq!(
        texts(&page, ".notice-body p"),
        [
            "根据《关于2019年1-6月份政务公开随机抽查情况的通报》，2019年1-6月份政务公开随机抽查发现你单位网站存在以下 2 个问题。请对照逐项整改，于2019年7月15日前整改到位，并将整改情况报县政府办公室政务公开办。"
        ]
    );
    assert_eq!(
        texts(&page, "table[data-table='rectification'] thead th"),
        ["序号", "栏目", "网址", "问题类型", "问题描述", "发现日期"]
    );
    assert_eq!(
        table_rows(&page, "rectification"),
        [
            row(&[
                "1",
                "政府信息公开/法定主动公开内容/机构职能",
                "http://www.junan.gov.cn/example/xgz/jgzn/",
                "未更新",
                "内设机构仍为机构改革前的设置",
                "2019年6月25日",
            ]),
            row(&[
                "2",
                "政务动态/镇街动态",
                "",
                "错别字",
                "信息标题中“落实”误作“落时”",
                "2019年6月26日",
            ]),
        ]
    );
    // The 网址 is a link to the page checked.
    let links: Vec<&str> = page
        .select(&selector("table[data-table='rectification'] td a"))
        .filter_map(|link| link.value().attr("href"))
        .collect();
    assert_eq!(links, ["http://www.junan.gov.cn/example/xgz/jgzn/"]);
    assert_eq!(
        texts(&page, ".contact"),
        ["联系科室：县政府办公室政务公开办", "联系电话：7215008"]
    );
    assert_eq!(texts(&page, ".signature-office"), ["莒南县人民政府办公室"]);
    assert_eq!(texts(&page, ".signature-date"), ["2019年7月5日"]);
    let back = page
        .select(&selector("a.sheet-notice"))
        .next()
        .expect("a link back to the notice");
    assert_eq!(text(back), "关于2019年1-6月份政务公开随机抽查情况的通报");
    let notice = path
        .parent()
        .unwrap()
        .join(back.value().attr("href").unwrap());
    assert_eq!(
        notice.canonicalize().unwrap(),
        out.join(EXAMPLE).join("index.html").canonicalize().unwrap()
    );
    // The stylesheet resolves from the sheet's folder.
    let css = page
        .select(&selector("link[rel='stylesheet']"))
        .next()
        .and_then(|link| link.value().attr("href"))
        .unwrap();
    assert!(path.parent().unwrap().join(css).is_file(), "{css}");
}

/// A build parses a period again from its kept texts to render it: the
/// example's findings, statuses and re-check must come out the same.
#[test]
fn the_example_periods_parse_again_as_they_loaded() {
    let site = common::example_site();
    assert_eq!(common::assert_reloads_as_loaded(site.path()), 2);
}

#[test]
fn a_sheet_without_addresses_has_no_address_column() {
    let (_site, out) = built_example();
    let (page, _) = sheet(&out, "道口镇");
    assert_eq!(
        texts(&page, "table[data-table='rectification'] thead th"),
        ["序号", "栏目", "问题类型", "问题描述", "发现日期"]
    );
    assert_eq!(
        table_rows(&page, "rectification"),
        [row(&[
            "1",
            "政府信息公开/重点领域信息公开/财政预决算",
            "未更新",
            "上期问题仍未整改：本年度未发布财政预算信息",
            "2019年6月27日",
        ])]
    );
}

#[test]
fn the_example_re_checks_the_seed_periods_findings() {
    let (_site, out) = built_example();
    let page = read_html(&out.join(EXAMPLE).join("index.html"));
    let title = "2019年1-5月份政务公开随机抽查问题整改情况";

    assert_eq!(
        texts(&page, ".attachment-list li"),
        [
            "1.2019年1-6月份镇街（园区）网站内容保障情况通报表",
            "2.2019年1-6月份部门（单位）网站内容保障情况通报表",
            "3.2019年1-6月份政务公开随机抽查问题清单",
            &format!("4.{title}"),
        ]
    );
    let section = "section#appendix-4";
    assert_eq!(texts(&page, &format!("{section} .appendix-title")), [title]);
    assert_eq!(
        texts(
            &page,
            &format!("{section} table[data-table='recheck'] thead th")
        ),
        [
            "序号",
            "单位",
            "栏目",
            "问题类型",
            "问题描述",
            "发现日期",
            "网址",
            "整改情况"
        ]
    );
    let rows = table_rows(&page, "recheck");
    let shown: Vec<(String, String)> = rows
        .iter()
        .map(|cells| (cells[0].clone(), cells.last().unwrap().clone()))
        .collect();
    let expected = [
        ("1", "已整改（2019年6月12日复查，已按新“三定”规定更新）"),
        ("2", "已整改（2019年6月12日复查）"),
        ("3", "未整改（2019年6月12日复查，仍未发布）"),
        ("4", "已整改（2019年6月13日复查）"),
        ("5", "已整改（2019年6月13日复查，已移至动态栏目）"),
        ("6", "未整改（2019年6月13日复查）"),
        ("7", "已整改（2019年6月13日复查）"),
        ("8", "无需整改（2019年6月14日复查，该文件已按规定撤下）"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(number, status)| (number.to_string(), status.to_string()))
        .collect();
    assert_eq!(shown, expected);
    // Grouped by unit in the tables' order, 环保局's two rows under one name.
    let heads: Vec<(String, Option<&str>)> = page
        .select(&selector(&format!(
            "{section} table[data-table='recheck'] tbody th"
        )))
        .map(|head| (text(head), head.value().attr("rowspan")))
        .collect();
    let expected_heads: Vec<(String, Option<&str>)> = [
        ("洮边镇", None),
        ("文疃镇", None),
        ("道口镇", None),
        ("广播电视台", None),
        ("环保局", Some("2")),
        ("畜牧发展促进中心", None),
        ("投资促进服务中心", None),
    ]
    .iter()
    .map(|(unit, span)| (unit.to_string(), *span))
    .collect();
    assert_eq!(heads, expected_heads);
    assert_eq!(
        texts(&page, &format!("{section} .table-notes li")),
        [
            "2019年1-5月份随机抽查共发现问题 8 个，经复查已整改 6 个，仍未整改 2 个；",
            "仍未整改的问题计入2019年政务公开日常考核成绩。",
        ]
    );
    assert_eq!(
        texts(&page, &format!("{section} table.result caption")),
        ["整改结果"]
    );
    assert_eq!(
        texts(&page, &format!("{section} table.result thead th")),
        ["单位", "问题数", "已整改", "未整改"]
    );
    assert_eq!(
        result_rows(&page, section),
        [
            row(&["洮边镇", "1", "1", "0"]),
            row(&["文疃镇", "1", "1", "0"]),
            row(&["道口镇", "1", "0", "1"]),
            row(&["广播电视台", "1", "1", "0"]),
            row(&["环保局", "2", "1", "1"]),
            row(&["畜牧发展促进中心", "1", "1", "0"]),
            row(&["投资促进服务中心", "1", "1", "0"]),
            row(&["合计", "8", "6", "2"]),
        ]
    );
    // The re-check is not the period's own 问题清单: no sheets under it.
    assert_eq!(
        page.select(&selector(&format!("{section} nav.sheets")))
            .count(),
        0
    );
    // Before its own re-check, the 问题清单 shows no result.
    assert_eq!(
        page.select(&selector("section#appendix-3 table.result"))
            .count(),
        0
    );

    // The text quotes the re-check's figures.
    let paragraphs = texts(&page, ".notice-body p");
    assert_eq!(
        paragraphs[0],
        "（本期为演示用的虚构示例：其中的数字、问题和整改情况均为编造，不是真实的通报。）"
    );
    assert!(
        paragraphs.contains(&"2019年1-5月份随机抽查共发现问题 8 个。经复查，已整改 5 个，无需整改 1 个，仍未整改 2 个（见附件4）。未整改的问题已列入本期问题清单，相关单位要抓紧整改。".to_string()),
        "{paragraphs:#?}"
    );
    assert!(
        paragraphs.contains(&"本期抽查共发现问题 8 个，涉及 7 个单位，其中未更新 3 个、更新不及时 1 个，其余为错别字、表格乱码、格式不规范和链接失效等问题（见附件3）。".to_string()),
        "{paragraphs:#?}"
    );

    // The re-check downloads like any appendix.
    let csv = read_text(&out.join(EXAMPLE).join("recheck.csv"));
    let first = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert_eq!(first, format!("{title},,,,,,,"));
}

#[test]
fn the_example_period_adds_no_warning_to_the_seeds_two() {
    let site = example_site();
    let output = tongbao(site.path(), &["check"]);
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        diagnostics(&stderr),
        seed_reconciliation("警告"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.trim_end().lines().last(),
        Some("检查通过：2 期通报，60 个单位；0 个错误，2 条警告"),
        "{stdout}"
    );
}

#[test]
fn the_findings_appendix_shows_the_result_by_unit_once_re_checked() {
    let site = fixture_site("county-c");
    build_ok(site.path());
    let page = read_html(&site.path().join("public/2024-q4/index.html"));
    assert_eq!(
        result_rows(&page, "section#appendix-2"),
        [
            row(&["甲镇", "1", "1", "0"]),
            row(&["丙镇", "2", "0", "2"]),
            row(&["丁镇", "1", "1", "0"]),
            row(&["合计", "4", "2", "2"]),
        ]
    );
}

/// The example's seed period is the shipped one, byte for byte, and its
/// site.toml the shipped one with the findings' words added at the end; so
/// the seed period's page is the seed's.
#[test]
fn the_examples_seed_period_is_the_shipped_seed() {
    let shipped = repository().join("content");
    let example = repository().join("examples/cycle/content");
    for file in ["data.toml", "notice.md"] {
        assert_eq!(
            read_text(&shipped.join(SEED).join(file)),
            read_text(&example.join(SEED).join(file)),
            "{file}"
        );
    }
    let site = read_text(&example.join("site.toml"));
    assert!(site.starts_with(&read_text(&shipped.join("site.toml"))));

    let (_shipped_site, shipped_out) = built_seed();
    let (_example_site, example_out) = built_example();
    let page = |out: &Path| read_text(&out.join(SEED).join("index.html"));
    assert_eq!(page(&example_out), page(&shipped_out));
}
