//! `cargo xtask spec check --examples`: proves every version's generated types decode the
//! spec's examples and a synthesized instance of every definition, without a daemon.
//!
//! `spec check` itself stays compile-free; this step needs each version's types compiled, so it
//! builds and runs the client crate's unit test `spec_examples` once per version (one version
//! per build: two in one crate take ~1.6 GB of rustc memory). A test build subsumes the
//! `cargo check` of the version, so CI runs this instead of its per-version check loop. Each
//! version prints `v1.NN: examples decoded N/N, synthesized instances decoded M/M`, and each
//! failure `v1.NN: example of definition X: field a.b.c: <serde's message>`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The line the test prints per version; what follows it up to the next version's line are the
/// version's failures.
const SUMMARY: &str = ": examples decoded ";

/// Builds and runs the decoding test of each version of `features` (`v1_NN`), one at a time;
/// prints each version's figures and failures. `Err` names the versions that failed.
pub fn check(root: &Path, features: &[String]) -> Result<Vec<String>, String> {
    let started = Instant::now();
    let mut summaries = Vec::new();
    let mut failed = Vec::new();
    for feature in features {
        let one = Instant::now();
        let output = Command::new(env!("CARGO"))
            .current_dir(root)
            // Each version is built once and never edited: incremental state would be ~285 MB
            // a version kept for nothing (9 GB of a CI run's disk for the 31 versions).
            .env("CARGO_INCREMENTAL", "0")
            .args([
                "test",
                "--quiet",
                "--lib",
                "--no-default-features",
                "--features",
            ])
            .arg(feature)
            .args([
                "spec_examples::",
                "--",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .output()
            .map_err(|e| format!("cargo: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let lines = version_lines(&stdout);
        match lines.first() {
            Some(summary) if summary.contains(SUMMARY) => {
                println!("{summary} [{:.0} s]", one.elapsed().as_secs_f64());
                summaries.push(summary.clone());
            }
            _ => println!("{feature}: no figures (the test did not run)"),
        }
        for line in lines.iter().skip(1) {
            println!("  {line}");
        }
        if !output.status.success() {
            if lines.len() <= 1 {
                // A build failure: show cargo's own report.
                print!("{}", String::from_utf8_lossy(&output.stderr));
            }
            failed.push(feature.clone());
        }
    }
    println!(
        "spec check --examples: {} versions in {:.0} s",
        features.len(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        Ok(summaries)
    } else {
        Err(format!(
            "examples failed to decode in {}",
            failed.join(", ")
        ))
    }
}

/// The test's own lines: `v1.NN: ...` (its summary, then its failures), without the harness's.
pub fn version_lines(stdout: &str) -> Vec<String> {
    // With `--quiet` the harness prints a dot per test, on the same line as the test's output.
    stdout
        .lines()
        .map(|l| l.trim_start_matches('.'))
        .filter(|l| l.starts_with("v1."))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_figures_and_failures_only() {
        let stdout = "\nrunning 4 tests\n\
            ...v1.41: examples decoded 63/64, synthesized instances decoded 102/102 (0 examples of untyped responses not decoded)\n\
            v1.41: example of definition Volume: field Options: invalid type\n\
            test spec_examples::tests::x ... ok\n";
        let lines = version_lines(stdout);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains(SUMMARY));
        assert!(lines[1].contains("definition Volume: field Options"));
    }
}
