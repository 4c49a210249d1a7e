use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tongbao::commands::{self, build::BuildArgs, check::CheckArgs};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Build(args) => commands::build::run(args),
        Command::Check(args) => commands::check::run(args),
    }
}
