//! `tongbao init` makes a working site in an empty folder, with no
//! `themes/`, that builds and passes `check --strict`; it never overwrites
//! a file. `tongbao theme export` writes the built-in theme out.

mod common;

use std::fs;
use std::path::Path;

use common::{Run, compact_text, read_html, selector, table_rows, tongbao, tree};

fn run(folder: &Path, args: &[&str]) -> Run {
    Run::from(tongbao(folder, args))
}

/// Every file under `folder`, by relative path.
fn files(folder: &Path) -> Vec<String> {
    tree(folder).into_keys().collect()
}

#[test]
fn init_then_build_and_strict_check_in_an_empty_folder() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let init = run(folder.path(), &["init"]);
    init.assert_success();
    assert_eq!(init.stderr, "");
    assert_eq!(
        files(folder.path()),
        [
            ".gitignore",
            "content/2026-03/data.toml",
            "content/2026-03/notice.md",
            "content/calendar.toml",
            "content/site.toml",
        ]
    );
    assert!(!folder.path().join("themes").exists());

    let check = run(folder.path(), &["check", "--strict"]);
    check.assert_success();
    assert_eq!(check.stderr, "");
    assert_eq!(
        check.stdout,
        "检查通过：1 期通报，6 个单位；0 个错误，0 条警告\n"
    );
    let build = run(folder.path(), &["build"]);
    build.assert_success();
    assert_eq!(build.stderr, "");

    let page = read_html(&folder.path().join("public/2026-03/index.html"));
    let title = page
        .select(&selector(".notice-title"))
        .next()
        .expect("a title");
    assert_eq!(
        compact_text(title),
        "关于2026年1-3月份政务公开随机抽查情况的通报"
    );
    let paragraphs: Vec<String> = page
        .select(&selector(".notice-body p"))
        .map(compact_text)
        .collect();
    // The figures the example quotes, with the weeks counted from the
    // built-in 2026 calendar: 14 weeks touched, less the first (29–31 Dec
    // are worked), the Spring Festival week (16–22 Feb) and the last
    // (1–3 Apr are worked).
    assert_eq!(
        paragraphs[..2],
        [
            "为进一步做好政务公开工作，县政府办公室对全县3个政务公开责任单位及3个镇街\
             1-3月份政府门户网站栏目保障情况进行了抽查，本次数据采集时间为\
             2026年1月1日-3月31日，共11个可考核周。现将抽查情况通报如下：",
            "2026年1-3月份，全县通过县政府门户网站共发布信息524条。其中，发布政务公开类信息\
             357条（镇街191条、县政府部门单位166条），动态类信息167条（政务要闻40条、\
             镇街动态52条、部门动态63条、其他12条）。",
        ]
    );
    assert_eq!(
        table_rows(&page, "towns"),
        [
            ["1", "城关街道", "86", "25", "1", "", "1", "", "2"],
            ["2", "东城镇", "64", "18", "2", "", "", "", ""],
            ["3", "西山镇", "41", "9", "4", "", "", "1", "0.5"],
        ]
    );
}

#[test]
fn the_printed_next_steps_work() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let init = run(folder.path(), &["init", "新站点"]);
    init.assert_success();
    let steps: Vec<&str> = init
        .stdout
        .lines()
        .skip_while(|line| *line != "下一步：")
        .collect();
    assert_eq!(steps[1], "  1. cd 新站点");
    let new_step = steps
        .iter()
        .find(|line| line.contains("tongbao new "))
        .expect("a tongbao new step");
    let command = new_step
        .split_once("tongbao ")
        .map(|(_, rest)| rest.split("    ").next().unwrap_or_default())
        .expect("a command");
    let args: Vec<&str> = command.split_whitespace().collect();
    let site = folder.path().join("新站点");
    let new = run(&site, &args);
    new.assert_success();
    assert!(site.join("content/2026-06/data.toml").is_file());
}

#[test]
fn a_folder_with_files_is_refused_unless_forced() {
    let folder = tempfile::tempdir().expect("temporary folder");
    fs::write(folder.path().join("说明.txt"), "county notes").expect("write");
    let refused = run(folder.path(), &["init"]);
    refused.assert_failure();
    assert_eq!(
        refused.stderr.lines().next(),
        Some("错误：目录 . 不是空的（有 说明.txt）；未新建站点")
    );
    assert_eq!(files(folder.path()), ["说明.txt"]);

    run(folder.path(), &["init", "--force"]).assert_success();
    assert_eq!(
        fs::read_to_string(folder.path().join("说明.txt")).expect("kept"),
        "county notes"
    );
    assert!(folder.path().join("content/site.toml").is_file());
}

#[test]
fn an_existing_site_or_gitignore_is_never_overwritten() {
    let folder = tempfile::tempdir().expect("temporary folder");
    fs::write(folder.path().join(".gitignore"), "target/\n").expect("write");
    let init = run(folder.path(), &["init"]);
    init.assert_success();
    assert!(
        init.stdout.lines().any(|line| line
            == "  （.gitignore 已存在，未改动；请在其中加一行 public/，不提交生成的网站）"),
        "{}",
        init.stdout
    );
    assert_eq!(
        fs::read_to_string(folder.path().join(".gitignore")).expect("kept"),
        "target/\n"
    );
    let site = folder.path().join("content/site.toml");
    fs::write(&site, "title = \"本县\"\n").expect("write");
    let again = run(folder.path(), &["init", "--force"]);
    again.assert_failure();
    assert_eq!(
        again.stderr.lines().next(),
        Some("错误：./content 已存在，这里已经是一个站点；未做任何改动")
    );
    assert_eq!(
        fs::read_to_string(&site).expect("kept"),
        "title = \"本县\"\n"
    );
}

#[test]
fn an_exported_theme_builds_the_same_site() {
    let folder = tempfile::tempdir().expect("temporary folder");
    run(folder.path(), &["init"]).assert_success();
    run(folder.path(), &["build"]).assert_success();
    let built_in = tree(&folder.path().join("public"));

    let export = run(folder.path(), &["theme", "export"]);
    export.assert_success();
    let exported = tree(&folder.path().join("themes/default"));
    let compiled: Vec<(String, Vec<u8>)> = tongbao::load::builtin_files()
        .iter()
        .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
        .collect();
    assert!(
        exported.clone().into_iter().collect::<Vec<_>>() == compiled,
        "the export is the built-in theme"
    );
    run(folder.path(), &["build"]).assert_success();
    assert!(tree(&folder.path().join("public")) == built_in);

    let again = run(folder.path(), &["theme", "export"]);
    again.assert_failure();
    assert!(tree(&folder.path().join("themes/default")) == exported);
}
