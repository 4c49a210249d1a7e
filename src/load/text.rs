//! Characters that must not reach a page, the feed or a download.
//!
//! Every text the site publishes comes from a TOML string or from
//! notice.md, so both are checked as they are loaded: a control character
//! (`\u0007` in the site title made `atom.xml` malformed XML, and NUL went
//! into HTML and CSV), a character XML cannot carry, or a bidirectional
//! control that makes a page show text in another order than the file.
//! Tab and line breaks (LF, or CR LF) are ordinary text.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Location};

/// Why a character is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A C0 control other than tab and line feed, a carriage return not
    /// before a line feed, DEL, or a C1 control (U+0080–U+009F).
    Control,
    /// An embedding, override or isolate (U+202A–U+202E, U+2066–U+2069):
    /// invisible, it reorders the text around it.
    Bidirectional,
    /// U+FFFE or U+FFFF, which XML 1.0 does not allow.
    Noncharacter,
}

/// Whether `c` may be published; `next` is the character after it, since a
/// carriage return is text only as the first half of CR LF.
pub fn refused(c: char, next: Option<char>) -> Option<Refused> {
    match c {
        '\t' | '\n' => None,
        '\r' if next == Some('\n') => None,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(Refused::Control),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some(Refused::Bidirectional),
        '\u{fffe}' | '\u{ffff}' => Some(Refused::Noncharacter),
        _ => None,
    }
}

/// The first refused character of `text`: its position in characters, the
/// byte range it takes, the character and why.
fn first_refused(text: &str) -> Option<(usize, Range<usize>, char, Refused)> {
    let mut chars = text.char_indices().enumerate().peekable();
    while let Some((index, (at, c))) = chars.next() {
        let next = chars.peek().map(|(_, (_, next))| *next);
        if let Some(why) = refused(c, next) {
            return Some((index, at..at + c.len_utf8(), c, why));
        }
    }
    None
}

/// The message for a refused character at `location`.
pub(crate) fn refusal(c: char, why: Refused, location: &Location) -> Diagnostic {
    let code = format!("U+{:04X}", u32::from(c));
    let (message, hint) = match why {
        Refused::Control => (
            format!("文本中有不可见的控制字符 {code}"),
            "控制字符会让订阅源 atom.xml 无法解析，并原样进入网页和 CSV；删去它（它常随从其他软件复制的文字混入）",
        ),
        Refused::Bidirectional => (
            format!("文本中有双向文本控制符 {code}"),
            "它不可见，却会让网页上的文字换序显示，与文件中看到的不同；删去它",
        ),
        Refused::Noncharacter => (
            format!("文本中有非字符 {code}"),
            "XML 不允许这个字符，订阅源 atom.xml 会无法解析；删去它",
        ),
    };
    Diagnostic::error(message)
        .at(location)
        .label("这里")
        .hint(hint)
}

/// The most characters (UTF-16 code units) an Excel cell holds. Loading
/// and validation refuse longer texts where they are written, before the
/// downloads are rendered; `import` refuses them in what it reads.
pub const CELL_LIMIT: usize = 32_767;

/// Refuses a text longer than an Excel cell holds, where it was written:
/// the download could not be made, and a shortened cell would be wrong.
/// Excel counts UTF-16 code units, which is what is counted here.
pub fn fit_cell(what: &str, text: &str, location: &Location, diagnostics: &mut Diagnostics) {
    let length = text.encode_utf16().count();
    if length > CELL_LIMIT {
        diagnostics.push(
            Diagnostic::error(format!(
                "{what}有 {length} 个字符，超出 Excel 单元格的上限 {CELL_LIMIT} 个字符"
            ))
            .at(location)
            .label("太长")
            .hint("下载的 Excel 表格放不下这么长的文字，请改短"),
        );
    }
}

/// Reports the first refused character of each line of `text`, which
/// stands at `location` verbatim (the Markdown body of notice.md).
pub fn check_text(text: &str, location: &Location, diagnostics: &mut Diagnostics) {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if let Some((_, bytes, c, why)) = first_refused(line) {
            let at = location.within(start + bytes.start..start + bytes.end);
            diagnostics.push(refusal(c, why, &at));
        }
        start += line.len();
    }
}

/// Reports the first refused character of every string and key in the
/// TOML text at `span` of `file`, which has already parsed. The caret goes
/// under the character, or under the escape (`\u0007`) that wrote it.
pub fn check_toml(file: FileId, span: Range<usize>, diagnostics: &mut Diagnostics) {
    let text = diagnostics
        .source(file)
        .get(span.clone())
        .unwrap_or_default();
    // A string or key holds a refused character only if the text has one
    // as it stands, or writes one with an escape, which starts with a
    // backslash. Most files have neither, and then need no second parse.
    if !text.contains('\\') && first_refused(text).is_none() {
        return;
    }
    let text = text.to_string();
    let Ok(document) = DeTable::parse(&text) else {
        return;
    };
    let mut found = Vec::new();
    table_strings(document.get_ref(), &mut found);
    for (value, value_span) in found {
        let Some((index, _, c, why)) = first_refused(&value) else {
            continue;
        };
        let raw = text.get(value_span.clone()).unwrap_or_default();
        let within = literal_position(raw, index, c).unwrap_or(0..raw.len());
        let start = span.start + value_span.start;
        let at = Location::new(file, start + within.start..start + within.end);
        diagnostics.push(refusal(c, why, &at));
    }
}

/// Every key and string of a table, with its span.
fn table_strings(table: &DeTable, found: &mut Vec<(String, Range<usize>)>) {
    for (key, value) in table {
        found.push((key.get_ref().to_string(), key.span()));
        value_strings(value, found);
    }
}

fn value_strings(value: &Spanned<DeValue>, found: &mut Vec<(String, Range<usize>)>) {
    match value.get_ref() {
        DeValue::String(text) => found.push((text.to_string(), value.span())),
        DeValue::Array(array) => array
            .iter()
            .for_each(|element| value_strings(element, found)),
        DeValue::Table(table) => table_strings(table, found),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => {}
    }
}

/// Where, within the source of a TOML string or key (quotes included), the
/// character at `index` of its value was written: the character itself, or
/// the escape that stands for it. `None` when the source does not decode
/// as expected, so that the caller points at the whole string instead.
fn literal_position(raw: &str, index: usize, expected: char) -> Option<Range<usize>> {
    let (open, basic) = if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else if raw.starts_with('\'') {
        (1, false)
    } else {
        (0, false)
    };
    let mut at = open;
    // A line break right after `"""` or `'''` is not part of the value.
    if open == 3 {
        at += ["\r\n", "\n"]
            .iter()
            .find(|newline| raw[at..].starts_with(**newline))
            .map_or(0, |newline| newline.len());
    }
    let mut count = 0;
    while at < raw.len() {
        let (decoded, width) = if basic && raw[at..].starts_with('\\') {
            escape(&raw[at..])?
        } else {
            let c = raw[at..].chars().next()?;
            (Some(c), c.len_utf8())
        };
        if let Some(c) = decoded {
            if count == index {
                return (c == expected).then_some(at..at + width);
            }
            count += 1;
        }
        at += width;
    }
    None
}

/// The character a TOML escape at the start of `text` stands for (`None`
/// for a line-ending backslash, which stands for nothing) and its length.
fn escape(text: &str) -> Option<(Option<char>, usize)> {
    let id = text[1..].chars().next()?;
    let simple = match id {
        'b' => Some('\u{8}'),
        'e' => Some('\u{1b}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        '\\' => Some('\\'),
        '"' => Some('"'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((Some(c), 2));
    }
    let digits = match id {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        ' ' | '\t' | '\r' | '\n' => {
            let rest = &text[1..];
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
            return Some((None, 1 + skipped));
        }
        _ => return None,
    };
    let hex = text.get(2..2 + digits)?;
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((Some(c), 2 + digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_and_line_breaks_are_text() {
        for text in ["a\tb", "a\nb", "a\r\nb", "通报", "‘’“”"] {
            assert_eq!(first_refused(text), None, "{text:?}");
        }
    }

    #[test]
    fn controls_bidi_and_noncharacters_are_refused() {
        let cases = [
            ("a\u{7}b", '\u{7}', Refused::Control),
            ("\u{0}", '\u{0}', Refused::Control),
            ("a\rb", '\r', Refused::Control),
            ("a\r", '\r', Refused::Control),
            ("\u{1b}[31m", '\u{1b}', Refused::Control),
            ("a\u{7f}", '\u{7f}', Refused::Control),
            ("a\u{85}", '\u{85}', Refused::Control),
            ("扣\u{202e}2.0分", '\u{202e}', Refused::Bidirectional),
            ("\u{2066}x", '\u{2066}', Refused::Bidirectional),
            ("x\u{ffff}", '\u{ffff}', Refused::Noncharacter),
        ];
        for (text, c, why) in cases {
            let (_, _, found, reason) = first_refused(text).expect(text);
            assert_eq!((found, reason), (c, why), "{text:?}");
        }
    }

    #[test]
    fn the_caret_goes_under_the_escape_that_wrote_the_character() {
        let raw = r#""关于\t通报\u0007""#;
        let value = "关于\t通报\u{7}";
        let (index, _, c, _) = first_refused(value).unwrap();
        let at = literal_position(raw, index, c).unwrap();
        assert_eq!(&raw[at], "\\u0007");
        let raw = "\"\"\"\r\n第一行\\\r\n   第二行\\b\"\"\"";
        let value = "第一行第二行\u{8}";
        let (index, _, c, _) = first_refused(value).unwrap();
        let at = literal_position(raw, index, c).unwrap();
        assert_eq!(&raw[at], "\\b");
        let raw = "\"a\\x1B\"";
        assert_eq!(literal_position(raw, 1, '\u{1b}'), Some(2..6));
    }
}
