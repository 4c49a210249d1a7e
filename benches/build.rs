//! Times the shipped seed site's build in-process (load, validate, score,
//! render, write), reporting the median and fastest of a number of runs.
//!
//! `cargo bench --bench build`. The whole-process time of the release binary
//! is measured with `hyperfine 'target/release/tongbao build --output /tmp/out'`.

use std::path::Path;
use std::time::{Duration, Instant};

use tongbao::diagnostics::Diagnostics;
use tongbao::pipeline;

const RUNS: usize = 50;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = tempfile::tempdir().expect("temporary folder");
    let destination = output.path().join("public");
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let mut diagnostics = Diagnostics::new();
            let built = pipeline::build(root, &destination, &mut diagnostics);
            assert!(built.is_ok(), "{}", diagnostics.render());
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "seed build, {RUNS} runs: median {:.2} ms, fastest {:.2} ms",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );
}
