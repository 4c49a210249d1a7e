//! Render: scored content → the files of the static site, in memory.
//!
//! Each period gets its folder: the notice page (`index.html`), the portal
//! fragment (`fragment.html`), the notice as a Word document
//! (`notice.docx`), each appendix table as CSV and XLSX and, when the
//! notice attaches its findings, each unit's rectification sheet
//! (`rectification/KEY/index.html`, see `render::rectification`). The site root
//! gets the home page, `sitemap.xml` and `atom.xml`. Each period is
//! rendered from its own data alone, but for the earlier period whose
//! findings its notice re-checks (`recheck`), so its files are
//! independent of the other periods'. Rendering is a function of the loaded content and theme:
//! it reads no file and writes none (see [`crate::write`]).

mod address;
mod chart;
mod docx;
mod download;
mod feed;
mod findings;
mod format;
mod fragment;
mod ledger;
mod package;
mod rectification;
mod theme;
mod unit;
mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use serde::Serialize;
use tera::Context;

use crate::diagnostics::{Diagnostic, Diagnostics, Located, Location, Severity};
use crate::figures::{
    Escape, ExpandError, Expanded, Figures, expand, expand_traced, period_figures, table_figures,
};
use crate::history::{self, Course, Model, Models, PeriodRows, Scored};
use crate::load::{Content, DOCX_STYLE, Theme};
use crate::markdown;
use crate::model::{Period, Site};
use crate::notation::format_date;
use crate::outline::{Outline, Reloaded};
use crate::score::{ScoredPeriod, score_period};

use address::PAGE_FILE;
pub use address::unit_page_path;
pub use download::unneutralise;
use format::Format;
pub use ledger::ledger_year;
use theme::Templates;
pub use view::NoticeLink;
use view::{AppendixView, AttachmentLink, ContactView, DownloadLink, NoticeView, SiteView};

/// File name of a period's portal fragment, beside its notice page.
pub const FRAGMENT_FILE: &str = "fragment.html";

/// How hard the zip archives a build writes (the workbooks and the Word
/// document) are deflated: level 1, the fastest. At the usual level, 6,
/// deflating was most of a workbook's cost and a third of a Word
/// document's; the archives are a few kilobytes, so the third more on
/// disk goes unnoticed (docs/PERFORMANCE.md).
const ZIP_LEVEL: u8 = 1;

/// The rendered site: file contents by path relative to the output folder,
/// with `/` separators, sorted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    /// Number of HTML pages (the fragments are not pages).
    pub fn pages(&self) -> usize {
        self.files.keys().filter(|path| is_page(path)).count()
    }
}

/// Whether a path of the output is an HTML page (the fragments are not).
pub fn is_page(path: &str) -> bool {
    path.rsplit('/').next() == Some(PAGE_FILE)
}

/// Where rendered files go, each as soon as it is rendered: the staging
/// folder of a build, memory for `serve`, nowhere for `check`. Periods are
/// rendered on several threads at once, so `put` is called concurrently,
/// never twice with the same path.
pub trait Sink: Sync {
    /// Takes one file, by its path relative to the output folder.
    fn put(&self, path: &str, bytes: &[u8]);

    /// Whether the sink can take no more (a write failed): rendering then
    /// stops early. The failure itself is the sink's to report.
    fn stopped(&self) -> bool {
        false
    }
}

/// A sink that keeps nothing: `tongbao check` renders every file to find
/// every problem, and writes none.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _path: &str, _bytes: &[u8]) {}
}

/// A sink that keeps every file in memory.
#[derive(Default)]
pub struct Collect {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Collect {
    /// The files put so far.
    pub fn into_output(self) -> Output {
        Output {
            files: self
                .files
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        }
    }
}

impl Sink for Collect {
    fn put(&self, path: &str, bytes: &[u8]) {
        self.files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(path.to_string(), bytes.to_vec());
    }
}

/// What a render produced, beside the files it put into its sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendered {
    /// Number of HTML pages (see [`Output::pages`]).
    pub pages: usize,
}

/// The theme made ready to render many times: its templates and the Word
/// document's style parsed, once per build and shared by every period.
/// `serve` keeps one between rebuilds while the theme is unchanged.
pub struct Prepared {
    templates: Templates,
    /// The Word document's style, with the parts it alone decides.
    document: docx::Stationery,
    theme: Theme,
}

impl Prepared {
    /// Parses the theme's templates and Word style. Returns `None` when one
    /// does not parse; the error is in `diagnostics`, located in its file.
    pub fn new(theme: Theme, diagnostics: &mut Diagnostics) -> Option<Prepared> {
        let style = document_style(&theme, diagnostics);
        // The two are independent and, for a small site, a good part of
        // the build: prepared side by side.
        let sources: &Diagnostics = diagnostics;
        let (templates, document) = rayon::join(
            || theme::parse(&theme, sources),
            || style.map(docx::Stationery::new),
        );
        let templates = templates.map_err(|error| diagnostics.push(error));
        let document = document?.map_err(|error| {
            diagnostics.push(Diagnostic::error(format!(
                "无法准备 Word 文档的固定部分：{error}"
            )));
        });
        Some(Prepared {
            templates: templates.ok()?,
            document: document.ok()?,
            theme,
        })
    }
}

/// Renders every period's folder, the home page, the ledgers and unit
/// pages, the sitemap and feed, and the theme's static files into `sink`,
/// from a build's outlined periods. Years render in parallel, and a
/// year's periods in parallel within it: each year's periods are parsed
/// again once from the texts their load registered in `diagnostics`
/// ([`crate::outline::Reloaded`]) for both their folders and the year's
/// ledger, and dropped with them. The unit pages render beside the
/// years, from every period's rows, scored as it loaded. Each folder,
/// page and ledger reports into its own problems, merged in a fixed
/// order (periods in order, then unit pages, then ledgers year by year),
/// so messages, like files, do not depend on the number of threads.
/// Returns `None` when any template, expression or download failed;
/// every failure is in `diagnostics`.
pub fn render_into(
    content: &Content<Outline>,
    prepared: &Prepared,
    sink: &dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<Rendered> {
    let errors_before = diagnostics.has_errors();
    let sources: &Diagnostics = diagnostics;
    let sink = Counted::new(sink);
    let models = Reloaded { content, sources };
    let site_view = site_view(&content.site, content.periods.len());
    let site = (&content.site, &site_view);
    let outlines = &content.periods;
    let scored = outlines.iter().enumerate().filter_map(|(index, outline)| {
        let rows = outline.rows.as_ref()?;
        Some(Scored::new(index, &outline.window, rows))
    });
    let periods = history::in_order(scored.collect());
    let base = Report::new(sources, errors_before);
    let ((folders, years), (_, units)) = rayon::join(
        || render_years(site, prepared, (&models, &periods), &sink, &base),
        || base.forked(|found| render_unit_pages_of(site, prepared, &periods, &sink, found)),
    );
    // The unit pages' problems, then the ledgers', year by year.
    let mut ledgers = BTreeSet::new();
    let mut across = units.found;
    for (year, written, found) in years {
        if written {
            ledgers.insert(year);
        }
        across.extend(found.found);
    }
    let mut notices = Vec::with_capacity(folders.len());
    for period in folders {
        notices.extend(period.link);
        period
            .found
            .into_iter()
            .for_each(|problem| diagnostics.push_once(problem));
    }
    across
        .into_iter()
        .for_each(|problem| diagnostics.push_once(problem));
    let rows = outlines.iter().filter_map(|period| period.rows.as_ref());
    let units = unit_pages(&content.site, rows);
    let site = (&content.site, outlines.len());
    render_index(
        site,
        prepared,
        notices,
        &ledgers,
        &units,
        &sink,
        diagnostics,
    );
    (!diagnostics.has_errors()).then_some(Rendered {
        pages: sink.pages(),
    })
}

/// A year's ledger: the year, whether it was written, and its problems.
type YearReport<'s> = (i32, bool, Report<'s>);

/// Every period's folder and every year's ledger, year by year in
/// parallel: a year's periods are parsed again once
/// ([`crate::outline::Reloaded`]) for both their folders and the year's
/// ledger, and dropped with them. The periods that did not score (and so
/// belong to no ledger) render on their own. Returns the folders in the
/// periods' order and the ledgers in the years'.
fn render_years<'s>(
    site: (&Site, &SiteView),
    prepared: &Prepared,
    (models, periods): (&Reloaded, &[Scored]),
    sink: &dyn Sink,
    base: &Report<'s>,
) -> (Vec<PeriodFiles>, Vec<YearReport<'s>>) {
    let years: Vec<(i32, Vec<&Scored>)> = history::by_year(periods).into_iter().collect();
    let outlines = &models.content.periods;
    let unscored: Vec<usize> = outlines
        .iter()
        .enumerate()
        .filter(|(_, outline)| outline.rows.is_none())
        .map(|(index, _)| index)
        .collect();
    let (by_year, alone) = rayon::join(
        || {
            years
                .par_iter()
                .map(|(year, periods)| {
                    render_year_pages(site, prepared, models, (*year, periods), sink, base)
                })
                .collect::<Vec<_>>()
        },
        || {
            unscored
                .par_iter()
                .map(|index| {
                    let model = models.model(*index);
                    let period = (*index, model.as_deref());
                    (
                        *index,
                        render_folder(site, prepared, models, period, sink, base),
                    )
                })
                .collect::<Vec<_>>()
        },
    );
    let mut folders: Vec<(usize, PeriodFiles)> = alone;
    let mut ledgers = Vec::with_capacity(by_year.len());
    for (year_folders, ledger) in by_year {
        folders.extend(year_folders);
        ledgers.push(ledger);
    }
    folders.sort_by_key(|(index, _)| *index);
    (
        folders.into_iter().map(|(_, files)| files).collect(),
        ledgers,
    )
}

/// One year's periods' folders, by their position among the outlines,
/// and its ledger, from the periods' models parsed again once.
fn render_year_pages<'s>(
    site: (&Site, &SiteView),
    prepared: &Prepared,
    models: &Reloaded,
    (year, periods): (i32, &[&Scored]),
    sink: &dyn Sink,
    base: &Report<'s>,
) -> (Vec<(usize, PeriodFiles)>, YearReport<'s>) {
    let held: Vec<Option<Model>> = periods
        .par_iter()
        .map(|scored| models.model(scored.index))
        .collect();
    let folders = periods
        .par_iter()
        .zip(&held)
        .map(|(scored, model)| {
            let period = (scored.index, model.as_deref());
            let files = render_folder(site, prepared, models, period, sink, base);
            (scored.index, files)
        })
        .collect();
    let ledger = base.forked(|found| {
        let held: Option<Vec<&Period>> = held.iter().map(|model| model.as_deref()).collect();
        let Some(held) = held else {
            // Each of them loaded once; parsing the same text again cannot
            // fail, but a ledger left out without a word would be worse.
            found.push(Diagnostic::error(format!(
                "无法生成 {year} 年的年度汇总：有一期的数据无法再次读取"
            )));
            return false;
        };
        let (site, site_view) = site;
        let site = (site, &models.content.calendar);
        let year = (year, periods, held.as_slice());
        ledger::render_year_of(&prepared.templates, site, site_view, year, sink, found)
    });
    (folders, (year, ledger.0, ledger.1))
}

/// The folder of the period at `index` among the outlines, from its
/// model parsed again (`None` when it could not be), put into `sink`.
fn render_folder(
    site: (&Site, &SiteView),
    prepared: &Prepared,
    models: &Reloaded,
    (index, period): (usize, Option<&Period>),
    sink: &dyn Sink,
    base: &Report,
) -> PeriodFiles {
    let outlines = &models.content.periods;
    let (Some(outline), false) = (outlines.get(index), sink.stopped()) else {
        return PeriodFiles::default();
    };
    let Some(period) = period else {
        return unparsed(&outline.slug);
    };
    // The one other period a period's files show: the one its notice
    // re-checks (`recheck`).
    let rechecked = crate::findings::rechecked(outlines, outline)
        .and_then(|earlier| outlines.iter().position(|p| std::ptr::eq(p, earlier)))
        .and_then(|earlier| models.model(earlier));
    let scored = score_period(site.0, period);
    let both = (scored, rechecked.as_deref());
    let mut rendered = render_scored(site, prepared, both, base.sources, base.errors_before);
    for (path, bytes) in std::mem::take(&mut rendered.files) {
        sink.put(&path, &bytes);
    }
    rendered
}

/// A period whose model could not be had again: it loaded once, so this
/// cannot happen, but a folder left out without a word would be worse.
fn unparsed(slug: &str) -> PeriodFiles {
    PeriodFiles {
        found: vec![Diagnostic::error(format!(
            "无法生成期次 “{slug}”：它的数据无法再次读取"
        ))],
        ..PeriodFiles::default()
    }
}

/// The unit pages of the chronological `periods`, into `sink`.
fn render_unit_pages_of(
    (site, site_view): (&Site, &SiteView),
    prepared: &Prepared,
    periods: &[Scored],
    sink: &dyn Sink,
    report: &mut Report,
) {
    let courses = history::courses(site, periods);
    let courses: Vec<&Course> = courses.iter().collect();
    let templates = &prepared.templates;
    unit::render_units(templates, site, site_view, periods, &courses, sink, report);
}

/// A sink that counts the pages put through it.
struct Counted<'s> {
    sink: &'s dyn Sink,
    pages: AtomicUsize,
}

impl<'s> Counted<'s> {
    fn new(sink: &'s dyn Sink) -> Counted<'s> {
        Counted {
            sink,
            pages: AtomicUsize::new(0),
        }
    }

    fn pages(&self) -> usize {
        self.pages.load(Ordering::Relaxed)
    }
}

impl Sink for Counted<'_> {
    fn put(&self, path: &str, bytes: &[u8]) {
        if is_page(path) {
            self.pages.fetch_add(1, Ordering::Relaxed);
        }
        self.sink.put(path, bytes);
    }

    fn stopped(&self) -> bool {
        self.sink.stopped()
    }
}

/// One period's folder as rendered on its own.
#[derive(Default)]
pub struct PeriodFiles {
    /// The files, by path relative to the output folder.
    pub files: Files,
    /// The home page's link to the notice; `None` when the period failed.
    pub link: Option<NoticeLink>,
    /// The problems found rendering it.
    pub found: Vec<Diagnostic>,
}

/// Renders one period's folder as a build does, reading source texts from
/// `sources` and reporting into the result, and returns it with the
/// period's scored rows for the pages across periods (`None` when it could
/// not be scored): for `serve`, which renders one period at a time.
/// `errors_before` says whether an earlier stage found an error.
pub fn render_one(
    content: &Content,
    prepared: &Prepared,
    period: &Period,
    sources: &Diagnostics,
    errors_before: bool,
) -> (PeriodFiles, Option<PeriodRows>) {
    let site = &content.site;
    let scored = score_period(site, period);
    let rows = scored
        .as_ref()
        .ok()
        .map(|scored| PeriodRows::of(site, scored));
    let site_view = site_view(site, content.periods.len());
    let rechecked = crate::findings::rechecked(&content.periods, period);
    let both = (scored, rechecked);
    let files = render_scored((site, &site_view), prepared, both, sources, errors_before);
    (files, rows)
}

/// Renders the folder of a period scored already (see [`render_into`]),
/// with the period its notice re-checks, if it has been found.
fn render_scored(
    (site, site_view): (&Site, &SiteView),
    prepared: &Prepared,
    (scored, rechecked): (Result<ScoredPeriod, Vec<Diagnostic>>, Option<&Period>),
    sources: &Diagnostics,
    errors_before: bool,
) -> PeriodFiles {
    let mut report = Report::new(sources, errors_before);
    let rendered = match scored {
        Ok(scored) => {
            let period = scored.period;
            // A `recheck` naming no period has been reported by
            // validation; the notice's figures from it would only repeat
            // that.
            let unresolved = period.notice.recheck.is_some() && rechecked.is_none();
            let both = (&scored, rechecked);
            (!unresolved)
                .then(|| render_period(prepared, site, site_view, both, &mut report))
                .flatten()
        }
        Err(overflows) => {
            // Validation scores every period too and has reported these.
            overflows
                .into_iter()
                .for_each(|overflow| report.push(overflow));
            None
        }
    };
    let (files, link) = match rendered {
        Some((files, link)) => (files, Some(link)),
        None => (Files::new(), None),
    };
    PeriodFiles {
        files,
        link,
        found: report.found,
    }
}

/// The site of `periods` periods as every page's template sees it.
fn site_view(site: &Site, periods: usize) -> SiteView {
    SiteView {
        title: site.title.clone(),
        office: site.office.clone(),
        language: site.language.clone(),
        feed: periods > 0,
        base_url: site.base_url.clone(),
    }
}

/// Renders the pages of `courses`, units of the chronological `periods`
/// (see [`history::courses`]), into `sink`.
pub fn render_unit_pages(
    content: &Content,
    prepared: &Prepared,
    periods: &[Scored],
    courses: &[&Course],
    sink: &dyn Sink,
    diagnostics: &mut Diagnostics,
) {
    let site_view = site_view(&content.site, content.periods.len());
    reporting(diagnostics, |report| {
        unit::render_units(
            &prepared.templates,
            &content.site,
            &site_view,
            periods,
            courses,
            sink,
            report,
        );
    });
}

/// Renders the ledgers of the years in `only` (every year when `None`) of
/// the chronological `periods` into `sink`; returns the years rendered
/// that have a ledger.
pub fn render_ledgers(
    content: &Content,
    prepared: &Prepared,
    periods: &[Scored],
    only: Option<&BTreeSet<i32>>,
    sink: &dyn Sink,
    diagnostics: &mut Diagnostics,
) -> BTreeSet<i32> {
    let site_view = site_view(&content.site, content.periods.len());
    reporting(diagnostics, |report| {
        ledger::render_ledgers(
            &prepared.templates,
            (&content.site, &content.calendar),
            &site_view,
            (periods, &content.periods),
            only,
            sink,
            report,
        )
    })
}

/// Renders the home page (its notices grouped by year, linking the years
/// in `ledgers`), the sitemap (which also lists `unit_pages`, the paths
/// of the units [`listed_units`] lists), the feed and the theme's static
/// files into `sink`, for a site of `periods` periods. Of the periods it
/// reads only `notices` and how many there are, so `serve` skips it when
/// these arguments did not change.
pub fn render_index(
    (site, periods): (&Site, usize),
    prepared: &Prepared,
    mut notices: Vec<NoticeLink>,
    ledgers: &BTreeSet<i32>,
    unit_pages: &BTreeSet<String>,
    sink: &dyn Sink,
    diagnostics: &mut Diagnostics,
) {
    let site_view = site_view(site, periods);
    // Newest first; the path breaks ties so the order never depends on the disk.
    notices.sort_by(|a, b| b.issued.cmp(&a.issued).then_with(|| b.href.cmp(&a.href)));
    let years = ledger::year_groups(&notices, ledgers);
    let home = HomePage {
        site: &site_view,
        root: "",
        notices: &notices,
        years: &years,
    };
    if let Some(html) = render_page(&prepared.templates, "index.html", &home, diagnostics) {
        sink.put(PAGE_FILE, &html);
    }
    let mut files = Files::new();
    let others = other_pages(&notices, ledgers, unit_pages);
    render_feeds(site, &notices, &others, &mut files);
    for (path, bytes) in &files {
        sink.put(path, bytes);
    }
    for (path, bytes) in &prepared.theme.static_files {
        sink.put(&format!("static/{path}"), bytes);
    }
}

/// Rendered files, by path relative to the output folder.
pub type Files = Vec<(String, Vec<u8>)>;

/// Where one period's rendering reports: the source texts registered at
/// load (read only, shared by every period) and the period's own problems,
/// merged into the run's [`Diagnostics`] in period order afterwards.
pub struct Report<'s> {
    sources: &'s Diagnostics,
    /// Whether an earlier stage (load, validation) found an error.
    errors_before: bool,
    found: Vec<Diagnostic>,
}

impl<'s> Report<'s> {
    fn new(sources: &'s Diagnostics, errors_before: bool) -> Report<'s> {
        Report {
            sources,
            errors_before,
            found: Vec::new(),
        }
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.found.push(diagnostic);
    }

    /// An empty report on the same sources, for work done beside this
    /// report's; its problems come back by [`Report::absorb`].
    fn fork(&self) -> Report<'s> {
        Report::new(self.sources, self.errors_before)
    }

    /// Takes the problems of a [`Report::fork`], after this report's own.
    fn absorb(&mut self, fork: Report<'s>) {
        self.found.extend(fork.found);
    }

    /// Runs `work` on a [`Report::fork`]: what it returns, and the fork.
    fn forked<T>(&self, work: impl FnOnce(&mut Report<'s>) -> T) -> (T, Report<'s>) {
        let mut fork = self.fork();
        let value = work(&mut fork);
        (value, fork)
    }

    /// Whether an earlier stage or this report found an error. Never
    /// another period's: that would make a message depend on the order
    /// periods happen to finish in.
    fn has_errors(&self) -> bool {
        self.errors_before
            || self
                .found
                .iter()
                .any(|problem| problem.severity == Severity::Error)
    }
}

/// Runs `work` with a [`Report`] on `diagnostics`' sources, then adds what
/// it found to `diagnostics`, each problem once: a template that fails the
/// same way for every unit's page is told once, not once per unit.
fn reporting<T>(diagnostics: &mut Diagnostics, work: impl FnOnce(&mut Report) -> T) -> T {
    let mut report = Report::new(diagnostics, diagnostics.has_errors());
    let value = work(&mut report);
    let found = report.found;
    found
        .into_iter()
        .for_each(|problem| diagnostics.push_once(problem));
    value
}

/// The Word document's style, parsed from the theme's `docx/style.toml`.
fn document_style(theme: &Theme, diagnostics: &mut Diagnostics) -> Option<docx::Style> {
    match theme.docx_style {
        Some(file) => docx::Style::parse(file, diagnostics),
        None => {
            diagnostics.push(Diagnostic::error(format!(
                "主题缺少 Word 文档的样式文件 {DOCX_STYLE}"
            )));
            None
        }
    }
}

/// Renders one period's folder: the notice page, the portal fragment, the
/// Word document and the downloads, with the home page's link to the
/// notice. `None` when the period's figures cannot be computed; a file
/// that failed is left out and reported.
fn render_period(
    prepared: &Prepared,
    site: &Site,
    site_view: &SiteView,
    (scored, rechecked): (&ScoredPeriod, Option<&Period>),
    report: &mut Report,
) -> Option<(Files, NoticeLink)> {
    let period = scored.period;
    let figures = match period_figures(site, scored) {
        Ok(mut figures) => {
            if let Some(rechecked) = rechecked {
                crate::figures::insert_recheck_figures(&mut figures, site, rechecked);
            }
            figures
        }
        Err(errors) => {
            errors.into_iter().for_each(|error| report.push(error));
            return None;
        }
    };
    let folder_url = site
        .base_url
        .as_ref()
        .map(|base| format!("{base}{}/", period.slug));
    let mut expander = Expander { report };
    let (notice, appendices) = notice_views(
        site,
        (scored, rechecked),
        &figures,
        folder_url.as_deref(),
        &mut expander,
    );
    let page = NoticePage {
        site: site_view,
        root: "../",
        notice: &notice,
        appendices: &appendices,
    };
    let folder = &notice.slug;
    let templates = &prepared.templates;
    let issued = period.window.issued.value;
    let meta = download::Meta {
        office: &site.office,
        issued,
    };
    // The pages, the Word document and the downloads do not depend on one
    // another: rendered side by side, their files and problems are then
    // taken in this fixed order, so neither depends on the threads.
    let stationery = &prepared.document;
    let (pages, (document, tables)) = rayon::join(
        || report.forked(|found| render_pages(templates, (site, site_view, period), &page, found)),
        || {
            rayon::join(
                || {
                    report.forked(|found| {
                        render_document(stationery, &notice, &appendices, issued, found)
                    })
                },
                || render_tables(folder, &appendices, &meta),
            )
        },
    );
    let mut files = Files::new();
    for (part, found) in [pages, document] {
        files.extend(part);
        report.absorb(found);
    }
    let errors_before = report.has_errors();
    keep_downloads(tables, errors_before, &mut files, &mut report.found);
    Some((files, notice_link(&notice, &period.window)))
}

/// The period's pages: the notice page, the portal fragment and the
/// rectification sheets.
fn render_pages(
    templates: &Templates,
    (site, site_view, period): (&Site, &SiteView, &Period),
    page: &NoticePage,
    report: &mut Report,
) -> Files {
    let notice = page.notice;
    let folder = &notice.slug;
    let mut files = Files::new();
    // One context for the page and the fragment: both show the same notice.
    match Context::from_serialize(page) {
        Ok(context) => {
            if let Some(html) = render_context(templates, "notice.html", &context, report) {
                files.push((format!("{folder}/{PAGE_FILE}"), html));
            }
            if let Some(html) = render_fragment(templates, folder, &context, report) {
                files.push((format!("{folder}/{FRAGMENT_FILE}"), html));
            }
        }
        Err(error) => report.push(theme::template_error(
            &error,
            &templates.files,
            report.sources,
        )),
    }
    rectification::render_sheets(
        templates, site, site_view, period, notice, &mut files, report,
    );
    files
}

/// The notice's Word document, in the period's folder.
fn render_document(
    stationery: &docx::Stationery,
    notice: &NoticeView,
    appendices: &[AppendixView],
    issued: chrono::NaiveDate,
    report: &mut Report,
) -> Files {
    let path = format!("{}/{}", notice.slug, notice.document.href);
    match docx::to_docx(notice, appendices, stationery, issued) {
        Ok(bytes) => vec![(path, bytes)],
        Err(error) => {
            report.push(Diagnostic::error(format!(
                "无法生成 Word 文档 {path}：{error}"
            )));
            Files::new()
        }
    }
}

/// Puts the downloads of `tables` that were written into `sink`, and
/// reports the others: a year's ledger tables.
fn put_downloads(
    tables: Vec<(String, Result<Vec<u8>, download::DownloadError>)>,
    sink: &dyn Sink,
    report: &mut Report,
) {
    let mut files = Files::new();
    let errors_before = report.has_errors();
    keep_downloads(tables, errors_before, &mut files, &mut report.found);
    for (path, bytes) in &files {
        sink.put(path, bytes);
    }
}

/// Each table's download, or why it failed, by path in `folder`: a
/// period's appendices, or a year's ledger tables. The tables are written
/// side by side, and returned in the order of `appendices`, then
/// [`Format::ALL`].
fn render_tables(
    folder: &str,
    appendices: &[AppendixView],
    meta: &download::Meta,
) -> Vec<(String, Result<Vec<u8>, download::DownloadError>)> {
    appendices
        .par_iter()
        .flat_map_iter(|appendix| {
            Format::ALL.into_iter().map(move |format| {
                let path = format!("{folder}/{}.{}", appendix.id, format.extension());
                (path, download::render(format, appendix, meta))
            })
        })
        .collect()
}

/// Keeps the downloads that were written in `files`, and reports the
/// others. `errors_before` says whether anything else was found wrong
/// already.
fn keep_downloads(
    tables: Vec<(String, Result<Vec<u8>, download::DownloadError>)>,
    errors_before: bool,
    files: &mut Files,
    found: &mut Vec<Diagnostic>,
) {
    for (path, rendered) in tables {
        match rendered {
            Ok(bytes) => files.push((path, bytes)),
            // Validation has already pointed at a text too long for a
            // cell where it is written; this message is for a text that
            // only grew too long once filled in, once nothing else is
            // wrong.
            Err(download::DownloadError::CellTooLong)
                if errors_before || found.iter().any(|d| d.severity == Severity::Error) => {}
            Err(error) => found.push(Diagnostic::error(format!(
                "无法生成下载文件 {path}：{error}"
            ))),
        }
    }
}

/// Renders the theme's portal fragment and refuses one that a CMS editor
/// would mangle or that carries an address a page may not, both found in
/// one pass ([`fragment::check`]).
fn render_fragment(
    templates: &Templates,
    slug: &str,
    context: &Context,
    report: &mut Report,
) -> Option<Vec<u8>> {
    let html = render_text(templates, FRAGMENT_FILE, context, report)?;
    let template = templates
        .files
        .get(FRAGMENT_FILE)
        .map(|file| Location::new(*file, 0..0));
    let found = fragment::check(&html);
    let refusals = [
        (
            found.problems,
            "不能直接粘贴",
            "门户编辑器会删除 <style>、<script>、class 和事件属性；请在模板里改用 style 属性",
        ),
        (
            found.unsafe_addresses,
            "含有不安全的地址",
            "链接只能是相对地址或 http、https、mailto、tel 地址；图片等只能来自本站",
        ),
    ];
    let mut refused = false;
    for (found, what, hint) in refusals {
        if found.is_empty() {
            continue;
        }
        let diagnostic = Diagnostic::error(format!(
            "主题模板 {FRAGMENT_FILE} 生成的门户片段（{slug}/{FRAGMENT_FILE}）{what}：{}",
            found.join("；")
        ))
        .hint(hint);
        report.push(at_template(diagnostic, template.as_ref()));
        refused = true;
    }
    (!refused).then_some(html.into_bytes())
}

/// A diagnostic about the fragment, at its template when the theme has one.
fn at_template(diagnostic: Diagnostic, template: Option<&Location>) -> Diagnostic {
    match template {
        Some(location) => diagnostic.at(location),
        None => diagnostic,
    }
}

/// The ledgers (newest year first) and the unit pages (in path order) for
/// the sitemap. A ledger changes with its year's notices, a unit's page
/// with any notice, so their `lastmod` is the newest of those.
fn other_pages(
    notices: &[NoticeLink],
    ledgers: &BTreeSet<i32>,
    unit_pages: &BTreeSet<String>,
) -> Vec<feed::OtherPage> {
    let newest = |year: Option<i32>| {
        notices
            .iter()
            .filter(|notice| year.is_none_or(|year| notice.year == year))
            .map(|notice| notice.issued)
            .max()
    };
    let mut pages: Vec<feed::OtherPage> = ledgers
        .iter()
        .rev()
        .map(|year| feed::OtherPage {
            path: ledger::ledger_path(*year),
            lastmod: newest(Some(*year)),
        })
        .collect();
    let lastmod = newest(None);
    pages.extend(unit_pages.iter().map(|path| feed::OtherPage {
        path: path.clone(),
        lastmod,
    }));
    pages
}

/// The tables and names of the units `period` lists in a table of the
/// site: each gets a page (`unit.rs`), which the sitemap lists.
pub fn listed_units<'p>(
    site: &Site,
    period: &'p Period,
) -> impl Iterator<Item = (&'p str, &'p str)> {
    period
        .tables
        .iter()
        .filter(|table| site.schema(&table.id.value).is_some())
        .flat_map(|table| {
            table
                .units
                .iter()
                .map(|unit| (table.id.value.as_str(), unit.name.value.as_str()))
        })
}

/// The paths of every unit page: one per unit of the periods' scored
/// `rows` (as [`listed_units`] lists them), however many periods list it.
fn unit_pages<'r>(site: &Site, rows: impl Iterator<Item = &'r PeriodRows>) -> BTreeSet<String> {
    // Each distinct unit's path is made once: a path is a SHA-1, and a
    // unit appears in every period (120,000 times at 1,000 periods).
    // Inserted one by one (`collect` would gather every row first).
    let mut names: BTreeSet<(&str, &str)> = BTreeSet::new();
    for table in rows.flat_map(|rows| &rows.tables) {
        if let Some(schema) = site.tables.get(table.schema) {
            let id = schema.id.value.as_str();
            names.extend(table.units.iter().map(|name| (id, &**name)));
        }
    }
    names
        .into_iter()
        .map(|(table, name)| unit_page_path(table, name))
        .collect()
}

/// Adds `sitemap.xml`, and `atom.xml` when there is a notice to announce.
fn render_feeds(
    site: &Site,
    notices: &[NoticeLink],
    others: &[feed::OtherPage],
    files: &mut Files,
) {
    let feed_site = feed::FeedSite {
        title: &site.title,
        office: &site.office,
        language: &site.language,
        base_url: site.base_url.as_deref(),
    };
    files.push((
        feed::SITEMAP_PATH.to_string(),
        feed::sitemap(&feed_site, notices, others).into_bytes(),
    ));
    if let Some(atom) = feed::atom(&feed_site, notices) {
        files.push((feed::ATOM_PATH.to_string(), atom.into_bytes()));
    }
}

#[derive(Serialize)]
struct NoticePage<'a> {
    site: &'a SiteView,
    /// Relative path from the page back to the site root, so that every
    /// link works from disk, at a domain's root or in any sub-folder.
    root: &'static str,
    notice: &'a NoticeView,
    appendices: &'a [AppendixView],
}

#[derive(Serialize)]
struct HomePage<'a> {
    site: &'a SiteView,
    root: &'static str,
    notices: &'a [NoticeLink],
    /// The notices grouped by year, each year with its ledger.
    years: &'a [ledger::YearGroup],
}

fn notice_views(
    site: &Site,
    (scored, rechecked): (&ScoredPeriod, Option<&Period>),
    figures: &Figures,
    folder_url: Option<&str>,
    expander: &mut Expander,
) -> (NoticeView, Vec<AppendixView>) {
    let period = scored.period;
    let notice = &period.notice;
    let appendices: Vec<AppendixView> = notice
        .attachments
        .iter()
        .filter_map(|id| findings::source(scored, rechecked, &id.value))
        .enumerate()
        .map(|(index, source)| match source {
            findings::Source::Table(table) => {
                let figures = table_figures(figures, table);
                view::appendix(index + 1, table, &figures, folder_url, expander)
            }
            findings::Source::Findings => {
                findings::appendix(index + 1, site, period, figures, folder_url, expander)
            }
            findings::Source::Recheck(rechecked) => findings::recheck_appendix(
                index + 1,
                site,
                rechecked,
                figures,
                folder_url,
                expander,
            ),
        })
        .collect();
    let attachments = appendices.iter().map(attachment_link).collect();
    let expanded = expander.markdown(&notice.body, figures);
    let body = body_html(&notice.body, &expanded, expander);
    let title_lines = lines(&expander.plain(&notice.title, figures));
    let title = markdown::join_lines(&title_lines);
    let view = NoticeView {
        slug: period.slug.clone(),
        document: document_link(&title, folder_url),
        title,
        title_lines,
        addressees: notice.addressees.clone(),
        body,
        markdown: expanded.text,
        contact: notice.contact.as_ref().map(|contact| ContactView {
            office: contact.office.clone(),
            phone: contact.phone.clone(),
        }),
        attachments,
        office: site.office.clone(),
        date: format_date(period.window.issued.value),
        iso_date: period.window.issued.value.to_string(),
        label: period.window.label(),
    };
    (view, appendices)
}

/// The link to the notice's Word document, saved under the notice's title.
fn document_link(title: &str, folder_url: Option<&str>) -> DownloadLink {
    DownloadLink {
        format: docx::NAME,
        description: docx::DESCRIPTION,
        media_type: docx::MEDIA_TYPE,
        href: docx::FILE.to_string(),
        url: folder_url.map(|folder| format!("{folder}{}", docx::FILE)),
        save_as: format!("{title}.docx"),
    }
}

/// The notice body as HTML, or empty when it holds a refused address or
/// character: each is reported at its place in notice.md.
fn body_html(source: &Location, body: &Expanded, expander: &mut Expander) -> String {
    match markdown::to_html(&body.text) {
        Ok(html) => html,
        Err(problems) => {
            for problem in problems {
                let at = source.within(body.source_range(problem.span.clone()));
                expander.report.push(problem.diagnostic(&at));
            }
            String::new()
        }
    }
}

/// The attachment list's entry for an appendix.
fn attachment_link(appendix: &AppendixView) -> AttachmentLink {
    AttachmentLink {
        number: appendix.number,
        title: appendix.title.clone(),
        anchor: appendix.anchor.clone(),
    }
}

/// The title as its author broke it: each non-blank line, trimmed.
fn lines(title: &str) -> Vec<String> {
    title
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

fn notice_link(notice: &NoticeView, window: &crate::model::Window) -> NoticeLink {
    use chrono::Datelike;
    NoticeLink {
        href: format!("{}/{PAGE_FILE}", notice.slug),
        title: notice.title.clone(),
        label: notice.label.clone(),
        date: notice.date.clone(),
        iso_date: notice.iso_date.clone(),
        issued: window.issued.value,
        year: window.end.value.year(),
    }
}

fn render_page<T: Serialize>(
    templates: &Templates,
    template: &str,
    page: &T,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<u8>> {
    let rendered =
        Context::from_serialize(page).and_then(|context| templates.tera.render(template, &context));
    match rendered {
        Ok(html) => Some(html.into_bytes()),
        Err(error) => {
            let diagnostic = theme::template_error(&error, &templates.files, diagnostics);
            diagnostics.push(diagnostic);
            None
        }
    }
}

/// [`render_page`], reporting into a [`Report`]: for pages rendered in
/// parallel.
/// Renders `page` with `template`. Taken by value, so that a caller
/// that can give the page up has it dropped once the context is made,
/// before rendering: a unit page's view of many periods is large.
fn render_reported<T: Serialize>(
    templates: &Templates,
    template: &str,
    page: T,
    report: &mut Report,
) -> Option<Vec<u8>> {
    match Context::from_serialize(page) {
        Ok(context) => render_context(templates, template, &context, report),
        Err(error) => {
            report.push(theme::template_error(
                &error,
                &templates.files,
                report.sources,
            ));
            None
        }
    }
}

fn render_context(
    templates: &Templates,
    template: &str,
    context: &Context,
    report: &mut Report,
) -> Option<Vec<u8>> {
    render_text(templates, template, context, report).map(String::into_bytes)
}

/// [`render_context`], as text: for a page that is read again.
fn render_text(
    templates: &Templates,
    template: &str,
    context: &Context,
    report: &mut Report,
) -> Option<String> {
    match templates.tera.render(template, context) {
        Ok(html) => Some(html),
        Err(error) => {
            report.push(theme::template_error(
                &error,
                &templates.files,
                report.sources,
            ));
            None
        }
    }
}

/// Expands figure expressions in the user's text, reporting each bad one at
/// its line and column in the file it came from.
pub struct Expander<'r, 's> {
    report: &'r mut Report<'s>,
}

impl Expander<'_, '_> {
    /// A TOML string value (title, header, note). Its location includes the
    /// quotes, which are skipped to place errors inside the string.
    pub fn plain(&mut self, text: &Located<String>, figures: &Figures) -> String {
        let quoted = self
            .report
            .sources
            .source(text.location.file)
            .get(text.location.span())
            .unwrap_or("");
        let skip = value_offset(quoted, &text.value);
        self.expand(text, skip, figures, Escape::Plain)
    }

    /// The Markdown at `body` in its source, expanded, with where each
    /// value went.
    pub fn markdown(&mut self, body: &Location, figures: &Figures) -> Expanded {
        let sources = self.report.sources;
        let text = sources.source(body.file).get(body.span()).unwrap_or("");
        match expand_traced(text, figures, Escape::Markdown) {
            Ok(expanded) => expanded,
            Err(errors) => {
                self.report(body, Some(0), errors);
                Expanded::verbatim(text.to_string())
            }
        }
    }

    /// `skip` is where the value starts within its location, or `None`
    /// when the value is not the source text verbatim (escapes), so that
    /// errors point at the whole string rather than at a wrong place.
    fn expand(
        &mut self,
        text: &Located<String>,
        skip: Option<usize>,
        figures: &Figures,
        escape: Escape,
    ) -> String {
        match expand(&text.value, figures, escape) {
            Ok(expanded) => expanded,
            Err(errors) => {
                self.report(&text.location, skip, errors);
                text.value.clone()
            }
        }
    }

    /// Reports each bad expression of `text` (see [`Expander::expand`] for `skip`).
    fn report(&mut self, text: &Location, skip: Option<usize>, errors: Vec<ExpandError>) {
        for error in errors {
            let location = match skip {
                Some(skip) => text.within(error.span.start + skip..error.span.end + skip),
                None => text.clone(),
            };
            let mut diagnostic = Diagnostic::error(error.message).at(&location);
            if let Some(hint) = error.hint {
                diagnostic = diagnostic.hint(hint);
            }
            self.report.push(diagnostic);
        }
    }
}

/// Where a TOML string's value starts within its quoted source: after the
/// opening quotes and, in a multi-line string, the line break TOML drops
/// after them. `None` when the value is not the source verbatim (escapes or
/// line-ending backslashes), since offsets in the value then do not map.
fn value_offset(quoted: &str, value: &str) -> Option<usize> {
    let (open, close) = if quoted.starts_with("\"\"\"") || quoted.starts_with("'''") {
        let after = &quoted[3..];
        let newline = if after.starts_with("\r\n") {
            2
        } else {
            usize::from(after.starts_with('\n'))
        };
        (3 + newline, 3)
    } else if quoted.starts_with('"') || quoted.starts_with('\'') {
        (1, 1)
    } else {
        (0, 0)
    };
    let raw = quoted.get(open..quoted.len().checked_sub(close)?)?;
    (raw == value).then_some(open)
}

#[cfg(test)]
mod tests {
    use super::value_offset;

    #[test]
    fn values_map_to_their_source_unless_escaped() {
        assert_eq!(value_offset("\"关于{{ x }}\"", "关于{{ x }}"), Some(1));
        assert_eq!(
            value_offset("\"\"\"\n关于\n通报\"\"\"", "关于\n通报"),
            Some(4)
        );
        assert_eq!(value_offset("'''\r\n关于'''", "关于"), Some(5));
        assert_eq!(value_offset("\"a\\tb\"", "a\tb"), None);
    }
}
