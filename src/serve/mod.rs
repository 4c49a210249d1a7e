//! Serve: build the site in memory, serve it on 127.0.0.1, and rebuild
//! when `content/` or `themes/` change, with pages that reload themselves.
//!
//! The site is built by [`crate::pipeline::verify`], as `tongbao check`
//! does, and served from memory: `serve` never writes `public/`, and the
//! live-reload script exists only in served responses. A failed rebuild is
//! shown in the terminal and over the page, while the last good build keeps
//! being served.

mod http;
mod state;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

pub use http::{Route, content_type, inject, route};
use state::{BuildReport, Served};

use crate::load::CONTENT_DIR;
use crate::load::THEMES_DIR;

/// How often the server looks at the stop flag between requests.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// 0 lets the system pick a free port.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// Serves until Ctrl-C (or SIGTERM). Errors are in Chinese for the clerk.
pub fn serve(options: &Options) -> Result<(), String> {
    if !options.root.join(CONTENT_DIR).is_dir() {
        return Err(format!(
            "{} 中没有 {CONTENT_DIR}/ 目录：请在站点根目录运行，或用 --root 指定",
            options.root.display()
        ));
    }
    // Installed before anything is announced, so that a Ctrl-C at any
    // moment after the address is printed stops the server cleanly.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|error| format!("无法接管 Ctrl-C：{error}"))?;
    let served = Arc::new(Served::new(&options.root));
    print_build(&served.rebuild());

    let server = tiny_http::Server::http(("127.0.0.1", options.port)).map_err(|error| {
        format!(
            "无法在 127.0.0.1:{} 上提供服务（{error}）：端口可能已被占用，请用 --port 换一个",
            options.port
        )
    })?;
    let address: Option<SocketAddr> = server.server_addr().to_ip();
    let url = address.map_or_else(String::new, |address| format!("http://{address}/"));
    println!("正在提供 {url} （只限本机访问），按 Ctrl-C 停止");

    let (watcher, events) = watch::watch(&options.root, &[CONTENT_DIR, THEMES_DIR])
        .map_err(|error| format!("无法监视 {CONTENT_DIR}/ 和 {THEMES_DIR}/ 的变化：{error}"))?;
    let builder = {
        let served = Arc::clone(&served);
        let stop = Arc::clone(&stop);
        thread::spawn(move || watch::rebuild_on_change(&events, &served, &stop, print_build))
    };
    if options.open
        && let Err(error) = open::that(&url)
    {
        eprintln!("无法打开浏览器（{error}）：请手动访问 {url}");
    }

    while !stop.load(Ordering::SeqCst) {
        match server.recv_timeout(POLL) {
            Ok(Some(request)) => answer(request, &served),
            Ok(None) => {}
            Err(error) => eprintln!("接收请求时出错：{error}"),
        }
    }
    served.stop();
    drop(watcher);
    let _ = builder.join();
    println!("已停止");
    Ok(())
}

/// Answers a request: live-reload polls wait on their own thread, files
/// are answered at once from memory.
fn answer(request: tiny_http::Request, served: &Arc<Served>) {
    if matches!(route(request.url()), Route::Wait(_)) {
        let served = Arc::clone(served);
        thread::spawn(move || http::respond(request, &served));
    } else {
        http::respond(request, served);
    }
}

fn print_build(report: &BuildReport) {
    eprint!("{}", report.messages);
    let milliseconds = report.elapsed.as_millis();
    if report.succeeded {
        println!(
            "已构建：{} 个页面，{} 条警告，用时 {milliseconds} 毫秒",
            report.pages, report.warnings
        );
    } else {
        println!(
            "构建失败（用时 {milliseconds} 毫秒）：错误已显示在浏览器页面上，仍在提供上一次成功构建的版本"
        );
    }
}
