//! The portal fragment: a notice as one piece of HTML with inline styles
//! only, for pasting into a portal's CMS editor. Such editors strip
//! `<style>` elements, scripts and classes, so the fragment may use none.
//!
//! The fragment comes from the theme's `fragment.html` template, so a county
//! can restyle it; [`check`] then checks every rendered fragment, so an
//! override cannot slip in markup that an editor would drop, and
//! the same pass checks that it links only where a page may and
//! loads nothing from another site.

use std::borrow::Cow;
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

/// What [`check`] found wrong with a fragment: one message per problem
/// (in Chinese, for the clerk or theme author), each list in document order.
#[derive(Debug, Default)]
pub struct Refusals {
    /// What a CMS editor would strip: `<style>`, `<script>`, `<link>` and
    /// `<meta>` elements, `class` and event (`on…`) attributes.
    pub problems: Vec<String>,
    /// Every address that a page may not carry (see [`crate::links`]): a
    /// link other than relative, `http`, `https`, `mailto` or `tel`, and
    /// anything loaded from elsewhere (`src`, `srcset`, a CSS `url()` in a
    /// `style`).
    pub unsafe_addresses: Vec<String>,
}

/// Both checks of a rendered fragment, [`Refusals::problems`] and
/// [`Refusals::unsafe_addresses`], in one pass over its tags: every period's fragment
/// is checked, so it is read once.
pub fn check(html: &str) -> Refusals {
    let mut found = Refusals::default();
    for tag in tags(html) {
        tag_problems(&tag, &mut found.problems);
        tag_addresses(&tag, &mut found.unsafe_addresses);
    }
    found
}

/// A start tag's [`Refusals::problems`]. Names are compared without
/// regard to case and lower-cased only for a message.
fn tag_problems(tag: &Tag, found: &mut Vec<String>) {
    let forbidden = FORBIDDEN_ELEMENTS
        .iter()
        .any(|element| element.eq_ignore_ascii_case(tag.name));
    if forbidden {
        found.push(format!("含有 <{}> 元素", tag.name.to_ascii_lowercase()));
    }
    for (attribute, _) in &tag.attributes {
        let event = attribute
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("on"));
        if attribute.eq_ignore_ascii_case("class") {
            let name = tag.name.to_ascii_lowercase();
            found.push(format!("<{name}> 带有 class 属性"));
        } else if event {
            let name = tag.name.to_ascii_lowercase();
            let attribute = attribute.to_ascii_lowercase();
            found.push(format!("<{name}> 带有事件属性 {attribute}"));
        }
    }
}

/// Attributes that name an address followed on a click.
const LINK_ATTRIBUTES: [&str; 5] = ["href", "action", "formaction", "cite", "xlink:href"];
/// Attributes that name an address loaded with the page.
const RESOURCE_ATTRIBUTES: [&str; 6] = ["src", "poster", "background", "data", "lowsrc", "dynsrc"];

/// A start tag's [`Refusals::unsafe_addresses`].
fn tag_addresses(tag: &Tag, found: &mut Vec<String>) {
    for (attribute, value) in &tag.attributes {
        let Some(kind) = address_attribute(attribute) else {
            continue;
        };
        let value = decode_references(value.unwrap_or_default());
        for (address, purpose) in addresses(kind, &value) {
            if let Err(refused) = links::check(address, purpose) {
                let element = tag.name.to_ascii_lowercase();
                let attribute = attribute.to_ascii_lowercase();
                found.push(address_problem(&element, &attribute, &refused));
            }
        }
    }
}

/// How an attribute holds addresses, if it does.
#[derive(Clone, Copy)]
enum AddressAttribute {
    /// The whole value is a link.
    Link,
    /// The whole value is loaded with the page.
    Resource,
    /// `srcset`: candidates loaded with the page.
    SourceSet,
    /// `style`: CSS, whose `url()`s are loaded with the page.
    Style,
}

/// The kind of an attribute that holds addresses, matched without regard
/// to case; `None` for any other attribute.
fn address_attribute(attribute: &str) -> Option<AddressAttribute> {
    let named = |names: &[&str]| {
        names
            .iter()
            .any(|name| name.eq_ignore_ascii_case(attribute))
    };
    if named(&LINK_ATTRIBUTES) {
        Some(AddressAttribute::Link)
    } else if named(&RESOURCE_ATTRIBUTES) {
        Some(AddressAttribute::Resource)
    } else if attribute.eq_ignore_ascii_case("srcset") {
        Some(AddressAttribute::SourceSet)
    } else if attribute.eq_ignore_ascii_case("style") {
        Some(AddressAttribute::Style)
    } else {
        None
    }
}

/// The addresses an attribute's (decoded) value holds, with their use.
fn addresses(kind: AddressAttribute, value: &str) -> Vec<(&str, Use)> {
    match kind {
        AddressAttribute::Link => vec![(value, Use::Link)],
        AddressAttribute::Resource => vec![(value, Use::Resource)],
        // Candidates are `address [width]`, separated by commas.
        AddressAttribute::SourceSet => value
            .split(',')
            .filter_map(|candidate| candidate.split_whitespace().next())
            .map(|address| (address, Use::Resource))
            .collect(),
        AddressAttribute::Style => css_urls(value)
            .into_iter()
            .map(|address| (address, Use::Resource))
            .collect(),
    }
}

/// The addresses of every `url(…)` in a CSS declaration list, unquoted.
/// Matched without regard to case, as CSS does.
fn css_urls(style: &str) -> Vec<&str> {
    let bytes = style.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    // Each `(` preceded by `url` in any case; `(` is ASCII, so every
    // offset here is a character boundary.
    while let Some(offset) = style[at..].find('(') {
        let open = at + offset;
        let start = open + 1;
        let named = open >= 3 && bytes[open - 3..open].eq_ignore_ascii_case(b"url");
        if !named {
            at = start;
            continue;
        }
        let end = style[start..]
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
fn decode_references(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
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
    Cow::Owned(out)
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
fn tags(html: &str) -> Tags<'_> {
    Tags { html, at: 0 }
}

/// The iterator [`tags`] returns: each tag is read as it is asked for, so
/// a check holds one tag's attributes at a time.
struct Tags<'a> {
    html: &'a str,
    /// Where the search for the next tag starts.
    at: usize,
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        let html = self.html;
        let bytes = html.as_bytes();
        while let Some(offset) = html[self.at..].find('<') {
            let open = self.at + offset;
            let rest = &html[open + 1..];
            if rest.starts_with("!--") {
                self.at = rest
                    .find("-->")
                    .map_or(html.len(), |end| open + 1 + end + 3);
                continue;
            }
            let starts_with_letter = rest.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
            if !starts_with_letter {
                // An end tag, a declaration, or a literal `<`.
                self.at = match rest.bytes().next() {
                    Some(b'/' | b'!' | b'?') => {
                        rest.find('>').map_or(html.len(), |end| open + 2 + end)
                    }
                    _ => open + 1,
                };
                continue;
            }
            let name_len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
                .count();
            let name_end = open + 1 + name_len;
            let (attributes, end) = attributes(html, bytes, name_end);
            self.at = end;
            return Some(Tag {
                name: &html[open + 1..name_end],
                name_end,
                attributes,
            });
        }
        self.at = html.len();
        None
    }
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
            check(html).problems,
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
        assert!(check(html).problems.is_empty());
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
            check(html).unsafe_addresses,
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
    fn css_urls_are_found_in_any_case_and_only_after_url() {
        let style = "background:url(a.png), calc(1px) URL( \"b.png\" );x:uRl('c')";
        assert_eq!(css_urls(style), vec!["a.png", "b.png", "c"]);
        assert_eq!(css_urls("(url)x(y)"), Vec::<&str>::new());
    }

    #[test]
    fn references_are_decoded_before_the_check() {
        assert_eq!(
            decode_references("&#x6A;a&#118;a&amp;&colon;&bogus;&"),
            "java&:&bogus;&"
        );
    }
}
