//! Render: scored content → the files of the static site, in memory.
//!
//! Each notice page is rendered from its own period alone, so pages are
//! independent of each other. Nothing is written here; see [`crate::write`].

mod theme;
mod view;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tera::Context;

use crate::diagnostics::{Diagnostic, Diagnostics, Located, io_reason};
use crate::figures::{Escape, Figures, expand, format_date, period_figures, table_figures};
use crate::load::Content;
use crate::markdown;
use crate::model::Site;
use crate::score::{ScoredPeriod, score_period};

pub use theme::{THEMES_DIR, Theme};
use view::{AppendixView, AttachmentLink, ContactView, NoticeLink, NoticeView, SiteView};

/// The rendered site: file contents by path relative to the output folder,
/// with `/` separators, sorted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    /// Number of HTML pages.
    pub fn pages(&self) -> usize {
        self.files
            .keys()
            .filter(|path| path.ends_with(".html"))
            .count()
    }
}

/// Renders every period's notice page, the home page and the theme's static
/// files. Returns `None` when any template or expression failed; every
/// failure is in `diagnostics`.
pub fn render(root: &Path, content: &Content, diagnostics: &mut Diagnostics) -> Option<Output> {
    let site = &content.site;
    let theme = Theme::load(root, &site.theme.value, &site.theme.location, diagnostics)?;
    let site_view = SiteView {
        title: site.title.clone(),
        office: site.office.clone(),
        language: site.language.clone(),
    };
    let mut output = Output::default();
    let mut links = Vec::new();
    for period in &content.periods {
        let scored = score_period(site, period);
        let figures = match period_figures(site, &scored) {
            Ok(figures) => figures,
            Err(errors) => {
                errors.into_iter().for_each(|error| diagnostics.push(error));
                continue;
            }
        };
        let mut expander = Expander { diagnostics };
        let (notice, appendices) = notice_views(site, &scored, &figures, &mut expander);
        let page = NoticePage {
            site: &site_view,
            root: "../",
            notice: &notice,
            appendices: &appendices,
        };
        if let Some(html) = render_page(&theme, "notice.html", &page, diagnostics) {
            output
                .files
                .insert(format!("{}/index.html", notice.slug), html);
        }
        links.push((period.window.issued.value, notice_link(&notice)));
    }
    // Newest first; the slug breaks ties so the order never depends on the disk.
    links.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.href.cmp(&a.1.href)));
    let notices: Vec<NoticeLink> = links.into_iter().map(|(_, link)| link).collect();
    let home = HomePage {
        site: &site_view,
        root: "",
        notices: &notices,
    };
    if let Some(html) = render_page(&theme, "index.html", &home, diagnostics) {
        output.files.insert("index.html".to_string(), html);
    }
    copy_static(&theme, &mut output, diagnostics);
    (!diagnostics.has_errors()).then_some(output)
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
}

fn notice_views(
    site: &Site,
    scored: &ScoredPeriod,
    figures: &Figures,
    expander: &mut Expander,
) -> (NoticeView, Vec<AppendixView>) {
    let period = scored.period;
    let notice = &period.notice;
    let appendices: Vec<AppendixView> = notice
        .attachments
        .iter()
        .filter_map(|id| scored.table(&id.value))
        .enumerate()
        .map(|(index, table)| {
            let figures = table_figures(figures, table);
            view::appendix(index + 1, table, &figures, expander)
        })
        .collect();
    let attachments = appendices
        .iter()
        .map(|appendix| AttachmentLink {
            number: appendix.number,
            title: appendix.title.clone(),
            anchor: appendix.anchor.clone(),
        })
        .collect();
    let body = expander.markdown(&notice.body, figures);
    let view = NoticeView {
        slug: period.slug.clone(),
        title: expander.plain(&notice.title, figures),
        addressees: notice.addressees.clone(),
        body: markdown::to_html(&body),
        contact: notice.contact.as_ref().map(|contact| ContactView {
            office: contact.office.clone(),
            phone: contact.phone.clone(),
        }),
        attachments,
        office: site.office.clone(),
        date: format_date(period.window.issued.value),
        label: period.window.label(),
    };
    (view, appendices)
}

fn notice_link(notice: &NoticeView) -> NoticeLink {
    NoticeLink {
        href: format!("{}/index.html", notice.slug),
        title: notice.title.clone(),
        label: notice.label.clone(),
        date: notice.date.clone(),
    }
}

fn render_page<T: Serialize>(
    theme: &Theme,
    template: &str,
    page: &T,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<u8>> {
    let rendered =
        Context::from_serialize(page).and_then(|context| theme.tera.render(template, &context));
    match rendered {
        Ok(html) => Some(html.into_bytes()),
        Err(error) => {
            let diagnostic = theme::template_error(&error, &theme.template_files, diagnostics);
            diagnostics.push(diagnostic);
            None
        }
    }
}

fn copy_static(theme: &Theme, output: &mut Output, diagnostics: &mut Diagnostics) {
    for (path, source) in &theme.static_files {
        match theme::read_static(source) {
            Ok(bytes) => {
                output.files.insert(format!("static/{path}"), bytes);
            }
            Err(error) => diagnostics.push(Diagnostic::error(format!(
                "无法读取主题文件 {}：{}",
                source.display(),
                io_reason(&error)
            ))),
        }
    }
}

/// Expands figure expressions in the user's text, reporting each bad one at
/// its line and column in the file it came from.
pub struct Expander<'d> {
    diagnostics: &'d mut Diagnostics,
}

impl Expander<'_> {
    /// A TOML string value (title, header, note). Its location includes the
    /// quotes, which are skipped to place errors inside the string.
    pub fn plain(&mut self, text: &Located<String>, figures: &Figures) -> String {
        let quoted = self
            .diagnostics
            .source(text.location.file)
            .get(text.location.span.clone());
        let quote = match quoted {
            Some(q) if q.starts_with("\"\"\"") || q.starts_with("'''") => 3,
            Some(q) if q.starts_with('"') || q.starts_with('\'') => 1,
            _ => 0,
        };
        self.expand(text, quote, figures, Escape::Plain)
    }

    /// A Markdown body, located exactly.
    pub fn markdown(&mut self, text: &Located<String>, figures: &Figures) -> String {
        self.expand(text, 0, figures, Escape::Markdown)
    }

    fn expand(
        &mut self,
        text: &Located<String>,
        skip: usize,
        figures: &Figures,
        escape: Escape,
    ) -> String {
        match expand(&text.value, figures, escape) {
            Ok(expanded) => expanded,
            Err(errors) => {
                for error in errors {
                    let span = error.span.start + skip..error.span.end + skip;
                    let mut diagnostic =
                        Diagnostic::error(error.message).at(&text.location.within(span));
                    if let Some(hint) = error.hint {
                        diagnostic = diagnostic.hint(hint);
                    }
                    self.diagnostics.push(diagnostic);
                }
                text.value.clone()
            }
        }
    }
}
