//! The portal fragment: a notice as one piece of HTML with inline styles
//! only, for pasting into a portal's CMS editor. Such editors strip
//! `<style>` elements, scripts and classes, so the fragment may use none.
//!
//! The fragment comes from the theme's `fragment.html` template, so a county
//! can restyle it; [`problems`] then checks every rendered fragment, so an
//! override cannot slip in markup that an editor would drop.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use tera::Value;

/// Elements a CMS editor removes, or that do not belong in a page's body.
const FORBIDDEN_ELEMENTS: [&str; 4] = ["style", "script", "link", "meta"];

/// tera filter `styled`: gives each start tag of the named elements a
/// `style` attribute, e.g.
/// `{{ notice.body | styled(p="text-indent:2em", h2="font-family:黑体") | safe }}`.
///
/// The input must be HTML from tongbao's Markdown renderer: text in it is
/// escaped, so every `<` opens a tag, and no tag has a `style` yet.
pub fn styled(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let html = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("styled 只能用于 HTML 文本"))?;
    let mut styles = BTreeMap::new();
    for (element, style) in args {
        let style = style
            .as_str()
            .ok_or_else(|| tera::Error::msg(format!("styled 的参数 {element} 应为文本")))?;
        styles.insert(element.to_ascii_lowercase(), style.to_string());
    }
    Ok(Value::String(add_styles(html, &styles)))
}

/// `html` with `style="…"` added to each start tag whose element name is a
/// key of `styles`. Quotes and ampersands in a style are escaped.
pub fn add_styles(html: &str, styles: &BTreeMap<String, String>) -> String {
    // Each attribute once, escaped, rather than once per tag.
    let attributes: BTreeMap<&str, String> = styles
        .iter()
        .map(|(element, style)| {
            let escaped = style.replace('&', "&amp;").replace('"', "&quot;");
            (element.as_str(), format!(" style=\"{escaped}\""))
        })
        .collect();
    let mut out = String::with_capacity(html.len() * 2);
    let mut copied = 0;
    for tag in tags(html) {
        let Some(attribute) = attributes.get(tag.name.to_ascii_lowercase().as_str()) else {
            continue;
        };
        out.push_str(&html[copied..tag.name_end]);
        out.push_str(attribute);
        copied = tag.name_end;
    }
    out.push_str(&html[copied..]);
    out
}

/// What a CMS editor would strip from a fragment, one message per problem
/// (in Chinese, for the clerk or theme author), in document order.
pub fn problems(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in tags(html) {
        let name = tag.name.to_ascii_lowercase();
        if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
            found.push(format!("含有 <{name}> 元素"));
        }
        for attribute in &tag.attributes {
            let attribute = attribute.to_ascii_lowercase();
            if attribute == "class" {
                found.push(format!("<{name}> 带有 class 属性"));
            } else if attribute.starts_with("on") {
                found.push(format!("<{name}> 带有事件属性 {attribute}"));
            }
        }
    }
    found
}

/// A start tag found in HTML text.
#[derive(Debug)]
struct Tag<'a> {
    name: &'a str,
    /// Byte offset just past the element name, where attributes may go.
    name_end: usize,
    attributes: Vec<&'a str>,
}

/// The start tags of `html`, in order. Comments, end tags, doctypes and
/// processing instructions are skipped; a `<` not followed by a letter is text.
fn tags(html: &str) -> Vec<Tag<'_>> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let open = at + offset;
        let rest = &html[open + 1..];
        if rest.starts_with("!--") {
            at = rest
                .find("-->")
                .map_or(html.len(), |end| open + 1 + end + 3);
            continue;
        }
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        let starts_with_letter = rest.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
        if !starts_with_letter {
            // An end tag, a declaration, or a literal `<`.
            at = match rest.bytes().next() {
                Some(b'/' | b'!' | b'?') => rest.find('>').map_or(html.len(), |end| open + 2 + end),
                _ => open + 1,
            };
            continue;
        }
        let name_end = open + 1 + name_len;
        let (attributes, end) = attributes(html, bytes, name_end);
        found.push(Tag {
            name: &html[open + 1..name_end],
            name_end,
            attributes,
        });
        at = end;
    }
    found
}

/// The attribute names of a start tag whose name ends at `from`, and the
/// offset just past the tag's `>`.
fn attributes<'a>(html: &'a str, bytes: &[u8], from: usize) -> (Vec<&'a str>, usize) {
    let mut names = Vec::new();
    let mut at = from;
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() {
            return (names, bytes.len());
        }
        if bytes[at] == b'>' {
            return (names, at + 1);
        }
        let name = span_while(bytes, at, |b| {
            !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/')
        });
        names.push(&html[name.clone()]);
        at = name.end.max(at + 1);
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if bytes.get(at) == Some(&b'=') {
            at = skip_value(bytes, at + 1);
        }
    }
}

/// Skips an attribute value (quoted or not) starting at or after `at`.
fn skip_value(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let close = bytes[at + 1..].iter().position(|b| *b == quote);
            close.map_or(bytes.len(), |close| at + 1 + close + 1)
        }
        _ => span_while(bytes, at, |b| !b.is_ascii_whitespace() && b != b'>').end,
    }
}

fn span_while(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> Range<usize> {
    let len = bytes[from..].iter().take_while(|b| keep(**b)).count();
    from..from + len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn styles_go_on_named_start_tags_only() {
        let html = "<h2>一、基本情况</h2>\n<p><strong>（一）要求</strong>。正文 &lt;p&gt;</p>\n";
        let out = add_styles(
            html,
            &styles(&[("p", "text-indent:2em"), ("strong", "a\"b")]),
        );
        assert_eq!(
            out,
            "<h2>一、基本情况</h2>\n<p style=\"text-indent:2em\"><strong style=\"a&quot;b\">（一）要求</strong>。正文 &lt;p&gt;</p>\n"
        );
    }

    #[test]
    fn attributes_are_kept_when_a_style_is_added() {
        let out = add_styles("<a href=\"x>y\">z</a>", &styles(&[("a", "color:red")]));
        assert_eq!(out, "<a style=\"color:red\" href=\"x>y\">z</a>");
    }

    #[test]
    fn classes_styles_and_scripts_are_problems() {
        let html = "<!-- <style> in a comment is fine --><p class=\"x\">a</p>\
                    <STYLE>p{}</STYLE><div data-class='class=1' onclick=go()>\
                    <script src=x></script><p style=\"color:red\">ok</p>";
        assert_eq!(
            problems(html),
            vec![
                "<p> 带有 class 属性",
                "含有 <style> 元素",
                "<div> 带有事件属性 onclick",
                "含有 <script> 元素",
            ]
        );
    }

    #[test]
    fn a_clean_fragment_has_no_problems() {
        let html = "<div style=\"font-size:16pt\"><p style=\"a\">x &lt; y</p> 1 < 2 <br></div>";
        assert!(problems(html).is_empty());
    }
}
