//! The annual ledger, each unit's page and the charts (issue 12, items 3-5):
//! a site of three periods, built once with year-to-date windows and once
//! with consecutive ones, checked against cells worked out by hand.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{Site, compact_text, read_html, selector, table_rows, text, tree};
use scraper::Html;

/// The towns of the three periods: (name, disclosure, dynamic, missed
/// weeks, national, province, city). Ranks sort by disclosure, descending.
///
/// - P1: 甲 10, 乙 8, 丙 5 → 甲 1, 乙 2, 丙 3.
/// - P2 (丙 absent, 丁 new): 乙 20, 甲 12, 丁 3 → 乙 1 (↑1), 甲 2 (↓1), 丁 3 (新).
/// - P3: 丁 40, 甲 30, 乙 25 → 丁 1 (↑2), 甲 2 (—), 乙 3 (↓2).
type Row = (&'static str, u64, u64, u64, u64, u64, u64);
const P1: &[Row] = &[
    ("甲镇", 10, 4, 1, 0, 0, 0),
    ("乙镇", 8, 4, 2, 0, 0, 1),
    ("丙镇", 5, 4, 0, 0, 0, 0),
];
const P2: &[Row] = &[
    ("甲镇", 12, 6, 2, 0, 0, 0),
    ("乙镇", 20, 6, 3, 0, 1, 2),
    ("丁镇", 3, 5, 0, 0, 0, 0),
];
const P3: &[Row] = &[
    ("甲镇", 30, 9, 2, 1, 0, 0),
    ("乙镇", 25, 8, 4, 0, 1, 2),
    ("丁镇", 40, 9, 1, 0, 0, 0),
];

/// (folder, start, end, issued) of each period for a window kind.
fn windows(consecutive: bool) -> [(&'static str, &'static str, &'static str, &'static str); 3] {
    let start = |own: &'static str| if consecutive { own } else { "2019-01-01" };
    [
        ("2019-q1", "2019-01-01", "2019-03-31", "2019-04-08"),
        ("2019-q2", start("2019-04-01"), "2019-06-30", "2019-07-08"),
        ("2019-q3", start("2019-07-01"), "2019-09-30", "2019-10-08"),
    ]
}

fn data(start: &str, end: &str, issued: &str, rows: &[Row]) -> String {
    let mut text = format!(
        "[period]\nstart = {start}\nend = {end}\nissued = {issued}\ndeadline = {issued}\n\n\
         [figures]\nnews = 1\nother = 1\n\n[tables.towns]\nrows = [\n"
    );
    for (name, disclosure, dynamic, missed, national, province, city) in rows {
        text.push_str(&format!(
            "  {{ unit = \"{name}\", disclosure = {disclosure}, dynamic = {dynamic}, \
             missed_weeks = {missed}, national = {national}, province = {province}, city = {city} }},\n"
        ));
    }
    text.push_str(
        "]\n\n[tables.departments]\nrows = [\n  { unit = \"气象局\", disclosure = 1, dynamic = 20, missed_weeks = 0 },\n]\n",
    );
    text
}

/// The shipped site with its period replaced by the three above, built.
fn built(consecutive: bool) -> (Site, PathBuf) {
    let site = Site::seed();
    let notice = site.read("content/2019-01-05/notice.md");
    fs::remove_dir_all(site.path("content/2019-01-05")).unwrap();
    if consecutive {
        let config = site.read("content/site.toml");
        site.write(
            "content/site.toml",
            &config.replace("window = \"year-to-date\"", "window = \"consecutive\""),
        );
    }
    for ((folder, start, end, issued), rows) in windows(consecutive).into_iter().zip([P1, P2, P3]) {
        site.write(
            &format!("content/{folder}/data.toml"),
            &data(start, end, issued, rows),
        );
        site.write(&format!("content/{folder}/notice.md"), &notice);
    }
    site.run(&["build"]).assert_success();
    let public = site.path("public");
    (site, public)
}

fn ledger_rows(public: &Path) -> Vec<Vec<String>> {
    table_rows(&read_html(&public.join("ledger/2019/index.html")), "towns")
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|cell| cell.to_string()).collect()
}

/// Year-to-date: each unit's yearly figure is its last one of the year
/// (丙, absent after P1, keeps P1's), never a sum. Points: highlight =
/// 5 national + 2 province + 0.5 city; weekly = −0.2 a missed week.
///
/// - 丁 (P3): 40, 9, 1 missed → weekly −0.2, total −0.2; in 2 of 3 periods.
/// - 甲 (P3): 30, 9, 2 missed, 1 national → 5, −0.4, total 4.6.
/// - 乙 (P3): 25, 8, 4 missed, 1 province, 2 city → 2 + 1 = 3, −0.8, total 2.2.
/// - 丙 (P1): 5, 4, 0 → 0, 0, 0; in 1 of 3.
#[test]
fn a_year_to_date_ledger_takes_each_units_last_figures() {
    let (_site, public) = built(false);
    assert_eq!(
        ledger_rows(&public),
        [
            row(&[
                "1", "丁镇", "40", "9", "1", "0", "0", "0", "0", "-0.2", "-0.2", "2/3"
            ]),
            row(&[
                "2", "甲镇", "30", "9", "2", "1", "0", "0", "5", "-0.4", "4.6", "3/3"
            ]),
            row(&[
                "3", "乙镇", "25", "8", "4", "0", "1", "2", "3", "-0.8", "2.2", "3/3"
            ]),
            row(&[
                "4", "丙镇", "5", "4", "0", "0", "0", "0", "0", "0", "0", "1/3"
            ]),
        ]
    );
    let page = read_html(&public.join("ledger/2019/index.html"));
    let header: Vec<String> = page
        .select(&selector("table[data-table='towns'] thead th"))
        .map(compact_text)
        .collect();
    assert_eq!(
        header,
        row(&[
            "名次",
            "镇街（园区）",
            "信息公开",
            "动态信息",
            "每周更新未达标次数",
            "国办",
            "省级",
            "市级",
            "政务公开亮点信息（分）",
            "每周更新未达标（分）",
            "合计得分",
            "列入期数"
        ])
    );
    let notes: Vec<String> = page
        .select(&selector("#table-towns .table-notes li"))
        .map(text)
        .collect();
    assert_eq!(
        notes[2],
        "政务公开亮点信息：国办每条加5分，省级每条加2分，市级每条加0.5分；"
    );
    assert_eq!(notes[3], "每周更新未达标：每周更新未达标次数每条扣0.2分；");
    assert_eq!(
        notes.last().unwrap(),
        "数据范围为2019年1月1日—2019年9月30日，共3期通报。"
    );
}

/// Consecutive: each yearly figure is the sum of the unit's periods.
///
/// - 乙: 8+20+25 = 53, 4+6+8 = 18, 2+3+4 = 9 missed, province 0+1+1 = 2,
///   city 1+2+2 = 5 → 4 + 2.5 = 6.5, −1.8, total 4.7.
/// - 甲: 52, 19, 5 missed, national 1 → 5, −1, total 4 (= the periods'
///   points −0.2 −0.4 + (5 −0.4) summed).
/// - 丁: 3+40 = 43, 14, 1 → 0, −0.2, −0.2; in 2 of 3.
/// - 丙: 5, 4, 0 → 0; in 1 of 3.
#[test]
fn a_consecutive_ledger_sums_the_periods() {
    let (_site, public) = built(true);
    assert_eq!(
        ledger_rows(&public),
        [
            row(&[
                "1", "乙镇", "53", "18", "9", "0", "2", "5", "6.5", "-1.8", "4.7", "3/3"
            ]),
            row(&[
                "2", "甲镇", "52", "19", "5", "1", "0", "0", "5", "-1", "4", "3/3"
            ]),
            row(&[
                "3", "丁镇", "43", "14", "1", "0", "0", "0", "0", "-0.2", "-0.2", "2/3"
            ]),
            row(&[
                "4", "丙镇", "5", "4", "0", "0", "0", "0", "0", "0", "0", "1/3"
            ]),
        ]
    );
    // The downloads are the page's table, cell for cell.
    let csv = fs::read_to_string(public.join("ledger/2019/towns.csv")).unwrap();
    let line = csv.lines().find(|line| line.contains("乙镇")).unwrap();
    assert_eq!(line, "1,乙镇,53,18,9,0,2,5,6.5,-1.8,4.7,3/3");
}

/// The unit page's history: each period's rank and its movement, shown as
/// a mark with words for screen readers.
#[test]
fn unit_pages_show_rank_movements() {
    let (_site, public) = built(false);
    let home = read_html(&public.join("index.html"));
    let ledger_link = home
        .select(&selector("section.year .year-ledger a"))
        .next()
        .unwrap();
    assert_eq!(
        ledger_link.value().attr("href"),
        Some("ledger/2019/index.html")
    );
    let ledger = read_html(&public.join("ledger/2019/index.html"));
    let page_of = |name: &str| {
        let link = ledger
            .select(&selector("table[data-table='towns'] tbody th a"))
            .find(|a| text(*a) == name)
            .unwrap();
        let href = link.value().attr("href").unwrap();
        read_html(&public.join("ledger/2019").join(href))
    };
    let movements = |page: &Html| -> Vec<(String, String, String)> {
        page.select(&selector("table.unit-history tbody tr"))
            .map(|tr| {
                let cells: Vec<_> = tr.select(&selector("td")).collect();
                let last = cells.last().unwrap();
                let mark = last
                    .select(&selector("span[aria-hidden='true']"))
                    .next()
                    .map(text)
                    .unwrap_or_default();
                let words = text(last.select(&selector(".visually-hidden")).next().unwrap());
                (text(cells[cells.len() - 2]), mark, words)
            })
            .collect()
    };
    let triple = |rank: &str, mark: &str, words: &str| {
        (rank.to_string(), mark.to_string(), words.to_string())
    };
    assert_eq!(
        movements(&page_of("甲镇")),
        [
            triple("1/3", "", "首期"),
            triple("2/3", "↓1", "下降1位"),
            triple("2/3", "—", "名次不变"),
        ]
    );
    assert_eq!(
        movements(&page_of("乙镇")),
        [
            triple("2/3", "", "首期"),
            triple("1/3", "↑1", "上升1位"),
            triple("3/3", "↓2", "下降2位"),
        ]
    );
    assert_eq!(
        movements(&page_of("丁镇")),
        [
            triple("3/3", "新", "上期未列入"),
            triple("1/3", "↑2", "上升2位")
        ]
    );
}

/// Every relative link of every page resolves to a file in the output,
/// and every unit name in every table links to its page.
#[test]
fn every_link_resolves_and_every_unit_name_links() {
    let (_site, public) = built(false);
    let files = tree(&public);
    let anchors = selector("a[href]");
    let mut units = 0;
    for path in files.keys().filter(|path| path.ends_with(".html")) {
        if path.ends_with("fragment.html") {
            continue;
        }
        let page = read_html(&public.join(path));
        let folder = public.join(path).parent().unwrap().to_path_buf();
        for link in page.select(&anchors) {
            let href = link.value().attr("href").unwrap();
            if href.starts_with('#') {
                continue;
            }
            let target = folder.join(href);
            assert!(target.is_file(), "{path}: {href}");
            if href.contains("units/") {
                units += 1;
            }
        }
        for name in page.select(&selector("table.scores tbody th")) {
            if !path.starts_with("units/") {
                assert!(
                    name.select(&anchors).next().is_some(),
                    "{path}: {}",
                    text(name)
                );
            }
        }
    }
    // Links to unit pages: 9 rows of the notices' town tables, 3 of their
    // department tables, and the ledger's 4 + 1 rows.
    assert_eq!(units, 9 + 3 + 5);
}

/// Each chart is well-formed SVG with its title and its summary, and
/// draws the numbers of the page's history table, to which its caption
/// points.
#[test]
fn charts_are_well_formed_and_carry_their_numbers() {
    let (_site, public) = built(false);
    let files = tree(&public);
    let page_path = files
        .keys()
        .filter(|path| path.starts_with("units/towns/"))
        .find(|path| {
            let page = read_html(&public.join(path.as_str()));
            text(page.select(&selector("h1")).next().unwrap()) == "甲镇"
        })
        .unwrap()
        .clone();
    let source = fs::read_to_string(public.join(&page_path)).unwrap();
    let svgs: Vec<&str> = source
        .match_indices("<svg ")
        .map(|(start, _)| {
            let end = source[start..].find("</svg>").unwrap() + start + "</svg>".len();
            &source[start..end]
        })
        .collect();
    // One chart per count column (6) and the rank chart.
    assert_eq!(svgs.len(), 7);
    let mut titles = Vec::new();
    for svg in &svgs {
        let document = roxmltree::Document::parse(svg).unwrap();
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        let title = root
            .children()
            .find(|node| node.has_tag_name("title"))
            .unwrap();
        let desc = root
            .children()
            .find(|node| node.has_tag_name("desc"))
            .unwrap();
        assert_eq!(
            root.attribute("aria-labelledby").unwrap(),
            format!(
                "{} {}",
                title.attribute("id").unwrap(),
                desc.attribute("id").unwrap()
            )
        );
        titles.push(title.text().unwrap().to_string());
    }
    assert_eq!(titles[0], "甲镇：信息公开");
    assert_eq!(titles[6], "甲镇：名次");
    let page = Html::parse_document(&source);
    // The numbers a chart draws are the history table's: its first count
    // column and its rank column (`rank/of`).
    let history: Vec<Vec<String>> = page
        .select(&selector("#history table tbody tr"))
        .map(|tr| tr.select(&selector("th, td")).map(text).collect())
        .collect();
    let column =
        |index: usize| -> Vec<String> { history.iter().map(|row| row[index].clone()).collect() };
    let periods = ["2019年1-3月份", "2019年1-6月份", "2019年1-9月份"];
    assert_eq!(column(0), periods);
    assert_eq!(column(1), ["10", "12", "30"]);
    let rank_column = history[0].len() - 2;
    assert_eq!(column(rank_column), ["1/3", "2/3", "2/3"]);
    // With three periods there is room for every marker and value, and
    // for every period's name under the axis.
    let drawn = |svg: &str| -> (usize, Vec<String>) {
        let document = roxmltree::Document::parse(svg).unwrap();
        let markers = document
            .descendants()
            .filter(|node| node.has_tag_name("circle"))
            .count();
        let printed = document
            .descendants()
            .filter(|node| node.has_tag_name("text") && node.attribute("font-size") == Some("11"))
            .filter_map(|node| node.text())
            .map(str::to_string)
            .collect();
        (markers, printed)
    };
    let with_periods = |values: [&str; 3]| -> Vec<String> {
        values
            .iter()
            .chain(&periods)
            .map(|text| text.to_string())
            .collect()
    };
    assert_eq!(drawn(svgs[0]), (3, with_periods(["10", "12", "30"])));
    assert_eq!(drawn(svgs[6]), (3, with_periods(["1", "2", "2"])));
    // Every chart's caption sends the reader to that table.
    let captions: Vec<String> = page
        .select(&selector("figure.chart figcaption a"))
        .map(|link| format!("{} {}", link.value().attr("href").unwrap(), text(link)))
        .collect();
    assert_eq!(captions, vec!["#history 上表".to_string(); 7]);
}
