//! Writes a benchmark site of N periods shaped like the seed: the seed's
//! `site.toml` and notice text, and per period the seed's two tables (14
//! towns, 46 departments) with made-up, internally consistent figures.
//!
//! ```text
//! cargo run --release --example gen-site -- --periods 1000 /tmp/site-1000
//! cargo run --release --example gen-site -- --periods 1000 --hugo /tmp/hugo-1000 /tmp/site-1000
//! ```
//!
//! The site builds with zero warnings:
//! - each period is one calendar month, consecutive, from January 3000, so
//!   every window is distinct and no holiday calendar covers it; the period
//!   therefore declares its assessable weeks, counted as the Monday-to-Sunday
//!   weeks inside the window (no holidays);
//! - each unit's compliant weeks never exceed its dynamic items, as the
//!   once-a-week rule requires;
//! - no declared totals, so nothing needs reconciling.
//!
//! `--hugo DIR` also writes an equivalent Hugo site (one page per period
//! with the same two tables as Markdown tables and the same notice text), so
//! `bench/compare.sh` can time both generators on the same job.
//!
//! The figures come from a fixed linear congruential generator: the same N
//! always writes the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use clap::Parser;

/// The seed's site settings and notice, so the benchmark renders real text.
const SITE_TOML: &str = include_str!("../content/site.toml");
const NOTICE_MD: &str = include_str!("../content/2019-01-05/notice.md");

const TOWNS: usize = 14;
const DEPARTMENTS: usize = 46;
const FIRST_YEAR: i32 = 3000;

#[derive(Parser)]
struct Args {
    /// Number of periods to write.
    #[arg(long)]
    periods: usize,
    /// Also write an equivalent Hugo site into this folder.
    #[arg(long)]
    hugo: Option<PathBuf>,
    /// The site folder to create (must not exist).
    out: PathBuf,
}

/// One period's window and figures.
struct Period {
    slug: String,
    start: NaiveDate,
    end: NaiveDate,
    issued: NaiveDate,
    weeks: u64,
    towns: Vec<Row>,
    departments: Vec<Row>,
    news: u64,
    other: u64,
}

/// One unit's counts, in the seed's column order.
struct Row {
    unit: String,
    disclosure: u64,
    dynamic: u64,
    missed_weeks: u64,
    national: u64,
    province: u64,
    city: u64,
}

impl Row {
    fn bonus_tenths(&self) -> u64 {
        // 5, 2 and 0.5 points, as in the seed's site.toml, in tenths.
        self.national * 50 + self.province * 20 + self.city * 5
    }
}

/// A fixed pseudo-random sequence (Knuth's MMIX constants).
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound.max(1)
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match generate(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen-site: {error}");
            ExitCode::FAILURE
        }
    }
}

fn generate(args: &Args) -> io::Result<()> {
    if args.out.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists; give a new folder", args.out.display()),
        ));
    }
    let content = args.out.join("content");
    fs::create_dir_all(&content)?;
    fs::write(content.join("site.toml"), SITE_TOML)?;
    let mut random = Random(args.periods as u64);
    let periods: Vec<Period> = (0..args.periods)
        .map(|index| period(index, &mut random))
        .collect();
    for period in &periods {
        let folder = content.join(&period.slug);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join("data.toml"), data_toml(period))?;
        fs::write(folder.join("notice.md"), NOTICE_MD)?;
    }
    if let Some(hugo) = &args.hugo {
        write_hugo(hugo, &periods)?;
    }
    Ok(())
}

fn period(index: usize, random: &mut Random) -> Period {
    let year = FIRST_YEAR + (index / 12) as i32;
    let month = (index % 12) as u32 + 1;
    let start = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let end = start
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(start);
    let weeks = whole_weeks(start, end);
    let mut rows = |count: usize, name: &str| -> Vec<Row> {
        (1..=count)
            .map(|n| row(format!("{name}{n:02}"), weeks, random))
            .collect()
    };
    let towns = rows(TOWNS, "镇街");
    let departments = rows(DEPARTMENTS, "部门");
    Period {
        slug: format!("{year}-{month:02}"),
        start,
        end,
        issued: end.checked_add_days(Days::new(6)).unwrap_or(end),
        weeks,
        towns,
        departments,
        news: 100 + random.below(100),
        other: 100 + random.below(100),
    }
}

/// Monday-to-Sunday weeks wholly inside the window, holidays ignored.
fn whole_weeks(start: NaiveDate, end: NaiveDate) -> u64 {
    start
        .iter_days()
        .take_while(|day| *day <= end)
        .filter(|day| day.weekday() == Weekday::Mon)
        .filter(|monday| {
            monday
                .checked_add_days(Days::new(6))
                .is_some_and(|sunday| sunday <= end)
        })
        .count() as u64
}

fn row(unit: String, weeks: u64, random: &mut Random) -> Row {
    let missed_weeks = random.below(weeks + 1);
    // One item per compliant week at least, as the weekly rule requires.
    let dynamic = (weeks - missed_weeks) + random.below(40);
    let highlight = |random: &mut Random| u64::from(random.below(8) == 0);
    Row {
        unit,
        disclosure: 1 + random.below(500),
        dynamic,
        missed_weeks,
        national: u64::from(random.below(50) == 0),
        province: highlight(random),
        city: highlight(random),
    }
}

fn data_toml(period: &Period) -> String {
    let mut text = format!(
        "[period]\nstart = {}\nend = {}\nissued = {}\ndeadline = {}\nweeks = {}\n\n\
         [figures]\nnews = {}\nother = {}\n",
        period.start,
        period.end,
        period.issued,
        period
            .issued
            .checked_add_days(Days::new(5))
            .unwrap_or(period.issued),
        period.weeks,
        period.news,
        period.other,
    );
    for (id, rows) in [
        ("towns", &period.towns),
        ("departments", &period.departments),
    ] {
        let _ = write!(text, "\n[tables.{id}]\nrows = [\n");
        for row in rows {
            let _ = write!(
                text,
                "  {{ unit = \"{}\", disclosure = {}, dynamic = {}, missed_weeks = {}",
                row.unit, row.disclosure, row.dynamic, row.missed_weeks
            );
            for (key, value) in [
                ("national", row.national),
                ("province", row.province),
                ("city", row.city),
            ] {
                if value > 0 {
                    let _ = write!(text, ", {key} = {value}");
                }
            }
            text.push_str(" },\n");
        }
        text.push_str("]\n");
    }
    text
}

/// A Hugo site with the same pages: the notice text with its figures filled
/// in, and the two tables sorted as tongbao sorts them.
fn write_hugo(root: &Path, periods: &[Period]) -> io::Result<()> {
    if root.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists; give a new folder", root.display()),
        ));
    }
    let layouts = root.join("layouts/_default");
    fs::create_dir_all(&layouts)?;
    fs::write(
        root.join("hugo.toml"),
        "baseURL = \"http://localhost/\"\nlanguageCode = \"zh-cn\"\ntitle = \"莒南县政务公开通报\"\n\
         disableKinds = [\"taxonomy\", \"term\"]\nbuildFuture = true\n",
    )?;
    fs::write(layouts.join("baseof.html"), HUGO_BASEOF)?;
    fs::write(layouts.join("single.html"), HUGO_SINGLE)?;
    fs::write(layouts.join("list.html"), HUGO_LIST)?;
    let pages = root.join("content/notices");
    fs::create_dir_all(&pages)?;
    for period in periods {
        fs::write(pages.join(format!("{}.md", period.slug)), hugo_page(period))?;
    }
    Ok(())
}

const HUGO_BASEOF: &str = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>\n";
const HUGO_SINGLE: &str = "{{ define \"main\" }}<article><h1>{{ .Title }}</h1>\
{{ .Content }}<p>{{ .Date.Format \"2006年1月2日\" }}</p></article>{{ end }}\n";
const HUGO_LIST: &str = "{{ define \"main\" }}<ul>{{ range .Pages }}\
<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Date.Format \"2006-01-02\" }}</li>\
{{ end }}</ul>{{ end }}\n";

fn hugo_page(period: &Period) -> String {
    let (_, body) = NOTICE_MD
        .trim_start_matches("+++")
        .split_once("+++")
        .unwrap_or(("", NOTICE_MD));
    let mut page = format!(
        "---\ntitle: \"关于{}年{}月份政务公开随机抽查情况的通报\"\ndate: {}\n---\n",
        period.start.year(),
        period.start.month(),
        period.issued
    );
    page.push_str(&strip_figures(body));
    for (title, rows) in [
        ("镇街（园区）", &period.towns),
        ("部门（单位）", &period.departments),
    ] {
        let _ = write!(
            page,
            "\n\n## {title}网站内容保障情况通报表\n\n\
             | 序号 | {title} | 信息公开 | 动态信息 | 每周更新未达标次数 | 国办 | 省级 | 市级 | 累计加分 |\n\
             |---|---|--:|--:|--:|--:|--:|--:|--:|\n"
        );
        let mut sorted: Vec<&Row> = rows.iter().collect();
        sorted.sort_by_key(|row| std::cmp::Reverse(row.disclosure));
        for (number, row) in sorted.iter().enumerate() {
            let bonus = row.bonus_tenths();
            let _ = writeln!(
                page,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {}.{} |",
                number + 1,
                row.unit,
                row.disclosure,
                row.dynamic,
                row.missed_weeks,
                row.national,
                row.province,
                row.city,
                bonus / 10,
                bonus % 10
            );
        }
    }
    page
}

/// The notice text with its `{{ … }}` figure expressions replaced by a
/// number, since Hugo has no figures to fill them from.
fn strip_figures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        match rest[open..].find("}}") {
            Some(close) => {
                out.push_str("100");
                rest = &rest[open + close + 2..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}
