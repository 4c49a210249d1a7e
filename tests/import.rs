//! `tongbao import`: the backend's export into a period's data.toml.

mod common;

use common::{Run, SEED, Site, tree};
use rust_xlsxwriter::{Format, Workbook};

const NEW: &str = "2019-01-06";
const DATA: &str = "content/2019-01-06/data.toml";

/// Whether `text` has `expected` as a whole line: a count such as
/// `3 个单位` must not match inside `13 个单位`.
fn has_line(text: &str, expected: &str) -> bool {
    text.lines().any(|line| line == expected)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Runs `tongbao import --keep-units FILE --period PERIOD --table TABLE`
/// in `site`, then the `extra` arguments.
fn import(site: &Site, file: &str, (period, table): (&str, &str), extra: &[&str]) -> Run {
    let mut args = vec![
        "import",
        "--keep-units",
        file,
        "--period",
        period,
        "--table",
        table,
    ];
    args.extend_from_slice(extra);
    site.run(&args)
}

/// The seed site with a new, zeroed period to import into.
fn site_with_new_period() -> Site {
    let site = Site::seed();
    site.add_period(NEW).assert_success();
    site
}

/// An export laid out like the notice's own table: a title row, group
/// headings merged over a second header row, a totals row and a footnote.
fn write_departments_xlsx(site: &Site) -> std::path::PathBuf {
    let path = site.path("departments.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("采用统计").unwrap();
    let plain = Format::new();
    sheet
        .merge_range(0, 0, 0, 8, "2019年1-6月部门采用情况", &plain)
        .unwrap();
    sheet.merge_range(1, 0, 2, 0, "序号", &plain).unwrap();
    sheet
        .merge_range(1, 1, 2, 1, "部门（单位）", &plain)
        .unwrap();
    sheet.write_string(1, 2, "信息公开（采用数）").unwrap();
    sheet
        .merge_range(1, 3, 1, 4, "动态信息（采用数）", &plain)
        .unwrap();
    sheet
        .merge_range(1, 5, 1, 8, "政务公开亮点信息采用情况", &plain)
        .unwrap();
    for (column, header) in [
        "1-6月份",
        "1-6月份",
        "每周更新未达标次数",
        "国办",
        "省办",
        "市办",
        "累计加分",
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write_string(2, column as u16 + 2, header).unwrap();
    }
    // Every department of the seed, in another order, with new figures.
    let rows: [(&str, [f64; 6]); 3] = [
        ("气象局", [320.0, 17.0, 6.0, 0.0, 0.0, 0.0]),
        ("行政审批服务局", [1200.0, 35.0, 5.0, 1.0, 1.0, 3.0]),
        ("　自然资源和规划局 ", [274.0, 28.0, 1.0, 0.0, 0.0, 0.0]),
    ];
    for (index, (unit, counts)) in rows.iter().enumerate() {
        let row = index as u32 + 3;
        sheet.write_number(row, 0, index as f64 + 1.0).unwrap();
        sheet.write_string(row, 1, *unit).unwrap();
        for (column, count) in counts.iter().enumerate() {
            if *count != 0.0 {
                sheet.write_number(row, column as u16 + 2, *count).unwrap();
            }
        }
        sheet.write_number(row, 8, 9.5).unwrap();
    }
    sheet.write_string(6, 1, "合计").unwrap();
    sheet.write_number(6, 2, 1800.0).unwrap();
    workbook.save(&path).unwrap();
    path
}

#[test]
fn xlsx_export_fills_the_table_and_keeps_comments_and_layout() {
    let site = site_with_new_period();
    let file = write_departments_xlsx(&site);
    let before = site.read(DATA);
    let run = import(&site, file.to_str().unwrap(), (NEW, "departments"), &[]);
    run.assert_success();
    assert!(
        first_line(&run.stdout).ends_with("（工作表 “采用统计”）：3 个单位"),
        "{run:#?}"
    );
    assert!(
        has_line(
            &run.stdout,
            "导入的列：信息公开 ← C 列，动态信息 ← D 列，每周更新未达标次数 ← E 列，国办 ← F 列，省办 ← G 列，市办 ← H 列"
        ),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("累计加分（I 列，由计分规则计算，不导入）")
    );
    assert!(has_line(&run.stdout, "3 个单位数字有变化，0 个单位不变"));
    assert!(has_line(
        &run.stdout,
        "后台申报合计（合计行）：信息公开 无 → 1800"
    ));
    assert!(
        first_line(&run.stderr).starts_with(
            "警告：文件中没有 43 个单位，按 --keep-units 保留其原有数字：卫生健康局、"
        ),
        "{run:#?}"
    );

    let after = site.read(DATA);
    // Changed rows: new figures, keys in column order, zero highlights left out.
    assert!(after.contains("\n  { unit = \"行政审批服务局\", disclosure = 1200, dynamic = 35, missed_weeks = 5, national = 1, province = 1, city = 3 },\n  { unit = \"气象局\", disclosure = 320, dynamic = 17, missed_weeks = 6 },\n  { unit = \"自然资源和规划局\", disclosure = 274, dynamic = 28, missed_weeks = 1 },\n  { unit = \"卫生健康局\", disclosure = 0, dynamic = 0, missed_weeks = 0 },\n"), "{after}");
    assert!(after.contains("[tables.departments]\ndeclared = { disclosure = 1800 }\nrows = [\n"));
    // Everything else is byte for byte as it was: comments, the towns table.
    let diff = similar::TextDiff::from_lines(&before, &after);
    let changes = |tag| {
        diff.iter_all_changes()
            .filter(|change| change.tag() == tag)
            .count()
    };
    assert_eq!(
        changes(similar::ChangeTag::Delete),
        3,
        "{}",
        diff.unified_diff()
    );
    assert_eq!(
        changes(similar::ChangeTag::Insert),
        4,
        "{}",
        diff.unified_diff()
    );
    for comment in before.lines().filter(|line| line.contains('#')) {
        assert!(after.contains(comment), "comment kept: {comment}");
    }
    site.run(&["build"]).assert_success();
}

#[test]
fn gbk_csv_export_is_decoded_and_its_totals_row_declared() {
    let site = site_with_new_period();
    let text = "莒南县镇街采用统计\r\n序号,镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,省级,市级\r\n1,十字路街道 ,430,71,3,,1,2\r\n2,板泉镇,414,111,7,,,\r\n,合 计,\"2,800\",550,,,,\r\n注：以后台采用数据为准\r\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    std::fs::write(site.path("towns.csv"), &bytes).unwrap();
    let before = site.read(DATA);

    let run = import(&site, "towns.csv", (NEW, "towns"), &[]);
    run.assert_success();
    assert!(
        first_line(&run.stdout).ends_with("（GBK 编码的 CSV）：2 个单位"),
        "{run:#?}"
    );
    assert!(
        has_line(
            &run.stdout,
            "跳过：第 6 行 “注：以后台采用数据为准”（没有单位名称和数字）"
        ),
        "{run:#?}"
    );
    assert!(has_line(
        &run.stdout,
        "后台申报合计（合计行）：信息公开 无 → 2800，动态信息 无 → 550"
    ));
    assert!(first_line(&run.stderr).starts_with(
        "警告：文件中没有 12 个单位，按 --keep-units 保留其原有数字：洮边镇、临港产业园"
    ));

    let after = site.read(DATA);
    assert!(after.contains("[tables.towns]\n# Totals as the backend declared them; the build reconciles them with the rows.\ndeclared = { disclosure = 2800, dynamic = 550 }\nrows = [\n  { unit = \"十字路街道\", disclosure = 430, dynamic = 71, missed_weeks = 3, province = 1, city = 2 },\n  { unit = \"板泉镇\", disclosure = 414, dynamic = 111, missed_weeks = 7 },\n  { unit = \"洮边镇\", disclosure = 0, dynamic = 0, missed_weeks = 0 },\n"), "{after}");
    for comment in before.lines().filter(|line| line.contains('#')) {
        assert!(after.contains(comment), "comment kept: {comment}");
    }
}

#[test]
fn an_unknown_unit_is_reported_and_nothing_is_written() {
    let site = Site::seed();
    site.write(
        "towns.csv",
        "镇街（园区）,信息公开\n十字路街道,430\n十字路街道办,12\n",
    );
    let before = tree(site.root());
    let run = import(&site, "towns.csv", (SEED, "towns"), &[]);
    run.assert_failure();
    assert!(
        run.stderr.contains(
            "towns.csv：第 3 行的单位 “十字路街道办” 不在期次 2019-01-05 的表格 towns 中"
        ),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("是否应为 “十字路街道”？若是新增单位，加 --add-units 导入为新的一行")
    );
    assert!(
        run.stderr
            .contains("未导入：content/2019-01-05/data.toml 未改动")
    );
    assert_eq!(tree(site.root()), before);
}

#[test]
fn add_units_appends_a_new_unit_on_its_own_line() {
    let site = Site::seed();
    site.write(
        "towns.csv",
        "镇街（园区）,信息公开,动态信息,每周更新未达标次数\n新城街道,5,6,7\n",
    );
    let run = import(
        &site,
        "towns.csv",
        (SEED, "towns"),
        &["--add-units", "--keep", "national,province,city"],
    );
    run.assert_success();
    assert!(has_line(&run.stdout, "新增单位：新城街道"), "{run:#?}");
    let data = site.read("content/2019-01-05/data.toml");
    assert!(data.contains("  { unit = \"道口镇\", disclosure = 29, dynamic = 5, missed_weeks = 15 },\n  { unit = \"新城街道\", disclosure = 5, dynamic = 6, missed_weeks = 7 },\n]\n"), "{data}");
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let site = Site::seed();
    site.write("towns.csv", "单位名称,信息公开数\n板泉镇,415\n");
    let before = tree(site.root());
    let run = import(
        &site,
        "towns.csv",
        (SEED, "towns"),
        &[
            "--map",
            "单位名称=unit",
            "--map",
            "信息公开数=disclosure",
            "--keep",
            "dynamic,missed_weeks",
            "--keep",
            "国办",
            "--keep",
            "省级,市级",
            "--dry-run",
        ],
    );
    run.assert_success();
    assert!(
        run.stdout
            .contains("--- a/content/2019-01-05/data.toml\n+++ b/content/2019-01-05/data.toml\n"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("\n-  { unit = \"板泉镇\", disclosure = 414, dynamic = 111, missed_weeks = 7 },\n+  { unit = \"板泉镇\", disclosure = 415, dynamic = 111, missed_weeks = 7 },\n"));
    assert!(has_line(
        &run.stdout,
        "试运行：导入后检查通过，content/2019-01-05/data.toml 未改动"
    ));
    assert_eq!(tree(site.root()), before);
}

#[test]
fn bad_cells_are_all_reported_with_their_position() {
    let site = Site::seed();
    site.write("towns.csv", "镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,省级,市级\n板泉镇,四百,111,7\n洮边镇,400.5,,12\n,3,4,5\n");
    let before = tree(site.root());
    let run = import(&site, "towns.csv", (SEED, "towns"), &[]);
    run.assert_failure();
    // Each problem once: a cell that is no number is not also called empty.
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("错误："))
        .collect();
    assert_eq!(
        errors,
        [
            "错误：towns.csv：第 2 行 B 列（信息公开）“四百” 不是数字",
            "错误：towns.csv：第 3 行 B 列（信息公开）应为整数，而不是 400.5",
            "错误：towns.csv：第 4 行有数字，但没有单位名称（A 列）",
            "错误：towns.csv：第 3 行 C 列（动态信息，单位 “洮边镇”）为空",
        ],
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before);
}

#[test]
fn every_message_about_a_cell_names_the_file_and_sheet() {
    let site = Site::seed();
    let csv = "exports/镇街 统计.csv";
    site.write(
        csv,
        "镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,省级,市级\n板泉镇,暂无,111,7,,,\n板泉镇,1,1,1,,,\n",
    );
    let xlsx = "exports/towns.xlsx";
    let second = format!(
        r#"<row r="3">{}{}{}{}</row>"#,
        text_xml("A3", "板泉镇"),
        number_xml("B3", 1),
        number_xml("C3", 1),
        number_xml("D3", 1)
    );
    let rows = towns_header_xml() + &banquan_xml(&text_xml("F2", "暂无")) + &second;
    raw_xlsx(&site.path(xlsx), "", &rows);
    let before = tree(site.root());
    for (file, expected) in [
        (
            csv,
            [
                "错误：exports/镇街 统计.csv：第 2 行 B 列（信息公开）“暂无” 不是数字",
                "错误：exports/镇街 统计.csv：第 3 行与第 2 行是同一个单位 “板泉镇”",
            ],
        ),
        (
            xlsx,
            [
                "错误：exports/towns.xlsx：工作表 “Sheet1” 第 2 行 F 列（省级）“暂无” 不是数字",
                "错误：exports/towns.xlsx：第 3 行与第 2 行是同一个单位 “板泉镇”",
            ],
        ),
    ] {
        let run = import_towns_dry_run(&site, file);
        assert_eq!(run.code, Some(1), "{file}: {run:#?}");
        assert_eq!(headlines(&run), expected, "{file}: {run:#?}");
    }
    assert_eq!(tree(site.root()), before);
}

#[test]
fn a_file_without_the_unit_column_says_how_to_map_it() {
    let site = Site::seed();
    site.write("towns.csv", "名称,信息公开\n板泉镇,415\n");
    let run = import(&site, "towns.csv", (SEED, "towns"), &[]);
    run.assert_failure();
    assert!(run.stderr.contains("找不到单位名称列：前 30 行中没有表头 “镇街（园区）”（文件第一行为：名称、信息公开）；请用 --map 表头=unit 指定"), "{run:#?}");
}

#[test]
fn each_header_problem_is_told_with_what_it_names() {
    let site = Site::seed();
    site.write("a.csv", "镇街（园区）,信息公开\n板泉镇,415\n");
    site.write("b.csv", "镇街（园区）,disclosure,信息公开\n板泉镇,1,2\n");
    site.write("c.csv", "镇街（园区）,备注\n板泉镇,x\n");
    let columns = "disclosure（信息公开）、dynamic（动态信息）、missed_weeks（每周更新未达标次数）、national（国办）、province（省级）、city（市级）";
    let cases: [(&str, &[&str], String); 4] = [
        (
            "a.csv",
            &["--map", "信息公开=bonus"],
            "错误：a.csv：--map 信息公开=bonus：bonus 由计分规则算出，不能导入".to_string(),
        ),
        (
            "a.csv",
            &["--map", "信息公开=disclosre"],
            format!(
                "错误：a.csv：--map 信息公开=disclosre：表格 “towns” 没有列 “disclosre”。是否应为 disclosure？可用的列：unit（单位名称）、{columns}"
            ),
        ),
        (
            "b.csv",
            &[],
            "错误：b.csv：表头 “disclosure”（B 列）和 “信息公开”（C 列）都对应 disclosure；请用 --map 信息公开=- 忽略其中一列，或用 --map 指定".to_string(),
        ),
        (
            "c.csv",
            &[],
            format!(
                "错误：c.csv：第 1 行表头中没有可导入的列：表格 “towns” 的计数列为 {columns}；请用 --map 表头=列名 指定"
            ),
        ),
    ];
    let before = tree(site.root());
    for (file, extra, expected) in cases {
        let run = import(&site, file, (SEED, "towns"), extra);
        run.assert_failure();
        assert_eq!(headlines(&run), [expected], "{run:#?}");
    }
    assert_eq!(tree(site.root()), before, "a failed import changes nothing");
}

/// The rows of every table of a period's data.toml, as TOML values.
fn data_rows(site: &Site, slug: &str) -> Vec<(String, toml::Value)> {
    let text = site.read(&format!("content/{slug}/data.toml"));
    let data: toml::Table = text.parse().unwrap();
    data["tables"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(id, table)| (id.clone(), table["rows"].clone()))
        .collect()
}

#[test]
fn the_built_downloads_import_back_without_changing_anything() {
    let site = Site::seed();
    site.run(&["build"]).assert_success();
    let before = tree(&site.path("content"));
    for (table, units) in [("towns", 14), ("departments", 46)] {
        for format in ["xlsx", "csv"] {
            let file = format!("public/{SEED}/{table}.{format}");
            let run = import(&site, &file, (SEED, table), &["--dry-run"]);
            run.assert_success();
            assert!(
                has_line(
                    &run.stdout,
                    &format!("0 个单位数字有变化，{units} 个单位不变")
                ),
                "{file}: {run:#?}"
            );
            assert!(
                has_line(
                    &run.stdout,
                    "数据与文件一致，content/2019-01-05/data.toml 未改动"
                ),
                "{file}: {run:#?}"
            );
            assert_eq!(run.stderr, "", "{file}: no unit missing, no warning");
        }
    }
    assert_eq!(tree(&site.path("content")), before);

    // Imported into a zeroed period, the downloads give back the seed's rows.
    site.add_period(NEW).assert_success();
    for (table, format) in [("towns", "xlsx"), ("departments", "csv")] {
        let file = format!("public/{SEED}/{table}.{format}");
        import(&site, &file, (NEW, table), &[]).assert_success();
    }
    assert_eq!(data_rows(&site, NEW), data_rows(&site, SEED));
}

#[test]
fn downloads_of_units_whose_names_look_like_formulas_import_back() {
    let site = Site::seed();
    let data = site.path(&format!("content/{SEED}/data.toml"));
    // Every character a download neutralises, and names that look
    // neutralised already.
    for (from, to) in [
        ("十字路街道", "=十字路街道"),
        ("板泉镇", "+板泉镇"),
        ("洮边镇", "-洮边镇"),
        ("临港产业园", "@临港产业园"),
        ("大店镇", "'=大店镇"),
        ("涝坡镇", "''+涝坡镇"),
    ] {
        common::edit(&data, &format!("\"{from}\""), &format!("\"{to}\""));
    }
    site.run(&["build"]).assert_success();
    let csv = site.read(&format!("public/{SEED}/towns.csv"));
    assert!(
        csv.contains("\r\n1,'=十字路街道,"),
        "the download neutralises: {csv}"
    );
    assert!(csv.contains("\r\n6,'''+涝坡镇,"), "{csv}");
    let before = tree(&site.path("content"));
    for format in ["csv", "xlsx"] {
        let file = format!("public/{SEED}/towns.{format}");
        let run = import_towns_dry_run(&site, &file);
        run.assert_success();
        assert!(
            has_line(&run.stdout, "0 个单位数字有变化，14 个单位不变"),
            "{file}: {run:#?}"
        );
        assert_eq!(run.stderr, "", "{file}: no unit missing, no warning");
    }
    assert_eq!(tree(&site.path("content")), before);

    site.add_period(NEW).assert_success();
    let file = format!("public/{SEED}/towns.csv");
    import(&site, &file, (NEW, "towns"), &[]).assert_success();
    let towns = |slug| {
        data_rows(&site, slug)
            .into_iter()
            .find(|(id, _)| id == "towns")
    };
    assert_eq!(towns(NEW), towns(SEED));
}

#[test]
fn a_long_csv_is_read_in_one_pass_with_its_line_numbers() {
    // 40,000 blank records before the units: import once counted every
    // record's line from the start of the file, which took seconds here
    // and never finished for a million rows.
    let site = Site::seed();
    let mut text =
        String::from("镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,省级,市级\r\n");
    text.push_str(&",,,,,,\r\n".repeat(40_000));
    text.push_str("板泉镇,500,111,7,,,\r\n洮边镇,401,15,12,,,\r\n");
    site.write("towns.csv", &text);
    let run = import(&site, "towns.csv", (SEED, "towns"), &[]);
    run.assert_success();
    assert!(
        has_line(&run.stdout, "2 个单位数字有变化，0 个单位不变"),
        "{run:#?}"
    );
    let data = site.read(&format!("content/{SEED}/data.toml"));
    assert!(data.contains("\n  { unit = \"板泉镇\", disclosure = 500, dynamic = 111, missed_weeks = 7 },\n  { unit = \"洮边镇\", disclosure = 401, dynamic = 15, missed_weeks = 12 },\n"), "{data}");

    // The line numbers at the end of the file are right.
    site.write("towns.csv", &text.replace("洮边镇,401", "洮边镇,暂无"));
    let run = import(&site, "towns.csv", (SEED, "towns"), &[]);
    run.assert_failure();
    assert_eq!(
        headlines(&run),
        ["错误：towns.csv：第 40003 行 B 列（信息公开）“暂无” 不是数字"],
        "{run:#?}"
    );
}

#[test]
fn a_file_past_the_size_limit_is_refused_by_name() {
    let site = Site::seed();
    let before = tree(site.root());
    for file in ["big.csv", "big.xlsx", "big.xls"] {
        let path = site.path(file);
        std::fs::write(&path, vec![b'1'; 20 * 1024 * 1024 + 1]).unwrap();
        let run = import_towns_dry_run(&site, file);
        run.assert_failure();
        assert_eq!(
            headlines(&run),
            [format!(
                "错误：{file}：超出导入上限：文件大于 20 MiB，未读取"
            )],
            "{run:#?}"
        );
        std::fs::remove_file(path).unwrap();
    }
    assert_eq!(tree(site.root()), before);
}

#[test]
fn a_sheet_past_the_cell_limit_is_refused_and_a_stray_far_cell_is_not() {
    // Two cells a row, 16,383 columns apart: laid out as rows, over a
    // million cells from a file of a few kilobytes.
    let site = Site::seed();
    let far: String = (2..=100)
        .map(|row| {
            format!(
                r#"<row r="{row}">{}{}</row>"#,
                text_xml(&format!("A{row}"), "注"),
                text_xml(&format!("XFD{row}"), "注")
            )
        })
        .collect();
    raw_xlsx(&site.path("towns.xlsx"), "", &(towns_header_xml() + &far));
    let run = import_towns_dry_run(&site, "towns.xlsx");
    run.assert_failure();
    assert_eq!(
        headlines(&run),
        ["错误：towns.xlsx：超出导入上限：单元格多于 1000000 个，未读取"],
        "{run:#?}"
    );

    // One stray cell in the sheet's far corner: a rectangle from A1 to it
    // is 17 billion cells; import keeps three rows.
    let stray = text_xml("XFD1048576", "注");
    let rows =
        towns_header_xml() + &banquan_xml("") + &format!(r#"<row r="1048576">{stray}</row>"#);
    raw_xlsx(&site.path("towns.xlsx"), "", &rows);
    let run = import_towns_dry_run(&site, "towns.xlsx");
    run.assert_success();
    assert!(
        has_line(
            &run.stdout,
            "跳过：第 1048576 行 “注”（没有单位名称和数字）"
        ),
        "{run:#?}"
    );
}

#[test]
fn text_from_the_file_cannot_rewrite_the_terminal() {
    let site = Site::seed();
    for (hostile, escaped) in [
        ("\u{1b}[2J\u{1b}[H", r"\u{1b}[2J\u{1b}[H"),
        ("\u{9b}31m", r"\u{9b}31m"),
        ("\u{7}\u{8}\u{8}", r"\u{7}\u{8}\u{8}"),
        ("\u{202e}镇", r"\u{202e}镇"),
    ] {
        site.write(
            "towns.csv",
            &format!("镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,省级,市级\n十字路街道{hostile},1,2,3,,,\n"),
        );
        let run = import_towns_dry_run(&site, "towns.csv");
        run.assert_failure();
        assert_eq!(
            headlines(&run)[0],
            format!(
                "错误：towns.csv：第 2 行的单位 “十字路街道{escaped}” 不在期次 2019-01-05 的表格 towns 中"
            ),
            "{run:#?}"
        );
        let output = run.stdout.clone() + &run.stderr;
        assert!(
            !output.chars().any(|c| c.is_control() && c != '\n'),
            "{hostile:?} reached the terminal: {output:?}"
        );
    }
    // A header and a skipped note reach the report on standard output.
    site.write(
        "towns.csv",
        "镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,省级,市级,备注\u{1b}]0;x\u{7}\n板泉镇,414,111,7,,,,\n注\u{1b}[31m,,,,,,,\n",
    );
    let run = import_towns_dry_run(&site, "towns.csv");
    run.assert_success();
    assert!(
        has_line(&run.stdout, r"未导入的表头：备注\u{1b}]0;x\u{7}（H 列）"),
        "{run:#?}"
    );
    assert!(
        has_line(&run.stdout, r"跳过：第 3 行 “注\u{1b}[31m”（没有数字）"),
        "{run:#?}"
    );
    let output = run.stdout.clone() + &run.stderr;
    assert!(!output.chars().any(|c| c.is_control() && c != '\n'));
}

#[test]
fn a_damaged_workbook_is_reported_by_its_own_format() {
    let site = Site::seed();
    site.write("towns.xlsx", "不是电子表格");
    let run = import(&site, "towns.xlsx", (SEED, "towns"), &[]);
    run.assert_failure();
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(
            "错误：towns.xlsx：无法读取电子表格：文件已损坏，或不是 .xlsx 格式（Xlsx error: "
        ),
        "{run:#?}"
    );
}

#[test]
fn a_missing_file_is_named_in_chinese_whatever_its_format() {
    let site = Site::seed();
    for file in ["towns.csv", "towns.xlsx"] {
        let run = import(&site, file, (SEED, "towns"), &[]);
        run.assert_failure();
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("错误：{file}：无法读取文件：文件或目录不存在（")),
            "{run:#?}"
        );
    }
}

#[test]
fn an_unknown_period_names_the_closest_one() {
    let site = Site::seed();
    site.write("towns.csv", "镇街（园区）,信息公开\n板泉镇,415\n");
    let run = import(&site, "towns.csv", ("2019-01-5", "towns"), &[]);
    run.assert_failure();
    assert_eq!(
        run.stderr,
        "错误：找不到期次 content/2019-01-5\n = 提示：是否应为 --period 2019-01-05？\n\n"
    );
}

// ---------------------------------------------------------------------
// Nothing imported is a guess, and every message names the file.

/// The headlines (`错误：…`, `警告：…`) a run printed, in order.
fn headlines(run: &Run) -> Vec<String> {
    common::diagnostics(&run.stderr)
        .into_iter()
        .map(|(headline, _)| headline)
        .collect()
}

/// Every header of the towns table, as the backend exports them.
const TOWNS_HEADER: [&str; 7] = [
    "镇街（园区）",
    "信息公开",
    "动态信息",
    "每周更新未达标次数",
    "国办",
    "省级",
    "市级",
];

/// The parts of a minimal .xlsx around `sheet_data` (the rows of
/// `<sheetData>`), with `calc` (e.g. a `<calcPr/>`) in its workbook part:
/// a workbook written the way a script writes one.
fn raw_xlsx(path: &std::path::Path, calc: &str, sheet_data: &str) {
    use std::io::Write;
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let package = "http://schemas.openxmlformats.org/package/2006/relationships";
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relationships}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>{calc}</workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{sheet_data}</sheetData></worksheet>"#),
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

/// A `<c>` with inline text.
fn text_xml(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A `<c>` with a number.
fn number_xml(reference: &str, number: u64) -> String {
    format!(r#"<c r="{reference}"><v>{number}</v></c>"#)
}

/// Row 1 of a raw sheet: every towns header in columns A to G.
fn towns_header_xml() -> String {
    let cells: String = TOWNS_HEADER
        .iter()
        .zip('A'..)
        .map(|(header, column)| text_xml(&format!("{column}1"), header))
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

/// Row 2 of a raw sheet: 板泉镇 with its seed figures (414, 111, 7), and
/// `province` as column F's whole `<c>` element.
fn banquan_xml(province: &str) -> String {
    format!(
        r#"<row r="2">{}{}{}{}{province}</row>"#,
        text_xml("A2", "板泉镇"),
        number_xml("B2", 414),
        number_xml("C2", 111),
        number_xml("D2", 7),
    )
}

fn import_towns_dry_run(site: &Site, file: &str) -> Run {
    import(site, file, (SEED, "towns"), &["--dry-run"])
}

#[test]
fn a_formula_without_its_result_is_refused_not_read_as_zero() {
    const RECALCULATE: &str = r#"<calcPr calcId="124519" fullCalcOnLoad="1"/>"#;
    let refused = "错误：towns.xlsx：工作表 “Sheet1” 第 2 行 F 列（省级）是公式 =SUM(B2:C2)，文件中没有它算出的结果";
    // As Apache POI writes it: the formula, no value.
    let poi = r#"<c r="F2"><f>SUM(B2:C2)</f></c>"#;
    // As openpyxl writes it: an empty value, and a request to recalculate.
    let openpyxl = r#"<c r="F2"><f>SUM(B2:C2)</f><v></v></c>"#;
    // As XlsxWriter writes it: a placeholder 0, and a request to recalculate.
    let xlsxwriter = r#"<c r="F2"><f>SUM(B2:C2)</f><v>0</v></c>"#;
    for (name, calc, cell) in [
        ("poi", "", poi),
        ("openpyxl", RECALCULATE, openpyxl),
        ("xlsxwriter", RECALCULATE, xlsxwriter),
    ] {
        let site = Site::seed();
        let rows = towns_header_xml() + &banquan_xml(cell);
        raw_xlsx(&site.path("towns.xlsx"), calc, &rows);
        let before = tree(site.root());
        let run = import_towns_dry_run(&site, "towns.xlsx");
        assert_eq!(run.code, Some(1), "{name}: {run:#?}");
        assert_eq!(headlines(&run), [refused], "{name}: {run:#?}");
        assert!(
            run.stderr
                .contains("用 Excel 或 WPS 打开这个文件并保存一次"),
            "{name}: says what to do"
        );
        assert_eq!(tree(site.root()), before, "{name}: nothing written");
    }

    // The same through rust_xlsxwriter, with its placeholder and without one.
    for result in [None, Some("")] {
        let site = Site::seed();
        let path = site.path("towns.xlsx");
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (column, header) in TOWNS_HEADER.iter().enumerate() {
            sheet.write_string(0, column as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "板泉镇").unwrap();
        for (column, count) in [(1, 414.0), (2, 111.0), (3, 7.0)] {
            sheet.write_number(1, column, count).unwrap();
        }
        let mut formula = rust_xlsxwriter::Formula::new("=SUM(B2:C2)");
        if let Some(result) = result {
            formula = formula.set_result(result);
        }
        sheet.write_formula(1, 5, formula).unwrap();
        workbook.save(&path).unwrap();
        let run = import_towns_dry_run(&site, "towns.xlsx");
        assert_eq!(run.code, Some(1), "{result:?}: {run:#?}");
        assert_eq!(headlines(&run), [refused], "{result:?}: {run:#?}");
    }

    // A unit name that is a formula without its result.
    let site = Site::seed();
    let name = r#"<c r="A2" t="str"><f>"板泉"&amp;"镇"</f></c>"#;
    let rows = towns_header_xml()
        + &banquan_xml(&number_xml("F2", 1)).replacen(&text_xml("A2", "板泉镇"), name, 1);
    raw_xlsx(&site.path("towns.xlsx"), "", &rows);
    let run = import_towns_dry_run(&site, "towns.xlsx");
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(
        headlines(&run),
        [
            "错误：towns.xlsx：工作表 “Sheet1” 第 2 行 A 列（单位名称）是公式 =\"板泉\"&\"镇\"，文件中没有它算出的结果"
        ],
        "{run:#?}"
    );
}

#[test]
fn a_date_in_a_count_column_is_refused_not_read_as_its_serial_number() {
    let site = Site::seed();
    let path = site.path("towns.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in TOWNS_HEADER.iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "板泉镇").unwrap();
    for (column, count) in [(1, 414.0), (2, 111.0), (3, 7.0)] {
        sheet.write_number(1, column, count).unwrap();
    }
    // Excel keeps 2019-06-03 as 43619: a count of 43619 is no figure.
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 6, 3).unwrap();
    let format = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(1, 5, &date, &format)
        .unwrap();
    workbook.save(&path).unwrap();
    let run = import_towns_dry_run(&site, "towns.xlsx");
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(
        headlines(&run),
        ["错误：towns.xlsx：工作表 “Sheet1” 第 2 行 F 列（省级）“2019-06-03” 不是数字"]
    );
}

#[test]
fn a_formula_with_its_result_saved_imports_that_result() {
    let site = Site::seed();
    let rows = towns_header_xml() + &banquan_xml(r#"<c r="F2"><f>1+1</f><v>2</v></c>"#);
    raw_xlsx(
        &site.path("towns.xlsx"),
        r#"<calcPr calcId="191029"/>"#,
        &rows,
    );
    let run = import_towns_dry_run(&site, "towns.xlsx");
    run.assert_success();
    assert!(
        has_line(
            &run.stdout,
            "+  { unit = \"板泉镇\", disclosure = 414, dynamic = 111, missed_weeks = 7, province = 2 },"
        ),
        "{run:#?}"
    );
}

#[test]
fn a_workbook_that_inflates_past_the_limit_is_refused_before_it_is_read() {
    // A few hundred kilobytes on disk, over 100 MiB inflated: the sheet's
    // rows are padded with spaces, which XML allows between elements.
    let site = Site::seed();
    let padding = " ".repeat(101 * 1024 * 1024);
    let rows = towns_header_xml() + &padding + &banquan_xml("");
    raw_xlsx(&site.path("towns.xlsx"), "", &rows);
    assert!(std::fs::metadata(site.path("towns.xlsx")).unwrap().len() < 1024 * 1024);
    let before = tree(site.root());
    let run = import_towns_dry_run(&site, "towns.xlsx");
    run.assert_failure();
    assert_eq!(
        headlines(&run),
        ["错误：towns.xlsx：超出导入上限：电子表格解压后大于 100 MiB，未读取"],
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before);
}

// ---------------------------------------------------------------------
// Every count column is imported, mapped, or kept on purpose.

/// The towns export with the 省级 column headed `province` instead.
fn towns_csv_with_province_as(province: &str) -> String {
    format!(
        "镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,{province},市级\n十字路街道,421,70,3,,1,1\n板泉镇,414,111,7,,2,\n"
    )
}

#[test]
fn a_count_column_headed_otherwise_is_an_error_with_the_map_that_fixes_it() {
    // The header, the --map suggested (quoted for the shell where it
    // must be), and that --map as the shell passes it.
    for (header, suggested, map) in [
        ("省级采用", "--map 省级采用=province", "省级采用=province"),
        (
            "省级 采用数",
            "--map 省级采用数=province",
            "省级采用数=province",
        ),
        ("采用省级", "--map 采用省级=province", "采用省级=province"),
        (
            "省级（采用）条数",
            "--map '省级(采用)条数=province'",
            "省级(采用)条数=province",
        ),
    ] {
        let site = site_with_new_period();
        site.write("towns.csv", &towns_csv_with_province_as(header));
        let before = tree(site.root());
        let run = import(&site, "towns.csv", (NEW, "towns"), &["--dry-run"]);
        assert_eq!(run.code, Some(1), "{header}: {run:#?}");
        assert_eq!(
            headlines(&run),
            [
                "错误：towns.csv：文件中没有 “省级”（province）这一列：表格 “towns” 的每个计数列都要从文件导入；文件确实没有这一列时，加 --keep province 保留 data.toml 中原有的数字"
            ],
            "{header}: {run:#?}"
        );
        assert!(
            has_line(&run.stderr, &format!(" = 提示：是否应为 {suggested}？")),
            "{header}: {run:#?}"
        );
        assert_eq!(tree(site.root()), before, "{header}: nothing written");

        // The suggested --map imports the column.
        let run = import(&site, "towns.csv", (NEW, "towns"), &["--map", map]);
        run.assert_success();
        let data = site.read(DATA);
        assert!(
            data.contains("\n  { unit = \"十字路街道\", disclosure = 421, dynamic = 70, missed_weeks = 3, province = 1, city = 1 },\n  { unit = \"板泉镇\", disclosure = 414, dynamic = 111, missed_weeks = 7, province = 2 },\n"),
            "{header}: {data}"
        );
    }
}

#[test]
fn a_column_the_file_lacks_is_kept_only_when_asked() {
    let site = Site::seed();
    site.write(
        "towns.csv",
        "镇街（园区）,信息公开,动态信息,每周更新未达标次数,备注\n十字路街道,500,70,3,\n",
    );
    let before = tree(site.root());
    let import = |extra: &[&str]| import(&site, "towns.csv", (SEED, "towns"), extra);
    let run = import(&[]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    let missing = |label: &str, key: &str| {
        format!(
            "错误：towns.csv：文件中没有 “{label}”（{key}）这一列：表格 “towns” 的每个计数列都要从文件导入；文件确实没有这一列时，加 --keep {key} 保留 data.toml 中原有的数字"
        )
    };
    assert_eq!(
        headlines(&run),
        [
            missing("国办", "national"),
            missing("省级", "province"),
            missing("市级", "city")
        ],
        "{run:#?}"
    );
    assert!(
        !run.stderr.contains("提示：是否应为 --map 备注"),
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before);

    // By key, by label, repeated or comma-separated: the same.
    for keep in [
        &["--keep", "national,province,city"][..],
        &["--keep", "国办", "--keep", "省级", "--keep", "市级"][..],
        &["--keep", "city,国办", "--keep", "province"][..],
    ] {
        let run = import(&[&["--dry-run"][..], keep].concat());
        run.assert_success();
        assert!(
            has_line(&run.stdout, "按 --keep 保留原有数字的列：国办、省级、市级"),
            "{keep:?}: {run:#?}"
        );
        assert!(
            has_line(
                &run.stdout,
                "+  { unit = \"十字路街道\", disclosure = 500, dynamic = 70, missed_weeks = 3, province = 1, city = 1 },"
            ),
            "{keep:?}: the kept figures stay: {run:#?}"
        );
    }
    assert_eq!(tree(site.root()), before);
}

#[test]
fn a_keep_that_names_no_column_the_file_lacks_is_an_error() {
    let site = Site::seed();
    site.write("towns.csv", &towns_csv_with_province_as("省级"));
    let before = tree(site.root());
    for (keep, expected, hint) in [
        (
            "provnce",
            "错误：towns.csv：--keep provnce：表格 “towns” 没有计数列 “provnce”。可用的列：disclosure（信息公开）、dynamic（动态信息）、missed_weeks（每周更新未达标次数）、national（国办）、province（省级）、city（市级）",
            Some(" = 提示：是否应为 --keep province？"),
        ),
        (
            "累计加分",
            "错误：towns.csv：--keep 累计加分：“累计加分” 由计分规则算出，从不导入，不必 --keep",
            None,
        ),
        (
            "disclosure",
            "错误：towns.csv：--keep disclosure：文件的 B 列就是 “信息公开”，会被导入；去掉 --keep disclosure，或用 --map 表头=- 忽略那一列",
            None,
        ),
    ] {
        let run = import(&site, "towns.csv", (SEED, "towns"), &["--keep", keep]);
        assert_eq!(run.code, Some(1), "{keep}: {run:#?}");
        assert_eq!(headlines(&run), [expected], "{keep}: {run:#?}");
        if let Some(hint) = hint {
            assert!(has_line(&run.stderr, hint), "{keep}: {run:#?}");
        }
    }
    assert_eq!(tree(site.root()), before);
}

/// A file that lacks some of the table's units is refused, whatever the
/// format, unless `--keep-units` asks to keep their figures: after
/// `tongbao new` they are zero, and publishing a zero the backend never
/// reported is a silently wrong figure.
#[test]
fn a_file_that_lacks_units_is_refused_unless_they_are_kept() {
    let header = "镇街（园区）,信息公开,动态信息,每周更新未达标次数,国办,省级,市级";
    for (name, rows, written) in [
        (
            "two.csv",
            "十字路街道,430,71,3,,1,2\n板泉镇,414,111,7,,,\n",
            "  { unit = \"十字路街道\", disclosure = 430, dynamic = 71, missed_weeks = 3, province = 1, city = 2 },",
        ),
        (
            "one.csv",
            "道口镇,29,5,15,,,\n",
            "  { unit = \"道口镇\", disclosure = 29, dynamic = 5, missed_weeks = 15 },",
        ),
    ] {
        let site = site_with_new_period();
        site.write(name, &format!("{header}\n{rows}"));
        let before = tree(site.root());
        let run = site.run(&["import", name, "--period", NEW, "--table", "towns"]);
        run.assert_failure();
        let missing = 14 - rows.lines().count();
        assert!(
            first_line(&run.stderr).starts_with(&format!(
                "错误：{name}：文件中没有表格的 {missing} 个单位："
            )),
            "{run:#?}"
        );
        assert_eq!(tree(site.root()), before, "nothing was written");

        let kept = import(&site, name, (NEW, "towns"), &[]);
        kept.assert_success();
        assert!(has_line(&site.read(DATA), written), "{}", site.read(DATA));
    }
}
