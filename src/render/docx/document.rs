//! `word/document.xml`: the notice in the order GB/T 9704 sets it out, then
//! each appendix on a new page.
//!
//! Paragraphs name the styles of `styles.xml` (see [`super::parts`]), so
//! staff who restyle a heading in Word restyle all of them; only positions
//! that depend on the text (the signature, the attachment list) are set on
//! the paragraph itself.

use std::fmt::Write;

use super::body::{self, Block, Kind};
use super::grid::{Grid, width_in_chars};
use super::parts::{FOOTER_EVEN, FOOTER_ODD, StyleId};
use super::style::Style;
use super::table;
use super::xml::{DECLARATION, R, W, run_text, twips_from_mm, twips_from_points};
use crate::render::view::{AppendixView, NoticeView};

/// The whole `word/document.xml`.
pub fn document(
    notice: &NoticeView,
    appendices: &[AppendixView],
    style: &Style,
    grid: &Grid,
) -> String {
    let mut out = format!("{DECLARATION}<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>");
    head(&mut out, notice);
    for block in body::blocks(&notice.markdown) {
        block_paragraph(&mut out, &block);
    }
    if let Some(contact) = &notice.contact {
        let office = format!("联系科室：{}", contact.office);
        paragraph(&mut out, StyleId::Normal, "", &office);
        let phone = format!("联系电话：{}", contact.phone);
        paragraph(&mut out, StyleId::Normal, "", &phone);
    }
    attachment_list(&mut out, notice, grid);
    signature(&mut out, notice, style, grid);
    for appendix in appendices {
        table::appendix(&mut out, appendix, style, grid);
    }
    section(&mut out, style, grid);
    out.push_str("</w:body></w:document>");
    out
}

/// The 版头, the title and the 主送机关.
fn head(out: &mut String, notice: &NoticeView) {
    paragraph(out, StyleId::Issuer, "", &notice.office);
    // 标题 two lines under the red rule (7.3.1).
    empty(out, StyleId::Normal);
    empty(out, StyleId::Normal);
    let title = notice.title_lines.join("\n");
    paragraph(out, StyleId::Title, "", &title);
    // 主送机关 one line under the title (7.3.2).
    empty(out, StyleId::Normal);
    let addressees = format!("{}：", notice.addressees);
    paragraph(out, StyleId::Addressees, "", &addressees);
}

/// A Markdown block as a paragraph in its style, bold runs in the
/// level-two heading's font.
fn block_paragraph(out: &mut String, block: &Block) {
    let style = match block.kind {
        Kind::Paragraph => StyleId::Normal,
        Kind::Heading(1) => StyleId::Heading1,
        Kind::Heading(2) => StyleId::Heading2,
        Kind::Heading(3) => StyleId::Heading3,
        Kind::Heading(_) => StyleId::Heading4,
    };
    let _ = write!(
        out,
        "<w:p><w:pPr><w:pStyle w:val=\"{}\"/></w:pPr>",
        style.id()
    );
    for text_run in &block.runs {
        let mut properties = String::new();
        if text_run.strong {
            let _ = write!(properties, "<w:rStyle w:val=\"{}\"/>", StyleId::RunIn.id());
        }
        if text_run.emphasis {
            properties.push_str("<w:i/>");
        }
        if text_run.strike {
            properties.push_str("<w:strike/>");
        }
        run(out, &properties, &text_run.text);
    }
    out.push_str("</w:p>");
}

/// 附件说明 (7.3.4): one line under the body, two characters in,
/// "附件：1. 名称", each name's later lines under its first character.
fn attachment_list(out: &mut String, notice: &NoticeView, grid: &Grid) {
    if notice.attachments.is_empty() {
        return;
    }
    empty(out, StyleId::Normal);
    const LEAD: &str = "附件：";
    // Names start after two characters of indent, the lead, and a number
    // one and a half characters wide.
    let indent = 2.0;
    let name_at = grid.chars(indent + width_in_chars(LEAD) + 1.5);
    for (index, attachment) in notice.attachments.iter().enumerate() {
        let (starts_at, lead) = if index == 0 {
            (grid.chars(indent), LEAD)
        } else {
            (grid.chars(indent + width_in_chars(LEAD)), "")
        };
        let properties = format!(
            "<w:keepLines/><w:tabs><w:tab w:val=\"left\" w:pos=\"{name_at}\"/></w:tabs><w:ind w:left=\"{name_at}\" w:hanging=\"{}\"/>",
            name_at - starts_at
        );
        let text = format!("{lead}{}.\t{}", attachment.number, attachment.title);
        paragraph(out, StyleId::Normal, &properties, &text);
    }
}

/// 署名 and 成文日期 without a seal (7.3.5.2): one line under the body, the
/// office two characters from the right, the date under it starting two
/// characters right of the office's first; a date longer than that stays
/// two characters from the right and moves the office left.
fn signature(out: &mut String, notice: &NoticeView, style: &Style, grid: &Grid) {
    empty(out, StyleId::Normal);
    let line = f64::from(style.page.characters);
    let block = width_in_chars(&notice.office).max(width_in_chars(&notice.date) + 2.0);
    let office_at = (line - 2.0 - block).max(0.0);
    for (text, at, keep) in [
        (&notice.office, office_at, "<w:keepNext/>"),
        (&notice.date, office_at + 2.0, ""),
    ] {
        let properties = format!(
            "{keep}<w:ind w:left=\"{}\" w:firstLine=\"0\"/><w:jc w:val=\"left\"/>",
            grid.chars(at)
        );
        paragraph(out, StyleId::Normal, &properties, text);
    }
}

/// The section: A4 with the standard's margins, the odd and even page
/// numbers, and the document grid.
fn section(out: &mut String, style: &Style, grid: &Grid) {
    let number = &style.page_number;
    // The dashes sit at the middle of the number's line, whose height is
    // the number's size; the footer's distance is to the line's bottom.
    let footer =
        twips_from_mm(style.page.bottom - number.below) - twips_from_points(number.size) / 2;
    let _ = write!(
        out,
        "<w:sectPr>\
<w:footerReference w:type=\"default\" r:id=\"{FOOTER_ODD}\"/>\
<w:footerReference w:type=\"even\" r:id=\"{FOOTER_EVEN}\"/>\
<w:pgSz w:w=\"{}\" w:h=\"{}\"/>\
<w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"{}\" w:gutter=\"0\"/>\
<w:cols w:space=\"425\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"{}\"/>\
</w:sectPr>",
        grid.page_width,
        grid.page_height,
        grid.top,
        grid.right,
        grid.bottom,
        grid.left,
        footer.max(0),
        grid.line_pitch,
    );
}

/// Appends a paragraph in `style` with extra paragraph properties and one
/// run showing `text` (none when `text` is empty).
pub fn paragraph(out: &mut String, style: StyleId, properties: &str, text: &str) {
    let _ = write!(
        out,
        "<w:p><w:pPr><w:pStyle w:val=\"{}\"/>{properties}</w:pPr>",
        style.id()
    );
    if !text.is_empty() {
        run(out, "", text);
    }
    out.push_str("</w:p>");
}

/// Appends an empty paragraph: one blank line of `style`.
pub fn empty(out: &mut String, style: StyleId) {
    paragraph(out, style, "", "");
}

/// Appends a run with run properties (the inside of `w:rPr`, may be
/// empty).
fn run(out: &mut String, properties: &str, text: &str) {
    out.push_str("<w:r>");
    if !properties.is_empty() {
        let _ = write!(out, "<w:rPr>{properties}</w:rPr>");
    }
    run_text(out, text);
    out.push_str("</w:r>");
}
