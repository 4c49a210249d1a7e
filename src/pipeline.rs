//! The stages run in order, shared by every command that needs them.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics, io_reason};
use crate::load::{Content, load_content, load_content_beside, load_content_keeping, load_theme};
use crate::outline::{Outline, Rosters};
use crate::progress::Progress;
use crate::render::{Discard, Prepared, Sink, render_into};
use crate::validate::{validate, validate_outlined};
use crate::write::{Note, OutputState, Place, write_site_with};

/// Loads and validates the content under `root`. Returns `None` when any
/// error was found; every problem is in `diagnostics`.
pub fn check(root: &Path, diagnostics: &mut Diagnostics) -> Option<Content> {
    let content = load_content(root, diagnostics)?;
    validate(&content, diagnostics);
    (!diagnostics.has_errors()).then_some(content)
}

/// Loads the content under `root` and, beside it, the theme its site file
/// names, with the templates parsed. The theme is `None` when the site file
/// or the theme cannot be used (reported).
pub fn load_prepared(
    root: &Path,
    diagnostics: &mut Diagnostics,
) -> (Option<Content>, Option<Prepared>) {
    let (content, prepared) = load_content_beside(root, diagnostics, |site, theme_diagnostics| {
        let theme = load_theme(root, &site.theme, theme_diagnostics)?;
        Prepared::new(theme, theme_diagnostics)
    });
    (content, prepared.flatten())
}

/// [`load_prepared`] as a build loads: each period checked alone and
/// scored on the thread that loaded it, and only its outline kept
/// (see [`crate::outline`]).
fn load_outlined(
    root: &Path,
    diagnostics: &mut Diagnostics,
) -> (Option<Content<Outline>>, Option<Prepared>) {
    let prepare = |site: &crate::model::Site, theme_diagnostics: &mut Diagnostics| {
        let theme = load_theme(root, &site.theme, theme_diagnostics)?;
        Prepared::new(theme, theme_diagnostics)
    };
    let rosters = Rosters::default();
    let (content, prepared) =
        load_content_keeping(root, diagnostics, prepare, |period, site, task| {
            Outline::of(period, site, &rosters, task)
        });
    (content, prepared.flatten())
}

/// The outlined content, and how many pages it rendered to.
pub struct Verified {
    pub content: Content<Outline>,
    pub pages: usize,
}

/// Loads, validates, scores and renders the site under `root`, writing
/// nothing, and returns its whole content: for the commands that change
/// the content once it is known to build (`new`, `import`). Returns
/// `None` when any stage found an error.
pub fn verify(root: &Path, diagnostics: &mut Diagnostics) -> Option<Content> {
    let verified = verify_into(root, &Discard, diagnostics)?;
    let content = verified.content.into_models(diagnostics);
    if content.is_none() {
        // Every period loaded once; parsing the same texts again cannot
        // fail, but a period silently missing would be worse.
        diagnostics.push(Diagnostic::error(
            "内容通过了检查，但无法再次读取其中的期次",
        ));
    }
    content
}

/// [`verify`], putting each rendered file into `sink` as soon as it is
/// rendered: what `build` runs into its staging folder. The sink may have
/// taken files when `None` is returned; the caller discards them then.
///
/// Rendering runs even after validation errors, as long as the content
/// loaded, so that a misspelt figure in notice.md or a broken template is
/// reported in the same run as a wrong count.
pub fn verify_into(
    root: &Path,
    sink: &dyn Sink,
    diagnostics: &mut Diagnostics,
) -> Option<Verified> {
    let (content, prepared) = load_outlined(root, diagnostics);
    let mut content = content?;
    validate_outlined(&mut content, diagnostics);
    let rendered =
        prepared.and_then(|prepared| render_into(&content, &prepared, sink, diagnostics));
    if diagnostics.has_errors() {
        return None;
    }
    Some(Verified {
        content,
        pages: rendered?.pages,
    })
}

/// How warnings count in a check or build.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Warnings {
    /// Warnings are reported; the run still succeeds.
    #[default]
    Allowed,
    /// Every warning becomes an error (`--strict`): the run fails, and a
    /// build writes nothing.
    AsErrors,
}

impl Warnings {
    /// What the `--strict` flag of `check` and `build` asks for.
    pub fn from_strict(strict: bool) -> Warnings {
        if strict {
            Warnings::AsErrors
        } else {
            Warnings::Allowed
        }
    }
}

/// [`verify`], then promotes warnings to errors when `warnings` says so.
fn verify_counting(
    root: &Path,
    sink: &dyn Sink,
    diagnostics: &mut Diagnostics,
    warnings: Warnings,
) -> Option<Verified> {
    let verified = verify_into(root, sink, diagnostics);
    if warnings == Warnings::AsErrors {
        diagnostics.promote_warnings();
    }
    verified.filter(|_| !diagnostics.has_errors())
}

/// What a check or build covered.
#[derive(Debug)]
pub struct Summary {
    pub periods: usize,
    /// Distinct units (by name) over every period and table.
    pub units: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

impl Summary {
    fn of(verified: &Verified, started: Instant) -> Summary {
        let content = &verified.content;
        // A unit reported in every period is still one unit.
        let units: BTreeSet<&str> = content
            .periods
            .iter()
            .filter_map(|period| period.rows.as_ref())
            .flat_map(|rows| &rows.tables)
            .flat_map(|table| table.units.iter())
            .map(|name| &**name)
            .collect();
        Summary {
            periods: content.periods.len(),
            units: units.len(),
            pages: verified.pages,
            elapsed: started.elapsed(),
        }
    }
}

/// Everything `build` does but writing: for `tongbao check`.
pub fn dry_run(root: &Path, diagnostics: &mut Diagnostics, warnings: Warnings) -> Option<Summary> {
    let started = Instant::now();
    let verified = verify_counting(root, &Discard, diagnostics, warnings)?;
    Some(Summary::of(&verified, started))
}

/// Checks, renders and writes the site under `root` into `destination`.
/// Nothing is written unless every stage succeeded; warnings are allowed.
pub fn build(
    root: &Path,
    destination: &Path,
    diagnostics: &mut Diagnostics,
) -> Result<Summary, OutputState> {
    build_with(
        root,
        destination,
        diagnostics,
        Warnings::Allowed,
        &Progress::hidden(),
    )
}

/// [`build`], counting warnings as `warnings` says (under
/// [`Warnings::AsErrors`] any warning means nothing is written) and showing
/// each stage, and each note on the output folder, on `progress`.
///
/// The output is resolved (and refused when it would destroy or republish
/// the site) before the content is read; a refusal is reported with any
/// problem in the content. On failure, says what became of the output.
pub fn build_with(
    root: &Path,
    destination: &Path,
    diagnostics: &mut Diagnostics,
    warnings: Warnings,
    progress: &Progress,
) -> Result<Summary, OutputState> {
    let started = Instant::now();
    let place = Place::resolve(root, destination).inspect_err(|problem| {
        diagnostics.push(Diagnostic::error(format!(
            "不能使用输出目录 {}：{problem}",
            destination.display()
        )));
    });
    progress.step("检查内容、生成页面并写入输出目录");
    let Ok(place) = place else {
        verify_counting(root, &Discard, diagnostics, warnings);
        return Err(OutputState::Unchanged);
    };
    let mut report = |note: Note| progress.note(&format!("说明：{note}"));
    let mut verified = None;
    let mut rendered = false;
    let written = write_site_with(&place, &mut report, |staging| {
        rendered = true;
        verified = verify_counting(root, staging, diagnostics, warnings);
        verified.is_some()
    });
    match written {
        Ok(Some(written)) => {
            if let Some((previous, error)) = written.undeleted {
                diagnostics.push(Diagnostic::warning(format!(
                    "新的输出已写入 {}，但无法删除移开的原输出 {}：{}；下次构建会再删除它",
                    destination.display(),
                    previous.display(),
                    io_reason(&error)
                )));
            }
            match verified {
                Some(verified) => Ok(Summary::of(&verified, started)),
                None => Err(OutputState::Unchanged),
            }
        }
        Ok(None) => Err(OutputState::Unchanged),
        Err(failure) => {
            if !rendered {
                // The output could not be staged into at all (refused,
                // locked out, a leftover stuck): still report every
                // problem in the content.
                verify_counting(root, &Discard, diagnostics, warnings);
            }
            diagnostics.push(Diagnostic::error(format!(
                "无法写入输出目录 {}：{failure}",
                destination.display()
            )));
            Err(failure.output)
        }
    }
}
