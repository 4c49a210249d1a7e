//! Sites other than the seed: another county's schema, hostile input,
//! bad references and a partial theme.

mod common;

use std::fs;

use common::*;

#[test]
fn another_county_scores_with_its_own_schema_and_weights() {
    let site = fixture_site("county-b");
    build_ok(site.path());
    let page = read_html(&site.path().join("public/2024-q3/index.html"));
    // 3 points per municipal item, 1 per county item; 甲局 and 丙局 tie at 11
    // and keep the data file's order.
    assert_eq!(
        table_rows(&page, "offices"),
        [
            ["1", "乙局", "4", "0", "12"],
            ["2", "甲局", "2", "5", "11"],
            ["3", "丙局", "1", "8", "11"],
            ["4", "丁局", "0", "0", "0"],
        ]
    );
    let headers: Vec<String> = page
        .select(&selector("table[data-table='offices'] thead th"))
        .map(compact_text)
        .collect();
    assert_eq!(headers, ["名次", "单位", "市级采用", "县级采用", "得分"]);
    assert_eq!(page.select(&selector("thead tr")).count(), 1);
    let body: Vec<String> = page
        .select(&selector(".notice-body p"))
        .map(compact_text)
        .collect();
    assert_eq!(
        body,
        ["2024年三季度，4个单位共被市级采用7条、县级采用13条，合计得分34分。"]
    );
    let notes: Vec<String> = page
        .select(&selector(".table-notes li"))
        .map(compact_text)
        .collect();
    assert_eq!(notes, ["市级采用1条加3分，县级采用1条加1分。"]);
}

#[test]
fn a_county_scores_with_a_minimum_a_cap_and_tie_breaks() {
    let site = fixture_site("county-c");
    build_ok(site.path());
    let page = read_html(&site.path().join("public/2024-q4/index.html"));
    // 乙镇 and 甲镇 tie at 30 items; 乙镇 has more news. 甲镇's 5 featured
    // items would earn 15 points, capped at 10. 丁镇 and 丙镇 are under the
    // minimum of 20 items: 未达标, 2 points off. Of 丙镇's two findings,
    // one is 未整改 and one not re-checked yet: both open, 0.5 points off
    // each; 甲镇's is 已整改 and 丁镇's 无需整改, neither open.
    assert_eq!(
        table_rows(&page, "towns"),
        [
            ["1", "乙镇", "30", "9", "1", "3", "", "达标", "", ""],
            ["2", "甲镇", "30", "5", "5", "10", "", "达标", "", ""],
            ["3", "丁镇", "19", "2", "2", "6", "-2", "未达标", "", ""],
            ["4", "丙镇", "12", "4", "", "", "-2", "未达标", "2", "-1"],
        ]
    );
    let notes: Vec<String> = page
        .select(&selector("#appendix-1 .table-notes li"))
        .map(compact_text)
        .collect();
    assert_eq!(
        notes,
        [
            "按信息公开条数排序，条数相同时按动态信息条数排序；",
            "信息公开不少于20条，未达到的标为未达标，扣2分；",
            "亮点信息每条加3分，最多加10分。",
        ]
    );
    let body: Vec<String> = page
        .select(&selector(".notice-body p"))
        .map(compact_text)
        .collect();
    assert_eq!(
        body,
        [
            "2024年四季度，4个镇街中有2个信息公开未达到20条，未达标扣分合计-4分；亮点加分合计19分。",
            "本次抽查发现问题4个，涉及3个镇街，其中未更新1个、链接失效1个。经复查，已整改1个，仍未整改2个，按每个扣0.5分计入成绩。",
        ]
    );
    let csv = fs::read_to_string(site.path().join("public/2024-q4/towns.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[2], "1,乙镇,30,9,1,3,,达标,,");
    assert_eq!(lines[5], "4,丙镇,12,4,,,-2,未达标,2,-1");
}

#[test]
fn markup_in_data_and_markdown_is_shown_as_text() {
    let site = shipped_site();
    edit(
        &site.path().join("content/2019-01-05/data.toml"),
        "\"十字路街道\"",
        "\"<script>alert('unit')</script>\"",
    );
    let notice = site.path().join("content/2019-01-05/notice.md");
    let mut text = fs::read_to_string(&notice).unwrap();
    text.push_str("\n<script>alert('text')</script>\n\n正文<img src=x onerror=alert(1)>结束\n");
    fs::write(&notice, text).unwrap();

    build_ok(site.path());
    let page = read_html(&site.path().join("public/2019-01-05/index.html"));
    assert_eq!(page.select(&selector("script, img")).count(), 0);
    assert_eq!(
        table_rows(&page, "towns")[0][1],
        "<script>alert('unit')</script>"
    );
    let paragraphs: Vec<String> = page
        .select(&selector(".notice-body p"))
        .map(compact_text)
        .collect();
    assert!(
        paragraphs.contains(&"<script>alert('text')</script>".to_string()),
        "{paragraphs:?}"
    );
    assert!(
        paragraphs.contains(&"正文<imgsrc=xonerror=alert(1)>结束".to_string()),
        "{paragraphs:?}"
    );
}

#[test]
fn an_unknown_figure_is_an_error_at_its_line_and_column() {
    let site = shipped_site();
    let notice = site.path().join("content/2019-01-05/notice.md");
    let mut text = fs::read_to_string(&notice).unwrap();
    let line = text.lines().count() + 2;
    text.push_str("\n镇街共 {{ towns.disclosur }} 条。\n");
    fs::write(&notice, text).unwrap();

    let output = tongbao(site.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(
        diagnostics(&stderr).contains(&diagnostic(
            "错误：未知的数字 “towns.disclosur”",
            &format!("content/2019-01-05/notice.md:{line}:5")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("提示：是否应为 towns.disclosure？"),
        "{stderr}"
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_theme_overrides_only_what_it_has() {
    let site = shipped_site();
    let templates = site.path().join("themes/plain/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("index.html"),
        "{% extends \"base.html\" %}{% block main %}<p id=\"plain\">{{ notices | length }}</p>{% endblock main %}",
    )
    .unwrap();
    edit(
        &site.path().join("content/site.toml"),
        "theme = \"default\"",
        "theme = \"plain\"",
    );

    build_ok(site.path());
    let home = read_html(&site.path().join("public/index.html"));
    assert_eq!(
        home.select(&selector("#plain"))
            .map(compact_text)
            .collect::<Vec<_>>(),
        ["1"]
    );
    let notice = read_html(&site.path().join("public/2019-01-05/index.html"));
    assert_eq!(table_rows(&notice, "towns").len(), 14);
    assert!(site.path().join("public/static/style.css").is_file());
}

#[test]
fn a_missing_theme_is_an_error_in_site_toml() {
    let site = shipped_site();
    edit(
        &site.path().join("content/site.toml"),
        "theme = \"default\"",
        "theme = \"nowhere\"",
    );
    let output = tongbao(site.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        diagnostics(&stderr(&output)).contains(&diagnostic(
            "错误：找不到主题 “nowhere”",
            "content/site.toml:8:9"
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_errors_exit_with_two() {
    let site = shipped_site();
    assert_eq!(
        tongbao(site.path(), &["build", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(tongbao(site.path(), &["frobnicate"]).status.code(), Some(2));
}
