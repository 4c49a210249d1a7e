//! Load: files on disk → the content model, with every value located.
//!
//! Loading reports every problem it can find into [`Diagnostics`] and goes on
//! where it can; it returns `None` for a file it could not make sense of.

mod calendar;
mod encoding;
mod findings;
mod log;
mod notice;
mod period;
mod rules;
mod site;
pub(crate) mod text;
mod theme;
mod toml_error;
mod value;

use std::fs;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, io_reason};
use crate::layout::{CALENDAR_FILE, CONTENT_DIR, SITE_FILE};
use crate::model::{DEFAULT_MAX_COUNT, Period, Site};

use calendar::load_calendar;
use period::load_period;

pub use calendar::{BUILTIN_CALENDAR_NAME, builtin_calendar};
pub use log::split_csv;
pub use period::{UNIT_KEY, is_valid_slug};
pub use site::load_site;
pub use text::{CELL_LIMIT, fit_cell};
pub use theme::{BUILTIN_PREFIX, DEFAULT_THEME, DOCX_STYLE, Theme, builtin_files, load_theme};

/// Everything under `content/`: the site, its calendar and its periods,
/// sorted by slug: whole, or as a build keeps them
/// ([`crate::outline::Outline`]).
#[derive(Debug)]
pub struct Content<P = Period> {
    pub site: Site,
    pub calendar: Calendar,
    pub periods: Vec<P>,
}

impl Content {
    /// The period read from the folder `content/SLUG`.
    pub fn period(&self, slug: &str) -> Option<&Period> {
        self.periods.iter().find(|period| period.slug == slug)
    }
}

/// Loads `content/site.toml`, `content/calendar.toml` and every period folder
/// beside them.
///
/// Returns `None` when the site or calendar file cannot be used; the periods
/// are still loaded then, so that their problems are reported in the same
/// run. A broken period is reported and left out.
pub fn load_content(root: &Path, diagnostics: &mut Diagnostics) -> Option<Content> {
    load_content_beside(root, diagnostics, |_, _| ()).0
}

/// [`load_content`], running `beside` on a thread of its own while the
/// period folders load, once the site file has loaded: for the theme, whose
/// name is in the site file and whose templates take as long to parse as a
/// small site takes to load. `beside` reads files into its own part of the
/// ids, after every period's, and its messages are told after theirs, as
/// if it had run after the loading. It does not run when the site file is
/// unusable; its result is `None` then.
pub fn load_content_beside<T: Send>(
    root: &Path,
    diagnostics: &mut Diagnostics,
    beside: impl FnOnce(&Site, &mut Diagnostics) -> T + Send,
) -> (Option<Content>, Option<T>) {
    load_content_keeping(root, diagnostics, beside, |period, _, _| period)
}

/// [`load_content_beside`], keeping of each period what `keep` makes of
/// it, on the thread that loaded it, with the site file and calendar when
/// both are usable and the period's task's messages: for a build, which
/// checks and scores each period there and keeps its outline.
pub fn load_content_keeping<T: Send, P: Send>(
    root: &Path,
    diagnostics: &mut Diagnostics,
    beside: impl FnOnce(&Site, &mut Diagnostics) -> T + Send,
    keep: impl Fn(Period, Option<(&Site, &Calendar)>, &mut Diagnostics) -> P + Sync,
) -> (Option<Content<P>>, Option<T>) {
    let content_dir = root.join(CONTENT_DIR);
    if let Err(diagnostic) = refuse_links(root, &content_dir) {
        diagnostics.push(diagnostic);
        return (None, None);
    }
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::error(format!(
                "在 {} 下找不到 {CONTENT_DIR}/ 目录",
                root.display()
            ))
            .hint("在站点目录中运行，或用 --root 指定站点目录"),
        );
        return (None, None);
    }
    let site = load_site(root, &content_dir.join(SITE_FILE), diagnostics);
    let calendar = load_calendar(root, &content_dir.join(CALENDAR_FILE), diagnostics);
    let max_count = site
        .as_ref()
        .map_or(DEFAULT_MAX_COUNT, |site| site.max_count);
    let folders = period_folders(root, &content_dir, diagnostics);
    // Each folder is read on a thread of its own, and `beside` on another;
    // their files and messages are joined in that order, as if read one
    // after another.
    let mut tasks = diagnostics.split(folders.len() + 1);
    let mut beside_task = tasks.split_off(folders.len());
    let (site_ref, calendar_ref) = (site.as_ref(), calendar.as_ref());
    let (loaded, besides) = rayon::join(
        || {
            let site = (site_ref, calendar_ref);
            load_folders((root, &folders), tasks, max_count, site, &keep)
        },
        || match (site_ref, beside_task.first_mut()) {
            (Some(site), Some(task)) => Some(beside(site, task)),
            _ => None,
        },
    );
    let (periods, tasks): (Vec<Option<P>>, Vec<Diagnostics>) = loaded.into_iter().unzip();
    diagnostics.join(tasks.into_iter().chain(beside_task));
    let periods = periods.into_iter().flatten().collect();
    let content = site.zip(calendar).map(|(site, calendar)| Content {
        site,
        calendar,
        periods,
    });
    (content, besides)
}

/// The period loaded from the folder `content/SLUG`, parsed again from
/// the texts that load registered in `sources`, under the same file ids,
/// as [`load_content`] parsed it: equal to the period that load returned.
/// `file` is any file of the period (its data file, say), naming the part
/// its texts are in. Reads no file, so what is parsed is exactly what was
/// checked. The messages are dropped: the first load told them. `None`
/// when the first load left the period out.
///
/// For a build of many periods, which keeps every period's texts but
/// drops a period's model once it is validated and scored, and parses it
/// again to render it (see docs/PERFORMANCE.md).
pub fn reload_period(
    slug: &str,
    file: FileId,
    site: &Site,
    calendar: &Calendar,
    sources: &Diagnostics,
) -> Option<Period> {
    let mut replay = sources.replay_part(file);
    // Names are relative to the root, as the first load registered them.
    let root = Path::new("");
    let folder = root.join(CONTENT_DIR).join(slug);
    let site_and_calendar = (Some(site), Some(calendar));
    load_folder(
        (root, Reading::Kept),
        &folder,
        site.max_count,
        site_and_calendar,
        &mut replay,
    )
}

/// Loads the period folder `content/SLUG` of a site whose site file and
/// calendar loaded as `content` holds them, as [`load_content`] loads each
/// period: for `serve`, which reloads only the periods that changed.
/// `None` when the folder is not a period folder (missing, a link, a
/// file): the caller loads everything again then.
pub fn load_one_period(
    root: &Path,
    slug: &str,
    content: &Content,
    diagnostics: &mut Diagnostics,
) -> Option<Option<Period>> {
    let folder = root.join(CONTENT_DIR).join(slug);
    let meta = fs::symlink_metadata(&folder).ok()?;
    if !meta.is_dir() {
        return None;
    }
    Some(load_folder(
        (root, Reading::Disk),
        &folder,
        content.site.max_count,
        (Some(&content.site), Some(&content.calendar)),
        diagnostics,
    ))
}

/// Loads each of `folders` under `root` on the thread pool, into the task
/// of the same position, as [`load_folder`] does, keeping what `keep`
/// makes of each period.
fn load_folders<P: Send>(
    (root, folders): (&Path, &[PathBuf]),
    tasks: Vec<Diagnostics>,
    max_count: u64,
    (site, calendar): (Option<&Site>, Option<&Calendar>),
    keep: &(impl Fn(Period, Option<(&Site, &Calendar)>, &mut Diagnostics) -> P + Sync),
) -> Vec<(Option<P>, Diagnostics)> {
    folders
        .par_iter()
        .zip(tasks)
        .map(|(folder, mut task)| {
            let from = (root, Reading::Disk);
            let period = load_folder(from, folder, max_count, (site, calendar), &mut task);
            let kept = period.map(|period| keep(period, site.zip(calendar), &mut task));
            (kept, task)
        })
        .collect()
}

/// Loads one period folder under `root`, reading its files as `reading`
/// says, and attaches its publication log. `None` when either is unusable
/// (reported).
fn load_folder(
    from: (&Path, Reading),
    folder: &Path,
    max_count: u64,
    (site, calendar): (Option<&Site>, Option<&Calendar>),
    diagnostics: &mut Diagnostics,
) -> Option<Period> {
    let mut period = load_period(from, folder, max_count, calendar, diagnostics)?;
    attach_log(from, folder, site, calendar, &mut period, diagnostics).then_some(period)
}

/// Reads the period folder's publication log, if any, and applies it to
/// the period's weekly counts ([`crate::weekly::apply`]). False when the
/// log is there but unusable (reported): the period is then left out, as
/// counts from a broken log would be wrong. Without a site nothing is
/// read; the site's errors are reported already.
fn attach_log(
    from: (&Path, Reading),
    folder: &Path,
    site: Option<&Site>,
    calendar: Option<&Calendar>,
    period: &mut Period,
    diagnostics: &mut Diagnostics,
) -> bool {
    let Some(site) = site else {
        return true;
    };
    let Some(log) = log::load_log(from, folder, site.log.as_ref(), diagnostics) else {
        return false;
    };
    period.log = log;
    if let Some(calendar) = calendar {
        crate::weekly::apply(site, calendar, period, diagnostics);
    }
    true
}

/// The period folders under `content/`, sorted by name so that every build
/// sees them in the same order. A symbolic link is refused, never followed.
fn period_folders(root: &Path, content_dir: &Path, diagnostics: &mut Diagnostics) -> Vec<PathBuf> {
    let walker = walkdir::WalkDir::new(content_dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name();
    let mut folders = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) if entry.path_is_symlink() => {
                diagnostics.push(link_refused(&display_name(root, entry.path())));
            }
            Ok(entry) if entry.file_type().is_dir() => folders.push(entry.into_path()),
            Ok(_) => {}
            Err(error) => diagnostics.push(Diagnostic::error(format!(
                "无法读取目录 {}：{}",
                display_name(root, error.path().unwrap_or(content_dir)),
                io_reason(
                    error
                        .io_error()
                        .unwrap_or(&std::io::Error::other(error.to_string()))
                )
            ))),
        }
    }
    folders
}

/// Where the loader takes a period's files from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// The file system: each file is read and registered.
    Disk,
    /// The texts registered in the part being read by an earlier load of
    /// the same folder (see [`reload_period`]): no file is looked at, and
    /// a file is there exactly when that load found it.
    Kept,
}

impl Reading {
    /// Whether anything, even a dangling link, stands at `path`.
    fn exists(self, root: &Path, path: &Path, diagnostics: &Diagnostics) -> bool {
        match self {
            Reading::Disk => entry_exists(path),
            Reading::Kept => diagnostics
                .find_in_part(&display_name(root, path))
                .is_some(),
        }
    }

    /// Whether a file read this way has its characters checked (see
    /// [`text`]). A kept text was checked when the first load read it,
    /// and the messages of a second parse are dropped: checking it again
    /// would only cost time.
    fn checks_characters(self) -> bool {
        match self {
            Reading::Disk => true,
            Reading::Kept => false,
        }
    }

    /// The registered text of the file at `path` (see [`read_source`]).
    fn read(self, root: &Path, path: &Path, diagnostics: &mut Diagnostics) -> Option<FileId> {
        match self {
            Reading::Disk => read_source(root, path, diagnostics),
            Reading::Kept => diagnostics.find_in_part(&display_name(root, path)),
        }
    }
}

/// Reads a UTF-8 text file under `root` and registers it for diagnostics
/// under its path relative to `root`. A leading byte order mark is dropped.
///
/// Refuses a path that is or passes through a symbolic link, or that leaves
/// `root`. A file in another encoding is reported with the encoding it seems
/// to be in and the command that converts it (see `load::encoding`).
pub fn read_source(root: &Path, path: &Path, diagnostics: &mut Diagnostics) -> Option<FileId> {
    let name = display_name(root, path);
    if let Err(diagnostic) = refuse_links(root, path) {
        diagnostics.push(diagnostic);
        return None;
    }
    let bytes = match read_at_most(path, MAX_SOURCE_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            diagnostics.push(
                Diagnostic::error(format!(
                    "文件 {name} 超过 {} MB，tongbao 不读取这么大的文件",
                    MAX_SOURCE_BYTES >> 20
                ))
                .hint("数据、通报正文、发布记录和模板都不会这么大；请检查是否放错了文件"),
            );
            return None;
        }
        Err(error) => {
            diagnostics.push(Diagnostic::error(format!(
                "无法读取文件 {name}：{}",
                io_reason(&error)
            )));
            return None;
        }
    };
    if encoding::report_utf16_without_bom(&name, &bytes, diagnostics) {
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = text
                .strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text);
            Some(diagnostics.add_file(name, text))
        }
        Err(error) => {
            encoding::report_not_utf8(&name, error.as_bytes(), error.utf8_error(), diagnostics);
            None
        }
    }
}

/// The largest text file tongbao reads (a period's data, notice,
/// findings or log, the site file, the calendar, a template): 64 MiB.
/// A county's files are a few kilobytes, a year's publication log a few
/// hundred; anything larger was put there by mistake, and reading it
/// whole could exhaust the memory. It also keeps every offset in a
/// [`crate::diagnostics::Location`] within 32 bits.
pub const MAX_SOURCE_BYTES: usize = 64 << 20;

/// The bytes of the file at `path`, or `None` when it holds more than
/// `limit` bytes. Reads at most one byte past the limit, so a huge file
/// (or a device that never ends) is not read whole.
fn read_at_most(path: &Path, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    let capacity = file
        .metadata()
        .map_or(0, |metadata| metadata.len())
        .min(limit as u64 + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    file.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

/// Whether anything, even a dangling link, stands at `path`.
fn entry_exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Refuses `path` unless it lies under `root` and no part of it below
/// `root` is a symbolic link. tongbao reads only the site's own
/// `content/` and `themes/`: a link could publish any file on the machine,
/// and a link that resolves differently on the publishing machine would
/// silently publish other data.
pub fn refuse_links(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    let name = display_name(root, path);
    let Ok(relative) = path.strip_prefix(root) else {
        return Err(outside_site(&name));
    };
    let mut walked = root.to_path_buf();
    for component in relative.components() {
        match component {
            Component::Normal(part) => walked.push(part),
            Component::CurDir => continue,
            _ => return Err(outside_site(&name)),
        }
        let is_link = fs::symlink_metadata(&walked).is_ok_and(|meta| meta.file_type().is_symlink());
        if is_link {
            return Err(link_refused(&display_name(root, &walked)));
        }
    }
    Ok(())
}

/// The message for a symbolic link met under `content/` or `themes/`.
pub fn link_refused(name: &str) -> Diagnostic {
    Diagnostic::error(format!("{name} 是符号链接，tongbao 不读取链接"))
        .hint("把链接换成真正的文件或目录；站点只读取 content/ 和 themes/ 中的文件")
}

fn outside_site(name: &str) -> Diagnostic {
    Diagnostic::error(format!("路径 {name} 指向站点目录之外"))
        .hint("站点只读取 content/ 和 themes/ 中的文件")
}

/// A path as shown in messages: relative to the site root, with `/`.
pub fn display_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a TOML file under `root` as `reading` says (see [`read_source`])
/// and parses it into `T`, reporting a syntax or type error at its span.
fn read_toml<T: serde::de::DeserializeOwned>(
    (root, reading): (&Path, Reading),
    path: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<(FileId, T)> {
    let file = reading.read(root, path, diagnostics)?;
    let whole = 0..diagnostics.source(file).len();
    Some((file, parse_toml(file, whole, reading, diagnostics)?))
}

/// Parses a whole registered file (read in the load stage) as TOML into
/// `T`, as `read_toml` does with a file on disk: for a theme file that a
/// later stage interprets, such as the Word document's style.
pub fn parse_registered_toml<T: serde::de::DeserializeOwned>(
    file: FileId,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    let whole = 0..diagnostics.source(file).len();
    parse_toml(file, whole, Reading::Disk, diagnostics)
}

/// Parses the `span` of a registered file, read as `reading` says, as
/// TOML into `T`, reporting a syntax or type error at its span, and any
/// character of its strings that must not be published (see [`text`]),
/// unless `reading` checked them already.
fn parse_toml<T: serde::de::DeserializeOwned>(
    file: FileId,
    span: Range<usize>,
    reading: Reading,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    let text = &diagnostics.source(file)[span.clone()];
    match toml::from_str(text) {
        Ok(value) => {
            if reading.checks_characters() {
                text::check_toml(file, span, diagnostics);
            }
            Some(value)
        }
        Err(error) => {
            let diagnostic = toml_error::toml_diagnostic(&error, file, text, span.start);
            diagnostics.push(diagnostic);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_up_to_the_limit_and_refused_past_it() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("data.toml");
        fs::write(&path, "12345").unwrap();
        assert_eq!(read_at_most(&path, 5).unwrap(), Some(b"12345".to_vec()));
        assert_eq!(read_at_most(&path, 6).unwrap(), Some(b"12345".to_vec()));
        assert_eq!(read_at_most(&path, 4).unwrap(), None);
        assert!(read_at_most(&folder.path().join("missing"), 5).is_err());
    }
}
