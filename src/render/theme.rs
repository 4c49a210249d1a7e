//! Themes: tera templates, static files and the Word document's style under
//! `themes/NAME/`, each file falling back to `themes/default/` when the
//! named theme lacks it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Location, Severity};
use crate::load::{display_name, link_refused, read_source, refuse_links};

use super::docx;

pub const THEMES_DIR: &str = "themes";
pub const DEFAULT_THEME: &str = "default";
/// The folder of a theme that holds the Word document's style.
const DOCX_DIR: &str = "docx";

/// A theme's parsed templates, the static files it publishes, and the
/// Word document's style (`docx/style.toml`).
pub struct Theme {
    pub tera: Tera,
    /// Template name → the file it was read from, for locating errors.
    pub template_files: BTreeMap<String, FileId>,
    /// Path under `static/` → file on disk.
    pub static_files: BTreeMap<String, PathBuf>,
    pub docx: docx::Style,
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
            if let Err(diagnostic) = refuse_links(root, &chosen) {
                diagnostics.push(diagnostic.at(location));
                return None;
            }
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
        for layer in &layers {
            if let Err(diagnostic) = refuse_links(root, layer) {
                diagnostics.push(diagnostic);
                return None;
            }
        }
        let errors_before = diagnostics.count(Severity::Error);
        let templates = overlay(root, &layers, "templates", diagnostics);
        let static_files = overlay(root, &layers, "static", diagnostics);
        let docx_files = overlay(root, &layers, DOCX_DIR, diagnostics);
        if diagnostics.count(Severity::Error) > errors_before {
            // A refused or unreadable file would only resurface as a
            // confusing "template not found".
            return None;
        }
        let parsed = parse_templates(root, &templates, diagnostics);
        let docx = read_docx_style(root, &docx_files, diagnostics);
        let (tera, template_files) = parsed?;
        Some(Theme {
            tera,
            template_files,
            static_files,
            docx: docx?,
        })
    }
}

/// Files under `sub` of each layer, later layers replacing earlier ones,
/// keyed by their path relative to `sub` and sorted. Symbolic links are
/// refused, never followed.
fn overlay(
    root: &Path,
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
        if let Err(diagnostic) = refuse_links(root, &base) {
            diagnostics.push(diagnostic);
            continue;
        }
        for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.path_is_symlink() => {
                    diagnostics.push(link_refused(&display_name(root, entry.path())));
                }
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

/// Reads the Word document's style, which every theme has through
/// `themes/default/`.
fn read_docx_style(
    root: &Path,
    files: &BTreeMap<String, PathBuf>,
    diagnostics: &mut Diagnostics,
) -> Option<docx::Style> {
    let Some(path) = files.get(docx::STYLE_FILE) else {
        diagnostics.push(
            Diagnostic::error(format!(
                "缺少 Word 文档的样式文件 {THEMES_DIR}/{DEFAULT_THEME}/{DOCX_DIR}/{}",
                docx::STYLE_FILE
            ))
            .hint("从 tongbao 自带的默认主题复制这个文件到站点的同一位置"),
        );
        return None;
    };
    docx::Style::read(root, path, diagnostics)
}

fn parse_templates(
    root: &Path,
    templates: &BTreeMap<String, PathBuf>,
    diagnostics: &mut Diagnostics,
) -> Option<(Tera, BTreeMap<String, FileId>)> {
    let mut sources = Vec::new();
    let mut files = BTreeMap::new();
    let mut unreadable = false;
    // Every template is read, so that each unreadable one is reported.
    for (name, path) in templates {
        let Some(file) = read_source(root, path, diagnostics) else {
            unreadable = true;
            continue;
        };
        files.insert(name.clone(), file);
        sources.push((name.clone(), diagnostics.source(file).to_string()));
    }
    if unreadable {
        return None;
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.register_filter("styled", super::fragment::styled);
    if let Err(error) = tera.add_raw_templates(sources) {
        diagnostics.push(template_error(&error, &files, diagnostics));
        return None;
    }
    Some((tera, files))
}

/// A tera error as a diagnostic, in Chinese, located in the template file:
/// at the line and column tera names for a syntax error (`--> 3:15`), at the
/// first mention of the missing name for a render error.
pub fn template_error(
    error: &tera::Error,
    files: &BTreeMap<String, FileId>,
    diagnostics: &Diagnostics,
) -> Diagnostic {
    let chain = error_chain(error);
    let template = quoted_name(&chain, "'", "'");
    let file = template.and_then(|name| files.get(name)).copied();
    if let (Some(file), Some((line, column))) = (file, line_column(&chain)) {
        let source = diagnostics.source(file);
        let at = offset_of(source, line, column).unwrap_or(0);
        let mut diagnostic =
            Diagnostic::error(format!("模板语法错误：{}", template.unwrap_or_default()))
                .at(&Location::new(file, at..next_char(source, at)));
        if let Some(expected) = chain
            .lines()
            .find_map(|l| l.trim().strip_prefix("= expected "))
        {
            diagnostic = diagnostic.label(format!("此处应为 {}", expected_in_chinese(expected)));
        }
        return diagnostic;
    }
    let (message, needle) = render_problem(&chain);
    let mut diagnostic = Diagnostic::error(message);
    let searched = file.into_iter().chain(files.values().copied());
    if let Some(needle) = needle {
        let found = searched.into_iter().find_map(|file| {
            let at = diagnostics.source(file).find(needle)?;
            Some(Location::new(file, at..at + needle.len()))
        });
        if let Some(location) = found {
            diagnostic = diagnostic.at(&location).label("这里");
        }
    }
    diagnostic
}

/// tera's list of expected tokens, with its English words in Chinese.
fn expected_in_chinese(expected: &str) -> String {
    expected
        .replace(", or ", "、")
        .replace(" or ", "、")
        .replace(", ", "、")
        .replace("a filter", "过滤器")
        .replace("a variable end", "变量结束符")
        .replace("a tag end", "标签结束符")
        .replace("an identifier", "名称")
        .replace("a value", "值")
}

/// What went wrong while rendering, and the name to look for in the
/// templates to locate it.
fn render_problem(chain: &str) -> (String, Option<&str>) {
    if let Some(name) = quoted_name(chain, "Variable `", "`") {
        return (format!("模板引用了不存在的值 “{name}”"), Some(name));
    }
    if let Some(name) = quoted_name(chain, "Filter '", "'") {
        return (format!("模板用了不存在的过滤器 “{name}”"), Some(name));
    }
    if let Some(name) = quoted_name(chain, "Function '", "'") {
        return (format!("模板用了不存在的函数 “{name}”"), Some(name));
    }
    if chain.contains("not found") {
        if let Some(name) = quoted_name(chain, "Template '", "'") {
            return (format!("找不到模板 “{name}”"), None);
        }
    }
    (format!("模板出错（{chain}）"), None)
}

/// The text between `open` and the next `close` after it.
fn quoted_name<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let rest = &text[text.find(open)? + open.len()..];
    Some(&rest[..rest.find(close)?])
}

fn next_char(source: &str, at: usize) -> usize {
    source[at..]
        .chars()
        .next()
        .map_or(at, |c| at + c.len_utf8())
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
