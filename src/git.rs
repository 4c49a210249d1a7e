//! Reading files as they were at a git revision, through the `git` command.
//!
//! Paths are relative to the site root, which may be a sub-folder of the
//! repository. Everything is read without touching the working tree or the
//! index.

use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::diagnostics::io_reason;

/// Why git gave no answer. Shown to the clerk as a Chinese message
/// (`Display`).
#[derive(Debug)]
pub enum GitError {
    /// No `git` command on the `PATH`.
    Missing,
    /// `git` is there but could not be started.
    Spawn(io::Error),
    /// The site root is not inside a git repository.
    NotARepository(PathBuf),
    /// git ran and failed: its arguments and what it said.
    Failed { arguments: String, message: String },
    /// git's answer is not UTF-8 where text was expected.
    NotUtf8,
    /// The pipe to `git cat-file` could not be opened.
    RequestPipe,
    /// The pipe from `git cat-file` could not be opened.
    AnswerPipe,
    /// Reading git's answer failed.
    Read(io::Error),
    /// A record of `git ls-tree`'s listing that is not one.
    UnreadableListing(String),
    /// `git cat-file` answered about something other than what was asked
    /// for (the answer's header line).
    Unreadable(String),
    /// The object asked for is not in the repository.
    MissingObject(String),
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitError::Missing => write!(f, "找不到 git 命令：请先安装 git"),
            GitError::Spawn(error) => write!(f, "无法运行 git：{}", io_reason(error)),
            GitError::NotARepository(root) => write!(f, "{} 不在 git 仓库中", root.display()),
            GitError::Failed { arguments, message } => {
                write!(f, "git {arguments} 失败：{message}")
            }
            GitError::NotUtf8 => write!(f, "git 的输出不是 UTF-8"),
            GitError::RequestPipe => write!(f, "无法向 git 传送请求"),
            GitError::AnswerPipe => write!(f, "无法读取 git 的输出"),
            GitError::Read(error) => write!(f, "无法读取 git 的输出：{}", io_reason(error)),
            GitError::UnreadableListing(record) => {
                write!(f, "无法理解 git ls-tree 的输出：{record}")
            }
            GitError::Unreadable(header) => write!(f, "无法理解 git 的输出：{header}"),
            GitError::MissingObject(object) => write!(f, "git 中找不到对象 {object}"),
        }
    }
}

impl std::error::Error for GitError {}

/// The git repository holding a site root.
#[derive(Debug, Clone)]
pub struct Repository {
    root: PathBuf,
    /// The site root's path within the repository, ending in `/`, or empty.
    prefix: String,
}

impl Repository {
    /// The repository around `root`. Fails when git is missing or `root`
    /// is not inside a repository.
    pub fn open(root: &Path) -> Result<Repository, GitError> {
        let mut repository = Repository {
            root: root.to_path_buf(),
            prefix: String::new(),
        };
        let prefix = repository.git_text(&["rev-parse", "--show-prefix"])?;
        // Only the line break git ends its answer with: a folder's name may
        // end in a space.
        repository.prefix = prefix.strip_suffix('\n').unwrap_or(&prefix).to_string();
        Ok(repository)
    }

    /// The commit a revision names (`HEAD`, `HEAD~1`, `main`, a hash), or
    /// `None` when it names none.
    pub fn commit(&self, revision: &str) -> Option<String> {
        let spec = format!("{revision}^{{commit}}");
        self.git_text(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ])
        .ok()
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
    }

    /// Every file and link under `folder` (relative to the site root) at
    /// `commit`, sorted by path. The listing is NUL-separated, so any name
    /// git can hold (a line break in it, say) is read whole.
    pub fn files(&self, commit: &str, folder: &str) -> Result<Vec<Entry>, GitError> {
        let path = format!("{}{folder}", self.prefix);
        let listing =
            self.git_bytes(&["ls-tree", "-r", "-z", "--full-tree", commit, "--", &path])?;
        let mut entries = Vec::new();
        for record in listing.split(|byte| *byte == 0) {
            if record.is_empty() {
                continue;
            }
            let entry = parse_entry(record).ok_or_else(|| {
                GitError::UnreadableListing(String::from_utf8_lossy(record).into_owned())
            })?;
            if let Some(entry) = entry.and_then(|entry| self.within_site(entry)) {
                entries.push(entry);
            }
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    /// An entry with its path made relative to the site root, or `None`
    /// for one outside it.
    fn within_site(&self, mut entry: Entry) -> Option<Entry> {
        let relative = entry.path.strip_prefix(&self.prefix)?;
        if relative.is_empty() {
            return None;
        }
        entry.path = relative.to_string();
        Some(entry)
    }

    /// The bytes of each object, in order. One `git cat-file` reads them
    /// all, asked by object id (never by name), and each answer is read by
    /// its stated size and checked to be about the object asked for.
    pub fn read(&self, objects: &[&str]) -> Result<Vec<Vec<u8>>, GitError> {
        let mut child = self
            .command(&["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(spawn_error)?;
        let requests: String = objects.iter().map(|object| format!("{object}\n")).collect();
        let mut stdin = child.stdin.take().ok_or(GitError::RequestPipe)?;
        // Written from a thread so a large answer cannot block the request.
        let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
        let stdout = child.stdout.take().ok_or(GitError::AnswerPipe)?;
        let mut reader = BufReader::new(stdout);
        let mut contents = Vec::with_capacity(objects.len());
        let mut failure = None;
        for object in objects {
            match read_object(&mut reader, object) {
                Ok(bytes) => contents.push(bytes),
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        // Whatever happened, git is not left waiting on a full pipe.
        drop(reader);
        let _ = writer.join();
        let _ = child.wait();
        match failure {
            Some(error) => Err(error),
            None => Ok(contents),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command.arg("-C").arg(&self.root).args(args);
        // Messages are parsed, never shown; keep them in one language.
        command.env("LC_ALL", "C");
        // A site folder named with `*` or `[` is a name, not a pattern.
        command.env("GIT_LITERAL_PATHSPECS", "1");
        command
    }

    fn git_text(&self, args: &[&str]) -> Result<String, GitError> {
        String::from_utf8(self.git_bytes(args)?).map_err(|_| GitError::NotUtf8)
    }

    fn git_bytes(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let output = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .map_err(spawn_error)?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            let message = String::from_utf8_lossy(&output.stderr);
            Err(if message.contains("not a git repository") {
                GitError::NotARepository(self.root.clone())
            } else {
                GitError::Failed {
                    arguments: args.join(" "),
                    message: message.trim().to_string(),
                }
            })
        }
    }
}

/// One file or link of a tree, as `git ls-tree` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the site root (to the repository in `parse_entry`).
    pub path: String,
    /// The blob's object id.
    pub object: String,
    pub kind: EntryKind,
}

/// What a blob of a tree stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    /// A symbolic link: the blob holds where it points.
    Link,
}

/// One record of `git ls-tree -z`: `<mode> <type> <object>\t<path>`.
/// `Some(None)` for what is no file (a submodule); `None` if unreadable.
fn parse_entry(record: &[u8]) -> Option<Option<Entry>> {
    let tab = record.iter().position(|byte| *byte == b'\t')?;
    let meta = std::str::from_utf8(&record[..tab]).ok()?;
    let path = String::from_utf8_lossy(&record[tab + 1..]).into_owned();
    let mut fields = meta.split(' ');
    let (mode, kind, object) = (fields.next()?, fields.next()?, fields.next()?);
    if fields.next().is_some() || object.is_empty() {
        return None;
    }
    let kind = match (kind, mode) {
        ("blob", "120000") => EntryKind::Link,
        ("blob", _) => EntryKind::File,
        _ => return Some(None),
    };
    Some(Some(Entry {
        path,
        object: object.to_string(),
        kind,
    }))
}

/// One answer of `git cat-file --batch` to a request for `object`:
/// `<id> <type> <size>\n<bytes>\n`. The bytes are read by their size,
/// never by lines, and an answer about another object is an error.
fn read_object(reader: &mut impl BufRead, object: &str) -> Result<Vec<u8>, GitError> {
    let mut header = Vec::new();
    reader
        .read_until(b'\n', &mut header)
        .map_err(GitError::Read)?;
    let header = String::from_utf8_lossy(&header);
    let unreadable = || GitError::Unreadable(header.trim_end().to_string());
    let fields: Vec<&str> = header.trim_end_matches('\n').split(' ').collect();
    match fields.as_slice() {
        [id, "missing"] if *id == object => Err(GitError::MissingObject(object.to_string())),
        [id, _, size] if *id == object => {
            let size: usize = size.parse().map_err(|_| unreadable())?;
            let mut bytes = vec![0; size + 1];
            reader.read_exact(&mut bytes).map_err(GitError::Read)?;
            if bytes.pop() != Some(b'\n') {
                return Err(unreadable());
            }
            Ok(bytes)
        }
        _ => Err(unreadable()),
    }
}

fn spawn_error(error: io::Error) -> GitError {
    if error.kind() == io::ErrorKind::NotFound {
        GitError::Missing
    } else {
        GitError::Spawn(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn a_listing_record_keeps_any_name_whole() {
        let record = format!("100644 blob {ID}\tcontent/a\nb c.toml");
        let entry = parse_entry(record.as_bytes()).unwrap().unwrap();
        assert_eq!(entry.path, "content/a\nb c.toml");
        assert_eq!(entry.object, ID);
        assert_eq!(entry.kind, EntryKind::File);
        let link = format!("120000 blob {ID}\tcontent/x");
        assert_eq!(
            parse_entry(link.as_bytes()).unwrap().unwrap().kind,
            EntryKind::Link
        );
        let submodule = format!("160000 commit {ID}\tcontent/sub");
        assert_eq!(parse_entry(submodule.as_bytes()), Some(None));
        assert_eq!(parse_entry(b"100644 blob"), None);
    }

    #[test]
    fn answers_are_read_by_size_and_must_be_about_the_object_asked() {
        let answer = format!("{ID} blob 4\na\nb\n\n");
        let mut reader = answer.as_bytes();
        assert_eq!(read_object(&mut reader, ID).unwrap(), b"a\nb\n");
        assert!(reader.is_empty());
        let other_id = "f".repeat(40);
        let other = format!("{other_id} blob 1\nx\n");
        let error = read_object(&mut other.as_bytes(), ID).unwrap_err();
        assert!(
            matches!(&error, GitError::Unreadable(header) if *header == format!("{other_id} blob 1")),
            "{error:?}"
        );
        let missing = format!("{ID} missing\n");
        let error = read_object(&mut missing.as_bytes(), ID).unwrap_err();
        assert_eq!(error.to_string(), format!("git 中找不到对象 {ID}"));
        let short = format!("{ID} blob 10\nab");
        let error = read_object(&mut short.as_bytes(), ID).unwrap_err();
        assert!(
            matches!(&error, GitError::Read(io) if io.kind() == io::ErrorKind::UnexpectedEof),
            "{error:?}"
        );
    }

    #[test]
    fn a_folder_outside_any_repository_is_told_so() {
        let folder = tempfile::tempdir().expect("temporary folder");
        match Repository::open(folder.path()) {
            Err(GitError::NotARepository(root)) => assert_eq!(root, folder.path()),
            other => panic!("expected not a repository, got {other:?}"),
        }
    }
}
