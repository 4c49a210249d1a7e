//! `tongbao import`: the backend's export into a period's data.toml.

mod common;

use common::{SEED, Site, tree};
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
    let run = site.run(&[
        "import",
        file.to_str().unwrap(),
        "--period",
        NEW,
        "--table",
        "departments",
    ]);
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
        first_line(&run.stderr).starts_with("警告：文件中没有 43 个单位，其数字不变：卫生健康局、"),
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

    let run = site.run(&["import", "towns.csv", "--period", NEW, "--table", "towns"]);
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
    assert!(
        first_line(&run.stderr)
            .starts_with("警告：文件中没有 12 个单位，其数字不变：洮边镇、临港产业园")
    );

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
    let run = site.run(&["import", "towns.csv", "--period", SEED, "--table", "towns"]);
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
    let run = site.run(&[
        "import",
        "towns.csv",
        "--period",
        SEED,
        "--table",
        "towns",
        "--add-units",
    ]);
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
    let run = site.run(&[
        "import",
        "towns.csv",
        "--period",
        SEED,
        "--table",
        "towns",
        "--map",
        "单位名称=unit",
        "--map",
        "信息公开数=disclosure",
        "--dry-run",
    ]);
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
    site.write("towns.csv", "镇街（园区）,信息公开,动态信息,每周更新未达标次数\n板泉镇,四百,111,7\n洮边镇,400.5,,12\n,3,4,5\n");
    let before = tree(site.root());
    let run = site.run(&["import", "towns.csv", "--period", SEED, "--table", "towns"]);
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
            "错误：第 2 行 B 列（信息公开）“四百” 不是数字",
            "错误：第 3 行 B 列（信息公开）应为整数，而不是 400.5",
            "错误：第 4 行有数字，但没有单位名称（A 列）",
            "错误：第 3 行 C 列（动态信息，单位 “洮边镇”）为空",
        ],
        "{run:#?}"
    );
    assert_eq!(tree(site.root()), before);
}

#[test]
fn a_file_without_the_unit_column_says_how_to_map_it() {
    let site = Site::seed();
    site.write("towns.csv", "名称,信息公开\n板泉镇,415\n");
    let run = site.run(&["import", "towns.csv", "--period", SEED, "--table", "towns"]);
    run.assert_failure();
    assert!(run.stderr.contains("找不到单位名称列：前 30 行中没有表头 “镇街（园区）”（文件第一行为：名称、信息公开）；请用 --map 表头=unit 指定"), "{run:#?}");
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
            let run = site.run(&[
                "import",
                &file,
                "--period",
                SEED,
                "--table",
                table,
                "--dry-run",
            ]);
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
        site.run(&["import", &file, "--period", NEW, "--table", table])
            .assert_success();
    }
    assert_eq!(data_rows(&site, NEW), data_rows(&site, SEED));
}

#[test]
fn a_damaged_workbook_is_reported_by_its_own_format() {
    let site = Site::seed();
    site.write("towns.xlsx", "不是电子表格");
    let run = site.run(&["import", "towns.xlsx", "--period", SEED, "--table", "towns"]);
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
        let run = site.run(&["import", file, "--period", SEED, "--table", "towns"]);
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
    let run = site.run(&[
        "import",
        "towns.csv",
        "--period",
        "2019-01-5",
        "--table",
        "towns",
    ]);
    run.assert_failure();
    assert_eq!(
        run.stderr,
        "错误：找不到期次 content/2019-01-5\n = 提示：是否应为 --period 2019-01-05？\n\n"
    );
}
