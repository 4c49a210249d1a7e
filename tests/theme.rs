//! The default theme compiled into the binary: the same files as the
//! repository's `themes/default/`, enough for a site without `themes/`, and
//! overridden file by file by a site's own theme folder.

mod common;

use std::fs;
use std::path::Path;

use common::{build_ok, repository, shipped_site, tree};

#[test]
fn the_compiled_theme_is_the_themes_default_folder() {
    let folder = tree(&repository().join("themes/default"));
    let compiled: std::collections::BTreeMap<String, Vec<u8>> = tongbao::load::builtin_files()
        .iter()
        .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
        .collect();
    assert_eq!(
        compiled.keys().collect::<Vec<_>>(),
        folder.keys().collect::<Vec<_>>()
    );
    assert!(
        compiled == folder,
        "a compiled file differs from its source"
    );
}

#[test]
fn the_seed_builds_the_same_bytes_without_its_themes_folder() {
    let with = shipped_site();
    build_ok(with.path());
    let without = shipped_site();
    fs::remove_dir_all(without.path().join("themes")).expect("remove themes/");
    build_ok(without.path());
    assert_same_output(with.path(), without.path());
}

/// The two sites' `public/` folders hold the same files, byte for byte.
fn assert_same_output(one: &Path, other: &Path) {
    let (one, other) = (tree(&one.join("public")), tree(&other.join("public")));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        other.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(&other[path] == bytes, "{path} differs");
    }
}

#[test]
fn a_site_file_overrides_the_built_in_one_and_only_that_file() {
    let site = shipped_site();
    fs::remove_dir_all(site.path().join("themes")).expect("remove themes/");
    let style = site.path().join("themes/default/static/style.css");
    fs::create_dir_all(style.parent().expect("folder")).expect("create folder");
    fs::write(&style, "body { color: black; }\n").expect("write style");
    build_ok(site.path());
    let public = tree(&site.path().join("public"));
    assert_eq!(public["static/style.css"], b"body { color: black; }\n");
    let built_in = tongbao::load::builtin_files()
        .iter()
        .filter(|(path, _)| path.starts_with("static/"))
        .count();
    let published = public
        .keys()
        .filter(|path| path.starts_with("static/"))
        .count();
    assert_eq!(published, built_in, "the other static files still publish");
}

/// A county's templates that read every field of every cell, as written
/// before `plain_number` told them which cells are plain numbers, render
/// what the built-in ones do: a plain number leaves out only fields that
/// are false or empty, and `{% if %}` takes a missing field as false.
#[test]
fn templates_that_read_every_field_of_a_cell_render_what_the_built_in_ones_do() {
    let built_in = shipped_site();
    build_ok(built_in.path());
    let county = shipped_site();
    let templates = county.path().join("themes/default/templates");
    let without_the_test = |name: &str, plain: &str, covered: &str| {
        let path = templates.join(name);
        let text = fs::read_to_string(&path).expect("read template");
        assert!(text.contains(plain), "{name} tests plain_number");
        fs::write(&path, text.replace(plain, covered)).expect("write template");
    };
    without_the_test(
        "macros.html",
        r#"{% if cell.plain_number %}<td class="num">{{ cell.text }}</td>{% elif cell.covered %}"#,
        "{% if cell.covered %}",
    );
    without_the_test(
        "fragment.html",
        r#"{% if value.plain_number %}<td style="border:1px solid #000;padding:0.2em 0.3em;text-align:center">{{ value.text }}</td>{% elif value.covered %}"#,
        "{% if value.covered %}",
    );
    build_ok(county.path());
    assert_same_output(built_in.path(), county.path());
}
