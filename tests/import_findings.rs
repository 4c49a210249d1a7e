//! `tongbao import --findings`: the inspectors' spreadsheet into a
//! period's findings.toml (county-c, whose period has findings).

mod common;

use std::path::{Path, PathBuf};

use common::{Run, tree};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use tempfile::TempDir;

const PERIOD: &str = "2024-q4";
const FINDINGS: &str = "content/2024-q4/findings.toml";

/// The four findings of county-c as the file now writes them, each
/// re-checked: after an import they are written in the file's order.
const ALL_RECHECKED: &str = "\
# The random check's findings, one per line. After the deadline each line
# gains the re-check: status, checked and a note.
# Not in the tables' order on purpose: the 问题清单 groups
# them by unit in the order of the tables.
findings = [
  { unit = \"甲镇\", column = \"政府信息公开/法定主动公开内容/机构职能\", url = \"http://www.example.gov.cn/jiazhen/jgzn/\", category = \"未更新\", problem = \"机构职能仍为机构改革前的内容\", found = 2024-12-20, status = \"已整改\", checked = 2025-01-22, note = \"已更新为新的“三定”内容\" },
  { unit = \"丙镇\", column = \"政府信息公开/重点领域信息公开/财政预决算\", category = \"链接失效\", problem = \"2024年预算公开链接打不开\", found = 2024-12-21, status = \"已整改\", checked = 2025-01-21 },
  { unit = \"丙镇\", column = \"政府信息公开/法定主动公开内容/领导信息\", category = \"更新不及时\", problem = \"领导分工未随人事变动更新\", found = 2024-12-20, status = \"未整改\", checked = 2025-01-22, note = \"仍为旧的分工\" },
  { unit = \"丁镇\", column = \"政务动态/镇街动态\", category = \"错别字\", problem = \"标题“政务公开”误作“政物公开”\", found = 2024-12-22, status = \"无需整改\", checked = 2025-01-22, note = \"该信息已按规定撤下\" },
]
";

fn site() -> TempDir {
    common::fixture_site("county-c")
}

fn run_in(root: &Path, args: &[&str]) -> Run {
    let mut args = args.to_vec();
    let root_text = root.to_string_lossy().into_owned();
    args.extend(["--root", &root_text]);
    Run::from(common::tongbao(root, &args))
}

fn import(root: &Path, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["import", file, "--period", PERIOD, "--findings"];
    args.extend(extra);
    run_in(root, &args)
}

fn read(root: &Path, relative: &str) -> String {
    std::fs::read_to_string(root.join(relative)).unwrap()
}

fn has_line(text: &str, expected: &str) -> bool {
    text.lines().any(|line| line == expected)
}

fn headlines(run: &Run) -> Vec<String> {
    common::diagnostics(&run.stderr)
        .into_iter()
        .map(|(headline, _)| headline)
        .collect()
}

/// The inspectors' list as a workbook: a title row, the header, dates as
/// Excel dates and as text, a status with its note in brackets.
fn write_rechecked_xlsx(root: &Path) -> PathBuf {
    let path = root.join("问题清单.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("复查").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .merge_range(0, 0, 0, 8, "2024年四季度随机抽查问题清单", &Format::new())
        .unwrap();
    let headers = [
        "序号",
        "单位",
        "栏目",
        "网址",
        "问题类型",
        "问题描述",
        "发现日期",
        "整改情况",
        "复查日期",
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(1, column as u16, *header).unwrap();
    }
    let rows: [[&str; 6]; 4] = [
        [
            "甲镇",
            "政府信息公开/法定主动公开内容/机构职能",
            "http://www.example.gov.cn/jiazhen/jgzn/",
            "未更新",
            "机构职能仍为机构改革前的内容",
            "已整改（已更新为新的“三定”内容）",
        ],
        [
            "丙镇",
            "政府信息公开/重点领域信息公开/财政预决算",
            "",
            "链接失效",
            "2024年预算公开链接打不开",
            "已整改",
        ],
        [
            " 丙镇",
            "政府信息公开/法定主动公开内容/领导信息",
            "",
            "更新不及时",
            "领导分工未随人事变动更新",
            "未整改（仍为旧的分工）",
        ],
        [
            "丁镇",
            "政务动态/镇街动态",
            "",
            "错别字",
            "标题“政务公开”误作“政物公开”",
            "无需整改(该信息已按规定撤下)",
        ],
    ];
    let found = [
        (2024, 12, 20),
        (2024, 12, 21),
        (2024, 12, 20),
        (2024, 12, 22),
    ];
    let checked = [(2025, 1, 22), (2025, 1, 21), (2025, 1, 22), (2025, 1, 22)];
    for (index, cells) in rows.iter().enumerate() {
        let row = index as u32 + 2;
        sheet.write_number(row, 0, index as f64 + 1.0).unwrap();
        for (column, text) in [1, 2, 3, 4, 5, 7].into_iter().zip(cells) {
            if !text.is_empty() {
                sheet.write_string(row, column, *text).unwrap();
            }
        }
        let (y, m, d) = found[index];
        if index == 3 {
            // A date typed as text, as clerks do.
            sheet.write_string(row, 6, "2024年12月22日").unwrap();
        } else {
            let value = ExcelDateTime::from_ymd(y, m, d).unwrap();
            sheet
                .write_datetime_with_format(row, 6, &value, &date)
                .unwrap();
        }
        let (y, m, d) = checked[index];
        let value = ExcelDateTime::from_ymd(y, m, d).unwrap();
        sheet
            .write_datetime_with_format(row, 8, &value, &date)
            .unwrap();
    }
    sheet
        .write_string(7, 1, "注：复查时间为2025年1月下旬")
        .unwrap();
    workbook.save(&path).unwrap();
    path
}

#[test]
fn an_xlsx_list_replaces_the_findings_one_per_line() {
    let site = site();
    let root = site.path();
    write_rechecked_xlsx(root);
    let run = import(root, "问题清单.xlsx", &[]);
    run.assert_success();
    assert_eq!(
        run.stdout,
        "\
读取 问题清单.xlsx（工作表 “复查”）：4 个问题，涉及 3 个单位
导入的列：单位 ← B 列，栏目 ← C 列，网址 ← D 列，问题类型 ← E 列，问题描述 ← F 列，发现日期 ← G 列，整改情况 ← H 列，复查日期 ← I 列
未导入的表头：序号（A 列）
跳过：第 8 行 “注：复查时间为2025年1月下旬”（没有问题）
替换 content/2024-q4/findings.toml 中原有的 4 个问题
已写入 content/2024-q4/findings.toml
"
    );
    assert_eq!(read(root, FINDINGS), ALL_RECHECKED);
    run_in(root, &["check"]).assert_success();
    // The same file again changes nothing.
    let again = import(root, "问题清单.xlsx", &[]);
    again.assert_success();
    assert!(has_line(
        &again.stdout,
        "问题清单与文件一致，content/2024-q4/findings.toml 未改动"
    ));
}

#[test]
fn a_gbk_csv_without_a_status_column_keeps_the_recorded_rechecks() {
    let site = site();
    let root = site.path();
    let text = "\
单位,栏目,问题类型,问题描述,发现日期
丙镇,政府信息公开/法定主动公开内容/领导信息,更新不及时,领导分工未随人事变动更新,2024/12/20
乙镇,政务动态/镇街动态,未更新,三个月未更新,2024-12-23
丙镇,政府信息公开/重点领域信息公开/财政预决算,链接失效,2024年预算公开链接打不开,2024.12.21
甲镇,政府信息公开/法定主动公开内容/机构职能,未更新,机构职能仍为机构改革前的内容,2024/12/20
丁镇,政务动态/镇街动态,错别字,标题“政务公开”误作“政物公开”,2024/12/22
";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    std::fs::write(root.join("findings.csv"), &bytes).unwrap();
    let run = import(root, "findings.csv", &[]);
    run.assert_success();
    assert!(
        has_line(
            &run.stdout,
            "读取 findings.csv（GBK 编码的 CSV）：5 个问题，涉及 4 个单位"
        ),
        "{run:#?}"
    );
    assert!(has_line(
        &run.stdout,
        "文件中没有整改情况、复查日期、复查说明列：3 个问题保留 content/2024-q4/findings.toml 中已记录的复查结果"
    ));
    let written = read(root, FINDINGS);
    let lines: Vec<&str> = written.lines().skip(4).collect();
    assert_eq!(
        lines,
        [
            "findings = [",
            "  { unit = \"丙镇\", column = \"政府信息公开/法定主动公开内容/领导信息\", category = \"更新不及时\", problem = \"领导分工未随人事变动更新\", found = 2024-12-20, status = \"未整改\", checked = 2025-01-22 },",
            "  { unit = \"乙镇\", column = \"政务动态/镇街动态\", category = \"未更新\", problem = \"三个月未更新\", found = 2024-12-23 },",
            "  { unit = \"丙镇\", column = \"政府信息公开/重点领域信息公开/财政预决算\", category = \"链接失效\", problem = \"2024年预算公开链接打不开\", found = 2024-12-21 },",
            "  { unit = \"甲镇\", column = \"政府信息公开/法定主动公开内容/机构职能\", category = \"未更新\", problem = \"机构职能仍为机构改革前的内容\", found = 2024-12-20, status = \"已整改\", checked = 2025-01-22, note = \"已更新为新的“三定”内容\" },",
            "  { unit = \"丁镇\", column = \"政务动态/镇街动态\", category = \"错别字\", problem = \"标题“政务公开”误作“政物公开”\", found = 2024-12-22, status = \"无需整改\", checked = 2025-01-22, note = \"该信息已按规定撤下\" },",
            "]",
        ]
    );
}

#[test]
fn unknown_units_and_words_are_reported_with_suggestions_and_nothing_is_written() {
    let site = site();
    let root = site.path();
    std::fs::write(
        root.join("f.csv"),
        "\
单位,栏目,问题类型,问题描述,发现日期,整改情况
丙镇镇,政务动态/镇街动态,未更新,三个月未更新,2024-12-23,
甲镇,政务动态/镇街动态,错别子,错别字较多,2024-12-23,
乙镇,政务动态/镇街动态,未更新,未更新,六月三日,已整政
乙镇,政务动态/镇街动态,错字,错别字较多,2024-12-23,
",
    )
    .unwrap();
    let before = tree(root);
    let run = import(root, "f.csv", &[]);
    run.assert_failure();
    assert_eq!(
        headlines(&run),
        [
            "错误：f.csv：第 2 行 A 列的单位 “丙镇镇” 不在期次 2024-q4 的表格中",
            "错误：f.csv：第 3 行 C 列的问题类型 “错别子” 不在 site.toml 的 [findings] categories 中",
            "错误：f.csv：第 4 行 F 列的整改情况 “已整政” 不在 site.toml 的 [findings] statuses 中",
            "错误：f.csv：第 4 行 E 列（发现日期）“六月三日” 不是日期",
            "错误：f.csv：第 5 行 C 列的问题类型 “错字” 不在 site.toml 的 [findings] categories 中",
        ]
    );
    for hint in [
        " = 提示：是否应为 “丙镇”？",
        " = 提示：是否应为 “错别字”？",
        " = 提示：是否应为 “已整改”？",
        " = 提示：日期写作 2019-06-03、2019/6/3 或 2019年6月3日，或设为 Excel 的日期格式",
        " = 提示：可用的问题类型：未更新、更新不及时、错别字、链接失效",
    ] {
        assert!(has_line(&run.stderr, hint), "{hint}\n{run:#?}");
    }
    assert!(has_line(
        &run.stderr,
        "未导入：content/2024-q4/findings.toml 未改动"
    ));
    assert_eq!(tree(root), before);
}

#[test]
fn a_dry_run_prints_the_change_and_writes_nothing() {
    let site = site();
    let root = site.path();
    write_rechecked_xlsx(root);
    let before = tree(root);
    let run = import(root, "问题清单.xlsx", &["--dry-run"]);
    run.assert_success();
    assert!(has_line(&run.stdout, "+++ b/content/2024-q4/findings.toml"));
    assert!(has_line(
        &run.stdout,
        "-  { unit = \"丙镇\", column = \"政府信息公开/重点领域信息公开/财政预决算\", category = \"链接失效\", problem = \"2024年预算公开链接打不开\", found = 2024-12-21 },"
    ));
    assert_eq!(
        run.stdout.lines().last(),
        Some("试运行：导入后检查通过，content/2024-q4/findings.toml 未改动")
    );
    assert_eq!(tree(root), before);
}

#[test]
fn recorded_statuses_are_not_dropped_unless_asked() {
    let site = site();
    let root = site.path();
    let text = "\
单位,栏目,问题类型,问题描述,发现日期,整改情况
丙镇,政府信息公开/法定主动公开内容/领导信息,更新不及时,领导分工未随人事变动更新,2024-12-20,
丙镇,政府信息公开/重点领域信息公开/财政预决算,链接失效,2024年预算公开链接打不开,2024-12-21,
";
    std::fs::write(root.join("f.csv"), text).unwrap();
    let before = tree(root);
    let run = import(root, "f.csv", &[]);
    run.assert_failure();
    assert_eq!(
        common::diagnostics(&run.stderr),
        [
            common::diagnostic(
                "错误：已记录复查结果 “已整改” 的问题不在导入的文件中",
                "content/2024-q4/findings.toml:7:175"
            ),
            common::diagnostic(
                "错误：已记录复查结果 “未整改” 的问题在导入的文件中没有整改情况",
                "content/2024-q4/findings.toml:8:126"
            ),
            common::diagnostic(
                "错误：已记录复查结果 “无需整改” 的问题不在导入的文件中",
                "content/2024-q4/findings.toml:9:117"
            ),
        ]
    );
    assert_eq!(tree(root), before);

    let run = import(root, "f.csv", &["--drop-status"]);
    run.assert_success();
    assert_eq!(
        headlines(&run),
        [
            "警告：按 --drop-status 丢弃 3 个已记录的复查结果：甲镇 政府信息公开/法定主动公开内容/机构职能：机构职能仍为机构改革前的内容（已整改）；丙镇 政府信息公开/法定主动公开内容/领导信息：领导分工未随人事变动更新（未整改）；丁镇 政务动态/镇街动态：标题“政务公开”误作“政物公开”（无需整改）"
        ]
    );
    let written = read(root, FINDINGS);
    let findings: Vec<&str> = written
        .lines()
        .filter(|line| line.starts_with("  {"))
        .collect();
    assert_eq!(
        findings,
        [
            "  { unit = \"丙镇\", column = \"政府信息公开/法定主动公开内容/领导信息\", category = \"更新不及时\", problem = \"领导分工未随人事变动更新\", found = 2024-12-20 },",
            "  { unit = \"丙镇\", column = \"政府信息公开/重点领域信息公开/财政预决算\", category = \"链接失效\", problem = \"2024年预算公开链接打不开\", found = 2024-12-21 },",
        ]
    );
}

#[test]
fn an_error_in_the_file_writes_nothing() {
    let site = site();
    let root = site.path();
    let path = root.join("bad.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in [
        "单位",
        "栏目",
        "问题类型",
        "问题描述",
        "发现日期",
        "复查日期",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for (column, text) in ["丙镇", "政务动态", "未更新", "三个月未更新"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, column as u16, *text).unwrap();
    }
    sheet
        .write_formula(1, 4, rust_xlsxwriter::Formula::new("=TODAY()"))
        .unwrap();
    sheet.write_string(1, 5, "2025-01-22").unwrap();
    for (column, text) in ["", "政务动态", "未更新", "标题有误"].iter().enumerate() {
        if !text.is_empty() {
            sheet.write_string(2, column as u16, *text).unwrap();
        }
    }
    sheet.write_string(2, 4, "2024-12-20").unwrap();
    workbook.save(&path).unwrap();
    let before = tree(root);
    let run = import(root, "bad.xlsx", &["--drop-status"]);
    run.assert_failure();
    assert_eq!(
        headlines(&run),
        [
            "错误：bad.xlsx：工作表 “Sheet1” 第 2 行 E 列（发现日期）是公式 =TODAY()，文件中没有它算出的结果",
            "错误：bad.xlsx：工作表 “Sheet1” 第 2 行 F 列有复查日期，但这一行没有整改情况",
            "错误：bad.xlsx：工作表 “Sheet1” 第 3 行 A 列（单位）为空，但这一行写了问题",
        ]
    );
    assert_eq!(tree(root), before);
}

#[test]
fn findings_and_a_table_are_not_imported_at_once() {
    let site = site();
    let root = site.path();
    let run = run_in(
        root,
        &[
            "import",
            "f.csv",
            "--period",
            PERIOD,
            "--findings",
            "--table",
            "towns",
        ],
    );
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.stderr.lines().next(),
        Some("错误：--findings 不能与 --table <表格> 同时使用")
    );
}

/// A minimal .xlsx dated from 1904 (as Excel for Mac once saved them),
/// whose sheet holds `rows` (`<row>` elements) and whose style 1 is a date.
fn xlsx_1904(path: &Path, rows: &str) {
    use std::io::Write;
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let package = "http://schemas.openxmlformats.org/package/2006/relationships";
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let parts = [
        (
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relationships}"><workbookPr date1904="1"/><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{relationships}/styles" Target="styles.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/styles.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{rows}</sheetData></worksheet>"#
            ),
        ),
    ];
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in parts {
        writer.start_file(name, options).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_date_in_a_workbook_dated_from_1904_is_the_date_it_shows() {
    let site = site();
    let root = site.path();
    let text = |reference: &str, text: &str| {
        format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    };
    let header: String = ["单位", "栏目", "问题类型", "问题描述", "发现日期"]
        .iter()
        .zip('A'..)
        .map(|(header, column)| text(&format!("{column}1"), header))
        .collect();
    // 2024-12-21 is day 44185 counted from 1904-01-01 (45647 from 1900).
    let row = [
        text("A2", "丙镇"),
        text("B2", "政府信息公开/重点领域信息公开/财政预决算"),
        text("C2", "链接失效"),
        text("D2", "2024年预算公开链接打不开"),
        r#"<c r="E2" s="1"><v>44185</v></c>"#.to_string(),
    ]
    .concat();
    xlsx_1904(
        &root.join("mac.xlsx"),
        &format!(r#"<row r="1">{header}</row><row r="2">{row}</row>"#),
    );
    let run = import(root, "mac.xlsx", &["--drop-status"]);
    run.assert_success();
    let written = read(root, FINDINGS);
    let findings: Vec<&str> = written
        .lines()
        .filter(|line| line.starts_with("  {"))
        .collect();
    assert_eq!(
        findings,
        [
            "  { unit = \"丙镇\", column = \"政府信息公开/重点领域信息公开/财政预决算\", category = \"链接失效\", problem = \"2024年预算公开链接打不开\", found = 2024-12-21 },"
        ]
    );
}

/// The findings of a findings.toml, each as its TOML table, sorted.
fn findings_of(text: &str) -> Vec<String> {
    let document: toml::Table = text.parse().unwrap();
    let mut findings: Vec<String> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    findings.sort();
    findings
}

#[test]
fn the_built_downloads_import_back_with_every_recheck() {
    let site = site();
    let root = site.path();
    common::build_ok(root);
    let original = read(root, FINDINGS);
    // The CSV repeats the unit on each line; the status cell carries the
    // re-check's date and the note in brackets, so the whole re-check comes
    // from the file and nothing is kept from findings.toml.
    let run = import(root, "public/2024-q4/findings.csv", &[]);
    run.assert_success();
    assert!(has_line(
        &run.stdout,
        "替换 content/2024-q4/findings.toml 中原有的 4 个问题"
    ));
    assert!(!run.stdout.contains("已记录的复查结果"), "{}", run.stdout);
    let imported = read(root, FINDINGS);
    assert_eq!(findings_of(&imported), findings_of(&original));
    // The workbook merges each unit's cell down its findings.
    let run = import(root, "public/2024-q4/findings.xlsx", &[]);
    run.assert_success();
    assert!(has_line(
        &run.stdout,
        "问题清单与文件一致，content/2024-q4/findings.toml 未改动"
    ));
    assert_eq!(read(root, FINDINGS), imported);
}

#[test]
fn headers_worded_otherwise_are_mapped_and_a_missing_one_suggests_its_map() {
    let site = site();
    let root = site.path();
    std::fs::write(
        root.join("m.csv"),
        "被检查单位,检查栏目,问题类型,存在问题,发现日期\n甲镇,政务动态,未更新,三个月未更新,2024-12-20\n",
    )
    .unwrap();
    let before = tree(root);
    let run = import(root, "m.csv", &["--map", "被检查单位=unit"]);
    run.assert_failure();
    assert_eq!(
        headlines(&run),
        ["错误：m.csv：第 1 行表头中没有 栏目（column）、问题描述（problem）"]
    );
    assert!(has_line(
        &run.stderr,
        " = 提示：是否应为 --map 检查栏目=column？"
    ));
    let run = import(
        root,
        "m.csv",
        &["--map", "被检查单位=unit", "--map", "检查栏目=colum"],
    );
    run.assert_failure();
    assert_eq!(
        headlines(&run),
        [
            "错误：m.csv：--map 检查栏目=colum：问题清单没有 “colum” 这一项；可用：unit、column、url、category、problem、found、status、checked、note，或 -（忽略）。是否应为 --map 检查栏目=column？"
        ]
    );
    assert_eq!(tree(root), before);
    let run = import(
        root,
        "m.csv",
        &[
            "--map",
            "被检查单位=unit",
            "--map",
            "检查栏目=column",
            "--map",
            "存在问题=problem",
            "--drop-status",
        ],
    );
    run.assert_success();
    let written = read(root, FINDINGS);
    assert_eq!(
        written
            .lines()
            .filter(|line| line.starts_with("  {"))
            .collect::<Vec<_>>(),
        [
            "  { unit = \"甲镇\", column = \"政务动态\", category = \"未更新\", problem = \"三个月未更新\", found = 2024-12-20 },"
        ]
    );
}
