//! Each unit's page: its figures, points and rank in every period of its
//! table, the rank's movement, and charts of its counts and rank. Where a
//! unit's page lives is [`super::address`].

use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::history::{Course, Scored, Step, figure_columns};
use crate::model::{Schema, Site};
use crate::notation::format_points;

use super::address::{PAGE_FILE, unit_page_path};
use super::chart::{self, Chart, Scale};
use super::theme::Templates;
use super::view::SiteView;
use super::{Report, Sink, render_reported};

#[derive(Serialize)]
struct UnitPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    unit: UnitView,
}

/// One unit's history, laid out for `unit.html`.
#[derive(Serialize)]
struct UnitView {
    name: String,
    /// The table's name for its units, e.g. 镇街（园区）.
    group: String,
    /// Header of the history table after 期次.
    header: Vec<String>,
    rows: Vec<StepView>,
    charts: Vec<ChartView>,
}

/// One period's row of a unit's history.
#[derive(Serialize)]
struct StepView {
    label: String,
    /// The notice page, from the site root.
    href: String,
    values: Vec<String>,
    rank: usize,
    of: usize,
    /// `↑3`, `↓1`, `—`, `新`, or empty for the table's first period.
    mark: String,
    /// The movement in words, for screen readers.
    words: String,
}

/// A chart and its summary; its numbers are in the history table.
#[derive(Serialize)]
struct ChartView {
    id: String,
    title: String,
    summary: String,
    svg: String,
}

/// Renders the pages of `courses` (of the chronological `periods`) into
/// `sink`. Units are rendered in parallel, each page put into the sink as
/// soon as it is rendered, so only the pages in progress are held; the
/// problems are merged in the order of `courses`.
pub fn render_units(
    templates: &Templates,
    site: &Site,
    site_view: &SiteView,
    periods: &[Scored],
    courses: &[&Course],
    sink: &dyn Sink,
    report: &mut Report,
) {
    let base: &Report = report;
    let found: Vec<Report> = courses
        .par_iter()
        .filter_map(|course| {
            let schema = site.tables.get(course.schema)?;
            if sink.stopped() {
                return None;
            }
            let page = UnitPage {
                site: site_view,
                root: "../../../",
                unit: unit_view(site, schema, periods, course),
            };
            let (html, found) =
                base.forked(|found| render_reported(templates, "unit.html", page, found));
            if let Some(html) = html {
                sink.put(&unit_page_path(&schema.id.value, course.name), &html);
            }
            Some(found)
        })
        .collect();
    for found in found {
        report.absorb(found);
    }
}

fn unit_view(site: &Site, schema: &Schema, periods: &[Scored], course: &Course) -> UnitView {
    let name = course.name;
    let steps = &course.steps;
    let rules = site.rules_of(schema);
    let counts = figure_columns(schema);
    let mut header: Vec<String> = counts.iter().map(|column| column.label.clone()).collect();
    header.extend(rules.iter().map(|rule| format!("{}（分）", rule.label)));
    header.push("合计得分".to_string());
    let label = |step: &Step| {
        periods
            .get(step.period())
            .map_or_else(String::new, |period| period.label.clone())
    };
    let rows = steps
        .iter()
        .map(|step| {
            // The figures, then each rule's points, as the rows keep them.
            let mut values: Vec<String> = step.row.figures.iter().map(format_points).collect();
            // Scoring has summed these points already; an overflow here
            // would have been reported there.
            values.push(step.row.total.map_or_else(String::new, format_points));
            StepView {
                label: label(step),
                href: periods
                    .get(step.period())
                    .map_or_else(String::new, |period| {
                        format!("{}/{PAGE_FILE}", period.slug())
                    }),
                values,
                rank: step.row.rank,
                of: step.of(),
                mark: step.movement.mark(),
                words: step.movement.words(),
            }
        })
        .collect();
    let labels: Vec<String> = steps.iter().map(label).collect();
    let mut charts: Vec<ChartView> = counts
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let values: Vec<u64> = steps
                .iter()
                // A count or a tally of findings: a whole number a u64 holds.
                .map(|step| {
                    step.row
                        .figures
                        .get(index)
                        .as_ref()
                        .and_then(ToPrimitive::to_u64)
                        .unwrap_or_default()
                })
                .collect();
            chart_view(
                format!("chart-{}", index + 1),
                format!("{name}：{}", column.label),
                column.label.clone(),
                &labels,
                &values,
                Scale::Count,
            )
        })
        .collect();
    let ranks: Vec<u64> = steps.iter().map(|step| step.row.rank as u64).collect();
    let of = steps.iter().map(|step| step.of() as u64).max().unwrap_or(1);
    charts.push(chart_view(
        "chart-rank".to_string(),
        format!("{name}：名次"),
        "名次".to_string(),
        &labels,
        &ranks,
        Scale::Rank { of },
    ));
    UnitView {
        name: name.to_string(),
        group: schema.unit_label.clone(),
        header,
        rows,
        charts,
    }
}

fn chart_view(
    id: String,
    title: String,
    heading: String,
    labels: &[String],
    values: &[u64],
    scale: Scale,
) -> ChartView {
    let summary = summary(&heading, labels, values, scale);
    let svg = chart::svg(&Chart {
        id: &id,
        title: &title,
        summary: &summary,
        labels,
        values,
        scale,
    });
    ChartView {
        id,
        title,
        summary,
        svg,
    }
}

/// The chart in a sentence: how many periods, the first and the last value,
/// and the best or largest one.
fn summary(heading: &str, labels: &[String], values: &[u64], scale: Scale) -> String {
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return format!("{heading}：无数据。");
    };
    let first_label = labels.first().map_or("", String::as_str);
    let last_label = labels.last().map_or("", String::as_str);
    let (word, best) = match scale {
        Scale::Count => ("最多", values.iter().max()),
        Scale::Rank { .. } => ("最好", values.iter().min()),
    };
    let best = best.copied().unwrap_or(*first);
    match scale {
        Scale::Count => format!(
            "共{}期。{first_label}{heading} {first}，{last_label} {last}；{word} {best}。",
            values.len()
        ),
        Scale::Rank { of } => format!(
            "共{}期，每期至多{of}个单位。{first_label}第{first}名，{last_label}第{last}名；{word}第{best}名。",
            values.len()
        ),
    }
}
