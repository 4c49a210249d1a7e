//! Proof in the tools a reviewer would use: the W3C Nu HTML Checker on every
//! page and the fragment, axe-core in headless Chromium for WCAG 2.1 A/AA,
//! and Chromium's print to PDF for the GB/T 9704 page.
//!
//! The tools come from Debian (`chromium`, `fonts-noto-cjk`,
//! `poppler-utils`, a Java runtime) and npm (`tests/browser/package.json`);
//! `.ci/run` installs them. Where one is missing a test says that it skips,
//! unless `TONGBAO_REQUIRE_BROWSER=1`, which CI sets, makes that a failure.
//! tests/docx.rs checks the Word document in LibreOffice the same way.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs, io};

use common::{
    TextBox as Line, assert_a4, built_example, built_seed, pdf_info, read_html, read_text,
    repository, run_tool, selector, text, tools_present,
};
use serde_json::Value;

const SLUG: &str = "2019-01-05";
/// The made-up period of `examples/cycle/`: its 问题清单, re-check and
/// unit sheets.
const EXAMPLE: &str = "2019-07-05";
const MM: f64 = 72.0 / 25.4;
/// The 版心 on A4, in points from the top left: left, top, right, bottom.
const TEXT_AREA: [f64; 4] = [28.0 * MM, 37.0 * MM, 184.0 * MM, 262.0 * MM];

#[derive(Clone, Copy, Debug)]
enum Tool {
    /// Node.js with the packages of tests/browser/package.json.
    Node,
    Java,
    Chromium,
    /// The Noto CJK fonts, which print the Chinese where the standard's fonts are missing.
    CjkFonts,
    /// pdfinfo, pdftotext and pdftoppm.
    Poppler,
}

fn tools_dir() -> PathBuf {
    repository().join("tests").join("browser")
}

fn chromium_path() -> PathBuf {
    env::var_os("TONGBAO_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn vnu_jar() -> PathBuf {
    tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|output| output.status.success())
}

fn missing(tool: Tool) -> Option<&'static str> {
    let modules = tools_dir().join("node_modules");
    let present = match tool {
        Tool::Node => {
            runs("node", "--version")
                && ["playwright-core", "axe-core", "vnu-jar"]
                    .iter()
                    .all(|package| modules.join(package).is_dir())
        }
        Tool::Java => runs("java", "-version") && vnu_jar().is_file(),
        Tool::Chromium => chromium_path().is_file(),
        Tool::CjkFonts => Command::new("fc-list")
            .arg("Noto Serif CJK SC")
            .output()
            .is_ok_and(|output| !output.stdout.is_empty()),
        Tool::Poppler => runs("pdfinfo", "-v"),
    };
    (!present).then_some(match tool {
        Tool::Node => "node and the npm packages of tests/browser (npm ci in tests/browser)",
        Tool::Java => "java and vnu.jar (npm ci in tests/browser)",
        Tool::Chromium => "Chromium (apt-get install chromium)",
        Tool::CjkFonts => "Noto CJK fonts (apt-get install fonts-noto-cjk)",
        Tool::Poppler => "pdfinfo/pdftotext/pdftoppm (apt-get install poppler-utils)",
    })
}

/// Whether the test can run (see [`tools_present`]).
fn have(test: &str, tools: &[Tool]) -> bool {
    let absent: Vec<&str> = tools.iter().filter_map(|tool| missing(*tool)).collect();
    tools_present(test, &absent)
}

/// Where the tests leave renders to look at: target/tmp/browser.
fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

fn chromium(args: &[&Path], command: &str) -> String {
    let mut node = Command::new("node");
    node.arg(tools_dir().join("chromium.mjs"))
        .arg(command)
        .args(args)
        .env("TONGBAO_CHROMIUM", chromium_path());
    run_tool(&mut node)
}

/// Every `.html` file under `dir`, sorted.
fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("walk").into_path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .collect();
    found.sort();
    found
}

#[test]
fn the_nu_html_checker_finds_no_error_in_any_page_or_the_fragment() {
    if !have("vnu", &[Tool::Java]) {
        return;
    }
    let (temp, out) = built_seed();
    let mut pages: Vec<PathBuf> = html_files(&out)
        .into_iter()
        .filter(|path| !path.ends_with("fragment.html"))
        .collect();
    // The home page, the notice, the 2019 ledger and the 60 unit pages.
    assert_eq!(pages.len(), 63, "{pages:?}");
    // The example of a random check's cycle: its second notice (the
    // 问题清单, the re-check, the result by unit) and its 7 sheets.
    let (_example, example_out) = built_example();
    let example_folder = example_out.join(EXAMPLE);
    let mut example_pages = vec![example_folder.join("index.html")];
    example_pages.extend(html_files(&example_folder.join("rectification")));
    assert_eq!(example_pages.len(), 8, "{example_pages:?}");
    pages.extend(example_pages);
    // A fragment is checked the way a portal shows it: inside a page.
    for folder in [out.join(SLUG), example_folder] {
        let slug = folder.file_name().unwrap().to_string_lossy().into_owned();
        let fragment = read_text(&folder.join("fragment.html"));
        let wrapped = temp.path().join(format!("fragment-in-page-{slug}.html"));
        fs::write(
            &wrapped,
            format!("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>门户文章</title>\n</head>\n<body>\n{fragment}</body>\n</html>\n"),
        )
        .expect("write");
        pages.push(wrapped);
    }
    // A control the checker must reject, so that a checker that checks
    // nothing cannot pass.
    let broken = temp.path().join("broken.html");
    fs::write(
        &broken,
        "<!DOCTYPE html><html lang=\"zh-CN\"><title>x</title><p><div></span>",
    )
    .expect("write");

    let output = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--format", "json", "--errors-only"])
        .args(&pages)
        .arg(&broken)
        .output()
        .expect("java runs");
    let report: Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|error| {
        panic!(
            "vnu's report is JSON ({error}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let messages = report["messages"].as_array().expect("messages");
    let broken_url = format!("file:{}", broken.display());
    let (control, errors): (Vec<&Value>, Vec<&Value>) = messages
        .iter()
        .partition(|message| message["url"].as_str() == Some(broken_url.as_str()));
    assert!(
        !control.is_empty(),
        "vnu rejects the broken control page: {report}"
    );
    assert!(
        errors.is_empty(),
        "vnu errors:\n{}",
        errors
            .iter()
            .map(|m| format!("{} {}: {}", m["url"], m["lastLine"], m["message"]))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn axe_finds_no_wcag_2_1_a_or_aa_violation_on_the_home_notice_ledger_unit_and_sheet_pages() {
    if !have("axe", &[Tool::Node, Tool::Chromium]) {
        return;
    }
    let (temp, out) = built_seed();
    let home = out.join("index.html");
    let notice = out.join(SLUG).join("index.html");
    let ledger = out.join("ledger/2019/index.html");
    let unit = html_files(&out.join("units/towns"))
        .into_iter()
        .next()
        .expect("a unit page");
    // The example notice: its 问题清单 with the sheets' list, the re-check
    // and its result table; and a unit's rectification sheet.
    let (_example, example_out) = built_example();
    let example = example_out.join(EXAMPLE).join("index.html");
    let sheet = html_files(&example_out.join(EXAMPLE).join("rectification"))
        .into_iter()
        .next()
        .expect("a rectification sheet");
    let control = temp.path().join("control.html");
    fs::write(
        &control,
        "<!DOCTYPE html><html><head><title>x</title></head><body><img src=\"x.png\"></body></html>",
    )
    .expect("write");
    let report: Value = serde_json::from_str(&chromium(
        &[&home, &notice, &ledger, &unit, &example, &sheet, &control],
        "axe",
    ))
    .expect("JSON");
    let ids = |path: &Path| -> Vec<String> {
        report[path.to_str().expect("utf-8 path")]
            .as_array()
            .expect("a list per page")
            .iter()
            .map(|violation| violation["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let control_ids = ids(&control);
    assert!(
        control_ids.contains(&"image-alt".to_string())
            && control_ids.contains(&"html-has-lang".to_string()),
        "axe flags the control page: {control_ids:?}"
    );
    for page in [&home, &notice, &ledger, &unit, &example, &sheet] {
        assert!(
            ids(page).is_empty(),
            "axe violations on {}: {:#}",
            page.display(),
            report[page.to_str().expect("utf-8 path")]
        );
    }
}

/// Each page's lines, in reading order.
fn pdf_lines(pdf: &Path) -> Vec<Vec<Line>> {
    common::pdf_lines(pdf)
        .into_iter()
        .map(|page| page.into_iter().map(|line| line.line).collect())
        .collect()
}

/// The annual ledger prints on A4 with nothing cut off: every line of text
/// lies on the paper, each table's title is a line of its own, and every
/// unit of both tables is printed (a name may wrap inside its cell, so the
/// names are looked for in the text with line breaks removed).
#[test]
fn chromium_prints_the_ledger_on_a4_with_every_unit() {
    if !have(
        "print",
        &[Tool::Node, Tool::Chromium, Tool::CjkFonts, Tool::Poppler],
    ) {
        return;
    }
    let (temp, out) = built_seed();
    let ledger = out.join("ledger/2019/index.html");
    let pdf = temp.path().join("ledger.pdf");
    chromium(&[&ledger, &pdf], "pdf");
    fs::copy(&pdf, artifacts().join("ledger.pdf")).expect("keep the PDF");
    assert_a4(&pdf);

    let pages = pdf_lines(&pdf);
    let lines: Vec<&Line> = pages.iter().flatten().collect();
    for line in &lines {
        assert!(
            line.x_min >= 0.0 && line.x_max <= 595.28 && line.y_max <= 841.89,
            "off the paper: {line:?}"
        );
    }
    for title in ["2019年镇街（园区）年度台账", "2019年部门（单位）年度台账"]
    {
        assert!(
            lines.iter().any(|line| line.text == title),
            "a line {title}"
        );
    }
    let printed: String = lines
        .iter()
        .flat_map(|line| line.text.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let page = read_html(&ledger);
    for table in ["towns", "departments"] {
        let rows = common::table_rows(&page, table);
        assert!(!rows.is_empty());
        for row in rows {
            assert!(printed.contains(&row[1]), "{} printed", row[1]);
        }
    }
}

#[test]
fn chromium_prints_the_notice_on_a4_in_the_gbt_9704_layout() {
    if !have(
        "print",
        &[Tool::Node, Tool::Chromium, Tool::CjkFonts, Tool::Poppler],
    ) {
        return;
    }
    let (temp, out) = built_seed();
    let notice = out.join(SLUG).join("index.html");
    let pdf = temp.path().join("notice.pdf");
    chromium(&[&notice, &pdf], "pdf");
    let saved = artifacts();
    fs::copy(&pdf, saved.join("notice.pdf")).expect("keep the PDF");

    assert_a4(&pdf);

    let pages = pdf_lines(&pdf);
    let first_line = |page: &[Line]| {
        page.first()
            .map(|line| line.text.clone())
            .unwrap_or_default()
    };
    let starting = |label: &str| -> Vec<usize> {
        (0..pages.len())
            .filter(|&index| first_line(&pages[index]) == label)
            .collect()
    };
    let (first, second) = (starting("附件1"), starting("附件2"));
    assert_eq!(first.len(), 1, "one page starts with 附件1: {first:?}");
    assert_eq!(second.len(), 1, "one page starts with 附件2: {second:?}");
    let (first, second) = (first[0], second[0]);
    assert!(
        first > 0 && second > first,
        "附件1 on page {}, 附件2 on page {}",
        first + 1,
        second + 1
    );

    // Page numbers: "— N —" under the 版心, odd pages right and even pages
    // left, one character (14 pt) in.
    for (index, page) in pages.iter().enumerate() {
        let number = index + 1;
        let label = format!("—{number}—");
        let line = page
            .iter()
            .find(|line| line.text.replace(' ', "") == label)
            .unwrap_or_else(|| panic!("page {number} has no page number"));
        // The standard puts the dashes 7 mm under the 版心; the line's box
        // centre, which pdftotext gives, sits a little above the dash.
        let below = ((line.y_min + line.y_max) / 2.0 - TEXT_AREA[3]) / MM;
        assert!(
            (3.0..10.0).contains(&below),
            "page {number}: number {below:.1} mm under the 版心"
        );
        let inset = if number % 2 == 1 {
            TEXT_AREA[2] - line.x_max
        } else {
            line.x_min - TEXT_AREA[0]
        };
        assert!(
            (inset - 14.0).abs() < 2.0,
            "page {number}: number {inset:.1} pt in"
        );
    }

    // The departments table runs over several pages, each with its header.
    let page_html = read_html(&notice);
    let units: Vec<String> = page_html
        .select(&selector("table[data-table=\"departments\"] tbody th"))
        .map(text)
        .collect();
    // A page's words, without the figures that pdftotext reads between the
    // two lines of a wrapped name.
    let flat = |page: &[Line]| -> String {
        page.iter()
            .flat_map(|line| line.text.chars())
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace() && *c != '.')
            .collect()
    };
    let continued: Vec<usize> = (second + 1..pages.len())
        .filter(|&index| {
            units
                .iter()
                .any(|unit| flat(&pages[index]).contains(unit.as_str()))
        })
        .collect();
    assert!(
        !continued.is_empty(),
        "附件2's table continues onto another page"
    );
    for index in continued {
        let text = flat(&pages[index]);
        assert!(
            text.contains("序号") && text.contains("部门（单位）") && text.contains("每周更新"),
            "page {} repeats the table header: {text}",
            index + 1
        );
    }
    // No row is split: every unit's name is whole on one page.
    for unit in &units {
        assert!(
            pages.iter().any(|page| flat(page).contains(unit.as_str())),
            "{unit} is whole on one page"
        );
    }

    // The grid, on page 2, all body text: 22 lines inside the 版心, and 28
    // characters on the widest line of Chinese alone (a half-width digit
    // takes half a character's room, so lines with digits hold more).
    let body: Vec<&Line> = pages[1]
        .iter()
        .filter(|line| line.y_max <= TEXT_AREA[3] + 5.0)
        .collect();
    assert_eq!(body.len(), 22, "22 lines on a full page");
    let widest = body
        .iter()
        .filter(|line| !line.text.is_ascii() && line.text.chars().all(|c| !c.is_ascii()))
        .map(|line| line.text.chars().count())
        .max()
        .unwrap_or(0);
    assert_eq!(widest, 28, "28 characters on a full line");
    for line in &body {
        // GB/T 9704 allows the margins ±1 mm.
        assert!(
            line.x_min >= TEXT_AREA[0] - MM && line.x_max <= TEXT_AREA[2] + MM,
            "{line:?} inside the 版心"
        );
    }

    // Renders to look at: the first page and the first appendix page.
    for (page, name) in [(1, "page-1"), (first + 1, "appendix-1")] {
        let page = page.to_string();
        run_tool(
            Command::new("pdftoppm")
                .args(["-png", "-r", "100", "-singlefile", "-f", &page, "-l", &page])
                .arg(&pdf)
                .arg(saved.join(name)),
        );
    }
    chromium(&[&notice, &saved.join("screen.png")], "shot");
    let _ = writeln!(io::stderr(), "renders in {}", saved.display());
}

/// The made-up example's notice prints its 问题清单 and re-check each from a
/// new page, without the on-screen list of sheets; a unit's rectification
/// sheet prints on one A4 page, its text inside the 版心.
#[test]
fn chromium_prints_the_findings_appendices_and_a_rectification_sheet() {
    if !have(
        "print",
        &[Tool::Node, Tool::Chromium, Tool::CjkFonts, Tool::Poppler],
    ) {
        return;
    }
    let (temp, out) = built_example();
    let saved = artifacts();

    let notice = out.join(EXAMPLE).join("index.html");
    let pdf = temp.path().join("example.pdf");
    chromium(&[&notice, &pdf], "pdf");
    fs::copy(&pdf, saved.join("example.pdf")).expect("keep the PDF");
    let pages = pdf_lines(&pdf);
    let first_lines: Vec<String> = pages
        .iter()
        .map(|page| {
            page.first()
                .map(|line| line.text.clone())
                .unwrap_or_default()
        })
        .collect();
    for label in ["附件3", "附件4"] {
        assert_eq!(
            first_lines.iter().filter(|line| *line == label).count(),
            1,
            "one page starts with {label}: {first_lines:?}"
        );
    }
    let all: String = pages
        .iter()
        .flatten()
        .map(|line| line.text.replace(' ', ""))
        .collect();
    assert!(
        !all.contains("各单位整改通知单"),
        "the sheets' list is not printed"
    );
    assert!(all.contains("整改结果"), "the result by unit is printed");

    let sheet = html_files(&out.join(EXAMPLE).join("rectification"))
        .into_iter()
        .next()
        .expect("a rectification sheet");
    let pdf = temp.path().join("sheet.pdf");
    chromium(&[&sheet, &pdf], "pdf");
    fs::copy(&pdf, saved.join("sheet.pdf")).expect("keep the PDF");
    assert_eq!(pdf_info(&pdf, "Pages"), "1", "a sheet is one page");
    assert_a4(&pdf);
    let lines = pdf_lines(&pdf);
    let texts: Vec<String> = lines[0]
        .iter()
        .map(|line| line.text.replace(' ', ""))
        .collect();
    assert_eq!(
        texts[0], "莒南县人民政府办公室",
        "the issuer heads the sheet: {texts:?}"
    );
    assert!(
        texts.iter().any(|line| line == "问题整改通知单"),
        "{texts:?}"
    );
    for line in lines[0]
        .iter()
        .filter(|line| line.y_max <= TEXT_AREA[3] + 5.0)
    {
        assert!(
            line.x_min >= TEXT_AREA[0] - MM && line.x_max <= TEXT_AREA[2] + MM,
            "{line:?} inside the 版心"
        );
    }
    run_tool(
        Command::new("pdftoppm")
            .args(["-png", "-r", "100", "-singlefile"])
            .arg(&pdf)
            .arg(saved.join("sheet")),
    );
}
