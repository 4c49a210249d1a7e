//! The comparison as text: lines for the terminal, or Markdown for pasting
//! into a review.

use std::fmt::Write;
use std::str::FromStr;

use super::findings::FindingDiff;
use super::{Change, PeriodDiff, Presence, TableDiff, UnitDiff};

/// How `diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Indented lines for the terminal.
    Text,
    /// Markdown: a heading per period and a table per appendix table.
    Markdown,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "text" => Ok(Format::Text),
            "md" | "markdown" => Ok(Format::Markdown),
            _ => Err("应为 text（终端）或 md（Markdown）".to_string()),
        }
    }
}

const ARROW: &str = " → ";

/// The whole report for a comparison of `old` with `new`.
pub fn render(diffs: &[PeriodDiff], old: &str, new: &str, format: Format) -> String {
    let sides = format!("{old}{ARROW}{new}");
    if diffs.is_empty() {
        return format!("没有变化（{sides}）\n");
    }
    let mut out = String::new();
    for diff in diffs {
        match format {
            Format::Text => text_period(&mut out, diff, &sides),
            Format::Markdown => markdown_period(&mut out, diff, &sides),
        }
    }
    out
}

fn period_heading(diff: &PeriodDiff, sides: &str) -> String {
    let status = match diff.presence {
        Presence::Both => "",
        Presence::Added => "（新增期次）",
        Presence::Removed => "（删除期次）",
    };
    format!("期次 {}{status}（{sides}）", diff.name)
}

fn table_heading(table: &TableDiff) -> String {
    let status = match table.presence {
        Presence::Both => "",
        Presence::Added => "（新增表格）",
        Presence::Removed => "（删除表格）",
    };
    format!("表格 {}（{}）{status}", table.id, table.unit_label)
}

fn shown(change: &Change) -> String {
    let side = |value: &Option<String>| value.clone().unwrap_or_else(|| "无".to_string());
    format!("{}{ARROW}{}", side(&change.old), side(&change.new))
}

fn rank_text(rank: (Option<usize>, Option<usize>)) -> String {
    match rank {
        (Some(old), Some(new)) if old == new => format!("{new}"),
        (Some(old), Some(new)) => format!("{old}{ARROW}{new}"),
        (None, Some(new)) => format!("{new}"),
        (Some(old), None) => format!("{old}"),
        (None, None) => String::new(),
    }
}

fn text_period(out: &mut String, diff: &PeriodDiff, sides: &str) {
    let _ = writeln!(out, "{}", period_heading(diff, sides));
    for field in &diff.fields {
        let _ = writeln!(out, "  {}：{}", field.what, shown(field));
    }
    for table in &diff.tables {
        let _ = writeln!(out, "  {}", table_heading(table));
        for unit in &table.units {
            let _ = writeln!(out, "    {}", text_unit(table, unit));
        }
        for total in &table.declared {
            let _ = writeln!(out, "    后台申报合计 {}：{}", total.what, shown(total));
        }
    }
    if !diff.findings.is_empty() {
        let _ = writeln!(out, "  {FINDINGS_HEADING}");
        for finding in &diff.findings {
            let _ = writeln!(out, "    {}", finding_line(finding));
        }
    }
    out.push('\n');
}

/// The heading of a period's findings in the report.
const FINDINGS_HEADING: &str = "问题清单";

/// One finding: `+ 丙镇 栏目：问题（新增）：问题类型 链接失效，…`, or for a
/// finding on both sides, what changed as `old → new`.
fn finding_line(finding: &FindingDiff) -> String {
    let (mark, status) = match finding.presence {
        Presence::Both => ("", ""),
        Presence::Added => ("+ ", "（新增）"),
        Presence::Removed => ("- ", "（删除）"),
    };
    let details: Vec<String> = finding
        .details
        .iter()
        .map(|change| match finding.presence {
            Presence::Both => format!("{} {}", change.what, shown(change)),
            Presence::Added | Presence::Removed => format!(
                "{} {}",
                change.what,
                change
                    .new
                    .as_ref()
                    .or(change.old.as_ref())
                    .map_or("", String::as_str)
            ),
        })
        .collect();
    format!(
        "{mark}{} {}：{}{status}：{}",
        finding.unit,
        finding.column,
        finding.problem,
        details.join("，")
    )
}

fn text_unit(table: &TableDiff, unit: &UnitDiff) -> String {
    match unit.presence {
        Presence::Both => {
            let mut parts = Vec::new();
            if unit.rank.0 != unit.rank.1 {
                parts.push(format!("排名 {}", rank_text(unit.rank)));
            }
            parts.extend(
                unit.changes(&table.columns)
                    .map(|change| format!("{} {}", change.what, shown(&change))),
            );
            format!("{}：{}", unit.name, parts.join("，"))
        }
        Presence::Added => format!(
            "+ {}（新增）：排名 {}；{}",
            unit.name,
            rank_text(unit.rank),
            values(table, unit, |(_, new)| new)
        ),
        Presence::Removed => format!(
            "- {}（删除）：原排名 {}；{}",
            unit.name,
            rank_text(unit.rank),
            values(table, unit, |(old, _)| old)
        ),
    }
}

fn values(
    table: &TableDiff,
    unit: &UnitDiff,
    pick: impl Fn(&(Option<String>, Option<String>)) -> &Option<String>,
) -> String {
    table
        .columns
        .iter()
        .zip(&unit.values)
        .filter_map(|(label, value)| pick(value).as_ref().map(|v| format!("{label} {v}")))
        .collect::<Vec<_>>()
        .join("，")
}

fn markdown_period(out: &mut String, diff: &PeriodDiff, sides: &str) {
    let _ = writeln!(out, "## {}\n", escape(&period_heading(diff, sides)));
    for field in &diff.fields {
        let _ = writeln!(out, "- {}：{}", escape(&field.what), escape(&shown(field)));
    }
    if !diff.fields.is_empty() {
        out.push('\n');
    }
    for table in &diff.tables {
        let _ = writeln!(out, "### {}\n", escape(&table_heading(table)));
        if !table.units.is_empty() {
            markdown_table(out, table);
        }
        for total in &table.declared {
            let _ = writeln!(
                out,
                "- 后台申报合计 {}：{}",
                escape(&total.what),
                escape(&shown(total))
            );
        }
        if !table.declared.is_empty() {
            out.push('\n');
        }
    }
    if !diff.findings.is_empty() {
        let _ = writeln!(out, "### {FINDINGS_HEADING}\n");
        for finding in &diff.findings {
            let _ = writeln!(out, "- {}", escape(&finding_line(finding)));
        }
        out.push('\n');
    }
}

/// One row per unit, every column shown; a changed value as **old → new**.
fn markdown_table(out: &mut String, table: &TableDiff) {
    let mut header = format!("| {} | 排名 |", escape(&table.unit_label));
    let mut rule = "| --- | ---: |".to_string();
    for column in &table.columns {
        let _ = write!(header, " {} |", escape(column));
        rule.push_str(" ---: |");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for unit in &table.units {
        let name = match unit.presence {
            Presence::Both => escape(&unit.name),
            Presence::Added => format!("{}（新增）", escape(&unit.name)),
            Presence::Removed => format!("~~{}~~（删除）", escape(&unit.name)),
        };
        let rank = if unit.rank.0 != unit.rank.1 && unit.presence == Presence::Both {
            format!("**{}**", rank_text(unit.rank))
        } else {
            rank_text(unit.rank)
        };
        let mut row = format!("| {name} | {rank} |");
        for (old, new) in &unit.values {
            let cell = match (old, new, unit.presence) {
                (_, Some(new), Presence::Added) => new.clone(),
                (Some(old), _, Presence::Removed) => old.clone(),
                (old, new, _) if old == new => new.clone().unwrap_or_default(),
                (old, new, _) => {
                    let change = Change {
                        what: String::new(),
                        old: old.clone(),
                        new: new.clone(),
                    };
                    format!("**{}**", shown(&change))
                }
            };
            let _ = write!(row, " {} |", escape(&cell));
        }
        let _ = writeln!(out, "{row}");
    }
    out.push('\n');
}

/// Keeps a value literal in Markdown: a `|` would end a table cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}
