//! Serve: build the site in memory, serve it on 127.0.0.1, and rebuild
//! when `content/` or `themes/` change, with pages that reload themselves.
//!
//! The site is built by the stages a build runs, kept in parts
//! (`cache.rs`) so that a change to one period's files re-renders that
//! period and the pages that list periods, and served from memory:
//! `serve` never writes `public/`, and the
//! live-reload script exists only in served responses. A failed rebuild is
//! shown in the terminal and over the page, while the last good build keeps
//! being served.

mod cache;
mod connection;
mod http;
mod state;
mod watch;

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

pub use http::{Route, content_type, inject, route};
use state::{BuildReport, Served};

use crate::diagnostics::io_reason;
use crate::layout::CONTENT_DIR;

/// The most connections answered at once. Each open page holds one for
/// its live-reload poll; a client beyond this is told to come back later.
const MAX_CONNECTIONS: usize = 64;

/// How long to pause after the system refuses a connection (too many open
/// files, say), rather than spinning on the same error.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// 0 lets the system pick a free port.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// Why the server could not start. Shown to the clerk as a Chinese
/// message (`Display`).
#[derive(Debug)]
pub enum StartError {
    /// The root has no `content/` folder.
    NoContent(PathBuf),
    /// The port could not be listened on (taken, say).
    Bind { port: u16, error: io::Error },
    /// The listening address could not be read back.
    Address(io::Error),
    /// Ctrl-C could not be taken over.
    Interrupt(ctrlc::Error),
    /// `content/` and `themes/` could not be watched.
    Watch(notify::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::NoContent(root) => write!(
                f,
                "{} 中没有 {CONTENT_DIR}/ 目录：请在站点根目录运行，或用 --root 指定",
                root.display()
            ),
            StartError::Bind { port, error } => write!(
                f,
                "无法在 127.0.0.1:{port} 上提供服务（{}）：端口可能已被占用，请用 --port 换一个",
                io_reason(error)
            ),
            StartError::Address(error) => write!(f, "无法取得服务地址：{}", io_reason(error)),
            StartError::Interrupt(error) => write!(f, "无法接管 Ctrl-C：{error}"),
            StartError::Watch(error) => {
                write!(f, "无法监视 {CONTENT_DIR}/ 和 themes/ 的变化：{error}")
            }
        }
    }
}

impl std::error::Error for StartError {}

/// Serves until Ctrl-C (or SIGTERM).
pub fn serve(options: &Options) -> Result<(), StartError> {
    if !options.root.join(CONTENT_DIR).is_dir() {
        return Err(StartError::NoContent(options.root.clone()));
    }
    let listener =
        TcpListener::bind(("127.0.0.1", options.port)).map_err(|error| StartError::Bind {
            port: options.port,
            error,
        })?;
    let address = listener.local_addr().map_err(StartError::Address)?;
    // Installed before anything is announced, so that a Ctrl-C at any
    // moment after the address is printed stops the server cleanly.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || {
        flag.store(true, Ordering::SeqCst);
        wake(address);
    })
    .map_err(StartError::Interrupt)?;
    // Watching starts before the first build, so a change made while it
    // runs, or right after the address is printed, is seen and rebuilt.
    let watcher = watch::Watch::start(&options.root).map_err(StartError::Watch)?;
    let served = Arc::new(Served::new(&options.root));
    print_build(&served.rebuild());

    let url = format!("http://{address}/");
    println!("正在提供 {url} （只限本机访问），按 Ctrl-C 停止");

    let builder = {
        let served = Arc::clone(&served);
        let stop = Arc::clone(&stop);
        thread::spawn(move || watcher.rebuild_on_change(&served, &stop, print_build))
    };
    if options.open
        && let Err(error) = open::that(&url)
    {
        eprintln!("无法打开浏览器（{error}）：请手动访问 {url}");
    }

    accept(&listener, &served, &stop);
    served.stop();
    let _ = builder.join();
    println!("已停止");
    Ok(())
}

/// Accepts connections until `stop` is set, each answered on its own
/// thread so that no client waits on another.
fn accept(listener: &TcpListener, served: &Arc<Served>, stop: &AtomicBool) {
    let open = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok(_) if stop.load(Ordering::SeqCst) => break,
            Ok((stream, _)) => dispatch(stream, served, &open),
            Err(error) => {
                eprintln!("接受连接时出错：{}", crate::diagnostics::io_reason(&error));
                thread::sleep(ACCEPT_PAUSE);
            }
        }
    }
}

/// Answers a connection on a new thread, or turns it away when
/// [`MAX_CONNECTIONS`] are already open.
fn dispatch(stream: TcpStream, served: &Arc<Served>, open: &Arc<AtomicUsize>) {
    if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
        open.fetch_sub(1, Ordering::SeqCst);
        connection::turn_away(stream);
        return;
    }
    let slot = Slot(Arc::clone(open));
    let served = Arc::clone(served);
    // If no thread can be started, the closure (and the stream and slot
    // in it) is dropped: the client sees the connection close.
    let _ = thread::Builder::new().spawn(move || {
        let _slot = slot;
        connection::handle(stream, &served);
    });
}

/// One open connection counted in the shared total; released when dropped,
/// whatever way its thread ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Wakes the accept loop, which waits for a connection, by making one.
fn wake(address: SocketAddr) {
    let _ = TcpStream::connect_timeout(&address, Duration::from_secs(1));
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
