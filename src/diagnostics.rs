//! Problems found in the user's files, each located by a byte span, and the
//! source texts needed to show them the way rustc does.
//!
//! Every stage of the pipeline reports into one [`Diagnostics`]; a stage never
//! stops at the first problem when it can go on and find more.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic as report;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;

/// A source file registered with [`Diagnostics::add_file`]: the part of
/// the run it was read in (see [`Diagnostics::split`]) and its place among
/// that part's files. Ids order as the files would have been read one
/// after another, which is the order messages are shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId {
    part: u32,
    index: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A byte range in one registered source file.
///
/// The offsets are kept in 32 bits: a site holds a location for every
/// count of every row of every period, and 64-bit offsets made them a
/// third larger (docs/PERFORMANCE.md). Sources are read by
/// [`crate::load::read_source`], at most [`crate::load::MAX_SOURCE_BYTES`]
/// long (a file in another encoding, decoded only to show where it goes
/// wrong, at most three times that), so every offset fits; one that did
/// not would point at the 4 GiB mark, never wrap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    start: u32,
    end: u32,
}

impl Location {
    pub fn new(file: FileId, span: Range<usize>) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Location {
            file,
            start: offset(span.start),
            end: offset(span.end),
        }
    }

    /// The byte range in the file.
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The same file, at `span` relative to the start of this location.
    pub fn within(&self, span: Range<usize>) -> Location {
        let start = self.start as usize;
        Location::new(self.file, start + span.start..start + span.end)
    }
}

/// A value together with where the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub location: Location,
}

impl<T> Located<T> {
    pub fn new(value: T, location: Location) -> Self {
        Located { value, location }
    }
}

/// One problem: a severity, a message in Chinese for the clerk, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// Short text shown under the caret.
    pub label: Option<String>,
    /// What the clerk can do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message.into())
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message.into())
    }

    fn new(severity: Severity, message: String) -> Self {
        Diagnostic {
            severity,
            message,
            location: None,
            label: None,
            hint: None,
        }
    }

    pub fn at(mut self, location: &Location) -> Self {
        self.location = Some(location.clone());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Hints `是否应为 NEAR？` when a known name `near` is close to what was
    /// written (see [`crate::spelling::closest`]); without one, no hint.
    pub fn suggest(self, near: Option<&str>) -> Self {
        match near {
            Some(near) => self.hint(format!("是否应为 {near}？")),
            None => self,
        }
    }
}

/// The source files read so far and every diagnostic found in them.
///
/// Files are registered in parts, one after another; a part can be read
/// on a thread of its own (see [`Diagnostics::split`]), and the parts'
/// order, not the threads', decides the order of messages.
#[derive(Default)]
pub struct Diagnostics {
    files: Sources,
    /// The part files are registered in from now on.
    part: u32,
    list: Vec<Diagnostic>,
}

/// The registered source texts, by [`FileId`]: codespan's `SimpleFiles`,
/// except that they are kept in parts and a file can be forgotten. `serve`
/// registers a period's files again each time it reloads them; forgetting
/// the old copies keeps a long session from holding every version of every
/// file it ever read. A part is shared with the tasks split off after it
/// was read (they read it, never change it), so splitting copies no text.
#[derive(Clone, Default)]
struct Sources(BTreeMap<u32, Arc<Part>>);

/// One part's files, in the order they were registered.
type Part = Vec<SourceFile>;

/// One registered file: the name shown in messages, and its text.
///
/// codespan's `SimpleFile` also keeps where each line starts, a `usize` a
/// line in a vector grown by doubling: a tenth again of the text's size,
/// for every file a site registers and keeps (two or three a period). The
/// starts are found here when a message needs them, as `SimpleFile`
/// would give them.
#[derive(Clone)]
struct SourceFile {
    name: String,
    text: String,
}

impl SourceFile {
    /// The line (from 0) that `byte_index` is on.
    fn line_index(&self, byte_index: usize) -> usize {
        let starts = files::line_starts(&self.text);
        let at_or_before = starts.take_while(|start| *start <= byte_index).count();
        at_or_before.saturating_sub(1)
    }

    /// Where line `line_index` (from 0) starts: the text's length for the
    /// line after the last.
    fn line_start(&self, line_index: usize) -> Result<usize, files::Error> {
        if let Some(start) = files::line_starts(&self.text).nth(line_index) {
            return Ok(start);
        }
        let lines = files::line_starts(&self.text).count();
        if line_index == lines {
            Ok(self.text.len())
        } else {
            Err(files::Error::LineTooLarge {
                given: line_index,
                max: lines.saturating_sub(1),
            })
        }
    }

    fn line_range(&self, line_index: usize) -> Result<Range<usize>, files::Error> {
        Ok(self.line_start(line_index)?..self.line_start(line_index.saturating_add(1))?)
    }
}

impl Sources {
    fn get(&self, file: FileId) -> Result<&SourceFile, files::Error> {
        self.0
            .get(&file.part)
            .and_then(|part| part.get(file.index as usize))
            .ok_or(files::Error::FileMissing)
    }

    /// The part numbered `part`, to register files in; created when it is
    /// not there yet. Copied first only when a task split off earlier
    /// still holds it.
    fn part_mut(&mut self, part: u32) -> &mut Part {
        Arc::make_mut(self.0.entry(part).or_default())
    }

    /// The number after every part's.
    fn next_part(&self) -> u32 {
        self.0
            .last_key_value()
            .map_or(0, |(part, _)| part.saturating_add(1))
    }
}

impl<'a> Files<'a> for Sources {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, file: FileId) -> Result<&'a str, files::Error> {
        Ok(&self.get(file)?.name)
    }

    fn source(&'a self, file: FileId) -> Result<&'a str, files::Error> {
        Ok(&self.get(file)?.text)
    }

    fn line_index(&'a self, file: FileId, byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.get(file)?.line_index(byte_index))
    }

    fn line_range(&'a self, file: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        self.get(file)?.line_range(line_index)
    }
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a source text under the name shown in messages
    /// (a path relative to the site root), in the current part.
    pub fn add_file(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let part = self.files.part_mut(self.part);
        part.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        FileId {
            part: self.part,
            index: index_u32(part.len() - 1),
        }
    }

    /// Starts a new part: files registered from now on have ids after
    /// every file registered so far.
    pub fn begin_part(&mut self) {
        self.part = self.files.next_part().max(self.part.saturating_add(1));
    }

    /// Registers files from now on in the part `file` is in, after its
    /// files: for `serve`, which reads a period folder again and shows its
    /// messages where a whole load would, among the other folders'.
    pub fn resume_part_of(&mut self, file: FileId) {
        self.part = file.part;
    }

    /// One `Diagnostics` for each of `count` tasks that read files on
    /// threads of their own, in the order their files would have been read
    /// one after another. Each reads every file registered here so far and
    /// registers its own in a part of its own, with no messages yet. Give
    /// them back to [`Diagnostics::join`], in the same order; after that,
    /// files registered here have ids after theirs.
    pub fn split(&mut self, count: usize) -> Vec<Diagnostics> {
        self.begin_part();
        let first = self.part;
        let tasks = (0..count)
            .map(|task| Diagnostics {
                files: self.files.clone(),
                part: first.saturating_add(index_u32(task)),
                list: Vec::new(),
            })
            .collect();
        self.part = first.saturating_add(index_u32(count));
        tasks
    }

    /// A `Diagnostics` that reads only the part `file` is in, with no
    /// messages, registering in that part: for parsing a folder again from
    /// the texts an earlier load registered there (`load::reload_period`),
    /// which looks them up with [`Diagnostics::find_in_part`]. It shares
    /// the part's texts, copying none; its messages are meant to be
    /// dropped.
    pub fn replay_part(&self, file: FileId) -> Diagnostics {
        let part = self.files.0.get(&file.part).cloned().unwrap_or_default();
        Diagnostics {
            files: Sources(BTreeMap::from([(file.part, part)])),
            part: file.part,
            list: Vec::new(),
        }
    }

    /// The first file registered under `name` in the part files are
    /// registered in now.
    pub fn find_in_part(&self, name: &str) -> Option<FileId> {
        let files = self.files.0.get(&self.part)?;
        let index = files.iter().position(|file| file.name == name)?;
        Some(FileId {
            part: self.part,
            index: index_u32(index),
        })
    }

    /// Takes back the tasks [`Diagnostics::split`] made: their files, in
    /// their parts, and their messages, task after task.
    pub fn join(&mut self, tasks: impl IntoIterator<Item = Diagnostics>) {
        for mut task in tasks {
            if let Some(files) = task.files.0.remove(&task.part) {
                self.files.0.insert(task.part, files);
            }
            self.list.append(&mut task.list);
        }
    }

    /// The text of a registered file; empty once forgotten.
    pub fn source(&self, file: FileId) -> &str {
        self.files.get(file).map_or("", |f| f.text.as_str())
    }

    /// The name a registered file was added under.
    pub fn file_name(&self, file: FileId) -> &str {
        self.files.get(file).map_or("", |f| f.name.as_str())
    }

    /// Drops the text of every file registered before `before` whose name
    /// is in `folder` (`content/SLUG/`), keeping its id and name: for
    /// `serve`, once a reloaded period has replaced the one read from
    /// those files. The caller must have removed the messages located in
    /// them; nothing else may point into them any more.
    pub fn forget_folder(&mut self, folder: &str, before: FileId) {
        for (&part, files) in &mut self.files.0 {
            // No task holds a part once joined, so this copies nothing.
            for (index, file) in Arc::make_mut(files).iter_mut().enumerate() {
                let id = FileId {
                    part,
                    index: index_u32(index),
                };
                let kept = file.name.starts_with(folder) && !file.text.is_empty();
                if id < before && kept {
                    file.text = String::new();
                }
            }
        }
    }

    /// The id the next registered file will get: files registered from now
    /// on have this id or a greater one.
    pub fn next_file(&self) -> FileId {
        let registered = self.files.0.get(&self.part).map_or(0, |part| part.len());
        FileId {
            part: self.part,
            index: index_u32(registered),
        }
    }

    /// Bytes of source text held, over every registered file.
    #[cfg(test)]
    pub fn source_bytes(&self) -> usize {
        let files = self.files.0.values().flat_map(|part| part.iter());
        files.map(|file| file.text.len()).sum()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.list.push(diagnostic);
    }

    /// Takes out every diagnostic after the first `at`, in order.
    pub fn take_from(&mut self, at: usize) -> Vec<Diagnostic> {
        self.list.split_off(at.min(self.list.len()))
    }

    /// Keeps only the diagnostics for which `keep` is true, in order.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.list.retain(keep);
    }

    /// Adds a diagnostic unless the same one (severity, message, place,
    /// label and hint) is there already: for a rule that two stages check,
    /// so that a run that goes through both shows it once.
    pub fn push_once(&mut self, diagnostic: Diagnostic) {
        if !self.list.contains(&diagnostic) {
            self.list.push(diagnostic);
        }
    }

    pub fn list(&self) -> &[Diagnostic] {
        &self.list
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.list.iter().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// `path:line:column` of a location, 1-based, columns in characters.
    pub fn position(&self, location: &Location) -> String {
        match self.files.location(location.file, location.span().start) {
            Ok(at) => format!(
                "{}:{}:{}",
                self.file_name(location.file),
                at.line_number,
                at.column_number
            ),
            Err(_) => self.file_name(location.file).to_string(),
        }
    }

    /// Every diagnostic drawn as plain text, in file order.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for diagnostic in self.in_file_order() {
            out.push_str(&self.render_one(diagnostic));
        }
        out
    }

    /// The diagnostics sorted by file (in the order files were read) and by
    /// position within each, so a clerk can work down a file from the top.
    /// Problems without a location come first; ties keep the order found.
    pub fn in_file_order(&self) -> Vec<&Diagnostic> {
        let mut sorted: Vec<&Diagnostic> = self.list.iter().collect();
        sorted.sort_by_key(|d| d.location.as_ref().map(|at| (at.file, at.span().start)));
        sorted
    }

    /// One diagnostic drawn with its source line and a caret under the span,
    /// headed by the severity in Chinese (`错误：…`, `警告：…`).
    pub fn render_one(&self, diagnostic: &Diagnostic) -> String {
        let config = term::Config::default();
        let drawn = self.to_report(diagnostic);
        match term::emit_into_string(&config, &self.files, &drawn) {
            Ok(text) => chinese_header(diagnostic, text),
            // A span past the end of its file is our bug, not the user's;
            // still say what is wrong rather than lose the message.
            Err(_) => format!("{}\n", diagnostic),
        }
    }

    /// Turns every warning into an error, for `--strict`.
    pub fn promote_warnings(&mut self) {
        for diagnostic in &mut self.list {
            diagnostic.severity = Severity::Error;
        }
    }

    /// The closing count line, e.g. `2 个错误，1 条警告`.
    pub fn tally(&self) -> String {
        format!(
            "{} 个错误，{} 条警告",
            self.count(Severity::Error),
            self.count(Severity::Warning)
        )
    }

    fn to_report(&self, diagnostic: &Diagnostic) -> report::Diagnostic<FileId> {
        let mut drawn = match diagnostic.severity {
            Severity::Error => report::Diagnostic::error(),
            Severity::Warning => report::Diagnostic::warning(),
        }
        .with_message(&diagnostic.message);
        if let Some(location) = &diagnostic.location {
            let source_len = self.source(location.file).len();
            let span = location.span();
            let span = span.start.min(source_len)..span.end.min(source_len);
            let mut label = report::Label::primary(location.file, span);
            if let Some(text) = &diagnostic.label {
                label = label.with_message(text);
            }
            drawn = drawn.with_labels(vec![label]);
        }
        if let Some(hint) = &diagnostic.hint {
            drawn = drawn.with_notes(vec![format!("提示：{hint}")]);
        }
        drawn
    }
}

/// A file operation tongbao declines on purpose (an output folder it did
/// not write, a period folder that exists), told in Chinese already, so
/// [`io_reason`] shows it as it is instead of as a system error.
#[derive(Debug)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    /// The refusal as an I/O error of `kind`.
    pub fn io(kind: std::io::ErrorKind, message: impl Into<String>) -> std::io::Error {
        std::io::Error::new(kind, Refusal(message.into()))
    }
}

/// Why a file operation failed, in Chinese where the reason is a common
/// one; the system's own words follow in brackets so nothing is lost.
pub fn io_reason(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    if let Some(refusal) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Refusal>())
    {
        return refusal.0.clone();
    }
    let reason = match error.kind() {
        ErrorKind::NotFound => "文件或目录不存在",
        ErrorKind::PermissionDenied => "没有权限",
        ErrorKind::AlreadyExists => "已存在",
        ErrorKind::NotADirectory => "路径中有一段是文件而不是目录",
        ErrorKind::IsADirectory => "这是一个目录，不是文件",
        ErrorKind::StorageFull => "磁盘已满",
        ErrorKind::ReadOnlyFilesystem => "文件系统只读",
        _ => "操作失败",
    };
    format!("{reason}（{error}）")
}

/// codespan-reporting heads a diagnostic with the English `error: ` or
/// `warning: `; the clerk reads Chinese, so the word is replaced.
fn chinese_header(diagnostic: &Diagnostic, drawn: String) -> String {
    let english = match diagnostic.severity {
        Severity::Error => "error: ",
        Severity::Warning => "warning: ",
    };
    match drawn.strip_prefix(english) {
        Some(rest) => format!("{}：{rest}", diagnostic.severity.word()),
        None => drawn,
    }
}

impl Severity {
    /// The severity as the clerk reads it.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{}", self.severity.word(), self.message)
    }
}

/// A count of files or parts as a part of a [`FileId`]. No run reads four
/// billion files; should one, the ids saturate rather than wrap, so they
/// never point at a file read earlier.
fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A warning at the start of `file`, with no label or hint.
    fn warning_in(file: FileId, message: &str) -> Diagnostic {
        Diagnostic::warning(message).at(&Location::new(file, 0..1))
    }

    /// The messages in the order they are shown.
    fn shown(diagnostics: &Diagnostics) -> Vec<&str> {
        let sorted = diagnostics.in_file_order().into_iter();
        sorted.map(|problem| problem.message.as_str()).collect()
    }

    #[test]
    fn tasks_read_earlier_files_and_their_own_sort_in_task_order() {
        let mut diagnostics = Diagnostics::new();
        let site = diagnostics.add_file("content/site.toml", "site");
        let mut tasks = diagnostics.split(2);
        // The second task finishes first; its files are still shown second.
        let second = tasks[1].add_file("content/b/data.toml", "b");
        tasks[1].push(warning_in(second, "b"));
        let first = tasks[0].add_file("content/a/data.toml", "a");
        tasks[0].push(warning_in(first, "a"));
        assert_eq!(tasks[0].source(site), "site");
        assert_eq!(
            tasks[1].source(first),
            "",
            "a task does not see another's files"
        );
        diagnostics.join(tasks);
        let theme = diagnostics.add_file("themes/default/templates/base.html", "theme");
        diagnostics.push(warning_in(theme, "theme"));
        diagnostics.push(warning_in(site, "site"));
        assert!(site < first && first < second && second < theme);
        assert_eq!(shown(&diagnostics), ["site", "a", "b", "theme"]);
        assert_eq!(diagnostics.source(second), "b");
        assert_eq!(
            diagnostics.file_name(theme),
            "themes/default/templates/base.html"
        );
    }

    #[test]
    fn a_resumed_part_sorts_among_the_others_and_forgets_its_old_files() {
        let mut diagnostics = Diagnostics::new();
        let mut tasks = diagnostics.split(2);
        let old = tasks[0].add_file("content/a/data.toml", "old a");
        let other = tasks[1].add_file("content/b/data.toml", "b");
        diagnostics.join(tasks);
        diagnostics.push(warning_in(other, "b"));
        // `serve` reads folder a again.
        diagnostics.resume_part_of(old);
        let first_new = diagnostics.next_file();
        let new = diagnostics.add_file("content/a/data.toml", "new a");
        diagnostics.push(warning_in(new, "a"));
        diagnostics.forget_folder("content/a/", first_new);
        assert!(old < new && new < other);
        assert_eq!(shown(&diagnostics), ["a", "b"]);
        assert_eq!(diagnostics.source(old), "");
        assert_eq!(diagnostics.source(new), "new a");
        assert_eq!(diagnostics.source(other), "b");
        // A folder first seen now goes after every other.
        diagnostics.begin_part();
        let added = diagnostics.add_file("content/0/data.toml", "0");
        assert!(added > other);
    }

    #[test]
    fn lines_are_found_as_codespan_keeps_them() {
        use codespan_reporting::files::SimpleFile;
        for text in ["", "a", "a\n", "\n\n", "ab\ncd", "ab\r\ncd\n", "一\n二三\n"] {
            let ours = SourceFile {
                name: "f".to_string(),
                text: text.to_string(),
            };
            let theirs = SimpleFile::new("f", text);
            for byte in 0..=text.len() + 1 {
                let expected = theirs.line_index((), byte).unwrap();
                assert_eq!(ours.line_index(byte), expected, "{text:?} at {byte}");
            }
            for line in 0..text.len() + 3 {
                let expected = format!("{:?}", theirs.line_range((), line));
                let found = format!("{:?}", ours.line_range(line));
                assert_eq!(found, expected, "{text:?} line {line}");
            }
        }
    }
}
