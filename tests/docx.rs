//! The notice as a Word document (`notice.docx`): its WordprocessingML read
//! back with zip and roxmltree, and LibreOffice's PDF of it read back with
//! poppler, as a clerk would open and print it.
//!
//! The PDF test needs LibreOffice (`libreoffice-writer-nogui`), the Noto
//! CJK fonts and poppler-utils, which `.ci/run` installs; without them it
//! says SKIPPED, unless `TONGBAO_REQUIRE_BROWSER=1` makes that a failure.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{
    TextBox as Word, assert_a4, build_ok, built_seed, edit, page_table, read_html, repository,
    run_tool, shipped_site, table_rows, tools_present,
};
use roxmltree::{Document, Node};
use scraper::Html;

const SLUG: &str = "2019-01-05";
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const TABLES: [&str; 2] = ["towns", "departments"];

fn docx_path(out: &Path) -> PathBuf {
    out.join(SLUG).join("notice.docx")
}

/// Every entry of a zip file: name and text, in the file's order.
fn entries(path: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).expect("open")).expect("zip");
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).expect("entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("utf-8 entry");
            (entry.name().expect("entry name").to_string(), text)
        })
        .collect()
}

fn part(path: &Path, name: &str) -> String {
    entries(path)
        .into_iter()
        .find(|(entry, _)| entry == name)
        .unwrap_or_else(|| panic!("{name} in {}", path.display()))
        .1
}

fn parse(xml: &str) -> Document<'_> {
    Document::parse(xml).expect("well-formed XML")
}

fn is(node: &Node, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(W) && node.tag_name().name() == name
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|child| is(child, name))
}

/// The `w:val` of the element at `path` under `node`, e.g. `["pPr", "jc"]`.
fn val<'a>(node: Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    let mut at = node;
    for name in path {
        at = child(at, name)?;
    }
    at.attribute((W, "val"))
}

/// A paragraph's (or cell's) text: tabs as `\t`, line breaks as `\n`.
fn text_of(node: Node) -> String {
    node.descendants()
        .filter_map(|n| {
            if is(&n, "t") {
                n.text().map(str::to_string)
            } else if is(&n, "tab") && n.parent().is_some_and(|p| is(&p, "r")) {
                Some("\t".to_string())
            } else if is(&n, "br") {
                Some("\n".to_string())
            } else {
                None
            }
        })
        .collect()
}

fn body<'a, 'i>(document: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    let body = document
        .descendants()
        .find(|node| is(node, "body"))
        .expect("w:body");
    body.children().filter(Node::is_element).collect()
}

/// The paragraphs of the body before the first appendix, with their style.
fn notice_paragraphs(document: &Document) -> Vec<(String, String)> {
    body(document)
        .into_iter()
        .filter(|node| is(node, "p"))
        .map(|p| {
            (
                val(p, &["pPr", "pStyle"]).unwrap_or("").to_string(),
                text_of(p),
            )
        })
        .take_while(|(style, _)| style != "AppendixLabel")
        .filter(|(_, text)| !text.is_empty())
        .collect()
}

fn seed_docx() -> (tempfile::TempDir, PathBuf) {
    let (site, out) = built_seed();
    let path = docx_path(&out);
    (site, path)
}

#[test]
fn the_document_holds_the_notice_in_the_order_of_gbt_9704() {
    let (_site, path) = seed_docx();
    let xml = part(&path, "word/document.xml");
    let document = parse(&xml);
    let paragraphs = notice_paragraphs(&document);
    let expected_body =
        fs::read_to_string(repository().join("tests/expected/seed-body.txt")).expect("seed body");
    let mut expected: Vec<(&str, String)> = vec![
        ("Issuer", "莒南县人民政府办公室".to_string()),
        (
            "Title",
            "关于2019年1-5月份政务公开\n随机抽查情况的通报".to_string(),
        ),
        (
            "Addressees",
            "各镇街人民政府（办事处），县政府各部门、单位，莒南经济开发区管委会，临港产业园管委会："
                .to_string(),
        ),
    ];
    for line in expected_body.lines().filter(|line| !line.starts_with('#')) {
        let style = if line.starts_with(['一', '二', '三']) && line.contains('、') {
            "Heading1"
        } else {
            "Normal"
        };
        expected.push((style, line.to_string()));
    }
    expected.extend([
        ("Normal", "联系科室：县政府办公室政务公开办".to_string()),
        ("Normal", "联系电话：7215008".to_string()),
        (
            "Normal",
            "附件：1.\t2019年1-5月份镇街（园区）网站内容保障情况通报表".to_string(),
        ),
        (
            "Normal",
            "2.\t2019年1-5月份部门（单位）网站内容保障情况通报表".to_string(),
        ),
        ("Normal", "莒南县人民政府办公室".to_string()),
        ("Normal", "2019年6月5日".to_string()),
    ]);
    // The body's Markdown has spaces around figures that the seed's text
    // (whitespace removed) lacks.
    let actual: Vec<(&str, String)> = paragraphs
        .iter()
        .map(|(style, text)| {
            let compact = if style == "Title" || text.contains('\t') {
                text.clone()
            } else {
                text.split_whitespace().collect()
            };
            (style.as_str(), compact)
        })
        .collect();
    assert_eq!(actual, expected);

    // Each appendix starts a page with its label and title.
    let labels: Vec<(String, String)> = body(&document)
        .into_iter()
        .filter(|node| is(node, "p"))
        .map(|p| {
            (
                val(p, &["pPr", "pStyle"]).unwrap_or("").to_string(),
                text_of(p),
            )
        })
        .filter(|(style, _)| style.starts_with("Appendix"))
        .collect();
    assert_eq!(
        labels,
        [
            ("AppendixLabel", "附件1"),
            (
                "AppendixTitle",
                "2019年1-5月份镇街（园区）网站内容保障情况通报表"
            ),
            ("AppendixLabel", "附件2"),
            (
                "AppendixTitle",
                "2019年1-5月份部门（单位）网站内容保障情况通报表"
            ),
        ]
        .map(|(style, text)| (style.to_string(), text.to_string()))
    );
}

/// A style of `styles.xml` by id.
fn style<'a, 'i>(styles: &'a Document<'i>, id: &str) -> Node<'a, 'i> {
    styles
        .descendants()
        .find(|node| is(node, "style") && node.attribute((W, "styleId")) == Some(id))
        .unwrap_or_else(|| panic!("style {id}"))
}

/// A run-properties node's East Asian font and size in half-points.
fn font_and_size(properties: Node) -> (Option<String>, Option<String>) {
    let font = child(properties, "rFonts")
        .and_then(|fonts| fonts.attribute((W, "eastAsia")))
        .map(str::to_string);
    (font, val(properties, &["sz"]).map(str::to_string))
}

fn style_font(styles: &Document, id: &str) -> (Option<String>, Option<String>) {
    font_and_size(child(style(styles, id), "rPr").expect("rPr"))
}

fn owned(font: &str, size: Option<&str>) -> (Option<String>, Option<String>) {
    (Some(font.to_string()), size.map(str::to_string))
}

#[test]
fn fonts_and_sizes_follow_the_standard_as_east_asian_fonts_with_fallbacks() {
    let (_site, path) = seed_docx();
    let styles_xml = part(&path, "word/styles.xml");
    let styles = parse(&styles_xml);
    let defaults = styles
        .descendants()
        .find(|node| is(node, "rPrDefault"))
        .and_then(|node| child(node, "rPr"))
        .expect("default run properties");
    assert_eq!(font_and_size(defaults), owned("仿宋_GB2312", Some("32")));
    assert_eq!(
        child(defaults, "lang").and_then(|lang| lang.attribute((W, "eastAsia"))),
        Some("zh-CN")
    );
    for (id, font, size) in [
        ("Normal", "仿宋_GB2312", Some("32")),
        ("Issuer", "方正小标宋简体", Some("60")),
        ("Title", "方正小标宋简体", Some("44")),
        ("Heading1", "黑体", None),
        ("Heading2", "楷体_GB2312", None),
        ("RunIn", "楷体_GB2312", None),
        ("AppendixLabel", "黑体", None),
        ("AppendixTitle", "方正小标宋简体", Some("44")),
        ("TableText", "仿宋_GB2312", Some("21")),
        ("TableHeading", "黑体", None),
        ("PageNumber", "宋体", Some("28")),
    ] {
        assert_eq!(style_font(&styles, id), owned(font, size), "style {id}");
    }
    let issuer = style(&styles, "Issuer");
    assert_eq!(val(issuer, &["rPr", "color"]), Some("FF0000"));
    let rule = child(issuer, "pPr")
        .and_then(|p| child(p, "pBdr"))
        .and_then(|b| child(b, "bottom"))
        .expect("the red rule under the issuer");
    assert_eq!(rule.attribute((W, "color")), Some("FF0000"));

    // A heading paragraph names its level's style, a run-in heading its
    // character style.
    let document_xml = part(&path, "word/document.xml");
    let document = parse(&document_xml);
    let styled = |text: &str| {
        document
            .descendants()
            .filter(|node| is(node, "p"))
            .find(|p| text_of(*p).starts_with(text))
            .unwrap_or_else(|| panic!("a paragraph starting {text}"))
    };
    assert_eq!(
        val(styled("一、基本情况"), &["pPr", "pStyle"]),
        Some("Heading1")
    );
    let run_in = styled("（一）对政务公开工作重视程度不够")
        .children()
        .find(|node| is(node, "r"))
        .expect("a run");
    assert_eq!(text_of(run_in), "（一）对政务公开工作重视程度不够");
    assert_eq!(val(run_in, &["rPr", "rStyle"]), Some("RunIn"));

    // Every font is declared Chinese, the standard's with the font Word or
    // WPS takes where it is missing.
    let table_xml = part(&path, "word/fontTable.xml");
    let table = parse(&table_xml);
    let fonts: BTreeMap<&str, (Option<&str>, Option<&str>)> = table
        .descendants()
        .filter(|node| is(node, "font"))
        .map(|font| {
            (
                font.attribute((W, "name")).unwrap_or(""),
                (val(font, &["altName"]), val(font, &["charset"])),
            )
        })
        .collect();
    assert_eq!(
        fonts,
        BTreeMap::from([
            ("仿宋_GB2312", (Some("仿宋"), Some("86"))),
            ("宋体", (None, Some("86"))),
            ("方正小标宋简体", (Some("宋体"), Some("86"))),
            ("楷体_GB2312", (Some("楷体"), Some("86"))),
            ("黑体", (None, Some("86"))),
        ])
    );
}

/// A table's cells as the page lays them out: each cell's text at its first
/// row and column, and each spanning cell as (row, column, rows, columns),
/// from `w:gridSpan` and `w:vMerge`.
struct Grid {
    rows: Vec<Vec<String>>,
    spans: Vec<(usize, usize, usize, usize)>,
    repeated: Vec<bool>,
    /// Each body cell's `w:jc`, by row.
    alignment: Vec<Vec<String>>,
}

fn grid(table: Node) -> Grid {
    let mut rows = Vec::new();
    let mut repeated = Vec::new();
    let mut alignment = Vec::new();
    // (row, column) of a cell → its (rows, columns), while merges are open.
    let mut open: BTreeMap<usize, (usize, usize, usize)> = BTreeMap::new();
    let mut spans = Vec::new();
    for (row_index, row) in table.children().filter(|n| is(n, "tr")).enumerate() {
        repeated.push(
            child(row, "trPr")
                .and_then(|p| child(p, "tblHeader"))
                .is_some(),
        );
        let mut texts = Vec::new();
        let mut aligns = Vec::new();
        let mut column = 0;
        for cell in row.children().filter(|n| is(n, "tc")) {
            let properties = child(cell, "tcPr").expect("tcPr");
            let columns: usize =
                val(properties, &["gridSpan"]).map_or(1, |v| v.parse().expect("span"));
            match child(properties, "vMerge").map(|m| m.attribute((W, "val"))) {
                Some(Some("restart")) => {
                    open.insert(column, (row_index, 1, columns));
                }
                Some(_) => {
                    let merge = open.get_mut(&column).expect("a merge to continue");
                    merge.1 += 1;
                }
                None => {
                    if let Some((start, height, width)) = open.remove(&column) {
                        spans.push((start, column, height, width));
                    }
                    if columns > 1 {
                        spans.push((row_index, column, 1, columns));
                    }
                }
            }
            texts.push(text_of(cell));
            texts.extend(std::iter::repeat_n(String::new(), columns - 1));
            let paragraph = child(cell, "p").expect("a paragraph");
            aligns.push(val(paragraph, &["pPr", "jc"]).unwrap_or("").to_string());
            column += columns;
        }
        rows.push(texts);
        alignment.push(aligns);
    }
    spans.extend(
        open.into_iter()
            .map(|(column, (start, height, width))| (start, column, height, width)),
    );
    spans.sort();
    Grid {
        rows,
        spans,
        repeated,
        alignment,
    }
}

fn tables(document: &Document) -> Vec<Grid> {
    body(document)
        .into_iter()
        .filter(|node| is(node, "tbl"))
        .map(grid)
        .collect()
}

#[test]
fn tables_repeat_their_header_rows_and_keep_the_page_cells_and_merges() {
    let (_site, out) = built_seed();
    let page: Html = read_html(&out.join(SLUG).join("index.html"));
    let xml = part(&docx_path(&out), "word/document.xml");
    let document = parse(&xml);
    let grids = tables(&document);
    assert_eq!(grids.len(), 2);
    for (grid, id) in grids.iter().zip(TABLES) {
        let expected = page_table(&page, id);
        let headers = expected.header_rows;
        assert_eq!(headers, 2, "{id}");
        // Exactly the header rows repeat on every page.
        let mut repeated = vec![true; headers];
        repeated.resize(grid.rows.len(), false);
        assert_eq!(grid.repeated, repeated, "{id}: w:tblHeader");
        // The header rows, their text where the page puts it, and merges.
        assert_eq!(
            grid.rows[..headers],
            expected.grid[1..=headers],
            "{id}: header text"
        );
        // The page's spans count the title line as grid row 0.
        let page_spans: Vec<_> = expected
            .spans
            .iter()
            .map(|(row, column, rows, columns)| (row - 1, *column, *rows, *columns))
            .collect();
        assert_eq!(grid.spans, page_spans, "{id}: merged header cells");
        // Body rows cell for cell, blank cells blank; figures right-aligned.
        assert_eq!(grid.rows[headers..], table_rows(&page, id), "{id}: rows");
        for (row, aligns) in grid.alignment[headers..].iter().enumerate() {
            let mut expected = vec!["right", "left"];
            expected.resize(aligns.len(), "right");
            assert_eq!(aligns, &expected, "{id}: alignment of row {row}");
        }
    }
}

#[test]
fn page_numbers_sit_right_on_odd_pages_and_left_on_even_pages() {
    let (_site, path) = seed_docx();
    let settings_xml = part(&path, "word/settings.xml");
    assert!(
        parse(&settings_xml)
            .descendants()
            .any(|node| is(&node, "evenAndOddHeaders")),
        "{settings_xml}"
    );
    let rels_xml = part(&path, "word/_rels/document.xml.rels");
    let rels = parse(&rels_xml);
    let target = |id: &str| -> String {
        let relationship = rels
            .descendants()
            .find(|node| node.attribute("Id") == Some(id))
            .unwrap_or_else(|| panic!("relationship {id}"));
        format!("word/{}", relationship.attribute("Target").expect("target"))
    };
    let document_xml = part(&path, "word/document.xml");
    let document = parse(&document_xml);
    let section = document
        .descendants()
        .find(|node| is(node, "sectPr"))
        .expect("sectPr");
    let footers: BTreeMap<&str, String> = section
        .children()
        .filter(|node| is(node, "footerReference"))
        .map(|reference| {
            (
                reference.attribute((W, "type")).expect("type"),
                target(reference.attribute((R, "id")).expect("r:id")),
            )
        })
        .collect();
    assert_eq!(
        footers.keys().copied().collect::<Vec<_>>(),
        ["default", "even"]
    );
    for (kind, side) in [("default", "right"), ("even", "left")] {
        let xml = part(&path, &footers[kind]);
        let footer = parse(&xml);
        let paragraph = footer
            .descendants()
            .find(|node| is(node, "p"))
            .expect("a paragraph");
        assert_eq!(val(paragraph, &["pPr", "pStyle"]), Some("PageNumber"));
        assert_eq!(val(paragraph, &["pPr", "jc"]), Some(side), "{kind}");
        let indent = child(paragraph, "pPr")
            .and_then(|p| child(p, "ind"))
            .and_then(|ind| ind.attribute((W, side)));
        assert_eq!(indent, Some("280"), "{kind}: one 4号 character in");
        assert_eq!(text_of(paragraph), "— 1 —", "{kind}");
        let instructions: Vec<&str> = paragraph
            .descendants()
            .filter(|node| is(node, "instrText"))
            .filter_map(|node| node.text())
            .collect();
        assert_eq!(instructions, [" PAGE "], "{kind}");
        let fields: Vec<&str> = paragraph
            .descendants()
            .filter(|node| is(node, "fldChar"))
            .filter_map(|node| node.attribute((W, "fldCharType")))
            .collect();
        assert_eq!(fields, ["begin", "separate", "end"], "{kind}");
    }
    // A4 with the standard's margins, 22 lines to the page.
    let size = child(section, "pgSz").expect("pgSz");
    assert_eq!(
        (size.attribute((W, "w")), size.attribute((W, "h"))),
        (Some("11906"), Some("16838"))
    );
    let margins = child(section, "pgMar").expect("pgMar");
    let margin = |side: &str| margins.attribute((W, side));
    assert_eq!(
        [
            margin("top"),
            margin("bottom"),
            margin("left"),
            margin("right")
        ],
        [Some("2098"), Some("1984"), Some("1587"), Some("1474")]
    );
    let grid = child(section, "docGrid").expect("docGrid");
    assert_eq!(grid.attribute((W, "type")), Some("lines"));
    assert_eq!(grid.attribute((W, "linePitch")), Some("579"));
}

#[test]
fn two_builds_give_the_same_bytes_dated_by_the_notice_not_the_clock() {
    let (_one, first) = built_seed();
    let (_two, second) = built_seed();
    let bytes = fs::read(docx_path(&first)).expect("first");
    assert_eq!(bytes, fs::read(docx_path(&second)).expect("second"));

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut names = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).expect("entry");
        let time = entry.last_modified().expect("a time");
        assert_eq!(
            (
                time.year(),
                time.month(),
                time.day(),
                time.hour(),
                time.minute()
            ),
            (2019, 6, 5, 0, 0),
            "{}",
            entry.name().expect("entry name")
        );
        names.push(entry.name().expect("entry name").to_string());
    }
    assert_eq!(names[0], "[Content_Types].xml");
    let core_xml = part(&docx_path(&first), "docProps/core.xml");
    let core = parse(&core_xml);
    let dates: Vec<(&str, &str)> = core
        .descendants()
        .filter(|node| ["created", "modified"].contains(&node.tag_name().name()))
        .map(|node| (node.tag_name().name(), node.text().unwrap_or("")))
        .collect();
    assert_eq!(
        dates,
        [
            ("created", "2019-06-05T00:00:00Z"),
            ("modified", "2019-06-05T00:00:00Z")
        ]
    );
}

#[test]
fn markup_in_the_text_stays_text() {
    let site = shipped_site();
    let notice = site.path().join("content").join(SLUG).join("notice.md");
    edit(
        &notice,
        "addressees = \"各镇街人民政府（办事处）",
        "addressees = \"<各镇街> & \\\"人民政府\\\"（办事处）",
    );
    edit(
        &notice,
        "## 一、基本情况",
        "正文 <w:p>x</w:p> & ]]> 照录。\n\n## 一、基本情况",
    );
    build_ok(site.path());
    let xml = part(&docx_path(&site.path().join("public")), "word/document.xml");
    let document = parse(&xml);
    let paragraphs = notice_paragraphs(&document);
    assert!(
        paragraphs[2]
            .1
            .starts_with("<各镇街> & \"人民政府\"（办事处）"),
        "{:?}",
        paragraphs[2]
    );
    assert!(
        paragraphs.contains(&(
            "Normal".to_string(),
            "正文 <w:p>x</w:p> & ]]> 照录。".to_string()
        )),
        "{paragraphs:?}"
    );
}

#[test]
fn a_county_theme_restyles_the_document_without_code() {
    let site = shipped_site();
    let shipped = fs::read_to_string(repository().join("themes/default/docx/style.toml"))
        .expect("default style");
    let county = shipped
        .replace("color = \"#FF0000\"", "color = \"#C00000\"")
        .replace(
            "[body]\nfont = \"仿宋_GB2312\"\nsize = \"3号\"",
            "[body]\nfont = \"FangSong\"\nsize = \"小三\"",
        );
    assert_ne!(county, shipped);
    let folder = site.path().join("themes/county/docx");
    fs::create_dir_all(&folder).expect("theme folder");
    fs::write(folder.join("style.toml"), county).expect("county style");
    edit(
        &site.path().join("content/site.toml"),
        "theme = \"default\"",
        "theme = \"county\"",
    );
    build_ok(site.path());
    let styles_xml = part(&docx_path(&site.path().join("public")), "word/styles.xml");
    let styles = parse(&styles_xml);
    assert_eq!(style_font(&styles, "Normal"), owned("FangSong", Some("30")));
    assert_eq!(
        val(style(&styles, "Issuer"), &["rPr", "color"]),
        Some("C00000")
    );
}

// ---- LibreOffice ---------------------------------------------------------

fn soffice() -> PathBuf {
    std::env::var_os("TONGBAO_SOFFICE").map_or_else(|| PathBuf::from("soffice"), PathBuf::from)
}

fn runs(program: impl AsRef<std::ffi::OsStr>, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|output| output.status.success())
}

fn missing_tools() -> Vec<&'static str> {
    let mut absent = Vec::new();
    if !runs(soffice(), "--version") {
        absent.push("LibreOffice (apt-get install libreoffice-writer-nogui)");
    }
    if !runs("pdfinfo", "-v") {
        absent.push("pdfinfo/pdftotext/pdftoppm (apt-get install poppler-utils)");
    }
    let cjk = Command::new("fc-list")
        .arg("Noto Sans CJK SC")
        .output()
        .is_ok_and(|output| !output.stdout.is_empty());
    if !cjk {
        absent.push("Noto CJK fonts (apt-get install fonts-noto-cjk)");
    }
    absent
}

/// Converts `docx` to PDF in `folder` with a profile of its own, so that
/// runs never share (and lock) one.
fn to_pdf(docx: &Path, folder: &Path) -> PathBuf {
    let profile = folder.join("profile");
    let profile_url = format!("file://{}", profile.display());
    run_tool(
        Command::new(soffice())
            .arg(format!("-env:UserInstallation={profile_url}"))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(folder)
            .arg(docx),
    );
    folder.join("notice.pdf")
}

/// Each page's lines of words, in reading order.
fn pdf_pages(pdf: &Path) -> Vec<Vec<Vec<Word>>> {
    common::pdf_lines(pdf)
        .into_iter()
        .map(|page| page.into_iter().map(|line| line.words).collect())
        .collect()
}

fn line_text(line: &[Word]) -> String {
    line.iter().map(|word| word.text.as_str()).collect()
}

const MM: f64 = 72.0 / 25.4;
/// The 版心 on A4, in points: left, top, right, bottom.
const TEXT_AREA: [f64; 4] = [28.0 * MM, 37.0 * MM, 184.0 * MM, 262.0 * MM];

/// Table rows read off the PDF: for each row, its cells' text by column,
/// found from the columns' widths in the document (`w:gridCol`). A row is
/// the line of a whole number in the 序号 column; every other word goes to
/// the row whose number is nearest above or below it, within a row's
/// height, so that a unit's name that wraps onto two lines stays whole.
fn pdf_rows(pages: &[Vec<Vec<Word>>], columns: &[f64]) -> Vec<(usize, Vec<String>)> {
    let mut edges = vec![TEXT_AREA[0]];
    for width in columns {
        edges.push(edges.last().copied().unwrap_or(0.0) + width);
    }
    let column_of = |word: &Word| {
        let middle = (word.x_min + word.x_max) / 2.0;
        edges
            .windows(2)
            .position(|edge| edge[0] <= middle && middle < edge[1])
    };
    let mut rows = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let words: Vec<&Word> = page
            .iter()
            .flatten()
            .filter(|word| word.y_max < TEXT_AREA[3])
            .collect();
        let mut ranks: Vec<&Word> = words
            .iter()
            .copied()
            .filter(|word| {
                column_of(word) == Some(0) && word.text.chars().all(|c| c.is_ascii_digit())
            })
            .collect();
        ranks.sort_by(|a, b| a.y().total_cmp(&b.y()));
        let mut cells = vec![vec![String::new(); columns.len()]; ranks.len()];
        let mut placed: Vec<&Word> = words.clone();
        placed.sort_by(|a, b| {
            a.y_min
                .total_cmp(&b.y_min)
                .then(a.x_min.total_cmp(&b.x_min))
        });
        for word in placed {
            let nearest = ranks.iter().enumerate().min_by(|(_, a), (_, b)| {
                (a.y() - word.y())
                    .abs()
                    .total_cmp(&(b.y() - word.y()).abs())
            });
            let (Some((row, rank)), Some(column)) = (nearest, column_of(word)) else {
                continue;
            };
            if (rank.y() - word.y()).abs() < 4.5 * MM {
                cells[row][column].push_str(&word.text);
            }
        }
        rows.extend(cells.into_iter().map(|cells| (index, cells)));
    }
    rows
}

/// The seed's rows of `table` as the seed prints them.
fn seed_rows(table: &str) -> Vec<Vec<String>> {
    fs::read_to_string(repository().join("tests/expected/seed-tables.tsv"))
        .expect("seed tables")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split('\t').map(str::to_string).collect::<Vec<_>>())
        .filter(|cells| cells[0] == table)
        .map(|cells| cells[1..].to_vec())
        .collect()
}

/// The columns' widths in points, of each table in the document.
fn column_widths(document: &Document) -> Vec<Vec<f64>> {
    body(document)
        .into_iter()
        .filter(|node| is(node, "tbl"))
        .map(|table| {
            child(table, "tblGrid")
                .expect("tblGrid")
                .children()
                .filter(|n| is(n, "gridCol"))
                .map(|col| {
                    col.attribute((W, "w"))
                        .and_then(|w| w.parse::<f64>().ok())
                        .expect("a width")
                        / 20.0
                })
                .collect()
        })
        .collect()
}

#[test]
fn libreoffice_prints_the_document_on_a4_in_the_gbt_9704_layout() {
    if !tools_present("libreoffice", &missing_tools()) {
        return;
    }
    let (site, out) = built_seed();
    let docx = docx_path(&out);
    let folder = site.path().join("pdf");
    let pdf = to_pdf(&docx, &folder);

    assert_a4(&pdf);

    let pages = pdf_pages(&pdf);
    let lines =
        |page: usize| -> Vec<String> { pages[page].iter().map(|line| line_text(line)).collect() };
    // 版头, title, and the signature's office over its date.
    let first = lines(0);
    assert_eq!(
        first[..3],
        [
            "莒南县人民政府办公室",
            "关于2019年1-5月份政务公开",
            "随机抽查情况的通报"
        ]
    );
    let signed = (0..pages.len())
        .flat_map(|page| {
            let lines = lines(page);
            lines
                .windows(2)
                .map(|pair| pair.to_vec())
                .collect::<Vec<_>>()
        })
        .any(|pair| pair == ["莒南县人民政府办公室", "2019年6月5日"]);
    assert!(signed, "the office signs over the date");

    // 附件1 and 附件2 each start a page, in order.
    let starting = |label: &str| -> Vec<usize> {
        (0..pages.len())
            .filter(|&page| lines(page).first().map(String::as_str) == Some(label))
            .collect()
    };
    let (one, two) = (starting("附件1"), starting("附件2"));
    assert_eq!((one.len(), two.len()), (1, 1), "{one:?} {two:?}");
    assert!(
        0 < one[0] && one[0] < two[0],
        "附件1 on {one:?}, 附件2 on {two:?}"
    );

    // All 60 units with their figures, in the seed's order.
    let xml = part(&docx, "word/document.xml");
    let document = parse(&xml);
    let widths = column_widths(&document);
    let mut expected_rows = Vec::new();
    for table in TABLES {
        expected_rows.extend(seed_rows(table));
    }
    let printed = pdf_rows(&pages[one[0]..], &widths[0]);
    let cells: Vec<Vec<String>> = printed.iter().map(|(_, cells)| cells.clone()).collect();
    assert_eq!(cells.len(), 60, "{cells:?}");
    assert_eq!(cells, expected_rows);

    // Every page with table rows repeats the header.
    let table_pages: std::collections::BTreeSet<usize> =
        printed.iter().map(|(page, _)| page + one[0]).collect();
    assert!(
        table_pages.len() >= 3,
        "the tables take several pages: {table_pages:?}"
    );
    for page in &table_pages {
        let flat: String = lines(*page).concat();
        let unit = if *page < two[0] {
            "镇街（园区）"
        } else {
            "部门（单位）"
        };
        assert!(
            flat.contains("序号")
                && flat.contains(unit)
                && flat.contains("政务公开亮点信息采用情况"),
            "page {} repeats the header: {flat}",
            page + 1
        );
    }

    // "— N —" on every page, under the 版心, odd pages right and even pages
    // left, one 14 pt character in.
    for (index, page) in pages.iter().enumerate() {
        let number = index + 1;
        let line = page
            .iter()
            .find(|line| line_text(line) == format!("—{number}—"))
            .unwrap_or_else(|| panic!("page {number} has no page number: {:?}", lines(index)));
        let left = line.first().expect("a word").x_min;
        let right = line.last().expect("a word").x_max;
        let below = (line[0].y() - TEXT_AREA[3]) / MM;
        assert!(
            (3.0..10.0).contains(&below),
            "page {number}: {below:.1} mm under"
        );
        let inset = if number % 2 == 1 {
            TEXT_AREA[2] - right
        } else {
            left - TEXT_AREA[0]
        };
        assert!(
            (inset - 14.0).abs() < 3.0,
            "page {number}: {inset:.1} pt in"
        );
    }

    // The grid on page 2, all body text: 22 lines inside the 版心, and 28
    // characters on the widest line of Chinese alone.
    let body: Vec<&Vec<Word>> = pages[1]
        .iter()
        .filter(|line| line.iter().all(|word| word.y_max <= TEXT_AREA[3] + 5.0))
        .collect();
    assert_eq!(body.len(), 22, "22 lines on a full page");
    let widest = body
        .iter()
        .map(|line| line_text(line))
        .filter(|text| text.chars().all(|c| !c.is_ascii()))
        .map(|text| text.chars().count())
        .max()
        .unwrap_or(0);
    assert_eq!(widest, 28, "28 characters on a full line");
    // GB/T 9704 allows the margins ±1 mm; a line's final punctuation may
    // hang past the right edge, as Word, WPS and LibreOffice let it.
    for line in &body {
        let text = line_text(line);
        let (left, right) = (line[0].x_min, line[line.len() - 1].x_max);
        let hanging = if text.ends_with(['，', '。', '、', '；', '：', '”', '）']) {
            16.0
        } else {
            0.0
        };
        assert!(
            left >= TEXT_AREA[0] - MM && right <= TEXT_AREA[2] + MM + hanging,
            "{text} inside the 版心"
        );
    }

    // Renders to look at: the first page and 附件2's first, in target/tmp/docx.
    let saved = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("docx");
    fs::create_dir_all(&saved).expect("artifact folder");
    fs::copy(&pdf, saved.join("notice.pdf")).expect("keep the PDF");
    for (page, name) in [(1, "page-1"), (two[0] + 1, "appendix-2")] {
        let page = page.to_string();
        run_tool(
            Command::new("pdftoppm")
                .args(["-png", "-r", "100", "-singlefile", "-f", &page, "-l", &page])
                .arg(&pdf)
                .arg(saved.join(name)),
        );
    }
    let _ = writeln!(std::io::stderr(), "renders in {}", saved.display());
}
