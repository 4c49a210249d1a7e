//! Answering one request: a file of the last good build, with the live
//! reload script (and any build error) added to HTML pages as they are
//! served. The published output never contains either.
//!
//! This module knows nothing of sockets: [`respond`] turns a [`Request`]
//! into a [`Response`], and `connection.rs` reads and writes them.

use std::time::Duration;

use super::state::{Served, State};

/// The path pages poll to learn of a rebuild: `?v=VERSION` answers once the
/// version differs, or after [`WAIT`] with the same version.
pub const WAIT_PATH: &str = "/__tongbao/wait";

/// How long a poll is held open before it is answered unchanged.
const WAIT: Duration = Duration::from_secs(25);

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// A file of the site, by its path in the output (no leading `/`).
    File(String),
    /// The live-reload poll, with the version the page has.
    Wait(u64),
    /// A path that reaches outside the site, or cannot be read.
    Refused,
}

/// Reads a request target. `..`, `.`, backslashes and NUL are refused
/// whether written plainly or percent-encoded.
pub fn route(target: &str) -> Route {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let path = path.split('#').next().unwrap_or("");
    if path == WAIT_PATH {
        let version = query
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("v=")))
            .and_then(|version| version.parse().ok())
            .unwrap_or(0);
        return Route::Wait(version);
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Route::Refused;
    };
    let Some(relative) = decoded.strip_prefix('/') else {
        return Route::Refused;
    };
    let unsafe_segment = relative
        .split('/')
        .any(|segment| segment == ".." || segment == "." || segment.contains(['\\', '\0']));
    // An empty segment (`//`) is no folder of the site either.
    let segments: Vec<&str> = relative.split('/').collect();
    let empty_segment = segments[..segments.len() - 1]
        .iter()
        .any(|segment| segment.is_empty());
    if unsafe_segment || empty_segment {
        return Route::Refused;
    }
    if relative.is_empty() || relative.ends_with('/') {
        return Route::File(format!("{relative}index.html"));
    }
    Route::File(relative.to_string())
}

/// A request as the server understood it: its method and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The request target as sent, e.g. `/2019-01-05/?x=1`.
    pub target: String,
}

/// The methods `serve` tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    /// Any other method, refused with 405.
    Other,
}

impl Method {
    pub fn parse(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            _ => Method::Other,
        }
    }
}

/// A whole response, body included: every answer is built in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Headers besides those describing the body and the connection.
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    fn new(status: u16, body: Vec<u8>, kind: &str) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type", kind.to_string()),
                ("Cache-Control", "no-store".to_string()),
            ],
            body,
        }
    }

    fn with_header(mut self, name: &'static str, value: &str) -> Response {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// Answers one request from the current state. Blocks only for [`Route::Wait`].
pub fn respond(request: &Request, served: &Served) -> Response {
    match (request.method, route(&request.target)) {
        (Method::Get | Method::Head, Route::Wait(seen)) => {
            let version = served.wait_for_change(seen, WAIT);
            text(200, &version.to_string())
        }
        (Method::Get | Method::Head, Route::File(path)) => file(&served.snapshot(), &path),
        (Method::Get | Method::Head, Route::Refused) => text(403, "403：请求的路径不在站点之内\n"),
        (Method::Other, _) => {
            text(405, "405：只接受 GET 和 HEAD 请求\n").with_header("Allow", "GET, HEAD")
        }
    }
}

/// The answer to a request that could not be read as HTTP: `status` is
/// 400 (malformed) or 431 (too long).
pub fn refuse(status: u16) -> Response {
    let body = match status {
        431 => "431：请求头太长\n",
        _ => "400：无法理解的请求\n",
    };
    text(status, body)
}

/// The answer when too many connections are open at once.
pub fn busy() -> Response {
    text(503, "503：同时打开的连接太多，请稍后重试\n")
}

fn file(state: &State, path: &str) -> Response {
    let Some(output) = &state.output else {
        let page = page("构建失败", "<p>站点尚未成功构建。</p>");
        return html(500, &page, state);
    };
    if let Some(bytes) = output.get(path) {
        let kind = content_type(path);
        return if kind.starts_with("text/html") {
            html(200, &String::from_utf8_lossy(bytes), state)
        } else {
            Response::new(200, bytes.to_vec(), kind)
        };
    }
    // A folder asked for without its trailing `/` is redirected, so that
    // the page's relative links resolve.
    let folder_index = format!("{path}/index.html");
    if output.contains_key(&folder_index) {
        return redirect(&format!("/{path}/"));
    }
    let page = page(
        "找不到页面",
        &format!("<p>站点中没有 /{}。</p>", escape(path)),
    );
    html(404, &page, state)
}

/// An HTML page with the live-reload script, and the build error if the
/// last build failed, added before `</body>`.
fn html(status: u16, page: &str, state: &State) -> Response {
    let mut addition = String::new();
    if let Some(error) = &state.error {
        addition.push_str(&error_overlay(error));
    }
    addition.push_str(&reload_script(state.version));
    let body = inject(page, &addition);
    Response::new(status, body.into_bytes(), "text/html; charset=utf-8")
}

/// `page` with `addition` placed before its last `</body>`, or at its end.
pub fn inject(page: &str, addition: &str) -> String {
    match page.rfind("</body>") {
        Some(at) => format!("{}{addition}{}", &page[..at], &page[at..]),
        None => format!("{page}{addition}"),
    }
}

fn reload_script(version: u64) -> String {
    format!(
        r#"<script>
(function () {{
  var version = "{version}";
  function wait() {{
    fetch("{WAIT_PATH}?v=" + version, {{ cache: "no-store" }})
      .then(function (answer) {{ return answer.text(); }})
      .then(function (now) {{ if (now !== version) {{ location.reload(); }} else {{ wait(); }} }})
      .catch(function () {{ setTimeout(wait, 1000); }});
  }}
  wait();
}})();
</script>
"#
    )
}

fn error_overlay(error: &str) -> String {
    format!(
        "<div id=\"tongbao-build-error\" role=\"alert\" style=\"position:fixed;top:0;left:0;right:0;max-height:70vh;overflow:auto;margin:0;padding:1em;background:#fff4f4;color:#600;border-bottom:3px solid #c00;font:14px/1.5 monospace;white-space:pre-wrap;z-index:2147483647\"><strong>构建失败，下面仍是上一次成功构建的页面。</strong>\n\n{}</div>\n",
        escape(error)
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n"
    )
}

/// A redirect to a path of the site. The path is percent-encoded, so a
/// folder named in Chinese (or anything else) makes a valid header.
fn redirect(path: &str) -> Response {
    let location = percent_encoding::utf8_percent_encode(path, LOCATION).to_string();
    text(301, "").with_header("Location", &location)
}

/// What a `Location` path must not carry as it is: controls (a line break
/// would end the header), and characters with a meaning in a URL.
const LOCATION: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn text(status: u16, body: &str) -> Response {
    Response::new(
        status,
        body.as_bytes().to_vec(),
        "text/plain; charset=utf-8",
    )
}

/// The media type of a file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_site_are_served() {
        assert_eq!(route("/"), Route::File("index.html".into()));
        assert_eq!(
            route("/2019-01-05/"),
            Route::File("2019-01-05/index.html".into())
        );
        assert_eq!(
            route("/static/style.css?x=1"),
            Route::File("static/style.css".into())
        );
        assert_eq!(
            route("/%E9%99%84%E4%BB%B6.csv"),
            Route::File("附件.csv".into())
        );
        assert_eq!(route("/__tongbao/wait?v=7"), Route::Wait(7));
    }

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        for target in [
            "/../Cargo.toml",
            "/static/../../secret",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/static/..%2f..%2fsecret",
            "/..\\secret",
            "/%5c..%5csecret",
            "/./index.html",
            "//etc/passwd",
            "/%00",
            "/%ff",
            "relative",
        ] {
            assert_eq!(route(target), Route::Refused, "{target}");
        }
    }

    #[test]
    fn the_script_goes_before_the_closing_body_tag() {
        assert_eq!(
            inject("<body><p>x</p></body></html>", "<s>"),
            "<body><p>x</p><s></body></html>"
        );
        assert_eq!(inject("plain", "<s>"), "plain<s>");
    }
}
