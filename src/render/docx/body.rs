//! The notice's Markdown body as blocks for the Word document: paragraphs
//! and headings, each a list of runs with the emphasis they carry.
//!
//! The body is read through [`crate::markdown::events`], as the page's HTML
//! is, so both show the same text. Headings follow the page: `#` and `##`
//! are level one (`一、`, 黑体), `###` level two (`（一）`, 楷体), `####` and
//! deeper levels three and four (`1.` and `（1）`, the body's font). Bold
//! text is the run-in level-two heading of GB/T 9704 (`**（一）…**。`), drawn
//! in the level-two font as the page draws it. Lists keep their numbers as
//! text; a link keeps its address after its text.

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use crate::markdown;

/// What a block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Paragraph,
    /// A heading of GB/T 9704's level 1 to 4.
    Heading(u8),
}

/// A paragraph or heading.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: Kind,
    pub runs: Vec<Run>,
}

/// Text with one set of marks. A `\n` in the text is a line break.
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    /// Bold in Markdown: drawn in the level-two heading's font.
    pub strong: bool,
    pub emphasis: bool,
    pub strike: bool,
}

/// The blocks of a Markdown body.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut converter = Converter::default();
    // A body with a refused address or character is reported by the page
    // and fails the build; the document then has no body to show.
    for event in markdown::events(markdown).unwrap_or_default() {
        converter.event(event);
    }
    converter.close();
    converter.blocks
}

#[derive(Default)]
struct Converter {
    blocks: Vec<Block>,
    open: Option<Block>,
    strong: usize,
    emphasis: usize,
    strike: usize,
    /// The next number of each open list; `None` for a bulleted list.
    lists: Vec<Option<u64>>,
    /// A list item's marker, waiting for the item's first text.
    marker: Option<String>,
    /// Each open link's address.
    links: Vec<String>,
    /// A soft line break waiting to be told from the text around it.
    soft_break: bool,
}

impl Converter {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Code(text) => self.text(&text),
            Event::InlineMath(text) | Event::DisplayMath(text) => self.text(&text),
            Event::SoftBreak => self.soft_break = true,
            Event::HardBreak => self.text("\n"),
            Event::Rule => {
                self.close();
                self.blocks.push(Block {
                    kind: Kind::Paragraph,
                    runs: Vec::new(),
                });
            }
            Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }),
            Event::FootnoteReference(label) => self.text(&format!("[{label}]")),
            // `markdown::events` has turned raw HTML into text already.
            Event::Html(text) | Event::InlineHtml(text) => self.text(&text),
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Heading { level, .. } => self.begin(Kind::Heading(heading_level(level))),
            Tag::Paragraph | Tag::CodeBlock(_) | Tag::HtmlBlock => self.begin(Kind::Paragraph),
            Tag::List(start) => self.lists.push(start),
            Tag::Item => {
                self.close();
                self.marker = Some(self.next_marker());
            }
            Tag::Strong => self.strong += 1,
            Tag::Emphasis => self.emphasis += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Link { dest_url, .. } => self.links.push(dest_url.to_string()),
            Tag::BlockQuote(_)
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Image { .. }
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::CodeBlock => {
                // A code block's text ends with its last line's break.
                if let Some(run) = self.open.as_mut().and_then(|block| block.runs.last_mut()) {
                    let kept = run.text.trim_end_matches('\n').len();
                    run.text.truncate(kept);
                }
                self.close();
            }
            TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::HtmlBlock | TagEnd::Item => {
                self.close()
            }
            TagEnd::List(_) => {
                self.lists.pop();
            }
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Link => self.end_link(),
            TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Image
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// Opens a block, closing the one before; a paragraph inside a list item
    /// keeps the item open so that its marker leads the text.
    fn begin(&mut self, kind: Kind) {
        let continues_item =
            kind == Kind::Paragraph && self.open.as_ref().is_some_and(|open| open.runs.is_empty());
        if continues_item {
            return;
        }
        self.close();
        self.open = Some(Block {
            kind,
            runs: Vec::new(),
        });
    }

    fn close(&mut self) {
        self.soft_break = false;
        if let Some(block) = self.open.take() {
            self.blocks.push(block);
        }
    }

    fn next_marker(&mut self) -> String {
        match self.lists.last_mut() {
            Some(Some(number)) => {
                let marker = format!("{number}. ");
                *number += 1;
                marker
            }
            Some(None) | None => "• ".to_string(),
        }
    }

    fn end_link(&mut self) {
        let Some(url) = self.links.pop() else {
            return;
        };
        let shown = self.open.as_ref().is_some_and(|block| {
            let text: String = block.runs.iter().map(|run| run.text.as_str()).collect();
            text.ends_with(&url)
        });
        if !url.is_empty() && !shown {
            self.text(&format!("（{url}）"));
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let (strong, emphasis, strike) = (self.strong > 0, self.emphasis > 0, self.strike > 0);
        let block = self.open.get_or_insert_with(|| Block {
            kind: Kind::Paragraph,
            runs: Vec::new(),
        });
        let mut text = text.to_string();
        if let Some(marker) = self.marker.take() {
            text.insert_str(0, &marker);
        }
        if std::mem::take(&mut self.soft_break) {
            let before = block.runs.last().and_then(|run| run.text.chars().last());
            if !joins_without_space(before, text.chars().next()) {
                text.insert(0, ' ');
            }
        }
        match block.runs.last_mut() {
            Some(last)
                if (last.strong, last.emphasis, last.strike) == (strong, emphasis, strike) =>
            {
                last.text.push_str(&text);
            }
            _ => block.runs.push(Run {
                text,
                strong,
                emphasis,
                strike,
            }),
        }
    }
}

/// Whether a line break between two characters disappears, as between two
/// Chinese characters, rather than becoming a space as between two words.
fn joins_without_space(before: Option<char>, after: Option<char>) -> bool {
    let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
    wide(before) && wide(after)
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 => 1,
        HeadingLevel::H3 => 2,
        HeadingLevel::H4 => 3,
        HeadingLevel::H5 | HeadingLevel::H6 => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, strong: bool) -> Run {
        Run {
            text: text.to_string(),
            strong,
            emphasis: false,
            strike: false,
        }
    }

    #[test]
    fn headings_and_run_in_headings() {
        assert_eq!(
            blocks("## 一、基本情况\n\n**（一）要求**。正文\n\n### （二）其他\n"),
            vec![
                Block {
                    kind: Kind::Heading(1),
                    runs: vec![run("一、基本情况", false)],
                },
                Block {
                    kind: Kind::Paragraph,
                    runs: vec![run("（一）要求", true), run("。正文", false)],
                },
                Block {
                    kind: Kind::Heading(2),
                    runs: vec![run("（二）其他", false)],
                },
            ]
        );
    }

    #[test]
    fn line_breaks_between_chinese_vanish_and_raw_html_is_text() {
        let found = blocks("第一行\n第二行 and\nwords<b>x</b>\n");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].runs,
            vec![run("第一行第二行 and words<b>x</b>", false)]
        );
    }

    #[test]
    fn list_items_keep_their_numbers_and_links_their_address() {
        let found = blocks("3. 甲\n4. [乙](http://x.cn/)\n\n- 丙\n");
        let texts: Vec<String> = found
            .iter()
            .map(|block| block.runs.iter().map(|run| run.text.as_str()).collect())
            .collect();
        assert_eq!(texts, ["3. 甲", "4. 乙（http://x.cn/）", "• 丙"]);
    }
}
