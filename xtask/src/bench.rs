//! `cargo xtask bench build`: the cold build of a small program using this crate *as a consumer
//! gets it* (the packaged `.crate` files, patched in for the package registry's and compiled as
//! cargo compiles a registry's crates), side by side with the same program using bollard, in one
//! run; with cargo's `--timings` breakdown of ours, an incremental rebuild and `spec check` wall
//! time.
//!
//! Each program is its own throwaway project in a temp folder; every cold build starts from an
//! empty target folder; dependencies are fetched before the clock starts, so the network is not
//! measured. Runs alternate (bollard, ours, bollard, ours...) and medians are reported. With
//! `--baseline REV`, the tree at that git revision is packaged (from a worktree, with this
//! checkout's specs) and built in every run too (bollard, baseline, ours), so that a change is
//! measured against its baseline on the same spell of this noisy machine, and the per-run ratios
//! (each pair built back to back) are reported beside the ratio of the medians.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::package;

const OURS_MAIN: &str = r#"use docker_engine_client::{Docker, v1_55};
#[tokio::main]
async fn main() {
    let docker = Docker::from_env().unwrap();
    let client: v1_55::Client = docker.client().await.unwrap();
    let list = client.container_list().all(true).send().await.unwrap().into_inner();
    println!("{}", list.len());
}
"#;

const BOLLARD_MAIN: &str = r#"#[tokio::main]
async fn main() {
    let docker = bollard::Docker::connect_with_local_defaults().unwrap();
    let list = docker.list_containers(None::<bollard::query_parameters::ListContainersOptions>).await.unwrap();
    println!("{}", list.len());
}
"#;

/// Runs the build benchmark (`runs` cold builds of each; of the `baseline` revision's tree too,
/// if given) and prints Markdown tables.
pub fn build(root: &Path, runs: usize, baseline: Option<&str>) -> Result<(), String> {
    let runs = runs.max(1);
    let dir = std::env::temp_dir().join(format!("dec-bench-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let baseline = baseline
        .map(|rev| Baseline::create(root, rev, &dir))
        .transpose()?;
    let projects = Projects::create(root, &dir, baseline.as_ref());
    if let Some(b) = &baseline {
        b.remove_worktree(root);
    }
    let projects = projects?;
    let rustc = rustc_version()?;
    let ColdRuns {
        ours,
        bollard,
        baseline: base,
    } = alternate_cold_builds(&projects, runs)?;
    let generator_only = generator_only_crates(&projects.ours)?;
    let incremental = rebuild_after_touch(&projects)?;
    // Its failure is reported in the table, not a reason to lose the cold builds' figures.
    let check = timed(
        Command::new("cargo")
            .args(["xtask", "spec", "check"])
            .current_dir(root),
    );
    if std::env::var_os("XTASK_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!(
            "kept the programs and their last builds in {}",
            dir.display()
        );
    }

    let pick = |runs: &[ColdRun], f: fn(&ColdRun) -> f64| median_f64(runs.iter().map(f).collect());
    let times = BuildTimes {
        ours: pick(&ours, |r| r.wall),
        bollard: pick(&bollard, |r| r.wall),
        ours_units: pick(&ours, ColdRun::summed),
        bollard_units: pick(&bollard, ColdRun::summed),
        client: pick(&ours, ColdRun::client),
        incremental,
        check,
    };
    print_build_times(&rustc, runs, &times);
    if let (Some(b), false) = (&baseline, base.is_empty()) {
        print_against_baseline(&b.rev, &ours, &base, &bollard);
    }
    // `runs` is at least 1, so there is a last run.
    let last = ours.last().map_or(&[][..], |r| &r.units[..]);
    print_breakdown(last, &generator_only);
    Ok(())
}

/// The two throwaway programs the build benchmark compiles, their dependencies fetched.
struct Projects {
    /// The program using this crate, patched in from its packaged `.crate` files.
    ours: PathBuf,
    /// The same program using bollard.
    bollard: PathBuf,
    /// The unpacked crate of handwritten code (docker-engine-core) that `ours` builds.
    handwritten: PathBuf,
    /// `ours`'s cargo config without [`as_registry_crates`]: the crates as path dependencies, as
    /// their developer builds them.
    path_patch: String,
    /// The same program using the baseline revision's packaged crates (`--baseline`).
    baseline: Option<PathBuf>,
}

/// The tree at a git revision (`--baseline`), checked out in a worktree and packaged.
struct Baseline {
    /// The revision as given.
    rev: String,
    /// Its worktree, with this checkout's spec files copied in (they are git-ignored).
    tree: PathBuf,
}

impl Baseline {
    /// Checks `rev` out under `dir` and copies in the spec files its `spec/` lacks.
    fn create(root: &Path, rev: &str, dir: &Path) -> Result<Self, String> {
        let tree = dir.join("baseline-tree");
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        run(Command::new("git")
            .args(["worktree", "add", "--detach", "--quiet"])
            .arg(&tree)
            .arg(rev)
            .current_dir(root))?;
        let specs = std::fs::read_dir(root.join("spec")).map_err(|e| e.to_string())?;
        for entry in specs.flatten() {
            let target = tree.join("spec").join(entry.file_name());
            if !target.exists() {
                std::fs::copy(entry.path(), &target).map_err(|e| e.to_string())?;
            }
        }
        Ok(Self {
            rev: rev.to_string(),
            tree,
        })
    }

    /// Drops the worktree (its packaged crates are unpacked elsewhere by then).
    fn remove_worktree(&self, root: &Path) {
        let _ = run(Command::new("git")
            .args(["worktree", "remove", "--force"])
            .arg(&self.tree)
            .current_dir(root));
    }
}

/// Profile settings that make cargo compile the patched-in crates as it compiles a dependency
/// from the package registry: without incremental compilation. Cargo turns it on for path
/// dependencies (which `[patch]` makes of them), never for a registry's crates, and on a cold
/// build it only costs: saving its caches took about 4 s of the client's 19 s here.
fn as_registry_crates(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("\n[profile.dev.package.{name}]\nincremental = false\n"))
        .collect()
}

impl Projects {
    /// Packages this crate, writes both programs under `dir` and fetches their dependencies
    /// (so that no timed build touches the network).
    fn create(root: &Path, dir: &Path, baseline: Option<&Baseline>) -> Result<Self, String> {
        let (crates, patch) = packaged(root, &dir.join("crates"))?;
        let names: Vec<&str> = crates.iter().map(|(name, _)| *name).collect();
        let ours = project(
            dir,
            "ours",
            "docker-engine-client = \"0.1\"",
            OURS_MAIN,
            Some(&(patch.clone() + &as_registry_crates(&names))),
        )?;
        let baseline = match baseline {
            Some(b) => {
                let (_, base_patch) = packaged(&b.tree, &dir.join("baseline-crates"))?;
                Some(project(
                    dir,
                    "baseline",
                    "docker-engine-client = \"0.1\"",
                    OURS_MAIN,
                    Some(&(base_patch + &as_registry_crates(&names))),
                )?)
            }
            None => None,
        };
        let bollard = project(
            dir,
            "with-bollard",
            "bollard = \"0.21\"",
            BOLLARD_MAIN,
            None,
        )?;
        for p in [&ours, &bollard].into_iter().chain(&baseline) {
            run(Command::new("cargo").arg("fetch").current_dir(p))?;
        }
        let handwritten = crates
            .iter()
            .find(|(name, _)| *name == package::CORE)
            .ok_or_else(|| format!("no {} among the packaged crates", package::CORE))?
            .1
            .clone();
        Ok(Self {
            ours,
            bollard,
            handwritten,
            path_patch: patch,
            baseline,
        })
    }
}

/// Unpacked crates: each one's name and folder.
type Crates = Vec<(&'static str, PathBuf)>;

/// Packages the tree at `root`, unpacks its crates into `into`: them, and the `[patch]` section
/// that makes a program use them.
fn packaged(root: &Path, into: &Path) -> Result<(Crates, String), String> {
    let crates = package::unpack_packaged(root, into)?;
    let mut patch = String::from("[patch.crates-io]\n");
    for (name, path) in &crates {
        patch.push_str(&format!(
            "{name} = {{ path = {:?} }}\n",
            path.display().to_string()
        ));
    }
    Ok((crates, patch))
}

/// `rustc -V`, for the report's heading.
fn rustc_version() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-V")
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Where `cargo build --timings` writes its report, in a program's folder.
const TIMINGS: &str = "target/cargo-timings/cargo-timing.html";

/// One cold build: its wall time (seconds) and the units of its `--timings` report.
struct ColdRun {
    wall: f64,
    units: Vec<Unit>,
}

impl ColdRun {
    /// The units summed: about the CPU the build took, which a noisy machine moves less than
    /// the wall time.
    fn summed(&self) -> f64 {
        self.units.iter().map(|u| u.duration).sum()
    }

    /// This crate's own library unit, the single-core tail the build ends with (0 for
    /// bollard's program).
    fn client(&self) -> f64 {
        self.units
            .iter()
            .filter(|u| is_client_lib(u))
            .map(|u| u.duration)
            .sum()
    }
}

/// Whether `u` is the client crate's library (not its build script).
fn is_client_lib(u: &Unit) -> bool {
    u.name == package::CLIENT && u.target.trim().is_empty()
}

/// A cold `cargo build --timings` of the program in `p`, from an empty target folder.
fn cold_build(p: &Path) -> Result<ColdRun, String> {
    let _ = std::fs::remove_dir_all(p.join("target"));
    let wall = timed(
        Command::new("cargo")
            .args(["build", "--offline", "--timings"])
            .current_dir(p),
    )?;
    Ok(ColdRun {
        wall: wall.as_secs_f64(),
        units: timing_units(&p.join(TIMINGS))?,
    })
}

/// The cold builds of each program, in run order.
struct ColdRuns {
    ours: Vec<ColdRun>,
    bollard: Vec<ColdRun>,
    /// Empty without `--baseline`.
    baseline: Vec<ColdRun>,
}

/// `runs` cold builds of each program, alternating so that a slower or faster spell of the
/// machine weighs on all alike: ours, bollard's and the baseline's (none without one).
fn alternate_cold_builds(projects: &Projects, runs: usize) -> Result<ColdRuns, String> {
    let (mut ours, mut bollard, mut baseline) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        let b = cold_build(&projects.bollard)?;
        let base = projects.baseline.as_deref().map(cold_build).transpose()?;
        let o = cold_build(&projects.ours)?;
        let base_line = base.as_ref().map_or(String::new(), |r| {
            format!(
                ", baseline {:.1} s ({:.2}×, units {:.1} s)",
                r.wall,
                r.wall / b.wall,
                r.summed()
            )
        });
        eprintln!(
            "run {}: bollard {:.1} s (units {:.1} s){base_line}, ours {:.1} s ({:.2}×, units {:.1} s, the client's {:.1} s)",
            i + 1,
            b.wall,
            b.summed(),
            o.wall,
            o.wall / b.wall,
            o.summed(),
            o.client()
        );
        bollard.push(b);
        baseline.extend(base);
        ours.push(o);
    }
    Ok(ColdRuns {
        ours,
        bollard,
        baseline,
    })
}

/// The baseline beside ours: medians, the ratio of the medians to bollard's, and the median of
/// each run's own ratio (the two builds of a pair run back to back, on the same spell of the
/// machine).
fn print_against_baseline(rev: &str, ours: &[ColdRun], base: &[ColdRun], bollard: &[ColdRun]) {
    let wall = |runs: &[ColdRun]| median_f64(runs.iter().map(|r| r.wall).collect());
    let units = |runs: &[ColdRun]| median_f64(runs.iter().map(ColdRun::summed).collect());
    let paired = |runs: &[ColdRun]| {
        median_f64(
            runs.iter()
                .zip(bollard)
                .map(|(r, b)| r.wall / b.wall)
                .collect(),
        )
    };
    let b = wall(bollard);
    println!("\nAgainst the baseline `{rev}`, built in the same runs:\n");
    println!(
        "| tree | cold build | ratio of medians to bollard | median of the runs' ratios | units summed |\n|---|---|---|---|---|"
    );
    for (name, runs) in [("baseline", base), ("this tree", ours)] {
        println!(
            "| {name} | {:.1} s | {:.2}× | {:.2}× | {:.1} s |",
            wall(runs),
            wall(runs) / b,
            paired(runs),
            units(runs)
        );
    }
    println!(
        "| bollard 0.21 | {b:.1} s | 1.00× | 1.00× | {:.1} s |",
        units(bollard)
    );
}

/// An incremental rebuild of ours after touching a handwritten file of the (patched) library:
/// the crates as path dependencies (incremental, as their developer builds them), built once
/// untimed, then touched and rebuilt.
fn rebuild_after_touch(projects: &Projects) -> Result<Duration, String> {
    std::fs::write(
        projects.ours.join(".cargo/config.toml"),
        &projects.path_patch,
    )
    .map_err(|e| e.to_string())?;
    run(Command::new("cargo")
        .args(["build", "--offline", "--quiet"])
        .current_dir(&projects.ours))?;
    let touched = projects.handwritten.join("src/lib.rs");
    let text = std::fs::read(&touched).map_err(|e| e.to_string())?;
    std::fs::write(&touched, &text).map_err(|e| e.to_string())?;
    timed(
        Command::new("cargo")
            .args(["build", "--offline"])
            .current_dir(&projects.ours),
    )
}

/// The build benchmark's figures: medians of the cold builds (seconds), then single runs.
struct BuildTimes {
    /// A cold build of the program using this crate.
    ours: f64,
    /// A cold build of the program using bollard.
    bollard: f64,
    /// The units of ours, summed.
    ours_units: f64,
    /// The units of bollard's program, summed.
    bollard_units: f64,
    /// The client crate's own library unit in the cold build of ours.
    client: f64,
    /// The rebuild of ours after touching the handwritten code's `src/lib.rs`.
    incremental: Duration,
    /// `cargo xtask spec check`, or why it failed.
    check: Result<Duration, String>,
}

/// The table of wall times.
fn print_build_times(rustc: &str, runs: usize, times: &BuildTimes) {
    let s = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    println!(
        "{rustc}, {} cores, {} cold builds of each, medians",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        runs
    );
    println!("| what | time |\n|---|---|");
    println!(
        "| cold `cargo build`, program using bollard 0.21 (default features) | {:.1} s |",
        times.bollard
    );
    println!(
        "| cold `cargo build`, program using docker-engine-client from its packaged `.crate` (default features) | {:.1} s |",
        times.ours
    );
    println!(
        "| ratio ours / bollard | {:.2}× |",
        times.ours / times.bollard
    );
    println!(
        "| all compilation units summed (about the CPU), bollard / ours | {:.1} s / {:.1} s ({:.2}×) |",
        times.bollard_units,
        times.ours_units,
        times.ours_units / times.bollard_units
    );
    println!(
        "| the client crate's own unit (the build's single-core tail) | {:.1} s |",
        times.client
    );
    println!(
        "| rebuild after touching the handwritten code's `src/lib.rs` (docker-engine-core) | {} |",
        s(times.incremental)
    );
    println!(
        "| `cargo xtask spec check` (31 versions, generation only) | {} |",
        times
            .check
            .as_ref()
            .map_or_else(|e| format!("failed: {e}"), |d| s(*d))
    );
}

/// Where ours spends its build (the last cold run's `--timings`): by part, then the longest units.
fn print_breakdown(units: &[Unit], generator_only: &[String]) {
    let total: f64 = units.iter().map(|u| u.duration).sum();
    let sum_of = |pred: &dyn Fn(&Unit) -> bool| -> f64 {
        units
            .iter()
            .filter(|u| pred(u))
            .map(|u| u.duration)
            .sum::<f64>()
            + 0.0
    };
    println!(
        "\nBreakdown of ours (cargo --timings, last cold run; unit times overlap on 2 cores):\n"
    );
    println!("| part | seconds |\n|---|---|");
    println!("| all units, summed | {total:.1} |");
    println!(
        "| docker-engine-client itself (the generated v1_55 module) | {:.1} |",
        sum_of(&is_client_lib)
    );
    println!(
        "| docker-engine-core (the handwritten code) | {:.1} |",
        sum_of(&|u| u.name == package::CORE)
    );
    println!(
        "| its build script: compile + run (generation of v1.55) | {:.1} |",
        sum_of(&|u| u.name == package::CLIENT && u.target.contains("build-script"))
    );
    println!(
        "| docker-engine-codegen (the generator crate) | {:.1} |",
        sum_of(&|u| u.name == package::CODEGEN)
    );
    println!(
        "| crates only the generator needs ({}) | {:.1} |",
        generator_only.len(),
        sum_of(&|u| generator_only.contains(&u.name))
    );
    print_compiled_twice(units);
    print_longest_units(units);
}

/// Libraries the build compiled more than once: one version with two feature sets (typically once
/// for the build script's generator and once for the program, which cargo can only share when the
/// features agree) or two versions.
fn print_compiled_twice(units: &[Unit]) {
    let mut libs: std::collections::BTreeMap<&str, Vec<&Unit>> = Default::default();
    for u in units.iter().filter(|u| u.target.trim().is_empty()) {
        libs.entry(u.name.as_str()).or_default().push(u);
    }
    let twice: Vec<String> = libs
        .iter()
        .filter(|(_, us)| us.len() > 1)
        .map(|(name, us)| {
            let versions: std::collections::BTreeSet<&str> =
                us.iter().map(|u| u.version.as_str()).collect();
            let seconds: f64 = us.iter().map(|u| u.duration).sum();
            let how = if versions.len() > 1 {
                "versions"
            } else {
                "feature sets"
            };
            format!("{name} ({} {how}, {seconds:.1} s)", us.len())
        })
        .collect();
    println!("\nCompiled more than once: {}", twice.join(", "));
}

/// The twelve longest units of the build.
fn print_longest_units(units: &[Unit]) {
    let mut top: Vec<&Unit> = units.iter().collect();
    top.sort_by(|a, b| b.duration.total_cmp(&a.duration));
    println!("\nLongest units:\n\n| unit | start | seconds |\n|---|---|---|");
    for u in top.iter().take(12) {
        println!(
            "| {}{} | {:.1} | {:.1} |",
            u.name,
            if u.target.is_empty() {
                String::new()
            } else {
                format!(" ({})", u.target.trim())
            },
            u.start,
            u.duration
        );
    }
}

/// The median of `values` (the mean of the middle two of an even count); 0 when there are none.
fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        // An even count: the mean of the middle two, not the upper one.
        _ if n.is_multiple_of(2) => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        _ => values[n / 2],
    }
}

/// One compilation unit of cargo's `--timings` report.
struct Unit {
    name: String,
    version: String,
    target: String,
    start: f64,
    duration: f64,
}

/// The units of a `cargo build --timings` HTML report (its embedded `UNIT_DATA` JSON).
fn timing_units(report: &Path) -> Result<Vec<Unit>, String> {
    let html = std::fs::read_to_string(report).map_err(|e| format!("{}: {e}", report.display()))?;
    let start = html
        .find("const UNIT_DATA = ")
        .ok_or("no UNIT_DATA in the timings report")?
        + "const UNIT_DATA = ".len();
    let end = start + html[start..].find(";\n").ok_or("UNIT_DATA has no end")?;
    let data: Vec<serde_json::Value> =
        serde_json::from_str(&html[start..end]).map_err(|e| e.to_string())?;
    Ok(data
        .iter()
        .map(|u| Unit {
            name: u["name"].as_str().unwrap_or("").to_string(),
            version: u["version"].as_str().unwrap_or("").to_string(),
            target: u["target"].as_str().unwrap_or("").to_string(),
            start: u["start"].as_f64().unwrap_or(0.0),
            duration: u["duration"].as_f64().unwrap_or(0.0),
        })
        .collect())
}

/// Crates in the generator's dependency tree that the client does not also need at run time.
fn generator_only_crates(project: &Path) -> Result<Vec<String>, String> {
    let names = |args: &[&str]| -> Result<std::collections::BTreeSet<String>, String> {
        let out = Command::new("cargo")
            .args(["tree", "--offline", "--prefix", "none", "--format", "{p}"])
            .args(args)
            .current_dir(project)
            .output()
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect())
    };
    // The generator is a build dependency: its tree is only reachable along build edges.
    let generator = names(&["-p", package::CODEGEN, "-e", "normal,build"])?;
    let runtime = names(&["-p", package::CLIENT, "-e", "normal"])?;
    Ok(generator.difference(&runtime).cloned().collect())
}

fn project(
    dir: &Path,
    name: &str,
    dependency: &str,
    main: &str,
    cargo_config: Option<&str>,
) -> Result<PathBuf, String> {
    let p = dir.join(name);
    std::fs::create_dir_all(p.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n[dependencies]\n{dependency}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
    );
    std::fs::write(p.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(p.join("src/main.rs"), main).map_err(|e| e.to_string())?;
    if let Some(config) = cargo_config {
        std::fs::create_dir_all(p.join(".cargo")).map_err(|e| e.to_string())?;
        std::fs::write(p.join(".cargo/config.toml"), config).map_err(|e| e.to_string())?;
    }
    Ok(p)
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}

fn timed(cmd: &mut Command) -> Result<Duration, String> {
    let start = Instant::now();
    run(cmd.env("CARGO_TERM_QUIET", "true"))?;
    Ok(start.elapsed())
}

/// Builds the `bench/` project in release mode; returns its binary.
fn bench_binary(root: &Path) -> Result<std::path::PathBuf, String> {
    run(Command::new("cargo")
        .args(["build", "--quiet", "--release", "--manifest-path"])
        .arg(root.join("bench/Cargo.toml")))?;
    Ok(root.join("bench/target/release/docker-engine-bench"))
}

/// `cargo xtask bench api`: round trips per second against the local daemon, this crate vs
/// bollard vs bare hyper (the `bench/` project, in release mode).
pub fn api(root: &Path) -> Result<(), String> {
    run(&mut Command::new(bench_binary(root)?))
}

/// `cargo xtask bench instructions`: client-side instructions per `/_ping` round trip under
/// `valgrind --tool=callgrind` (deterministic where wall time is noisy): the difference between
/// 600 and 100 sequential pings, divided by 500, for each client.
pub fn instructions(root: &Path) -> Result<(), String> {
    let binary = bench_binary(root)?;
    let count = |client: &str, n: usize| -> Result<u64, String> {
        let out_file =
            std::env::temp_dir().join(format!("dec-callgrind-{client}-{n}-{}", std::process::id()));
        let output = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out_file.display()))
            .arg(&binary)
            .args(["count", client, &n.to_string()])
            .output()
            .map_err(|e| format!("valgrind: {e}"))?;
        let _ = std::fs::remove_file(&out_file);
        let text = String::from_utf8_lossy(&output.stderr);
        text.lines()
            .find_map(|l| l.split("Collected : ").nth(1))
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| format!("no instruction count from callgrind for {client}: {text}"))
    };
    println!("| client | instructions per /_ping |\n|---|---|");
    let mut ours = 0;
    for client in ["ours", "http", "hyper", "bollard"] {
        let per = (count(client, 600)? - count(client, 100)?) / 500;
        if client == "ours" {
            ours = per;
        }
        println!(
            "| {client} | {per} ({:.2}× ours) |",
            per as f64 / ours as f64
        );
    }
    Ok(())
}

/// `cargo xtask bench logs`: a container's real output read end to end, side by side in one run:
/// 2-byte lines (`yes`: the daemon's per-frame cost dominates) and 1 KiB lines (16 MiB, 256 MiB,
/// 1 GiB), each read by this crate and by bollard on a current-thread and on the multi-threaded
/// runtime (discarding the output), and written out by the CLI example's `logs`, by `docker
/// logs` and by a raw `curl` of the same endpoint (each piped into `wc -c`), with peak RSS.
pub fn logs(root: &Path) -> Result<(), String> {
    let readers = LogReaders::build(root)?;
    let tag = format!("dec-bench-busybox-{}", std::process::id());
    import_busybox(&tag)?;
    let api = daemon_api_version()?;
    println!(
        "| output | client | median time | throughput | lines/s | peak RSS |\n|---|---|---|---|---|---|"
    );
    for case in &LOG_CASES {
        bench_log_case(case, &readers, &tag, &api)?;
    }
    let _ = Command::new("docker").args(["rmi", "-f", &tag]).output();
    Ok(())
}

/// One output the logs benchmark reads.
struct LogCase {
    /// How the report names it.
    label: &'static str,
    /// The length of each line, newline included.
    line: u64,
    /// The output's length.
    bytes: u64,
}

const LOG_CASES: [LogCase; 4] = [
    LogCase {
        label: "2 MiB of 2-byte lines",
        line: 2,
        bytes: 2 << 20,
    },
    LogCase {
        label: "16 MiB of 1 KiB lines",
        line: 1024,
        bytes: 16 << 20,
    },
    LogCase {
        label: "256 MiB of 1 KiB lines",
        line: 1024,
        bytes: 256 << 20,
    },
    LogCase {
        label: "1 GiB of 1 KiB lines",
        line: 1024,
        bytes: 1 << 30,
    },
];

/// The release binaries that read the logs: the `bench/` project's and the CLI example.
struct LogReaders {
    bench: PathBuf,
    example: PathBuf,
}

impl LogReaders {
    /// Builds both, in release mode.
    fn build(root: &Path) -> Result<Self, String> {
        let bench = bench_binary(root)?;
        run(Command::new("cargo").current_dir(root).args([
            "build",
            "--quiet",
            "--release",
            "--example",
            "docker",
        ]))?;
        let example = root.join("target/release/examples/docker");
        Ok(Self { bench, example })
    }
}

/// Imports a busybox image as `tag`, with the docker CLI from Debian's static busybox.
fn import_busybox(tag: &str) -> Result<(), String> {
    let rootfs = std::env::temp_dir().join(format!("dec-bench-rootfs-{}", std::process::id()));
    std::fs::create_dir_all(rootfs.join("bin")).map_err(|e| e.to_string())?;
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox"))
        .map_err(|e| format!("/bin/busybox: {e}"))?;
    for applet in ["sh", "yes", "head", "tr"] {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet))
            .map_err(|e| e.to_string())?;
    }
    let import = format!(
        "tar -C {} -c . | docker import - {tag} > /dev/null",
        rootfs.display()
    );
    run(Command::new("sh").args(["-c", &import]))?;
    let _ = std::fs::remove_dir_all(&rootfs);
    Ok(())
}

/// The daemon's API version, for the raw `curl`'s URL.
fn daemon_api_version() -> Result<String, String> {
    let out = Command::new("docker")
        .args(["version", "--format", "{{.Server.APIVersion}}"])
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs a container that writes `case`'s output, reads its logs three times with each client and
/// prints a row per client, then removes the container.
fn bench_log_case(
    case: &LogCase,
    readers: &LogReaders,
    tag: &str,
    api: &str,
) -> Result<(), String> {
    let name = format!("dec-bench-logs-{}-{}", case.bytes, std::process::id());
    let script = writer_script(case);
    run(Command::new("docker")
        .args(["run", "--name", &name, tag, "sh", "-c", &script])
        .stdout(std::process::Stdio::null()))?;
    let commands = piped_commands(&readers.example, &name, api);
    // The Rust clients on a current-thread runtime (one stream, one thread) and on tokio's
    // multi-threaded one, then the commands that write the output out.
    let clients = ["ours", "ours multi", "bollard", "bollard multi"];
    for client in clients.iter().copied().chain(commands.iter().map(|c| c.0)) {
        let mut times = Vec::new();
        let mut kib = 0;
        for _ in 0..3 {
            let (t, peak) = match commands.iter().find(|c| c.0 == client) {
                Some((_, command)) => read_piped(client, command, case)?,
                None => read_in_bench(&readers.bench, client, &name, case)?,
            };
            times.push(t);
            kib = peak;
        }
        print_log_row(case, client, &times, kib);
    }
    let _ = Command::new("docker").args(["rm", "-f", &name]).output();
    Ok(())
}

/// The shell script that writes `case`'s output in the container.
fn writer_script(case: &LogCase) -> String {
    if case.line == 2 {
        format!("yes | head -c {}", case.bytes)
    } else {
        format!(
            "yes $(head -c 1023 /dev/zero | tr '\\0' x) | head -c {}",
            case.bytes
        )
    }
}

/// The commands that write container `name`'s logs out (to be piped into `wc -c`), by the names
/// the report gives them: the CLI example, the docker CLI, and `curl` of the raw endpoint.
fn piped_commands(example: &Path, name: &str, api: &str) -> [(&'static str, String); 3] {
    [
        (
            "CLI example `logs`, piped",
            format!("{} logs {name}", example.display()),
        ),
        ("`docker logs`, piped", format!("docker logs {name}")),
        (
            "raw `curl`, piped",
            format!(
                "curl -sS --unix-socket /var/run/docker.sock 'http://docker/v{api}/containers/{name}/logs?stdout=1'"
            ),
        ),
    ]
}

/// Reads the logs with `command` piped into `wc -c`, checking that it wrote all of them: seconds
/// and peak RSS (KiB).
fn read_piped(client: &str, command: &str, case: &LogCase) -> Result<(f64, u64), String> {
    let (t, kib, written) = timed_pipeline(command)?;
    // curl writes the frames' headers too: 8 bytes per line.
    let expected = if client.contains("curl") {
        case.bytes + 8 * case.bytes.div_ceil(case.line)
    } else {
        case.bytes
    };
    if written != expected {
        return Err(format!("{client}: wrote {written} bytes, not {expected}"));
    }
    Ok((t, kib))
}

/// Reads the logs of container `name` in the `bench/` binary with `client` (`ours` or `bollard`,
/// then ` multi` for the multi-threaded runtime), checking the byte count it reports: seconds and
/// peak RSS (KiB).
fn read_in_bench(
    binary: &Path,
    client: &str,
    name: &str,
    case: &LogCase,
) -> Result<(f64, u64), String> {
    let (which, threads) = client.split_once(' ').unwrap_or((client, "current"));
    let out = Command::new(binary)
        .args(["logs", which, name])
        .env("DEC_BENCH_THREADS", threads)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 4 || fields[1] != case.bytes.to_string() {
        return Err(format!(
            "{client}: unexpected output {text:?} {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok((
        fields[2].parse().unwrap_or(f64::NAN),
        fields[3].parse::<u64>().unwrap_or(0),
    ))
}

/// One row of the logs table: the median of `times`, and the last run's peak RSS.
fn print_log_row(case: &LogCase, client: &str, times: &[f64], kib: u64) {
    let t = median_f64(times.to_vec());
    println!(
        "| {} | {client} | {t:.2} s | {:.1} MiB/s | {:.0} | {} MiB |",
        case.label,
        (case.bytes as f64 / (1 << 20) as f64) / t,
        (case.bytes / case.line) as f64 / t,
        kib / 1024,
    );
}

/// Runs `command | wc -c` under GNU time: seconds, the command's peak RSS (KiB) and the bytes
/// it wrote.
fn timed_pipeline(command: &str) -> Result<(f64, u64, u64), String> {
    let rss_file = std::env::temp_dir().join(format!("dec-bench-rss-{}", std::process::id()));
    let script = format!(
        "/usr/bin/time -f %M -o {} {command} | wc -c",
        rss_file.display()
    );
    let start = Instant::now();
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .map_err(|e| e.to_string())?;
    let t = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let written = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("{command}: wc -c: {e}"))?;
    let kib = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.trim().lines().last()?.parse().ok())
        .unwrap_or(0);
    let _ = std::fs::remove_file(&rss_file);
    Ok((t, kib, written))
}

/// `cargo xtask bench json`: the JSON message decoder over one 16 MiB message, whole and in 64 KiB,
/// 1 KiB and 1-byte chunks, and an endless line refused at the cap.
pub fn json(root: &Path) -> Result<(), String> {
    run(Command::new(bench_binary(root)?).arg("json"))
}

/// `cargo xtask bench decode`: typed decoding of two daemon answers in memory, this crate's v1.55
/// types against bollard's and `serde_json::Value`.
pub fn decode(root: &Path) -> Result<(), String> {
    run(Command::new(bench_binary(root)?).arg("decode"))
}

/// `cargo xtask bench waits`: how long after a container is ready `Wait::log` (and bollard
/// following the same logs), `Wait::port` and `Wait::http` return.
pub fn waits(root: &Path) -> Result<(), String> {
    run(Command::new(bench_binary(root)?).arg("waits"))
}

/// `cargo xtask bench demux`: the demultiplexer over 1 GiB of in-memory frames, then 1 GiB of
/// frames served from memory over a unix socket and read by this crate and by bollard.
pub fn demux(root: &Path) -> Result<(), String> {
    let binary = bench_binary(root)?;
    run(Command::new(&binary).arg("demux"))?;
    run(Command::new(&binary).arg("served"))
}

#[cfg(test)]
mod tests {
    use super::median_f64;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median_f64(vec![3.0, 1.0, 2.0]), 2.0);
        // The mean of the middle two, not the upper one.
        assert_eq!(median_f64(vec![40.0, 10.0, 30.0, 20.0]), 25.0);
        assert_eq!(median_f64(vec![]), 0.0);
    }
}
