//! Shared helpers for the integration tests: copies of the shipped site,
//! runs of the real binary, and readers for its output.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The repository root, where the shipped `content/` and `themes/` live.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary site root holding a copy of the shipped content and themes.
pub fn shipped_site() -> TempDir {
    let root = tempfile::tempdir().expect("temporary folder");
    copy_tree(&repository().join("content"), &root.path().join("content"));
    copy_tree(&repository().join("themes"), &root.path().join("themes"));
    root
}

/// A temporary site root holding a copy of a fixture under `tests/fixtures/`,
/// plus the shipped default theme unless the fixture brings its own.
pub fn fixture_site(name: &str) -> TempDir {
    let root = tempfile::tempdir().expect("temporary folder");
    copy_tree(&repository().join("tests/fixtures").join(name), root.path());
    copy_tree(
        &repository().join("themes/default"),
        &root.path().join("themes/default"),
    );
    root
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("readable fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("inside the tree"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("create folder");
        } else if !target.exists() {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Runs the real `tongbao` binary with `args` in `root`.
pub fn tongbao(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongbao"))
        .args(args)
        .current_dir(root)
        .output()
        .expect("run tongbao")
}

/// Builds `root` into `root/public` and asserts that the build succeeded.
pub fn build_ok(root: &Path) -> Output {
    let output = tongbao(root, &["build"]);
    assert!(
        output.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.expect("readable output"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).expect("inside the tree");
            let bytes = fs::read(entry.path()).expect("readable file");
            (relative.to_string_lossy().replace('\\', "/"), bytes)
        })
        .collect()
}

pub fn read_html(path: &Path) -> scraper::Html {
    let text = fs::read_to_string(path).expect("generated page");
    scraper::Html::parse_document(&text)
}

pub fn selector(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).expect("valid selector")
}

/// The text of an element with all whitespace removed.
pub fn compact_text(element: scraper::ElementRef) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect()
}

/// The body rows of the table with `data-table="id"`: each cell's text.
pub fn table_rows(page: &scraper::Html, id: &str) -> Vec<Vec<String>> {
    let rows = selector(&format!("table[data-table='{id}'] tbody tr"));
    let cells = selector("th, td");
    page.select(&rows)
        .map(|row| row.select(&cells).map(compact_text).collect())
        .collect()
}

/// A run's exit code and both streams, as snapshots keep them.
pub fn transcript(args: &[&str], output: &Output) -> String {
    format!(
        "$ tongbao {}\nexit: {}\n---- stderr ----\n{}---- stdout ----\n{}",
        args.join(" "),
        output
            .status
            .code()
            .map_or("killed".to_string(), |code| code.to_string()),
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    )
}
