//! Markdown for the notice body: the events every output reads it through,
//! and the HTML of the page.
//!
//! Raw HTML in the Markdown is shown as text, never passed through: a notice
//! is published under the county's name and must not carry markup or scripts
//! that nobody reviewed as such.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// The body's CommonMark as pulldown-cmark events, with the Markdown
/// features a notice may use (strikethrough) and raw HTML turned into text.
/// The page and the Word document both read the body through this, so they
/// agree on what it says.
pub fn events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        // An HTML block becomes a paragraph of its literal text.
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        other => other,
    })
}

/// Renders CommonMark to HTML, escaping any raw HTML it contains.
pub fn to_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events(markdown));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let html = to_html("正文<script>alert(1)</script>\n\n<div>块</div>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;div&gt;块&lt;/div&gt;"), "{html}");
    }

    #[test]
    fn headings_and_emphasis_render() {
        assert_eq!(to_html("## 一、基本情况\n"), "<h2>一、基本情况</h2>\n");
        // CommonMark will not close `**` between 。 and a letter, so the
        // full stop of a run-in heading goes after the closing `**`.
        assert_eq!(
            to_html("**（一）要求**。正文\n"),
            "<p><strong>（一）要求</strong>。正文</p>\n"
        );
    }
}
