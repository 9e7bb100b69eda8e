//! `cargo xtask spec …`: sync, add and check the Engine API specs.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use docker_engine_codegen::{Report, policy::STREAMING_OPERATIONS, specs};

use crate::fetch::{obtain, sha256_hex, verify};
use crate::{manifest, manifest_path};

/// Copies (`from`) or downloads every spec of the manifest, and Docker's license for them, into
/// `spec/`, checking sha256s. A file already there with the right hash is left alone.
pub fn sync(root: &Path, from: Option<&Path>) -> Result<(), String> {
    let manifest = manifest(root)?;
    let (mut copied, mut kept) = (0, 0);
    for pinned in manifest.pinned_files() {
        let (file_name, url, sha256) = (pinned.file, pinned.url, pinned.sha256);
        let target = root.join("spec").join(&file_name);
        if std::fs::read(&target).is_ok_and(|b| sha256_hex(&b) == sha256) {
            kept += 1;
            continue;
        }
        let bytes = obtain(&file_name, &url, from)?;
        verify(&file_name, &bytes, &sha256)?;
        std::fs::write(&target, &bytes).map_err(|e| format!("{}: {e}", target.display()))?;
        copied += 1;
    }
    println!(
        "spec sync: {copied} written, {kept} already up to date ({} versions and their license)",
        manifest.specs.len()
    );
    Ok(())
}

/// Adds API version `version` (`1.NN`): gets its spec, records it in the manifest, adds the
/// cargo feature (the new default when it is the newest), and checks it.
pub fn add(root: &Path, version: &str, from: Option<&Path>) -> Result<(), String> {
    let minor =
        docker_engine_codegen::minor_of(version).ok_or(format!("{version}: expected 1.NN"))?;
    let manifest = manifest(root)?;
    if manifest.specs.iter().any(|s| s.version == version) {
        return Err(format!(
            "v{version} is already in spec/{}",
            specs::MANIFEST_FILE
        ));
    }
    let file_name = format!("v{version}.yaml");
    let url = manifest.url_for(version);
    let bytes = obtain(&file_name, &url, from)?;
    let sha = sha256_hex(&bytes);
    // Check before writing anything: a spec the pipeline cannot take is not added.
    let text = String::from_utf8(bytes.clone()).map_err(|_| format!("{file_name} is not UTF-8"))?;
    // A fix of the newest version that no longer applies fails generation, naming each such
    // fix: the new version is refused rather than generated without them.
    let report = docker_engine_codegen::generate(version, &text)
        .map_err(|e| format!("v{version} not added: {e}"))?
        .report;
    println!("{report}");
    if !report.is_complete() {
        return Err(format!("v{version} is not complete; not added"));
    }
    // What changed against the newest version before, for the CHANGELOG entry.
    if let Some(previous) = manifest
        .specs
        .iter()
        .filter(|s| docker_engine_codegen::minor_of(&s.version).is_some_and(|m| m < minor))
        .max_by_key(|s| docker_engine_codegen::minor_of(&s.version))
        && let Ok(old) = std::fs::read_to_string(root.join("spec").join(previous.file_name()))
        && let Ok(old) = docker_engine_codegen::load::parse_yaml(&previous.version, &old)
        && let Ok(new) = docker_engine_codegen::load::parse_yaml(version, &text)
    {
        print!(
            "{}",
            crate::spec_diff::diff(&old, &new).render(&previous.version, version)
        );
    }
    std::fs::write(root.join("spec").join(&file_name), &bytes).map_err(|e| e.to_string())?;

    let manifest_file = manifest_path(root);
    let mut text = std::fs::read_to_string(&manifest_file).map_err(|e| e.to_string())?;
    // The `spec:` list is the manifest's last key: an entry appends to it (every value quoted,
    // as the file's other entries are).
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "  - version: \"{version}\"\n    url: \"{url}\"\n    sha256: \"{sha}\"\n"
    ));
    std::fs::write(&manifest_file, text).map_err(|e| e.to_string())?;

    let newest = manifest
        .specs
        .iter()
        .filter_map(|s| docker_engine_codegen::minor_of(&s.version))
        .max();
    let cargo_path = root.join("Cargo.toml");
    let cargo = std::fs::read_to_string(&cargo_path).map_err(|e| e.to_string())?;
    let cargo = add_feature(&cargo, minor, newest.is_none_or(|n| minor > n))?;
    let cargo = add_to_package(&cargo, &file_name)?;
    std::fs::write(&cargo_path, cargo).map_err(|e| e.to_string())?;
    println!(
        "added v{version}: spec/{file_name} (sha256 {sha}), manifest entry, cargo feature v1_{minor}"
    );
    Ok(())
}

/// Inserts `v1_NN = []` after the last version feature of Cargo.toml; makes it the default if
/// asked.
pub fn add_feature(cargo: &str, minor: u32, make_default: bool) -> Result<String, String> {
    let mut lines: Vec<String> = cargo.lines().map(str::to_string).collect();
    let last = lines
        .iter()
        .rposition(|l| l.starts_with("v1_") && l.trim_end().ends_with("= []"))
        .ok_or("Cargo.toml has no `v1_NN = []` feature lines")?;
    lines.insert(last + 1, format!("v1_{minor} = []"));
    if make_default {
        let default = lines
            .iter_mut()
            .find(|l| l.starts_with("default = "))
            .ok_or("Cargo.toml has no default feature line")?;
        *default = format!("default = [\"v1_{minor}\"]");
    }
    Ok(lines.join("\n") + "\n")
}

/// Lists `spec/{file_name}` in the package's `include` (after the last spec there), so the new
/// spec ships with the crate.
pub fn add_to_package(cargo: &str, file_name: &str) -> Result<String, String> {
    let mut lines: Vec<String> = cargo.lines().map(str::to_string).collect();
    let last = lines
        .iter()
        .rposition(|l| {
            l.trim_start().starts_with("\"/spec/v1.") && l.trim_end().ends_with(".yaml\",")
        })
        .ok_or("Cargo.toml's `include` lists no \"/spec/v1.NN.yaml\" files")?;
    lines.insert(last + 1, format!("    \"/spec/{file_name}\","));
    Ok(lines.join("\n") + "\n")
}

/// Generates every version of the manifest (or the given ones) without compiling, printing each
/// one's [`Report`]: its counts line, anything missing, and one line per stage of the passes
/// applied (`name=count`); `Err` names what is incomplete or failed (a stale pass fails its
/// version's generation).
pub fn check(root: &Path, only: &[String]) -> Result<Vec<Report>, String> {
    let started = Instant::now();
    let manifest = manifest(root)?;
    let entries: Vec<_> = manifest
        .specs
        .iter()
        .filter(|s| only.is_empty() || only.iter().any(|o| o.trim_start_matches('v') == s.version))
        .cloned()
        .collect();
    let queue = Mutex::new(entries.clone().into_iter());
    let results = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().next();
                    let Some(entry) = next else { break };
                    let path = root.join("spec").join(entry.file_name());
                    let result = std::fs::read_to_string(&path)
                        .map_err(|e| {
                            format!("{}: {e}: run `cargo xtask spec sync --from ../shared/docker-engine-api`", path.display())
                        })
                        .and_then(|yaml| {
                            docker_engine_codegen::generate(&entry.version, &yaml).map_err(|e| e.to_string())
                        })
                        .map(|g| g.report);
                    results.lock().unwrap().push((entry.version.clone(), result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(v, _)| docker_engine_codegen::minor_of(v));

    let mut failures = Vec::new();
    let mut reports = Vec::new();
    let mut streaming_seen = BTreeSet::new();
    for (version, result) in results {
        match result {
            Ok(report) => {
                println!("{report}");
                if !report.is_complete() {
                    failures.push(format!("v{version}: incomplete"));
                }
                streaming_seen.extend(report.notes.streaming.iter().cloned());
                reports.push(report);
            }
            Err(e) => {
                println!("v{version}: FAILED\n  {}", e.replace('\n', "\n  "));
                failures.push(format!("v{version}: generation failed"));
            }
        }
    }
    if only.is_empty() && failures.is_empty() {
        for op in STREAMING_OPERATIONS
            .iter()
            .filter(|op| !streaming_seen.contains(**op))
        {
            failures.push(format!(
                "policy: streaming operation {op} is in no version (typo, or renamed upstream?)"
            ));
        }
    }
    println!(
        "spec check: {} versions in {:.1} s",
        entries.len(),
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(reports)
    } else {
        Err(failures.join("\n"))
    }
}

/// The cargo feature of every version in the manifest, one per line (for CI).
pub fn features(root: &Path) -> Result<Vec<String>, String> {
    Ok(manifest(root)?.specs.iter().map(|s| s.feature()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_goes_after_the_last_version_and_becomes_default() {
        let cargo = "[features]\ndefault = [\"v1_55\"]\nv1_54 = []\nv1_55 = []\n\n[dependencies]\n";
        let out = add_feature(cargo, 56, true).unwrap();
        assert_eq!(
            out,
            "[features]\ndefault = [\"v1_56\"]\nv1_54 = []\nv1_55 = []\nv1_56 = []\n\n[dependencies]\n"
        );
        let out = add_feature(cargo, 20, false).unwrap();
        assert!(out.contains("default = [\"v1_55\"]") && out.contains("v1_55 = []\nv1_20 = []"));
    }
}
