//! `cargo xtask fuzz [CASES]`: every property test of the library (the `properties` modules:
//! stdcopy demultiplexing, JSON message streams, `DOCKER_HOST` and ssh URLs, image references,
//! `.dockerignore`, `config.json`, X-Registry-Auth) run with a million cases each (or `CASES`),
//! in release mode, one at a time; prints cases per second and failures. `cargo test` runs the
//! same tests with proptest's default 256 cases.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The cases per test by default.
pub const DEFAULT_CASES: u64 = 1_000_000;

/// The handwritten library's unit tests in release mode (docker-engine-core: the property tests
/// do not depend on an API version, so no generated client is built).
fn cargo_test(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(root).args([
        "test",
        "--quiet",
        "--release",
        "--package",
        crate::package::CORE,
        "--lib",
    ]);
    cmd
}

/// Runs every property test with `cases` cases; fails when any case fails.
pub fn fuzz(root: &Path, cases: u64) -> Result<(), String> {
    let list = cargo_test(root)
        .args(["--", "--list", "properties"])
        .output()
        .map_err(|e| format!("cargo test: {e}"))?;
    if !list.status.success() {
        return Err(format!(
            "building the tests failed:\n{}",
            String::from_utf8_lossy(&list.stderr)
        ));
    }
    let tests: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect();
    if tests.is_empty() {
        return Err("no property tests found (modules named `properties`)".into());
    }
    println!("| property test | cases | seconds | cases/s | failures |\n|---|---|---|---|---|");
    let mut failed = Vec::new();
    for test in &tests {
        let started = Instant::now();
        let output = cargo_test(root)
            .args(["--", "--exact", test, "--test-threads", "1"])
            .env("PROPTEST_CASES", cases.to_string())
            .output()
            .map_err(|e| format!("cargo test: {e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        let failures = if output.status.success() { 0 } else { 1 };
        println!(
            "| {test} | {cases} | {seconds:.1} | {:.0} | {failures} |",
            cases as f64 / seconds
        );
        if failures > 0 {
            failed.push(format!(
                "{test}:\n{}",
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failing property tests:\n{}", failed.join("\n")))
    }
}
