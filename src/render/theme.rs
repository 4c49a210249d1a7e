//! Templates: the loaded theme's tera templates parsed, and tera's errors
//! told in Chinese, located in the template files. The theme itself is read
//! in the load stage ([`crate::load::load_theme`]); nothing here reads a file.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tera::{Template, Tera};

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
    match parse_all(&texts) {
        Ok(tera) => Ok(Templates {
            tera,
            files: theme.templates.clone(),
        }),
        Err(error) => Err(template_error(&error, &theme.templates, sources)),
    }
}

/// A template's name and text.
type Source<'a> = (&'a str, &'a str);

/// A `Tera` with tongbao's settings and no templates yet.
fn empty_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.register_filter("styled", super::fragment::styled);
    tera
}

/// The templates parsed into one `Tera`, as `Tera::add_raw_templates`
/// parses them, but each on a thread of its own.
///
/// tera's parser is slow (about 2 KB of template a millisecond), and a
/// small site's build waits for it. `add_raw_templates` parses each
/// template on its own (`Template::new`) and only then checks the set:
/// that every parent and macro file a template names is there. This does
/// the same steps with the parsing in parallel, so the result, and the
/// first error in `texts` order, are the same. `tera::Template` and
/// `Tera::templates` are public but left out of tera's documentation;
/// Cargo.lock pins tera, and a change to them would fail to compile, not
/// parse differently (`parsed_in_parallel_as_tera_parses_them` below).
fn parse_all(texts: &[Source]) -> tera::Result<Tera> {
    let parsed: Vec<tera::Result<Template>> = texts
        .par_iter()
        .map(|(name, text)| {
            Template::new(name, None, text)
                .map_err(|error| tera::Error::chain(format!("Failed to parse '{name}'"), error))
        })
        .collect();
    let mut tera = empty_tera();
    for template in parsed {
        let template = template?;
        tera.templates.insert(template.name.clone(), template);
    }
    tera.build_inheritance_chains()?;
    tera.check_macro_files()?;
    Ok(tera)
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

    /// The templates as tera itself adds them, one after another.
    fn parse_serially(texts: &[Source]) -> tera::Result<Tera> {
        let mut tera = empty_tera();
        tera.add_raw_templates(texts.iter().copied())?;
        Ok(tera)
    }

    #[test]
    fn parsed_in_parallel_as_tera_parses_them() {
        let mut context = Context::new();
        context.insert("word", "词");
        let parallel = parse_all(&TEXTS).unwrap();
        let serial = parse_serially(&TEXTS).unwrap();
        for (name, _) in TEXTS {
            assert_eq!(
                parallel.render(name, &context).unwrap(),
                serial.render(name, &context).unwrap(),
                "{name}"
            );
        }
        let page = parallel.render("page.html", &context).unwrap();
        assert_eq!(page, "<main><td>词</td></main>");
        assert_eq!(
            parallel.render("other.html", &context).unwrap(),
            "<p>词</p>!"
        );
    }

    #[test]
    fn the_built_in_theme_parses() {
        let texts: Vec<(&str, &str)> = crate::load::builtin_files()
            .iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix("templates/")?;
                Some((name, std::str::from_utf8(bytes).ok()?))
            })
            .collect();
        assert!(texts.len() >= 5, "{texts:?}");
        let tera = parse_all(&texts).unwrap();
        let mut names: Vec<&str> = tera.get_template_names().collect();
        names.sort_unstable();
        let mut expected: Vec<&str> = texts.iter().map(|(name, _)| *name).collect();
        expected.sort_unstable();
        assert_eq!(names, expected);
    }

    /// Every way a set of templates can fail is told in the words tera
    /// uses, naming the first template in order that fails.
    #[test]
    fn problems_are_told_as_tera_tells_them() {
        let broken = [
            ("a.html", "{{ %}"),
            ("b.html", "{% if %}"),
            ("orphan.html", "{% extends \"none.html\" %}"),
            ("importer.html", "{% import \"none.html\" as m %}"),
        ];
        let cases = [
            vec![TEXTS[0], broken[0], broken[1]],
            vec![broken[1], TEXTS[3], broken[0]],
            vec![TEXTS[0], TEXTS[1], broken[2]],
            vec![TEXTS[1], broken[3]],
        ];
        for texts in cases {
            let parallel = parse_all(&texts).err().map(|error| error_chain(&error));
            let serial = parse_serially(&texts)
                .err()
                .map(|error| error_chain(&error));
            assert!(parallel.is_some(), "{texts:?}");
            assert_eq!(parallel, serial, "{texts:?}");
        }
    }
}
