//! Where pages live, from the site root: a leaf that the pages and every
//! module that links to them share, so a page and the links to it agree.
//!
//! A unit's page lives at `units/<table id>/<key>/index.html`, where the key
//! is a name-based UUID (version 5) of the table id and the unit's name, in
//! 32 hexadecimal digits: the same name in the same table always gets the
//! same address, whatever the order of the rows or periods, and the address
//! is plain ASCII, so it works from disk and on any server without
//! percent-encoding. A unit's rectification sheet (整改通知单) lives at
//! `<period>/rectification/<key>/index.html`, under the same key.

use uuid::Uuid;

/// File name of every HTML page.
pub const PAGE_FILE: &str = "index.html";

/// The folder of the unit pages, under the site root.
const UNITS: &str = "units";

/// The folder of a period's rectification sheets, under the period's folder.
const SHEETS: &str = "rectification";

/// The path of a unit's page from the site root.
pub fn unit_page_path(table: &str, name: &str) -> String {
    format!("{UNITS}/{table}/{}/{PAGE_FILE}", unit_key(table, name))
}

/// The path of a unit's rectification sheet from its period's folder.
pub fn sheet_path(table: &str, name: &str) -> String {
    format!("{SHEETS}/{}/{PAGE_FILE}", unit_key(table, name))
}

/// The stable key of a unit in a table (see the module's documentation).
fn unit_key(table: &str, name: &str) -> String {
    let id = format!("tongbao:unit/{table}/{name}");
    Uuid::new_v5(&Uuid::NAMESPACE_URL, id.as_bytes())
        .simple()
        .to_string()
}
