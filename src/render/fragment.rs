//! The portal fragment: a notice as one piece of HTML with inline styles
//! only, for pasting into a portal's CMS editor. Such editors strip
//! `<style>` elements, scripts and classes, so the fragment may use none.
//!
//! The fragment comes from the theme's `fragment.html` template, so a county
//! can restyle it; [`problems`] then checks every rendered fragment, so an
//! override cannot slip in markup that an editor would drop, and
//! [`unsafe_addresses`] checks that it links only where a page may and
//! loads nothing from another site.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use tera::Value;

use crate::links::{self, Use};

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
        for (attribute, _) in &tag.attributes {
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

/// Attributes that name an address followed on a click.
const LINK_ATTRIBUTES: [&str; 5] = ["href", "action", "formaction", "cite", "xlink:href"];
/// Attributes that name an address loaded with the page.
const RESOURCE_ATTRIBUTES: [&str; 6] = ["src", "poster", "background", "data", "lowsrc", "dynsrc"];

/// Every address in a fragment that a page may not carry (see
/// [`crate::links`]): a link other than relative, `http`, `https`,
/// `mailto` or `tel`, and anything loaded from elsewhere (`src`, `srcset`,
/// a CSS `url()` in a `style`). One message per address, in document order.
pub fn unsafe_addresses(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in tags(html) {
        let element = tag.name.to_ascii_lowercase();
        for (attribute, value) in &tag.attributes {
            let attribute = attribute.to_ascii_lowercase();
            let value = decode_references(value.unwrap_or_default());
            for (address, purpose) in addresses(&attribute, &value) {
                if let Err(refused) = links::check(address, purpose) {
                    found.push(address_problem(&element, &attribute, &refused));
                }
            }
        }
    }
    found
}

/// The addresses an attribute's (decoded) value holds, with their use.
fn addresses<'v>(attribute: &str, value: &'v str) -> Vec<(&'v str, Use)> {
    if LINK_ATTRIBUTES.contains(&attribute) {
        vec![(value, Use::Link)]
    } else if RESOURCE_ATTRIBUTES.contains(&attribute) {
        vec![(value, Use::Resource)]
    } else if attribute == "srcset" {
        // Candidates are `address [width]`, separated by commas.
        value
            .split(',')
            .filter_map(|candidate| candidate.split_whitespace().next())
            .map(|address| (address, Use::Resource))
            .collect()
    } else if attribute == "style" {
        css_urls(value)
            .into_iter()
            .map(|address| (address, Use::Resource))
            .collect()
    } else {
        Vec::new()
    }
}

/// The addresses of every `url(…)` in a CSS declaration list, unquoted.
/// Matched without regard to case, as CSS does.
fn css_urls(style: &str) -> Vec<&str> {
    let lower = style.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = lower[at..].find("url(") {
        let start = at + offset + "url(".len();
        let end = lower[start..]
            .find(')')
            .map_or(style.len(), |end| start + end);
        found.push(style[start..end].trim().trim_matches(['"', '\'']).trim());
        at = end;
    }
    found
}

fn address_problem(element: &str, attribute: &str, refused: &links::Refused) -> String {
    match refused {
        links::Refused::Scheme(scheme) => {
            format!("<{element}> 的 {attribute} 使用了不允许的协议 “{scheme}:”")
        }
        links::Refused::Remote => format!("<{element}> 的 {attribute} 从其他网站加载内容"),
    }
}

/// An attribute value with its character references decoded: numeric ones
/// (`&#106;`, `&#x6A;`) and the named ones that can spell a scheme or its
/// delimiters (`&colon;`, `&Tab;`, `&sol;`, …). Another named reference is
/// left as written; the address check then refuses it wherever it could
/// stand in a scheme.
fn decode_references(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let reference = rest[1..]
            .find(';')
            .map(|end| &rest[1..1 + end])
            .and_then(|name| Some((name, reference_char(name)?)));
        match reference {
            Some((name, c)) => {
                out.push(c);
                rest = &rest[name.len() + 2..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference (between `&` and `;`) stands for, if it is
/// numeric or one of the names [`decode_references`] knows.
fn reference_char(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return Some(char::from_u32(code).unwrap_or('\u{fffd}'));
    }
    let c = match name {
        "amp" => '&',
        "colon" => ':',
        "Tab" => '\t',
        "NewLine" => '\n',
        "sol" => '/',
        "bsol" => '\\',
        "quest" => '?',
        "num" => '#',
        "percnt" => '%',
        "quot" => '"',
        "apos" => '\'',
        "lt" => '<',
        "gt" => '>',
        "nbsp" => '\u{a0}',
        _ => return None,
    };
    Some(c)
}

/// A start tag found in HTML text.
#[derive(Debug)]
struct Tag<'a> {
    name: &'a str,
    /// Byte offset just past the element name, where attributes may go.
    name_end: usize,
    /// Each attribute's name and its value as written (without quotes),
    /// or `None` for an attribute without one.
    attributes: Attributes<'a>,
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

/// Attribute names with their values as written, if any.
type Attributes<'a> = Vec<(&'a str, Option<&'a str>)>;

/// The attributes of a start tag whose name ends at `from`, and the
/// offset just past the tag's `>`.
fn attributes<'a>(html: &'a str, bytes: &[u8], from: usize) -> (Attributes<'a>, usize) {
    let mut found = Vec::new();
    let mut at = from;
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() {
            return (found, bytes.len());
        }
        if bytes[at] == b'>' {
            return (found, at + 1);
        }
        let name = span_while(bytes, at, |b| {
            !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/')
        });
        at = name.end.max(at + 1);
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let mut value = None;
        if bytes.get(at) == Some(&b'=') {
            let span = value_span(bytes, at + 1);
            value = html.get(span.value);
            at = span.end;
        }
        found.push((&html[name], value));
    }
}

/// Where an attribute value lies, without its quotes, and where it ends.
struct ValueSpan {
    value: Range<usize>,
    end: usize,
}

/// The attribute value (quoted or not) starting at or after `at`.
fn value_span(bytes: &[u8], mut at: usize) -> ValueSpan {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let close = bytes[at + 1..].iter().position(|b| *b == quote);
            match close {
                Some(close) => ValueSpan {
                    value: at + 1..at + 1 + close,
                    end: at + 1 + close + 1,
                },
                None => ValueSpan {
                    value: at + 1..bytes.len(),
                    end: bytes.len(),
                },
            }
        }
        _ => {
            let value = span_while(bytes, at, |b| !b.is_ascii_whitespace() && b != b'>');
            ValueSpan {
                end: value.end,
                value,
            }
        }
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

    #[test]
    fn unsafe_addresses_are_found_in_every_spelling() {
        let html = "<a href=\"https://www.gov.cn/\">ok</a><a href='towns.csv'>ok</a>\
                    <a href=\"JavaScript:alert(1)\">1</a>\
                    <a href=\"&#106;avascript:alert(1)\">2</a>\
                    <a href=\"java&Tab;script&colon;alert(1)\">3</a>\
                    <a HREF=vbscript:x>4</a>\
                    <img src=\"../static/logo.png\"><img src=\"//evil.example/x.png\">\
                    <img src=\"data:image/png;base64,AA\">\
                    <img srcset=\"a.png 1x, https://evil.example/b.png 2x\">\
                    <p style=\"background:URL( 'http://evil.example/c.png' )\">x</p>\
                    <form action=\"javascript:go()\"></form>";
        assert_eq!(
            unsafe_addresses(html),
            vec![
                "<a> 的 href 使用了不允许的协议 “javascript:”",
                "<a> 的 href 使用了不允许的协议 “javascript:”",
                "<a> 的 href 使用了不允许的协议 “javascript:”",
                "<a> 的 href 使用了不允许的协议 “vbscript:”",
                "<img> 的 src 从其他网站加载内容",
                "<img> 的 src 使用了不允许的协议 “data:”",
                "<img> 的 srcset 从其他网站加载内容",
                "<p> 的 style 从其他网站加载内容",
                "<form> 的 action 使用了不允许的协议 “javascript:”",
            ]
        );
    }

    #[test]
    fn references_are_decoded_before_the_check() {
        assert_eq!(
            decode_references("&#x6A;a&#118;a&amp;&colon;&bogus;&"),
            "java&:&bogus;&"
        );
    }
}
