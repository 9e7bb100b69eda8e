//! `cargo xtask package` and `cargo xtask downstream`: the crate as a consumer gets it.
//!
//! `package` checks that `spec/` holds every pinned spec and the license, exports HEAD with the
//! specs added, runs `cargo package` for the three crates (the generator, the version-independent
//! core and the client, with cargo's verification build of each tarball), and checks what the
//! client's tarball holds. `downstream` then builds `tests/downstream/`, a crate outside the
//! workspace, against those tarballs (unpacked, and patched in with `--config` as a dependency from
//! the package registry), with three feature sets, runs it against the daemon, and builds it once
//! more from a git checkout that has no specs, given `DOCKER_ENGINE_API_SPECS`. Each step fails
//! loudly: this is the proof that the crate is usable from another project.

use std::path::{Path, PathBuf};
use std::process::Command;

use docker_engine_codegen::specs::{self, SPECS_ENV};

/// The client: the build script and the generated clients.
pub const CLIENT: &str = "docker-engine-client";
/// The handwritten, version-independent code the client re-exports.
pub const CORE: &str = "docker-engine-core";
/// The generator the client's build script runs.
pub const CODEGEN: &str = "docker-engine-codegen";
/// Every crate a consumer gets from this repository, the client first.
const CRATES: [&str; 3] = [CLIENT, CORE, CODEGEN];

/// The feature sets the downstream crate is built with: (label, `--features` of the downstream
/// crate, whether to run the program).
const FEATURE_SETS: &[(&str, &str, bool)] = &[
    ("default features", "client-default", true),
    ("default-features = false, [\"v1_41\"]", "v1_41", true),
    (
        "[\"v1_41\", \"v1_55\", \"tls\", \"websocket\"]",
        "v1_41,v1_55,tls,websocket",
        false,
    ),
];

/// `cargo xtask package`: the `.crate` files, verified; returns their paths: the client's,
/// the core's, the generator's.
pub fn package(root: &Path) -> Result<Vec<PathBuf>, String> {
    let manifest = crate::manifest(root)?;
    let version = crate_version(root)?;
    specs::check_complete(&manifest, &root.join("spec")).map_err(|problems| {
        format!(
            "spec/ cannot be packaged: {}; run `cargo xtask spec sync`",
            problems.join("; ")
        )
    })?;
    let tracked = output(
        Command::new("git")
            .args(["ls-files", "spec"])
            .current_dir(root),
    )?;
    let committed: Vec<&str> = tracked
        .lines()
        .filter(|f| {
            (f.ends_with(".yaml") && f.strip_prefix("spec/") != Some(specs::MANIFEST_FILE))
                || f.ends_with(&manifest.license.file)
        })
        .collect();
    if !committed.is_empty() {
        return Err(format!(
            "Docker's files must never be committed, but git tracks: {}",
            committed.join(", ")
        ));
    }
    let changes = output(
        Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(root),
    )?;
    if !changes.trim().is_empty() {
        eprintln!("package: note: packaging HEAD; uncommitted changes are not in the package");
    }

    // The tree to package: HEAD exactly (`git archive`), plus the synced specs. Packaging from the
    // checkout itself is not possible without `--allow-dirty`: cargo counts git-ignored files that
    // a package includes as uncommitted changes, and Docker's specs must stay git-ignored. This
    // folder is under the ignored `target/`, so cargo records no VCS state for it; what it holds is
    // the committed tree, which is the guarantee that check gives.
    let staging = root.join("target/package-src");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    let archive = staging.join("head.tar");
    run(Command::new("git")
        .args(["archive", "--format=tar", "-o"])
        .arg(&archive)
        .arg("HEAD")
        .current_dir(root))?;
    run(Command::new("tar")
        .arg("xf")
        .arg(&archive)
        .arg("-C")
        .arg(&staging))?;
    std::fs::remove_file(&archive).map_err(|e| e.to_string())?;
    for file in manifest.pinned_files().map(|f| f.file) {
        std::fs::copy(
            root.join("spec").join(&file),
            staging.join("spec").join(&file),
        )
        .map_err(|e| format!("spec/{file}: {e}"))?;
    }
    // Cargo treats a registry crate's version as its identity: the generator's unpacked source
    // and its compiled library from an earlier packaging of the same version would be reused.
    // Both are made anew (the verification build starts from an empty target folder).
    forget_stale_overlay_sources(&version)?;
    let verify_target = root.join("target/package-verify");
    let _ = std::fs::remove_dir_all(&verify_target);
    run(Command::new(env!("CARGO"))
        .arg("package")
        .args(CRATES.iter().flat_map(|name| ["--package", name]))
        .arg("--target-dir")
        .arg(&verify_target)
        .current_dir(&staging))?;

    let dir = verify_target.join("package");
    let crates: Vec<PathBuf> = CRATES
        .iter()
        .map(|name| dir.join(format!("{name}-{version}.crate")))
        .collect();
    let client = &crates[0];
    let listing = output(Command::new("tar").arg("tzf").arg(client))?;
    let prefix = format!("{CLIENT}-{version}/spec/");
    let shipped: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .collect();
    let wanted: Vec<String> = manifest
        .pinned_files()
        .map(|f| f.file)
        .chain([specs::MANIFEST_FILE.into()])
        .collect();
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|w| !shipped.contains(&w.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} lacks spec/{:?}: list them in Cargo.toml's `include`",
            client.display(),
            missing
        ));
    }
    println!(
        "package: {} ({} specs, their {}, the manifest), {} and {}; git tracks none of Docker's files\n\
         (to publish: cd target/package-src && cargo publish -p {CODEGEN} -p {CORE} -p {CLIENT})",
        client.display(),
        manifest.specs.len(),
        manifest.license.file,
        crates[1].display(),
        crates[2].display()
    );
    Ok(crates)
}

/// `cargo xtask downstream [--specs DIR]`: see the module docs.
pub fn downstream(root: &Path, specs_dir: Option<&Path>) -> Result<(), String> {
    let work = root.join("target/downstream");
    let from_package: Vec<String> = unpack_packaged(root, &work.join("crates"))?
        .iter()
        .map(|(name, path)| patch(name, "path", path))
        .collect();
    let consumer = Consumer {
        manifest: root.join("tests/downstream/Cargo.toml"),
        target: work.join("target"),
    };
    // A fresh lock each time: the patches differ between runs.
    let _ = std::fs::remove_file(root.join("tests/downstream/Cargo.lock"));

    for (label, features, run_it) in FEATURE_SETS {
        println!("--- downstream, packaged crate, {label}");
        consumer.build(&from_package, features, &[])?;
        if *run_it {
            let out = output(&mut Command::new(consumer.binary()))?;
            print!("{out}");
            if !out.contains("/_ping") {
                return Err(format!("downstream ({label}) printed no ping: {out}"));
            }
        }
    }

    // A git dependency: cargo's own checkout of this repository, which has no specs.
    let specs_dir = match specs_dir {
        Some(dir) => dir.to_path_buf(),
        None => root.join("../shared/docker-engine-api"),
    };
    let specs_dir = specs_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", specs_dir.display()))?;
    let repo_url = format!("file://{}", root.display());
    let from_git = [patch_git(CLIENT, &repo_url)];
    let _ = std::fs::remove_file(root.join("tests/downstream/Cargo.lock"));

    println!("--- downstream, git dependency without specs and without {SPECS_ENV}: must fail");
    let failed = consumer.build_output(&from_git, "v1_41", &[])?;
    if failed.0 || !failed.1.contains(SPECS_ENV) || !failed.1.contains("cargo xtask spec sync") {
        return Err(format!(
            "a git checkout without specs should fail naming both ways out; got (success: {}):\n{}",
            failed.0, failed.1
        ));
    }
    println!("failed as it should: {}", error_line(&failed.1));

    println!(
        "--- downstream, git dependency, {SPECS_ENV} naming a folder with a truncated spec: must fail"
    );
    let bad = work.join("bad-specs");
    let _ = std::fs::remove_dir_all(&bad);
    std::fs::create_dir_all(&bad).map_err(|e| e.to_string())?;
    std::fs::write(bad.join("v1.41.yaml"), b"swagger: \"2.0\"\n").map_err(|e| e.to_string())?;
    let failed = consumer.build_output(&from_git, "v1_41", &[(SPECS_ENV, &bad)])?;
    if failed.0 || !failed.1.contains("v1.41.yaml: sha256") {
        return Err(format!(
            "a wrong spec should fail with one line naming it; got (success: {}):\n{}",
            failed.0, failed.1
        ));
    }
    println!("failed as it should: {}", error_line(&failed.1));

    println!(
        "--- downstream, git dependency, {SPECS_ENV}={}",
        specs_dir.display()
    );
    consumer.build(&from_git, "v1_41", &[(SPECS_ENV, &specs_dir)])?;
    let out = output(&mut Command::new(consumer.binary()))?;
    print!("{out}");
    let _ = std::fs::remove_file(root.join("tests/downstream/Cargo.lock"));
    println!("downstream: all builds and runs as expected");
    Ok(())
}

/// Packages the crates ([`package`]) and unpacks the `.crate` files into `into`, as cargo would
/// after downloading them: (crate name, unpacked folder) for each, the client first, to patch a
/// consumer with.
pub fn unpack_packaged(root: &Path, into: &Path) -> Result<Vec<(&'static str, PathBuf)>, String> {
    let crates = package(root)?;
    let _ = std::fs::remove_dir_all(into);
    std::fs::create_dir_all(into).map_err(|e| e.to_string())?;
    for krate in &crates {
        run(Command::new("tar")
            .arg("xzf")
            .arg(krate)
            .arg("-C")
            .arg(into))?;
    }
    let version = crate_version(root)?;
    Ok(CRATES
        .iter()
        .map(|name| (*name, into.join(format!("{name}-{version}"))))
        .collect())
}

/// Cargo verifies the client's tarball against the generator's and the core's through a local
/// overlay registry, and unpacks them from it into `$CARGO_HOME/registry/src/-<hash>/` once per
/// version: a later packaging of the same version (a changed generator, not yet a new release)
/// would be verified against the stale copy. Those unpacked copies (in folders whose name starts
/// with `-`, never a real registry's) are removed first.
fn forget_stale_overlay_sources(version: &str) -> Result<(), String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let Ok(sources) = std::fs::read_dir(cargo_home.join("registry/src")) else {
        return Ok(());
    };
    for source in sources.flatten() {
        if !source.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for name in CRATES {
            let stale = source.path().join(format!("{name}-{version}"));
            if stale.exists() {
                std::fs::remove_dir_all(&stale).map_err(|e| format!("{}: {e}", stale.display()))?;
            }
        }
    }
    Ok(())
}

/// The downstream crate and the target folder its builds share (so that dependencies compile
/// once).
struct Consumer {
    manifest: PathBuf,
    target: PathBuf,
}

impl Consumer {
    fn command(&self, patches: &[String], features: &str, env: &[(&str, &Path)]) -> Command {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.arg("build")
            .arg("--manifest-path")
            .arg(&self.manifest)
            .args(["--no-default-features", "--features", features])
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove(SPECS_ENV);
        for p in patches {
            cmd.arg("--config").arg(p);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    fn build(
        &self,
        patches: &[String],
        features: &str,
        env: &[(&str, &Path)],
    ) -> Result<(), String> {
        run(&mut self.command(patches, features, env))
    }

    /// Builds and returns (success, stderr).
    fn build_output(
        &self,
        patches: &[String],
        features: &str,
        env: &[(&str, &Path)],
    ) -> Result<(bool, String), String> {
        let out = self
            .command(patches, features, env)
            .output()
            .map_err(|e| format!("cargo: {e}"))?;
        Ok((
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }

    fn binary(&self) -> PathBuf {
        self.target.join("debug/downstream")
    }
}

/// `--config` value that patches the package registry's `name` with a path or git source.
fn patch(name: &str, key: &str, path: &Path) -> String {
    format!(
        "patch.crates-io.{name}.{key}={:?}",
        path.display().to_string()
    )
}

fn patch_git(name: &str, url: &str) -> String {
    format!("patch.crates-io.{name}.git={url:?}")
}

/// The first `error:` line of cargo's output, for the log.
fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.contains("error"))
        .unwrap_or("")
        .trim()
}

fn crate_version(root: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let value: toml::Value = toml::from_str(&text).map_err(|e| e.to_string())?;
    value["package"]["version"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| "Cargo.toml has no package.version".into())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
