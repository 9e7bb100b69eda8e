//! `cargo xtask <command>`: see `cargo xtask help`.

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{project_root, spec};

const HELP: &str = "\
cargo xtask <command>

  spec sync [--from DIR]     copy (from DIR) or download every spec of spec/manifest.yaml into
                             spec/, refusing a file whose sha256 differs
  spec add 1.NN [--from DIR] add a new Engine API version: spec, manifest entry, cargo feature
  spec diff 1.NN 1.MM        what changed between two versions' specs: operations, parameters,
                             responses, definitions and fields (type, required, enum)
  spec check [1.NN ...]      generate every version (no compile) and compare with the spec
  spec check --examples [1.NN ...]
                             then build each version's types (one version per build) and prove
                             they decode the spec's examples and a synthesized instance of every
                             definition (examples decoded N/N per version)
  spec features              print the cargo feature of every version, one per line
  package                    `cargo package` the generator and the client (verified), after
                             checking spec/ holds every pinned spec and their license
  downstream [--specs DIR]   build tests/downstream (a consumer outside the workspace) from the
                             packaged crates with three feature sets, run it against the daemon,
                             then from a git checkout without specs, given DOCKER_ENGINE_API_SPECS
                             (default DIR: ../shared/docker-engine-api)
  busybox [REFERENCE]        make a local busybox image (default busybox:latest) from Debian's
                             busybox-static, through the client's own image import (no internet)
  coverage [--daemon D] [--no-run]
                             run the tests, then list which operations of daemon D's API version
                             they called successfully (D: legacy = Engine 20.10, v1.41, the
                             default; modern = Engine 28.5, v1.51): exercised N/M, and why each
                             other one was not
  bench build [--runs N] [--baseline REV]
                             cold build of a consumer from the packaged crate vs. bollard (N
                             alternating runs, default 3, medians), --timings breakdown,
                             incremental rebuild, spec check time; with --baseline, the tree at
                             git revision REV packaged and built in the same runs too
  fuzz [CASES]               every property test (demux, JSON streams, hosts, image references,
                             .dockerignore, config.json, X-Registry-Auth) with 1,000,000 cases
                             each (or CASES), release mode: cases/s and failures
  load                       the load and fault tests (tests/load.rs) at sizes beyond CI's:
                             concurrent requests and followed streams on one Docker (errors,
                             open fds, peak RSS), a second daemon killed and restarted under load
  bench api                  round trips/s against the local daemon vs. bollard and bare hyper
  bench instructions         client instructions per /_ping under callgrind (needs valgrind)
  bench logs                 2-byte lines and 16 MiB, 256 MiB, 1 GiB of 1 KiB lines: ours and
                             bollard on both runtimes, the CLI example's logs, docker logs, curl
  bench json                 the JSON message decoder: a 16 MiB message whole vs in 64 KiB, 1 KiB,
                             1-byte chunks; an endless line refused at the cap
  bench decode               typed decoding of /info and /images/json bodies in memory: ours,
                             bollard, serde_json::Value
  bench demux                the demultiplexer over 1 GiB of in-memory frames, and served
                             over a socket to this crate and bollard
  bench waits                how long after a container is ready Wait::log (and bollard
                             following its logs), Wait::port and Wait::http return
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = project_root();
    let result = match args.as_slice() {
        ["spec", "sync", rest @ ..] => {
            from_flag(rest).and_then(|from| spec::sync(&root, from.as_deref()))
        }
        ["spec", "add", version, rest @ ..] => {
            from_flag(rest).and_then(|from| spec::add(&root, version, from.as_deref()))
        }
        ["spec", "diff", from, to] => xtask::spec_diff::diff_files(&root, from, to).map(|d| {
            print!(
                "{}",
                d.render(from.trim_start_matches('v'), to.trim_start_matches('v'))
            )
        }),
        ["spec", "check", "--examples", versions @ ..] => {
            let versions: Vec<String> = versions.iter().map(|s| s.to_string()).collect();
            spec::check(&root, &versions).and_then(|reports| {
                let features: Vec<String> = reports
                    .iter()
                    .filter_map(|r| docker_engine_codegen::minor_of(&r.version))
                    .map(|minor| format!("v1_{minor}"))
                    .collect();
                xtask::examples::check(&root, &features).map(|_| ())
            })
        }
        ["spec", "check", versions @ ..] => {
            let versions: Vec<String> = versions.iter().map(|s| s.to_string()).collect();
            spec::check(&root, &versions).map(|_| ())
        }
        ["package"] => xtask::package::package(&root).map(|_| ()),
        ["downstream"] => xtask::package::downstream(&root, None),
        ["downstream", "--specs", dir] => {
            xtask::package::downstream(&root, Some(std::path::Path::new(dir)))
        }
        ["bench", "build", rest @ ..] => bench_build_options(rest)
            .and_then(|(runs, baseline)| xtask::bench::build(&root, runs, baseline)),
        ["bench", "api"] => xtask::bench::api(&root),
        ["bench", "waits"] => xtask::bench::waits(&root),
        ["bench", "instructions"] => xtask::bench::instructions(&root),
        ["bench", "logs"] => xtask::bench::logs(&root),
        ["bench", "demux"] => xtask::bench::demux(&root),
        ["bench", "json"] => xtask::bench::json(&root),
        ["bench", "decode"] => xtask::bench::decode(&root),
        ["load"] => xtask::load::load(&root),
        ["fuzz"] => xtask::fuzz::fuzz(&root, xtask::fuzz::DEFAULT_CASES),
        ["fuzz", cases] => cases
            .parse()
            .map_err(|_| format!("fuzz takes a number of cases, not {cases}"))
            .and_then(|n| xtask::fuzz::fuzz(&root, n)),
        ["busybox", rest @ ..] => busybox(&root, rest),
        ["coverage", rest @ ..] => coverage(&root, rest),
        ["spec", "features"] => spec::features(&root).map(|f| println!("{}", f.join("\n"))),
        [] | ["help" | "--help" | "-h"] => {
            print!("{HELP}");
            Ok(())
        }
        _ => Err(format!("unknown command: {}\n\n{HELP}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `bench build`'s options: `--runs N` (default 3) and `--baseline REV`, in any order.
fn bench_build_options<'a>(mut rest: &[&'a str]) -> Result<(usize, Option<&'a str>), String> {
    let (mut runs, mut baseline) = (3, None);
    loop {
        match rest {
            [] => return Ok((runs, baseline)),
            ["--runs", n, more @ ..] => {
                runs = n
                    .parse()
                    .map_err(|_| format!("--runs takes a number, not {n}"))?;
                rest = more;
            }
            ["--baseline", rev, more @ ..] => {
                baseline = Some(*rev);
                rest = more;
            }
            [other, ..] => return Err(format!("bench build: unknown option {other}")),
        }
    }
}

/// `cargo xtask busybox`: runs the `import_busybox` example, which imports through the client.
/// (The xtask does not link the client itself: it must build before the specs are synced.)
/// `cargo xtask coverage [--daemon legacy|modern] [--no-run]`.
fn coverage(root: &std::path::Path, args: &[&str]) -> Result<(), String> {
    let mut daemon = xtask::coverage::Daemon::Legacy;
    let mut run_tests = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--no-run" => run_tests = false,
            "--daemon" => {
                daemon = match args.next().copied() {
                    Some("legacy") => xtask::coverage::Daemon::Legacy,
                    Some("modern") => xtask::coverage::Daemon::Modern,
                    other => return Err(format!("--daemon takes legacy or modern, not {other:?}")),
                }
            }
            other => return Err(format!("coverage: unknown argument {other}")),
        }
    }
    xtask::coverage::coverage(root, daemon, run_tests)
}

fn busybox(root: &std::path::Path, rest: &[&str]) -> Result<(), String> {
    let status = std::process::Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["run", "--quiet", "--example", "import_busybox", "--"])
        .args(rest)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("import_busybox failed ({status})"))
    }
}

fn from_flag(rest: &[&str]) -> Result<Option<PathBuf>, String> {
    match rest {
        [] => Ok(None),
        ["--from", dir] => Ok(Some(PathBuf::from(dir))),
        other => Err(format!("unexpected arguments: {}", other.join(" "))),
    }
}
