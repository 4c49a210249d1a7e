//! The download formats as the page names and links them: a leaf that
//! both the views (which link each download) and the downloads (which
//! write them) use, so neither imports the other's module for it.

/// A download format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// Every format, in the order the page links them.
    pub const ALL: [Format; 2] = [Format::Csv, Format::Xlsx];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The name a reader knows the format by.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx => "Excel",
        }
    }

    /// The media type of the file, for the link's `type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// What the file is, for the link's text.
    pub fn description(self) -> &'static str {
        match self {
            Format::Csv => "逗号分隔文本，UTF-8 编码",
            Format::Xlsx => "XLSX 工作簿，可用 Excel 或 WPS 打开",
        }
    }
}
