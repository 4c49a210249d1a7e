//! Where a build writes, and that nothing there is lost: the output is
//! resolved to its real path before anything moves, outputs that would
//! destroy or republish the site are refused, an interrupted build's
//! leftovers are tidied by the next one, builds of one output take turns,
//! the output's dot-files (`.git`, …) survive every build, and a rebuild
//! reuses the files it would write again unchanged.

mod common;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{
    Run, assert_no_leftovers, build_ok, copy_tree, diagnostics, isolated, repository, shipped_site,
    tongbao, tree,
};

/// The marker's text, as every build writes it.
const MARKER_TEXT: &str = "This folder is built by tongbao and replaced on every build.\n";

/// Runs the binary in `folder` with `args`.
fn run_in(folder: &Path, args: &[&str]) -> Run {
    Run::from(tongbao(folder, args))
}

/// A folder's real path, as tongbao names it in messages.
fn real(path: &Path) -> PathBuf {
    path.canonicalize().expect("an existing path")
}

/// The lines tongbao prints about what it did beside the output.
fn notes(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter_map(|line| line.strip_prefix("说明："))
        .map(str::to_string)
        .collect()
}

/// The error headlines of a run.
fn errors(run: &Run) -> Vec<String> {
    diagnostics(&run.stderr)
        .into_iter()
        .map(|(headline, _)| headline)
        .filter(|headline| headline.starts_with("错误："))
        .collect()
}

/// The last line of standard error.
fn last_line(run: &Run) -> &str {
    run.stderr.lines().last().unwrap_or("")
}

/// The shipped site, built once into `public/`; returns the site and what
/// the build wrote.
fn built_site() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let site = shipped_site();
    build_ok(site.path());
    let files = tree(&site.path().join("public"));
    assert!(files.contains_key("index.html") && files.contains_key(".tongbao"));
    (site, files)
}

// 1. The output is resolved before anything moves ---------------------------

/// Spellings of `public/` relative to the folder the build runs in. Each
/// must rebuild the same folder in place: exit 0, the same files, nothing
/// left beside it, and no copy nested anywhere.
#[test]
fn every_spelling_of_the_output_rebuilds_the_same_folder() {
    let (site, expected) = built_site();
    let root = site.path();
    let absolute = root.join("public").to_string_lossy().into_owned();
    let absolute_root = root.to_string_lossy().into_owned();
    symlink("public", root.join("link")).expect("link to public");
    let dotted = format!("{absolute_root}/./content/../public/");
    let cases: [(&str, &[&str]); 10] = [
        ("public", &["build", "--root", ".."]),
        ("public", &["build", "--root", absolute_root.as_str()]),
        ("public/2019-01-05", &["build", "--root", "../.."]),
        (
            "content",
            &["build", "--root", "..", "--output", "../public"],
        ),
        (".", &["build", "--output", "public/../public"]),
        (".", &["build", "--output", "./public/"]),
        (".", &["build", "--output", absolute.as_str()]),
        (".", &["build", "--output", dotted.as_str()]),
        (".", &["build", "--output", "link"]),
        (".", &["build", "--output", "./link/"]),
    ];
    for (folder, args) in cases {
        let run = run_in(&root.join(folder), args);
        run.assert_success();
        assert_eq!(tree(&root.join("public")), expected, "{folder}: {args:?}");
        assert_no_leftovers(root);
        assert!(
            fs::symlink_metadata(root.join("link"))
                .expect("the link")
                .file_type()
                .is_symlink(),
            "{args:?} replaced the link"
        );
    }
    let names: Vec<String> = fs::read_dir(root)
        .expect("site root")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        names,
        [
            ".tongbao-lock-public",
            "content",
            "link",
            "public",
            "themes"
        ]
    );
}

/// How a refused output is refused.
enum Refused<'a> {
    /// The output is the site root or holds it.
    Site,
    /// The output is in the site's `content/` or `themes/`.
    Source(&'a str),
    /// The output is in a folder a build replaces (relative to the root).
    Output(&'a str),
    /// The output is in one of tongbao's temporary folders.
    Reserved(&'a str),
}

/// The whole error line for `--output spelling`, whose real path is `real`.
fn refusal(root: &Path, spelling: &str, real: &Path, refused: &Refused) -> String {
    let (root_text, real) = (root.display(), real.display());
    let reason = match refused {
        Refused::Site => format!(
            "是站点目录 {root_text} 本身或包含站点目录，替换它会删掉站点；请换一个输出目录，例如 {root_text}/public"
        ),
        Refused::Source(folder) => format!(
            "就是或位于构建读取的 {root_text}/{folder} 中，生成的文件会在下次构建时被当作内容或主题再次发布；请换一个输出目录"
        ),
        Refused::Output(outer) => format!(
            "位于构建输出目录 {root_text}/{outer} 中，构建 {root_text}/{outer} 时会把它整个替换掉；请换一个输出目录"
        ),
        Refused::Reserved(folder) => format!(
            "就是或位于 tongbao 的临时目录 {root_text}/{folder} 中（以 .tongbao- 开头的名字留给构建过程使用）；请换一个输出目录"
        ),
    };
    format!("错误：不能使用输出目录 {spelling}：它的实际位置 {real} {reason}")
}

/// Outputs that would delete the site, be read back as content or theme
/// files, or be swept away by another build, each spelt several ways
/// (relative, absolute, with `..`, through a link): every one exits 1 with
/// its reason, and not one file of the site moves or appears.
#[test]
fn outputs_that_would_destroy_or_republish_the_site_are_refused() {
    let (site, _) = built_site();
    let root = real(site.path());
    let other = run_in(&root, &["build", "--output", "other"]);
    other.assert_success();
    symlink("content", root.join("to-content")).expect("link");
    symlink("themes/default/static", root.join("to-static")).expect("link");
    symlink("public", root.join("to-public")).expect("link");
    symlink(".", root.join("to-root")).expect("link");
    let absolute = |relative: &str| root.join(relative).to_string_lossy().into_owned();
    let parent = root.parent().expect("a parent").to_path_buf();
    let cases: Vec<(String, PathBuf, Refused)> = vec![
        (".".into(), root.clone(), Refused::Site),
        ("./".into(), root.clone(), Refused::Site),
        ("content/..".into(), root.clone(), Refused::Site),
        ("to-root".into(), root.clone(), Refused::Site),
        (absolute(""), root.clone(), Refused::Site),
        ("..".into(), parent, Refused::Site),
        (
            "content".into(),
            root.join("content"),
            Refused::Source("content"),
        ),
        (
            "content/pub".into(),
            root.join("content/pub"),
            Refused::Source("content"),
        ),
        (
            "./content/../content/pub/".into(),
            root.join("content/pub"),
            Refused::Source("content"),
        ),
        (
            absolute("content/2019-01-05/pub"),
            root.join("content/2019-01-05/pub"),
            Refused::Source("content"),
        ),
        (
            "to-content/pub".into(),
            root.join("content/pub"),
            Refused::Source("content"),
        ),
        (
            "themes".into(),
            root.join("themes"),
            Refused::Source("themes"),
        ),
        (
            "themes/default/static/pub".into(),
            root.join("themes/default/static/pub"),
            Refused::Source("themes"),
        ),
        (
            "public/../themes/default/static/pub".into(),
            root.join("themes/default/static/pub"),
            Refused::Source("themes"),
        ),
        (
            absolute("themes/default/static/pub"),
            root.join("themes/default/static/pub"),
            Refused::Source("themes"),
        ),
        (
            "to-static/pub".into(),
            root.join("themes/default/static/pub"),
            Refused::Source("themes"),
        ),
        (
            "public/inner".into(),
            root.join("public/inner"),
            Refused::Output("public"),
        ),
        (
            "./public/../public/inner/".into(),
            root.join("public/inner"),
            Refused::Output("public"),
        ),
        (
            absolute("public/2019-01-05/inner"),
            root.join("public/2019-01-05/inner"),
            Refused::Output("public"),
        ),
        (
            "to-public/inner".into(),
            root.join("public/inner"),
            Refused::Output("public"),
        ),
        (
            "other/static/pub".into(),
            root.join("other/static/pub"),
            Refused::Output("other"),
        ),
        (
            ".tongbao-staging-public".into(),
            root.join(".tongbao-staging-public"),
            Refused::Reserved(".tongbao-staging-public"),
        ),
        (
            "./.tongbao-previous-public/x".into(),
            root.join(".tongbao-previous-public/x"),
            Refused::Reserved(".tongbao-previous-public"),
        ),
    ];
    let before = tree(&root);
    let names_before = fs::read_dir(&root).expect("root").count();
    for (spelling, real_path, refused) in &cases {
        let run = run_in(&root, &["build", "--output", spelling]);
        run.assert_failure();
        assert_eq!(
            errors(&run),
            [refusal(&root, spelling, real_path, refused)],
            "{spelling}"
        );
        assert_eq!(
            last_line(&run),
            format!("构建失败：1 个错误，2 条警告；输出目录 {spelling} 未改动"),
            "{spelling}"
        );
        assert!(
            tree(&root) == before,
            "--output {spelling} changed the site"
        );
        assert_eq!(fs::read_dir(&root).expect("root").count(), names_before);
        assert!(!root.join("themes/default/static/pub").exists());
        assert!(!root.join("content/pub").exists());
    }
}

/// A refused output is reported alongside the content's own errors: the
/// build collects every problem before it stops.
#[test]
fn a_refused_output_is_reported_with_the_content_errors() {
    let (site, _) = built_site();
    let root = real(site.path());
    common::edit(
        &root.join("content/2019-01-05/data.toml"),
        "dynamic = 70",
        "dynamic = -70",
    );
    let run = run_in(&root, &["build", "--output", "content/pub"]);
    run.assert_failure();
    assert_eq!(
        errors(&run),
        [
            refusal(
                &root,
                "content/pub",
                &root.join("content/pub"),
                &Refused::Source("content")
            ),
            "错误：“dynamic”不能为负数：-70".to_string(),
        ]
    );
    assert_eq!(
        last_line(&run),
        "构建失败：2 个错误，2 条警告；输出目录 content/pub 未改动"
    );
}

// 2. Leftovers of interrupted builds ---------------------------------------

/// Copies the built output to `to`, as an interrupted build would have
/// left it there.
fn copy_output(root: &Path, to: &Path) {
    copy_tree(&root.join("public"), to);
}

/// What an interrupted build left, named as this version and as older ones
/// named it, is removed by the next build, which says so; the output is
/// the build's and nothing else remains.
#[test]
fn the_next_build_removes_what_an_interrupted_build_left() {
    let (site, expected) = built_site();
    let root = real(site.path());
    // Older versions: a staged copy (marker written last, so complete) and
    // a previous output moved into `previous/`.
    copy_output(&root, &root.join(".tongbao-AbC123"));
    copy_output(&root, &root.join(".tongbao-XyZ789/previous"));
    // This version: a staged folder cut short, and a previous output.
    fs::create_dir(root.join(".tongbao-staging-public")).expect("staging");
    fs::write(root.join(".tongbao-staging-public/.tongbao"), MARKER_TEXT).expect("marker");
    fs::write(root.join(".tongbao-staging-public/index.html"), "<p>half").expect("page");
    copy_output(&root, &root.join(".tongbao-previous-public"));

    let run = run_in(&root, &["build"]);
    run.assert_success();
    let removed = |name: &str| format!("已删除以前中断的构建留下的 {}", root.join(name).display());
    assert_eq!(
        notes(&run),
        [
            removed(".tongbao-staging-public"),
            removed(".tongbao-previous-public"),
            removed(".tongbao-AbC123"),
            removed(".tongbao-XyZ789"),
        ]
    );
    assert_no_leftovers(&root);
    assert_eq!(tree(&root.join("public")), expected);
}

/// A build interrupted between moving the output aside and moving the new
/// one in leaves no output at all. The next build puts the old output back
/// first, with the dot-files it had moved, so those survive into the new
/// output: for this version's names and for an older version's.
#[test]
fn an_output_an_interrupted_build_moved_aside_is_put_back() {
    for old_style in [false, true] {
        let (site, expected) = built_site();
        let root = real(site.path());
        let public = root.join("public");
        let (previous, staging) = if old_style {
            (
                root.join(".tongbao-XyZ789/previous"),
                root.join(".tongbao-AbC123"),
            )
        } else {
            (
                root.join(".tongbao-previous-public"),
                root.join(".tongbao-staging-public"),
            )
        };
        // The new output, staged in full, then the old one with its dot-files.
        copy_output(&root, &staging);
        fs::create_dir_all(public.join(".git")).expect(".git");
        fs::write(public.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
        fs::write(public.join(".nojekyll"), "").expect(".nojekyll");
        fs::create_dir_all(previous.parent().expect("parent")).expect("leftover");
        fs::rename(&public, &previous).expect("move the output aside");
        if !old_style {
            // This version had moved one dot-file into the new output.
            fs::rename(previous.join(".nojekyll"), staging.join(".nojekyll")).expect("move");
        }

        let run = run_in(&root, &["build"]);
        run.assert_success();
        let put_back = format!(
            "以前中断的构建把输出目录移到了 {}，已放回 {}",
            previous.display(),
            public.display()
        );
        assert_eq!(notes(&run).first(), Some(&put_back), "{:#?}", run);
        assert_no_leftovers(&root);
        let mut files = tree(&public);
        assert_eq!(
            files.remove(".git/HEAD").as_deref(),
            Some(&b"ref: refs/heads/main\n"[..])
        );
        assert_eq!(files.remove(".nojekyll").as_deref(), Some(&b""[..]));
        assert_eq!(files, expected, "old style: {old_style}");
    }
}

/// A folder named like an older version's leftover that holds anything
/// but a build's output (files of someone's, what `tongbao new` stages,
/// nothing at all) is left alone, and the build says so.
#[test]
fn an_unrecognised_leftover_is_left_alone() {
    let (site, _) = built_site();
    let root = real(site.path());
    let files = [
        ".tongbao-Qq1234/notes.txt",
        ".tongbao-Rr5678/folder/data.toml",
    ];
    for file in files {
        fs::create_dir_all(root.join(file).parent().expect("parent")).expect("folder");
        fs::write(root.join(file), "mine\n").expect("file");
    }
    fs::create_dir(root.join(".tongbao-Ss9012")).expect("empty folder");
    let run = run_in(&root, &["build"]);
    run.assert_success();
    let left = |name: &str| {
        format!(
            "{} 可能是以前中断的 tongbao 命令留下的，但里面不是构建的输出，未删除；确认无用后可以手动删除",
            root.join(name).display()
        )
    };
    assert_eq!(
        notes(&run),
        [
            left(".tongbao-Qq1234"),
            left(".tongbao-Rr5678"),
            left(".tongbao-Ss9012")
        ]
    );
    for file in files {
        assert_eq!(fs::read_to_string(root.join(file)).expect("kept"), "mine\n");
    }
    assert!(root.join(".tongbao-Ss9012").is_dir());
}

/// The repository's `.gitignore` covers the output and every name a build
/// uses beside it (lock, staging, previous; this version's and older ones'),
/// so `git status` in a site shows only the sources.
#[test]
fn gitignore_covers_every_name_a_build_uses() {
    let (site, _) = built_site();
    let root = real(site.path());
    fs::copy(repository().join(".gitignore"), root.join(".gitignore")).expect("copy");
    for leftover in [
        ".tongbao-staging-public",
        ".tongbao-previous-public",
        ".tongbao-AbC123",
    ] {
        fs::create_dir(root.join(leftover)).expect("leftover");
        fs::write(root.join(leftover).join("index.html"), "x").expect("file");
    }
    assert!(root.join(".tongbao-lock-public").is_file());
    let git = |args: &[&str]| {
        let output = isolated("git")
            .args(args)
            .current_dir(&root)
            .output()
            .expect("run git");
        assert!(output.status.success(), "git {args:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    git(&["init", "--quiet"]);
    let untracked: Vec<String> = git(&[
        "-c",
        "core.quotePath=false",
        "status",
        "--porcelain",
        "--untracked-files=all",
    ])
    .lines()
    .map(|line| line.trim_start_matches("?? ").to_string())
    .filter(|path| !path.starts_with("content/") && !path.starts_with("themes/"))
    .collect();
    assert_eq!(untracked, [".gitignore"]);
}

// 3. One build at a time per output ----------------------------------------

/// Starts a build in `root` with both streams piped.
fn spawn_build(root: &Path) -> Child {
    isolated(env!("CARGO_BIN_EXE_tongbao"))
        .arg("build")
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tongbao")
}

/// While another process holds the output's lock, a build says so and
/// waits, touching nothing; once the lock is released it writes the output
/// and succeeds.
#[test]
fn a_build_waits_while_another_holds_the_output() {
    let (site, expected) = built_site();
    let root = real(site.path());
    let lock = File::options()
        .write(true)
        .open(root.join(".tongbao-lock-public"))
        .expect("the lock file the first build made");
    lock.lock().expect("hold the lock");

    let mut child = spawn_build(&root);
    let stderr = child.stderr.take().expect("piped");
    let (lines, received) = mpsc::channel();
    let reader = thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let line = line.expect("text");
            lines.send(line.clone()).ok();
        }
    });
    let waiting = format!(
        "说明：另一个 tongbao 构建正在写入输出目录 {}（锁文件 {}），等它结束再写入……",
        root.join("public").display(),
        root.join(".tongbao-lock-public").display()
    );
    let first_note = loop {
        let line = received
            .recv_timeout(Duration::from_secs(120))
            .expect("the build to say it waits, not to finish");
        if line.starts_with("说明：") {
            break line;
        }
    };
    assert_eq!(first_note, waiting);
    thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().expect("status").is_none(), "it waits");
    assert!(tree(&root.join("public")) == expected, "output touched");
    assert_no_leftovers(&root);

    drop(lock);
    let output = child.wait_with_output().expect("the build ends");
    reader.join().expect("reader");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("构建完成："),
        "{output:?}"
    );
    assert_eq!(tree(&root.join("public")), expected);
    assert_no_leftovers(&root);
}

/// Several builds of one output at once all succeed, one after another,
/// and leave one whole output and nothing beside it.
#[test]
fn builds_of_one_output_at_once_all_succeed() {
    let (site, expected) = built_site();
    let root = real(site.path());
    for _ in 0..3 {
        let children: Vec<Child> = (0..4).map(|_| spawn_build(&root)).collect();
        for child in children {
            let output = child.wait_with_output().expect("the build ends");
            assert_eq!(
                output.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert_eq!(tree(&root.join("public")), expected);
        assert_no_leftovers(&root);
    }
}

// 4. Dot-files in the output ------------------------------------------------

/// Puts a git checkout's files and other dot-files into `public/`.
fn add_dot_files(public: &Path) -> BTreeMap<String, Vec<u8>> {
    let files: BTreeMap<String, Vec<u8>> = [
        (".git/HEAD", "ref: refs/heads/gh-pages\n"),
        (".git/objects/ab/cdef0123", "blob"),
        (".nojekyll", ""),
        (
            ".well-known/security.txt",
            "Contact: mailto:web@example.gov.cn\n",
        ),
    ]
    .into_iter()
    .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
    .collect();
    for (path, bytes) in &files {
        let target = public.join(path);
        fs::create_dir_all(target.parent().expect("parent")).expect("folder");
        fs::write(target, bytes).expect("file");
    }
    files
}

/// Top-level dot-files and dot-folders of the output (a `.git` checkout,
/// `.nojekyll`, `.well-known/`) are kept, byte for byte, across builds;
/// other files put there by hand are replaced with the build's, and the
/// marker stays tongbao's.
#[test]
fn dot_files_in_the_output_survive_builds() {
    let (site, expected) = built_site();
    let public = site.path().join("public");
    let dot_files = add_dot_files(&public);
    fs::write(public.join("by-hand.html"), "<p>mine</p>").expect("file");
    fs::write(public.join(".tongbao"), "edited\n").expect("marker");
    for _ in 0..2 {
        build_ok(site.path());
        let mut wanted = expected.clone();
        wanted.extend(dot_files.clone());
        assert_eq!(tree(&public), wanted);
        assert_no_leftovers(site.path());
    }
}

/// A fresh clone of a publishing repository (only `.git`) is accepted as
/// the output and keeps its `.git`; a folder with other files and no
/// marker is still refused, untouched.
#[test]
fn a_fresh_clone_is_accepted_as_the_output() {
    let site = shipped_site();
    let public = site.path().join("public");
    let dot_files = add_dot_files(&public);
    build_ok(site.path());
    let files = tree(&public);
    assert!(files.contains_key("index.html") && files.contains_key(".tongbao"));
    for (path, bytes) in &dot_files {
        assert_eq!(files.get(path), Some(bytes), "{path}");
    }

    let clone = site.path().join("clone");
    add_dot_files(&clone);
    fs::write(clone.join("README.md"), "# pages\n").expect("file");
    let before = tree(&clone);
    let run = run_in(site.path(), &["build", "--output", "clone"]);
    run.assert_failure();
    assert_eq!(
        errors(&run),
        [
            "错误：无法写入输出目录 clone：该目录不是 tongbao 生成的（没有 .tongbao 标记文件）；为免误删，不会替换它，请换一个输出目录或先清空它"
        ]
    );
    assert_eq!(
        last_line(&run),
        "构建失败：1 个错误，2 条警告；输出目录 clone 未改动"
    );
    assert!(tree(&clone) == before);
}

// 5. Unchanged files are reused ----------------------------------------------

/// Each file's inode number, by path in `folder`.
fn inodes(folder: &Path) -> BTreeMap<String, u64> {
    tree(folder)
        .into_keys()
        .map(|path| {
            let inode = fs::metadata(folder.join(&path)).expect("file").ino();
            (path, inode)
        })
        .collect()
}

/// A rebuild links each file the previous output holds unchanged instead
/// of writing it again, and writes every other: a changed file, one with
/// another name outside the output (a hard-linked backup, which must not
/// come to share the new output's file), one whose permissions were
/// changed by hand, a symbolic link where a file was, and a file edited in
/// place to other bytes of the same length, and the files of a folder that
/// is a symbolic link to one outside the output (which must not come to
/// share them either). The output is byte for byte,
/// and mode for mode, what a build into a new folder writes, and no file
/// of it has a second name once the previous output is gone.
#[test]
fn a_rebuild_links_the_unchanged_files_and_writes_the_others() {
    let (site, _) = built_site();
    let public = site.path().join("public");
    let before = inodes(&public);
    let period = site.path().join("content/2019-01-05");
    common::edit(&period.join("notice.md"), "通报如下", "现通报如下");
    let backup = site.path().join("style.css.backup");
    fs::hard_link(public.join("static/style.css"), &backup).expect("hard link");
    let backed_up = fs::read(&backup).expect("backup");
    let chmodded = public.join("2019-01-05/towns.csv");
    fs::set_permissions(&chmodded, fs::Permissions::from_mode(0o600)).expect("chmod");
    let linked = public.join("2019-01-05/departments.csv");
    let outside = site.path().join("departments.csv");
    fs::rename(&linked, &outside).expect("move out");
    symlink(&outside, &linked).expect("symbolic link");
    let ledger = public.join("ledger/2019");
    let ledger_elsewhere = site.path().join("ledger-2019");
    fs::rename(&ledger, &ledger_elsewhere).expect("move out");
    symlink(&ledger_elsewhere, &ledger).expect("symbolic link");
    let ledger_files = tree(&ledger_elsewhere);
    let edited = public.join("sitemap.xml");
    let mut bytes = fs::read(&edited).expect("sitemap");
    bytes[0] = b' ';
    fs::write(&edited, bytes).expect("edit in place");

    build_ok(site.path());

    let elsewhere = site.path().join("fresh");
    run_in(site.path(), &["build", "--output", "fresh"]).assert_success();
    assert_eq!(tree(&public), tree(&elsewhere));
    let after = inodes(&public);
    let mut written = vec![
        ".tongbao",
        "2019-01-05/departments.csv",
        "2019-01-05/fragment.html",
        "2019-01-05/index.html",
        "2019-01-05/notice.docx",
        "2019-01-05/towns.csv",
        "ledger/2019/departments.csv",
        "ledger/2019/departments.xlsx",
        "ledger/2019/index.html",
        "ledger/2019/towns.csv",
        "ledger/2019/towns.xlsx",
        "sitemap.xml",
        "static/style.css",
    ];
    written.sort_unstable();
    let rewritten: Vec<&str> = before
        .keys()
        .filter(|path| after.get(*path) != before.get(*path))
        .map(String::as_str)
        .collect();
    assert_eq!(rewritten, written);
    assert_eq!(before.len(), after.len());
    for path in after.keys() {
        let mode = |folder: &Path| {
            let meta = fs::symlink_metadata(folder.join(path)).expect("file");
            (meta.is_file(), meta.mode(), meta.nlink())
        };
        assert_eq!(mode(&public), mode(&elsewhere), "{path}");
        assert_eq!(mode(&public).2, 1, "{path}");
    }
    assert_eq!(fs::read(&backup).expect("backup"), backed_up);
    assert_eq!(fs::metadata(&backup).expect("backup").nlink(), 1);
    assert_eq!(tree(&ledger_elsewhere), ledger_files);
    for path in ledger_files.keys() {
        let meta = fs::metadata(ledger_elsewhere.join(path)).expect("file");
        assert_eq!(meta.nlink(), 1, "{path}");
    }
    assert_no_leftovers(site.path());
}
