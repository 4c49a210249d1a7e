//! What `serve` keeps of its last good build, so that a change to one
//! period's files re-renders that period and the pages that list periods
//! (home page, sitemap, feed), not the whole site, and the periods whose
//! notice re-checks a changed period's findings (`recheck`).
//!
//! Every piece is made by the same functions a full build uses
//! ([`render_one`], [`render_home`]), so the files served after any
//! sequence of changes are the files `tongbao build` would write. A change
//! that is not confined to period folders (site.toml, the calendar, the
//! theme), or any change while the last build had errors, is built whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostics, FileId};
use crate::load::{CONTENT_DIR, Content, load_content, load_one_period, load_theme};
use crate::model::Period;
use crate::render::{Files, NoticeLink, PeriodFiles, Prepared, is_page, render_home, render_one};
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
    /// Paths of the files that list periods or belong to none.
    home: Vec<String>,
    files: SiteFiles,
}

/// The site's files by path, each shared rather than copied, so that the
/// server can hold one version while the next is being made.
pub type SiteFiles = BTreeMap<String, Arc<[u8]>>;

struct Built {
    link: NoticeLink,
    paths: Vec<String>,
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
        let Some(content) = load_content(root, &mut diagnostics) else {
            return Err(diagnostics);
        };
        let theme = load_theme(root, &content.site.theme, &mut diagnostics);
        validate(&content, &mut diagnostics);
        let Some(prepared) = theme.and_then(|theme| Prepared::new(theme, &mut diagnostics)) else {
            return Err(diagnostics);
        };
        let errors_before = diagnostics.has_errors();
        let sources = &diagnostics;
        let rendered: Vec<PeriodFiles> = content
            .periods
            .par_iter()
            .map(|period| render_one(&content, &prepared, period, sources, errors_before))
            .collect();
        let mut cache = Cache {
            content,
            prepared,
            diagnostics: Diagnostics::new(),
            periods: BTreeMap::new(),
            home: Vec::new(),
            files: SiteFiles::new(),
        };
        for (index, files) in rendered.into_iter().enumerate() {
            let slug = cache.content.periods[index].slug.clone();
            cache.take(&slug, files, &mut diagnostics);
        }
        cache.diagnostics = diagnostics;
        cache.render_home();
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

    /// Rebuilds the periods named `slugs` (folder names under `content/`,
    /// changed, added or removed) and the home page, sitemap and feed.
    /// `None` when the change is not one this can follow (a name that is
    /// now a link, say): build everything then.
    pub fn update(&mut self, root: &Path, slugs: &BTreeSet<String>) -> Option<Update> {
        let mut reloaded = Vec::new();
        for slug in slugs {
            // What the folder's files registered last time, to drop their messages.
            let old = self.files_of(slug);
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
            if let Some(period) = &period {
                validate_one(&self.content, period, &mut self.diagnostics);
            }
            self.replace(slug, period);
            reloaded.push(slug.clone());
        }
        let mut distinct = Diagnostics::new();
        validate_distinct_periods(&self.content.periods, &mut distinct);
        if distinct.has_errors() || self.diagnostics.has_errors() {
            return Some(self.fail());
        }
        for slug in &reloaded {
            self.rerender(slug);
        }
        // A notice that re-checks a reloaded period shows its findings.
        for slug in self.rechecking(&reloaded) {
            self.rerender(&slug);
        }
        self.render_home();
        if self.diagnostics.has_errors() {
            return Some(self.fail());
        }
        Some(Update::Built)
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
        let folder = format!("{CONTENT_DIR}/{slug}/");
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
        let Some(period) = self.content.periods.iter().find(|p| p.slug == slug) else {
            return;
        };
        let files = render_one(
            &self.content,
            &self.prepared,
            period,
            &self.diagnostics,
            false,
        );
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        self.take(slug, files, &mut diagnostics);
        self.diagnostics = diagnostics;
    }

    /// Files a rendered period's files, link and messages.
    fn take(&mut self, slug: &str, rendered: PeriodFiles, diagnostics: &mut Diagnostics) {
        rendered
            .found
            .into_iter()
            .for_each(|problem| diagnostics.push_once(problem));
        let paths = self.insert(rendered.files);
        if let Some(link) = rendered.link {
            self.periods.insert(slug.to_string(), Built { link, paths });
        }
    }

    /// Renders the home page, sitemap, feed and static files again.
    fn render_home(&mut self) {
        let links = self
            .periods
            .values()
            .map(|built| built.link.clone())
            .collect();
        let files = render_home(&self.content, &self.prepared, links, &mut self.diagnostics);
        for path in std::mem::take(&mut self.home) {
            self.files.remove(&path);
        }
        self.home = self.insert(files);
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
