//! Office Open XML packages: the zip of XML parts that the Word document
//! (`docx`) and the workbooks (`download::xlsx`) both are.
//!
//! Both are written here directly rather than through a general writer
//! (docs/ARCHITECTURE.md and docs/PERFORMANCE.md say why): every part in a
//! fixed order, deflated at one fixed level, with the notice's issue date
//! as every entry's time and as the package's dates, so two builds give the
//! same bytes. The parts a format has whatever the notice says are deflated
//! once per build ([`archive`]) and copied into each package as they are
//! ([`Part::Fixed`]): a package then sets up a compressor only for its own
//! few parts.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use chrono::{Datelike, NaiveDate};
use zip::result::ZipResult;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::ZIP_LEVEL;

/// The XML declaration every part starts with.
pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// The parts every package has, by name.
pub const CONTENT_TYPES: &str = "[Content_Types].xml";
pub const PACKAGE_RELS: &str = "_rels/.rels";
pub const APP: &str = "docProps/app.xml";
pub const CORE: &str = "docProps/core.xml";

/// A relationship's type, under `http://schemas.openxmlformats.org/`.
const OFFICE_DOCUMENT: &str = "officeDocument/2006/relationships/officeDocument";
const CORE_PROPERTIES: &str = "package/2006/relationships/metadata/core-properties";
const EXTENDED_PROPERTIES: &str = "officeDocument/2006/relationships/extended-properties";

/// The content types of the properties parts every package has.
const CORE_TYPE: &str = "application/vnd.openxmlformats-package.core-properties+xml";
const APP_TYPE: &str = "application/vnd.openxmlformats-officedocument.extended-properties+xml";

/// Whether `c` may stand in a part's text: no control character (C0 or
/// C1) and none of the two non-characters XML 1.0 forbids.
pub fn allowed(c: char) -> bool {
    !c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}'
}

/// `text` escaped for XML character data or a double-quoted attribute,
/// without the characters [`allowed`] refuses, so no input can make a
/// package unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        escape_char(&mut out, c);
    }
    out
}

/// Appends `c` to `out` as [`escape`] writes it.
pub fn escape_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        c if allowed(c) => out.push(c),
        _ => {}
    }
}

/// `[Content_Types].xml`: the properties parts' types and `overrides`,
/// (part, content type) pairs.
pub fn content_types(overrides: &[(&str, String)]) -> String {
    let mut out = format!(
        "{DECLARATION}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    );
    let properties = [(CORE, CORE_TYPE.to_string()), (APP, APP_TYPE.to_string())];
    for (part, content_type) in overrides.iter().chain(&properties) {
        let _ = write!(
            out,
            "<Override PartName=\"/{part}\" ContentType=\"{content_type}\"/>"
        );
    }
    out.push_str("</Types>");
    out
}

/// `_rels/.rels`: the package's main part `main`, and its properties.
pub fn package_relationships(main: &str) -> String {
    relationships(&[
        ("rId1", OFFICE_DOCUMENT, main),
        ("rId2", CORE_PROPERTIES, CORE),
        ("rId3", EXTENDED_PROPERTIES, APP),
    ])
}

/// A relationships part of (id, type, target) entries; each type is
/// under `http://schemas.openxmlformats.org/`.
pub fn relationships(entries: &[(&str, &str, &str)]) -> String {
    let mut out = format!(
        "{DECLARATION}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for (id, kind, target) in entries {
        let _ = write!(
            out,
            "<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/{kind}\" Target=\"{target}\"/>"
        );
    }
    out.push_str("</Relationships>");
    out
}

/// `docProps/core.xml`: the title, the office as author, and the notice's
/// issue date as the creation and modification date, never the clock's.
pub fn core(title: &str, office: &str, issued: NaiveDate) -> String {
    let date = format!("{issued}T00:00:00Z");
    format!(
        "{DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{title}</dc:title><dc:creator>{office}</dc:creator><cp:lastModifiedBy>{office}</cp:lastModifiedBy>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:created>\
<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified>\
</cp:coreProperties>",
        title = escape(title),
        office = escape(office),
    )
}

/// `docProps/app.xml`: the program that wrote the file, and the office
/// (as the company) when given.
pub fn app(company: Option<&str>) -> String {
    let company = company.map_or_else(String::new, |company| {
        format!("<Company>{}</Company>", escape(company))
    });
    format!(
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>tongbao</Application>{company}</Properties>"
    )
}

/// A zip archive of `parts`, each deflated as [`package`] deflates a part:
/// the fixed parts of a format, made once and copied by [`Part::Fixed`].
pub fn archive(parts: &[(&str, String)]) -> ZipResult<Vec<u8>> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        writer.start_file(*name, options(DateTime::default()))?;
        writer.write_all(text.as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}

/// A part of a package: its text to deflate, or one of the fixed parts,
/// deflated already.
pub enum Part {
    Text(String),
    Fixed,
}

/// Zips the parts in the order given, each deflated at a fixed level and
/// dated `issued` at midnight (1980-01-01, the earliest date a zip file
/// can hold, for an earlier notice). A fixed part is copied from the
/// archive `fixed` (made by [`archive`]) as it was deflated, re-dated: the
/// same bytes as deflating its text here.
pub fn package(parts: &[(&str, Part)], fixed: &[u8], issued: NaiveDate) -> ZipResult<Vec<u8>> {
    let time = zip_time(issued);
    // Opened at the first fixed part: a package may have none.
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
    fn markup_is_escaped_and_controls_dropped() {
        assert_eq!(
            escape("a<b>&\"c\"\u{0}\u{7}\u{1b}\u{85}\u{FFFF}d"),
            "a&lt;b&gt;&amp;&quot;c&quot;d"
        );
        assert_eq!(escape("十字路街道"), "十字路街道");
    }

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
    fn a_copied_part_has_the_bytes_of_one_deflated_with_the_package() {
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
