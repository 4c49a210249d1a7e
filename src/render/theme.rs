//! Templates: the loaded theme's tera templates parsed, and tera's errors
//! told in Chinese, located in the template files. The theme itself is read
//! in the load stage ([`crate::load::load_theme`]); nothing here reads a file.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tera::Tera;

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Location};
use crate::load::Theme;

/// A theme's templates, parsed and ready to render.
pub struct Templates {
    pub tera: Tera,
    /// Template name → the file it was read from, for locating errors.
    pub files: BTreeMap<String, FileId>,
}

/// Parses every template of `theme`, whose sources are in `sources`.
/// Fails with the first template that does not parse, located in its file.
pub fn parse(theme: &Theme, sources: &Diagnostics) -> Result<Templates, Diagnostic> {
    let texts: Vec<Source> = theme
        .templates
        .iter()
        .map(|(name, file)| (name.as_str(), sources.source(*file)))
        .collect();
    // Any problem is told as parsing them all at once tells it.
    let parsed = parse_side_by_side(&texts).or_else(|_| parse_together(&texts));
    match parsed {
        Ok(tera) => Ok(Templates {
            tera,
            files: theme.templates.clone(),
        }),
        Err(error) => Err(template_error(&error, &theme.templates, sources)),
    }
}

/// A template's name and text.
type Source<'a> = (&'a str, &'a str);

/// The templates parsed into one `Tera`, one after another.
fn parse_together(texts: &[Source]) -> tera::Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.register_filter("styled", super::fragment::styled);
    tera.add_raw_templates(texts.iter().copied())?;
    Ok(tera)
}

/// The templates parsed on several threads and merged into one `Tera`.
///
/// tera's parser is slow (about 2 KB of template a millisecond), and a
/// small site's build waits for it. tera checks, as it adds templates,
/// that each one's parent and macro files are there, so the templates
/// are split by whether another template may name them: the named ones
/// (layouts, macros, included parts) are parsed together, closed under
/// naming; the others (the pages) each on its own beside them, with an
/// empty stand-in for every named template, and then merged into the
/// named ones' `Tera` (`Tera::extend` keeps a template it already has, so
/// the stand-ins are dropped, and builds the inheritance chains again).
/// A template "may be named" when its name appears quoted in any
/// template, which is more often than tera would name it, never less.
fn parse_side_by_side(texts: &[Source]) -> tera::Result<Tera> {
    let (named, pages) = split_named(texts);
    let stand_ins: Vec<Source> = named.iter().map(|(name, _)| (*name, "")).collect();
    let (together, groups) = rayon::join(
        || parse_together(&named),
        || {
            pages
                .par_iter()
                .map(|page| {
                    let mut tera = Tera::default();
                    tera.add_raw_templates(stand_ins.iter().chain([page]).copied())?;
                    Ok(tera)
                })
                .collect::<tera::Result<Vec<Tera>>>()
        },
    );
    let mut tera = together?;
    for group in groups? {
        tera.extend(&group)?;
    }
    Ok(tera)
}

/// The templates that another template may name, and the others.
fn split_named<'a>(texts: &[Source<'a>]) -> (Vec<Source<'a>>, Vec<Source<'a>>) {
    texts
        .iter()
        .partition(|(name, _)| texts.iter().any(|(_, text)| quotes(text, name)))
}

/// Whether `text` holds `name` as a string literal, in any of tera's quotes.
fn quotes(text: &str, name: &str) -> bool {
    ['"', '\'', '`']
        .iter()
        .any(|quote| text.contains(&format!("{quote}{name}{quote}")))
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
    if chain.contains("not found")
        && let Some(name) = quoted_name(chain, "Template '", "'")
    {
        return (format!("找不到模板 “{name}”"), None);
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

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Context;

    const TEXTS: [(&str, &str); 5] = [
        (
            "base.html",
            "<main>{% block body %}{% endblock body %}</main>",
        ),
        (
            "macros.html",
            "{% macro cell(text) %}<td>{{ text }}</td>{% endmacro cell %}",
        ),
        ("part.html", "<p>{{ word }}</p>"),
        (
            "page.html",
            "{% extends \"base.html\" %}{% import \"macros.html\" as m %}\
             {% block body %}{{ m::cell(text=word) }}{% endblock body %}",
        ),
        ("other.html", "{% include 'part.html' %}!"),
    ];

    #[test]
    fn the_templates_another_may_name_are_the_quoted_ones() {
        let (named, pages) = split_named(&TEXTS);
        fn names<'a>(texts: Vec<(&'a str, &str)>) -> Vec<&'a str> {
            texts.into_iter().map(|(name, _)| name).collect()
        }
        assert_eq!(names(named), ["base.html", "macros.html", "part.html"]);
        assert_eq!(names(pages), ["page.html", "other.html"]);
    }

    #[test]
    fn templates_parsed_side_by_side_render_as_parsed_together() {
        let mut context = Context::new();
        context.insert("word", "词");
        let side_by_side = parse_side_by_side(&TEXTS).unwrap();
        let together = parse_together(&TEXTS).unwrap();
        for (name, _) in TEXTS {
            assert_eq!(
                side_by_side.render(name, &context).unwrap(),
                together.render(name, &context).unwrap(),
                "{name}"
            );
        }
        let page = side_by_side.render("page.html", &context).unwrap();
        assert_eq!(page, "<main><td>词</td></main>");
        assert_eq!(
            side_by_side.render("other.html", &context).unwrap(),
            "<p>词</p>!"
        );
    }

    /// The built-in theme's pages are parsed beside its layout and macros,
    /// not after them.
    #[test]
    fn the_built_in_theme_is_parsed_side_by_side() {
        let texts: Vec<(&str, &str)> = crate::load::builtin_files()
            .iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix("templates/")?;
                Some((name, std::str::from_utf8(bytes).ok()?))
            })
            .collect();
        let (named, pages) = split_named(&texts);
        assert!(named.len() >= 2 && pages.len() >= 2, "{named:?} {pages:?}");
        assert!(parse_side_by_side(&texts).is_ok());
    }

    #[test]
    fn a_page_that_does_not_parse_fails_either_way() {
        let mut texts = TEXTS.to_vec();
        texts.push((
            "broken.html",
            "{% extends \"base.html\" %}{% block body %}{{ %}",
        ));
        assert!(parse_side_by_side(&texts).is_err());
        assert!(parse_together(&texts).is_err());
    }
}
