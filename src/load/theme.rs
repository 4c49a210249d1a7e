//! The theme: tera templates, static files and the Word document's style
//! (`docx/style.toml`), read in the load stage so that rendering reads no
//! file.
//!
//! Three layers, each file of a later layer replacing the same file of an
//! earlier one:
//!
//! 1. the default theme compiled into tongbao (the repository's
//!    `themes/default/`, see `build.rs`);
//! 2. the site's own `themes/default/`, if it has one;
//! 3. the site's `themes/NAME/`, when site.toml names another theme.
//!
//! A site therefore needs no `themes/` folder, and one that restyles a
//! single template or `static/style.css` holds only that file.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{display_name, link_refused, read_source, refuse_links};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located, Severity};
use crate::layout::THEMES_DIR;

/// The theme a site uses when site.toml names none.
pub const DEFAULT_THEME: &str = "default";
/// Where a built-in file appears in messages: not a path on disk, since the
/// file lives in the binary (`tongbao theme export` writes it out).
pub const BUILTIN_PREFIX: &str = "<tongbao 内置主题>";

const TEMPLATES: &str = "templates";
const STATIC: &str = "static";
/// The Word document's style, under the theme folder.
pub const DOCX_STYLE: &str = "docx/style.toml";

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_theme.rs"));
}

/// Every file of the built-in default theme: its path under the theme
/// folder (`templates/base.html`, `static/style.css`) and its bytes.
pub fn builtin_files() -> &'static [(&'static str, &'static [u8])] {
    builtin::FILES
}

/// A theme's templates, static files and Word style, all read.
#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (its path under `templates/`) → the registered source
    /// it was read from, so that template errors point into the file.
    pub templates: BTreeMap<String, FileId>,
    /// Path under `static/` → the bytes to publish.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// The registered source of [`DOCX_STYLE`]; the built-in theme always
    /// has one, so a loaded theme does too.
    pub docx_style: Option<FileId>,
}

/// Loads the built-in default theme and lays the site's `themes/default/`
/// and `themes/NAME/` over it (see the module documentation). Returns
/// `None` when a file cannot be read or the named theme is missing.
pub fn load_theme(
    root: &Path,
    name: &Located<String>,
    diagnostics: &mut Diagnostics,
) -> Option<Theme> {
    let layers = site_layers(root, name, diagnostics)?;
    let errors_before = diagnostics.count(Severity::Error);
    let mut theme = builtin_theme(diagnostics);
    for layer in &layers {
        let templates = files_under(root, &layer.join(TEMPLATES), diagnostics);
        for (key, path) in templates {
            if let Some(file) = read_source(root, &path, diagnostics) {
                theme.templates.insert(key, file);
            }
        }
        let style = layer.join(DOCX_STYLE);
        if let Err(diagnostic) = refuse_links(root, &style) {
            diagnostics.push(diagnostic);
        } else if style.is_file() {
            theme.docx_style = read_source(root, &style, diagnostics).or(theme.docx_style);
        }
        for (key, path) in files_under(root, &layer.join(STATIC), diagnostics) {
            match fs::read(&path) {
                Ok(bytes) => {
                    theme.static_files.insert(key, bytes);
                }
                Err(error) => diagnostics.push(Diagnostic::error(format!(
                    "无法读取主题文件 {}：{}",
                    display_name(root, &path),
                    crate::diagnostics::io_reason(&error)
                ))),
            }
        }
    }
    // A refused or unreadable file would only resurface as a confusing
    // "template not found"; every one of them is reported above.
    (diagnostics.count(Severity::Error) == errors_before).then_some(theme)
}

/// The built-in default theme alone, its templates registered under
/// [`BUILTIN_PREFIX`].
fn builtin_theme(diagnostics: &mut Diagnostics) -> Theme {
    let mut theme = Theme::default();
    for (path, bytes) in builtin_files() {
        if let Some(name) = path.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let file = diagnostics.add_file(format!("{BUILTIN_PREFIX}/{path}"), text);
            theme.templates.insert(name.to_string(), file);
        } else if let Some(name) = path.strip_prefix("static/") {
            theme.static_files.insert(name.to_string(), bytes.to_vec());
        } else if *path == DOCX_STYLE {
            let text = String::from_utf8_lossy(bytes).into_owned();
            theme.docx_style = Some(diagnostics.add_file(format!("{BUILTIN_PREFIX}/{path}"), text));
        }
    }
    theme
}

/// The site's theme folders to lay over the built-in theme, in order: its
/// `themes/default/` if present, then `themes/NAME/`, which must exist.
/// Symbolic links are refused, never followed.
fn site_layers(
    root: &Path,
    name: &Located<String>,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<PathBuf>> {
    let themes = root.join(THEMES_DIR);
    let mut layers = Vec::new();
    let default = themes.join(DEFAULT_THEME);
    if let Err(diagnostic) = refuse_links(root, &default) {
        diagnostics.push(diagnostic);
        return None;
    }
    if default.is_dir() {
        layers.push(default);
    }
    if name.value != DEFAULT_THEME {
        let chosen = themes.join(&name.value);
        if let Err(diagnostic) = refuse_links(root, &chosen) {
            diagnostics.push(diagnostic.at(&name.location));
            return None;
        }
        if !chosen.is_dir() {
            diagnostics.push(
                Diagnostic::error(format!("找不到主题 “{}”", name.value))
                    .at(&name.location)
                    .hint(format!(
                        "主题放在 {THEMES_DIR}/{}/；内置主题可用 tongbao theme export 导出后修改",
                        name.value
                    )),
            );
            return None;
        }
        layers.push(chosen);
    }
    Some(layers)
}

/// The files under `base`, keyed by their path relative to it with `/`,
/// sorted. A missing folder has none; symbolic links are refused.
fn files_under(
    root: &Path,
    base: &Path,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, PathBuf> {
    let mut files = BTreeMap::new();
    if let Err(diagnostic) = refuse_links(root, base) {
        diagnostics.push(diagnostic);
        return files;
    }
    if !base.is_dir() {
        return files;
    }
    for entry in walkdir::WalkDir::new(base).sort_by_file_name() {
        match entry {
            Ok(entry) if entry.path_is_symlink() => {
                diagnostics.push(link_refused(&display_name(root, entry.path())));
            }
            Ok(entry) if entry.file_type().is_file() => {
                let key = display_name(base, entry.path());
                files.insert(key, entry.into_path());
            }
            Ok(_) => {}
            Err(error) => {
                diagnostics.push(Diagnostic::error(format!("无法读取主题目录：{error}")));
            }
        }
    }
    files
}
