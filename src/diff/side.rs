//! One side of a comparison: the working tree, another site root, a period
//! folder, or a git revision, loaded and checked by the standard loader.
//!
//! A side that is not a site root on disk is laid out as one in a
//! temporary folder first: a revision's `content/` as git has it, or a
//! period folder with the working tree's `site.toml` and `calendar.toml`.
//! Messages then name files as `content/…`, and the report says which side
//! they belong to.

use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, io_reason};
use crate::git::{Entry, EntryKind, GitError, Repository};
use crate::layout::{CALENDAR_FILE, CONTENT_DIR, DATA_FILE, FINDINGS_FILE, NOTICE_FILE, SITE_FILE};
use crate::load::Content;
use crate::model::Period;
use crate::pipeline;

/// What a side names, before it is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The content under the site root, as it is on disk.
    WorkingTree,
    /// Another site root (a folder holding `content/site.toml`).
    Root(PathBuf),
    /// A period folder (given as the folder or its `data.toml`), compared
    /// with the working tree's `site.toml`.
    Folder(PathBuf),
    /// A git revision: its whole `content/`.
    Revision(String),
}

/// A side of `tongbao diff` that names nothing it can read: not a period
/// folder, not a `data.toml`, not a git revision. Shown to the clerk as a
/// Chinese message (`Display`).
#[derive(Debug)]
pub struct UnknownSource {
    pub argument: String,
    /// Why git could not be asked, when it could not.
    pub git: Option<GitError>,
}

impl std::fmt::Display for UnknownSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "“{}” 既不是期次目录、data.toml 文件，也不是 git 版本",
            self.argument
        )?;
        match &self.git {
            Some(error) => write!(f, "（{error}）"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for UnknownSource {}

impl Source {
    /// Reads an argument: an existing path, else a git revision of the
    /// repository holding `root`.
    pub fn parse(argument: &str, root: &Path) -> Result<Source, UnknownSource> {
        let path = PathBuf::from(argument);
        if path.is_file() && path.file_name().is_some_and(|name| name == DATA_FILE) {
            let folder = path
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            return Ok(Source::Folder(folder));
        }
        if path.is_dir() {
            if path.join(DATA_FILE).is_file() {
                return Ok(Source::Folder(path));
            }
            if path.join(CONTENT_DIR).join(SITE_FILE).is_file() {
                return Ok(Source::Root(path));
            }
        }
        let unknown = |git| UnknownSource {
            argument: argument.to_string(),
            git,
        };
        match Repository::open(root) {
            Ok(repository) => match repository.commit(argument) {
                Some(_) => Ok(Source::Revision(argument.to_string())),
                None => Err(unknown(None)),
            },
            Err(error) => Err(unknown(Some(error))),
        }
    }

    /// How the side is named in the report.
    pub fn label(&self) -> String {
        match self {
            Source::WorkingTree => "工作区".to_string(),
            Source::Root(path) | Source::Folder(path) => path.display().to_string(),
            Source::Revision(revision) => revision.clone(),
        }
    }
}

/// A loaded side: checked content, and the one period it stands for when it
/// names a single period.
#[derive(Debug)]
pub struct Side {
    pub label: String,
    pub content: Content,
    /// The slug of the period a folder side names; it is compared with the
    /// other side's period whatever their slugs.
    pub single: Option<String>,
}

impl Side {
    /// The periods this side compares, by slug.
    pub fn periods(&self) -> Vec<(&str, &Period)> {
        self.content
            .periods
            .iter()
            .filter(|period| self.single.as_ref().is_none_or(|slug| *slug == period.slug))
            .map(|period| (period.slug.as_str(), period))
            .collect()
    }
}

/// Loads and checks a side. Returns `None` with the problems in
/// `diagnostics` when it cannot be compared.
pub fn load(root: &Path, source: &Source, diagnostics: &mut Diagnostics) -> Option<Side> {
    let label = source.label();
    let (content, single) = match source {
        Source::WorkingTree => (pipeline::check(root, diagnostics)?, None),
        Source::Root(path) => (pipeline::check(path, diagnostics)?, None),
        Source::Folder(folder) => load_folder(root, folder, diagnostics)?,
        Source::Revision(revision) => (load_revision(root, revision, diagnostics)?, None),
    };
    Some(Side {
        label,
        content,
        single,
    })
}

/// A period folder: from the working tree when it is one of its periods,
/// otherwise laid out beside a copy of the working tree's site files.
fn load_folder(
    root: &Path,
    folder: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<(Content, Option<String>)> {
    let slug = folder_name(folder);
    let content_dir = root.join(CONTENT_DIR);
    let inside = match (folder.canonicalize(), content_dir.canonicalize()) {
        (Ok(folder), Ok(content)) => folder.parent() == Some(content.as_path()),
        _ => false,
    };
    if inside {
        return Some((pipeline::check(root, diagnostics)?, Some(slug)));
    }
    // The folder is read with the site's definitions: without them, the
    // check of the laid-out copy would blame a file of a temporary folder.
    if !content_dir.join(SITE_FILE).is_file() {
        diagnostics.push(
            Diagnostic::error(format!(
                "比较期次目录 {} 需要站点的 {CONTENT_DIR}/{SITE_FILE}，但 {} 中没有",
                folder.display(),
                root.display()
            ))
            .hint("在站点目录中运行，或用 --root 指定站点目录"),
        );
        return None;
    }
    let staged = staged_root(diagnostics)?;
    let target = staged.path().join(CONTENT_DIR);
    if let Err(error) = lay_out_folder(&content_dir, folder, &target, &slug) {
        diagnostics.push(Diagnostic::error(format!(
            "无法读取期次目录 {}：{}",
            folder.display(),
            io_reason(&error)
        )));
        return None;
    }
    Some((pipeline::check(staged.path(), diagnostics)?, Some(slug)))
}

/// Copies the site files of `content_dir` into `target`, and the period
/// files of `folder` into `target/slug`.
fn lay_out_folder(
    content_dir: &Path,
    folder: &Path,
    target: &Path,
    slug: &str,
) -> std::io::Result<()> {
    let period = target.join(slug);
    fs::create_dir_all(&period)?;
    for file in [SITE_FILE, CALENDAR_FILE] {
        if content_dir.join(file).is_file() {
            fs::copy(content_dir.join(file), target.join(file))?;
        }
    }
    for file in [DATA_FILE, NOTICE_FILE, FINDINGS_FILE] {
        if folder.join(file).is_file() {
            fs::copy(folder.join(file), period.join(file))?;
        }
    }
    Ok(())
}

/// A revision's `content/`, read through git into a temporary site root.
fn load_revision(root: &Path, revision: &str, diagnostics: &mut Diagnostics) -> Option<Content> {
    let failed = |diagnostics: &mut Diagnostics, message: String| {
        diagnostics.push(Diagnostic::error(message));
        None
    };
    let repository = match Repository::open(root) {
        Ok(repository) => repository,
        Err(error) => return failed(diagnostics, error.to_string()),
    };
    let Some(commit) = repository.commit(revision) else {
        return failed(diagnostics, format!("git 中没有版本 “{revision}”"));
    };
    let entries = match repository.files(&commit, CONTENT_DIR) {
        Ok(entries) => entries,
        Err(error) => return failed(diagnostics, error.to_string()),
    };
    if entries.is_empty() {
        return failed(
            diagnostics,
            format!("版本 “{revision}” 中没有 {CONTENT_DIR}/ 目录"),
        );
    }
    let objects: Vec<&str> = entries.iter().map(|entry| entry.object.as_str()).collect();
    let contents = match repository.read(&objects) {
        Ok(contents) => contents,
        Err(error) => return failed(diagnostics, error.to_string()),
    };
    let staged = staged_root(diagnostics)?;
    for (entry, bytes) in entries.iter().zip(contents) {
        let target = staged.path().join(&entry.path);
        let written = target
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| place(&target, entry, bytes, diagnostics));
        if let Err(error) = written {
            return failed(
                diagnostics,
                format!(
                    "无法取出版本 {revision} 的 {}：{}",
                    entry.path,
                    io_reason(&error)
                ),
            );
        }
    }
    let content = pipeline::check(staged.path(), diagnostics);
    // A link refused while laying out is an error the layout itself lacks.
    content.filter(|_| !diagnostics.has_errors())
}

/// Lays out one entry of a revision: a file as a file, a link as a link,
/// so that the loader refuses it as it refuses one in the working tree.
fn place(
    target: &Path,
    entry: &Entry,
    bytes: Vec<u8>,
    diagnostics: &mut Diagnostics,
) -> std::io::Result<()> {
    match entry.kind {
        EntryKind::File => fs::write(target, bytes),
        EntryKind::Link => place_link(target, entry, bytes, diagnostics),
    }
}

#[cfg(unix)]
fn place_link(
    target: &Path,
    _: &Entry,
    bytes: Vec<u8>,
    _: &mut Diagnostics,
) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStringExt;
    std::os::unix::fs::symlink(std::ffi::OsString::from_vec(bytes), target)
}

/// Where links cannot be made freely, the loader's refusal is given here.
#[cfg(not(unix))]
fn place_link(
    _: &Path,
    entry: &Entry,
    _: Vec<u8>,
    diagnostics: &mut Diagnostics,
) -> std::io::Result<()> {
    diagnostics.push(crate::load::link_refused(&entry.path));
    Ok(())
}

fn staged_root(diagnostics: &mut Diagnostics) -> Option<tempfile::TempDir> {
    match tempfile::Builder::new().prefix(".tongbao-diff-").tempdir() {
        Ok(folder) => Some(folder),
        Err(error) => {
            diagnostics.push(Diagnostic::error(format!(
                "无法创建临时目录：{}",
                io_reason(&error)
            )));
            None
        }
    }
}

fn folder_name(folder: &Path) -> String {
    let folder = folder
        .canonicalize()
        .unwrap_or_else(|_| folder.to_path_buf());
    folder
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
}
