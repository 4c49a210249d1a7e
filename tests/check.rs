//! `tongbao check` on bad input: the fixture corpus and the shipped seed.
//!
//! Each case in `tests/fixtures/check/cases/NAME.toml` edits a copy of the
//! small, clean site in `tests/fixtures/check/base/` to break one rule; the
//! real binary checks the copy, and its whole transcript (exit code, every
//! message with `path:line:col`, the count line) is kept as a snapshot in
//! `tests/fixtures/check/snapshots/NAME.snap`, so a changed message shows in
//! review. Update them with `INSTA_UPDATE=always cargo test --test check`
//! and read the diff.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use common::{
    copy_tree, diagnostic, diagnostics, edit, repository, seed_reconciliation, shipped_site,
    stderr, tongbao, transcript,
};

/// One bad-input case: the edits that break the base site and what `check`
/// must answer.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Extra arguments after `check`.
    #[serde(default)]
    args: Vec<String>,
    /// The exit code `check` must give.
    exit: i32,
    /// Why the message has no `path:line:col`, where a file as a whole is
    /// at fault (a missing file, a link); absent, the output must have one.
    unlocated: Option<String>,
    edit: Vec<Edit>,
}

/// A change to one path of the site copy; exactly one action is given.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    /// Path relative to the site root.
    file: String,
    /// Replace this text, which must occur exactly once, ...
    replace: Option<String>,
    /// ... with this.
    with: Option<String>,
    /// Write the file with this text.
    write: Option<String>,
    /// Delete the file or folder.
    #[serde(default)]
    remove: bool,
    /// Re-encode the file's text in this encoding (e.g. GB18030).
    encode: Option<String>,
    /// Replace the path with a symbolic link to this target.
    symlink: Option<String>,
    /// Copy this path of the site (a file or folder) to `file`.
    copy: Option<String>,
}

fn fixtures() -> PathBuf {
    repository().join("tests/fixtures/check")
}

fn case_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures().join("cases"))
        .expect("cases folder")
        .map(|entry| entry.expect("case entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn apply(site: &Path, edit: &Edit) {
    let path = site.join(&edit.file);
    if let Some(find) = &edit.replace {
        let text = fs::read_to_string(&path).expect("read file to edit");
        assert_eq!(
            text.matches(find.as_str()).count(),
            1,
            "{find:?} must occur once in {}",
            edit.file
        );
        let with = edit.with.as_deref().expect("replace needs with");
        fs::write(&path, text.replacen(find.as_str(), with, 1)).expect("write edit");
    } else if let Some(text) = &edit.write {
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).expect("create folder");
        }
        fs::write(&path, text).expect("write file");
    } else if edit.remove {
        if path.is_dir() {
            fs::remove_dir_all(&path).expect("remove folder");
        } else {
            fs::remove_file(&path).expect("remove file");
        }
    } else if let Some(label) = &edit.encode {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).expect("encoding");
        let text = fs::read_to_string(&path).expect("read file to encode");
        let (bytes, _, unmappable) = encoding.encode(&text);
        assert!(
            !unmappable,
            "{} holds text {label} cannot encode",
            edit.file
        );
        fs::write(&path, bytes).expect("write encoded");
    } else if let Some(target) = &edit.symlink {
        if path.is_dir() {
            fs::remove_dir_all(&path).expect("remove folder");
        } else if path.exists() {
            fs::remove_file(&path).expect("remove file");
        }
        std::os::unix::fs::symlink(target, &path).expect("create link");
    } else if let Some(from) = &edit.copy {
        let from = site.join(from);
        if from.is_dir() {
            copy_tree(&from, &path);
        } else {
            fs::copy(&from, &path).expect("copy file");
        }
    } else {
        panic!("edit of {} does nothing", edit.file);
    }
}

/// Runs one case and returns its transcript, after checking what every case
/// must show whatever its snapshot says.
fn run_case(name: &str) -> String {
    let text = fs::read_to_string(fixtures().join(format!("cases/{name}.toml"))).expect("case");
    let case: Case = toml::from_str(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
    let site = tempfile::tempdir().expect("temp dir");
    copy_tree(&fixtures().join("base"), site.path());
    for edit in &case.edit {
        apply(site.path(), edit);
    }
    let mut args = vec!["check"];
    args.extend(case.args.iter().map(String::as_str));
    let output = tongbao(site.path(), &args);
    let shown = transcript(&args, &output);
    assert_eq!(output.status.code(), Some(case.exit), "{name}:\n{shown}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{name}:\n{shown}");
    let flagged = if case.exit == 0 {
        "警告："
    } else {
        "错误："
    };
    assert!(
        stderr.contains(flagged),
        "{name} shows no {flagged}\n{shown}"
    );
    if case.unlocated.is_none() {
        assert!(
            has_location(&stderr),
            "{name} has no path:line:col\n{shown}"
        );
    }
    assert!(
        !site.path().join("public").exists(),
        "{name}: check wrote output"
    );
    shown
}

/// Whether a drawn diagnostic points at `path:line:col`.
fn has_location(stderr: &str) -> bool {
    stderr.lines().any(|line| {
        line.trim_start()
            .strip_prefix("┌─ ")
            .is_some_and(|at| at.rsplit(':').take(2).all(|n| n.parse::<u32>().is_ok()))
    })
}

#[test]
fn the_base_site_is_clean() {
    let site = fixtures().join("base");
    let output = tongbao(&site, &["check", "--strict"]);
    let shown = transcript(&["check", "--strict"], &output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(output.stderr.is_empty(), "{shown}");
}

#[test]
fn every_bad_input_fixture_gives_its_snapshot() {
    let names = case_names();
    assert!(names.len() >= 30, "only {} fixtures", names.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(fixtures().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    // Run every case and report all failures together, not just the first.
    let failed: Vec<&String> = names
        .iter()
        .filter(|name| {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(name.as_str(), run_case(name)));
            }));
            outcome.is_err()
        })
        .collect();
    assert!(failed.is_empty(), "failed fixtures: {failed:?}");
}

#[test]
fn every_snapshot_has_its_fixture() {
    let names = case_names();
    for entry in fs::read_dir(fixtures().join("snapshots")).expect("snapshots folder") {
        let path = entry.expect("snapshot entry").path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(names.contains(&stem), "{} has no case", path.display());
    }
}

/// The seed disagrees with itself in two declared totals; `check` says
/// exactly that, and nothing else.
#[test]
fn the_seed_gives_exactly_the_two_reconciliation_warnings() {
    let site = shipped_site();
    let output = tongbao(site.path(), &["check"]);
    let shown = transcript(&["check"], &output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert_eq!(
        diagnostics(&stderr(&output)),
        seed_reconciliation("警告"),
        "{shown}"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "检查通过：1 期通报，60 个单位；0 个错误，2 条警告\n"
    );
}

#[test]
fn strict_turns_the_seed_warnings_into_errors() {
    let site = shipped_site();
    let output = tongbao(site.path(), &["check", "--strict"]);
    let shown = transcript(&["check", "--strict"], &output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    let stderr = stderr(&output);
    assert_eq!(diagnostics(&stderr), seed_reconciliation("错误"), "{shown}");
    assert!(
        stderr.ends_with("检查未通过（--strict：警告按错误计）：2 个错误，0 条警告\n"),
        "{shown}"
    );
}

#[test]
fn root_option_checks_another_folder() {
    let site = fixtures().join("base");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let root = site.to_string_lossy().into_owned();
    let output = tongbao(elsewhere.path(), &["check", "--root", &root]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "检查通过：1 期通报，2 个单位；0 个错误，0 条警告\n"
    );
}

#[test]
fn a_usage_error_exits_with_two() {
    let site = fixtures().join("base");
    let output = tongbao(&site, &["check", "--strikt"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Windows Notepad saves UTF-8 with a byte order mark; it is accepted
/// without a word, and positions still count from the first real character.
#[test]
fn a_utf8_byte_order_mark_is_accepted_silently() {
    let site = tempfile::tempdir().expect("temp dir");
    copy_tree(&fixtures().join("base"), site.path());
    for file in ["content/site.toml", "content/2019-01-05/data.toml"] {
        let path = site.path().join(file);
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend(fs::read(&path).expect("read"));
        fs::write(&path, bytes).expect("write");
    }
    let output = tongbao(site.path(), &["check", "--strict"]);
    let shown = transcript(&["check", "--strict"], &output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(output.stderr.is_empty(), "{shown}");

    // A BOM before a bad value must not shift its column.
    edit(
        &site.path().join("content/2019-01-05/data.toml"),
        "dynamic = 70",
        "dynamic = -70",
    );
    let output = tongbao(site.path(), &["check"]);
    assert_eq!(
        diagnostics(&stderr(&output)),
        [diagnostic(
            "错误：“dynamic”不能为负数：-70",
            "content/2019-01-05/data.toml:14:49"
        )]
    );
}

/// The texts of a minimum (its below and met) and of a finding reach the
/// cells of the XLSX downloads: one longer than an Excel cell holds is
/// refused where it was written, as a table's title or label is.
#[test]
fn texts_of_minimums_and_findings_must_fit_an_excel_cell() {
    let site = tempfile::tempdir().expect("temp dir");
    copy_tree(&fixtures().join("base"), site.path());
    // 32,768 UTF-16 units: one past the limit, counted as Excel counts.
    let long = "长".repeat(32_768);
    let fits = "长".repeat(32_767);
    edit(
        &site.path().join("content/site.toml"),
        "[totals.published]",
        &format!(
            "[rules.quota]\nlabel = \"信息公开最低条数\"\nminimum = {{ column = \"disclosure\", at_least = 100, below = \"{long}\", met = \"{fits}\" }}\n\n[findings]\ncategories = [{{ key = \"stale\", label = \"未更新\" }}]\nstatuses = [{{ key = \"fixed\", label = \"已整改\", open = false }}]\n\n[totals.published]"
        ),
    );
    // The cell holds the status, the re-check's date and the note.
    let note = "说".repeat(32_767 - "已整改（2019年6月8日复查，）".encode_utf16().count() + 1);
    fs::write(
        site.path().join("content/2019-01-05/findings.toml"),
        format!(
            "findings = [\n  {{ unit = \"板泉镇\", column = \"政务动态\", category = \"未更新\", problem = \"{long}\", found = 2019-05-20 }},\n  {{ unit = \"十字路街道\", column = \"政务动态\", category = \"未更新\", problem = \"未更新\", found = 2019-05-20, status = \"已整改\", checked = 2019-06-08, note = \"{note}\" }},\n]\n"
        ),
    )
    .expect("write findings");
    let output = tongbao(site.path(), &["check"]);
    assert_eq!(
        diagnostics(&stderr(&output)),
        [diagnostic(
            "错误：minimum 的 below 文字有 32768 个字符，超出 Excel 单元格的上限 32767 个字符",
            "content/site.toml:20:60"
        )]
    );
    edit(
        &site.path().join("content/site.toml"),
        &format!("below = \"{long}\""),
        "below = \"未达标\"",
    );
    let output = tongbao(site.path(), &["check"]);
    assert_eq!(
        diagnostics(&stderr(&output)),
        [
            diagnostic(
                "错误：问题清单的问题描述有 32768 个字符，超出 Excel 单元格的上限 32767 个字符",
                "content/2019-01-05/findings.toml:2:3"
            ),
            diagnostic(
                "错误：问题清单的整改情况（连同说明）有 32768 个字符，超出 Excel 单元格的上限 32767 个字符",
                "content/2019-01-05/findings.toml:3:3"
            ),
        ]
    );
}

#[test]
fn a_file_too_large_to_be_content_is_refused_unread() {
    // A notice.md of 64 MiB and one byte, sparse so the test writes
    // nothing: refused by name, and its period left out, as with any
    // file that cannot be read.
    let site = shipped_site();
    let notice = site.path().join("content/2019-01-05/notice.md");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&notice)
        .unwrap();
    file.set_len((64 << 20) + 1).unwrap();
    let output = tongbao(site.path(), &["check"]);
    let shown = transcript(&["check"], &output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert_eq!(
        diagnostics(&stderr(&output)),
        [diagnostic(
            "错误：文件 content/2019-01-05/notice.md 超过 64 MB，tongbao 不读取这么大的文件",
            "",
        )],
        "{shown}"
    );
}
