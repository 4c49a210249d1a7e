//! `notice.md` → [`Notice`]: TOML front matter between `+++` lines, then Markdown.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::text::check_text;
use super::value::locate;
use super::{Reading, parse_toml};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located, Location};
use crate::model::{Contact, Notice};

const FENCE: &str = "+++";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFront {
    title: Spanned<String>,
    addressees: String,
    #[serde(default)]
    attachments: Vec<Spanned<String>>,
    contact: Option<RawContact>,
    recheck: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    office: String,
    phone: String,
}

/// Loads `notice.md`: its front matter and its Markdown body. Returns
/// `None` when the file is absent (the period reports that) or broken.
pub fn load_notice(
    (root, reading): (&Path, Reading),
    path: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<Notice> {
    if !reading.exists(root, path, diagnostics) {
        return None;
    }
    let file = reading.read(root, path, diagnostics)?;
    let text = diagnostics.source(file).to_string();
    let Some(parts) = split_front_matter(&text) else {
        diagnostics.push(
            Diagnostic::error("notice.md 应以 +++ 包围的 TOML 头部开始")
                .at(&Location::new(
                    file,
                    0..text.lines().next().map_or(0, str::len),
                ))
                .hint("第一行写 +++，接着写 title = \"…\" 等，再以一行 +++ 结束"),
        );
        return None;
    };
    let front: RawFront = parse_toml(file, parts.front.clone(), reading, diagnostics)?;
    let at = |spanned: &Spanned<String>| {
        Located::new(
            spanned.get_ref().clone(),
            locate(file, parts.front.start, spanned),
        )
    };
    Some(Notice {
        file,
        title: at(&front.title),
        addressees: front.addressees.trim_end_matches(['：', ':']).to_string(),
        attachments: front.attachments.iter().map(at).collect(),
        contact: front.contact.map(|c| Contact {
            office: c.office,
            phone: c.phone,
        }),
        recheck: front.recheck.as_ref().map(at),
        body: body(file, &text, parts.body_offset, reading, diagnostics),
    })
}

/// Where the Markdown after the front matter lies; any character in it
/// that must not be published is reported, unless `reading` checked it
/// already.
fn body(
    file: FileId,
    text: &str,
    offset: usize,
    reading: Reading,
    diagnostics: &mut Diagnostics,
) -> Location {
    let body = Location::new(file, offset..text.len());
    if reading.checks_characters() {
        check_text(&text[offset..], &body, diagnostics);
    }
    body
}

/// Where the front matter's TOML and the Markdown body lie in the file.
struct Parts {
    front: Range<usize>,
    body_offset: usize,
}

/// Finds the front matter: a first line `+++`, then TOML up to the next `+++` line.
fn split_front_matter(text: &str) -> Option<Parts> {
    let mut lines = line_spans(text);
    let (first_start, first_end) = lines.next()?;
    if text[first_start..first_end].trim_end() != FENCE {
        return None;
    }
    let front_offset = next_line_start(text, first_end);
    for (start, end) in lines {
        if text[start..end].trim_end() == FENCE {
            return Some(Parts {
                front: front_offset..start,
                body_offset: next_line_start(text, end),
            });
        }
    }
    None
}

/// Byte ranges of each line, without its line break.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let span = (start, start + line.trim_end_matches(['\n', '\r']).len());
        start += line.len();
        span
    })
}

fn next_line_start(text: &str, line_end: usize) -> usize {
    match text[line_end..].find('\n') {
        Some(newline) => line_end + newline + 1,
        None => text.len(),
    }
}
