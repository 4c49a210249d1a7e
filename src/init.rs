//! What tongbao carries inside and writes out on request: a new site
//! (`tongbao init`) and the built-in theme (`tongbao theme export`).
//!
//! Neither ever overwrites a file. A new site's `content/` is staged and
//! renamed into place in one step, so it is either all there or absent.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::layout::{CALENDAR_FILE, CONTENT_DIR};
use crate::load::builtin_files;
use crate::staging::{self, Changes};

/// The example period's folder name under `content/`.
pub const EXAMPLE_PERIOD: &str = "2026-03";
/// The file that keeps the build output out of git.
pub const GITIGNORE: &str = ".gitignore";

/// The new site's files under `content/`, by path relative to it.
pub const CONTENT_FILES: [(&str, &str); 4] = [
    ("site.toml", include_str!("init/site.toml")),
    (CALENDAR_FILE, include_str!("init/calendar.toml")),
    ("2026-03/data.toml", include_str!("init/period/data.toml")),
    ("2026-03/notice.md", include_str!("init/period/notice.md")),
];

const GITIGNORE_TEXT: &str = include_str!("init/gitignore");

/// Why `init` or `theme export` wrote nothing.
#[derive(Debug)]
pub enum Refusal {
    /// The target exists and is a file, not a folder.
    NotAFolder(PathBuf),
    /// The folder already holds a site: `content/` exists.
    SiteExists(PathBuf),
    /// The folder holds other files or folders (hidden ones aside); these,
    /// sorted, at most [`SHOWN_ENTRIES`].
    NotEmpty {
        entries: Vec<String>,
        more: usize,
    },
    /// Files that would be overwritten, relative to the target folder.
    WouldOverwrite(Vec<String>),
    Io(io::Error),
}

impl From<io::Error> for Refusal {
    fn from(error: io::Error) -> Self {
        Refusal::Io(error)
    }
}

/// How many entries of a non-empty folder a refusal names.
pub const SHOWN_ENTRIES: usize = 5;

/// What happened to `.gitignore`.
#[derive(Debug, PartialEq, Eq)]
pub enum Gitignore {
    Written,
    /// An existing `.gitignore` was left as it is; whether it already
    /// names `public/`.
    Kept {
        lists_public: bool,
    },
}

/// What `init` wrote.
#[derive(Debug)]
pub struct Created {
    /// Paths relative to the site folder, with `/`.
    pub files: Vec<String>,
    pub gitignore: Gitignore,
}

/// Creates a working site in `folder`, made if missing: `content/` with
/// site.toml, calendar.toml and the example period, and a `.gitignore` for
/// `public/` unless one exists. Refuses a folder that already has
/// `content/`, and one with other visible entries unless `force` (hidden
/// entries such as `.git` never count). Never overwrites a file.
pub fn create_site(folder: &Path, force: bool) -> Result<Created, Refusal> {
    check_site_folder(folder, force)?;
    fs::create_dir_all(folder)?;
    let mut files = Changes::new();
    for (path, text) in CONTENT_FILES {
        files.put(path, text.as_bytes());
    }
    staging::create_folder(folder, &folder.join(CONTENT_DIR), &files)?;
    let gitignore = write_gitignore(&folder.join(GITIGNORE))?;
    let mut written: Vec<String> = CONTENT_FILES
        .iter()
        .map(|(path, _)| format!("{CONTENT_DIR}/{path}"))
        .collect();
    if gitignore == Gitignore::Written {
        written.push(GITIGNORE.to_string());
    }
    Ok(Created {
        files: written,
        gitignore,
    })
}

fn check_site_folder(folder: &Path, force: bool) -> Result<(), Refusal> {
    if !folder.exists() {
        return Ok(());
    }
    if !folder.is_dir() {
        return Err(Refusal::NotAFolder(folder.to_path_buf()));
    }
    let content = folder.join(CONTENT_DIR);
    if fs::symlink_metadata(&content).is_ok() {
        return Err(Refusal::SiteExists(content));
    }
    let mut entries: Vec<String> = fs::read_dir(folder)?
        .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()?;
    entries.retain(|name| !name.starts_with('.'));
    entries.sort();
    if entries.is_empty() || force {
        return Ok(());
    }
    let more = entries.len().saturating_sub(SHOWN_ENTRIES);
    entries.truncate(SHOWN_ENTRIES);
    Err(Refusal::NotEmpty { entries, more })
}

/// Writes `.gitignore` unless a file is there already; never replaces one.
fn write_gitignore(path: &Path) -> io::Result<Gitignore> {
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(mut file) => {
            file.write_all(GITIGNORE_TEXT.as_bytes())?;
            Ok(Gitignore::Written)
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            let text = fs::read_to_string(path).unwrap_or_default();
            let lists_public = text
                .lines()
                .map(str::trim)
                .any(|line| matches!(line, "public" | "public/" | "/public" | "/public/"));
            Ok(Gitignore::Kept { lists_public })
        }
        Err(error) => Err(error),
    }
}

/// Writes every file of the built-in theme under `folder` (made if
/// missing) and returns their paths relative to it. Refuses, writing
/// nothing, when any of them exists already.
pub fn export_theme(folder: &Path) -> Result<Vec<String>, Refusal> {
    if folder.exists() && !folder.is_dir() {
        return Err(Refusal::NotAFolder(folder.to_path_buf()));
    }
    let existing: Vec<String> = builtin_files()
        .iter()
        .filter(|(path, _)| fs::symlink_metadata(folder.join(path)).is_ok())
        .map(|(path, _)| path.to_string())
        .collect();
    if !existing.is_empty() {
        return Err(Refusal::WouldOverwrite(existing));
    }
    let mut written = Vec::new();
    for (path, bytes) in builtin_files() {
        let target = folder.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)?;
        file.write_all(bytes)?;
        written.push(path.to_string());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_period_files_sit_in_its_folder() {
        let prefix = format!("{EXAMPLE_PERIOD}/");
        let in_period = CONTENT_FILES
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .count();
        assert_eq!(in_period, 2);
    }

    #[test]
    fn a_folder_with_only_hidden_entries_counts_as_empty() {
        let folder = tempfile::tempdir().unwrap();
        fs::create_dir(folder.path().join(".git")).unwrap();
        fs::write(folder.path().join(".gitignore"), "target/\n").unwrap();
        let created = create_site(folder.path(), false).unwrap();
        assert_eq!(
            created.gitignore,
            Gitignore::Kept {
                lists_public: false
            }
        );
        assert_eq!(
            fs::read_to_string(folder.path().join(".gitignore")).unwrap(),
            "target/\n",
            "an existing .gitignore is left as it was"
        );
    }

    #[test]
    fn an_existing_theme_file_stops_the_export_before_any_write() {
        let folder = tempfile::tempdir().unwrap();
        let style = folder.path().join("static/style.css");
        fs::create_dir_all(style.parent().unwrap()).unwrap();
        fs::write(&style, "mine").unwrap();
        let refused = export_theme(folder.path());
        assert!(
            matches!(&refused, Err(Refusal::WouldOverwrite(files)) if files == &["static/style.css"])
        );
        assert_eq!(fs::read_to_string(&style).unwrap(), "mine");
        assert!(!folder.path().join("templates").exists());
    }
}
