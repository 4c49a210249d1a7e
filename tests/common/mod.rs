//! Shared helpers for the integration tests: copies of the shipped site,
//! runs of the real binary, and readers for its output.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{ElementRef, Html};
use tempfile::TempDir;

/// The repository root, where the shipped `content/` and `themes/` live.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary site root holding a copy of the shipped content and themes.
pub fn shipped_site() -> TempDir {
    let root = tempfile::tempdir().expect("temporary folder");
    copy_tree(&repository().join("content"), &root.path().join("content"));
    copy_tree(&repository().join("themes"), &root.path().join("themes"));
    root
}

/// A temporary site root holding a copy of a fixture under `tests/fixtures/`,
/// plus the shipped default theme unless the fixture brings its own.
pub fn fixture_site(name: &str) -> TempDir {
    let root = tempfile::tempdir().expect("temporary folder");
    copy_tree(&repository().join("tests/fixtures").join(name), root.path());
    copy_tree(
        &repository().join("themes/default"),
        &root.path().join("themes/default"),
    );
    root
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("readable fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("inside the tree"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("create folder");
        } else if !target.exists() {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Variables that point git at a repository other than the one found from
/// the working folder. `git rebase -x` and git hooks export them; inherited,
/// they would make a test's git commands (and `tongbao diff`'s) act on the
/// repository running the tests.
const GIT_LOCATION: [&str; 6] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_CEILING_DIRECTORIES",
];

/// A command that finds any git repository from its working folder only.
pub fn isolated(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    for variable in GIT_LOCATION {
        command.env_remove(variable);
    }
    command
}

/// Runs the real `tongbao` binary with `args` in `root`.
pub fn tongbao(root: &Path, args: &[&str]) -> Output {
    isolated(env!("CARGO_BIN_EXE_tongbao"))
        .args(args)
        .current_dir(root)
        .output()
        .expect("run tongbao")
}

/// Builds `root` into `root/public` and asserts that the build succeeded.
pub fn build_ok(root: &Path) -> Output {
    let output = tongbao(root, &["build"]);
    assert!(
        output.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.expect("readable output"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).expect("inside the tree");
            let bytes = fs::read(entry.path()).expect("readable file");
            (relative.to_string_lossy().replace('\\', "/"), bytes)
        })
        .collect()
}

pub fn read_html(path: &Path) -> scraper::Html {
    let text = fs::read_to_string(path).expect("generated page");
    scraper::Html::parse_document(&text)
}

pub fn selector(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).expect("valid selector")
}

/// The text of an element with all whitespace removed.
pub fn compact_text(element: scraper::ElementRef) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect()
}

/// The body rows of the table with `data-table="id"`: each cell's text.
pub fn table_rows(page: &scraper::Html, id: &str) -> Vec<Vec<String>> {
    let rows = selector(&format!("table[data-table='{id}'] tbody tr"));
    let cells = selector("th, td");
    page.select(&rows)
        .map(|row| row.select(&cells).map(compact_text).collect())
        .collect()
}

/// Each diagnostic on standard error as its headline (`错误：…` or `警告：…`)
/// and the `path:line:column` it points at (empty when it has none).
pub fn diagnostics(stderr: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("错误：") || line.starts_with("警告：") {
            found.push((line.to_string(), String::new()));
        } else if let Some((_, location)) = line.split_once("┌─ ")
            && let Some(last) = found.last_mut().filter(|last| last.1.is_empty())
        {
            last.1 = location.trim().to_string();
        }
    }
    found
}

/// A diagnostic as [`diagnostics`] gives it.
pub fn diagnostic(headline: &str, location: &str) -> (String, String) {
    (headline.to_string(), location.to_string())
}

/// The seed's two reconciliation messages, headed `word` (`警告` normally,
/// `错误` under `--strict`): its declared totals disagree with its rows.
pub fn seed_reconciliation(word: &str) -> [(String, String); 2] {
    [
        diagnostic(
            &format!(
                "{word}：表格 “departments” 的 “信息公开” 列：后台申报合计 3380，各行相加为 3364"
            ),
            "content/2019-01-05/data.toml:38:27",
        ),
        diagnostic(
            &format!(
                "{word}：表格 “departments” 的 “动态信息” 列：后台申报合计 1113，各行相加为 1086"
            ),
            "content/2019-01-05/data.toml:38:43",
        ),
    ]
}

/// A run's exit code and both streams, as snapshots keep them.
pub fn transcript(args: &[&str], output: &Output) -> String {
    format!(
        "$ tongbao {}\nexit: {}\n---- stderr ----\n{}---- stdout ----\n{}",
        args.join(" "),
        output
            .status
            .code()
            .map_or("killed".to_string(), |code| code.to_string()),
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    )
}

/// The shipped site built into `public/` of a temporary copy: the copy
/// (which must outlive the output) and the output folder.
pub fn built_seed() -> (TempDir, PathBuf) {
    let site = shipped_site();
    build_ok(site.path());
    let out = site.path().join("public");
    (site, out)
}

/// A text file's contents; the path names the file in a failure.
pub fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Replaces `from` with `to` in a file, which must contain `from`.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read file");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write file");
}

/// Asserts that no staging or set-aside folder of a build (`.tongbao-…`)
/// is left in `folder`, beside the output. The lock files
/// (`.tongbao-lock-…`) stay on purpose.
pub fn assert_no_leftovers(folder: &Path) {
    let leftovers: Vec<String> = fs::read_dir(folder)
        .expect("read folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with(".tongbao-") && !name.starts_with(".tongbao-lock-"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

/// The text of an element, trimmed, its inner spaces kept.
pub fn text(element: ElementRef) -> String {
    element.text().collect::<String>().trim().to_string()
}

/// A page's appendix table as a grid, the way a spreadsheet holds it: the
/// title, the header rows with each spanning cell's text in its first row
/// and column (the rest of the span empty), the body rows, and when there
/// are notes, an empty line, `注：` and the numbered notes. Also returns
/// each spanning header cell as (row, column, rows, columns), in grid rows.
pub struct PageTable {
    pub grid: Vec<Vec<String>>,
    pub spans: Vec<(usize, usize, usize, usize)>,
    /// The grid rows that hold the table's body rows.
    pub body: std::ops::Range<usize>,
    /// The number of header rows.
    pub header_rows: usize,
}

pub fn page_table(page: &Html, id: &str) -> PageTable {
    let table = page
        .select(&selector(&format!("table[data-table=\"{id}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no table {id}"));
    let section = table
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|element| element.value().name() == "section")
        .expect("the table sits in its appendix section");
    let title = text(
        section
            .select(&selector(".appendix-title"))
            .next()
            .expect("title"),
    );
    let header_rows: Vec<ElementRef> = table.select(&selector("thead tr")).collect();
    let body_rows: Vec<ElementRef> = table.select(&selector("tbody tr")).collect();
    let width = body_rows
        .iter()
        .map(|row| row.select(&selector("th, td")).count())
        .max()
        .unwrap_or(0);
    let mut grid = vec![title_line(&title, width)];
    let mut header = vec![vec![None::<String>; width]; header_rows.len()];
    let mut spans = Vec::new();
    for (row, tr) in header_rows.iter().enumerate() {
        let mut column = 0;
        for th in tr.select(&selector("th")) {
            while header[row][column].is_some() {
                column += 1;
            }
            let attr = |name: &str| {
                th.value().attr(name).map_or(1, |value| {
                    value.parse::<usize>().expect("a span is a number")
                })
            };
            let (rows, columns) = (attr("rowspan"), attr("colspan"));
            for spanned in header.iter_mut().skip(row).take(rows) {
                for cell in spanned.iter_mut().skip(column).take(columns) {
                    *cell = Some(String::new());
                }
            }
            header[row][column] = Some(text(th));
            if rows > 1 || columns > 1 {
                spans.push((row + 1, column, rows, columns));
            }
            column += columns;
        }
    }
    for row in header {
        grid.push(row.into_iter().map(Option::unwrap_or_default).collect());
    }
    let first_body_row = grid.len();
    for tr in body_rows {
        grid.push(tr.select(&selector("th, td")).map(text).collect());
    }
    let body = first_body_row..grid.len();
    let notes: Vec<String> = section
        .select(&selector(".table-notes li"))
        .map(text)
        .collect();
    if !notes.is_empty() {
        grid.push(title_line("", width));
        grid.push(title_line("注：", width));
        for (index, note) in notes.iter().enumerate() {
            grid.push(title_line(&format!("{}. {note}", index + 1), width));
        }
    }
    PageTable {
        grid,
        spans,
        body,
        header_rows: header_rows.len(),
    }
}

fn title_line(first: &str, width: usize) -> Vec<String> {
    let mut line = vec![first.to_string()];
    line.resize(width, String::new());
    line
}

/// The seed period's folder name.
pub const SEED: &str = "2019-01-05";

/// Set to `1` to fail, rather than skip, when a tool a test needs (a
/// browser, a validator, LibreOffice) is missing. `.ci/run` sets it.
pub const REQUIRE_TOOLS: &str = "TONGBAO_REQUIRE_BROWSER";

/// Whether a test that needs outside tools can run, given the ones that
/// are `absent`. When one is missing it says so on the terminal (past the
/// test harness's capture) and the test skips, or under [`REQUIRE_TOOLS`]
/// it fails.
pub fn tools_present(test: &str, absent: &[&str]) -> bool {
    use std::io::Write;
    if absent.is_empty() {
        return true;
    }
    let message = format!("{test}: missing {}", absent.join("; "));
    if std::env::var(REQUIRE_TOOLS).is_ok_and(|value| value == "1") {
        panic!("{message} ({REQUIRE_TOOLS}=1)");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {message}");
    false
}

/// A copy of the shipped site in a temporary folder, for the workflow
/// commands that change it.
pub struct Site {
    pub dir: TempDir,
}

impl Site {
    pub fn seed() -> Site {
        Site {
            dir: shipped_site(),
        }
    }

    /// The example of a random check's cycle ([`example_site`]).
    pub fn example() -> Site {
        Site {
            dir: example_site(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folder");
        fs::write(path, text).expect("write file");
    }

    /// Runs `tongbao new SLUG` for the window after the seed's: data to
    /// 2019-06-30, issued 2019-07-05.
    pub fn add_period(&self, slug: &str) -> Run {
        self.run(&["new", slug, "--end", "2019-06-30", "--issued", "2019-07-05"])
    }

    /// Runs `tongbao ARGS --root ROOT` in the site root.
    pub fn run(&self, args: &[&str]) -> Run {
        let root = self.root().to_string_lossy();
        let mut args = args.to_vec();
        args.extend(["--root", &root]);
        Run::from(tongbao(self.root(), &args))
    }
}

/// What a run of the binary printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn assert_success(&self) -> &Run {
        assert_eq!(self.code, Some(0), "{self:#?}");
        self
    }

    /// Exit 1 (content error), and no panic.
    pub fn assert_failure(&self) -> &Run {
        assert_eq!(self.code, Some(1), "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        self
    }
}

/// Runs an external tool (a PDF reader, a converter) and returns its
/// standard output; the test fails when it cannot start or fails.
pub fn run_tool(command: &mut Command) -> String {
    let output = command.output().expect("the tool starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The value `pdfinfo` gives for `field` (`Pages`, `Page size`, …) of `pdf`.
pub fn pdf_info(pdf: &Path, field: &str) -> String {
    let info = run_tool(Command::new("pdfinfo").arg(pdf));
    info.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("pdfinfo tells no {field}: {info}"))
        .trim()
        .to_string()
}

/// Asserts that `pdf`'s pages are A4: 210 × 297 mm is 595.28 × 841.89 pt,
/// which Chromium and LibreOffice round to whole pixels.
pub fn assert_a4(pdf: &Path) {
    let size = pdf_info(pdf, "Page size");
    let numbers: Vec<f64> = size
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    assert!(
        numbers.len() >= 2
            && (numbers[0] - 595.28).abs() < 1.0
            && (numbers[1] - 841.89).abs() < 1.0,
        "A4 pages: {size}"
    );
}

/// A box of text on a PDF page, from `pdftotext -bbox-layout`, in points
/// from the page's top left corner.
#[derive(Debug, Clone)]
pub struct TextBox {
    pub text: String,
    pub x_min: f64,
    pub y_min: f64,
    pub x_max: f64,
    pub y_max: f64,
}

impl TextBox {
    /// The box's middle height, to tell which boxes share a line.
    pub fn y(&self) -> f64 {
        (self.y_min + self.y_max) / 2.0
    }
}

/// One line of a PDF page: its own box (its text is its words joined) and
/// its words' boxes.
#[derive(Debug)]
pub struct PdfLine {
    pub line: TextBox,
    pub words: Vec<TextBox>,
}

/// Each page's lines, in reading order, as `pdftotext -bbox-layout` reads
/// them from `pdf`.
pub fn pdf_lines(pdf: &Path) -> Vec<Vec<PdfLine>> {
    let xhtml = run_tool(
        Command::new("pdftotext")
            .arg("-bbox-layout")
            .arg(pdf)
            .arg("-"),
    );
    let document = Html::parse_document(&xhtml);
    let text_box = |element: ElementRef, text: String| -> TextBox {
        let number = |name: &str| -> f64 {
            element
                .value()
                .attr(name)
                .and_then(|value| value.parse().ok())
                .expect("a coordinate")
        };
        TextBox {
            text,
            x_min: number("xmin"),
            y_min: number("ymin"),
            x_max: number("xmax"),
            y_max: number("ymax"),
        }
    };
    document
        .select(&selector("page"))
        .map(|page| {
            page.select(&selector("line"))
                .map(|line| {
                    let words: Vec<TextBox> = line
                        .select(&selector("word"))
                        .map(|word| text_box(word, text(word)))
                        .collect();
                    let joined = words.iter().map(|word| word.text.as_str()).collect();
                    PdfLine {
                        line: text_box(line, joined),
                        words,
                    }
                })
                .collect()
        })
        .collect()
}

/// The example of a random check's cycle (`examples/cycle/`): the seed
/// period with made-up findings and a made-up second period that re-checks
/// them, with the shipped themes.
pub fn example_site() -> TempDir {
    let root = tempfile::tempdir().expect("temporary folder");
    copy_tree(
        &repository().join("examples/cycle/content"),
        &root.path().join("content"),
    );
    copy_tree(&repository().join("themes"), &root.path().join("themes"));
    root
}

/// [`example_site`] built into `public/`: the copy and the output folder.
pub fn built_example() -> (TempDir, PathBuf) {
    let site = example_site();
    build_ok(site.path());
    let out = site.path().join("public");
    (site, out)
}

/// Asserts that each period of the site under `root`, parsed again from
/// the texts its load kept (`load::reload_period`), equals the period
/// loaded from disk, every field and location as `Debug` shows them.
/// Returns how many periods were compared.
pub fn assert_reloads_as_loaded(root: &Path) -> usize {
    use tongbao::diagnostics::Diagnostics;
    use tongbao::load::{load_content, reload_period};
    let mut diagnostics = Diagnostics::new();
    let content = load_content(root, &mut diagnostics).expect("the site loads");
    for period in &content.periods {
        let again = reload_period(
            &period.slug,
            period.file,
            &content.site,
            &content.calendar,
            &diagnostics,
        )
        .unwrap_or_else(|| panic!("{} parses again", period.slug));
        assert_eq!(
            format!("{again:#?}"),
            format!("{period:#?}"),
            "{}",
            period.slug
        );
    }
    content.periods.len()
}
