//! The notice as a Word document (`notice.docx`) in the GB/T 9704 layout,
//! for the office's own workflow: sign-off, the file, a PDF or OFD.
//!
//! Like the downloads, the document is built from the page's own views
//! ([`NoticeView`], [`AppendixView`]), so it can never disagree with the page
//! it is linked from. The body comes from the same Markdown the page is
//! rendered from, read through [`crate::markdown::events`].
//!
//! WordprocessingML is written here directly and zipped with the `zip`
//! crate (docs/ARCHITECTURE.md says why): every part in a fixed order, with
//! fixed compression and the notice's issue date as every entry's time and
//! as the document's dates, so two builds give the same bytes. The fonts,
//! sizes, margins and colours come from the theme's `docx/style.toml`
//! ([`Style`]).

mod body;
mod document;
mod grid;
mod parts;
mod style;
mod table;
mod xml;

use std::io::{Cursor, Write};

use chrono::{Datelike, NaiveDate};
use zip::result::ZipResult;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::view::{AppendixView, NoticeView};
use grid::Grid;

pub use style::Style;

/// The document's file name, beside the notice page.
pub const FILE: &str = "notice.docx";
/// The format's name, for the page's link.
pub const NAME: &str = "Word";
pub const MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// What the file is, for the page's link.
pub const DESCRIPTION: &str = "DOCX 公文，可用 WPS 或 Word 打开、修改、另存为 PDF 或 OFD";

/// The notice and its appendices as the bytes of a `.docx` file, dated
/// `issued`.
pub fn to_docx(
    notice: &NoticeView,
    appendices: &[AppendixView],
    style: &Style,
    issued: NaiveDate,
) -> ZipResult<Vec<u8>> {
    let grid = Grid::new(style);
    let parts = [
        (parts::CONTENT_TYPES, parts::content_types()),
        (parts::PACKAGE_RELS, parts::package_relationships()),
        (parts::APP, parts::app()),
        (
            parts::CORE,
            parts::core(&notice.title, &notice.office, issued),
        ),
        (parts::DOCUMENT_RELS, parts::document_relationships()),
        (
            parts::DOCUMENT,
            document::document(notice, appendices, style, &grid),
        ),
        (parts::STYLES, parts::styles(style, &grid)),
        (parts::SETTINGS, parts::settings()),
        (parts::FONT_TABLE, parts::font_table(style)),
        (parts::ODD_FOOTER, parts::footer(style, true)),
        (parts::EVEN_FOOTER, parts::footer(style, false)),
    ];
    package(&parts, issued)
}

/// Zips the parts in the order given, each deflated at a fixed level and
/// dated `issued` at midnight (1980-01-01, the earliest date a zip file
/// can hold, for an earlier notice).
fn package(parts: &[(&str, String)], issued: NaiveDate) -> ZipResult<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(zip_time(issued));
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in parts {
        writer.start_file(*name, options)?;
        writer.write_all(content.as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}

fn zip_time(date: NaiveDate) -> DateTime {
    let (Ok(year), Ok(month), Ok(day)) = (
        u16::try_from(date.year()),
        u8::try_from(date.month()),
        u8::try_from(date.day()),
    ) else {
        return DateTime::default();
    };
    DateTime::from_date_and_time(year, month, day, 0, 0, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_times_come_from_the_date_or_1980() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        let time = zip_time(date(2019, 6, 5));
        assert_eq!((time.year(), time.month(), time.day()), (2019, 6, 5));
        assert_eq!((time.hour(), time.minute(), time.second()), (0, 0, 0));
        assert_eq!(zip_time(date(1970, 1, 1)), DateTime::default());
        assert_eq!(zip_time(date(2200, 1, 1)), DateTime::default());
    }
}
