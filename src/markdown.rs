//! Markdown for the notice body: the events every output reads it through,
//! and the HTML of the page.
//!
//! Raw HTML in the Markdown is shown as text, never passed through: a notice
//! is published under the county's name and must not carry markup or scripts
//! that nobody reviewed as such. For the same reason every link and image
//! address is checked (see [`crate::links`]), and so is every character
//! that an entity such as `&#7;` wrote: a body with a refused one is not
//! rendered, and each problem comes back with its place in the Markdown.
//!
//! Clerks wrap long Chinese lines. A line break inside a paragraph is a
//! space to a browser, and a space between two Chinese characters shows as
//! a gap, so a soft break between two East Asian wide characters is dropped
//! (as Hugo's `eastAsianLineBreaks` does); between Latin words it stays.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};
use unicode_width::UnicodeWidthChar;

use crate::diagnostics::{Diagnostic, Location};
use crate::links::{self, Refused, Use};
use crate::load::text::{self, refusal};

/// Something in the Markdown that must not be published, at a byte range
/// of the Markdown text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub kind: ProblemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A link (`Use::Link`) or image (`Use::Resource`) whose address is refused.
    Address { purpose: Use, refused: Refused },
    /// A character that an entity wrote and that no page may carry.
    Character {
        character: char,
        refused: text::Refused,
    },
}

impl Problem {
    /// The problem as a message to the clerk, at `location` (the place in
    /// notice.md that [`Problem::span`] maps to).
    pub fn diagnostic(&self, location: &Location) -> Diagnostic {
        let remedy = "把图片放进主题的 static/ 目录并用相对地址引用，或删去这张图片";
        match &self.kind {
            ProblemKind::Address {
                purpose: Use::Link,
                refused: Refused::Scheme(scheme),
            } => Diagnostic::error(format!("链接地址使用了不允许的协议 “{scheme}:”"))
                .at(location)
                .label("链接只能指向本站的相对地址，或 http、https、mailto、tel 地址")
                .hint("删去这个链接，或改为网页地址（http:// 或 https://）"),
            ProblemKind::Address {
                purpose: Use::Resource,
                refused: Refused::Scheme(scheme),
            } => Diagnostic::error(format!("图片地址使用了不允许的协议 “{scheme}:”"))
                .at(location)
                .label("图片只能是本站的文件（相对地址）")
                .hint(remedy),
            ProblemKind::Address {
                purpose: Use::Link | Use::Resource,
                refused: Refused::Remote,
            } => Diagnostic::error("图片来自其他网站")
                .at(location)
                .label("站点不从其他网站加载任何内容")
                .hint(remedy),
            ProblemKind::Character { character, refused } => {
                refusal(*character, *refused, location)
            }
        }
    }
}

/// The body's CommonMark as pulldown-cmark events, as every output shows
/// it: raw HTML turned into text, and soft line breaks between East Asian
/// wide characters left out. The page's HTML and the Word document both
/// read the body through this, so they agree on what it says. Returns every
/// refused address and character instead when there is any.
pub fn events(markdown: &str) -> Result<Vec<Event<'_>>, Vec<Problem>> {
    let mut problems = Vec::new();
    let events: Vec<Event> = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH)
        .into_offset_iter()
        .map(|(event, span)| {
            check_event(markdown, &event, &span, &mut problems);
            event
        })
        .map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            // An HTML block becomes a paragraph of its literal text.
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            other => other,
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(join_east_asian_lines(events))
}

/// Renders CommonMark to HTML through [`events`], escaping any raw HTML it
/// contains.
pub fn to_html(markdown: &str) -> Result<String, Vec<Problem>> {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events(markdown)?.into_iter());
    Ok(out)
}

/// Lines joined as a paragraph joins them: without a space where the line
/// break falls between two East Asian wide characters, with one elsewhere.
/// For a title that its author broke into lines, shown on one line.
pub fn join_lines(lines: &[String]) -> String {
    let mut joined = String::new();
    for line in lines {
        let before = joined.chars().next_back();
        let after = line.chars().next();
        if let (Some(before), Some(after)) = (before, after)
            && !break_vanishes(before, after)
        {
            joined.push(' ');
        }
        joined.push_str(line);
    }
    joined
}

/// Whether a line break between `before` and `after` is no space at all:
/// both are East Asian wide characters (CSS Text 3's segment break rule).
pub fn break_vanishes(before: char, after: char) -> bool {
    is_wide(before) && is_wide(after)
}

/// Punctuation that Unicode counts as ambiguous in width but that Chinese
/// text sets full-width: quotation marks, the dash of ——, the ellipsis of
/// …… and the middle dot of names.
const CJK_PUNCTUATION: [char; 7] = ['‘', '’', '“', '”', '—', '…', '·'];

/// An East Asian wide or fullwidth character (Han, kana, fullwidth forms,
/// CJK punctuation), but not Hangul: Korean separates words with spaces.
fn is_wide(c: char) -> bool {
    let hangul = matches!(c,
        '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}' | '\u{a960}'..='\u{a97f}'
            | '\u{ac00}'..='\u{d7ff}');
    !hangul && (c.width() == Some(2) || CJK_PUNCTUATION.contains(&c))
}

/// The events with each soft line break between two wide characters left
/// out. The characters on either side are the nearest text's, through any
/// emphasis or link that starts or ends at the break.
fn join_east_asian_lines(events: Vec<Event>) -> Vec<Event> {
    let vanishing: Vec<bool> = (0..events.len())
        .map(|index| {
            if events[index] != Event::SoftBreak {
                return false;
            }
            let before = events[..index]
                .iter()
                .rev()
                .find_map(|event| edge(event, Side::Last));
            let after = events[index + 1..]
                .iter()
                .find_map(|event| edge(event, Side::First));
            match (before, after) {
                (Some(Some(before)), Some(Some(after))) => break_vanishes(before, after),
                _ => false,
            }
        })
        .collect();
    events
        .into_iter()
        .zip(vanishing)
        .filter_map(|(event, vanishes)| (!vanishes).then_some(event))
        .collect()
}

#[derive(Clone, Copy)]
enum Side {
    First,
    Last,
}

/// What an event offers the search for the character beside a line break:
/// `None` to look past it (an inline tag's start or end, empty text),
/// `Some(Some(c))` for a text's character, `Some(None)` to stop there
/// (anything else, such as another break or a block's end).
fn edge(event: &Event, side: Side) -> Option<Option<char>> {
    match event {
        Event::Text(text) | Event::Code(text) => {
            let c = match side {
                Side::First => text.chars().next(),
                Side::Last => text.chars().next_back(),
            };
            c.map(Some)
        }
        Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
        | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link) => {
            None
        }
        _ => Some(None),
    }
}

/// Adds the problems of one event, which stands at `span` of `markdown`.
fn check_event(markdown: &str, event: &Event, span: &Range<usize>, problems: &mut Vec<Problem>) {
    let mut address = |purpose: Use, link_type: &LinkType, url: &CowStr| {
        // An e-mail autolink (`<a@b.cn>`) is written out as `mailto:`.
        let url = match link_type {
            LinkType::Email => format!("mailto:{url}"),
            _ => url.to_string(),
        };
        if let Err(refused) = links::check(&url, purpose) {
            problems.push(Problem {
                span: span.clone(),
                kind: ProblemKind::Address { purpose, refused },
            });
        }
    };
    let texts: Vec<&str> = match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            ..
        }) => {
            address(Use::Link, link_type, dest_url);
            vec![title]
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            ..
        }) => {
            address(Use::Resource, link_type, dest_url);
            vec![title]
        }
        Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
            vec![text]
        }
        _ => Vec::new(),
    };
    let source = markdown.get(span.clone()).unwrap_or_default();
    for text in texts {
        check_characters(text, source, span, problems);
    }
}

/// Reports the first refused character of `text` that is not in `source`
/// as typed: one typed as it is was reported when notice.md was read, so
/// only one that an entity (`&#7;`) wrote is new here.
fn check_characters(text: &str, source: &str, span: &Range<usize>, problems: &mut Vec<Problem>) {
    let mut chars = text.chars().peekable();
    while let Some(character) = chars.next() {
        let Some(refused) = text::refused(character, chars.peek().copied()) else {
            continue;
        };
        if !source.contains(character) {
            problems.push(Problem {
                span: span.clone(),
                kind: ProblemKind::Character { character, refused },
            });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        to_html(markdown).unwrap()
    }

    #[test]
    fn raw_html_is_escaped() {
        let html = html("正文<script>alert(1)</script>\n\n<div>块</div>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;div&gt;块&lt;/div&gt;"), "{html}");
    }

    #[test]
    fn headings_and_emphasis_render() {
        assert_eq!(html("## 一、基本情况\n"), "<h2>一、基本情况</h2>\n");
        // CommonMark will not close `**` between 。 and a letter, so the
        // full stop of a run-in heading goes after the closing `**`.
        assert_eq!(
            html("**（一）要求**。正文\n"),
            "<p><strong>（一）要求</strong>。正文</p>\n"
        );
    }

    #[test]
    fn safe_links_render() {
        assert_eq!(
            html("见[国务院](https://www.gov.cn/)、<tel:7215008>和<a@b.cn>\n"),
            "<p>见<a href=\"https://www.gov.cn/\">国务院</a>、<a href=\"tel:7215008\">tel:7215008</a>和<a href=\"mailto:a@b.cn\">a@b.cn</a></p>\n"
        );
    }

    /// Each spelling of a hostile address, and the span each is reported at.
    #[test]
    fn hostile_addresses_are_problems_at_their_place() {
        let cases = [
            (
                "[x](javascript:alert(1))",
                "[x](javascript:alert(1))",
                "javascript",
            ),
            (
                "[x](JaVaScRiPt:alert(1))",
                "[x](JaVaScRiPt:alert(1))",
                "javascript",
            ),
            (
                "[x](&#106;avascript:alert(1))",
                "[x](&#106;avascript:alert(1))",
                "javascript",
            ),
            (
                "[x](&#x6A;avascript&colon;alert(1))",
                "[x](&#x6A;avascript&colon;alert(1))",
                "javascript",
            ),
            (
                "[x](%6Aavascript:alert(1))",
                "[x](%6Aavascript:alert(1))",
                "javascript",
            ),
            (
                "[x](<java\tscript:alert(1)>)",
                "[x](<java\tscript:alert(1)>)",
                "javascript",
            ),
            (
                "[x](java&#9;script:alert(1))",
                "[x](java&#9;script:alert(1))",
                "javascript",
            ),
            (
                "[x](<\u{20}javascript:alert(1)>)",
                "[x](<\u{20}javascript:alert(1)>)",
                "javascript",
            ),
            (
                "<javascript:alert(1)>",
                "<javascript:alert(1)>",
                "javascript",
            ),
            (
                "[x](vbscript:msgbox(1))",
                "[x](vbscript:msgbox(1))",
                "vbscript",
            ),
            (
                "[x](data:text/html;base64,PHNjcmlwdD4=)",
                "[x](data:text/html;base64,PHNjcmlwdD4=)",
                "data",
            ),
            ("[x][r]\n\n[r]: javascript:alert(1)", "[x][r]", "javascript"),
            (
                "![x](data:image/png;base64,AAAA)",
                "![x](data:image/png;base64,AAAA)",
                "data",
            ),
        ];
        for (markdown, at, scheme) in cases {
            let problems = to_html(&format!("前文{markdown}\n")).unwrap_err();
            let text = format!("前文{markdown}\n");
            assert_eq!(problems.len(), 1, "{markdown:?}: {problems:?}");
            assert_eq!(&text[problems[0].span.clone()], at, "{markdown:?}");
            match &problems[0].kind {
                ProblemKind::Address {
                    refused: Refused::Scheme(found),
                    ..
                } => assert_eq!(found, scheme, "{markdown:?}"),
                other => panic!("{markdown:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn remote_images_are_problems() {
        for markdown in [
            "![x](http://evil.example/x.png)",
            "![x](HTTPS://evil.example/x.png)",
            "![x](//evil.example/x.png)",
            // `\\` in Markdown is one backslash: two make `\\host`.
            "![x](\\\\\\\\evil.example/x.png)",
            "![x](/\\\\evil.example/x.png)",
            "![x][logo]\n\n[logo]: https://evil.example/x.png",
        ] {
            let problems = to_html(markdown).unwrap_err();
            let kinds: Vec<&ProblemKind> = problems.iter().map(|p| &p.kind).collect();
            assert_eq!(
                kinds,
                [&ProblemKind::Address {
                    purpose: Use::Resource,
                    refused: Refused::Remote
                }],
                "{markdown:?}"
            );
        }
        assert!(to_html("![标志](../static/logo.png)\n").is_ok());
    }

    #[test]
    fn a_control_character_written_as_an_entity_is_a_problem() {
        let problems = to_html("正文&#7;正文\n").unwrap_err();
        assert_eq!(
            problems[0].kind,
            ProblemKind::Character {
                character: '\u{7}',
                refused: text::Refused::Control
            }
        );
        // One typed as it is was reported on reading notice.md.
        assert!(to_html("正文\u{7}正文\n").is_ok());
    }

    #[test]
    fn a_line_break_between_chinese_characters_vanishes() {
        assert_eq!(
            html("近期县政府办公室采取随机\n抽查的方式。\n"),
            "<p>近期县政府办公室采取随机抽查的方式。</p>\n"
        );
        // Through emphasis, around full-width and Chinese punctuation.
        assert_eq!(
            html("**（一）要求**\n正文，\n“引文”\n——完\n"),
            "<p><strong>（一）要求</strong>正文，“引文”——完</p>\n"
        );
    }

    #[test]
    fn a_line_break_beside_latin_text_stays() {
        assert_eq!(
            html("Open\nGovernment 2019\n年，共 8113\n条\n"),
            "<p>Open\nGovernment 2019\n年，共 8113\n条</p>\n"
        );
        // Korean separates words with spaces.
        assert_eq!(html("정부\n공개\n"), "<p>정부\n공개</p>\n");
        // A hard break is the author's.
        assert_eq!(html("随机\\\n抽查\n"), "<p>随机<br />\n抽查</p>\n");
    }

    #[test]
    fn title_lines_join_as_a_paragraph_does() {
        let lines = |text: &str| text.lines().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            join_lines(&lines("关于2019年1-5月份政务公开\n随机抽查情况的通报")),
            "关于2019年1-5月份政务公开随机抽查情况的通报"
        );
        assert_eq!(
            join_lines(&lines("Report on Open\nGovernment")),
            "Report on Open Government"
        );
    }
}
