//! Files that are not UTF-8: say which encoding they seem to be in, where
//! the first character that is not UTF-8 stands, and how to convert them.
//!
//! Windows editors in China save GBK (or its superset GB18030) unless told
//! otherwise, so that is the common case; chardetng guesses the encoding
//! the way a browser does, biased towards Simplified Chinese.

use std::str::Utf8Error;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{BIG5, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// Reports a file that is not valid UTF-8. `name` is its path relative to
/// the site root, which is also where the conversion command runs.
pub fn report_not_utf8(name: &str, bytes: &[u8], error: Utf8Error, diagnostics: &mut Diagnostics) {
    report(name, bytes, guess(bytes), error.valid_up_to(), diagnostics);
}

/// Reports a file in UTF-16 without a byte order mark and returns true, or
/// returns false. Such a file is valid UTF-8 when every character in it is
/// ASCII (a zero byte beside each), so it is looked for before decoding.
pub fn report_utf16_without_bom(name: &str, bytes: &[u8], diagnostics: &mut Diagnostics) -> bool {
    match utf16_without_bom(bytes) {
        Some(encoding) => {
            report(name, bytes, encoding, 0, diagnostics);
            true
        }
        None => false,
    }
}

/// Reports `bytes` as text in `encoding`, pointing at the character at
/// byte `valid_up_to`, where UTF-8 decoding stopped (0 for UTF-16, where
/// every character is in question).
fn report(
    name: &str,
    bytes: &[u8],
    encoding: &'static Encoding,
    valid_up_to: usize,
    diagnostics: &mut Diagnostics,
) {
    let Some(known) = Known::of(encoding) else {
        diagnostics.push(
            Diagnostic::error(format!("文件 {name} 不是 UTF-8 编码，无法识别它的编码"))
                .hint("用编辑器打开，“另存为”时把编码选为 UTF-8"),
        );
        return;
    };
    // Register the decoded text so the message can show the line in question.
    let (text, _, _) = encoding.decode(bytes);
    let (prefix, _) = encoding.decode_without_bom_handling(&bytes[..valid_up_to]);
    let start = char_boundary(&text, prefix.len());
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    let file = diagnostics.add_file(name, text.into_owned());
    diagnostics.push(
        Diagnostic::error(format!(
            "文件 {name} 不是 UTF-8 编码，看来是 {}",
            known.description
        ))
        .at(&Location::new(file, start..end))
        .label(known.label)
        .hint(format!(
            "在站点目录中运行 {}；或用记事本打开，“另存为”时把编码选为 UTF-8",
            convert_command(known.iconv, name)
        )),
    );
}

/// The encoding the bytes most likely are in: a byte order mark decides,
/// then the zero bytes of UTF-16, else chardetng's guess for a site under
/// `.cn`.
fn guess(bytes: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        return encoding;
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(Some(b"cn"), Utf8Detection::Deny)
}

/// UTF-16 without a byte order mark, told by its zero bytes. Every ASCII
/// character (keys, digits, spaces, line breaks) is a zero byte beside its
/// code: after it in little-endian order, before it in big-endian. UTF-8
/// and GBK text has no zero bytes at all, so one stray zero byte is not
/// enough: at least one character in sixteen must have one, nearly all on
/// the same side.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let pairs = bytes.len() / 2;
    let (mut first, mut second) = (0, 0);
    for pair in bytes.chunks_exact(2) {
        first += usize::from(pair[0] == 0);
        second += usize::from(pair[1] == 0);
    }
    let enough = |zeros: usize| zeros > 0 && zeros * 16 >= pairs;
    if enough(second) && first * 8 <= second {
        Some(UTF_16LE)
    } else if enough(first) && second * 8 <= first {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// An encoding a clerk's file is plausibly in, with the name iconv knows it by.
struct Known {
    description: &'static str,
    iconv: &'static str,
    /// What the located character is.
    label: &'static str,
}

impl Known {
    fn of(encoding: &'static Encoding) -> Option<Known> {
        const FIRST: &str = "第一个不是 UTF-8 的字符";
        // UTF-16 is wrong from its first character on; iconv is told the
        // byte order, which a file without a byte order mark does not say.
        const WHOLE: &str = "整个文件都是 UTF-16 编码";
        let (description, iconv, label) = if encoding == GBK || encoding == GB18030 {
            (
                "GBK/GB18030（简体中文 Windows 的默认编码）",
                "GB18030",
                FIRST,
            )
        } else if encoding == BIG5 {
            ("Big5（繁体中文编码）", "BIG5", FIRST)
        } else if encoding == UTF_16LE {
            ("UTF-16LE（记事本所说的“Unicode”）", "UTF-16LE", WHOLE)
        } else if encoding == UTF_16BE {
            (
                "UTF-16BE（记事本所说的“Unicode big endian”）",
                "UTF-16BE",
                WHOLE,
            )
        } else {
            return None;
        };
        Some(Known {
            description,
            iconv,
            label,
        })
    }
}

/// The command that converts the file in place, safely: iconv cannot write
/// over its own input, so it writes beside it and `mv` replaces the file.
fn convert_command(from: &str, name: &str) -> String {
    let file = shell_quote(name);
    let converted = shell_quote(&format!("{name}.utf8"));
    format!("iconv -f {from} -t UTF-8 {file} > {converted} && mv {converted} {file}")
}

fn shell_quote(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_recognised_and_located() {
        let text = "title = \"莒南县政务公开通报\"\noffice = \"莒南县人民政府办公室\"\n";
        let (bytes, _, _) = GB18030.encode(text);
        let error = std::str::from_utf8(&bytes).unwrap_err();
        let mut diagnostics = Diagnostics::new();
        report_not_utf8("content/site.toml", &bytes, error, &mut diagnostics);
        let diagnostic = &diagnostics.list()[0];
        assert!(diagnostic.message.contains("GBK/GB18030"), "{diagnostic}");
        let location = diagnostic.location.as_ref().unwrap();
        assert_eq!(diagnostics.position(location), "content/site.toml:1:10");
        assert_eq!(
            convert_command("GB18030", "content/site.toml"),
            "iconv -f GB18030 -t UTF-8 content/site.toml > content/site.toml.utf8 \
             && mv content/site.toml.utf8 content/site.toml"
        );
    }

    #[test]
    fn utf16_is_told_by_its_zero_bytes_whatever_the_order() {
        let text = "title = \"莒南县政务公开通报\"\nyear = 2019\n";
        let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let big: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(utf16_without_bom(&little), Some(UTF_16LE));
        assert_eq!(utf16_without_bom(&big), Some(UTF_16BE));
        assert_eq!(utf16_without_bom(b"a\0"), Some(UTF_16LE));
        // UTF-8 with one stray zero byte is not UTF-16.
        let mut stray = "板泉镇 disclosure = 414\n".repeat(20).into_bytes();
        stray[30] = 0;
        assert_eq!(utf16_without_bom(&stray), None);
        assert_eq!(utf16_without_bom(text.as_bytes()), None);
        assert_eq!(utf16_without_bom(b""), None);
    }

    #[test]
    fn odd_names_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("a b/it's"), r"'a b/it'\''s'");
    }
}
