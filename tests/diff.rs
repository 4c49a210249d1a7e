//! `tongbao diff`: changes in figures, scores and ranks between revisions.

mod common;

use std::path::Path;

use common::{SEED, Site};

const DATA: &str = "content/2019-01-05/data.toml";

fn git(dir: &Path, args: &[&str]) {
    let status = common::isolated("git")
        .args([
            "-c",
            "user.name=测试",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A repository whose site lives in `site/`, with two commits: the seed,
/// then a data change that moves ranks, adds and removes units and changes
/// a declared total.
fn repository_with_two_revisions() -> tempfile::TempDir {
    let repository = tempfile::tempdir().unwrap();
    let site = Site::seed();
    let root = repository.path().join("site");
    common::copy_tree(site.root(), &root);
    git(repository.path(), &["init", "-q", "-b", "main"]);
    git(repository.path(), &["add", "-A"]);
    git(repository.path(), &["commit", "-q", "-m", "seed"]);

    let path = root.join(DATA);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        // 板泉镇 overtakes 十字路街道 on the sort column.
        .replace(
            "{ unit = \"板泉镇\", disclosure = 414,",
            "{ unit = \"板泉镇\", disclosure = 500,",
        )
        // A national adoption adds 5 points to 气象局's bonus.
        .replace(
            "{ unit = \"气象局\", disclosure = 316, dynamic = 16, missed_weeks = 6 }",
            "{ unit = \"气象局\", disclosure = 316, dynamic = 16, missed_weeks = 6, national = 1 }",
        )
        // 道口镇 is merged away; 新城街道 is new.
        .replace(
            "  { unit = \"道口镇\", disclosure = 29, dynamic = 5, missed_weeks = 15 },\n",
            "  { unit = \"新城街道\", disclosure = 90, dynamic = 9, missed_weeks = 2 },\n",
        )
        .replace(
            "declared = { disclosure = 2762, dynamic = 542 }",
            "declared = { disclosure = 2900, dynamic = 542 }",
        )
        .replace("news = 171", "news = 175");
    std::fs::write(&path, text).unwrap();
    git(
        repository.path(),
        &["commit", "-q", "-a", "-m", "new figures"],
    );
    repository
}

fn run_diff(root: &Path, args: &[&str]) -> common::Run {
    let output = common::isolated(env!("CARGO_BIN_EXE_tongbao"))
        .arg("diff")
        .args(args)
        .arg("--root")
        .arg(root)
        .current_dir(root)
        .output()
        .unwrap();
    common::Run::from(output)
}

#[test]
fn diff_between_two_revisions_shows_figures_scores_and_ranks() {
    let repository = repository_with_two_revisions();
    let root = repository.path().join("site");
    let run = run_diff(&root, &["HEAD~1", "HEAD"]);
    run.assert_success();
    let expected = "\
期次 2019-01-05（HEAD~1 → HEAD）
  figures.news：171 → 175
  表格 towns（镇街（园区））
    板泉镇：排名 2 → 1，信息公开 414 → 500
    十字路街道：排名 1 → 2
    + 新城街道（新增）：排名 11；信息公开 90，动态信息 9，每周更新未达标次数 2，国办 0，省级 0，市级 0，累计加分 0
    坊前镇：排名 11 → 12
    筵宾镇：排名 12 → 13
    石莲子镇：排名 13 → 14
    - 道口镇（删除）：原排名 14；信息公开 29，动态信息 5，每周更新未达标次数 15，国办 0，省级 0，市级 0，累计加分 0
    后台申报合计 信息公开：2762 → 2900
  表格 departments（部门（单位））
    气象局：国办 0 → 1，累计加分 0 → 5

";
    assert_eq!(run.stdout, expected);
}

#[test]
fn diff_as_markdown_gives_a_table_per_appendix() {
    let repository = repository_with_two_revisions();
    let root = repository.path().join("site");
    let run = run_diff(&root, &["HEAD~1", "main", "--format", "md"]);
    run.assert_success();
    assert!(run.stdout.starts_with("## 期次 2019-01-05（HEAD~1 → main）\n\n- figures.news：171 → 175\n\n### 表格 towns（镇街（园区））\n\n| 镇街（园区） | 排名 | 信息公开 | 动态信息 | 每周更新未达标次数 | 国办 | 省级 | 市级 | 累计加分 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n| 板泉镇 | **2 → 1** | **414 → 500** | 111 | 7 | 0 | 0 | 0 | 0 |\n"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("| ~~道口镇~~（删除） | 14 | 29 | 5 | 15 | 0 | 0 | 0 | 0 |\n")
    );
    assert!(
        run.stdout
            .contains("| 气象局 | 2 | 316 | 16 | 6 | **0 → 1** | 0 | 0 | **0 → 5** |\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("- 后台申报合计 信息公开：2762 → 2900\n")
    );
}

#[test]
fn diff_without_arguments_compares_the_working_tree_with_head() {
    let repository = repository_with_two_revisions();
    let root = repository.path().join("site");
    let clean = run_diff(&root, &[]);
    clean.assert_success();
    assert_eq!(clean.stdout, "没有变化（HEAD → 工作区）\n");

    let path = root.join(DATA);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "{ unit = \"涝坡镇\", disclosure = 178,",
        "{ unit = \"涝坡镇\", disclosure = 179,",
    );
    std::fs::write(&path, text).unwrap();
    let changed = run_diff(&root, &[]);
    changed.assert_success();
    assert_eq!(
        changed.stdout,
        "期次 2019-01-05（HEAD → 工作区）\n  表格 towns（镇街（园区））\n    涝坡镇：信息公开 178 → 179\n\n"
    );
}

#[test]
fn diff_between_period_folders_compares_them_whatever_their_names() {
    let site = Site::seed();
    site.add_period("2019-01-06").assert_success();
    let run = site.run(&["diff", &format!("content/{SEED}"), "content/2019-01-06"]);
    run.assert_success();
    assert!(run.stdout.starts_with("期次 2019-01-05 → 2019-01-06（content/2019-01-05 → content/2019-01-06）\n  数据采集截止日期：2019-05-30 → 2019-06-30\n"), "{}", run.stdout);
    assert!(run.stdout.contains("    十字路街道：信息公开 421 → 0，动态信息 70 → 0，每周更新未达标次数 3 → 0，省级 1 → 0，市级 1 → 0，累计加分 2.5 → 0\n"));
}

#[test]
fn diff_of_an_unknown_side_says_what_it_expected() {
    let site = Site::seed();
    let run = site.run(&["diff", "no-such-thing", "content/2019-01-05"]);
    run.assert_failure();
    // The site's folder is not in a repository, so git's answer is told too.
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            format!(
                "错误：“no-such-thing” 既不是期次目录、data.toml 文件，也不是 git 版本（{} 不在 git 仓库中）",
                site.root().display()
            )
            .as_str()
        ),
        "{run:#?}"
    );
}

#[test]
fn diff_with_a_period_folder_outside_the_site_uses_the_sites_definitions() {
    let site = Site::seed();
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = elsewhere.path().join("emailed");
    common::copy_tree(&site.path(&format!("content/{SEED}")), &folder);
    common::edit(
        &folder.join("data.toml"),
        "{ unit = \"板泉镇\", disclosure = 414,",
        "{ unit = \"板泉镇\", disclosure = 415,",
    );
    let run = site.run(&["diff", &format!("content/{SEED}"), folder.to_str().unwrap()]);
    run.assert_success();
    assert_eq!(
        run.stdout,
        format!(
            "期次 2019-01-05 → emailed（content/2019-01-05 → {}）\n  表格 towns（镇街（园区））\n    板泉镇：信息公开 414 → 415\n\n",
            folder.display()
        )
    );
}

/// A repository whose site lives in `site/`: the seed with one more
/// committed file at `hostile` (relative to the site), then a commit that
/// changes only a scoring rule (a city adoption is worth 1 point, not 0.5).
fn repository_with_a_rule_change(hostile: &str) -> tempfile::TempDir {
    let repository = tempfile::tempdir().unwrap();
    let site = Site::seed();
    let root = repository.path().join("site");
    common::copy_tree(site.root(), &root);
    let path = root.join(hostile);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "a note\n").unwrap();
    git(repository.path(), &["init", "-q", "-b", "main"]);
    git(repository.path(), &["add", "-A"]);
    git(repository.path(), &["commit", "-q", "-m", "seed"]);
    common::edit(
        &root.join("content/site.toml"),
        "points = { national = 5, province = 2, city = 0.5 }",
        "points = { national = 5, province = 2, city = 1 }",
    );
    git(
        repository.path(),
        &["commit", "-q", "-a", "-m", "city adoptions count more"],
    );
    repository
}

/// Names with line breaks, placed so that a reader that matches git's
/// answers to its questions by line would shift every file after them.
#[cfg(unix)]
#[test]
fn diff_reads_every_file_whatever_its_name() {
    for hostile in [
        "content/2019-01-05/a\nb.txt",
        "content/a\nsite.toml",
        "content/\n.txt",
        "content/zz\nHEAD:site.toml",
        "content/notes\n",
        "content/2019-01-05/\n\n\n",
    ] {
        let repository = repository_with_a_rule_change(hostile);
        let root = repository.path().join("site");
        let run = run_diff(&root, &["HEAD~1", "HEAD"]);
        run.assert_success();
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(
            lines[..3],
            [
                "期次 2019-01-05（HEAD~1 → HEAD）",
                "  表格 towns（镇街（园区））",
                "    十字路街道：累计加分 2.5 → 3",
            ],
            "{hostile:?}: {run:#?}"
        );
        assert!(
            lines.contains(&"    行政审批服务局：累计加分 3.5 → 5"),
            "{hostile:?}: {run:#?}"
        );
        // The working tree is the same as HEAD.
        let clean = run_diff(&root, &["HEAD"]);
        clean.assert_success();
        assert_eq!(clean.stdout, "没有变化（HEAD → 工作区）\n", "{hostile:?}");
    }
}

/// A committed symbolic link is refused as the loader refuses one on disk,
/// not read as a file holding the link's destination.
#[cfg(unix)]
#[test]
fn diff_refuses_a_committed_link_as_check_does() {
    let repository = repository_with_two_revisions();
    let root = repository.path().join("site");
    for (link, target) in [
        ("content/site.toml", "../site.toml"),
        ("content/2019-01-05/notice.md", "/etc/hostname"),
    ] {
        let path = root.join(link);
        std::fs::rename(&path, root.join("moved-away")).unwrap();
        std::os::unix::fs::symlink(target, &path).unwrap();
        git(repository.path(), &["add", "-A"]);
        git(repository.path(), &["commit", "-q", "-m", "a link"]);
        let run = run_diff(&root, &["HEAD~1", "HEAD"]);
        run.assert_failure();
        assert_eq!(
            run.stderr.lines().next(),
            Some(format!("错误：{link} 是符号链接，tongbao 不读取链接").as_str()),
            "{run:#?}"
        );
        assert!(!run.stderr.contains(".tongbao-diff"), "{run:#?}");
        std::fs::remove_file(&path).unwrap();
        std::fs::rename(root.join("moved-away"), &path).unwrap();
        git(repository.path(), &["add", "-A"]);
        git(repository.path(), &["commit", "-q", "-m", "no link"]);
    }
}

/// A site that git does not hold (not committed yet, or in a folder git
/// ignores) is named as the user knows it, never as a temporary folder.
#[test]
fn diff_of_a_site_git_does_not_hold_names_no_temporary_folder() {
    let repository = tempfile::tempdir().unwrap();
    std::fs::write(repository.path().join("README"), "x\n").unwrap();
    git(repository.path(), &["init", "-q", "-b", "main"]);
    git(repository.path(), &["add", "-A"]);
    git(repository.path(), &["commit", "-q", "-m", "first"]);
    let site = Site::seed();
    for folder in ["site", "ignored"] {
        let root = repository.path().join(folder);
        common::copy_tree(site.root(), &root);
        if folder == "ignored" {
            std::fs::write(repository.path().join(".gitignore"), "ignored/\n").unwrap();
        }
        for args in [&[][..], &["HEAD"], &["HEAD", "content/2019-01-05"]] {
            let run = run_diff(&root, args);
            run.assert_failure();
            assert_eq!(
                run.stderr.lines().next(),
                Some("错误：版本 “HEAD” 中没有 content/ 目录"),
                "{args:?}: {run:#?}"
            );
            assert!(!run.stderr.contains("tongbao-"), "{run:#?}");
        }
    }
}

/// A period folder compared from outside any site: the site's definitions
/// are missing, and the message says so about the user's folders.
#[test]
fn diff_of_period_folders_outside_a_site_says_the_site_is_missing() {
    let site = Site::seed();
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = elsewhere.path().join("emailed");
    common::copy_tree(&site.path(&format!("content/{SEED}")), &folder);
    let folder = folder.to_str().unwrap();
    for args in [vec![folder], vec![folder, folder]] {
        let output = common::isolated(env!("CARGO_BIN_EXE_tongbao"))
            .arg("diff")
            .args(&args)
            .current_dir(elsewhere.path())
            .output()
            .unwrap();
        let run = common::Run::from(output);
        run.assert_failure();
        assert_eq!(
            run.stderr.lines().next(),
            Some(
                format!("错误：比较期次目录 {folder} 需要站点的 content/site.toml，但 . 中没有")
                    .as_str()
            ),
            "{run:#?}"
        );
        assert!(!run.stderr.contains("tongbao-"), "{run:#?}");
    }
}

/// A repository holding county-c (findings, a status column), committed,
/// then a re-check: one finding rectified, one dropped, one added, and
/// 丙镇 above the quota.
fn repository_with_a_recheck() -> tempfile::TempDir {
    repository_with_a_recheck_of(|_| {})
}

/// [`repository_with_a_recheck`], with `prepare` run on the site before
/// the first commit.
fn repository_with_a_recheck_of(prepare: impl Fn(&Path)) -> tempfile::TempDir {
    let repository = tempfile::tempdir().unwrap();
    let fixture = common::fixture_site("county-c");
    common::copy_tree(fixture.path(), repository.path());
    prepare(repository.path());
    git(repository.path(), &["init", "-q", "-b", "main"]);
    git(repository.path(), &["add", "-A"]);
    git(repository.path(), &["commit", "-q", "-m", "the check"]);
    let findings = repository.path().join("content/2024-q4/findings.toml");
    common::edit(
        &findings,
        "problem = \"领导分工未随人事变动更新\", found = 2024-12-20, status = \"未整改\", checked = 2025-01-22 }",
        "problem = \"领导分工未随人事变动更新\", found = 2024-12-20, status = \"已整改\", checked = 2025-01-25, note = \"已更新\" }",
    );
    common::edit(
        &findings,
        "  { unit = \"丁镇\", column = \"政务动态/镇街动态\", category = \"错别字\", problem = \"标题“政务公开”误作“政物公开”\", found = 2024-12-22, status = \"无需整改\", checked = 2025-01-22, note = \"该信息已按规定撤下\" },\n",
        "  { unit = \"乙镇\", column = \"政务动态/镇街动态\", category = \"未更新\", problem = \"三个月未更新\", found = 2024-12-23 },\n",
    );
    common::edit(
        &repository.path().join("content/2024-q4/data.toml"),
        "{ unit = \"丙镇\", items = 12, news = 4 }",
        "{ unit = \"丙镇\", items = 25, news = 4 }",
    );
    git(
        repository.path(),
        &["commit", "-q", "-a", "-m", "the re-check"],
    );
    repository
}

#[test]
fn diff_shows_findings_added_removed_and_rechecked_and_status_labels() {
    let repository = repository_with_a_recheck();
    let run = run_diff(repository.path(), &["HEAD~1", "HEAD"]);
    run.assert_success();
    let expected = "\
期次 2024-q4（HEAD~1 → HEAD）
  表格 towns（镇街）
    乙镇：未整改问题 0 → 1，整改扣分 0 → -0.5
    丙镇：排名 4 → 3，信息公开 12 → 25，未达标扣分 -2 → 0，达标情况 未达标 → 达标，未整改问题 2 → 1，整改扣分 -1 → -0.5
    丁镇：排名 3 → 4
  问题清单
    丙镇 政府信息公开/法定主动公开内容/领导信息：领导分工未随人事变动更新：整改情况 未整改 → 已整改，复查日期 2025-01-22 → 2025-01-25，复查说明 无 → 已更新
    + 乙镇 政务动态/镇街动态：三个月未更新（新增）：问题类型 未更新，发现日期 2024-12-23
    - 丁镇 政务动态/镇街动态：标题“政务公开”误作“政物公开”（删除）：问题类型 错别字，发现日期 2024-12-22，整改情况 无需整改，复查日期 2025-01-22，复查说明 该信息已按规定撤下

";
    assert_eq!(run.stdout, expected);
}

#[test]
fn diff_as_markdown_lists_the_findings() {
    let repository = repository_with_a_recheck();
    let run = run_diff(repository.path(), &["HEAD~1", "HEAD", "--format", "md"]);
    run.assert_success();
    let (_, findings) = run.stdout.split_once("### 问题清单\n\n").unwrap();
    assert_eq!(
        findings,
        "\
- 丙镇 政府信息公开/法定主动公开内容/领导信息：领导分工未随人事变动更新：整改情况 未整改 → 已整改，复查日期 2025-01-22 → 2025-01-25，复查说明 无 → 已更新
- + 乙镇 政务动态/镇街动态：三个月未更新（新增）：问题类型 未更新，发现日期 2024-12-23
- - 丁镇 政务动态/镇街动态：标题“政务公开”误作“政物公开”（删除）：问题类型 错别字，发现日期 2024-12-22，整改情况 无需整改，复查日期 2025-01-22，复查说明 该信息已按规定撤下

"
    );
    let row = run
        .stdout
        .lines()
        .find(|line| line.starts_with("| 丙镇 |"))
        .unwrap();
    assert_eq!(
        row,
        "| 丙镇 | **4 → 3** | **12 → 25** | 4 | 0 | 0 | **-2 → 0** | **未达标 → 达标** | **2 → 1** | **-1 → -0.5** |"
    );
}

#[test]
fn diff_with_a_period_folder_outside_the_site_reads_its_findings() {
    let site = common::fixture_site("county-c");
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = elsewhere.path().join("rechecked");
    common::copy_tree(&site.path().join("content/2024-q4"), &folder);
    common::edit(
        &folder.join("findings.toml"),
        "found = 2024-12-21 }",
        "found = 2024-12-21, status = \"已整改\", checked = 2025-01-21 }",
    );
    let output = common::tongbao(
        site.path(),
        &[
            "diff",
            "content/2024-q4",
            folder.to_str().unwrap(),
            "--root",
            site.path().to_str().unwrap(),
        ],
    );
    let run = common::Run::from(output);
    run.assert_success();
    assert_eq!(
        run.stdout,
        format!(
            "期次 2024-q4 → rechecked（content/2024-q4 → {}）\n  表格 towns（镇街）\n    丙镇：未整改问题 2 → 1，整改扣分 -1 → -0.5\n  问题清单\n    丙镇 政府信息公开/重点领域信息公开/财政预决算：2024年预算公开链接打不开：整改情况 无 → 已整改，复查日期 无 → 2025-01-21\n\n",
            folder.display()
        )
    );
}

#[test]
fn an_empty_status_label_shows_as_none() {
    let repository = repository_with_a_recheck_of(|root| {
        common::edit(
            &root.join("content/site.toml"),
            "below = \"未达标\", met = \"达标\",",
            "below = \"未达标\",",
        );
    });
    let run = run_diff(repository.path(), &["HEAD~1", "HEAD"]);
    run.assert_success();
    let line = run
        .stdout
        .lines()
        .find(|line| line.starts_with("    丙镇："))
        .unwrap();
    assert_eq!(
        line,
        "    丙镇：排名 4 → 3，信息公开 12 → 25，未达标扣分 -2 → 0，达标情况 未达标 → 无，未整改问题 2 → 1，整改扣分 -1 → -0.5"
    );
}
