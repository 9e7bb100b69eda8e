//! `cargo xtask load`: the load and fault tests of tests/load.rs at sizes beyond CI's (CI runs
//! them at their defaults), printing their figures: requests per second and errors under 1,000
//! concurrent requests, followed log streams, open file descriptors and peak memory, and how a
//! second daemon killed under load and started again is survived.

use std::path::Path;
use std::process::Command;

/// (requests at once, rounds, followed streams) of each run.
const RUNS: [(usize, usize, usize); 2] = [(1000, 10, 50), (1000, 5, 200)];

/// Runs tests/load.rs at each size of `RUNS` and prints the `load:` lines.
pub fn load(root: &Path) -> Result<(), String> {
    for (requests, rounds, streams) in RUNS {
        println!("## {requests} requests at once × {rounds} rounds, {streams} followed streams");
        let output = Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "test",
                "--quiet",
                "--features",
                "docker-engine-client/v1_55",
                "--test",
                "load",
                "--",
                "--include-ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("DEC_LOAD_REQUESTS", requests.to_string())
            .env("DEC_LOAD_ROUNDS", rounds.to_string())
            .env("DEC_LOAD_STREAMS", streams.to_string())
            .output()
            .map_err(|e| format!("cargo test: {e}"))?;
        let text = String::from_utf8_lossy(&output.stderr);
        for line in text.lines().filter(|l| l.starts_with("load:")) {
            println!("{line}");
        }
        if !output.status.success() {
            return Err(format!(
                "the load tests failed:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                text
            ));
        }
    }
    Ok(())
}
