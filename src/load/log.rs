//! `content/PERIOD/log.csv` → [`Log`]: the backend's publication log, one
//! published item per line.
//!
//! The file is CSV in UTF-8 (a BOM is dropped), comma-separated, fields in
//! double quotes where they hold a comma, a quote or a line break. Its first
//! line names the columns; `[log]` in `site.toml` says which headers hold
//! the unit, the date (`YYYY-MM-DD`) and the kind (栏目). Every cell keeps
//! its place in the file, so a message points at it.

use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;

use super::{Reading, display_name};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Located, Location};
use crate::layout::LOG_FILE;
use crate::model::{Log, LogColumns, LogEntry};
use crate::spelling::closest;

/// One field of a CSV line: its text (quotes undone) and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub text: String,
    pub span: Range<usize>,
}

/// Reads the period folder's `log.csv`, if there is one: `Some(None)` when
/// there is none, `None` when it is there but unusable (every problem is
/// reported). `columns` is the site's `[log]`; a log without it is an error.
pub fn load_log(
    (root, reading): (&Path, Reading),
    folder: &Path,
    columns: Option<&LogColumns>,
    diagnostics: &mut Diagnostics,
) -> Option<Option<Log>> {
    let path = folder.join(LOG_FILE);
    if !reading.exists(root, &path, diagnostics) {
        return Some(None);
    }
    let file = reading.read(root, &path, diagnostics)?;
    let Some(columns) = columns else {
        diagnostics.push(
            Diagnostic::error(format!(
                "{} 是发布记录，但 site.toml 中没有 [log]",
                display_name(root, &path)
            ))
            .hint(
                "在 site.toml 中写 [log]，给出单位、日期和栏目所在列的表头，以及哪些栏目算动态信息",
            ),
        );
        return None;
    };
    parse_log(file, columns, diagnostics).map(Some)
}

/// Parses a registered log file; `None` when any line is wrong (each is
/// reported): counts from a log missing a line would be wrong.
pub fn parse_log(file: FileId, columns: &LogColumns, diagnostics: &mut Diagnostics) -> Option<Log> {
    let text = diagnostics.source(file).to_string();
    let lines = match split_csv(&text) {
        Ok(lines) => lines,
        Err(at) => {
            diagnostics.push(
                Diagnostic::error("引号没有闭合")
                    .at(&Location::new(file, at..at + 1))
                    .hint("字段中的引号写成两个（\"\"），整个字段用引号括起"),
            );
            return None;
        }
    };
    let mut lines = lines.into_iter().filter(|line| !is_blank(line));
    let Some(header) = lines.next() else {
        return Some(Log::default());
    };
    let layout = find_columns(file, &header, columns, diagnostics)?;
    let mut entries = Vec::new();
    let mut failed = false;
    for line in lines {
        match entry(file, &line, &layout, columns, diagnostics) {
            Some(entry) => entries.push(entry),
            None => failed = true,
        }
    }
    (!failed).then_some(Log { entries })
}

/// The positions of the unit, date and kind columns in the header.
struct Layout {
    unit: usize,
    date: usize,
    kind: usize,
}

fn find_columns(
    file: FileId,
    header: &[Field],
    columns: &LogColumns,
    diagnostics: &mut Diagnostics,
) -> Option<Layout> {
    let names: Vec<&str> = header.iter().map(|field| field.text.trim()).collect();
    let whole = header.first().map_or(0, |first| first.span.start)
        ..header.last().map_or(0, |last| last.span.end);
    let mut find = |wanted: &Located<String>| {
        let found = names.iter().position(|name| *name == wanted.value);
        if found.is_none() {
            diagnostics.push(
                Diagnostic::error(format!("发布记录的表头中没有 “{}” 列", wanted.value))
                    .at(&Location::new(file, whole.clone()))
                    .hint(format!(
                        "site.toml 的 [log] 在 {} 指定了这个表头",
                        diagnostics.position(&wanted.location)
                    ))
                    .suggest(closest(&wanted.value, names.iter().copied())),
            );
        }
        found
    };
    let (unit, date, kind) = (
        find(&columns.unit),
        find(&columns.date),
        find(&columns.kind),
    );
    Some(Layout {
        unit: unit?,
        date: date?,
        kind: kind?,
    })
}

fn entry(
    file: FileId,
    line: &[Field],
    layout: &Layout,
    columns: &LogColumns,
    diagnostics: &mut Diagnostics,
) -> Option<LogEntry> {
    let end = line.last().map_or(0, |field| field.span.end);
    let cell = |index: usize| line.get(index);
    let (Some(unit), Some(date), Some(kind)) =
        (cell(layout.unit), cell(layout.date), cell(layout.kind))
    else {
        let start = line.first().map_or(0, |field| field.span.start);
        diagnostics.push(
            Diagnostic::error("这一行的列数少于表头")
                .at(&Location::new(file, start..end))
                .hint("每行一条信息，各列与第一行的表头对应"),
        );
        return None;
    };
    let name = unit.text.trim();
    if name.is_empty() {
        diagnostics.push(
            Diagnostic::error("发布记录中的单位为空").at(&Location::new(file, unit.span.clone())),
        );
        return None;
    }
    let day = parse_day(date.text.trim());
    let Some(day) = day else {
        diagnostics.push(
            Diagnostic::error(format!("无法识别的日期 “{}”", date.text.trim()))
                .at(&Location::new(file, date.span.clone()))
                .hint("日期写成 2019-06-05；tongbao import --log 会把导出的日期改写成这种形式"),
        );
        return None;
    };
    Some(LogEntry {
        unit: Located::new(name.to_string(), Location::new(file, unit.span.clone())),
        date: Located::new(day, Location::new(file, date.span.clone())),
        dynamic: columns
            .dynamic
            .iter()
            .any(|dynamic| dynamic == kind.text.trim()),
    })
}

/// A date as the log holds it: `YYYY-MM-DD`.
fn parse_day(text: &str) -> Option<NaiveDate> {
    if text.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn is_blank(line: &[Field]) -> bool {
    line.iter().all(|field| field.text.trim().is_empty())
}

/// Splits CSV text into lines of located fields (RFC 4180: a quoted field
/// may hold commas, line breaks and doubled quotes). `Err` holds the byte
/// offset of a quote that is never closed.
pub fn split_csv(text: &str) -> Result<Vec<Vec<Field>>, usize> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut line = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (field, next) = if bytes[at] == b'"' {
            quoted(text, at)?
        } else {
            let end = text[at..]
                .find([',', '\n', '\r'])
                .map_or(text.len(), |offset| at + offset);
            let field = Field {
                text: text[at..end].to_string(),
                span: at..end,
            };
            (field, end)
        };
        line.push(field);
        at = next;
        match bytes.get(at) {
            Some(b',') => {
                at += 1;
                if at == bytes.len() {
                    line.push(Field {
                        text: String::new(),
                        span: at..at,
                    });
                }
            }
            Some(b'\r') | Some(b'\n') => {
                at += if bytes[at..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                lines.push(std::mem::take(&mut line));
            }
            _ => {}
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// A quoted field starting at `start` (the opening quote): the field and
/// the offset just after its closing quote.
fn quoted(text: &str, start: usize) -> Result<(Field, usize), usize> {
    let mut value = String::new();
    let mut at = start + 1;
    loop {
        let Some(offset) = text[at..].find('"') else {
            return Err(start);
        };
        value.push_str(&text[at..at + offset]);
        at += offset + 1;
        if text[at..].starts_with('"') {
            value.push('"');
            at += 1;
        } else {
            let field = Field {
                text: value,
                span: start + 1..at - 1,
            };
            // Anything between the closing quote and the separator is kept
            // out of the value; a well-formed file has none.
            let end = text[at..]
                .find([',', '\n', '\r'])
                .map_or(text.len(), |offset| at + offset);
            return Ok((field, end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<Vec<String>> {
        split_csv(text)
            .unwrap()
            .into_iter()
            .map(|line| line.into_iter().map(|field| field.text).collect())
            .collect()
    }

    #[test]
    fn csv_fields_keep_quotes_commas_and_spans() {
        assert_eq!(
            texts("a,\"b,\"\"c\"\"\"\r\nd,\n"),
            vec![vec!["a", "b,\"c\""], vec!["d", ""]]
        );
        let lines = split_csv("单位,日期\n十字路街道,2019-01-02").unwrap();
        let unit = &lines[1][0];
        assert_eq!(
            &"单位,日期\n十字路街道,2019-01-02"[unit.span.clone()],
            "十字路街道"
        );
        assert_eq!(split_csv("a,\"b"), Err(2));
    }

    #[test]
    fn dates_are_iso_days_only() {
        assert!(parse_day("2019-04-01").is_some());
        assert!(parse_day("2019-4-1").is_none());
        assert!(parse_day("2019-02-30").is_none());
    }
}
