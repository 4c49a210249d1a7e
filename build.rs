//! Build script: compiles the default theme into the binary and records the
//! commit tongbao is built from, for `tongbao --version`.
//!
//! - `themes/default/` is listed into `$OUT_DIR/builtin_theme.rs` as one
//!   `include_bytes!` per file, so a site needs no `themes/` folder. The
//!   folder stays the source; `tests/init.rs` checks that the compiled copy
//!   matches it.
//! - `TONGBAO_VERSION` is the package version, followed by the commit when
//!   it is known: from git when building inside tongbao's own repository,
//!   else from `.cargo_vcs_info.json` in a packaged crate. Without either,
//!   it is the version alone.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const THEME_DIR: &str = "themes/default";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    write_theme_list(&manifest, &out.join("builtin_theme.rs"));
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let full = match commit(&manifest) {
        Some(commit) => format!("{version}（提交 {commit}）"),
        None => version,
    };
    println!("cargo:rustc-env=TONGBAO_VERSION={full}");
    println!("cargo:rerun-if-changed=build.rs");
}

/// Writes `FILES`: every file of the default theme, by path relative to the
/// theme folder with `/` separators, sorted, with its bytes.
fn write_theme_list(manifest: &Path, target: &Path) {
    let theme = manifest.join(THEME_DIR);
    println!("cargo:rerun-if-changed={THEME_DIR}");
    let mut files = Vec::new();
    collect(&theme, &theme, &mut files);
    files.sort();
    let mut code = String::from(
        "/// Every file of `themes/default/`: its path under the theme folder and its bytes.\n\
         pub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (relative, absolute) in &files {
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            absolute.to_string_lossy()
        ));
    }
    code.push_str("];\n");
    if let Err(error) = fs::write(target, code) {
        panic!("cannot write {}: {error}", target.display());
    }
}

fn collect(base: &Path, folder: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) => panic!("cannot read {}: {error}", folder.display()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, files);
        } else if let Ok(relative) = path.strip_prefix(base) {
            let parts: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push((parts.join("/"), path));
        }
    }
}

/// The short commit hash the crate is built from, if known.
fn commit(manifest: &Path) -> Option<String> {
    git_commit(manifest).or_else(|| packaged_commit(manifest))
}

/// The commit of tongbao's own repository. A crate unpacked inside some
/// other repository (a vendored dependency) gets none: the top level must be
/// the manifest's folder.
fn git_commit(manifest: &Path) -> Option<String> {
    let top = git(manifest, &["rev-parse", "--show-toplevel"])?;
    let same = fs::canonicalize(&top).ok()? == fs::canonicalize(manifest).ok()?;
    if !same {
        return None;
    }
    // Rerun when HEAD moves: the HEAD file, the branch it names, packed refs.
    let mut watched = vec![git(manifest, &["rev-parse", "--git-path", "HEAD"])?];
    if let Some(branch) = git(manifest, &["symbolic-ref", "-q", "HEAD"]) {
        watched.extend(git(manifest, &["rev-parse", "--git-path", &branch]));
    }
    watched.extend(git(manifest, &["rev-parse", "--git-path", "packed-refs"]));
    for path in watched {
        let path = manifest.join(path);
        // A path that does not exist would make cargo rerun this every time.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    git(manifest, &["rev-parse", "--short", "HEAD"])
}

/// Runs git in `folder`; its trimmed output when it succeeded.
fn git(folder: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(folder)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}

/// The commit `cargo package` recorded in `.cargo_vcs_info.json`.
fn packaged_commit(manifest: &Path) -> Option<String> {
    let text = fs::read_to_string(manifest.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let start = after.find('"')? + 1;
    let hash = &after[start..];
    let hash = &hash[..hash.find('"')?];
    let short: String = hash.chars().take(7).collect();
    (short.len() == 7 && short.chars().all(|c| c.is_ascii_hexdigit())).then_some(short)
}
