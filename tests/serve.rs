//! `tongbao serve`: the site over loopback, rebuilt on change, and safe.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{Site, table_rows};

const PAGE: &str = "/2019-01-05/";
const DATA: &str = "content/2019-01-05/data.toml";
/// Long enough for a debug build on a busy two-core machine.
const PATIENCE: Duration = Duration::from_secs(15);

/// A running `tongbao serve`, killed when dropped.
struct Server {
    child: Child,
    address: String,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

fn start(site: &Site) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongbao"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tongbao serve");
    let stdout = lines(child.stdout.take().unwrap());
    let stderr = lines(child.stderr.take().unwrap());
    let mut server = Server {
        child,
        address: String::new(),
        stdout,
        stderr,
    };
    let line = wait_for_line(&server.stdout, "正在提供 http://");
    let start = line.find("http://").unwrap() + "http://".len();
    let end = line[start..].find('/').unwrap() + start;
    server.address = line[start..end].to_string();
    assert!(server.address.starts_with("127.0.0.1:"), "{line}");
    server
}

fn wait_for_line(lines: &Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no line with “{needle}” within {PATIENCE:?}");
}

/// Sends a request exactly as written, so no client normalises the path;
/// the status and the body as text.
fn get(address: &str, target: &str) -> (u16, String) {
    let (status, body) = get_bytes(address, target);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Sends a request and reads the answer within `limit`, or `None`.
fn get_within(address: &str, target: &str, limit: Duration) -> Option<u16> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(limit)).ok()?;
    stream.set_write_timeout(Some(limit)).ok()?;
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0; 65536];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => answer.extend_from_slice(&buffer[..read]),
            Err(_) => return None,
        }
        if started.elapsed() > limit {
            return None;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    answer.split(' ').nth(1)?.parse().ok()
}

/// GETs `target` until the page contains `needle`; returns the page.
fn wait_for_page(address: &str, target: &str, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, body) = get(address, target);
        if body.contains(needle) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "“{needle}” never appeared in {target}: {body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// GETs `target` until `test` holds for the page; returns the page.
fn wait_until(address: &str, target: &str, what: &str, test: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, body) = get(address, target);
        if test(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{what} never happened: {body}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What the served page shows as 十字路街道's 信息公开 in the towns table.
fn shizilu_disclosure(page: &str) -> String {
    let rows = table_rows(&scraper::Html::parse_document(page), "towns");
    let row = rows
        .iter()
        .find(|row| row.get(1).map(String::as_str) == Some("十字路街道"))
        .unwrap_or_else(|| panic!("no row for 十字路街道: {rows:?}"));
    row[2].clone()
}

#[test]
fn serve_answers_rebuilds_on_change_and_refuses_paths_outside_the_site() {
    let site = Site::seed();
    let server = start(&site);
    let address = server.address.as_str();

    let (status, home) = get(address, "/");
    assert_eq!(status, 200);
    assert!(home.contains("莒南县政务公开通报"));
    let (status, page) = get(address, PAGE);
    assert_eq!(status, 200);
    assert_eq!(shizilu_disclosure(&page), "421");
    assert!(
        page.contains("/__tongbao/wait?v="),
        "the live-reload script is added when served"
    );
    let (status, _) = get(address, "/2019-01-05");
    assert_eq!(status, 301, "a folder without its slash is redirected");

    // A changed data file shows in a later GET.
    let text = site.read(DATA).replace(
        "{ unit = \"十字路街道\", disclosure = 421,",
        "{ unit = \"十字路街道\", disclosure = 4321,",
    );
    site.write(DATA, &text);
    let changed = wait_for_page(address, PAGE, ">4321<");
    assert_eq!(shizilu_disclosure(&changed), "4321");

    // Requests that reach outside the site are refused, however they are spelled.
    site.write("secret.txt", "secret");
    for target in [
        "/../secret.txt",
        "/static/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/..%2F..%2Fsecret.txt",
        "/..%5csecret.txt",
    ] {
        let (status, body) = get(address, target);
        assert_eq!(status, 403, "{target}");
        assert!(!body.contains("secret"), "{target}");
    }
    let (status, _) = get(address, "/no-such-page.html");
    assert_eq!(status, 404);

    // A build error shows in the page and the terminal; the last good site stays.
    site.write(
        DATA,
        &text.replace("disclosure = 4321,", "disclosure = -1,"),
    );
    let broken = wait_for_page(address, PAGE, "tongbao-build-error");
    assert_eq!(
        shizilu_disclosure(&broken),
        "4321",
        "the last good page is still served"
    );
    assert!(broken.contains("不能为负数：-1"), "{broken}");
    wait_for_line(&server.stdout, "构建失败");
    wait_for_line(&server.stderr, "不能为负数：-1");

    // Fixed again: the error is gone.
    site.write(
        DATA,
        &text.replace("disclosure = 4321,", "disclosure = 4322,"),
    );
    let fixed = wait_for_page(address, PAGE, ">4322<");
    assert_eq!(shizilu_disclosure(&fixed), "4322");
    assert!(!fixed.contains("tongbao-build-error"));

    // The published output never carries the script.
    drop(server);
    site.run(&["build"]).assert_success();
    for (path, bytes) in common::tree(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("__tongbao"), "{path:?}");
    }
}

/// Clients that misbehave, each on its own connection and never reading
/// what they are sent. A server that answers one connection at a time, or
/// waits on a client without a time limit, stops answering everyone else.
fn hostile_clients(address: &str) -> Vec<TcpStream> {
    let page_request = format!("GET {PAGE} HTTP/1.1\r\nHost: {address}\r\n\r\n");
    let mut clients = Vec::new();
    // Asks for the page thousands of times over (tens of megabytes of
    // answers if each is answered) and reads none of it.
    let mut greedy = TcpStream::connect(address).unwrap();
    greedy
        .set_write_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let _ = greedy.write_all(page_request.repeat(3000).as_bytes());
    clients.push(greedy);
    // Asks for the page once, and never reads the answer.
    let mut once = TcpStream::connect(address).unwrap();
    once.write_all(page_request.as_bytes()).unwrap();
    clients.push(once);
    // Connects and sends nothing.
    clients.push(TcpStream::connect(address).unwrap());
    // Sends half a request line and stops.
    let mut half = TcpStream::connect(address).unwrap();
    half.write_all(b"GET /2019-01").unwrap();
    clients.push(half);
    // Sends a request head that never ends.
    let mut endless = TcpStream::connect(address).unwrap();
    endless.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let _ = endless.write_all("X-Padding: 0123456789abcdef\r\n".repeat(100).as_bytes());
    clients.push(endless);
    clients
}

#[test]
fn a_client_that_never_reads_does_not_stall_the_others() {
    let site = Site::seed();
    let server = start(&site);
    let address = server.address.as_str();
    let clients = hostile_clients(address);
    // Let the server take up every hostile request first.
    std::thread::sleep(Duration::from_millis(500));
    // "Does not hang", not a speed target: a few seconds on a busy machine.
    let bound = Duration::from_secs(10);
    for target in ["/", PAGE, "/2019-01-05/towns.xlsx", "/no-such-page"] {
        let status = get_within(address, target, bound);
        let expected = if target == "/no-such-page" { 404 } else { 200 };
        assert_eq!(
            status,
            Some(expected),
            "{target} was not answered within {bound:?} while other clients stall"
        );
    }
    drop(clients);
    // And the server still answers once they are gone.
    assert_eq!(get_within(address, "/", bound), Some(200));
}

#[test]
fn requests_that_are_not_http_are_refused_and_others_still_answered() {
    let site = Site::seed();
    let server = start(&site);
    let address = server.address.as_str();
    for request in [
        "GARBAGE\r\n\r\n".to_string(),
        "GET /\r\n\r\n".to_string(),
        "GET / HTTP/1.1 extra\r\n\r\n".to_string(),
        format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(40_000)),
    ] {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let _ = stream.write_all(request.as_bytes());
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        let status: u16 = answer
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status for {request:.40?}: {answer:?}"));
        assert!(
            status == 400 || status == 431,
            "{request:.40?} answered {status}"
        );
    }
    let (status, _) = get(address, "/");
    assert_eq!(status, 200);
    // A method other than GET and HEAD is refused, saying which are allowed.
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
    assert!(answer.contains("\r\nAllow: GET, HEAD\r\n"), "{answer}");
}

/// Ways `content/` goes away and comes back as a new folder, as `git
/// checkout`, a restore from a copy or a sync tool do it.
#[derive(Debug, Clone, Copy)]
enum Remake {
    /// Deleted, then copied back file by file.
    DeleteAndCopy,
    /// Renamed away, then renamed back.
    RenameAndBack,
    /// Deleted, then a complete copy renamed into its place.
    DeleteAndMoveIn,
}

#[test]
fn the_watch_recovers_when_content_is_deleted_and_made_again() {
    let site = Site::seed();
    let server = start(&site);
    let address = server.address.as_str();
    let saved = tempfile::tempdir().unwrap();
    let content = site.path("content");
    common::copy_tree(&content, &saved.path().join("content"));
    let original = site.read(DATA);
    let remakes = [
        Remake::DeleteAndCopy,
        Remake::RenameAndBack,
        Remake::DeleteAndMoveIn,
    ];
    for (round, remake) in remakes.into_iter().enumerate() {
        let aside = site.path("content.aside");
        match remake {
            Remake::DeleteAndCopy | Remake::DeleteAndMoveIn => {
                std::fs::remove_dir_all(&content).unwrap();
            }
            Remake::RenameAndBack => std::fs::rename(&content, &aside).unwrap(),
        }
        wait_for_page(address, PAGE, "tongbao-build-error");
        match remake {
            Remake::DeleteAndCopy => common::copy_tree(&saved.path().join("content"), &content),
            Remake::RenameAndBack => std::fs::rename(&aside, &content).unwrap(),
            Remake::DeleteAndMoveIn => {
                common::copy_tree(&saved.path().join("content"), &aside);
                std::fs::rename(&aside, &content).unwrap();
            }
        }
        let back = wait_until(address, PAGE, "the error page going away", |page| {
            !page.contains("tongbao-build-error")
        });
        assert_eq!(shizilu_disclosure(&back), "421", "{remake:?}");
        // Later edits are seen again.
        let figure = 5000 + round;
        let text = site.read(DATA).replace(
            "{ unit = \"十字路街道\", disclosure = 421,",
            &format!("{{ unit = \"十字路街道\", disclosure = {figure},"),
        );
        site.write(DATA, &text);
        let changed = wait_for_page(address, PAGE, &format!(">{figure}<"));
        assert_eq!(
            shizilu_disclosure(&changed),
            figure.to_string(),
            "{remake:?}"
        );
        // Put the figure back for the next round.
        site.write(DATA, &original);
        wait_for_page(address, PAGE, ">421<");
    }
}

#[test]
fn the_reload_poll_answers_once_the_site_is_rebuilt() {
    let site = Site::seed();
    let server = start(&site);
    let (_, page) = get(&server.address, PAGE);
    let version: String = page
        .split("var version = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let address = server.address.clone();
    let target = format!("/__tongbao/wait?v={version}");
    let poll = std::thread::spawn(move || get(&address, &target));
    std::thread::sleep(Duration::from_millis(200));
    site.write("themes/default/static/extra.css", "p { color: black; }");
    let (status, now) = poll.join().unwrap();
    assert_eq!(status, 200);
    assert_ne!(now, version, "the poll answers with the new version");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = Site::seed();
    let mut server = start(&site);
    let pid = server.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + PATIENCE;
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    wait_for_line(&server.stdout, "已停止");
}

/// Sends a GET exactly as written and returns the status and the body's
/// bytes.
fn get_bytes(address: &str, target: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let split = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a header");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, answer[split + 4..].to_vec())
}

/// How a served file differs from the built one, or `None` when it is the
/// same file: byte for byte, except that a page carries the live-reload
/// script just before its last `</body>`.
fn difference(address: &str, path: &str, built: &[u8]) -> Option<String> {
    let (status, served) = get_bytes(address, &format!("/{path}"));
    if status != 200 {
        return Some(format!("{path}: status {status}"));
    }
    if !path.ends_with(".html") {
        return (served != built).then(|| format!("{path}: bytes differ"));
    }
    let built = String::from_utf8(built.to_vec()).unwrap();
    let served = String::from_utf8(served).unwrap();
    let at = built.rfind("</body>").unwrap_or(built.len());
    let (before, after) = built.split_at(at);
    let same = served.len() > built.len()
        && served.starts_with(before)
        && served.ends_with(after)
        && served[before.len()..served.len() - after.len()].contains("/__tongbao/wait?v=");
    (!same).then(|| format!("{path}: page differs"))
}

/// Waits until every file a fresh `tongbao build` writes is served as it
/// is written, and `gone`, and every file of the `previous` build that this
/// build no longer writes, are no longer served. Returns the build's files.
fn assert_serves_the_build(
    site: &Site,
    server: &Server,
    step: &str,
    gone: &[&str],
    previous: &BTreeMap<String, Vec<u8>>,
) -> BTreeMap<String, Vec<u8>> {
    let output = format!("built-{}", step.replace(' ', "-"));
    site.run(&["build", "--output", &output]).assert_success();
    let built = common::tree(&site.path(&output));
    let removed: Vec<String> = previous
        .keys()
        .filter(|path| !built.contains_key(*path))
        .map(|path| format!("/{path}"))
        .collect();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut differences: Vec<String> = built
            .iter()
            .filter(|(path, _)| path.as_str() != ".tongbao")
            .filter_map(|(path, bytes)| difference(&server.address, path, bytes))
            .collect();
        for path in gone
            .iter()
            .copied()
            .chain(removed.iter().map(String::as_str))
        {
            let (status, _) = get_bytes(&server.address, path);
            if status != 404 {
                differences.push(format!("{path}: still served ({status})"));
            }
        }
        if differences.is_empty() {
            return built;
        }
        assert!(
            Instant::now() < deadline,
            "after {step}, serve differs from build: {differences:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn what_is_served_after_edits_equals_a_full_build() {
    let site = Site::seed();
    let server = start(&site);
    let built = assert_serves_the_build(&site, &server, "start", &[], &BTreeMap::new());

    let text = site.read(DATA).replace(
        "{ unit = \"十字路街道\", disclosure = 421,",
        "{ unit = \"十字路街道\", disclosure = 4321,",
    );
    site.write(DATA, &text);
    let built = assert_serves_the_build(&site, &server, "one period changed", &[], &built);

    let data = site.read(DATA).replace("2019-", "3000-");
    let notice = site.read("content/2019-01-05/notice.md");
    site.write("content/3000-06-05/notice.md", &notice);
    site.write("content/3000-06-05/data.toml", &data);
    let built = assert_serves_the_build(&site, &server, "period added", &[], &built);

    site.write(
        "content/3000-06-05/notice.md",
        &notice.replace("现将抽查情况通报如下", "现将抽查结果通报如下"),
    );
    let built = assert_serves_the_build(&site, &server, "notice edited", &[], &built);

    // Figures no unit row holds: the pages across periods stay as they were.
    let data = site.read("content/3000-06-05/data.toml");
    let figures = data.replace("news = 171", "news = 172");
    assert_ne!(data, figures);
    site.write("content/3000-06-05/data.toml", &figures);
    let built = assert_serves_the_build(&site, &server, "figures edited", &[], &built);

    // The title is in the home page's list and the feed.
    site.write(
        "content/3000-06-05/notice.md",
        &notice.replace("随机抽查情况的通报", "随机抽查情况的再通报"),
    );
    let built = assert_serves_the_build(&site, &server, "notice retitled", &[], &built);

    // The date of issue is in the home page, the feed and the sitemap.
    let reissued = figures.replace("issued = 3000-06-05", "issued = 3000-06-06");
    assert_ne!(figures, reissued);
    site.write("content/3000-06-05/data.toml", &reissued);
    let built = assert_serves_the_build(&site, &server, "date of issue changed", &[], &built);

    // A unit renamed in one period: a page for the new name, and the old
    // name's page now shows one period fewer.
    let renamed = site
        .read("content/3000-06-05/data.toml")
        .replace("unit = \"十字路街道\"", "unit = \"十字路新街道\"");
    site.write("content/3000-06-05/data.toml", &renamed);
    let built = assert_serves_the_build(&site, &server, "unit renamed", &[], &built);

    std::fs::remove_dir_all(site.path("content/2019-01-05")).unwrap();
    let built = assert_serves_the_build(
        &site,
        &server,
        "period removed",
        &["/2019-01-05/index.html", "/2019-01-05/towns.csv"],
        &built,
    );
    assert!(
        !built.contains_key("ledger/2019/index.html"),
        "the removed period's year has no ledger left"
    );

    let settings = site.read("content/site.toml");
    let retitled = settings.replacen("莒南县", "莒南县人民政府", 1);
    assert_ne!(settings, retitled);
    site.write("content/site.toml", &retitled);
    assert_serves_the_build(&site, &server, "site.toml edited", &[], &built);
}

/// A notice that re-checks an earlier period shows that period's findings:
/// a change to them re-renders it too.
#[test]
fn a_changed_re_check_is_served_in_the_notice_that_shows_it() {
    let site = Site::example();
    let server = start(&site);
    let built = assert_serves_the_build(&site, &server, "start", &[], &BTreeMap::new());

    let findings = "content/2019-01-05/findings.toml";
    let text = site.read(findings);
    let rechecked = text.replace(
        "status = \"未整改\", checked = 2019-06-12, note = \"仍未发布\"",
        "status = \"已整改\", checked = 2019-06-12, note = \"已发布\"",
    );
    assert_ne!(text, rechecked);
    site.write(findings, &rechecked);
    assert_serves_the_build(&site, &server, "re-check changed", &[], &built);
}

/// A notice whose re-checked period is deleted while serving is checked
/// again: serve reports what a full build reports, and does not keep
/// serving the notice as it was.
#[test]
fn a_re_checked_period_deleted_while_serving_is_reported_as_a_build_reports_it() {
    let site = Site::example();
    let server = start(&site);
    let built = assert_serves_the_build(&site, &server, "start", &[], &BTreeMap::new());

    let folder = "content/2019-01-05";
    let files: Vec<(String, String)> = ["data.toml", "notice.md", "findings.toml"]
        .into_iter()
        .map(|name| {
            (
                format!("{folder}/{name}"),
                site.read(&format!("{folder}/{name}")),
            )
        })
        .collect();
    std::fs::remove_dir_all(site.path(folder)).unwrap();
    let message = "recheck 指向的期次 “2019-01-05” 不存在";
    let failed = site.run(&["build", "--output", "built-after-deletion"]);
    failed.assert_failure();
    // The build's whole message: where it is, the source line, the hint.
    let start = failed.stderr.find(message).expect("the build's message");
    let told = &failed.stderr[start..];
    let told = &told[..told.find("\n\n").unwrap_or(told.len())];
    assert!(
        told.contains("content/2019-07-05/notice.md:13:11"),
        "{told}"
    );

    let page = wait_for_page(&server.address, "/2019-07-05/", "tongbao-build-error");
    let page = scraper::Html::parse_document(&page);
    let alert: String = page
        .select(&scraper::Selector::parse("#tongbao-build-error").unwrap())
        .next()
        .expect("the build error on the page")
        .text()
        .collect();
    assert!(alert.contains(told), "{alert}\nshould tell\n{told}");
    wait_for_line(&server.stderr, message);

    for (path, text) in &files {
        site.write(path, text);
    }
    assert_serves_the_build(&site, &server, "re-checked period restored", &[], &built);
}

/// How many warnings `tongbao check` finds in `site` now.
fn warnings_of_check(site: &Site) -> usize {
    let run = site.run(&["check"]);
    run.assert_success();
    let tally = run.stdout.rsplit('，').next().expect("a tally");
    tally
        .trim_end()
        .strip_suffix(" 条警告")
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no count of warnings in {}", run.stdout))
}

/// Findings are overdue as of the newest date of issue: a period issued
/// later than the others, added while serving, makes another period's
/// open findings overdue, and serve tells them as `check` does.
#[test]
fn a_later_period_added_while_serving_makes_earlier_findings_overdue_as_in_check() {
    let site = Site::example();
    let server = start(&site);
    let before = warnings_of_check(&site);

    let earlier = "content/2019-01-05";
    let later = "content/2020-01-05";
    let data = site
        .read(&format!("{earlier}/data.toml"))
        .replace("2019-", "2020-");
    site.write(
        &format!("{later}/notice.md"),
        &site.read(&format!("{earlier}/notice.md")),
    );
    site.write(&format!("{later}/data.toml"), &data);
    let after = warnings_of_check(&site);
    assert!(after > before, "the later period makes findings overdue");

    wait_for_line(&server.stdout, &format!("，{after} 条警告"));
    wait_for_line(&server.stderr, "整改期限（2019年7月15日）已过");
}

/// Runs `tongbao serve` on `port` for the site at `root`, expecting it
/// not to start; returns the first line of what it printed.
fn serve_refused(root: &Path, port: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_tongbao"))
        .args(["serve", "--port", port, "--root"])
        .arg(root)
        .stdin(Stdio::null())
        .output()
        .expect("run tongbao serve");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.lines().next().unwrap_or_default().to_string()
}

#[test]
fn a_port_in_use_or_a_folder_without_content_is_told_and_nothing_is_served() {
    let site = Site::seed();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let first = serve_refused(site.root(), &port);
    // The system's reason between the brackets differs between systems.
    let expected = format!("错误：无法在 127.0.0.1:{port} 上提供服务（");
    assert!(first.starts_with(&expected), "{first}");
    assert!(
        first.ends_with("）：端口可能已被占用，请用 --port 换一个"),
        "{first}"
    );

    let empty = tempfile::tempdir().expect("a folder without content/");
    assert_eq!(
        serve_refused(empty.path(), "0"),
        format!(
            "错误：{} 中没有 content/ 目录：请在站点根目录运行，或用 --root 指定",
            empty.path().display()
        )
    );
}
