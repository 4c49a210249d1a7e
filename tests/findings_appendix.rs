//! The 问题清单: county-c's notice attaches its findings after its table,
//! and the page, the portal fragment, the downloads and the Word document
//! show them grouped by unit in the table's order, the unit's name spanning
//! its rows.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;

const FOLDER: &str = "public/2024-q4";
const TITLE: &str = "2024年四季度政务公开随机抽查问题清单";

/// The findings' rows as the page shows them: 甲镇 (first in data.toml),
/// then 丙镇's two in file order although 丙镇's first finding comes first
/// in findings.toml, then 丁镇; 乙镇 has none. The table ranks 丁镇 before
/// 丙镇; the 问题清单 keeps data.toml's order.
fn expected_rows() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "1",
            "甲镇",
            "政府信息公开/法定主动公开内容/机构职能",
            "未更新",
            "机构职能仍为机构改革前的内容",
            "2024年12月20日",
            "http://www.example.gov.cn/jiazhen/jgzn/",
            "已整改（2025年1月22日复查，已更新为新的“三定”内容）",
        ],
        vec![
            "2",
            "丙镇",
            "政府信息公开/重点领域信息公开/财政预决算",
            "链接失效",
            "2024年预算公开链接打不开",
            "2024年12月21日",
            "",
            "",
        ],
        vec![
            "3",
            "丙镇",
            "政府信息公开/法定主动公开内容/领导信息",
            "更新不及时",
            "领导分工未随人事变动更新",
            "2024年12月20日",
            "",
            "未整改（2025年1月22日复查）",
        ],
        vec![
            "4",
            "丁镇",
            "政务动态/镇街动态",
            "错别字",
            "标题“政务公开”误作“政物公开”",
            "2024年12月22日",
            "",
            "无需整改（2025年1月22日复查，该信息已按规定撤下）",
        ],
    ]
}

const HEADER: [&str; 8] = [
    "序号",
    "单位",
    "栏目",
    "问题类型",
    "问题描述",
    "发现日期",
    "网址",
    "整改情况",
];

const NOTES: [&str; 2] = [
    "共发现问题 4 个，截至复查仍有 2 个未整改；",
    "按各单位在通报表中的顺序排列。",
];

/// Each body row's cells as written, a covered cell left out.
fn written_rows(rows: &[Vec<&'static str>]) -> Vec<Vec<String>> {
    rows.iter()
        .enumerate()
        .map(|(index, row)| {
            row.iter()
                .enumerate()
                .filter(|(column, _)| !(index == 2 && *column == 1))
                .map(|(_, text)| text.to_string())
                .collect()
        })
        .collect()
}

fn texts(page: &scraper::Html, css: &str) -> Vec<String> {
    page.select(&selector(css)).map(text).collect()
}

#[test]
fn the_page_lists_and_shows_the_findings_as_an_appendix() {
    let site = fixture_site("county-c");
    build_ok(site.path());
    let page = read_html(&site.path().join(FOLDER).join("index.html"));

    assert_eq!(
        texts(&page, ".attachment-list li"),
        [
            "1.2024年四季度镇街信息公开情况".to_string(),
            format!("2.{TITLE}")
        ]
    );
    let hrefs: Vec<&str> = page
        .select(&selector(".attachment-list li a"))
        .filter_map(|link| link.value().attr("href"))
        .collect();
    assert_eq!(hrefs, ["#appendix-1", "#appendix-2"]);

    let section = "section#appendix-2";
    assert_eq!(
        texts(&page, &format!("{section} .appendix-number")),
        ["附件2"]
    );
    assert_eq!(texts(&page, &format!("{section} .appendix-title")), [TITLE]);
    assert_eq!(
        texts(
            &page,
            &format!("{section} table[data-table='findings'] thead th")
        ),
        HEADER.map(String::from)
    );
    assert_eq!(
        texts(&page, &format!("{section} .table-notes li")),
        NOTES.map(String::from)
    );
    assert_eq!(
        table_rows(&page, "findings"),
        written_rows(&expected_rows())
    );
    // Each unit's name heads its rows: a row header spanning them.
    let heads: Vec<(String, Option<&str>, Option<&str>)> = page
        .select(&selector("table[data-table='findings'] tbody th"))
        .map(|head| {
            let value = head.value();
            (text(head), value.attr("scope"), value.attr("rowspan"))
        })
        .collect();
    assert_eq!(
        heads,
        [
            ("甲镇".to_string(), Some("row"), None),
            ("丙镇".to_string(), Some("row"), Some("2")),
            ("丁镇".to_string(), Some("row"), None),
        ]
    );
    let downloads: Vec<&str> = page
        .select(&selector(&format!("{section} .downloads a")))
        .filter_map(|link| link.value().attr("download"))
        .collect();
    assert_eq!(
        downloads,
        [format!("附件2 {TITLE}.csv"), format!("附件2 {TITLE}.xlsx")]
    );
}

#[test]
fn the_fragment_and_the_downloads_carry_the_findings() {
    let site = fixture_site("county-c");
    build_ok(site.path());
    let folder = site.path().join(FOLDER);

    let fragment = scraper::Html::parse_fragment(&read_text(&folder.join("fragment.html")));
    let captions = texts(&fragment, "table caption");
    assert_eq!(captions[1], TITLE);
    let tables: Vec<_> = fragment.select(&selector("table")).collect();
    let rows: Vec<Vec<String>> = tables[1]
        .select(&selector("tbody tr"))
        .map(|row| row.select(&selector("th, td")).map(compact_text).collect())
        .collect();
    let compact: Vec<Vec<String>> = written_rows(&expected_rows())
        .into_iter()
        .map(|row| row.iter().map(|cell| cell.replace(' ', "")).collect())
        .collect();
    assert_eq!(rows, compact);

    // The CSV repeats the unit's name on each of its lines.
    let csv = read_text(&folder.join("findings.csv"));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    let mut expected = vec![format!("{TITLE},,,,,,,"), HEADER.join(",")];
    expected.extend(expected_rows().iter().map(|row| row.join(",")));
    expected.push(",,,,,,,".to_string());
    expected.push("注：,,,,,,,".to_string());
    expected.extend(
        NOTES
            .iter()
            .enumerate()
            .map(|(index, note)| format!("{}. {note},,,,,,,", index + 1)),
    );
    assert_eq!(lines, expected);

    // The workbook merges 丙镇's two cells (rows 4 and 5, column B).
    let mut workbook: Xlsx<_> = open_workbook(folder.join("findings.xlsx")).expect("open xlsx");
    let name = workbook.sheet_names()[0].clone();
    assert_eq!(name, "附件2");
    let range = workbook.worksheet_range(&name).expect("sheet");
    let units: Vec<String> = range
        .rows()
        .skip(2)
        .take(4)
        .map(|row| match &row[1] {
            Data::String(text) => text.clone(),
            Data::Empty => String::new(),
            other => panic!("unexpected cell {other:?}"),
        })
        .collect();
    assert_eq!(units, ["甲镇", "丙镇", "", "丁镇"]);
    let merged: Vec<String> = workbook
        .merge_cells_by_sheet_name(&name)
        .expect("merged regions")
        .iter()
        .map(|area| format!("{:?}-{:?}", area.start, area.end))
        .collect();
    assert!(merged.contains(&"(3, 1)-(4, 1)".to_string()), "{merged:?}");

    // The Word document's 附件2 merges the same cells down the column.
    let document = zip_entry(&folder.join("notice.docx"), "word/document.xml");
    assert_eq!(document.matches("<w:vMerge w:val=\"restart\"/>").count(), 1);
    assert_eq!(document.matches("<w:vMerge/>").count(), 1);
    assert!(document.contains(TITLE));
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).expect("open")).expect("zip");
    let mut entry = archive.by_name(name).expect("entry");
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("utf-8 entry");
    text
}
