//! A build that fails at any stage leaves the previous output folder
//! byte-identical: after a validation error, a template render error, and a
//! write error.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{
    assert_no_leftovers, build_ok, diagnostic, diagnostics, edit, seed_reconciliation,
    shipped_site, stderr, tongbao, transcript, tree,
};
use tongbao::render::Output;
use tongbao::write::{Place, WriteFailure, Written, write_site};

/// Writes `output` to `destination` in process, for a site rooted beside it.
fn write(output: &Output, destination: &Path) -> Result<Written, WriteFailure> {
    let root = destination.parent().expect("a parent folder");
    let place = Place::resolve(root, destination).expect("a usable output");
    write_site(output, &place, &mut |_| {})
}

/// Builds the shipped site into `public/` and returns what it wrote.
fn first_build(site: &Path) -> BTreeMap<String, Vec<u8>> {
    build_ok(site);
    let files = tree(&site.join("public"));
    assert!(files.contains_key("index.html"));
    files
}

/// Builds the shipped site, makes one edit (replacing `from` with `to` in
/// `file`), and asserts that the build then fails with exactly `expected`
/// (message and location), says the output is unchanged, leaves `public/`
/// as it was, and leaves no staging folder behind.
fn assert_edit_keeps_output(file: &str, from: &str, to: &str, expected: (&str, &str)) {
    let site = shipped_site();
    let before = first_build(site.path());
    edit(&site.path().join(file), from, to);
    let output = tongbao(site.path(), &["build"]);
    let shown = transcript(&["build"], &output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    let stderr = stderr(&output);
    let errors: Vec<(String, String)> = diagnostics(&stderr)
        .into_iter()
        .filter(|(headline, _)| headline.starts_with("错误"))
        .collect();
    assert_eq!(errors, [diagnostic(expected.0, expected.1)], "{shown}");
    assert_eq!(
        stderr.lines().last(),
        Some("构建失败：1 个错误，2 条警告；输出目录 ./public 未改动"),
        "{shown}"
    );
    assert!(
        tree(&site.path().join("public")) == before,
        "output changed"
    );
    assert_no_leftovers(site.path());
}

#[test]
fn a_validation_error_leaves_the_previous_output() {
    assert_edit_keeps_output(
        "content/2019-01-05/data.toml",
        "dynamic = 70",
        "dynamic = -70",
        (
            "错误：“dynamic”不能为负数：-70",
            "content/2019-01-05/data.toml:21:49",
        ),
    );
}

#[test]
fn a_template_render_error_leaves_the_previous_output() {
    // Parses, but fails while rendering: the value does not exist.
    assert_edit_keeps_output(
        "themes/default/templates/notice.html",
        "{{ notice.addressees }}",
        "{{ notice.addresses }}",
        (
            "错误：模板引用了不存在的值 “notice.addresses”",
            "themes/default/templates/notice.html:10:26",
        ),
    );
}

/// The writer fails half-way through staging: one file's path is too long
/// for the operating system below the output's parent (but not below the
/// theme it is read from). The earlier output stays, and the half-written
/// staging folder is removed.
#[test]
fn a_write_error_leaves_the_previous_output() {
    let site = shipped_site();
    let outer = tempfile::tempdir().expect("temp dir");
    let segment = "o".repeat(200);
    let parent = outer.path().join([segment.as_str(); 4].join("/"));
    fs::create_dir_all(&parent).expect("create deep parent");
    let destination = parent.join("public");
    let destination_arg = destination.to_string_lossy().into_owned();
    let args = ["build", "--output", destination_arg.as_str()];
    let output = tongbao(site.path(), &args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        transcript(&args, &output)
    );
    let before = tree(&destination);

    // A static file whose path fits under themes/ but not under the output.
    let staged_length = destination.as_os_str().len() + "/.tongbao-staging-public/static/".len();
    let deep_length = 4096 - staged_length + 100;
    let mut deep = site.path().join("themes/default/static");
    for _ in 0..deep_length.div_ceil(201) {
        deep.push(&segment);
    }
    fs::create_dir_all(&deep).expect("create deep theme folder");
    fs::write(deep.join("deep.css"), "p {}\n").expect("write deep file");
    assert!(
        deep.as_os_str().len() < 4000,
        "the source path must stay readable"
    );

    let output = tongbao(site.path(), &args);
    let shown = transcript(&args, &output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(shown.contains("无法写入输出目录"), "{shown}");
    assert!(tree(&destination) == before, "output changed");
    assert_no_leftovers(&parent);
}

/// An output whose parent is a regular file cannot be written at all; the
/// build says so and exits 1, and the file is untouched.
#[test]
fn an_output_under_a_regular_file_is_reported() {
    let site = shipped_site();
    let blocker = site.path().join("blocker");
    fs::write(&blocker, "not a folder\n").expect("write blocker");
    let args = ["build", "--output", "blocker/public"];
    let output = tongbao(site.path(), &args);
    let shown = transcript(&args, &output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(shown.contains("无法写入输出目录"), "{shown}");
    assert_eq!(
        fs::read_to_string(&blocker).expect("read"),
        "not a folder\n"
    );
}

/// An output path that is an existing file is refused, never replaced.
#[test]
fn an_output_that_is_a_file_is_not_replaced() {
    let folder = tempfile::tempdir().expect("temp dir");
    let destination = folder.path().join("notes.txt");
    fs::write(&destination, "keep me\n").expect("write");
    let output = Output {
        files: [("index.html".to_string(), b"<p>new</p>".to_vec())].into(),
    };
    assert!(write(&output, &destination).is_err());
    assert_eq!(fs::read_to_string(&destination).expect("read"), "keep me\n");
    assert_no_leftovers(folder.path());
}

/// A non-empty folder that no build wrote (no marker) is never replaced.
#[test]
fn a_folder_that_tongbao_did_not_write_is_not_replaced() {
    let site = shipped_site();
    let documents = site.path().join("documents");
    fs::create_dir_all(&documents).expect("create folder");
    fs::write(documents.join("report.docx"), "keep me").expect("write");
    let args = ["build", "--output", "documents"];
    let output = tongbao(site.path(), &args);
    let shown = transcript(&args, &output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    let mut expected = vec![diagnostic(
        "错误：无法写入输出目录 documents：该目录不是 tongbao 生成的（没有 .tongbao 标记文件）；为免误删，不会替换它，请换一个输出目录或先清空它",
        "",
    )];
    expected.extend(seed_reconciliation("警告"));
    assert_eq!(diagnostics(&stderr(&output)), expected, "{shown}");
    assert_eq!(
        tree(&documents).into_keys().collect::<Vec<_>>(),
        ["report.docx"]
    );
    assert_no_leftovers(site.path());

    // An empty folder, and then the build's own output, are replaced.
    fs::remove_file(documents.join("report.docx")).expect("remove");
    for _ in 0..2 {
        let output = tongbao(site.path(), &args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            transcript(&args, &output)
        );
    }
    assert!(documents.join("index.html").is_file());
}

/// The writer itself, in process: a failure after some files are staged
/// (a file and a folder of the same name) leaves the old output intact,
/// its `.git` included.
#[test]
fn write_site_fails_without_touching_the_old_output() {
    let folder = tempfile::tempdir().expect("temp dir");
    let destination = folder.path().join("public");
    let old = Output {
        files: [
            ("index.html".to_string(), b"<p>old</p>".to_vec()),
            ("static/style.css".to_string(), b"p {}".to_vec()),
        ]
        .into(),
    };
    write(&old, &destination).expect("first write");
    fs::create_dir(destination.join(".git")).expect("a checkout");
    fs::write(destination.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
    let before = tree(&destination);

    let clashing = Output {
        files: [
            ("a".to_string(), b"file".to_vec()),
            ("a/b.html".to_string(), b"under a file".to_vec()),
            ("index.html".to_string(), b"<p>new</p>".to_vec()),
        ]
        .into(),
    };
    assert!(write(&clashing, &destination).is_err());
    assert!(tree(&destination) == before);
    assert_no_leftovers(folder.path());

    // And a good write afterwards replaces it completely, but for the
    // dot-files.
    let new = Output {
        files: [("index.html".to_string(), b"<p>new</p>".to_vec())].into(),
    };
    write(&new, &destination).expect("second write");
    let mut written = tree(&destination);
    assert!(written.remove(tongbao::write::MARKER).is_some());
    assert_eq!(
        written,
        BTreeMap::from([
            (".git/HEAD".to_string(), b"ref: refs/heads/main\n".to_vec()),
            ("index.html".to_string(), b"<p>new</p>".to_vec())
        ])
    );
    assert_no_leftovers(folder.path());
}
