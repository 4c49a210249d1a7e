use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// mimalloc instead of the system allocator: a build allocates and frees
/// many small strings and buffers per page, on several threads at once.
/// Built without transparent huge pages (its `no_thp` feature): the kernel
/// zeroing 2 MB pages was a sixth of a small site's CPU and half its
/// memory. See docs/PERFORMANCE.md for what each bought.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use tongbao::commands::{
    self, build::BuildArgs, check::CheckArgs, cli, diff::DiffArgs, import::ImportArgs,
    init::InitArgs, new::NewArgs, serve::ServeArgs, theme::ThemeArgs,
};

/// tongbao (通报): publish county inspection notices as a static site.
///
/// The help texts are Chinese (`help`, `about`); `commands::cli` writes the
/// help pages and retells clap's errors in Chinese.
#[derive(Parser, Debug)]
#[command(
    name = "tongbao",
    version = env!("TONGBAO_VERSION"),
    about = "tongbao（通报）：把政务公开随机抽查情况通报生成为静态网站"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a working site in a folder
    #[command(about = "新建站点：站点设置、节假日安排和一期示例，生成后即可构建")]
    Init(InitArgs),
    /// Check, score and render content/ into public/
    #[command(about = "检查、计分，把 content/ 生成为网站，写入 public/")]
    Build(BuildArgs),
    /// Check content/ and the theme and report every problem; write nothing
    #[command(about = "检查 content/ 和主题，列出全部问题，不写任何文件")]
    Check(CheckArgs),
    /// Start a new period from the previous one: same units, counts zeroed
    #[command(about = "从上一期新建一期：沿用表格和单位，计数清零")]
    New(NewArgs),
    /// Import a table's figures from the backend's export (xlsx, xls, csv),
    /// with --findings the inspectors' list of findings, or with --log the
    /// backend's publication log
    #[command(
        about = "把后台导出的表格（xlsx、xls、csv）导入一期的一张表；加 --findings 导入随机抽查的问题清单，加 --log 导入后台的发布记录"
    )]
    Import(ImportArgs),
    /// Show what a data change does to figures, scores and ranks
    #[command(about = "列出数据改动对数字、得分和排名的影响")]
    Diff(DiffArgs),
    /// Preview the site on 127.0.0.1, rebuilt and reloaded on every change
    #[command(about = "在本机 127.0.0.1 上预览网站，文件一改就重新生成并刷新")]
    Serve(ServeArgs),
    /// The built-in theme
    #[command(about = "内置主题：tongbao theme export 导出后修改样式")]
    Theme(ThemeArgs),
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match parse(&args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match &cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Build(args) => commands::build::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::New(args) => commands::new::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Theme(args) => commands::theme::run(args),
    }
}

/// The command line `args`, parsed; or, when it asks for help or the
/// version or holds a mistake, that told in Chinese, and the exit code.
///
/// clap's own command parses a command line that is valid: the localized
/// one ([`cli::localize`]) adds nothing that parses differently, only help
/// in Chinese, and writing every subcommand's help page takes as long as
/// loading a small site. So it is built only to tell what clap refused.
fn parse(args: &[OsString]) -> Result<Cli, ExitCode> {
    if let Ok(cli) = Cli::try_parse_from(args) {
        return Ok(cli);
    }
    let command = cli::localize(Cli::command());
    command
        .clone()
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches))
        .map_err(|error| cli::report(&error, &command, args))
}
