//! XML text for WordprocessingML: escaping, runs of text, and the units
//! Word measures in.
//!
//! Every piece of text that reaches the document goes through [`escape`]
//! (shared with the workbooks, in [`crate::render::package`]), which also
//! drops the characters XML 1.0 forbids (most C0 controls) and the other
//! control characters, so no input can make the file unreadable.

/// The WordprocessingML main namespace and the relationships namespace.
pub const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

pub use crate::render::package::{DECLARATION, escape};

use crate::render::package::escape_char;

/// Appends the content of a run (`w:r`) showing `text`: `w:t` pieces, a
/// tab as `w:tab`, a line break as `w:br`; other control characters are
/// dropped. Written straight into the document, which a notice's tables
/// fill with thousands of runs.
pub fn run_text(out: &mut String, text: &str) {
    const OPEN: &str = "<w:t xml:space=\"preserve\">";
    const CLOSE: &str = "</w:t>";
    // Whether a `w:t` is open: a piece starts at any character but a tab
    // or a line break, even one that escaping then drops.
    let mut open = false;
    for c in text.chars() {
        let element = match c {
            '\t' => "<w:tab/>",
            '\n' => "<w:br/>",
            c => {
                if !open {
                    out.push_str(OPEN);
                    open = true;
                }
                escape_char(out, c);
                continue;
            }
        };
        if open {
            out.push_str(CLOSE);
            open = false;
        }
        out.push_str(element);
    }
    if open {
        out.push_str(CLOSE);
    }
}

/// Millimetres in twentieths of a point (twips), Word's unit of length.
pub fn twips_from_mm(mm: f64) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
}

/// Points in twips.
pub fn twips_from_points(points: f64) -> i64 {
    (points * 20.0).round() as i64
}

/// Points in half-points, Word's unit of font size.
pub fn half_points(points: f64) -> i64 {
    (points * 2.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> String {
        let mut out = String::new();
        run_text(&mut out, text);
        out
    }

    #[test]
    fn tabs_and_line_breaks_become_elements() {
        assert_eq!(
            run("附件：\t1.\n<x>\r"),
            "<w:t xml:space=\"preserve\">附件：</w:t><w:tab/><w:t xml:space=\"preserve\">1.</w:t><w:br/><w:t xml:space=\"preserve\">&lt;x&gt;</w:t>"
        );
        assert_eq!(run(""), "");
        // A piece of dropped characters still opens and closes a `w:t`.
        assert_eq!(run("\r\t"), "<w:t xml:space=\"preserve\"></w:t><w:tab/>");
    }

    #[test]
    fn units() {
        assert_eq!(twips_from_mm(210.0), 11906);
        assert_eq!(twips_from_mm(297.0), 16838);
        assert_eq!(twips_from_points(16.0), 320);
        assert_eq!(half_points(10.5), 21);
    }
}
