//! Portal-ready output without a browser: the downloads, the portal
//! fragment, the sitemap and the feed, read back with real parsers and
//! compared with the notice page cell for cell.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{
    build_ok, built_seed, diagnostic, diagnostics, edit, page_table, read_html, read_text,
    selector, shipped_site, text, tongbao, tree,
};
use scraper::Html;

const SLUG: &str = "2019-01-05";
const TABLES: [&str; 2] = ["towns", "departments"];

fn notice_page(out: &Path) -> Html {
    read_html(&out.join(SLUG).join("index.html"))
}

fn csv_grid(path: &Path) -> Vec<Vec<String>> {
    let bytes = fs::read(path).expect("read csv");
    let body = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .expect("the CSV starts with a UTF-8 byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|record| {
            record
                .expect("csv record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// A workbook's first sheet, read back with calamine.
struct Sheet {
    /// The cells as the page shows them: numbers without a trailing `.0`,
    /// empty cells as empty text.
    grid: Vec<Vec<String>>,
    /// Which cells hold numbers.
    numeric: Vec<Vec<bool>>,
    /// Merged areas as (row, column, rows, columns), sorted.
    merged: Vec<(usize, usize, usize, usize)>,
}

fn read_sheet(path: &Path) -> Sheet {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).expect("sheet");
    let mut grid = Vec::new();
    let mut numeric = Vec::new();
    for row in range.rows() {
        grid.push(
            row.iter()
                .map(|cell| match cell {
                    Data::Float(number) => format!("{number}"),
                    Data::Int(number) => number.to_string(),
                    Data::String(text) => text.clone(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect(),
        );
        numeric.push(
            row.iter()
                .map(|cell| matches!(cell, Data::Float(_) | Data::Int(_)))
                .collect(),
        );
    }
    let mut merged: Vec<(usize, usize, usize, usize)> = workbook
        .merge_cells_by_sheet_name(&name)
        .expect("merged regions")
        .iter()
        .map(|area| {
            let (row, column) = (area.start.0 as usize, area.start.1 as usize);
            let (last_row, last_column) = (area.end.0 as usize, area.end.1 as usize);
            (row, column, last_row - row + 1, last_column - column + 1)
        })
        .collect();
    merged.sort();
    Sheet {
        grid,
        numeric,
        merged,
    }
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).expect("open")).expect("zip");
    let mut entry = archive.by_name(name).expect("entry");
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("utf-8 entry");
    text
}

#[test]
fn each_period_folder_holds_its_page_fragment_and_downloads() {
    let (_temp, out) = built_seed();
    let names: Vec<String> = tree(&out.join(SLUG)).into_keys().collect();
    assert_eq!(
        names,
        [
            "departments.csv",
            "departments.xlsx",
            "fragment.html",
            "index.html",
            "notice.docx",
            "towns.csv",
            "towns.xlsx"
        ]
    );
    assert!(out.join("sitemap.xml").is_file());
    assert!(out.join("atom.xml").is_file());
}

#[test]
fn two_builds_are_byte_identical_including_the_workbooks() {
    let (_first, one) = built_seed();
    let (_second, two) = built_seed();
    let (one, two) = (tree(&one), tree(&two));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(bytes == &two[path], "{path} differs between two builds");
    }
}

#[test]
fn csv_holds_the_page_table_title_header_rows_and_notes() {
    let (_temp, out) = built_seed();
    let page = notice_page(&out);
    for id in TABLES {
        let expected = page_table(&page, id).grid;
        let path = out.join(SLUG).join(format!("{id}.csv"));
        assert_eq!(csv_grid(&path), expected, "{id}.csv");
        let raw = fs::read(&path).expect("read");
        assert!(
            raw.windows(2).any(|pair| pair == b"\r\n"),
            "{id}.csv ends its lines with CRLF"
        );
    }
    // Spot-check one row against the seed: the computed bonus 2.5 included.
    let towns = csv_grid(&out.join(SLUG).join("towns.csv"));
    assert_eq!(
        towns[3],
        ["1", "十字路街道", "421", "70", "3", "", "1", "1", "2.5"]
    );
}

#[test]
fn xlsx_holds_the_page_table_with_numbers_and_merged_headers() {
    let (_temp, out) = built_seed();
    let page = notice_page(&out);
    for id in TABLES {
        let expected = page_table(&page, id);
        let path = out.join(SLUG).join(format!("{id}.xlsx"));
        let sheet = read_sheet(&path);
        assert_eq!(sheet.grid, expected.grid, "{id}.xlsx");
        // Every body cell but the unit's name and blank zeros is a number.
        for row in expected.body.clone() {
            for (column, cell) in sheet.grid[row].iter().enumerate() {
                let want = column != 1 && !cell.is_empty();
                assert_eq!(
                    sheet.numeric[row][column], want,
                    "{id}.xlsx row {row} col {column}"
                );
            }
        }
        let header = 1..=expected.header_rows;
        let merged: Vec<_> = sheet
            .merged
            .iter()
            .copied()
            .filter(|(row, ..)| header.contains(row))
            .collect();
        let mut spans = expected.spans.clone();
        spans.sort();
        assert_eq!(
            merged, spans,
            "{id}.xlsx merges exactly the page's spanning header cells"
        );
    }
}

/// The look of each body cell of a workbook's sheet, by (row, column) from
/// zero: its border and horizontal alignment, read from the sheet's style
/// index into `xl/styles.xml`.
fn body_looks(path: &Path, body: &std::ops::Range<usize>) -> Vec<Vec<(String, String)>> {
    let styles_xml = zip_entry(path, "xl/styles.xml");
    let styles = roxmltree::Document::parse(&styles_xml).expect("styles.xml");
    let cell_xfs = styles
        .descendants()
        .find(|node| node.has_tag_name("cellXfs"))
        .expect("cellXfs");
    let looks: Vec<(String, String)> = cell_xfs
        .children()
        .filter(|node| node.has_tag_name("xf"))
        .map(|xf| {
            let border = xf.attribute("borderId").unwrap_or("0").to_string();
            let align = xf
                .children()
                .find(|node| node.has_tag_name("alignment"))
                .and_then(|alignment| alignment.attribute("horizontal"))
                .unwrap_or("general")
                .to_string();
            (border, align)
        })
        .collect();
    let sheet_xml = zip_entry(path, "xl/worksheets/sheet1.xml");
    let sheet = roxmltree::Document::parse(&sheet_xml).expect("sheet1.xml");
    sheet
        .descendants()
        .filter(|node| node.has_tag_name("row"))
        .filter(|row| {
            let number: usize = row.attribute("r").expect("r").parse().expect("row number");
            body.contains(&(number - 1))
        })
        .map(|row| {
            row.children()
                .filter(|node| node.has_tag_name("c"))
                .map(|cell| {
                    let style: usize = cell.attribute("s").unwrap_or("0").parse().expect("s");
                    looks[style].clone()
                })
                .collect()
        })
        .collect()
}

/// Whether the format of the sheet's cell `name` (`B5`) has Excel's quote
/// prefix, which shows text as typed and never evaluates it.
fn quote_prefixed(path: &Path, name: &str) -> bool {
    let styles_xml = zip_entry(path, "xl/styles.xml");
    let styles = roxmltree::Document::parse(&styles_xml).expect("styles.xml");
    let formats: Vec<bool> = styles
        .descendants()
        .find(|node| node.has_tag_name("cellXfs"))
        .expect("cellXfs")
        .children()
        .filter(|node| node.has_tag_name("xf"))
        .map(|xf| xf.attribute("quotePrefix") == Some("1"))
        .collect();
    let sheet_xml = zip_entry(path, "xl/worksheets/sheet1.xml");
    let sheet = roxmltree::Document::parse(&sheet_xml).expect("sheet1.xml");
    let cell = sheet
        .descendants()
        .find(|node| node.has_tag_name("c") && node.attribute("r") == Some(name))
        .unwrap_or_else(|| panic!("no cell {name}"));
    let style: usize = cell.attribute("s").unwrap_or("0").parse().expect("s");
    formats[style]
}

#[test]
fn every_body_cell_of_the_xlsx_is_boxed_names_left_numbers_centred() {
    let (_temp, out) = built_seed();
    let page = notice_page(&out);
    for id in TABLES {
        let expected = page_table(&page, id);
        let path = out.join(SLUG).join(format!("{id}.xlsx"));
        let body = expected.body.clone();
        let looks = body_looks(&path, &body);
        assert_eq!(looks.len(), body.len(), "{id}.xlsx body rows");
        let width = expected.grid[body.start].len();
        for (row, cells) in looks.iter().enumerate() {
            // A thin border on every cell, blank ones too; the unit's
            // name on the left, every number centred.
            let want: Vec<(String, String)> = (0..width)
                .map(|column| {
                    let align = if column == 1 { "left" } else { "center" };
                    ("1".to_string(), align.to_string())
                })
                .collect();
            assert_eq!(cells, &want, "{id}.xlsx body row {row}");
        }
    }
}

#[test]
fn xlsx_is_dated_by_the_notice_not_by_the_clock() {
    let (_temp, out) = built_seed();
    let core = zip_entry(&out.join(SLUG).join("towns.xlsx"), "docProps/core.xml");
    assert_eq!(xml_texts(&core, "created"), ["2019-06-05T00:00:00Z"]);
    let doc = roxmltree::Document::parse(&core).expect("well-formed core properties");
    let created = doc
        .descendants()
        .find(|node| node.has_tag_name("created"))
        .expect("a creation date");
    let schema_instance = "http://www.w3.org/2001/XMLSchema-instance";
    assert_eq!(
        created.attribute((schema_instance, "type")),
        Some("dcterms:W3CDTF")
    );
    assert_eq!(xml_texts(&core, "creator"), ["莒南县人民政府办公室"]);
}

#[test]
fn formula_like_unit_names_are_neutralised_in_both_downloads() {
    let site = shipped_site();
    let data = site.path().join("content").join(SLUG).join("data.toml");
    edit(
        &data,
        "unit = \"板泉镇\"",
        "unit = \"=HYPERLINK(\\\"http://x\\\")\"",
    );
    edit(&data, "unit = \"洮边镇\"", "unit = \"@SUM(1)\"");
    edit(&data, "unit = \"大店镇\"", "unit = \"-大店镇\"");
    let out = site.path().join("public");
    let result = tongbao(site.path(), &["build"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let csv = csv_grid(&out.join(SLUG).join("towns.csv"));
    let names: Vec<&str> = csv[4..7].iter().map(|row| row[1].as_str()).collect();
    assert_eq!(
        names,
        ["'=HYPERLINK(\"http://x\")", "'@SUM(1)", "临港产业园"]
    );
    assert_eq!(csv[7][1], "'-大店镇");

    let xlsx = out.join(SLUG).join("towns.xlsx");
    let sheet = read_sheet(&xlsx);
    assert_eq!(
        sheet.grid[4][1], "=HYPERLINK(\"http://x\")",
        "stored as text, as typed"
    );
    let sheet = zip_entry(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "no cell is a formula: {sheet}");
    // The formula-like names carry Excel's quote prefix; the others do not.
    let quoted: Vec<bool> = ["B5", "B6", "B7", "B8", "B4"]
        .iter()
        .map(|cell| quote_prefixed(&xlsx, cell))
        .collect();
    assert_eq!(quoted, [true, true, false, true, false]);

    // The page shows the names as they are.
    let page = notice_page(&out);
    let names: Vec<String> = page
        .select(&selector("table[data-table=\"towns\"] tbody th"))
        .take(2)
        .map(text)
        .collect();
    assert_eq!(names, ["十字路街道", "=HYPERLINK(\"http://x\")"]);
}

#[test]
fn the_page_links_each_table_download_and_the_feed() {
    let (_temp, out) = built_seed();
    let page = notice_page(&out);
    let links: Vec<(String, String)> = page
        .select(&selector(".downloads a"))
        .map(|a| {
            (
                a.value().attr("href").unwrap_or_default().to_string(),
                a.value().attr("download").unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            (
                "notice.docx",
                "关于2019年1-5月份政务公开随机抽查情况的通报.docx"
            ),
            (
                "towns.csv",
                "附件1 2019年1-5月份镇街（园区）网站内容保障情况通报表.csv"
            ),
            (
                "towns.xlsx",
                "附件1 2019年1-5月份镇街（园区）网站内容保障情况通报表.xlsx"
            ),
            (
                "departments.csv",
                "附件2 2019年1-5月份部门（单位）网站内容保障情况通报表.csv"
            ),
            (
                "departments.xlsx",
                "附件2 2019年1-5月份部门（单位）网站内容保障情况通报表.xlsx"
            ),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    for (href, _) in &links {
        assert!(out.join(SLUG).join(href).is_file(), "{href} exists");
    }
    let home = read_html(&out.join("index.html"));
    let feed = home
        .select(&selector(
            "link[rel=alternate][type=\"application/atom+xml\"]",
        ))
        .next()
        .expect("the home page announces the feed");
    assert_eq!(feed.value().attr("href"), Some("atom.xml"));
    let time = home
        .select(&selector(".notice-list time"))
        .next()
        .expect("date");
    assert_eq!(time.value().attr("datetime"), Some("2019-06-05"));
}

#[test]
fn the_fragment_has_inline_styles_only_and_the_page_tables() {
    let (_temp, out) = built_seed();
    let html = read_text(&out.join(SLUG).join("fragment.html"));
    assert!(!html.contains("<!DOCTYPE"), "a fragment, not a document");
    let fragment = Html::parse_fragment(&html);
    for element in fragment
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = element.value().name();
        assert!(
            !["style", "script", "link", "meta"].contains(&name),
            "the fragment has a <{name}>"
        );
        assert!(
            element.value().attr("class").is_none(),
            "<{name}> has a class"
        );
        assert!(element.value().attr("id").is_none(), "<{name}> has an id");
    }
    for name in ["p", "h2", "strong", "table", "th", "td", "caption"] {
        let elements: Vec<_> = fragment.select(&selector(name)).collect();
        assert!(!elements.is_empty(), "the fragment has <{name}>");
        for element in elements {
            assert!(
                element.value().attr("style").is_some(),
                "<{name}> is styled inline"
            );
        }
    }
    let body: Vec<String> = fragment.select(&selector("p")).map(text).collect();
    assert_eq!(
        body[0],
        "各镇街人民政府（办事处），县政府各部门、单位，莒南经济开发区管委会，临港产业园管委会："
    );
    assert!(body.contains(&"2019年6月5日".to_string()), "{body:?}");
    let headings: Vec<String> = fragment.select(&selector("h2")).map(text).collect();
    assert_eq!(
        headings,
        ["一、基本情况", "二、存在的问题", "三、整改工作要求"]
    );

    // The tables: the same cells as the page, in the same order.
    let page = notice_page(&out);
    let cells = |html: &Html, table: &str| -> Vec<String> {
        html.select(&selector(&format!("{table} th, {table} td")))
            .map(text)
            .collect()
    };
    let page_cells = cells(&page, "table.scores");
    let fragment_cells = cells(&fragment, "table");
    assert_eq!(fragment_cells, page_cells);
    // Every cell has the same border: the header cells read it from the
    // template's `cell`, the body cells write it out.
    let borders: BTreeSet<String> = fragment
        .select(&selector("table th, table td"))
        .filter_map(|cell| cell.value().attr("style"))
        .map(|style| style.split(';').take(2).collect::<Vec<_>>().join(";"))
        .collect();
    assert_eq!(borders.len(), 1, "{borders:?}");
    assert!(
        borders.iter().all(|border| border.starts_with("border:")),
        "{borders:?}"
    );
    let captions: Vec<String> = fragment.select(&selector("caption")).map(text).collect();
    assert_eq!(
        captions,
        [
            "2019年1-5月份镇街（园区）网站内容保障情况通报表",
            "2019年1-5月份部门（单位）网站内容保障情况通报表"
        ]
    );
    // Without a base URL the downloads cannot be linked from a portal page.
    assert_eq!(fragment.select(&selector("a")).count(), 0);
}

#[test]
fn a_theme_fragment_with_a_class_is_refused_and_nothing_is_written() {
    let site = shipped_site();
    let theme = site.path().join("themes").join("county").join("templates");
    fs::create_dir_all(&theme).expect("theme dir");
    fs::write(
        theme.join("fragment.html"),
        "<div class=\"notice\">{{ notice.body | safe }}</div>\n<style>p {}</style>\n",
    )
    .expect("write template");
    edit(
        &site.path().join("content").join("site.toml"),
        "theme = \"default\"",
        "theme = \"county\"",
    );
    let out = site.path().join("public");
    let result = tongbao(site.path(), &["build"]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(
        diagnostics(&stderr).contains(&diagnostic(
            "错误：主题模板 fragment.html 生成的门户片段（2019-01-05/fragment.html）不能直接粘贴：<div> 带有 class 属性；含有 <style> 元素",
            "themes/county/templates/fragment.html:1:1"
        )),
        "{stderr}"
    );
    assert!(!out.exists(), "a refused build writes nothing");
}

/// The text of every `tag` element (by local name) of an XML document, in
/// document order.
fn xml_texts(xml: &str, tag: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .filter(|node| node.has_tag_name(tag))
        .map(|node| node.text().unwrap_or_default().to_string())
        .collect()
}

/// Every `<link>` of an Atom feed as (rel, href), in document order.
fn feed_links(path: &Path) -> Vec<(String, String)> {
    let xml = read_text(path);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed feed");
    doc.descendants()
        .filter(|node| node.has_tag_name("link"))
        .map(|node| {
            let attribute = |name| node.attribute(name).unwrap_or_default().to_string();
            (attribute("rel"), attribute("href"))
        })
        .collect()
}

/// The unit pages under `out/units/`, as paths from `out`, sorted.
fn unit_pages(out: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(out.join("units"))
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.ends_with("index.html"))
        .map(|path| {
            let relative = path.strip_prefix(out).unwrap();
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

fn link(rel: &str, href: &str) -> (String, String) {
    (rel.to_string(), href.to_string())
}

#[test]
fn sitemap_and_feed_stay_relative_without_a_base_url() {
    let (_temp, out) = built_seed();
    let sitemap = out.join("sitemap.xml");
    let locs = xml_texts(&read_text(&sitemap), "loc");
    assert_eq!(
        locs[..3],
        [
            "index.html",
            "2019-01-05/index.html",
            "ledger/2019/index.html"
        ]
    );
    // Then every unit's page, 14 towns and 46 departments, in path order.
    let units = unit_pages(&out);
    assert_eq!(units.len(), 60);
    assert_eq!(locs[3..], units);
    assert_eq!(
        xml_texts(&read_text(&sitemap), "lastmod"),
        vec!["2019-06-05"; 63]
    );

    let atom = read_text(&out.join("atom.xml"));
    let doc = roxmltree::Document::parse(&atom).expect("well-formed feed");
    let feed = doc.root_element();
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let child = |node: roxmltree::Node<'_, '_>, name: &str| -> String {
        node.children()
            .find(|child| child.has_tag_name(name))
            .and_then(|child| child.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(child(feed, "updated"), "2019-06-05T00:00:00+08:00");
    assert!(child(feed, "id").starts_with("urn:uuid:"));
    let entries: Vec<_> = feed
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        child(entries[0], "title"),
        "关于2019年1-5月份政务公开随机抽查情况的通报"
    );
    assert_eq!(
        feed_links(&out.join("atom.xml")),
        [
            link("alternate", "index.html"),
            link("alternate", "2019-01-05/index.html")
        ]
    );
}

#[test]
fn a_base_url_makes_sitemap_feed_and_fragment_links_absolute() {
    let site = shipped_site();
    edit(
        &site.path().join("content").join("site.toml"),
        "# base_url = \"http://www.junan.gov.cn/tongbao/\"",
        "base_url = \"http://www.junan.gov.cn/tongbao\"",
    );
    build_ok(site.path());
    let out = site.path().join("public");
    let base = "http://www.junan.gov.cn/tongbao/";

    let locs = xml_texts(&read_text(&out.join("sitemap.xml")), "loc");
    assert_eq!(
        locs[..3],
        [
            format!("{base}index.html"),
            format!("{base}2019-01-05/index.html"),
            format!("{base}ledger/2019/index.html"),
        ]
    );
    let units: Vec<String> = unit_pages(&out)
        .iter()
        .map(|page| format!("{base}{page}"))
        .collect();
    assert_eq!(locs[3..], units);
    assert_eq!(
        feed_links(&out.join("atom.xml")),
        [
            link("alternate", &format!("{base}index.html")),
            link("self", &format!("{base}atom.xml")),
            link("alternate", &format!("{base}2019-01-05/index.html")),
        ]
    );
    // The ids (the feed's and the entry's) do not change with the address.
    let (_temp, plain) = built_seed();
    let ids = xml_texts(&read_text(&out.join("atom.xml")), "id");
    assert_eq!(ids.len(), 2);
    assert_eq!(ids, xml_texts(&read_text(&plain.join("atom.xml")), "id"));

    let fragment = Html::parse_fragment(&read_text(&out.join(SLUG).join("fragment.html")));
    let hrefs: Vec<&str> = fragment
        .select(&selector("a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    // Each unit's name links to its page, absolute too (tests/ledger.rs
    // checks the pages exist); the other links are the files'.
    let (units, files): (Vec<&str>, Vec<&str>) = hrefs
        .iter()
        .partition(|href| href.starts_with(&format!("{base}units/")));
    assert_eq!(units.len(), 60);
    assert_eq!(
        files,
        [
            format!("{base}2019-01-05/notice.docx"),
            format!("{base}2019-01-05/towns.csv"),
            format!("{base}2019-01-05/towns.xlsx"),
            format!("{base}2019-01-05/departments.csv"),
            format!("{base}2019-01-05/departments.xlsx"),
        ]
    );
    // The page itself keeps relative links, so it works from any copy.
    let page = notice_page(&out);
    let hrefs: Vec<&str> = page
        .select(&selector(".downloads a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "notice.docx",
            "towns.csv",
            "towns.xlsx",
            "departments.csv",
            "departments.xlsx"
        ]
    );
}

#[test]
fn a_table_id_that_cannot_name_a_file_is_refused() {
    let site = shipped_site();
    edit(
        &site.path().join("content").join("site.toml"),
        "id = \"towns\"",
        "id = \"towns/2\"",
    );
    let config = read_text(&site.path().join("content").join("site.toml"));
    let line = 1 + config
        .lines()
        .position(|line| line == "id = \"towns/2\"")
        .expect("the edited line");
    let result = tongbao(site.path(), &["build"]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(
        diagnostics(&stderr).contains(&diagnostic(
            "错误：表格编号 “towns/2” 不可用",
            &format!("content/site.toml:{line}:6")
        )),
        "{stderr}"
    );
}
