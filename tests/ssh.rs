//! `ssh://` hosts against a real sshd (started by `.ci/setup` on 127.0.0.1:2222) in front of the
//! real daemon: the system `ssh` runs `docker system dial-stdio` for user `dockertest`. Version,
//! an image import, run, logs, attach with stdin and a pull from the test registry go through
//! it; `DOCKER_HOST` and contexts select it; several requests in flight use several ssh
//! processes, which end with the connection; and a wrong key, a wrong port, a remote host without
//! `docker` or a missing remote socket are each one clear error quoting ssh, in bounded time.
//!
//! What the tests make is removed over the local socket (the same daemon).

#![cfg(feature = "v1_55")]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use docker_engine_client::stream::{self, AttachOptions, ByteStreamExt, OutputChunk, StdStream};
use docker_engine_client::v1_55::{Client, types};
use docker_engine_client::{Docker, DockerBuilder, Error, Host, TransportError};
use futures_util::TryStreamExt;
use tokio::io::AsyncWriteExt;

/// The test user that reaches the daemon's socket.
const USER: &str = "dockertest";

/// `ssh://dockertest@127.0.0.1:2222`, with the setup's key.
fn ssh_docker(marker: &str) -> Docker {
    Docker::builder()
        .host(format!("ssh://{USER}@{}", support::SSHD))
        .ssh_options(support::ssh_options("client_key", marker))
        .build()
        .unwrap()
}

/// The local daemon (for clean-up) and the same daemon through ssh, or `None` to skip.
fn peers(marker: &str) -> Option<(Docker, Docker)> {
    let local = support::docker()?;
    support::require_sshd()?;
    Some((local, ssh_docker(marker)))
}

/// Collects demultiplexed output into (stdout, stderr).
async fn collect(
    output: impl futures_core::Stream<Item = Result<OutputChunk, docker_engine_client::StreamError>>
    + Unpin,
) -> (String, String) {
    let items: Vec<OutputChunk> = output.try_collect().await.unwrap();
    let mut parts = (String::new(), String::new());
    for item in items {
        let text = String::from_utf8_lossy(&item.bytes);
        match item.stream {
            StdStream::Stderr => parts.1.push_str(&text),
            _ => parts.0.push_str(&text),
        }
    }
    parts
}

fn body(image: &str, cmd: &[&str]) -> types::ContainerCreateBody {
    types::ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

#[tokio::test]
#[ignore = "needs a Docker daemon and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn version_import_run_and_logs_over_ssh() {
    let marker = support::unique("ssh-run");
    let Some((local, docker)) = peers(&marker) else {
        return;
    };
    assert!(
        matches!(docker.host(), Host::Ssh { user: Some(u), port: Some(2222), .. } if u == USER)
    );
    let client: Client = docker.client().await.unwrap();
    let version = client.system_version().send().await.unwrap().into_inner();
    let local_client: Client = local.client().await.unwrap();
    let local_version = local_client
        .system_version()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(version.api_version, local_version.api_version);
    assert!(version.api_version.is_some());

    let cleanup = support::Cleanup::new(&local);
    // A request body of a few MB (the image) goes up through ssh.
    let image = support::import_busybox(&client, &support::unique("ssh")).await;
    cleanup.image(&image);
    let id = cleanup
        .run(
            &client,
            body(
                &image,
                &["sh", "-c", "echo out over ssh; echo err over ssh >&2"],
            ),
        )
        .await;
    let exit = client
        .container_wait()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(exit.status_code, 0);
    let logs = client
        .container_logs()
        .id(&id)
        .stdout(true)
        .stderr(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        collect(logs.into_output(false)).await,
        ("out over ssh\n".into(), "err over ssh\n".into())
    );
}

#[tokio::test]
#[ignore = "needs a Docker daemon and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn attach_with_stdin_over_ssh() {
    let marker = support::unique("ssh-attach");
    let Some((local, docker)) = peers(&marker) else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&local);
    let image = support::import_busybox(&client, &support::unique("ssh-attach")).await;
    cleanup.image(&image);
    let mut create = body(&image, &["cat"]);
    create.open_stdin = true;
    create.stdin_once = true;
    create.attach_stdin = true;
    create.attach_stdout = true;
    let id = cleanup.create(&client, create).await;
    // A hijacked connection, through the forwarder and ssh.
    let mut hijacked = stream::attach(&client, &id, &AttachOptions::default())
        .await
        .unwrap();
    client.container_start().id(&id).send().await.unwrap();
    hijacked
        .stdin
        .write_all(b"typed over ssh\nand more\n")
        .await
        .unwrap();
    hijacked.stdin.shutdown().await.unwrap();
    let out = tokio::time::timeout(Duration::from_secs(30), collect(hijacked.output))
        .await
        .expect("stdin's EOF ended cat");
    assert_eq!(out.0, "typed over ssh\nand more\n");
    let exit = client.container_wait().id(&id).send().await.unwrap();
    assert_eq!(exit.into_inner().status_code, 0);
}

#[tokio::test]
#[ignore = "needs a Docker daemon, the test registry on 127.0.0.1:5000 and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn pull_from_the_registry_over_ssh() {
    let marker = support::unique("ssh-pull");
    let Some((local, docker)) = peers(&marker) else {
        return;
    };
    support::require_registry().unwrap_or_else(|| panic!("registry needed"));
    let local_client: Client = local.client().await.unwrap();
    let cleanup = support::Cleanup::new(&local);
    // Pushed over the local socket, removed, then pulled through ssh.
    let image = support::registry_image(&local_client, &cleanup, "ssh-pull").await;
    let creds = support::registry_credentials();
    support::push(&local_client, &image, &creds).await.unwrap();
    local_client
        .image_delete()
        .name(&image)
        .send()
        .await
        .unwrap();

    let client: Client = docker.client().await.unwrap();
    let progress = client
        .image_create()
        .from_image(&image)
        .x_registry_auth(&creds)
        .send()
        .await
        .unwrap();
    let items: Vec<types::CreateImageInfo> = support::json_items(progress).await.unwrap();
    let last = items.last().and_then(|i| i.status.as_deref()).unwrap_or("");
    assert!(last.contains("Downloaded newer image"), "{items:?}");
    // The pulled layer is the one pushed: its own file is there.
    let inspected = client.image_inspect().name(&image).send().await.unwrap();
    assert!(inspected.into_inner().id.is_some());
}

#[tokio::test]
#[ignore = "needs a Docker daemon and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn docker_host_and_contexts_select_ssh() {
    let marker = support::unique("ssh-env");
    if peers(&marker).is_none() {
        return;
    }
    let host = format!("ssh://{USER}@{}", support::SSHD);
    let config = tempfile::tempdir().unwrap();
    support::write_context(config.path(), "over-ssh", &host);
    let config_dir = config.path().to_str().unwrap().to_string();
    let settings: [&[(&str, &str)]; 2] = [
        &[("DOCKER_HOST", &host), ("HOME", "/nonexistent")],
        &[
            ("DOCKER_CONTEXT", "over-ssh"),
            ("DOCKER_CONFIG", &config_dir),
        ],
    ];
    for vars in settings {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        let docker = DockerBuilder::from_env_with(&|key| vars.get(key).map(|v| v.to_string()))
            .unwrap()
            .ssh_options(support::ssh_options("client_key", &marker))
            .build()
            .unwrap();
        assert_eq!(docker.host().to_string(), host, "{vars:?}");
        let client: Client = docker.client().await.unwrap();
        client.system_ping().send().await.unwrap();
    }
}

#[tokio::test]
#[ignore = "needs a Docker daemon and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn requests_in_flight_use_several_ssh_processes_which_end_with_the_connection() {
    let marker = support::unique("ssh-pool");
    let Some((_local, docker)) = peers(&marker) else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    // Requests one after another reuse one connection: one ssh.
    for _ in 0..5 {
        client.system_ping().send().await.unwrap();
    }
    assert_eq!(support::ssh_processes(&marker), 1);

    // Three event streams open at once: three connections, three ssh processes.
    let mut streams = Vec::new();
    for _ in 0..3 {
        streams.push(client.system_events().send().await.unwrap());
    }
    let running = support::ssh_processes(&marker);
    assert!(
        running >= 3,
        "{running} ssh processes for 3 streams in flight"
    );

    // Each stream's connection closes when the stream is dropped, and its ssh ends.
    drop(streams);
    let fewer = support::eventually(100, Duration::from_millis(100), || async {
        (support::ssh_processes(&marker) <= 1).then_some(())
    })
    .await;
    assert!(
        fewer.is_some(),
        "{} ssh processes left",
        support::ssh_processes(&marker)
    );
    client.system_ping().send().await.unwrap();

    // Dropping the connection (every clone and client) ends them all.
    drop(client);
    drop(docker);
    let none = support::eventually(100, Duration::from_millis(100), || async {
        (support::ssh_processes(&marker) == 0).then_some(())
    })
    .await;
    assert!(
        none.is_some(),
        "{} ssh processes left",
        support::ssh_processes(&marker)
    );
}

/// The first request through `host` with the setup's `key` fails: the error, within 30 s.
async fn failure(host: &str, key: &str, marker: &str) -> (TransportError, Duration) {
    let docker = Docker::builder()
        .host(host)
        .ssh_options(support::ssh_options(key, marker))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(30), docker.client::<Client>())
        .await
        .expect("a failed ssh is an error, never a hang");
    let elapsed = started.elapsed();
    match result {
        Err(Error::Transport(e)) => {
            eprintln!("{host}: in {elapsed:?}: {e}");
            (e, elapsed)
        }
        Err(other) => panic!("{host}: expected a transport error, got {other:?}"),
        Ok(_) => panic!("{host}: expected a failure"),
    }
}

fn assert_ssh_failure(error: &TransportError, needle: &str) {
    let TransportError::Ssh { stderr, status, .. } = error else {
        panic!("expected TransportError::Ssh, got {error:?}");
    };
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
    assert!(!status.is_empty());
    let shown = error.to_string();
    assert!(
        shown.contains("ssh failed") && shown.contains(needle),
        "{shown}"
    );
    assert!(stderr.len() <= 4 * 1024 + 4, "bounded: {}", stderr.len());
}

#[tokio::test]
#[ignore = "needs a Docker daemon and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn failed_ssh_is_one_clear_error_quoting_ssh() {
    let marker = support::unique("ssh-fail");
    if peers(&marker).is_none() {
        return;
    }
    // A key the server does not accept.
    let (error, took) = failure(
        &format!("ssh://{USER}@{}", support::SSHD),
        "wrong_key",
        &marker,
    )
    .await;
    assert_ssh_failure(&error, "Permission denied");
    assert!(took < Duration::from_secs(15), "{took:?}");

    // A port nothing listens on.
    let (error, took) = failure("ssh://dockertest@127.0.0.1:1", "client_key", &marker).await;
    assert_ssh_failure(&error, "Connection refused");
    assert!(took < Duration::from_secs(15), "{took:?}");

    // A remote user whose PATH has no docker.
    let (error, took) = failure(
        &format!("ssh://dockertest-nodocker@{}", support::SSHD),
        "client_key",
        &marker,
    )
    .await;
    assert_ssh_failure(&error, "docker: not found");
    assert!(took < Duration::from_secs(15), "{took:?}");

    // A socket path on the remote host where no daemon listens: the remote docker CLI says so.
    let (error, took) = failure(
        &format!("ssh://{USER}@{}/nonexistent/docker.sock", support::SSHD),
        "client_key",
        &marker,
    )
    .await;
    assert_ssh_failure(&error, "/nonexistent/docker.sock");
    assert!(took < Duration::from_secs(15), "{took:?}");

    // Every ssh of these is gone.
    let none = support::eventually(50, Duration::from_millis(100), || async {
        (support::ssh_processes(&marker) == 0).then_some(())
    })
    .await;
    assert!(none.is_some());
}

/// The forwarder has a thread and runtime of its own: a `Docker` built outside any runtime
/// works from one runtime, and from another after the first is gone.
#[test]
#[ignore = "needs a Docker daemon and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
fn built_outside_a_runtime_and_used_from_two() {
    let marker = support::unique("ssh-runtimes");
    let Some((_local, docker)) = peers(&marker) else {
        return;
    };
    for _ in 0..2 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let client: Client = docker.client().await.unwrap();
            client.system_ping().send().await.unwrap();
        });
        drop(runtime);
    }
    drop(docker);
    assert_eq!(support::ssh_processes(&marker), 0);
}

/// A hijacked connection to a silent container: its ssh ends when the connection is dropped,
/// not when the container next writes or exits.
#[tokio::test]
#[ignore = "needs a Docker daemon and the test sshd on 127.0.0.1:2222 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn a_dropped_hijacked_connection_ends_its_ssh() {
    let marker = support::unique("ssh-drop");
    let Some((local, docker)) = peers(&marker) else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&local);
    let image = support::import_busybox(&client, &support::unique("ssh-drop")).await;
    cleanup.image(&image);
    let id = cleanup.run(&client, body(&image, &["sleep", "600"])).await;
    let options = AttachOptions {
        stdin: false,
        ..AttachOptions::default()
    };
    // The attach takes a connection of the pool (or a new one) for itself.
    let attached = stream::attach(&client, &id, &options).await.unwrap();
    let during = support::ssh_processes(&marker);
    assert!(during >= 1);
    drop(attached);
    let ended = support::eventually(50, Duration::from_millis(100), || async {
        (support::ssh_processes(&marker) == during - 1).then_some(())
    })
    .await;
    assert!(
        ended.is_some(),
        "{} ssh processes, {during} during the attach",
        support::ssh_processes(&marker)
    );
}
