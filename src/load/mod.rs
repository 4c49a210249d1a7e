//! Load: files on disk → the content model, with every value located.
//!
//! Loading reports every problem it can find into [`Diagnostics`] and goes on
//! where it can; it returns `None` for a file it could not make sense of.

mod notice;
mod period;
mod site;
mod value;

use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Location};
use crate::model::{Period, Site};

pub use period::{UNIT_KEY, load_period};
pub use site::load_site;

/// The folder under the site root that holds `site.toml` and the periods.
pub const CONTENT_DIR: &str = "content";

/// Everything under `content/`: the site and its periods, sorted by slug.
#[derive(Debug)]
pub struct Content {
    pub site: Site,
    pub periods: Vec<Period>,
}

/// Loads `content/site.toml` and every period folder beside it.
///
/// Returns `None` when the site file itself cannot be used; a broken period is
/// reported and left out, so the other periods are still checked.
pub fn load_content(root: &Path, diagnostics: &mut Diagnostics) -> Option<Content> {
    let content_dir = root.join(CONTENT_DIR);
    let site = load_site(root, &content_dir.join("site.toml"), diagnostics)?;
    let mut periods = Vec::new();
    for folder in period_folders(&content_dir, diagnostics) {
        if let Some(period) = load_period(root, &folder, diagnostics) {
            periods.push(period);
        }
    }
    Some(Content { site, periods })
}

/// The period folders under `content/`, sorted by name so that every build
/// sees them in the same order.
fn period_folders(content_dir: &Path, diagnostics: &mut Diagnostics) -> Vec<PathBuf> {
    let walker = walkdir::WalkDir::new(content_dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name();
    let mut folders = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_dir() => folders.push(entry.into_path()),
            Ok(_) => {}
            Err(error) => diagnostics.push(Diagnostic::error(format!(
                "无法读取目录 {}：{error}",
                content_dir.display()
            ))),
        }
    }
    folders
}

/// Reads a UTF-8 text file and registers it for diagnostics under its path
/// relative to `root`. A leading byte order mark is dropped.
pub fn read_source(root: &Path, path: &Path, diagnostics: &mut Diagnostics) -> Option<FileId> {
    let name = display_name(root, path);
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            diagnostics.push(Diagnostic::error(format!("无法读取文件 {name}：{error}")));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = text
                .strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text);
            Some(diagnostics.add_file(name, text))
        }
        Err(_) => {
            diagnostics.push(
                Diagnostic::error(format!("文件 {name} 不是 UTF-8 编码"))
                    .hint("请用编辑器将文件另存为 UTF-8 编码"),
            );
            None
        }
    }
}

/// A path as shown in messages: relative to the site root, with `/`.
pub fn display_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses TOML text into `T`, reporting a syntax or type error at its span.
/// `offset` is where `text` starts within the registered file.
fn parse_toml<T: serde::de::DeserializeOwned>(
    file: FileId,
    text: &str,
    offset: usize,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    match toml::from_str(text) {
        Ok(value) => Some(value),
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            let location = Location::new(file, offset + span.start..offset + span.end);
            diagnostics.push(
                Diagnostic::error(format!("TOML 格式错误：{}", error.message().trim()))
                    .at(&location),
            );
            None
        }
    }
}
