//! The site folder's layout: the names of the folders and files tongbao
//! reads, in one place, so that loading, `new`, `import`, `diff`, `serve`
//! and every message name them alike (docs/FORMAT.md describes each file).

/// The folder under the site root that holds `site.toml` and the periods.
pub const CONTENT_DIR: &str = "content";
/// The site's settings, under [`CONTENT_DIR`].
pub const SITE_FILE: &str = "site.toml";
/// The site's holiday calendar, under [`CONTENT_DIR`], laid over the
/// built-in one.
pub const CALENDAR_FILE: &str = "calendar.toml";
/// A period's figures, in its folder.
pub const DATA_FILE: &str = "data.toml";
/// A period's notice text, in its folder.
pub const NOTICE_FILE: &str = "notice.md";
/// A period's random-check findings, in its folder.
pub const FINDINGS_FILE: &str = "findings.toml";
/// A period's publication log, in its folder.
pub const LOG_FILE: &str = "log.csv";
/// The folder under the site root that holds the site's themes.
pub const THEMES_DIR: &str = "themes";
