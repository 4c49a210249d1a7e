//! Robustness: mutated versions of the shipped site.toml, data.toml,
//! notice.md and a publication log (log.csv) go through the same
//! in-process pipeline as `tongbao check` (load, validate, score, render in
//! memory). Over 10,000 cases in all, no
//! input may panic or hang, a failed check must always say why, and every
//! diagnostic must point inside its file on character boundaries.
//!
//! The shipped content is used with the small theme of the check fixtures:
//! the code under test is tongbao's, and rendering the full theme in a debug
//! build would triple the time without reaching any more of it.

mod common;

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence};

use common::{copy_tree, repository};
use tongbao::diagnostics::Diagnostics;
use tongbao::pipeline;

const SITE: &str = "content/site.toml";
const DATA: &str = "content/2019-01-05/data.toml";
const NOTICE: &str = "content/2019-01-05/notice.md";
const LOG: &str = "content/2019-01-05/log.csv";

/// A publication log for the seed period to mutate: quoted fields, a
/// non-dynamic kind, a line outside the window.
const LOG_EXAMPLE: &str = "发布单位,标题,栏目,发布日期\n\
    十字路街道,\"新年工作会,全体\",镇街园区动态,2019-01-02\n\
    板泉镇,政策解读,政策文件,2019-03-05\n\
    气象局,\"汛期\"\"值班\"\"\",部门动态,2019-05-06\n\
    气象局,月末,部门动态,2019-06-01\n";

/// Cases per file; four files, so 13,600 in all.
const CASES_PER_FILE: u32 = 3_400;

/// Longest a single case may take before the run is declared hung.
const HANG: Duration = Duration::from_secs(30);

/// Fragments a clerk, an editor or a careless paste could put anywhere:
/// TOML punctuation, full-width lookalikes, odd numbers and dates, figure
/// expressions, encodings.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"'",
    b"=",
    b"[",
    b"]",
    b"[[",
    b"{",
    b"}",
    b",",
    b"\n",
    b"\r\n",
    b"#",
    b".",
    b"+++\n",
    b"{{",
    b"}}",
    b"{{ towns.disclosure }}",
    b"{{ nope }}",
    b"{{ period.end | points }}",
    b"{{ rules.weekly.missed_weeks | month_day }}",
    b"|",
    b"-",
    b"-1",
    b"0",
    b"0.5",
    b"1e400",
    b"nan",
    b"inf",
    b"99999999999999999999",
    b"9223372036854775807",
    b"18446744073709551615",
    b"2019-02-30",
    b"2019-13-01",
    b"0000-01-01",
    b"9999-12-31",
    b"T10:00:00",
    b"true",
    "“".as_bytes(),
    "”".as_bytes(),
    "，".as_bytes(),
    "＝".as_bytes(),
    "\u{feff}".as_bytes(),
    "镇".as_bytes(),
    b"\xd6\xd0",
    b"\xff\xfe",
    b"\x00",
    b"\t",
    b"\\",
    b"\\u",
    b"[period]\n",
    b"[[tables]]\n",
    b"[tables.towns]\n",
    b"unit = \"x\", ",
    b"missed_weeks = 999, ",
    b"weeks = 0\n",
    b"rule = \"weekly\", ",
    b"theme = \"../x\"\n",
    b"sum = [\"totals.published\"]\n",
    b"columns = []\n",
    b"weekly = { misses = \"dynamic\", items = \"dynamic\" }\n",
];

/// One edit of a file's bytes; positions are chosen relative to its length.
#[derive(Clone, Debug)]
enum Mutation {
    Insert(Index, usize),
    Delete(Index, u8),
    SetByte(Index, u8),
    Truncate(Index),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    ChangeNumber(Index, u64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert(at, token)),
        2 => (any::<Index>(), 1u8..40).prop_map(|(at, length)| Mutation::Delete(at, length)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte(at, byte)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        4 => (any::<Index>(), prop_oneof![0u64..100, any::<u64>()])
            .prop_map(|(at, number)| Mutation::ChangeNumber(at, number)),
    ]
}

/// Byte ranges of the lines of `bytes`, each with its line break.
fn lines(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (at, byte) in bytes.iter().enumerate() {
        if *byte == b'\n' {
            ranges.push(start..at + 1);
            start = at + 1;
        }
    }
    if start < bytes.len() {
        ranges.push(start..bytes.len());
    }
    ranges
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let length = bytes.len();
    let line_ranges = lines(bytes);
    match mutation {
        Mutation::Insert(at, token) => {
            let at = at.index(length + 1);
            bytes.splice(at..at, TOKENS[*token].iter().copied());
        }
        Mutation::Delete(at, count) if length > 0 => {
            let start = at.index(length);
            let end = (start + usize::from(*count)).min(length);
            bytes.drain(start..end);
        }
        Mutation::SetByte(at, byte) if length > 0 => bytes[at.index(length)] = *byte,
        Mutation::Truncate(at) => bytes.truncate(at.index(length + 1)),
        Mutation::DeleteLine(at) if !line_ranges.is_empty() => {
            bytes.drain(line_ranges[at.index(line_ranges.len())].clone());
        }
        Mutation::DuplicateLine(at) if !line_ranges.is_empty() => {
            let line = line_ranges[at.index(line_ranges.len())].clone();
            let copy = bytes[line.clone()].to_vec();
            bytes.splice(line.start..line.start, copy);
        }
        Mutation::SwapLines(a, b) if !line_ranges.is_empty() => {
            let count = line_ranges.len();
            let (first, second) = (
                a.index(count).min(b.index(count)),
                a.index(count).max(b.index(count)),
            );
            if first != second {
                let mut pieces: Vec<Vec<u8>> = line_ranges
                    .iter()
                    .map(|range| bytes[range.clone()].to_vec())
                    .collect();
                pieces.swap(first, second);
                *bytes = pieces.concat();
            }
        }
        Mutation::ChangeNumber(at, number) => change_number(bytes, at, *number),
        _ => {}
    }
}

/// Replaces one run of digits with `number`.
fn change_number(bytes: &mut Vec<u8>, at: &Index, number: u64) {
    let mut runs = Vec::new();
    let mut start = None;
    for (position, byte) in bytes.iter().enumerate() {
        match (byte.is_ascii_digit(), start) {
            (true, None) => start = Some(position),
            (false, Some(begin)) => {
                runs.push(begin..position);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(begin) = start {
        runs.push(begin..bytes.len());
    }
    if !runs.is_empty() {
        let run = runs[at.index(runs.len())].clone();
        bytes.splice(run, number.to_string().into_bytes());
    }
}

/// A site to mutate: the shipped content with the fixtures' small theme.
fn site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("temp dir");
    copy_tree(&repository().join("content"), &site.path().join("content"));
    copy_tree(
        &repository().join("tests/fixtures/check/base/themes"),
        &site.path().join("themes"),
    );
    site
}

/// Checks the site in process and asserts what must hold for any input.
fn check_site(root: &Path) {
    let mut diagnostics = Diagnostics::new();
    let verified = pipeline::verify(root, &mut diagnostics);
    if verified.is_none() {
        assert!(
            diagnostics.has_errors(),
            "a failed check must say why:\n{}",
            diagnostics.render()
        );
    }
    for diagnostic in diagnostics.list() {
        if let Some(location) = &diagnostic.location {
            let source = diagnostics.source(location.file);
            let span = &location.span();
            assert!(
                span.start <= span.end
                    && span.end <= source.len()
                    && source.is_char_boundary(span.start)
                    && source.is_char_boundary(span.end),
                "span {span:?} outside {} ({} bytes): {diagnostic}",
                diagnostics.file_name(location.file),
                source.len()
            );
        }
        let drawn = diagnostics.render_one(diagnostic);
        assert!(!drawn.trim().is_empty());
    }
}

/// Fails the run, naming the case, when one case takes longer than [`HANG`].
fn watchdog(progress: Arc<AtomicU64>, file: &'static str) {
    std::thread::spawn(move || {
        let mut last = u64::MAX;
        loop {
            std::thread::sleep(HANG);
            let now = progress.load(Ordering::Relaxed);
            if now == u64::MAX {
                return;
            }
            if now == last {
                eprintln!("hang: a mutated {file} took over {HANG:?} (case {now})");
                std::process::exit(101);
            }
            last = now;
        }
    });
}

fn mutate_and_check(file: &'static str) {
    let site = site();
    let path = site.path().join(file);
    if file == LOG {
        fs::write(&path, LOG_EXAMPLE).expect("write the log");
    }
    let original = fs::read(&path).expect("read example");
    let progress = Arc::new(AtomicU64::new(0));
    watchdog(Arc::clone(&progress), file);
    let config = Config {
        cases: CASES_PER_FILE,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(mutation(), 1..5), |mutations| {
        let mut bytes = original.clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        fs::write(&path, &bytes).expect("write mutated file");
        check_site(site.path());
        progress.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    progress.store(u64::MAX, Ordering::Relaxed);
    if let Err(error) = result {
        panic!("{file}: {error}");
    }
}

#[test]
fn mutated_site_toml_never_panics() {
    mutate_and_check(SITE);
}

#[test]
fn mutated_data_toml_never_panics() {
    mutate_and_check(DATA);
}

#[test]
fn mutated_notice_md_never_panics() {
    mutate_and_check(NOTICE);
}

#[test]
fn mutated_log_csv_never_panics() {
    mutate_and_check(LOG);
}

/// The unmutated example passes, so the mutations, not the base, are what
/// the cases above exercise.
#[test]
fn the_example_passes_the_same_check() {
    let site = site();
    let mut diagnostics = Diagnostics::new();
    assert!(pipeline::verify(site.path(), &mut diagnostics).is_some());
    assert_eq!(diagnostics.list().len(), 2, "{}", diagnostics.render());
}
