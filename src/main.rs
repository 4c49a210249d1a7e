use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tongbao::commands::{
    self, build::BuildArgs, check::CheckArgs, diff::DiffArgs, import::ImportArgs, new::NewArgs,
    serve::ServeArgs,
};

/// tongbao (通报): publish county inspection notices as a static site.
#[derive(Parser, Debug)]
#[command(name = "tongbao", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check, score and render content/ into public/
    Build(BuildArgs),
    /// Check content/ and themes/ and report every problem; write nothing
    Check(CheckArgs),
    /// Start a new period from the previous one: same units, counts zeroed
    New(NewArgs),
    /// Import a table's figures from the backend's export (xlsx, xls, csv)
    Import(ImportArgs),
    /// Show what a data change does to figures, scores and ranks
    Diff(DiffArgs),
    /// Preview the site on 127.0.0.1, rebuilt and reloaded on every change
    Serve(ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Build(args) => commands::build::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::New(args) => commands::new::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Serve(args) => commands::serve::run(args),
    }
}
