//! The stages run in order, shared by every command that needs them.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{Content, load_content};
use crate::render::{Output, render};
use crate::validate::validate;
use crate::write::write_site;

/// Loads and validates the content under `root`. Returns `None` when any
/// error was found; every problem is in `diagnostics`.
pub fn check(root: &Path, diagnostics: &mut Diagnostics) -> Option<Content> {
    let content = load_content(root, diagnostics)?;
    validate(&content, diagnostics);
    (!diagnostics.has_errors()).then_some(content)
}

/// What a successful build produced.
#[derive(Debug)]
pub struct Summary {
    pub periods: usize,
    pub units: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

/// Checks, renders and writes the site under `root` into `destination`.
/// Nothing is written unless every stage succeeded.
pub fn build(root: &Path, destination: &Path, diagnostics: &mut Diagnostics) -> Option<Summary> {
    let started = Instant::now();
    let content = check(root, diagnostics)?;
    let output: Output = render(root, &content, diagnostics)?;
    if let Err(error) = write_site(&output, destination) {
        diagnostics.push(Diagnostic::error(format!(
            "无法写入输出目录 {}：{error}",
            destination.display()
        )));
        return None;
    }
    let units = content
        .periods
        .iter()
        .flat_map(|period| &period.tables)
        .map(|table| table.units.len())
        .sum();
    Some(Summary {
        periods: content.periods.len(),
        units,
        pages: output.pages(),
        elapsed: started.elapsed(),
    })
}
