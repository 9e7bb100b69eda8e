//! Every example, run as a program against the real daemon with its output checked; and the
//! docker-like CLI example compared with the docker CLI itself for the same containers.
//!
//! The example binaries are the ones `cargo test` builds beside this test (target/…/examples).

#![cfg(feature = "v1_55")]

mod support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Once;

/// An example's binary, built by `cargo test` next to this test's own.
fn example(name: &str) -> Command {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path: PathBuf = dir.join(name);
    assert!(
        path.exists(),
        "{} was not built: `cargo test` builds the examples unless targets are picked \
         (`--test examples` alone does not; `cargo build --examples` first)",
        path.display()
    );
    let mut command = Command::new(path);
    // The CLI's environment, pointing at the test daemon; no user credentials.
    if let Some(socket) = support::daemon_socket() {
        command.env("DOCKER_HOST", format!("unix://{}", socket.display()));
    }
    command
        .env_remove("DOCKER_API_VERSION")
        .env_remove("DOCKER_CONTEXT");
    command
}

fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `busybox:latest`, made once per test process by the `import_busybox` example.
fn busybox() -> Option<()> {
    support::daemon_socket()?;
    static IMPORT: Once = Once::new();
    IMPORT.call_once(|| {
        let out = run(&mut example("import_busybox"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("imported busybox:latest sha256:"),
            "{}",
            text(&out.stdout)
        );
    });
    Some(())
}

/// Runs `docker` (the CLI) with `args`.
fn docker_cli(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the docker CLI (docker.io)")
}

#[test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
fn seed_flows_print_hello_world() {
    if busybox().is_none() {
        return;
    }
    let out = run(&mut example("run_one_line"));
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), "hello world\n".into())
    );
    let out = run(&mut example("raw_calls"));
    assert_eq!(
        text(&out.stdout),
        "hello world\nexit code 0\n",
        "{}",
        text(&out.stderr)
    );
    let out = run(&mut example("go_sdk_style"));
    assert_eq!(
        text(&out.stdout),
        "hello world\nexit code 0\n",
        "{}",
        text(&out.stderr)
    );
    let out = run(&mut example("version"));
    assert!(
        text(&out.stdout).contains("daemon API: 1.41"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&mut example("pick_version"));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("v1_55 types, speaking 1.41") && shown.contains("pinned to 1.40"),
        "{shown}"
    );
}

#[test]
#[ignore = "needs a Docker daemon and the docker CLI: cargo test -- --include-ignored (CI runs them)"]
fn listing_events_prune_build_and_exec_examples() {
    if busybox().is_none() {
        return;
    }
    let label = support::unique("examples");
    // Removed at the end whatever happens (by name: the examples make them).
    let cleanup = support::Cleanup::new(&support::docker().unwrap());
    cleanup.container(&label);
    // A stopped container, made by the CLI example.
    let out =
        run(example("docker").args(["run", "--name", &label, "busybox", "sh", "-c", "exit 0"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let labelled =
        run(Command::new("docker").args(["container", "inspect", "-f", "{{.Id}}", &label]));
    let id = text(&labelled.stdout).trim().to_string();
    assert_eq!(id.len(), 64, "{}", text(&labelled.stderr));

    // Its events, right away: the daemon keeps only the last 256 in memory.
    let out = run(example("events").args(["container", "60", &label]));
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(shown.contains(&format!("create {id}")), "{shown}");

    let out = run(example("list_containers").arg(format!("none={label}")));
    let shown = text(&out.stdout);
    assert!(shown.contains("exited with 0"), "{shown}");
    assert!(
        shown.contains(&format!("/{label}")),
        "named filter lists it: {shown}"
    );

    // build_dir: a context directory with a .dockerignore'd file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM busybox\nCOPY . /ctx\nRUN ls /ctx > /listing\nCMD [\"cat\", \"/listing\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("kept.txt"), "kept").unwrap();
    std::fs::write(dir.path().join("secret.env"), "no").unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "*.env\n").unwrap();
    let tag = format!("{label}-built:latest");
    cleanup.image(&tag);
    let out = run(example("build_dir").arg(dir.path()).arg(&tag));
    assert!(
        text(&out.stdout).contains(&format!("built {tag}")),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let listing = run(example("docker").args(["run", "--rm", &tag]));
    let listing = text(&listing.stdout);
    assert!(
        listing.contains("kept.txt") && !listing.contains("secret.env"),
        "{listing}"
    );
    run(example("docker").args(["rmi", &tag]));

    // exec_interactive on a running container.
    let running = format!("{label}-running");
    cleanup.container(&running);
    let started = docker_cli(&[
        "run",
        "-d",
        "--label",
        &format!("dec.test={label}"),
        "--name",
        &running,
        "busybox",
        "sleep",
        "60",
    ]);
    assert!(started.status.success(), "{}", text(&started.stderr));
    let mut exec = example("exec_interactive");
    let child = exec
        .arg(&running)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut child = child;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"echo hi from exec; exit 4\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        text(&out.stdout),
        "hi from exec\nexit code 4\n",
        "{}",
        text(&out.stderr)
    );
    let _ = docker_cli(&["rm", "-f", &running]);

    // prune: the stopped container with the label goes, nothing else.
    let stopped = format!("{label}-stopped");
    cleanup.container(&stopped);
    let made = docker_cli(&[
        "create",
        "--label",
        &format!("dec.test={label}"),
        "--name",
        &stopped,
        "busybox",
        "true",
    ]);
    let stopped_id = text(&made.stdout).trim().to_string();
    let out = run(example("prune").arg(format!("dec.test={label}")));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pruned = text(&out.stdout);
    assert!(
        pruned.contains(&stopped_id) && !pruned.contains(&id),
        "{pruned}"
    );
    let _ = docker_cli(&["rm", "-f", &label]);
}

#[test]
#[ignore = "needs a Docker daemon and the docker CLI: cargo test -- --include-ignored (CI runs them)"]
fn the_cli_example_runs_like_the_docker_cli() {
    if busybox().is_none() {
        return;
    }
    for args in [
        &[
            "run",
            "--rm",
            "busybox",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ][..],
        &[
            "run",
            "--rm",
            "-e",
            "A=b c",
            "busybox",
            "sh",
            "-c",
            "echo \"$A\"; printf no-newline",
        ],
        &["run", "--rm", "busybox", "true"],
        &["run", "--rm", "-t", "busybox", "echo", "tty"],
        &["run", "--rm", "busybox", "/no/such/command"],
    ] {
        let ours = run(example("docker").args(args));
        let theirs = docker_cli(args);
        assert_eq!(
            (ours.status.code(), text(&ours.stdout)),
            (theirs.status.code(), text(&theirs.stdout)),
            "{args:?}: stderr ours {:?}, docker's {:?}",
            text(&ours.stderr),
            text(&theirs.stderr)
        );
        if theirs.status.success() || theirs.status.code() == Some(3) {
            assert_eq!(text(&ours.stderr), text(&theirs.stderr), "{args:?}");
        }
    }

    // -i forwards stdin.
    let mut child = example("docker")
        .args(["run", "--rm", "-i", "busybox", "wc", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"12345").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout).trim(), "5");

    // The other subcommands, against what the daemon and the CLI say.
    let name = support::unique("cli");
    let cleanup = support::Cleanup::new(&support::docker().unwrap());
    cleanup.container(&name);
    let out = run(example("docker").args([
        "run",
        "--name",
        &name,
        "busybox",
        "sh",
        "-c",
        "echo logged; echo warned >&2",
    ]));
    assert!(out.status.success());
    let logs = run(example("docker").args(["logs", &name]));
    let cli_logs = docker_cli(&["logs", &name]);
    assert_eq!(
        (text(&logs.stdout), text(&logs.stderr)),
        (text(&cli_logs.stdout), text(&cli_logs.stderr))
    );
    let ps = run(example("docker").args(["ps", "-a", "-q", "--filter", &format!("name={name}")]));
    let cli_ps = docker_cli(&["ps", "-a", "-q", "--filter", &format!("name={name}")]);
    assert_eq!(text(&ps.stdout), text(&cli_ps.stdout));
    assert!(!text(&ps.stdout).trim().is_empty());
    let rm = run(example("docker").args(["rm", &name]));
    assert_eq!(text(&rm.stdout).trim(), name);
    let gone = run(example("docker").args(["logs", &name]));
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        text(&gone.stderr).starts_with("docker: ")
            && text(&gone.stderr).contains("No such container"),
        "{}",
        text(&gone.stderr)
    );

    let version = run(example("docker").arg("version"));
    let shown = text(&version.stdout);
    assert!(
        shown.contains("1.55 (compiled)") && shown.contains("Negotiated:        1.41"),
        "{shown}"
    );
    let info = run(example("docker").arg("info"));
    assert!(
        text(&info.stdout).contains("Server Version: 20.10"),
        "{}",
        text(&info.stdout)
    );

    // import, images, rmi.
    let tarball = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tarball.path(), support::busybox_rootfs_tar()).unwrap();
    let reference = format!("{name}-imported:v1");
    cleanup.image(&reference);
    let imported = run(example("docker")
        .arg("import")
        .arg(tarball.path())
        .arg(&reference));
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let images =
        run(example("docker").args(["images", "--filter", &format!("reference={reference}")]));
    assert!(
        text(&images.stdout).contains(&format!("{name}-imported")),
        "{}",
        text(&images.stdout)
    );
    let rmi = run(example("docker").args(["rmi", &reference]));
    assert!(
        text(&rmi.stdout).contains(&format!("Untagged: {reference}")),
        "{}",
        text(&rmi.stdout)
    );
}

#[test]
#[ignore = "needs a Docker daemon, the docker CLI and the test registry on 127.0.0.1:5000 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
fn the_cli_example_pushes_and_pulls_with_config_json_credentials() {
    if busybox().is_none() || support::require_registry().is_none() {
        return;
    }
    use base64::Engine;
    let (user, password) = support::registry_users().remove(0);
    let config = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    std::fs::write(
        config.path().join("config.json"),
        format!(
            r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#,
            support::REGISTRY
        ),
    )
    .unwrap();
    let image = format!("{}/{}:1", support::REGISTRY, support::unique("cli-push"));
    let cleanup = support::Cleanup::new(&support::docker().unwrap());
    cleanup.image(&image);
    assert!(
        docker_cli(&["tag", "busybox:latest", &image])
            .status
            .success()
    );
    let cli = |args: &[&str]| {
        run(example("docker")
            .env("DOCKER_CONFIG", config.path())
            .args(args))
    };
    let pushed = cli(&["push", &image]);
    assert!(pushed.status.success(), "{}", text(&pushed.stderr));
    // Not a terminal: plain progress lines, the layer's id first.
    let lines = text(&pushed.stdout);
    assert!(
        lines.contains(": Preparing") && lines.contains("digest: sha256:"),
        "{}",
        text(&pushed.stdout)
    );
    assert!(cli(&["rmi", &image]).status.success());
    let pulled = cli(&["pull", &image]);
    assert!(pulled.status.success(), "{}", text(&pulled.stderr));
    assert!(
        text(&pulled.stdout).contains("Status: Downloaded newer image"),
        "{}",
        text(&pulled.stdout)
    );
    assert!(cli(&["rmi", &image]).status.success());

    // Without the config: one line on stderr, non-zero exit.
    let anonymous = run(example("docker")
        .env("DOCKER_CONFIG", tempfile::tempdir().unwrap().path())
        .args(["pull", &image]));
    assert_eq!(anonymous.status.code(), Some(1));
    let err = text(&anonymous.stderr);
    assert!(
        err.starts_with("docker: ") && err.lines().count() == 1,
        "{err}"
    );
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn the_cli_builds_with_buildkit_where_the_daemon_announces_it() {
    let Some(docker) = support::docker_of(support::Daemon::Modern) else {
        return;
    };
    let client: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let base = support::import_busybox(&client, &support::unique("cli-build-base")).await;
    cleanup.image(&base);
    let dir = tempfile::tempdir().unwrap();
    // A step of this run's own (no earlier run's cache has it).
    let token = support::unique("token");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {base}\nARG WHO=nobody\nRUN echo hello-$WHO {token}\nLABEL built=by-the-example\n"
        ),
    )
    .unwrap();
    let tag = format!("{}:latest", support::unique("cli-built"));
    cleanup.image(&tag);
    let host = format!("unix://{}", support::Daemon::Modern.socket().display());
    let build = |extra: &[&str]| {
        let mut command = example("docker");
        command
            .env("DOCKER_HOST", &host)
            .args(["build", "-t", &tag, "--build-arg", "WHO=cli"]);
        command.args(extra).arg(dir.path());
        run(&mut command)
    };

    // As `docker build --progress=plain`: numbered steps, the RUN's output, DONE with a time.
    let out = build(&[]);
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{shown}{}", text(&out.stderr));
    assert!(shown.contains("[2/2] RUN echo hello-"), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with('#') && l.ends_with(&format!("hello-cli {token}"))),
        "{shown}"
    );
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with('#') && l.contains(" DONE ") && l.ends_with('s')),
        "{shown}"
    );
    assert!(shown.contains("writing image sha256:"), "{shown}");
    // Again: the step comes from the cache.
    let again = text(&build(&[]).stdout);
    assert!(
        again
            .lines()
            .any(|l| l.starts_with('#') && l.ends_with(" CACHED")),
        "{again}"
    );
    // --classic: the legacy builder's steps, the same way.
    let classic = build(&["--classic", "--no-cache"]);
    let shown = text(&classic.stdout);
    assert!(classic.status.success(), "{shown}{}", text(&classic.stderr));
    assert!(
        shown.contains("/4] RUN echo hello-$WHO") && shown.contains(&format!("hello-cli {token}")),
        "{shown}"
    );
    // A failing step: one line on stderr naming it, exit 1.
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {base}\nRUN echo about-to-fail && exit 5\n"),
    )
    .unwrap();
    let failed = build(&[]);
    let stderr = text(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("build failed at [2/2] RUN echo about-to-fail"),
        "{stderr}"
    );
    assert!(stderr.contains("about-to-fail"), "{stderr}");
}

#[test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
fn the_harness_example_does_the_trial_program_and_leaves_nothing() {
    if busybox().is_none() {
        return;
    }
    let child = example("harness")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{shown}{}", text(&out.stderr));
    let lines: Vec<&str> = shown.lines().collect();
    assert!(lines[0].contains(" serves on 127.0.0.1:"), "{shown}");
    assert_eq!(lines[1], "exec, exit 0: in the container", "{shown}");
    assert_eq!(lines[2], "index.html", "{shown}");
    assert_eq!(lines[3], "read back: copied in", "{shown}");
    assert!(
        lines[4].contains(" fetched http://") && lines[4].ends_with("/note.txt: copied in"),
        "{shown}"
    );
    // Its network and containers are gone (the label names the process: machine/boot/pid/start).
    let networks = docker_cli(&[
        "network",
        "ls",
        "-q",
        "--filter",
        &format!("name=harness-{pid}"),
    ]);
    assert_eq!(text(&networks.stdout), "");
    let labels = docker_cli(&[
        "ps",
        "-a",
        "--format",
        "{{.Label \"dev.docker-engine-client.process\"}}",
    ]);
    assert!(
        !text(&labels.stdout).contains(&format!("/{pid}/")),
        "{}",
        text(&labels.stdout)
    );
}
