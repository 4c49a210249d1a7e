//! The page in Word's units: margins, the 版心, and the document grid of
//! GB/T 9704 (22 lines of 28 characters), from the style's millimetres.
//!
//! The lines are Word's line grid (`w:docGrid w:type="lines"`), which
//! Word, WPS and LibreOffice all honour. The characters are not Word's
//! character grid: LibreOffice gives a character wider than the grid's
//! pitch two cells, and 28 characters of 3号 (16 pt) need a pitch of
//! 15.79 pt, so a character grid would set 14 to a line there. Body text
//! instead has its character spacing reduced by the difference
//! (`w:spacing`, a quarter of a point for 3号 on A4), which every program
//! applies alike.

use super::style::Style;
use super::xml::twips_from_mm;

/// Lengths in twips (twentieths of a point).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub page_width: i64,
    pub page_height: i64,
    pub top: i64,
    pub bottom: i64,
    pub left: i64,
    pub right: i64,
    /// The 版心's width: the page's less the left and right margins.
    pub text_width: i64,
    /// The distance of one line of body text to the next.
    pub line_pitch: i64,
    /// The distance of one character of body text to the next.
    pub char_pitch: f64,
    /// The spacing added to each character of body text (negative: taken
    /// away) so that a line holds the grid's characters.
    pub letter_spacing: i64,
}

/// Half a point, in twips: the pitches are set this much under the exact
/// fraction of the 版心 so that rounding in Word, WPS or LibreOffice cannot
/// push the last character or line over (as docs/LAYOUT.md does for print).
const SLACK: f64 = 10.0;

impl Grid {
    pub fn new(style: &Style) -> Grid {
        let page = &style.page;
        let page_width = twips_from_mm(page.width);
        let page_height = twips_from_mm(page.height);
        let (top, bottom) = (twips_from_mm(page.top), twips_from_mm(page.bottom));
        let (left, right) = (twips_from_mm(page.left), twips_from_mm(page.right));
        let text_width = page_width - left - right;
        let text_height = page_height - top - bottom;
        let line_pitch = ((text_height as f64 - SLACK) / f64::from(page.lines)).floor() as i64;
        let char_pitch = (text_width as f64 - SLACK) / f64::from(page.characters);
        let letter_spacing = (char_pitch - style.body.size * 20.0).floor() as i64;
        Grid {
            page_width,
            page_height,
            top,
            bottom,
            left,
            right,
            text_width,
            line_pitch,
            char_pitch,
            letter_spacing,
        }
    }

    /// The width of `count` characters of body text.
    pub fn chars(&self, count: f64) -> i64 {
        (count * self.char_pitch).round() as i64
    }
}

/// The width of `text` in characters of the grid: a full-width character
/// takes one, an ASCII character (a digit of a date) half of one.
pub fn width_in_chars(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}
