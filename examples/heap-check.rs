//! `tongbao check` on the system allocator, for heap profilers that see
//! only `malloc` (heaptrack): the binary's global allocator is mimalloc,
//! which they cannot follow. An example links the library without it.
//!
//! ```sh
//! cargo build --release --example heap-check
//! heaptrack target/release/examples/heap-check --root /tmp/site-2000
//! ```

use std::process::ExitCode;

use clap::{Args, Command, FromArgMatches};
use tongbao::commands::check::{self, CheckArgs};

fn main() -> ExitCode {
    let matches = CheckArgs::augment_args(Command::new("heap-check")).get_matches();
    match CheckArgs::from_arg_matches(&matches) {
        Ok(args) => check::run(&args),
        Err(error) => error.exit(),
    }
}
