//! The Word document's style: the fonts, sizes, margins and colours of the
//! theme's `docx/style.toml`, checked and turned into plain numbers.
//!
//! The file is the county's to change, so every value is checked here and
//! a wrong one is reported at its line and column; the writer then never
//! meets a length it cannot lay out.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Location, Severity};
use crate::load::parse_registered_toml;

/// A checked style. Lengths are in millimetres, sizes in points.
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    pub page: Page,
    pub issuer: Issuer,
    pub title: Text,
    pub body: Text,
    /// Font of level-one headings (`一、`), in the body's size.
    pub heading1: String,
    /// Font of level-two headings (`（一）`), in the body's size.
    pub heading2: String,
    pub appendix: Appendix,
    pub table: Table,
    pub page_number: PageNumber,
    /// Font name → the font Word or WPS should use where it is missing.
    pub fallbacks: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub width: f64,
    pub height: f64,
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
    /// Lines of body text on a page (the document grid).
    pub lines: u32,
    /// Characters of body text on a line.
    pub characters: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Issuer {
    pub font: String,
    pub size: f64,
    /// `RRGGBB`, upper case.
    pub color: String,
    /// From the 版心's top edge to the issuer's.
    pub top: f64,
    /// From the issuer's line to the rule under it.
    pub gap: f64,
    /// The rule's thickness, in points.
    pub rule: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub font: String,
    pub size: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Appendix {
    pub label_font: String,
    pub title: Text,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub font: String,
    pub header_font: String,
    pub size: f64,
    pub numbers: Align,
    /// Percentages of the table's width.
    pub rank_width: f64,
    pub unit_width: f64,
    /// The least height of a row.
    pub row_height: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

impl Align {
    /// The WordprocessingML paragraph property (`w:jc`) that aligns so.
    pub fn justification(self) -> &'static str {
        match self {
            Align::Left => "<w:jc w:val=\"left\"/>",
            Align::Center => "<w:jc w:val=\"center\"/>",
            Align::Right => "<w:jc w:val=\"right\"/>",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PageNumber {
    pub font: String,
    pub size: f64,
    /// From the 版心's bottom edge to the dashes.
    pub below: f64,
}

impl Style {
    /// Parses and checks the theme's style file, read in the load stage.
    /// Returns `None` when any value is wrong; every problem is reported.
    pub fn parse(file: FileId, diagnostics: &mut Diagnostics) -> Option<Style> {
        let raw = parse_registered_toml::<RawStyle>(file, diagnostics)?;
        let errors_before = diagnostics.count(Severity::Error);
        let style = Checker { file, diagnostics }.style(raw);
        (diagnostics.count(Severity::Error) == errors_before).then_some(style)
    }

    /// The 版心's width and height.
    pub fn text_area(&self) -> (f64, f64) {
        let page = &self.page;
        (
            page.width - page.left - page.right,
            page.height - page.top - page.bottom,
        )
    }
}

type Number = Spanned<toml::Value>;
type Name = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    page: RawPage,
    issuer: RawIssuer,
    title: RawText,
    body: RawText,
    heading1: RawFont,
    heading2: RawFont,
    appendix: RawAppendix,
    table: RawTable,
    page_number: RawPageNumber,
    #[serde(default)]
    fallbacks: BTreeMap<String, Name>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    width: Number,
    height: Number,
    top: Number,
    bottom: Number,
    left: Number,
    right: Number,
    lines: Number,
    characters: Number,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    font: Name,
    size: Number,
    color: Name,
    top: Number,
    gap: Number,
    rule: Number,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    font: Name,
    size: Number,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFont {
    font: Name,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAppendix {
    label_font: Name,
    title_font: Name,
    title_size: Number,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    font: Name,
    header_font: Name,
    size: Number,
    numbers: Name,
    rank_width: Number,
    unit_width: Number,
    row_height: Number,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPageNumber {
    font: Name,
    size: Number,
    below: Number,
}

/// Chinese type sizes (字号) in points.
const SIZE_NAMES: [(&str, f64); 16] = [
    ("初号", 42.0),
    ("小初", 36.0),
    ("一号", 26.0),
    ("小一", 24.0),
    ("二号", 22.0),
    ("小二", 18.0),
    ("三号", 16.0),
    ("小三", 15.0),
    ("四号", 14.0),
    ("小四", 12.0),
    ("五号", 10.5),
    ("小五", 9.0),
    ("六号", 7.5),
    ("小六", 6.5),
    ("七号", 5.5),
    ("八号", 5.0),
];

/// The size a 字号 name stands for: `三号`, `3号`, `小四`, `初号`.
fn named_size(name: &str) -> Option<f64> {
    const NUMERALS: [(char, char); 8] = [
        ('1', '一'),
        ('2', '二'),
        ('3', '三'),
        ('4', '四'),
        ('5', '五'),
        ('6', '六'),
        ('7', '七'),
        ('8', '八'),
    ];
    let name: String = name
        .trim()
        .chars()
        .map(|c| {
            NUMERALS
                .iter()
                .find(|(digit, _)| *digit == c)
                .map_or(c, |(_, numeral)| *numeral)
        })
        .collect();
    SIZE_NAMES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, points)| *points)
}

/// Checks raw values, reporting each wrong one at its place in the file.
/// A wrong value is replaced by a harmless one so that checking goes on;
/// [`Style::read`] discards the result when anything was reported.
struct Checker<'d> {
    file: FileId,
    diagnostics: &'d mut Diagnostics,
}

impl Checker<'_> {
    fn style(&mut self, raw: RawStyle) -> Style {
        let style = Style {
            page: self.page(&raw.page),
            issuer: Issuer {
                font: self.font("issuer.font", &raw.issuer.font),
                size: self.size("issuer.size", &raw.issuer.size),
                color: self.color("issuer.color", &raw.issuer.color),
                top: self.number("issuer.top", &raw.issuer.top, 0.0, 200.0, "毫米"),
                gap: self.number("issuer.gap", &raw.issuer.gap, 0.0, 10.0, "毫米"),
                rule: self.number("issuer.rule", &raw.issuer.rule, 0.25, 6.0, "磅"),
            },
            title: self.text("title", &raw.title),
            body: self.text("body", &raw.body),
            heading1: self.font("heading1.font", &raw.heading1.font),
            heading2: self.font("heading2.font", &raw.heading2.font),
            appendix: Appendix {
                label_font: self.font("appendix.label_font", &raw.appendix.label_font),
                title: Text {
                    font: self.font("appendix.title_font", &raw.appendix.title_font),
                    size: self.size("appendix.title_size", &raw.appendix.title_size),
                },
            },
            table: self.table(&raw.table),
            page_number: PageNumber {
                font: self.font("page_number.font", &raw.page_number.font),
                size: self.size("page_number.size", &raw.page_number.size),
                below: self.number(
                    "page_number.below",
                    &raw.page_number.below,
                    0.0,
                    50.0,
                    "毫米",
                ),
            },
            fallbacks: raw
                .fallbacks
                .iter()
                .map(|(font, fallback)| (font.clone(), self.font("fallbacks", fallback)))
                .collect(),
        };
        self.fits(&style, &raw);
        style
    }

    fn page(&mut self, raw: &RawPage) -> Page {
        let mut margin = |key: &str, value: &Number| self.number(key, value, 0.0, 200.0, "毫米");
        let (top, bottom) = (
            margin("page.top", &raw.top),
            margin("page.bottom", &raw.bottom),
        );
        let (left, right) = (
            margin("page.left", &raw.left),
            margin("page.right", &raw.right),
        );
        Page {
            width: self.number("page.width", &raw.width, 50.0, 1000.0, "毫米"),
            height: self.number("page.height", &raw.height, 50.0, 1000.0, "毫米"),
            top,
            bottom,
            left,
            right,
            lines: self.count("page.lines", &raw.lines),
            characters: self.count("page.characters", &raw.characters),
        }
    }

    fn text(&mut self, section: &str, raw: &RawText) -> Text {
        Text {
            font: self.font(&format!("{section}.font"), &raw.font),
            size: self.size(&format!("{section}.size"), &raw.size),
        }
    }

    fn table(&mut self, raw: &RawTable) -> Table {
        Table {
            font: self.font("table.font", &raw.font),
            header_font: self.font("table.header_font", &raw.header_font),
            size: self.size("table.size", &raw.size),
            numbers: self.align("table.numbers", &raw.numbers),
            rank_width: self.number("table.rank_width", &raw.rank_width, 1.0, 50.0, "%"),
            unit_width: self.number("table.unit_width", &raw.unit_width, 1.0, 80.0, "%"),
            row_height: self.number("table.row_height", &raw.row_height, 0.0, 50.0, "毫米"),
        }
    }

    /// Checks that the parts fit together: a 版心 remains inside the
    /// margins, the issuer inside the 版心, columns inside the table.
    fn fits(&mut self, style: &Style, raw: &RawStyle) {
        let (width, height) = style.text_area();
        if width < 20.0 {
            self.report(
                &raw.page.right,
                "版心宽度不足 20 毫米：page.width 减去 page.left 和 page.right 太小".to_string(),
            );
        }
        if height < 20.0 {
            self.report(
                &raw.page.bottom,
                "版心高度不足 20 毫米：page.height 减去 page.top 和 page.bottom 太小".to_string(),
            );
        }
        if height >= 20.0 && style.issuer.top >= height {
            self.report(
                &raw.issuer.top,
                format!(
                    "issuer.top 为 {} 毫米，超出了 {height} 毫米高的版心",
                    style.issuer.top
                ),
            );
        }
        if style.table.rank_width + style.table.unit_width > 90.0 {
            self.report(
                &raw.table.unit_width,
                "table.rank_width 与 table.unit_width 之和超过 90%，数字列没有位置".to_string(),
            );
        }
    }

    fn report(&mut self, at: &Number, message: String) {
        let location = Location::new(self.file, at.span());
        self.diagnostics
            .push(Diagnostic::error(message).at(&location));
    }

    fn number(&mut self, key: &str, value: &Number, min: f64, max: f64, unit: &str) -> f64 {
        let number = match value.get_ref() {
            toml::Value::Integer(number) => Some(*number as f64),
            toml::Value::Float(number) => Some(*number),
            _ => None,
        };
        match number {
            Some(number) if (min..=max).contains(&number) => number,
            _ => {
                self.report(
                    value,
                    format!("{key} 应为 {min} 到 {max} 之间的数（{unit}）"),
                );
                min
            }
        }
    }

    fn count(&mut self, key: &str, value: &Number) -> u32 {
        match value.get_ref() {
            toml::Value::Integer(number @ 1..=100) => *number as u32,
            _ => {
                self.report(value, format!("{key} 应为 1 到 100 之间的整数"));
                1
            }
        }
    }

    fn size(&mut self, key: &str, value: &Number) -> f64 {
        let points = match value.get_ref() {
            toml::Value::Integer(number) => Some(*number as f64),
            toml::Value::Float(number) => Some(*number),
            toml::Value::String(name) => named_size(name),
            _ => None,
        }
        .filter(|points| (1.0..=100.0).contains(points));
        points.unwrap_or_else(|| {
            let location = Location::new(self.file, value.span());
            self.diagnostics.push(
                Diagnostic::error(format!("{key} 不是可用的字号"))
                    .at(&location)
                    .hint("写 1 到 100 之间的磅值（如 16），或字号名（如 \"3号\"、\"三号\"、\"小四\"）"),
            );
            16.0
        })
    }

    fn font(&mut self, key: &str, value: &Name) -> String {
        let name = value.get_ref().trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            let location = Location::new(self.file, value.span());
            self.diagnostics.push(
                Diagnostic::error(format!("{key} 应为字体名称"))
                    .at(&location)
                    .hint("写 Word 或 WPS 字体列表中的名称，如 \"仿宋_GB2312\""),
            );
        }
        name.to_string()
    }

    fn color(&mut self, key: &str, value: &Name) -> String {
        let hex = value.get_ref().trim().strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return hex.to_ascii_uppercase();
        }
        let location = Location::new(self.file, value.span());
        self.diagnostics.push(
            Diagnostic::error(format!("{key} 应为 #RRGGBB 形式的颜色"))
                .at(&location)
                .hint("红色写 \"#FF0000\""),
        );
        "000000".to_string()
    }

    fn align(&mut self, key: &str, value: &Name) -> Align {
        match value.get_ref().trim() {
            "left" => Align::Left,
            "center" => Align::Center,
            "right" => Align::Right,
            _ => {
                let location = Location::new(self.file, value.span());
                self.diagnostics.push(
                    Diagnostic::error(format!("{key} 应为 \"left\"、\"center\" 或 \"right\""))
                        .at(&location),
                );
                Align::Right
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::named_size;

    #[test]
    fn size_names_read_in_either_numeral() {
        assert_eq!(named_size("2号"), Some(22.0));
        assert_eq!(named_size("二号"), Some(22.0));
        assert_eq!(named_size("小四"), Some(12.0));
        assert_eq!(named_size("小4"), Some(12.0));
        assert_eq!(named_size("初号"), Some(42.0));
        assert_eq!(named_size(" 5号 "), Some(10.5));
        assert_eq!(named_size("9号"), None);
        assert_eq!(named_size("大号"), None);
    }
}
