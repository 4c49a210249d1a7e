//! Periods render in parallel: the output and the messages must not depend
//! on the number of threads, nor differ between two runs.

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// The seed's period copied into `count` more periods, one a year from
/// 3000 (a year no holiday calendar covers, so the declared weeks stand),
/// each with its own figures so that the periods' files differ.
fn many_periods(count: usize) -> tempfile::TempDir {
    let site = shipped_site();
    let content = site.path().join("content");
    let data = fs::read_to_string(content.join("2019-01-05/data.toml")).unwrap();
    let notice = fs::read_to_string(content.join("2019-01-05/notice.md")).unwrap();
    for index in 0..count {
        let year = 3000 + index;
        let folder = content.join(format!("{year}-06-05"));
        fs::create_dir(&folder).unwrap();
        let data = data
            .replace("2019-", &format!("{year}-"))
            .replace("news = 171", &format!("news = {}", 171 + index));
        fs::write(folder.join("data.toml"), data).unwrap();
        fs::write(folder.join("notice.md"), &notice).unwrap();
    }
    site
}

/// Runs tongbao in `root` with rayon limited to `threads`.
fn run_with_threads(root: &Path, threads: usize, args: &[&str]) -> std::process::Output {
    isolated(env!("CARGO_BIN_EXE_tongbao"))
        .args(args)
        .current_dir(root)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("run tongbao")
}

/// Runs `tongbao check` in `root` with one thread and with four; both must
/// fail and print the same. Returns the messages.
fn failed_check_with_one_thread_and_four(root: &Path) -> String {
    let one = run_with_threads(root, 1, &["check"]);
    let many = run_with_threads(root, 4, &["check"]);
    assert_eq!(one.status.code(), Some(1), "{}", stderr(&one));
    assert_eq!(stderr(&one), stderr(&many));
    assert_eq!(one.stdout, many.stdout);
    stderr(&one)
}

/// The errors among `shown`'s messages, each with the file it is in
/// (empty for one with no place in a file), in the order shown.
fn errors_and_files(shown: &str) -> Vec<(String, String)> {
    diagnostics(shown)
        .into_iter()
        .filter(|(headline, _)| headline.starts_with("错误："))
        .map(|(headline, location)| {
            let file = location.split(':').next().unwrap_or("").to_string();
            (headline, file)
        })
        .collect()
}

/// Builds into `folder` under the site with `threads`, and returns every
/// file written and the messages (the timing line left out).
fn build(root: &Path, folder: &str, threads: usize) -> (Vec<(String, Vec<u8>)>, String) {
    let output = run_with_threads(root, threads, &["build", "--output", folder]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (
        tree(&root.join(folder)).into_iter().collect(),
        stderr(&output),
    )
}

#[test]
fn the_output_is_the_same_with_one_thread_many_and_twice() {
    let site = many_periods(12);
    let (one, one_messages) = build(site.path(), "one", 1);
    let (many, many_messages) = build(site.path(), "many", 4);
    let (again, again_messages) = build(site.path(), "again", 4);
    // 13 periods of 6 files, the home page, sitemap, feed, static files.
    assert!(one.len() > 13 * 6, "{} files", one.len());
    assert!(one == many, "1 thread and 4 threads wrote different files");
    assert!(many == again, "two runs wrote different files");
    assert!(!one_messages.is_empty(), "the seed's warnings are shown");
    assert_eq!(one_messages, many_messages);
    assert_eq!(many_messages, again_messages);
}

#[test]
fn render_errors_are_told_in_the_same_order_with_any_number_of_threads() {
    let site = many_periods(8);
    for entry in fs::read_dir(site.path().join("content")).unwrap() {
        let notice = entry.unwrap().path().join("notice.md");
        if notice.is_file() {
            edit(&notice, "{{ period.label }}", "{{ period.lable }}");
        }
    }
    let shown = failed_check_with_one_thread_and_four(site.path());
    assert_eq!(
        diagnostics(&shown)
            .iter()
            .filter(|(headline, _)| headline.contains("period.lable"))
            .count(),
        9,
        "{shown}"
    );
}

#[test]
fn unit_page_and_ledger_errors_are_told_once_in_the_same_order_with_any_threads() {
    // The unit pages and the ledgers render side by side, each year's
    // ledger beside its downloads, and all of them beside the periods.
    let site = many_periods(3);
    let templates = site.path().join("themes/default/templates");
    let first_notice = fs::read_dir(site.path().join("content"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("notice.md"))
        .filter(|notice| notice.is_file())
        .min()
        .unwrap();
    edit(&first_notice, "{{ period.label }}", "{{ period.lable }}");
    edit(
        &templates.join("unit.html"),
        "<h1 class=\"page-title\">{{ unit.name }}</h1>",
        "<h1 class=\"page-title\">{{ unit.nmae }}</h1>",
    );
    edit(
        &templates.join("ledger.html"),
        "<h1 class=\"page-title\">{{ year }}年年度台账</h1>",
        "<h1 class=\"page-title\">{{ yaer }}年年度台账</h1>",
    );
    let shown = failed_check_with_one_thread_and_four(site.path());
    let headlines: Vec<String> = diagnostics(&shown)
        .into_iter()
        .map(|(headline, _)| headline)
        .filter(|headline| {
            ["lable", "nmae", "yaer"]
                .iter()
                .any(|typo| headline.contains(typo))
        })
        .collect();
    // Each broken template once, though 60 unit pages and 4 years' ledgers
    // fail on it; the period's problem first, as its file was read first.
    assert_eq!(
        headlines,
        [
            "错误：未知的数字 “period.lable”",
            "错误：模板引用了不存在的值 “yaer”",
            "错误：模板引用了不存在的值 “unit.nmae”",
        ],
        "{shown}"
    );
}

#[test]
fn load_errors_are_told_in_folder_order_with_any_number_of_threads() {
    // Period folders are read on several threads; their messages must come
    // out as a reading one folder after another would tell them.
    let site = many_periods(8);
    for index in 0..8 {
        let data = site
            .path()
            .join(format!("content/{}-06-05/data.toml", 3000 + index));
        let count = format!("news = {}", 171 + index);
        edit(&data, &count, "news = \"十\"");
    }
    let shown = failed_check_with_one_thread_and_four(site.path());
    let files: Vec<String> = diagnostics(&shown)
        .into_iter()
        .filter(|(headline, _)| headline == "错误：数字应为整数，而不是文本")
        .map(|(_, location)| location.split(':').next().unwrap_or("").to_string())
        .collect();
    let expected: Vec<String> = (0..8)
        .map(|index| format!("content/{}-06-05/data.toml", 3000 + index))
        .collect();
    assert_eq!(files, expected, "{shown}");
}

#[test]
fn load_errors_are_told_in_a_serial_loads_order_with_any_threads() {
    // The period folders load on several threads, and the theme loads and
    // its templates parse beside them; a serial load's order still holds:
    // the calendar, the folder listing, the periods, the theme (after the
    // last period, broken here). Problems with no place in a file come
    // first, in that order too.
    let site = many_periods(4);
    let content = site.path().join("content");
    fs::create_dir(content.join("calendar.toml")).unwrap();
    std::os::unix::fs::symlink(site.path().join("themes"), content.join("linked")).unwrap();
    edit(
        &content.join("3003-06-05/data.toml"),
        "news = 174",
        "news = \"十\"",
    );
    edit(
        &site.path().join("themes/default/templates/unit.html"),
        "{{ unit.name }}",
        "{{ unit.name }",
    );
    let shown = failed_check_with_one_thread_and_four(site.path());
    let errors = errors_and_files(&shown);
    assert_eq!(
        errors,
        [
            diagnostic(
                "错误：无法读取文件 content/calendar.toml：这是一个目录，不是文件（Is a directory (os error 21)）",
                ""
            ),
            diagnostic("错误：content/linked 是符号链接，tongbao 不读取链接", ""),
            diagnostic("错误：期次目录名 “calendar.toml” 不可用作网址", ""),
            diagnostic(
                "错误：数字应为整数，而不是文本",
                "content/3003-06-05/data.toml"
            ),
            diagnostic(
                "错误：模板语法错误：unit.html",
                "themes/default/templates/unit.html"
            ),
        ],
        "{shown}"
    );
}
