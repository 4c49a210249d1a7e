//! Themes: tera templates and static files under `themes/NAME/`, each file
//! falling back to `themes/default/` when the named theme lacks it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Location};
use crate::load::{display_name, read_source};

pub const THEMES_DIR: &str = "themes";
pub const DEFAULT_THEME: &str = "default";

/// A theme's parsed templates and the static files it publishes.
pub struct Theme {
    pub tera: Tera,
    /// Template name → the file it was read from, for locating errors.
    pub template_files: BTreeMap<String, FileId>,
    /// Path under `static/` → file on disk.
    pub static_files: BTreeMap<String, PathBuf>,
}

impl Theme {
    /// Loads `themes/default/` and lays `themes/NAME/` over it.
    pub fn load(
        root: &Path,
        name: &str,
        location: &Location,
        diagnostics: &mut Diagnostics,
    ) -> Option<Theme> {
        let themes = root.join(THEMES_DIR);
        let mut layers = vec![themes.join(DEFAULT_THEME)];
        if name != DEFAULT_THEME {
            let chosen = themes.join(name);
            if !chosen.is_dir() {
                diagnostics.push(
                    Diagnostic::error(format!("找不到主题 “{name}”"))
                        .at(location)
                        .hint(format!("主题放在 {}/{name}/", THEMES_DIR)),
                );
                return None;
            }
            layers.push(chosen);
        }
        let templates = overlay(&layers, "templates", diagnostics);
        let static_files = overlay(&layers, "static", diagnostics);
        let (tera, template_files) = parse_templates(root, &templates, diagnostics)?;
        Some(Theme {
            tera,
            template_files,
            static_files,
        })
    }
}

/// Files under `sub` of each layer, later layers replacing earlier ones,
/// keyed by their path relative to `sub` and sorted.
fn overlay(
    layers: &[PathBuf],
    sub: &str,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, PathBuf> {
    let mut files = BTreeMap::new();
    for layer in layers {
        let base = layer.join(sub);
        if !base.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    let key = display_name(&base, entry.path());
                    files.insert(key, entry.into_path());
                }
                Ok(_) => {}
                Err(error) => {
                    diagnostics.push(Diagnostic::error(format!("无法读取主题目录：{error}")));
                }
            }
        }
    }
    files
}

fn parse_templates(
    root: &Path,
    templates: &BTreeMap<String, PathBuf>,
    diagnostics: &mut Diagnostics,
) -> Option<(Tera, BTreeMap<String, FileId>)> {
    let mut sources = Vec::new();
    let mut files = BTreeMap::new();
    for (name, path) in templates {
        let file = read_source(root, path, diagnostics)?;
        files.insert(name.clone(), file);
        sources.push((name.clone(), diagnostics.source(file).to_string()));
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    if let Err(error) = tera.add_raw_templates(sources) {
        diagnostics.push(template_error(&error, &files, diagnostics));
        return None;
    }
    Some((tera, files))
}

/// A tera error as a diagnostic, located at the line and column tera names
/// when it names one (`--> 3:15` in parse errors).
pub fn template_error(
    error: &tera::Error,
    files: &BTreeMap<String, FileId>,
    diagnostics: &Diagnostics,
) -> Diagnostic {
    let chain = error_chain(error);
    let mut diagnostic = Diagnostic::error(format!("模板错误：{chain}"));
    let named = files
        .iter()
        .find(|(name, _)| chain.contains(&format!("'{name}'")));
    if let Some((_, file)) = named {
        let source = diagnostics.source(*file);
        let offset = line_column(&chain).and_then(|(line, column)| offset_of(source, line, column));
        let span = offset.map_or(0..0, |at| at..at + 1);
        diagnostic = diagnostic.at(&Location::new(*file, span));
    }
    diagnostic
}

/// The error's message and every cause, one after another.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push('：');
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn line_column(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.find("--> ")? + 4..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(rest.len());
    let (line, column) = rest[..end].split_once(':')?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

fn offset_of(source: &str, line: usize, column: usize) -> Option<usize> {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let line_text = source[line_start..].lines().next().unwrap_or("");
    let in_line: usize = line_text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    Some(line_start + in_line)
}

/// Reads a static file to publish.
pub fn read_static(path: &Path) -> std::io::Result<Vec<u8>> {
    fs::read(path)
}
