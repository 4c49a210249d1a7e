//! Nothing published is silently wrong: numbers that do not fit exact
//! arithmetic, hostile links, control characters and line breaks inside
//! Chinese text, each on a copy of the shipped site through the real binary.

mod common;

use common::*;

/// Builds the site and asserts that it failed with exactly `expected`
/// among its errors (headline and `path:line:column`) and wrote nothing.
fn assert_build_refused(site: &Site, expected: &[(String, String)]) {
    let run = site.run(&["build"]);
    run.assert_failure();
    let found: Vec<(String, String)> = diagnostics(&run.stderr)
        .into_iter()
        .filter(|(headline, _)| headline.starts_with("错误："))
        .collect();
    assert_eq!(found, expected, "{}", run.stderr);
    assert!(
        !site.path("public").exists(),
        "a refused build wrote output"
    );
}

// Arithmetic that cannot lie.

/// Three counts of 2^63 − 1 sum past 2^64. The sum used to wrap around to a
/// small number (or panic in a debug build); now the build stops at the row
/// where the column's sum overflows.
#[test]
fn a_column_sum_past_two_to_the_64_is_an_error_at_its_row() {
    let site = Site::seed();
    edit(
        &site.path("content/site.toml"),
        "max_count = 10000",
        "max_count = 9223372036854775807",
    );
    let data = site.path("content/2019-01-05/data.toml");
    for unit in ["十字路街道", "板泉镇", "洮边镇"] {
        let row = format!("{{ unit = \"{unit}\", disclosure = ");
        let text = site.read("content/2019-01-05/data.toml");
        let at = text.find(&row).expect("row") + row.len();
        let end = at + text[at..].find(',').expect("comma");
        let count = &text[at..end];
        edit(
            &data,
            &format!("{row}{count},"),
            &format!("{row}9223372036854775807,"),
        );
    }
    assert_build_refused(
        &site,
        &[diagnostic(
            "错误：表格 “towns” 的 “信息公开” 列合计超出可计算的范围",
            "content/2019-01-05/data.toml:23:19",
        )],
    );
}

/// Points of 7.9 × 10^27 are exact, but 46 departments' city points summed
/// are not: a located error where it panicked (`Addition overflowed`).
#[test]
fn points_whose_sums_overflow_are_an_error_not_a_panic() {
    let site = Site::seed();
    edit(
        &site.path("content/site.toml"),
        "city = 0.5 }",
        "city = \"7922816251426433759354395033\" }",
    );
    assert_build_refused(
        &site,
        &[diagnostic(
            "错误：表格 “departments” 的 “累计加分” 列合计超出可计算的范围",
            "content/2019-01-05/data.toml:64:3",
        )],
    );
}

/// A weight the notice could only print rounded is refused where it is
/// written, whichever way it is spelt.
#[test]
fn points_with_more_decimals_than_printed_are_refused() {
    let site = Site::seed();
    edit(
        &site.path("content/site.toml"),
        "points = { national = 5, province = 2, city = 0.5 }",
        "points = { national = 1e-30, province = 123456789.123456789, city = \"0.125\" }",
    );
    assert_build_refused(
        &site,
        &[
            diagnostic(
                "错误：分值 1e-30 有 30 位小数，最多只能有 2 位",
                "content/site.toml:17:23",
            ),
            diagnostic(
                "错误：分值 123456789.123456789 有 9 位小数，最多只能有 2 位",
                "content/site.toml:17:41",
            ),
            diagnostic(
                "错误：分值 0.125 有 3 位小数，最多只能有 2 位",
                "content/site.toml:17:69",
            ),
        ],
    );
}

// Nothing hostile reaches a page or a terminal: control characters.

/// A bell in the site title made atom.xml malformed XML.
#[test]
fn a_control_character_in_the_site_title_is_refused() {
    let site = Site::seed();
    edit(
        &site.path("content/site.toml"),
        "title = \"莒南县政务公开通报\"",
        "title = \"莒南县\\u0007政务公开通报\"",
    );
    assert_build_refused(
        &site,
        &[diagnostic(
            "错误：文本中有不可见的控制字符 U+0007",
            "content/site.toml:5:13",
        )],
    );
}

/// NUL, a bell, an escape and a lone carriage return typed straight into
/// the Markdown body are each refused at their line and column.
#[test]
fn control_characters_in_the_notice_body_are_refused_where_they_stand() {
    let site = Site::seed();
    let notice = site.path("content/2019-01-05/notice.md");
    edit(&notice, "## 一、基本情况", "## 一、基本\u{0}情况");
    edit(&notice, "## 二、存在的问题", "## 二、存在的\u{7}问题");
    edit(
        &notice,
        "## 三、整改工作要求",
        "## 三、\u{1b}[2J整改工作要求",
    );
    edit(&notice, "（一）加强组织领导", "（一）加强组织\r领导");
    assert_build_refused(
        &site,
        &[
            diagnostic(
                "错误：文本中有不可见的控制字符 U+0000",
                "content/2019-01-05/notice.md:16:8",
            ),
            diagnostic(
                "错误：文本中有不可见的控制字符 U+0007",
                "content/2019-01-05/notice.md:20:9",
            ),
            diagnostic(
                "错误：文本中有不可见的控制字符 U+001B",
                "content/2019-01-05/notice.md:30:6",
            ),
            diagnostic(
                "错误：文本中有不可见的控制字符 U+000D",
                "content/2019-01-05/notice.md:32:10",
            ),
        ],
    );
}

/// Tab and line breaks, CR LF included, are ordinary text: a title with a
/// tab and a notice saved with Windows line endings build, and the feed
/// parses as XML with the tab in its title.
#[test]
fn tabs_and_windows_line_endings_are_text() {
    let site = Site::seed();
    edit(
        &site.path("content/site.toml"),
        "title = \"莒南县政务公开通报\"",
        "title = \"莒南县\\t政务公开通报\"",
    );
    let notice = site.read("content/2019-01-05/notice.md");
    site.write(
        "content/2019-01-05/notice.md",
        &notice.replace('\n', "\r\n"),
    );
    site.run(&["build"]).assert_success();
    let atom = read_text(&site.path("public/atom.xml"));
    let feed = roxmltree::Document::parse(&atom).expect("atom.xml is XML");
    let title = feed
        .root_element()
        .children()
        .find(|node| node.has_tag_name("title"))
        .and_then(|node| node.text());
    assert_eq!(title, Some("莒南县\t政务公开通报"));
}

// Nothing hostile reaches a page or a terminal: links and images.

/// Script links in several spellings and images from elsewhere were
/// published in both index.html and fragment.html; now each is an error at
/// its place in notice.md, and nothing is written.
#[test]
fn hostile_links_and_remote_images_are_refused_at_their_place() {
    let site = Site::seed();
    edit(
        &site.path("content/2019-01-05/notice.md"),
        "## 一、基本情况",
        "[甲](JAVASCRIPT:alert(1)) ![乙](//evil.example/x.png) [丙](<java\tscript:x>)\n\
         [丁][坏] <vbscript:msgbox(1)> ![戊](data:image/gif;base64,R0lGOD)\n\
         \n\
         [坏]: &#106;avascript:alert(1)\n\
         \n\
         ## 一、基本情况",
    );
    let link = "错误：链接地址使用了不允许的协议 “javascript:”";
    assert_build_refused(
        &site,
        &[
            diagnostic(link, "content/2019-01-05/notice.md:16:1"),
            diagnostic(
                "错误：图片来自其他网站",
                "content/2019-01-05/notice.md:16:26",
            ),
            diagnostic(link, "content/2019-01-05/notice.md:16:53"),
            diagnostic(link, "content/2019-01-05/notice.md:17:1"),
            diagnostic(
                "错误：链接地址使用了不允许的协议 “vbscript:”",
                "content/2019-01-05/notice.md:17:8",
            ),
            diagnostic(
                "错误：图片地址使用了不允许的协议 “data:”",
                "content/2019-01-05/notice.md:17:29",
            ),
        ],
    );
}

/// Links to web pages, mail and telephone numbers pass, and reach the page
/// and the fragment as written.
#[test]
fn safe_links_reach_the_page_and_the_fragment() {
    let site = Site::seed();
    edit(
        &site.path("content/2019-01-05/notice.md"),
        "## 一、基本情况",
        "详见[中国政府网](https://www.gov.cn/)，来信<mailto:gk@example.gov.cn>，\
         来电<tel:0539-7215008>，或见[附件](#appendix-1)。\n\n## 一、基本情况",
    );
    site.run(&["build"]).assert_success();
    let expected = [
        "https://www.gov.cn/",
        "mailto:gk@example.gov.cn",
        "tel:0539-7215008",
        "#appendix-1",
    ];
    let folder = site.path("public/2019-01-05");
    for (file, body) in [("index.html", ".notice-body a"), ("fragment.html", "p a")] {
        let page = read_html(&folder.join(file));
        let hrefs: Vec<&str> = page
            .select(&selector(body))
            .filter_map(|a| a.value().attr("href"))
            .filter(|href| !href.ends_with(".csv") && !href.ends_with(".xlsx"))
            .collect();
        assert_eq!(hrefs, expected, "{file}");
    }
}

// Line breaks inside Chinese text.

/// The first paragraph of the notice body in a built page (`index.html`
/// or `fragment.html`), as its text.
fn first_paragraph(site: &Site, file: &str, selector_css: &str) -> String {
    let page = read_html(&site.path("public/2019-01-05").join(file));
    page.select(&selector(selector_css))
        .map(|p| p.text().collect::<String>())
        .find(|text| text.starts_with("为认真贯彻"))
        .expect("the first paragraph")
}

/// A clerk's line break between 采取随机 and 抽查 became a space between
/// them in every browser. It is dropped in the page and the fragment, so the
/// paragraph reads exactly as it does unbroken; a break beside Latin text
/// stays, and the feed joins a broken title the same way.
#[test]
fn a_line_break_between_chinese_characters_is_no_space() {
    let unbroken = Site::seed();
    unbroken.run(&["build"]).assert_success();
    let site = Site::seed();
    let notice = site.path("content/2019-01-05/notice.md");
    edit(&notice, "采取随机抽查", "采取随机\n抽查");
    edit(&notice, "组织人员对我县", "组织人员\n对我县");
    edit(&notice, "本次数据采集时间为", "本次数据采集\n时间为");
    edit(
        &notice,
        "## 一、基本情况",
        "Open\nGovernment 2019\n年\n\n## 一、基本情况",
    );
    edit(
        &notice,
        "关于{{ period.label }}政务公开\n随机抽查情况的通报",
        "关于{{ period.label }}Open\nGovernment\n随机抽查情况的通报",
    );
    site.run(&["build"]).assert_success();
    for (file, paragraphs) in [("index.html", ".notice-body p"), ("fragment.html", "p")] {
        assert_eq!(
            first_paragraph(&site, file, paragraphs),
            first_paragraph(&unbroken, file, paragraphs),
            "{file}"
        );
        let page = read_html(&site.path("public/2019-01-05").join(file));
        let latin: Vec<String> = page
            .select(&selector(paragraphs))
            .map(|p| p.text().collect::<String>())
            .filter(|text| text.starts_with("Open"))
            .collect();
        assert_eq!(latin, ["Open\nGovernment 2019\n年"], "{file}");
    }
    let atom = read_text(&site.path("public/atom.xml"));
    let feed = roxmltree::Document::parse(&atom).expect("atom.xml is XML");
    let titles: Vec<&str> = feed
        .descendants()
        .filter(|node| node.has_tag_name("entry"))
        .filter_map(|entry| entry.children().find(|node| node.has_tag_name("title")))
        .filter_map(|title| title.text())
        .collect();
    assert_eq!(
        titles,
        ["关于2019年1-5月份Open Government 随机抽查情况的通报"]
    );
}
