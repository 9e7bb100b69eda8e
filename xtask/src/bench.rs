//! `cargo xtask bench build`: cold and incremental build times of a small binary using this crate,
//! side by side with the same binary using bollard, plus `spec check` wall time, in one run.
//!
//! Each binary is its own throwaway project in a temp folder with its own fresh target folder;
//! dependencies are fetched before the clock starts, so the network is not measured.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const OURS_MAIN: &str = r#"use docker_engine_client::{hooks::Hooks, http, v1_55::Client};
#[tokio::main]
async fn main() {
    let http = http::builder().unix_socket("/var/run/docker.sock").build().unwrap();
    let docker = Client::new_with_client("http://docker/v1.41", http, Hooks::default());
    let list = docker.container_list().all(true).send().await.unwrap().into_inner();
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

/// Runs the build benchmark and prints a Markdown table.
pub fn build(root: &Path) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("dec-bench-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ours_dep = format!(
        "docker-engine-client = {{ path = {:?} }}",
        root.display().to_string()
    );
    let ours = project(&dir, "ours", &ours_dep, OURS_MAIN)?;
    let bollard = project(&dir, "with-bollard", "bollard = \"0.21\"", BOLLARD_MAIN)?;

    for p in [&ours, &bollard] {
        run(Command::new("cargo").arg("fetch").current_dir(p))?;
    }
    let rustc = String::from_utf8_lossy(
        &Command::new("rustc")
            .arg("-V")
            .output()
            .map_err(|e| e.to_string())?
            .stdout,
    )
    .trim()
    .to_string();
    let bollard_cold = timed(
        Command::new("cargo")
            .args(["build", "--offline"])
            .current_dir(&bollard),
    )?;
    let ours_cold = timed(
        Command::new("cargo")
            .args(["build", "--offline"])
            .current_dir(&ours),
    )?;
    // Incremental: touch a handwritten file of the library and rebuild.
    let touched = root.join("src/http.rs");
    let text = std::fs::read(&touched).map_err(|e| e.to_string())?;
    std::fs::write(&touched, &text).map_err(|e| e.to_string())?;
    let ours_incremental = timed(
        Command::new("cargo")
            .args(["build", "--offline"])
            .current_dir(&ours),
    )?;
    let check = timed(
        Command::new("cargo")
            .args(["xtask", "spec", "check"])
            .current_dir(root),
    )?;
    let _ = std::fs::remove_dir_all(&dir);

    let s = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    println!(
        "{rustc}, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| what | time |\n|---|---|");
    println!(
        "| cold `cargo build`, binary using bollard 0.21 (default features) | {} |",
        s(bollard_cold)
    );
    println!(
        "| cold `cargo build`, binary using docker-engine-client (default features) | {} |",
        s(ours_cold)
    );
    println!(
        "| ratio ours / bollard | {:.2}× |",
        ours_cold.as_secs_f64() / bollard_cold.as_secs_f64()
    );
    println!(
        "| rebuild after touching `src/http.rs` | {} |",
        s(ours_incremental)
    );
    println!(
        "| `cargo xtask spec check` (31 versions, generation only) | {} |",
        s(check)
    );
    Ok(())
}

fn project(
    dir: &Path,
    name: &str,
    dependency: &str,
    main: &str,
) -> Result<std::path::PathBuf, String> {
    let p = dir.join(name);
    std::fs::create_dir_all(p.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n[dependencies]\n{dependency}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
    );
    std::fs::write(p.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(p.join("src/main.rs"), main).map_err(|e| e.to_string())?;
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
    for client in ["ours", "reqwest", "hyper", "bollard"] {
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

/// `cargo xtask bench logs`: a container's real output (16 MiB and 256 MiB of 1 KiB lines) read
/// end to end by this crate, by bollard and by `docker logs`, with each client's peak RSS.
pub fn logs(root: &Path) -> Result<(), String> {
    let binary = bench_binary(root)?;
    let tag = format!("dec-bench-busybox-{}", std::process::id());
    // A busybox image, imported with the docker CLI from Debian's static busybox.
    let rootfs = std::env::temp_dir().join(format!("dec-bench-rootfs-{}", std::process::id()));
    std::fs::create_dir_all(rootfs.join("bin")).map_err(|e| e.to_string())?;
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox"))
        .map_err(|e| format!("/bin/busybox: {e}"))?;
    for applet in ["sh", "yes", "head", "tr"] {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet))
            .map_err(|e| e.to_string())?;
    }
    let import = format!("tar -C {} -c . | docker import - {tag}", rootfs.display());
    run(Command::new("sh").args(["-c", &import]))?;
    let _ = std::fs::remove_dir_all(&rootfs);

    println!("| output | client | median time | throughput | peak RSS |\n|---|---|---|---|---|");
    for mib in [16u64, 256, 1024] {
        let bytes = mib << 20;
        let name = format!("dec-bench-logs-{mib}-{}", std::process::id());
        let script = format!("yes $(head -c 1023 /dev/zero | tr '\\0' x) | head -c {bytes}");
        run(Command::new("docker")
            .args(["run", "--name", &name, &tag, "sh", "-c", &script])
            .stdout(std::process::Stdio::null()))?;
        // The Rust clients on a current-thread runtime (one stream, one thread) and on tokio's
        // multi-threaded one.
        for client in [
            "ours",
            "ours multi",
            "bollard",
            "bollard multi",
            "docker logs",
        ] {
            let mut times = Vec::new();
            let mut rss = String::from("-");
            for _ in 0..3 {
                let start = Instant::now();
                if client == "docker logs" {
                    run(
                        Command::new("sh").args(["-c", &format!("docker logs {name} > /dev/null")])
                    )?;
                    times.push(start.elapsed().as_secs_f64());
                } else {
                    let (which, threads) = client.split_once(' ').unwrap_or((client, "current"));
                    let out = Command::new(&binary)
                        .args(["logs", which, &name])
                        .env("DEC_BENCH_THREADS", threads)
                        .output()
                        .map_err(|e| e.to_string())?;
                    let text = String::from_utf8_lossy(&out.stdout);
                    let fields: Vec<&str> = text.split_whitespace().collect();
                    if fields.len() != 4 || fields[1] != bytes.to_string() {
                        return Err(format!(
                            "{client}: unexpected output {text:?} {}",
                            String::from_utf8_lossy(&out.stderr)
                        ));
                    }
                    times.push(fields[2].parse().unwrap_or(f64::NAN));
                    rss = format!("{} MiB", fields[3].parse::<u64>().unwrap_or(0) / 1024);
                }
            }
            times.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let t = times[1];
            println!(
                "| {mib} MiB | {client} | {t:.2} s | {:.0} MiB/s | {rss} |",
                mib as f64 / t
            );
        }
        let _ = Command::new("docker").args(["rm", "-f", &name]).output();
    }
    let _ = Command::new("docker").args(["rmi", "-f", &tag]).output();
    Ok(())
}

/// `cargo xtask bench demux`: the demultiplexer over 1 GiB of in-memory frames, then 1 GiB of
/// frames served from memory over a unix socket and read by this crate and by bollard.
pub fn demux(root: &Path) -> Result<(), String> {
    let binary = bench_binary(root)?;
    run(Command::new(&binary).arg("demux"))?;
    run(Command::new(&binary).arg("served"))
}
