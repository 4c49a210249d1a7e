//! What a build keeps of a period once it is checked and scored.
//!
//! A build of many periods cannot hold every period's model: the model is
//! about twice the size of the texts it was parsed from, and the texts are
//! kept anyway, for messages. So each period is checked on its own and
//! scored as soon as it is loaded, on the thread that loaded it, and only
//! its [`Outline`] is kept: what the checks and pages across periods read.
//! Its own pages are rendered from its model parsed again out of the kept
//! texts ([`crate::load::reload_period`]), which is then dropped with
//! them. See docs/PERFORMANCE.md ("the per-period pipeline").
//!
//! [`Heading`] is what the checks across periods read of a period, so
//! that they run the same on outlines (a build) and on whole periods
//! (`serve`, `diff`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use crate::calendar::Calendar;
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located};
use crate::history::{Model, Models, PeriodRows};
use crate::load::{Content, reload_period};
use crate::model::{Finding, Period, Site, Window};
use crate::score::score_period;
use crate::validate::validate_period;

/// A period, checked alone and scored, without its model.
#[derive(Debug)]
pub struct Outline {
    /// The folder name (see [`Period::slug`]).
    pub slug: String,
    /// The period's data file, whose part holds its kept texts.
    pub file: FileId,
    pub window: Window,
    /// The notice's `recheck` and `attachments`.
    pub recheck: Option<Located<String>>,
    pub attachments: Vec<Located<String>>,
    pub findings: Vec<Finding>,
    /// The ids of its tables, in the data file's order.
    pub tables: Vec<Located<String>>,
    /// Its scored rows; `None` when it cannot be scored (validation tells
    /// why).
    pub rows: Option<PeriodRows>,
    /// What checking it alone found ([`validate_period`]), told in the
    /// validation stage, after every message of the load stage.
    pub checked: Vec<Diagnostic>,
}

impl Outline {
    /// Checks `period` alone, scores it and keeps its outline. Without a
    /// usable site file or calendar (reported; nothing is built then) it
    /// is neither checked nor scored.
    /// The names of its tables' units are shared through `rosters`.
    pub fn of(
        period: Period,
        site: Option<(&Site, &Calendar)>,
        rosters: &Rosters,
        diagnostics: &mut Diagnostics,
    ) -> Outline {
        let (checked, rows) = match site {
            Some((site, calendar)) => {
                let before = diagnostics.list().len();
                validate_period(site, calendar, &period, diagnostics);
                let checked = diagnostics.take_from(before);
                let scored = score_period(site, &period).ok();
                let rows = scored.map(|scored| {
                    let mut rows = PeriodRows::of(site, &scored);
                    for table in &mut rows.tables {
                        table.units = rosters.share(std::mem::take(&mut table.units));
                    }
                    rows
                });
                (checked, rows)
            }
            None => (Vec::new(), None),
        };
        let notice = period.notice;
        Outline {
            slug: period.slug,
            file: period.file,
            window: period.window,
            recheck: notice.recheck,
            attachments: notice.attachments,
            findings: period.findings,
            tables: period.tables.into_iter().map(|table| table.id).collect(),
            rows,
            checked,
        }
    }
}

/// Every distinct list of a table's units' names outlined so far, each
/// held once: a table lists the same units in the same order in most
/// periods, and a site of many periods would otherwise hold the same
/// names once per period (docs/PERFORMANCE.md).
#[derive(Default)]
pub struct Rosters(Mutex<HashSet<Arc<[Box<str>]>>>);

impl Rosters {
    /// The list held already that equals `names`, else `names`, now held.
    fn share(&self, names: Arc<[Box<str>]>) -> Arc<[Box<str>]> {
        let mut known = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = known.get(&names) {
            return Arc::clone(held);
        }
        known.insert(Arc::clone(&names));
        names
    }
}

/// What the checks across periods read of a period.
pub trait Heading {
    fn slug(&self) -> &str;
    fn window(&self) -> &Window;
    /// The earlier period the notice re-checks.
    fn recheck(&self) -> Option<&Located<String>>;
    /// The notice's attachments.
    fn attachments(&self) -> &[Located<String>];
    fn findings(&self) -> &[Finding];
    /// The ids of the period's tables, in the data file's order.
    fn table_ids(&self) -> Vec<&Located<String>>;
}

impl Heading for Period {
    fn slug(&self) -> &str {
        &self.slug
    }

    fn window(&self) -> &Window {
        &self.window
    }

    fn recheck(&self) -> Option<&Located<String>> {
        self.notice.recheck.as_ref()
    }

    fn attachments(&self) -> &[Located<String>] {
        &self.notice.attachments
    }

    fn findings(&self) -> &[Finding] {
        &self.findings
    }

    fn table_ids(&self) -> Vec<&Located<String>> {
        self.tables.iter().map(|table| &table.id).collect()
    }
}

impl Heading for Outline {
    fn slug(&self) -> &str {
        &self.slug
    }

    fn window(&self) -> &Window {
        &self.window
    }

    fn recheck(&self) -> Option<&Located<String>> {
        self.recheck.as_ref()
    }

    fn attachments(&self) -> &[Located<String>] {
        &self.attachments
    }

    fn findings(&self) -> &[Finding] {
        &self.findings
    }

    fn table_ids(&self) -> Vec<&Located<String>> {
        self.tables.iter().collect()
    }
}

/// The outlined periods' models, each parsed again from the texts its
/// load registered in `sources` when asked for.
pub struct Reloaded<'a> {
    pub content: &'a Content<Outline>,
    pub sources: &'a Diagnostics,
}

impl Models for Reloaded<'_> {
    fn model(&self, index: usize) -> Option<Model<'_>> {
        let period = self.content.reload(index, self.sources)?;
        Some(Model::Parsed(Box::new(period)))
    }
}

impl Content<Outline> {
    /// The model of the period at `index`, parsed again from the texts
    /// its load registered in `sources` ([`reload_period`]).
    pub fn reload(&self, index: usize, sources: &Diagnostics) -> Option<Period> {
        let outline = self.periods.get(index)?;
        let (site, calendar) = (&self.site, &self.calendar);
        reload_period(&outline.slug, outline.file, site, calendar, sources)
    }

    /// The whole content, every period's model parsed again from the
    /// texts its load registered in `sources`. `None` when one cannot be.
    pub fn into_models(self, sources: &Diagnostics) -> Option<Content> {
        let periods = (0..self.periods.len())
            .map(|index| self.reload(index, sources))
            .collect::<Option<Vec<Period>>>()?;
        Some(Content {
            site: self.site,
            calendar: self.calendar,
            periods,
        })
    }
}
