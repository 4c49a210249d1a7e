//! Reading files as they were at a git revision, through the `git` command.
//!
//! Paths are relative to the site root, which may be a sub-folder of the
//! repository. Everything is read without touching the working tree or the
//! index.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::diagnostics::io_reason;

/// The git repository holding a site root.
#[derive(Debug, Clone)]
pub struct Repository {
    root: PathBuf,
    /// The site root's path within the repository, ending in `/`, or empty.
    prefix: String,
}

impl Repository {
    /// The repository around `root`. Fails with a Chinese message when git
    /// is missing or `root` is not inside a repository.
    pub fn open(root: &Path) -> Result<Repository, String> {
        let mut repository = Repository {
            root: root.to_path_buf(),
            prefix: String::new(),
        };
        let prefix = repository.git_text(&["rev-parse", "--show-prefix"])?;
        repository.prefix = prefix.trim().to_string();
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

    /// Every file under `folder` (relative to the site root) at `commit`,
    /// relative to the site root, sorted.
    pub fn files(&self, commit: &str, folder: &str) -> Result<Vec<String>, String> {
        let path = format!("{}{folder}", self.prefix);
        let listing = self.git_text(&[
            "ls-tree",
            "-r",
            "-z",
            "--name-only",
            "--full-tree",
            commit,
            "--",
            &path,
        ])?;
        let mut files: Vec<String> = listing
            .split('\0')
            .filter_map(|name| name.strip_prefix(&self.prefix))
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
        files.sort();
        Ok(files)
    }

    /// The bytes of each file (relative to the site root) at `commit`, in
    /// order; `None` for a file the commit lacks. One `git cat-file` reads
    /// them all.
    pub fn read(&self, commit: &str, paths: &[String]) -> Result<Vec<Option<Vec<u8>>>, String> {
        let mut child = self
            .command(&["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(spawn_error)?;
        let requests: String = paths
            .iter()
            .map(|path| format!("{commit}:{}{path}\n", self.prefix))
            .collect();
        let mut stdin = child.stdin.take().ok_or("无法向 git 传送请求")?;
        // Written from a thread so a large answer cannot block the request.
        let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
        let stdout = child.stdout.take().ok_or("无法读取 git 的输出")?;
        let mut reader = BufReader::new(stdout);
        let mut contents = Vec::with_capacity(paths.len());
        for _ in paths {
            contents.push(read_object(&mut reader)?);
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(contents)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command.arg("-C").arg(&self.root).args(args);
        // Messages are parsed, never shown; keep them in one language.
        command.env("LC_ALL", "C");
        command
    }

    fn git_text(&self, args: &[&str]) -> Result<String, String> {
        let output = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .map_err(spawn_error)?;
        if output.status.success() {
            String::from_utf8(output.stdout).map_err(|_| "git 的输出不是 UTF-8".to_string())
        } else {
            let message = String::from_utf8_lossy(&output.stderr);
            Err(if message.contains("not a git repository") {
                format!("{} 不在 git 仓库中", self.root.display())
            } else {
                format!("git {} 失败：{}", args.join(" "), message.trim())
            })
        }
    }
}

/// One answer of `git cat-file --batch`: `<id> blob <size>\n<bytes>\n`, or
/// `<name> missing\n`.
fn read_object(reader: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut header = String::new();
    reader
        .read_line(&mut header)
        .map_err(|error| format!("无法读取 git 的输出：{}", io_reason(&error)))?;
    let fields: Vec<&str> = header.split_whitespace().collect();
    match fields.as_slice() {
        [_, "missing"] | [_, "ambiguous"] => Ok(None),
        [_, kind, size] => {
            let size: usize = size
                .parse()
                .map_err(|_| format!("无法理解 git 的输出：{header}"))?;
            let mut bytes = vec![0; size + 1];
            reader
                .read_exact(&mut bytes)
                .map_err(|error| format!("无法读取 git 的输出：{}", io_reason(&error)))?;
            bytes.truncate(size);
            Ok((*kind == "blob").then_some(bytes))
        }
        _ => Err(format!("无法理解 git 的输出：{}", header.trim())),
    }
}

fn spawn_error(error: std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::NotFound {
        "找不到 git 命令：请先安装 git".to_string()
    } else {
        format!("无法运行 git：{}", io_reason(&error))
    }
}
