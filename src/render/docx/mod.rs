//! The notice as a Word document (`notice.docx`) in the GB/T 9704 layout,
//! for the office's own workflow: sign-off, the file, a PDF or OFD.
//!
//! Like the downloads, the document is built from the page's own views
//! ([`NoticeView`], [`AppendixView`]), so it can never disagree with the page
//! it is linked from. The body comes from the same Markdown the page is
//! rendered from, read through [`crate::markdown::events`].
//!
//! WordprocessingML is written here directly and zipped as a package
//! ([`super::package`], which says why): every part in a fixed order, with
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

use chrono::NaiveDate;
use zip::result::ZipResult;

use super::package::{self, CONTENT_TYPES, CORE, PACKAGE_RELS, Part, archive};
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
    /// [`package::package`] deflates every part.
    fixed: Vec<u8>,
}

/// Writes a part's text from the style.
type Writer = fn(&Style, &Grid) -> String;

/// The parts whose text depends on the style alone, in the order
/// [`to_docx`] writes them among the others.
const FIXED_PARTS: [(&str, Writer); 9] = [
    (CONTENT_TYPES, |_, _| parts::content_types()),
    (PACKAGE_RELS, |_, _| {
        package::package_relationships(parts::DOCUMENT)
    }),
    (package::APP, |_, _| package::app(None)),
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
        (CONTENT_TYPES, Part::Fixed),
        (PACKAGE_RELS, Part::Fixed),
        (package::APP, Part::Fixed),
        (
            CORE,
            Part::Text(package::core(&notice.title, &notice.office, issued)),
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
    package::package(&parts, &stationery.fixed, issued)
}
