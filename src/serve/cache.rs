//! What `serve` keeps of its last good build, so that a change to one
//! period's files re-renders that period, the pages that list periods
//! (home page, sitemap, feed), the ledgers of the years it was and is in,
//! the unit pages whose rows changed, and the periods whose notice
//! re-checks a changed period's findings (`recheck`; reloaded and checked
//! again as well, since their notice is valid only while that period is
//! there), not the whole site.
//!
//! Every piece is made by the same functions a full build uses
//! ([`render_one`], whose files a build renders through the same
//! `render_scored`; [`render_unit_pages`] and [`render_ledgers`], around
//! the `unit::render_units` and `ledger::render_ledgers` a build runs;
//! [`render_index`]), so the files served after any sequence of changes are
//! the files `tongbao build` would write. A unit page is re-rendered when
//! the digest of what it shows ([`history::Course::digest`]) changed; the
//! digests are not even taken when every re-rendered period shows the unit
//! pages what it showed before ([`Shown`]). The home page, sitemap and feed
//! are re-rendered when what they are made of ([`IndexInputs`]) changed. A
//! change that is not confined to period folders (site.toml, the calendar,
//! the theme), or any change while the last build had errors, is built
//! whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::diagnostics::{Diagnostics, FileId};
use crate::findings;
use crate::history::{self, PeriodRows};
use crate::layout::CONTENT_DIR;
use crate::load::{Content, load_one_period};
use crate::model::{Period, Site};
use crate::pipeline::load_prepared;
use crate::render::{
    Collect, Files, NoticeLink, PeriodFiles, Prepared, is_page, ledger_year, listed_units,
    render_index, render_ledgers, render_one, render_unit_pages, unit_page_path,
};
use crate::validate::{validate, validate_distinct_periods, validate_one};

/// The last good build, in parts.
pub struct Cache {
    content: Content,
    /// The theme with its templates parsed, kept between rebuilds.
    prepared: Prepared,
    /// Every source text read so far, and the last build's messages.
    diagnostics: Diagnostics,
    /// Each period's link on the home page and the paths of its files.
    periods: BTreeMap<String, Built>,
    /// Each unit page by table and unit name: the digest of what it shows
    /// and its path.
    units: BTreeMap<(usize, String), (u64, String)>,
    /// The paths of each year's ledger files.
    ledgers: BTreeMap<i32, Vec<String>>,
    /// Paths of the home page, sitemap, feed and static files.
    home: Vec<String>,
    /// What the home page, sitemap and feed were last rendered from.
    index: Option<IndexInputs>,
    /// Each unit the periods list (by table and name, see
    /// [`listed_units`]): how many periods list it, and its page's path.
    listed: BTreeMap<(String, String), (usize, String)>,
    files: SiteFiles,
}

/// What [`render_index`] reads of the periods: equal inputs render equal
/// files, so an update that leaves them as they were skips it.
#[derive(PartialEq)]
struct IndexInputs {
    /// In folder-name order.
    links: Vec<NoticeLink>,
    ledgers: BTreeSet<i32>,
    unit_pages: BTreeSet<String>,
}

/// The site's files by path, each shared rather than copied, so that the
/// server can hold one version while the next is being made.
pub type SiteFiles = BTreeMap<String, Arc<[u8]>>;

struct Built {
    link: NoticeLink,
    paths: Vec<String>,
    /// Its scored rows, for the pages across periods.
    rows: Option<PeriodRows>,
}

/// What the unit pages read of one period: its place among the periods
/// (by date), its label, its units' names and its scored rows. A change
/// that leaves this as it was, in every period it touches, leaves every
/// unit page as it was.
#[derive(PartialEq)]
struct Shown {
    order: (NaiveDate, NaiveDate),
    label: String,
    names: Vec<(String, Vec<String>)>,
    rows: Option<PeriodRows>,
}

/// How an update went.
pub enum Update {
    /// The changed periods were rebuilt; the site is in the cache.
    Built,
    /// The change made the site fail: the cache is spent, and the next
    /// change builds everything. The messages say why.
    Failed(Diagnostics),
}

impl Cache {
    /// Builds the site under `root` whole. Returns the cache when the build
    /// succeeded, else the build's messages.
    pub fn build(root: &Path) -> Result<Cache, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let (content, prepared) = load_prepared(root, &mut diagnostics);
        let Some(content) = content else {
            return Err(diagnostics);
        };
        validate(&content, &mut diagnostics);
        let Some(prepared) = prepared else {
            return Err(diagnostics);
        };
        let errors_before = diagnostics.has_errors();
        let sources = &diagnostics;
        let rendered: Vec<(PeriodFiles, Option<PeriodRows>)> = content
            .periods
            .par_iter()
            .map(|period| render_one(&content, &prepared, period, sources, errors_before))
            .collect();
        let mut cache = Cache {
            content,
            prepared,
            diagnostics: Diagnostics::new(),
            periods: BTreeMap::new(),
            units: BTreeMap::new(),
            ledgers: BTreeMap::new(),
            home: Vec::new(),
            index: None,
            listed: BTreeMap::new(),
            files: SiteFiles::new(),
        };
        for period in &cache.content.periods {
            list(
                &mut cache.listed,
                &cache.content.site,
                period,
                Listing::Added,
            );
        }
        for (index, files) in rendered.into_iter().enumerate() {
            let slug = cache.content.periods[index].slug.clone();
            cache.take(&slug, files, &mut diagnostics);
        }
        cache.diagnostics = diagnostics;
        cache.render_home(None, true);
        if cache.diagnostics.has_errors() {
            return Err(cache.diagnostics);
        }
        Ok(cache)
    }

    /// The site as last built.
    pub fn files(&self) -> &SiteFiles {
        &self.files
    }

    /// Number of HTML pages.
    pub fn pages(&self) -> usize {
        self.files.keys().filter(|path| is_page(path)).count()
    }

    /// Rebuilds the periods named `changed` (folder names under `content/`,
    /// changed, added or removed), the periods whose notice re-checks one
    /// of them, and the pages across periods they touch.
    /// `None` when the change is not one this can follow (a name that is
    /// now a link, say): build everything then.
    pub fn update(&mut self, root: &Path, changed: &BTreeSet<String>) -> Option<Update> {
        // A notice that re-checks a changed period shows its findings, and
        // is valid only while that period is there: it is reloaded,
        // checked and rendered again with it.
        let rechecking = self.rechecking(&changed.iter().cloned().collect::<Vec<_>>());
        let slugs: BTreeSet<String> = changed.iter().cloned().chain(rechecking).collect();
        let mut reloaded = Vec::new();
        // The years whose ledgers the change touches: where each changed
        // period was, and (below) where it is now.
        let mut years: BTreeSet<i32> = slugs
            .iter()
            .filter_map(|slug| self.periods.get(slug))
            .map(|built| built.link.year)
            .collect();
        let before: Vec<Option<Shown>> = slugs.iter().map(|slug| self.shown(slug)).collect();
        let reference = findings::reference_date(&self.content.site, &self.content.periods);
        for slug in &slugs {
            // What the folder's files registered last time, to drop their messages.
            let old = self.files_of(slug);
            // Read into the folder's part, so that its messages keep their
            // place among the other periods'; a new folder's go last.
            match self.content.period(slug) {
                Some(period) => self.diagnostics.resume_part_of(period.file),
                None => self.diagnostics.begin_part(),
            }
            let first_new = self.diagnostics.next_file();
            let period = load_one_period(root, slug, &self.content, &mut self.diagnostics);
            let period = match period {
                Some(Some(period)) => Some(period),
                Some(None) => return Some(self.fail()),
                None if self.is_gone(root, slug)? => None,
                None => continue,
            };
            self.diagnostics.retain(|problem| {
                problem
                    .location
                    .as_ref()
                    .is_none_or(|at| !old.contains(&at.file))
            });
            self.replace(slug, period);
            // Nothing points into the old copies of the folder's files now.
            self.diagnostics
                .forget_folder(&folder_prefix(slug), first_new);
            reloaded.push(slug.clone());
        }
        // Checked once every reloaded period is in place, so a period is
        // checked against the others as they now are (a `recheck` of one
        // just removed, say).
        for period in &self.content.periods {
            if reloaded.contains(&period.slug) {
                validate_one(&self.content, period, &mut self.diagnostics);
            }
        }
        self.recount_overdue(&reloaded, reference);
        let mut distinct = Diagnostics::new();
        validate_distinct_periods(&self.content.periods, &mut distinct);
        if distinct.has_errors() || self.diagnostics.has_errors() {
            return Some(self.fail());
        }
        for slug in &reloaded {
            self.rerender(slug);
            years.extend(self.periods.get(slug).map(|built| built.link.year));
        }
        let after = slugs.iter().map(|slug| self.shown(slug));
        let units_as_before = before
            .into_iter()
            .zip(after)
            .all(|(before, after)| before.is_some() && before == after);
        self.render_home(Some(&years), !units_as_before);
        if self.diagnostics.has_errors() {
            return Some(self.fail());
        }
        Some(Update::Built)
    }

    /// Tells again, for the periods not `reloaded`, which findings are past
    /// their deadline, when the date they are measured against (the newest
    /// date of issue, see [`findings::reference_date`]) moved from
    /// `before`: a period added or re-dated changes it for every other.
    fn recount_overdue(&mut self, reloaded: &[String], before: Option<NaiveDate>) {
        let now = findings::reference_date(&self.content.site, &self.content.periods);
        if now == before {
            return;
        }
        for period in &self.content.periods {
            if reloaded.contains(&period.slug) {
                continue;
            }
            let mut told = Diagnostics::new();
            findings::validate_overdue(period, before, &mut told);
            self.diagnostics
                .retain(|problem| !told.list().contains(problem));
            findings::validate_overdue(period, now, &mut self.diagnostics);
        }
    }

    /// The last build's messages (warnings), with their source texts.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// Spends the cache after a failed update, keeping its messages.
    fn fail(&mut self) -> Update {
        Update::Failed(std::mem::take(&mut self.diagnostics))
    }

    /// Whether `slug` names a period that is no longer there. `None` when
    /// it names something a full build must look at (a link).
    fn is_gone(&self, root: &Path, slug: &str) -> Option<bool> {
        let path = root.join(CONTENT_DIR).join(slug);
        match std::fs::symlink_metadata(&path) {
            Err(_) => Some(self.periods.contains_key(slug)),
            Ok(meta) if meta.file_type().is_symlink() => None,
            // A plain file beside the periods is not read by a build.
            Ok(_) => Some(false),
        }
    }

    /// The source files read from the folder `content/SLUG/` (data.toml,
    /// notice.md, findings.toml, whatever a period holds), by the name
    /// they were registered under.
    fn files_of(&self, slug: &str) -> BTreeSet<FileId> {
        let folder = folder_prefix(slug);
        self.diagnostics
            .list()
            .iter()
            .filter_map(|problem| problem.location.as_ref())
            .map(|at| at.file)
            .filter(|file| self.diagnostics.file_name(*file).starts_with(&folder))
            .collect()
    }

    /// Puts `period` in place of the period `slug` (or removes it), keeping
    /// the periods in folder-name order as loading does.
    fn replace(&mut self, slug: &str, period: Option<Period>) {
        let periods = &mut self.content.periods;
        let at = periods.partition_point(|existing| existing.slug.as_str() < slug);
        let present = periods
            .get(at)
            .is_some_and(|existing| existing.slug == slug);
        if present {
            list(
                &mut self.listed,
                &self.content.site,
                &periods[at],
                Listing::Removed,
            );
        }
        if let Some(period) = &period {
            list(&mut self.listed, &self.content.site, period, Listing::Added);
        }
        match (period, present) {
            (Some(period), true) => periods[at] = period,
            (Some(period), false) => periods.insert(at, period),
            (None, true) => {
                periods.remove(at);
            }
            (None, false) => {}
        }
        if let Some(built) = self.periods.remove(slug) {
            for path in built.paths {
                self.files.remove(&path);
            }
        }
    }

    /// The periods not in `reloaded` whose notice re-checks one that is
    /// (`recheck`): the one way a period's files show another period.
    fn rechecking(&self, reloaded: &[String]) -> Vec<String> {
        self.content
            .periods
            .iter()
            .filter(|period| !reloaded.contains(&period.slug))
            .filter(|period| {
                period
                    .notice
                    .recheck
                    .as_ref()
                    .is_some_and(|slug| reloaded.contains(&slug.value))
            })
            .map(|period| period.slug.clone())
            .collect()
    }

    /// Renders the period `slug`, when it is there, into the cache.
    fn rerender(&mut self, slug: &str) {
        let Some(period) = self.content.period(slug) else {
            return;
        };
        let rendered = render_one(
            &self.content,
            &self.prepared,
            period,
            &self.diagnostics,
            false,
        );
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        self.take(slug, rendered, &mut diagnostics);
        self.diagnostics = diagnostics;
    }

    /// Files a rendered period's files, link, messages and scored rows.
    fn take(
        &mut self,
        slug: &str,
        (rendered, rows): (PeriodFiles, Option<PeriodRows>),
        diagnostics: &mut Diagnostics,
    ) {
        rendered
            .found
            .into_iter()
            .for_each(|problem| diagnostics.push_once(problem));
        let paths = self.insert(rendered.files);
        if let Some(link) = rendered.link {
            self.periods
                .insert(slug.to_string(), Built { link, paths, rows });
        }
    }

    /// What the unit pages read of the period `slug` (see [`Shown`]);
    /// `None` when there is no such period or it was not scored.
    fn shown(&self, slug: &str) -> Option<Shown> {
        let period = self.content.period(slug)?;
        let rows = self.periods.get(slug)?.rows.clone();
        let window = &period.window;
        Some(Shown {
            order: (window.end.value, window.issued.value),
            label: window.label(),
            names: period
                .tables
                .iter()
                .map(|table| {
                    let names = table.units.iter().map(|unit| unit.name.value.clone());
                    (table.id.value.clone(), names.collect())
                })
                .collect(),
            rows,
        })
    }

    /// Renders the pages across periods again: the unit pages whose rows
    /// changed (when `units` says they may have), the ledgers of `years`
    /// (of every year when `None`), the home page, sitemap, feed and static
    /// files.
    fn render_home(&mut self, years: Option<&BTreeSet<i32>>, units: bool) {
        let periods = history::chronological(
            &self.content.periods,
            self.periods
                .values()
                .filter_map(|built| built.rows.as_ref()),
        );
        let courses = if units {
            history::courses(&self.content.site, &periods)
        } else {
            Vec::new()
        };
        let mut stale: BTreeSet<(usize, String)> = BTreeSet::new();
        if units {
            stale.extend(self.units.keys().cloned());
        }
        let mut changed = Vec::new();
        let mut digests = Vec::new();
        let keys = history::period_keys(&periods);
        let mut buffer = Vec::new();
        for course in &courses {
            let key = (course.schema, course.name.to_string());
            stale.remove(&key);
            let digest = course.digest(&keys, &mut buffer);
            if self
                .units
                .get(&key)
                .is_none_or(|(known, _)| *known != digest)
            {
                changed.push(course);
                digests.push((key, digest));
            }
        }
        let units = Collect::default();
        render_unit_pages(
            &self.content,
            &self.prepared,
            &periods,
            &changed,
            &units,
            &mut self.diagnostics,
        );
        let ledgers = Collect::default();
        let rendered = render_ledgers(
            &self.content,
            &self.prepared,
            &periods,
            years,
            &ledgers,
            &mut self.diagnostics,
        );
        let mut with_ledgers: BTreeSet<i32> = self.ledgers.keys().copied().collect();
        if let Some(years) = years {
            with_ledgers.retain(|year| !years.contains(year));
        } else {
            with_ledgers.clear();
        }
        with_ledgers.extend(&rendered);
        self.file_units(stale, digests, units.into_output().files);
        self.file_ledgers(years, ledgers.into_output().files);
        self.render_index(with_ledgers);
    }

    /// Renders the home page, sitemap, feed and static files again, unless
    /// what they are rendered from is what it was last time.
    fn render_index(&mut self, ledgers: BTreeSet<i32>) {
        let inputs = IndexInputs {
            links: self
                .periods
                .values()
                .map(|built| built.link.clone())
                .collect(),
            ledgers,
            unit_pages: self.listed.values().map(|(_, path)| path.clone()).collect(),
        };
        if self.index.as_ref() == Some(&inputs) {
            return;
        }
        let index = Collect::default();
        render_index(
            (&self.content.site, self.content.periods.len()),
            &self.prepared,
            inputs.links.clone(),
            &inputs.ledgers,
            &inputs.unit_pages,
            &index,
            &mut self.diagnostics,
        );
        for path in std::mem::take(&mut self.home) {
            self.files.remove(&path);
        }
        self.home = self.insert(index.into_output().files.into_iter().collect());
        self.index = Some(inputs);
    }

    /// Replaces the unit pages: drops those of `stale` units, files the
    /// newly rendered `pages` under their `digests`.
    fn file_units(
        &mut self,
        stale: BTreeSet<(usize, String)>,
        digests: Vec<((usize, String), u64)>,
        mut pages: BTreeMap<String, Vec<u8>>,
    ) {
        for key in stale {
            if let Some((_, path)) = self.units.remove(&key) {
                self.files.remove(&path);
            }
        }
        for (key, digest) in digests {
            let Some(schema) = self.content.site.tables.get(key.0) else {
                continue;
            };
            let path = unit_page_path(&schema.id.value, &key.1);
            // A page that failed to render was reported; the update fails.
            if let Some(bytes) = pages.remove(&path) {
                self.files.insert(path.clone(), Arc::from(bytes));
            }
            self.units.insert(key, (digest, path));
        }
    }

    /// Replaces the ledgers of `years` (of every year when `None`) by the
    /// newly rendered `files`.
    fn file_ledgers(&mut self, years: Option<&BTreeSet<i32>>, files: BTreeMap<String, Vec<u8>>) {
        let replaced: Vec<i32> = match years {
            Some(years) => years.iter().copied().collect(),
            None => self.ledgers.keys().copied().collect(),
        };
        for year in replaced {
            for path in self.ledgers.remove(&year).unwrap_or_default() {
                self.files.remove(&path);
            }
        }
        for (path, bytes) in files {
            if let Some(year) = ledger_year(&path) {
                self.ledgers.entry(year).or_default().push(path.clone());
            }
            self.files.insert(path, Arc::from(bytes));
        }
    }

    fn insert(&mut self, files: Files) -> Vec<String> {
        let paths = files.iter().map(|(path, _)| path.clone()).collect();
        self.files.extend(
            files
                .into_iter()
                .map(|(path, bytes)| (path, Arc::from(bytes))),
        );
        paths
    }
}

/// Whether a period joins the site or leaves it, for [`list`].
#[derive(Clone, Copy)]
enum Listing {
    Added,
    Removed,
}

/// Counts the units `period` lists in `listed`, as the period is added or
/// removed: a unit no period lists any more has no page.
fn list(
    listed: &mut BTreeMap<(String, String), (usize, String)>,
    site: &Site,
    period: &Period,
    listing: Listing,
) {
    for (table, name) in listed_units(site, period) {
        let key = (table.to_string(), name.to_string());
        match (listed.get_mut(&key), listing) {
            (Some((count, _)), Listing::Added) => *count += 1,
            (Some((count, _)), Listing::Removed) if *count > 1 => *count -= 1,
            (Some(_), Listing::Removed) => {
                listed.remove(&key);
            }
            (None, Listing::Added) => {
                let path = unit_page_path(table, name);
                listed.insert(key, (1, path));
            }
            (None, Listing::Removed) => {}
        }
    }
}

/// How the names of the files in the period folder `slug` begin, as
/// loading registers them (`content/SLUG/`).
fn folder_prefix(slug: &str) -> String {
    format!("{CONTENT_DIR}/{slug}/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Copies the folder `from` of the repository, whole, to `to`.
    fn copy_folder(from: &str, to: &Path) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
        for entry in walkdir::WalkDir::new(&from).sort_by_file_name() {
            let entry = entry.expect("entry to copy");
            let relative = entry.path().strip_prefix(&from).expect("inside");
            let target = to.join(relative);
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).expect("folder");
            } else {
                fs::copy(entry.path(), &target).expect("file");
            }
        }
    }

    /// A copy of `examples/cycle` (two periods, the second re-checking the
    /// first) in a new folder.
    fn cycle_site() -> tempfile::TempDir {
        let site = tempfile::tempdir().expect("temporary folder");
        copy_folder("examples/cycle", site.path());
        site
    }

    /// A copy of the shipped site, with its period copied into a second
    /// one a thousand years later: two periods, each with the seed's two
    /// warnings.
    fn two_seed_periods() -> tempfile::TempDir {
        let site = tempfile::tempdir().expect("temporary folder");
        let content = site.path().join("content");
        copy_folder("content", &content);
        let later = content.join("3019-01-05");
        fs::create_dir(&later).expect("folder");
        let data = fs::read_to_string(content.join("2019-01-05/data.toml")).expect("data");
        fs::write(later.join("data.toml"), data.replace("2019-", "3019-")).expect("write");
        fs::copy(
            content.join("2019-01-05/notice.md"),
            later.join("notice.md"),
        )
        .expect("notice");
        site
    }

    /// The site under `root` built whole into a cache.
    fn built(root: &Path) -> Cache {
        match Cache::build(root) {
            Ok(cache) => cache,
            Err(diagnostics) => panic!("the site builds: {}", diagnostics.render()),
        }
    }

    /// Appends `line` to the first period's data.toml and updates `cache`
    /// for the change. Returns the edited site built afresh.
    fn edit_first_period(cache: &mut Cache, root: &Path, line: &str) -> Cache {
        let data = root.join("content/2019-01-05/data.toml");
        let mut text = fs::read_to_string(&data).expect("data.toml");
        text.push_str(line);
        fs::write(&data, text).expect("write data.toml");
        let changed: BTreeSet<String> = ["2019-01-05".to_string()].into();
        assert!(matches!(cache.update(root, &changed), Some(Update::Built)));
        built(root)
    }

    #[test]
    fn a_reloaded_periods_messages_keep_their_place() {
        let site = two_seed_periods();
        let mut cache = built(site.path());
        let fresh = edit_first_period(&mut cache, site.path(), "# edited\n");
        let shown = cache.diagnostics().render();
        assert_eq!(shown.matches("警告：").count(), 4, "{shown}");
        assert_eq!(shown, fresh.diagnostics().render());
    }

    #[test]
    fn reloading_a_period_keeps_no_old_copy_of_its_sources() {
        let site = cycle_site();
        let mut cache = built(site.path());
        for edit in 1..=3 {
            let line = format!("# edit {edit}\n");
            let fresh = edit_first_period(&mut cache, site.path(), &line);
            // The re-checking period was reloaded too; both hold their
            // files once, as a build that read everything afresh does.
            assert_eq!(
                cache.diagnostics.source_bytes(),
                fresh.diagnostics.source_bytes(),
                "after edit {edit}"
            );
        }
    }
}
