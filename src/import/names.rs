//! Names as they are compared: a unit name or a header from an export
//! matches the one in `data.toml` or `site.toml` whatever its spaces and
//! its full-width or half-width characters. And text as it is shown: what
//! an export holds reaches the clerk's terminal escaped.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// NFKC (full-width letters, digits and brackets become half-width, the
/// ideographic space a plain one), with every space and invisible
/// character removed: `" 十字路 街道 "` and `"十字路街道"` are the same name,
/// and so are `镇街（园区）` and `镇街(园区)`.
pub fn normalize(name: &str) -> String {
    name.nfkc()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .collect()
}

/// A normalized header without a trailing note in brackets:
/// `信息公开(采用数)` → `信息公开`.
pub fn without_trailing_note(name: &str) -> &str {
    match name.strip_suffix(')').and_then(|rest| rest.rfind('(')) {
        Some(open) if open > 0 => &name[..open],
        _ => name,
    }
}

/// Text for a terminal: control characters (ESC, which starts the
/// sequences that move the cursor or rewrite the screen, and every other
/// C0 and C1 character, line breaks included) and the invisible marks that
/// reorder text (bidirectional controls) are written as Rust escapes such as
/// `\u{1b}`; everything else is unchanged.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_widths_do_not_matter() {
        assert_eq!(normalize(" 十字路　街道 "), "十字路街道");
        assert_eq!(normalize("镇街（园区）"), normalize("镇街(园区)"));
        assert_eq!(normalize("ＡＢ１２"), "AB12");
        assert_eq!(normalize("\u{feff}气象局\u{200b}"), "气象局");
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(shown("十字路街道"), "十字路街道");
        assert_eq!(shown("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(shown("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(shown("x\ty\r\n"), "x\\ty\\r\\n");
        assert_eq!(shown("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(shown("“引号” \\ 'x'"), "“引号” \\ 'x'");
    }

    #[test]
    fn a_trailing_note_is_dropped() {
        assert_eq!(
            without_trailing_note(&normalize("信息公开（采用数）")),
            "信息公开"
        );
        assert_eq!(without_trailing_note("(全部)"), "(全部)");
        assert_eq!(without_trailing_note("国办"), "国办");
    }
}
