//! The document's other parts: styles, settings, the font table, the two
//! page-number footers, its content types and relationships. The parts
//! every package has are [`crate::render::package`]'s.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::grid::Grid;
use super::style::Style;
use super::xml::{DECLARATION, R, W, escape, half_points, twips_from_mm, twips_from_points};
use crate::render::package;

/// Relationship ids of the footers of odd and even pages.
pub const FOOTER_ODD: &str = "rIdFooterOdd";
pub const FOOTER_EVEN: &str = "rIdFooterEven";

/// The package's parts by name, in the order they are zipped.
pub const DOCUMENT_RELS: &str = "word/_rels/document.xml.rels";
pub const DOCUMENT: &str = "word/document.xml";
pub const STYLES: &str = "word/styles.xml";
pub const SETTINGS: &str = "word/settings.xml";
pub const FONT_TABLE: &str = "word/fontTable.xml";
pub const ODD_FOOTER: &str = "word/footer1.xml";
pub const EVEN_FOOTER: &str = "word/footer2.xml";

/// The styles paragraphs and runs name. Staff see them in Word's and
/// WPS's style list, so the notice's parts can be restyled there at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StyleId {
    Normal,
    Issuer,
    Title,
    Addressees,
    Heading1,
    Heading2,
    Heading3,
    Heading4,
    /// A run-in level-two heading (`**（一）…**`), a character style.
    RunIn,
    AppendixLabel,
    AppendixTitle,
    TableText,
    TableHeading,
    TableNote,
    PageNumber,
}

impl StyleId {
    pub fn id(self) -> &'static str {
        match self {
            StyleId::Normal => "Normal",
            StyleId::Issuer => "Issuer",
            StyleId::Title => "Title",
            StyleId::Addressees => "Addressees",
            StyleId::Heading1 => "Heading1",
            StyleId::Heading2 => "Heading2",
            StyleId::Heading3 => "Heading3",
            StyleId::Heading4 => "Heading4",
            StyleId::RunIn => "RunIn",
            StyleId::AppendixLabel => "AppendixLabel",
            StyleId::AppendixTitle => "AppendixTitle",
            StyleId::TableText => "TableText",
            StyleId::TableHeading => "TableHeading",
            StyleId::TableNote => "TableNote",
            StyleId::PageNumber => "PageNumber",
        }
    }

    /// The name Word shows. Word's built-in names (`Normal`, `heading 1`)
    /// are shown in the user's language by Word and WPS themselves.
    fn name(self) -> &'static str {
        match self {
            StyleId::Normal => "Normal",
            StyleId::Issuer => "发文机关标志",
            StyleId::Title => "公文标题",
            StyleId::Addressees => "主送机关",
            StyleId::Heading1 => "heading 1",
            StyleId::Heading2 => "heading 2",
            StyleId::Heading3 => "heading 3",
            StyleId::Heading4 => "heading 4",
            StyleId::RunIn => "段首标题",
            StyleId::AppendixLabel => "附件标识",
            StyleId::AppendixTitle => "附件标题",
            StyleId::TableText => "表格文字",
            StyleId::TableHeading => "表格标题行",
            StyleId::TableNote => "表注",
            StyleId::PageNumber => "页码",
        }
    }
}

/// `word/styles.xml`: the body's font, size and language as the defaults,
/// and each part's style.
pub fn styles(style: &Style, grid: &Grid) -> String {
    let body = &style.body;
    let mut out = format!(
        "{DECLARATION}<w:styles xmlns:w=\"{W}\"><w:docDefaults><w:rPrDefault><w:rPr>{}\
<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        text_properties(&body.font, Some(body.size), None, None)
    );
    let definitions = notice_styles(style, grid)
        .into_iter()
        .chain(appendix_styles(style, grid));
    for (id, based_on, paragraph, run) in definitions {
        paragraph_style(&mut out, id, based_on, &paragraph, &run);
    }
    let _ = write!(
        out,
        "<w:style w:type=\"character\" w:styleId=\"{}\"><w:name w:val=\"{}\"/><w:qFormat/><w:rPr>{}</w:rPr></w:style>",
        StyleId::RunIn.id(),
        StyleId::RunIn.name(),
        fonts(&style.heading2)
    );
    out.push_str("</w:styles>");
    out
}

/// A style: its id, the style it is based on, and the insides of its
/// paragraph and run properties.
type Definition = (StyleId, Option<StyleId>, String, String);

const CENTRED: &str = "<w:ind w:firstLine=\"0\"/><w:jc w:val=\"center\"/>";

/// Paragraph properties for lines of exactly `line` twips, off the grid.
fn exact(line: i64) -> String {
    format!("<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"{line}\" w:lineRule=\"exact\"/>")
}

/// The styles of the notice itself: body text, 版头, title, 主送机关, and
/// the four levels of heading.
fn notice_styles(style: &Style, grid: &Grid) -> Vec<Definition> {
    let body = &style.body;
    let issuer = &style.issuer;
    let indent = grid.chars(2.0);
    vec![
        (
            StyleId::Normal,
            None,
            // No widow or orphan control, so that every full page holds the
            // grid's lines. Punctuation may hang past the 版心 at a line's
            // end, as Word, WPS and LibreOffice all let it by default
            // (LibreOffice reads w:overflowPunct inverted, so it is left out).
            format!(
                "<w:widowControl w:val=\"0\"/><w:ind w:firstLine=\"{indent}\"/><w:jc w:val=\"both\"/>"
            ),
            // The character spacing sets the grid's characters to a line.
            text_properties(&body.font, Some(body.size), None, Some(grid.letter_spacing)),
        ),
        (
            StyleId::Issuer,
            Some(StyleId::Normal),
            format!(
                "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"{}\" w:space=\"{}\" w:color=\"{}\"/></w:pBdr>\
<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"{}\" w:line=\"{}\" w:lineRule=\"exact\"/>{CENTRED}",
                (issuer.rule * 8.0).round().clamp(2.0, 96.0),
                issuer_rule_space(style),
                issuer.color,
                issuer_space_before(style),
                issuer_line(style),
            ),
            text_properties(
                &issuer.font,
                Some(issuer.size),
                Some(&issuer.color),
                Some(0),
            ),
        ),
        (
            StyleId::Title,
            Some(StyleId::Normal),
            format!("{}{CENTRED}", exact(grid.line_pitch)),
            text_properties(&style.title.font, Some(style.title.size), None, Some(0)),
        ),
        (
            StyleId::Addressees,
            Some(StyleId::Normal),
            "<w:ind w:firstLine=\"0\"/>".to_string(),
            String::new(),
        ),
        heading(StyleId::Heading1, 0, Some(&style.heading1)),
        heading(StyleId::Heading2, 1, Some(&style.heading2)),
        heading(StyleId::Heading3, 2, None),
        heading(StyleId::Heading4, 3, None),
    ]
}

/// The styles of the appendices and the page numbers.
fn appendix_styles(style: &Style, grid: &Grid) -> Vec<Definition> {
    let pitch = grid.line_pitch;
    let table = &style.table;
    let title = &style.appendix.title;
    let number = &style.page_number;
    vec![
        (
            StyleId::AppendixLabel,
            Some(StyleId::Normal),
            "<w:keepNext/><w:pageBreakBefore/><w:ind w:firstLine=\"0\"/><w:jc w:val=\"left\"/>"
                .to_string(),
            text_properties(&style.appendix.label_font, None, None, None),
        ),
        (
            StyleId::AppendixTitle,
            Some(StyleId::Normal),
            format!(
                "<w:keepNext/><w:snapToGrid w:val=\"0\"/><w:spacing w:after=\"{}\" w:line=\"{pitch}\" w:lineRule=\"exact\"/>{CENTRED}",
                pitch / 2
            ),
            text_properties(&title.font, Some(title.size), None, Some(0)),
        ),
        (
            StyleId::TableText,
            None,
            "<w:widowControl w:val=\"0\"/><w:snapToGrid w:val=\"0\"/><w:ind w:firstLine=\"0\"/><w:jc w:val=\"left\"/>"
                .to_string(),
            text_properties(&table.font, Some(table.size), None, None),
        ),
        (
            StyleId::TableHeading,
            Some(StyleId::TableText),
            "<w:jc w:val=\"center\"/>".to_string(),
            text_properties(&table.header_font, None, None, None),
        ),
        (
            StyleId::TableNote,
            Some(StyleId::TableText),
            "<w:jc w:val=\"both\"/>".to_string(),
            String::new(),
        ),
        (
            StyleId::PageNumber,
            None,
            format!(
                "{}<w:ind w:firstLine=\"0\"/>",
                exact(twips_from_points(number.size))
            ),
            text_properties(&number.font, Some(number.size), None, None),
        ),
    ]
}

/// The issuer's line: its size and a fifth, enough for the glyphs.
fn issuer_line(style: &Style) -> i64 {
    twips_from_points(style.issuer.size * 1.2)
}

/// Where the issuer's characters are inked within its line, as fractions
/// of their size: their top edge this far under the line's top, their
/// bottom edge this far over the line's bottom. Measured on the PDF that
/// LibreOffice prints with the Noto CJK fonts (docs/LAYOUT.md); other
/// Chinese faces fill the em box much alike.
const ISSUER_INK_TOP: f64 = 0.125;
const ISSUER_INK_BOTTOM: f64 = 0.15;

/// The space above the issuer, so that its characters' top edge lies
/// `issuer.top` under the 版心's top edge (GB/T 9704 7.2.3).
fn issuer_space_before(style: &Style) -> i64 {
    let above_ink = twips_from_points(style.issuer.size * ISSUER_INK_TOP);
    (twips_from_mm(style.issuer.top) - above_ink).max(0)
}

/// The border's distance under the issuer's line, in whole points (Word's
/// unit for it, at most 31), so that the red rule lies `issuer.gap` under
/// the characters' bottom edge.
fn issuer_rule_space(style: &Style) -> i64 {
    let gap = style.issuer.gap * 72.0 / 25.4 - style.issuer.size * ISSUER_INK_BOTTOM;
    gap.round().clamp(0.0, 31.0) as i64
}

/// A heading style: kept with the next paragraph, in the outline, in
/// `font` or the body's.
fn heading(id: StyleId, level: u8, font: Option<&String>) -> Definition {
    (
        id,
        Some(StyleId::Normal),
        format!("<w:keepNext/><w:outlineLvl w:val=\"{level}\"/>"),
        font.map(|font| text_properties(font, None, None, None))
            .unwrap_or_default(),
    )
}

fn paragraph_style(
    out: &mut String,
    id: StyleId,
    based_on: Option<StyleId>,
    paragraph: &str,
    run: &str,
) {
    let default = if id == StyleId::Normal {
        " w:default=\"1\""
    } else {
        ""
    };
    let based_on = based_on
        .map(|base| format!("<w:basedOn w:val=\"{}\"/>", base.id()))
        .unwrap_or_default();
    let run = if run.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{run}</w:rPr>")
    };
    let _ = write!(
        out,
        "<w:style w:type=\"paragraph\"{default} w:styleId=\"{}\"><w:name w:val=\"{}\"/>{based_on}<w:qFormat/><w:pPr>{paragraph}</w:pPr>{run}</w:style>",
        id.id(),
        id.name()
    );
}

/// `w:rFonts` naming `font` for every script.
fn fonts(font: &str) -> String {
    let font = escape(font);
    format!(
        "<w:rFonts w:ascii=\"{font}\" w:eastAsia=\"{font}\" w:hAnsi=\"{font}\" w:cs=\"{font}\" w:hint=\"eastAsia\"/>"
    )
}

/// The inside of a `w:rPr`: font, colour, character spacing (in twips) and
/// size, in the schema's order.
fn text_properties(
    font: &str,
    size: Option<f64>,
    color: Option<&str>,
    spacing: Option<i64>,
) -> String {
    let mut out = fonts(font);
    if let Some(color) = color {
        let _ = write!(out, "<w:color w:val=\"{}\"/>", escape(color));
    }
    if let Some(spacing) = spacing {
        let _ = write!(out, "<w:spacing w:val=\"{spacing}\"/>");
    }
    if let Some(size) = size {
        let half = half_points(size);
        let _ = write!(out, "<w:sz w:val=\"{half}\"/><w:szCs w:val=\"{half}\"/>");
    }
    out
}

/// `word/settings.xml`: different footers on odd and even pages, and full-
/// width punctuation kept a full character wide, as on the grid.
pub fn settings() -> String {
    format!(
        "{DECLARATION}<w:settings xmlns:w=\"{W}\"><w:zoom w:percent=\"100\"/>\
<w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/>\
<w:characterSpacingControl w:val=\"doNotCompress\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>"
    )
}

/// `word/fontTable.xml`: every font the style names, as a Chinese (GB2312)
/// font, with the style's fallback as its alternative name, so that a
/// computer without it substitutes a Chinese font of the same kind.
pub fn font_table(style: &Style) -> String {
    let names: BTreeSet<&str> = [
        style.issuer.font.as_str(),
        &style.title.font,
        &style.body.font,
        &style.heading1,
        &style.heading2,
        &style.appendix.label_font,
        &style.appendix.title.font,
        &style.table.font,
        &style.table.header_font,
        &style.page_number.font,
    ]
    .into_iter()
    .collect();
    let mut out = format!("{DECLARATION}<w:fonts xmlns:w=\"{W}\">");
    for name in names {
        let alternative = style
            .fallbacks
            .get(name)
            .map(|alternative| format!("<w:altName w:val=\"{}\"/>", escape(alternative)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<w:font w:name=\"{}\">{alternative}<w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>",
            escape(name)
        );
    }
    out.push_str("</w:fonts>");
    out
}

/// A footer with the page number "— N —", on the right of odd pages or
/// the left of even ones, one character of its own size in.
pub fn footer(style: &Style, odd: bool) -> String {
    let inset = twips_from_points(style.page_number.size);
    let (side, jc) = if odd {
        ("right", "right")
    } else {
        ("left", "left")
    };
    let text = |text: &str| format!("<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>");
    let field = |kind: &str| format!("<w:r><w:fldChar w:fldCharType=\"{kind}\"/></w:r>");
    format!(
        "{DECLARATION}<w:ftr xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:p><w:pPr><w:pStyle w:val=\"{}\"/>\
<w:ind w:{side}=\"{inset}\" w:firstLine=\"0\"/><w:jc w:val=\"{jc}\"/></w:pPr>\
{}{}<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>{}{}{}{}</w:p></w:ftr>",
        StyleId::PageNumber.id(),
        text("— "),
        field("begin"),
        field("separate"),
        text("1"),
        field("end"),
        text(" —"),
    )
}

/// `[Content_Types].xml`: the document's parts' types.
pub fn content_types() -> String {
    const MAIN: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    package::content_types(&[
        (DOCUMENT, format!("{MAIN}.document.main+xml")),
        (STYLES, format!("{MAIN}.styles+xml")),
        (SETTINGS, format!("{MAIN}.settings+xml")),
        (FONT_TABLE, format!("{MAIN}.fontTable+xml")),
        (ODD_FOOTER, format!("{MAIN}.footer+xml")),
        (EVEN_FOOTER, format!("{MAIN}.footer+xml")),
    ])
}

pub fn document_relationships() -> String {
    let word = |part: &'static str| part.trim_start_matches("word/");
    package::relationships(&[
        (
            "rIdStyles",
            "officeDocument/2006/relationships/styles",
            word(STYLES),
        ),
        (
            "rIdSettings",
            "officeDocument/2006/relationships/settings",
            word(SETTINGS),
        ),
        (
            "rIdFontTable",
            "officeDocument/2006/relationships/fontTable",
            word(FONT_TABLE),
        ),
        (
            FOOTER_ODD,
            "officeDocument/2006/relationships/footer",
            word(ODD_FOOTER),
        ),
        (
            FOOTER_EVEN,
            "officeDocument/2006/relationships/footer",
            word(EVEN_FOOTER),
        ),
    ])
}
