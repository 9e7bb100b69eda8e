//! What changed after API 1.41, on the modern daemon (Engine 28.5, API 1.51, containerd image
//! store) with the v1.51 types: version negotiation from both sides and a refused pin; the
//! `Content-Type` that frames logs, attach and exec (1.42); a container created on several
//! networks at once (1.44) with a gateway priority (1.48); a healthcheck's start interval
//! (1.44); images with their manifests (1.48) and the `platform` of inspect (1.49), history, save
//! and load (1.48), and delete's `platforms` (1.50).
//!
//! The rest of the suite runs on this daemon too (the endpoint groups with the v1.51 types; run,
//! streams, registry, builds, WebSocket attach with the default v1.55 client): this module of the
//! modern daemon's endpoint tests holds only what the legacy daemon cannot do.

use std::time::Duration;

use super::api::types;
use super::common::{body, create, setup};
use crate::support;
use docker_engine_client::stream::{self, AttachOptions, ByteStreamExt, StdStream};
use docker_engine_client::{ApiClient, ApiVersion, Docker, Error, VersionError, v1_41, v1_55};
use futures_util::TryStreamExt;
use serde_json::json;

/// The linux/amd64 platform as the `platform` parameters take it (a JSON OCI platform).
fn this_platform() -> String {
    let architecture = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    json!({"os": "linux", "architecture": architecture}).to_string()
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn versions_are_negotiated_from_both_sides_and_a_too_new_pin_is_refused() {
    let Some(docker) = support::docker_of(support::Daemon::Modern) else {
        return;
    };
    // The default (newest) types negotiate down to the daemon's 1.51.
    let newest: v1_55::Client = docker.client().await.unwrap();
    assert_eq!(newest.api_version(), Some(ApiVersion::new(1, 51)));
    let info = newest.system_info().send().await.unwrap().into_inner();
    assert!(info.id.is_some());
    // A library pinned to v1.41 speaks 1.41 to the 1.51 daemon.
    let old: v1_41::Client = docker.client().await.unwrap();
    assert_eq!(old.api_version(), Some(ApiVersion::new(1, 41)));
    old.container_list().all(true).send().await.unwrap();
    let version = old.system_version().send().await.unwrap().into_inner();
    assert_eq!(version.api_version.as_deref(), Some("1.51"));

    // Pinned above the daemon: its refusal is a VersionError naming both versions.
    let socket = support::Daemon::Modern.socket();
    let pinned = Docker::builder()
        .host(format!("unix://{}", socket.display()))
        .api_version(ApiVersion::new(1, 52))
        .build()
        .unwrap();
    let client: v1_55::Client = pinned.client().await.unwrap();
    let err = client.system_info().send().await.unwrap_err();
    match &err {
        Error::Version(VersionError::ClientTooNew {
            client,
            daemon_maximum,
        }) => assert_eq!((client.as_str(), daemon_maximum.as_str()), ("1.52", "1.51")),
        other => panic!("not a VersionError: {other:?}"),
    }
    assert!(
        err.to_string().contains("1.52") && err.to_string().contains("1.51"),
        "{err}"
    );

    // DOCKER_API_VERSION does the same for a program (the CLI example: one line, exit 1).
    let example = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/docker");
    if example.exists() {
        let out = std::process::Command::new(example)
            .arg("info")
            .env("DOCKER_HOST", format!("unix://{}", socket.display()))
            .env("DOCKER_API_VERSION", "1.52")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("1.52") && stderr.contains("1.51"),
            "{stderr}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn logs_attach_and_exec_are_framed_by_the_content_type() {
    let Some((docker, client, cleanup, image)) = setup("framing").await else {
        return;
    };
    let plain = create(
        &client,
        &cleanup,
        json!({"Image": image, "Cmd": ["sh", "-c", "echo out; echo err >&2; sleep 30"], "StopTimeout": 1}),
    )
    .await;
    client.container_start().id(&plain).send().await.unwrap();
    let tty = create(
        &client,
        &cleanup,
        json!({"Image": image, "Cmd": ["sh", "-c", "echo on-a-tty; sleep 30"], "Tty": true, "StopTimeout": 1}),
    )
    .await;
    client.container_start().id(&tty).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Logs: the daemon says which framing it used.
    let logs = client
        .container_logs()
        .id(&plain)
        .stdout(true)
        .stderr(true)
        .send()
        .await
        .unwrap();
    let content_type = logs.headers().get("content-type").cloned();
    assert_eq!(
        content_type.as_ref().map(|v| v.to_str().unwrap()),
        Some("application/vnd.docker.multiplexed-stream")
    );
    // Believed even when the caller's TTY flag is wrong.
    let (out, err, _) = support::output_text(logs.into_output(true)).await;
    assert_eq!((out.as_str(), err.as_str()), ("out\n", "err\n"));
    let logs = client
        .container_logs()
        .id(&tty)
        .stdout(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        logs.headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap()),
        Some("application/vnd.docker.raw-stream")
    );
    let (_, _, text) = support::output_text(logs.into_output(false)).await;
    assert!(text.contains("on-a-tty"), "{text:?}");

    // Exec (hijacked, its version known): separated output and its exit code.
    let newest: v1_55::Client = docker.client().await.unwrap();
    let exec = client
        .container_exec()
        .id(&plain)
        .body(body::<types::ExecConfig>(json!({
            "AttachStdout": true, "AttachStderr": true,
            "Cmd": ["sh", "-c", "echo exec-out; echo exec-err >&2; exit 4"]
        })))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    let hijacked = stream::exec_start(&newest, &exec, false).await.unwrap();
    let (out, err, _) = support::output_text(hijacked.output).await;
    assert_eq!((out.as_str(), err.as_str()), ("exec-out\n", "exec-err\n"));
    let inspected = client
        .exec_inspect()
        .id(&exec)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(inspected.exit_code, Some(4));

    // Attach to the TTY container: raw output.
    let mut attached = stream::attach(
        &newest,
        &tty,
        &AttachOptions {
            stdin: false,
            stdout: true,
            stderr: false,
            logs: true,
            // Wrong on purpose: from 1.42 on the daemon's Content-Type decides.
            tty: false,
        },
    )
    .await
    .unwrap();
    client.container_kill().id(&tty).send().await.unwrap();
    let mut all = Vec::new();
    while let Some(chunk) =
        tokio::time::timeout(Duration::from_secs(10), attached.output.try_next())
            .await
            .expect("the attach ends when the container is killed")
            .unwrap()
    {
        assert_eq!(chunk.stream, StdStream::Console);
        all.extend_from_slice(&chunk.bytes);
    }
    assert!(
        String::from_utf8_lossy(&all).contains("on-a-tty"),
        "{all:?}"
    );
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn a_container_joins_several_networks_at_create_with_a_gateway_priority() {
    let Some((_docker, client, cleanup, image)) = setup("networks").await else {
        return;
    };
    let mut names = Vec::new();
    for which in ["a", "b"] {
        let name = support::unique(&format!("net-{which}"));
        let created = client
            .network_create()
            .body(body::<types::NetworkCreateRequest>(
                json!({"Name": name, "Labels": {"dec.test": "modern-networks"}}),
            ))
            .send()
            .await
            .unwrap()
            .into_inner();
        cleanup.network(&created.id);
        names.push(name);
    }
    let id = create(
        &client,
        &cleanup,
        json!({
            "Image": image, "Cmd": ["sleep", "30"], "StopTimeout": 1,
            "HostConfig": {"NetworkMode": names[0]},
            "NetworkingConfig": {"EndpointsConfig": {
                names[0].clone(): {"GwPriority": 10, "Aliases": ["first"]},
                names[1].clone(): {}
            }}
        }),
    )
    .await;
    client.container_start().id(&id).send().await.unwrap();
    let inspected = client
        .container_inspect()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let networks = inspected
        .network_settings
        .and_then(|s| s.networks)
        .unwrap_or_default();
    assert!(
        names.iter().all(|n| networks.contains_key(n)),
        "joined {:?}, asked {names:?}",
        networks.keys().collect::<Vec<_>>()
    );
    assert_eq!(networks[&names[0]].gw_priority, Some(10));
    assert!(networks[&names[1]].gw_priority.unwrap_or(0) == 0);
    assert!(
        networks[&names[0]]
            .aliases
            .as_ref()
            .is_some_and(|a| a.iter().any(|x| x == "first")),
        "{:?}",
        networks[&names[0]].aliases
    );
    assert!(
        networks
            .values()
            .all(|e| e.ip_address.as_deref().is_some_and(|ip| !ip.is_empty())),
        "an address on each network: {networks:?}"
    );
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn a_healthcheck_start_interval_is_kept_and_used() {
    let Some((_docker, client, cleanup, image)) = setup("health").await else {
        return;
    };
    let id = create(
        &client,
        &cleanup,
        json!({
            "Image": image, "Cmd": ["sleep", "30"], "StopTimeout": 1,
            "Healthcheck": {
                "Test": ["CMD", "true"],
                "Interval": 60_000_000_000_i64,
                "StartPeriod": 30_000_000_000_i64,
                "StartInterval": 200_000_000
            }
        }),
    )
    .await;
    let inspected = client
        .container_inspect()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let health = inspected.config.and_then(|c| c.healthcheck).unwrap();
    assert_eq!(health.start_interval, Some(200_000_000));
    assert_eq!(health.interval, Some(60_000_000_000));
    client.container_start().id(&id).send().await.unwrap();
    // With a 60 s interval, only the start interval (during the start period) can make it
    // healthy this soon.
    let healthy = support::eventually(50, Duration::from_millis(200), || async {
        let state = client
            .container_inspect()
            .id(&id)
            .send()
            .await
            .ok()?
            .into_inner()
            .state?;
        let status = state.health?.status?;
        (status == types::HealthStatus::Healthy).then_some(())
    })
    .await;
    assert!(healthy.is_some(), "not healthy within 10 s");
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn images_have_manifests_and_take_platforms() {
    let Some((_docker, client, _cleanup, image)) = setup("platforms").await else {
        return;
    };
    let platform = this_platform();
    // Inspect with its manifests (the containerd image store keeps them).
    let inspected = client
        .image_inspect()
        .name(&image)
        .manifests(true)
        .send()
        .await
        .unwrap()
        .into_inner();
    let manifests = inspected.manifests.unwrap_or_default();
    assert!(
        manifests
            .iter()
            .any(|m| m.kind == types::ImageManifestSummaryKind::Image && m.available),
        "{manifests:?}"
    );
    assert!(inspected.descriptor.is_some());
    // ... and for one platform.
    let for_platform = client
        .image_inspect()
        .name(&image)
        .platform(&platform)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(for_platform.id, inspected.id);
    assert_eq!(for_platform.os.as_deref(), Some("linux"));
    let history = client
        .image_history()
        .name(&image)
        .platform(&platform)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!history.is_empty());

    // Save one platform, load it back under the same name after deleting that platform.
    let saved = client
        .image_get()
        .name(&image)
        .platform(&platform)
        .send()
        .await
        .unwrap();
    let tar = support::read_all(saved.into_body()).await;
    assert!(tar.len() > 100_000, "{} bytes", tar.len());
    let deleted = client
        .image_delete()
        .name(&image)
        .platforms(vec![platform.clone()])
        .force(true)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!deleted.is_empty());
    let gone = client.image_inspect().name(&image).send().await;
    assert!(gone.is_err(), "the only platform was deleted");
    let loaded = client
        .image_load()
        .platform(&platform)
        .body(tar)
        .send()
        .await
        .unwrap();
    let messages: Vec<docker_engine_client::stream::Progress> =
        support::json_items(loaded).await.unwrap();
    assert!(
        messages.iter().any(|m| m
            .stream
            .as_deref()
            .is_some_and(|s| s.contains("Loaded image"))),
        "{messages:?}"
    );
    let back = client
        .image_inspect()
        .name(&image)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(back.id, inspected.id);
}
