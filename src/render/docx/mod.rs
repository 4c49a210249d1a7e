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
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::ZIP_LEVEL;
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

/// A style made ready for many documents: the parts that depend on the
/// style alone (the package's lists, the styles, the fonts, the footers),
/// deflated once per build and copied as they are into every document.
/// Each notice's document then deflates only its own two parts, instead of
/// setting up a compressor for each of eleven entries.
pub struct Stationery {
    style: Style,
    /// A zip archive holding the parts in [`FIXED_PARTS`], deflated as
    /// [`package`] deflates every part.
    fixed: Vec<u8>,
}

/// Writes a part's text from the style.
type Writer = fn(&Style, &Grid) -> String;

/// The parts whose text depends on the style alone, in the order
/// [`to_docx`] writes them among the others.
const FIXED_PARTS: [(&str, Writer); 9] = [
    (parts::CONTENT_TYPES, |_, _| parts::content_types()),
    (parts::PACKAGE_RELS, |_, _| parts::package_relationships()),
    (parts::APP, |_, _| parts::app()),
    (parts::DOCUMENT_RELS, |_, _| parts::document_relationships()),
    (parts::STYLES, parts::styles),
    (parts::SETTINGS, |_, _| parts::settings()),
    (parts::FONT_TABLE, |style, _| parts::font_table(style)),
    (parts::ODD_FOOTER, |style, _| parts::footer(style, true)),
    (parts::EVEN_FOOTER, |style, _| parts::footer(style, false)),
];

impl Stationery {
    /// Deflates the style's fixed parts.
    pub fn new(style: Style) -> ZipResult<Stationery> {
        let grid = Grid::new(&style);
        let texts = FIXED_PARTS.map(|(name, write)| (name, write(&style, &grid)));
        let fixed = archive(&texts)?;
        Ok(Stationery { style, fixed })
    }
}

/// A zip archive of `parts`, each deflated as [`package`] deflates a part.
fn archive(parts: &[(&str, String)]) -> ZipResult<Vec<u8>> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        writer.start_file(*name, options(DateTime::default()))?;
        writer.write_all(text.as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}

/// A part of a document: its text to deflate, or one of the stationery's
/// parts, deflated already.
enum Part {
    Text(String),
    Fixed,
}

/// The notice and its appendices as the bytes of a `.docx` file, dated
/// `issued`.
pub fn to_docx(
    notice: &NoticeView,
    appendices: &[AppendixView],
    stationery: &Stationery,
    issued: NaiveDate,
) -> ZipResult<Vec<u8>> {
    let style = &stationery.style;
    let grid = Grid::new(style);
    let parts = [
        (parts::CONTENT_TYPES, Part::Fixed),
        (parts::PACKAGE_RELS, Part::Fixed),
        (parts::APP, Part::Fixed),
        (
            parts::CORE,
            Part::Text(parts::core(&notice.title, &notice.office, issued)),
        ),
        (parts::DOCUMENT_RELS, Part::Fixed),
        (
            parts::DOCUMENT,
            Part::Text(document::document(notice, appendices, style, &grid)),
        ),
        (parts::STYLES, Part::Fixed),
        (parts::SETTINGS, Part::Fixed),
        (parts::FONT_TABLE, Part::Fixed),
        (parts::ODD_FOOTER, Part::Fixed),
        (parts::EVEN_FOOTER, Part::Fixed),
    ];
    package(&parts, &stationery.fixed, issued)
}

/// Zips the parts in the order given, each deflated at a fixed level and
/// dated `issued` at midnight (1980-01-01, the earliest date a zip file
/// can hold, for an earlier notice). A fixed part is copied from the
/// stationery's archive `fixed` as it was deflated, re-dated: the same
/// bytes as deflating its text here.
fn package(parts: &[(&str, Part)], fixed: &[u8], issued: NaiveDate) -> ZipResult<Vec<u8>> {
    let time = zip_time(issued);
    // Opened at the first fixed part: a document may have none.
    let mut archive = None;
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, part) in parts {
        match part {
            Part::Text(text) => {
                writer.start_file(*name, options(time))?;
                writer.write_all(text.as_bytes())?;
            }
            Part::Fixed => {
                let archive = match &mut archive {
                    Some(archive) => archive,
                    None => archive.insert(ZipArchive::new(Cursor::new(fixed))?),
                };
                writer.raw_copy_file_touch(archive.by_name(name)?, time, None)?;
            }
        }
    }
    Ok(writer.finish()?.into_inner())
}

/// Every part's options: deflated at [`ZIP_LEVEL`], dated `time`.
fn options(time: DateTime) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(i64::from(ZIP_LEVEL)))
        .last_modified_time(time)
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

    #[test]
    fn a_copied_part_has_the_bytes_of_one_deflated_with_the_document() {
        let text = |name: &str, times| (name.to_string(), format!("<{name}/>").repeat(times));
        let parts = [text("a.xml", 40), text("b.xml", 3), text("c.xml", 900)];
        let fixed = archive(&[
            (parts[0].0.as_str(), parts[0].1.clone()),
            (parts[2].0.as_str(), parts[2].1.clone()),
        ])
        .expect("archive");
        let issued = NaiveDate::from_ymd_opt(2019, 6, 5).expect("date");
        let copied = [
            (parts[0].0.as_str(), Part::Fixed),
            (parts[1].0.as_str(), Part::Text(parts[1].1.clone())),
            (parts[2].0.as_str(), Part::Fixed),
        ];
        let deflated = parts
            .iter()
            .map(|(name, text)| (name.as_str(), Part::Text(text.clone())))
            .collect::<Vec<_>>();
        assert_eq!(
            package(&copied, &fixed, issued).expect("copied"),
            package(&deflated, &[], issued).expect("deflated")
        );
    }
}
