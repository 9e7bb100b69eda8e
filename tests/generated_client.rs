//! The generated client, built by hand from an HTTP client (no `Docker` connection layer),
//! against a real Docker daemon over its unix socket: JSON calls, request bodies, and the streaming
//! operations returning their bytes (import progress, multiplexed logs, an exported tar), not `()`
//! or one JSON value.

#![cfg(feature = "v1_55")]

mod support;

use docker_engine_client::ClientState;
use docker_engine_client::v1_55::{Client, types};
use futures_util::TryStreamExt;

async fn collect(stream: docker_engine_client::v1_55::ByteStream) -> Vec<u8> {
    stream
        .into_inner()
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .unwrap()
}

/// A client for `socket` speaking `/v1.NN` where NN is the daemon's version (at most 1.55).
async fn client(socket: &std::path::Path) -> Client {
    let http = docker_engine_client::http_client_builder()
        .unix_socket(socket)
        .build();
    let unversioned =
        Client::new_with_client("http://docker", http.clone(), ClientState::default());
    let ping = unversioned.system_ping().send().await.unwrap();
    let version = ping.headers()["api-version"].to_str().unwrap().to_string();
    assert_eq!(collect(ping.into_inner()).await, b"OK");
    Client::new_with_client(
        &format!("http://docker/v{version}"),
        http,
        ClientState::default(),
    )
}

async fn generated_client_drives_a_real_daemon() {
    let Some(socket) = support::daemon_socket() else {
        return;
    };
    let docker = client(&socket).await;

    let version = docker.system_version().send().await.unwrap().into_inner();
    assert!(
        version
            .api_version
            .as_deref()
            .is_some_and(|v| v.starts_with("1.")),
        "{version:?}"
    );

    // Import an image from a tarball: a request body in, a JSON progress stream out.
    let repo = support::unique("gen-busybox");
    let progress = docker
        .image_create()
        .from_src("-")
        .repo(&repo)
        .tag("latest")
        .body(support::busybox_rootfs_tar())
        .send()
        .await
        .unwrap();
    let progress = String::from_utf8(collect(progress.into_inner()).await).unwrap();
    assert!(
        progress.contains("sha256:") && !progress.contains("errorDetail"),
        "{progress}"
    );
    let image = format!("{repo}:latest");

    // Create with a JSON body (labels, env, command), start, wait.
    let name = support::unique("gen");
    let label = support::unique("label");
    let body = types::ContainerCreateBody {
        image: Some(image.clone()),
        cmd: Some(vec![
            "sh".into(),
            "-c".into(),
            "echo out; echo err >&2; exit 3".into(),
        ]),
        env: Some(vec!["GREETING=hello".into()]),
        labels: Some([(label.clone(), "yes".to_string())].into()),
        ..Default::default()
    };
    let created = docker
        .container_create()
        .name(&name)
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = created.id;
    docker.container_start().id(&id).send().await.unwrap();
    let waited = docker
        .container_wait()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(waited.status_code, 3);

    // Logs are a byte stream of stdcopy frames: 8-byte header (1 = stdout, 2 = stderr), then data.
    let logs = docker
        .container_logs()
        .id(&id)
        .stdout(true)
        .stderr(true)
        .send()
        .await
        .unwrap();
    let logs = collect(logs.into_inner()).await;
    let frames = split_frames(&logs);
    assert!(frames.contains(&(1, b"out\n".to_vec())), "{frames:?}");
    assert!(frames.contains(&(2, b"err\n".to_vec())), "{frames:?}");

    // A filtered list finds it; `null` collections from the daemon decode.
    let filters = serde_json::json!({ "label": [format!("{label}=yes")] }).to_string();
    let listed = docker
        .container_list()
        .all(true)
        .filters(filters)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id.as_deref(), Some(id.as_str()));

    // Export is a tar stream of the container's filesystem.
    let export = collect(
        docker
            .container_export()
            .id(&id)
            .send()
            .await
            .unwrap()
            .into_inner(),
    )
    .await;
    let mut archive = tar::Archive::new(export.as_slice());
    let paths: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(paths.iter().any(|p| p == "bin/busybox"), "{paths:?}");

    // Typed error bodies: the daemon's {"message"} for a missing container.
    let missing = docker
        .container_inspect()
        .id(support::unique("missing"))
        .send()
        .await
        .unwrap_err();
    match missing {
        docker_engine_client::Error::Api(e) => {
            assert_eq!(e.status, 404);
            assert!(e.message.contains("No such container"), "{:?}", e.message);
        }
        other => panic!("expected a 404 from the daemon, got {other:?}"),
    }

    docker
        .container_delete()
        .id(&id)
        .force(true)
        .send()
        .await
        .unwrap();
    docker
        .image_delete()
        .name(&image)
        .force(true)
        .send()
        .await
        .unwrap();
}

/// Splits a multiplexed log body into (stream, payload) frames.
fn split_frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while bytes.len() >= 8 {
        let len = u32::from_be_bytes(bytes[4..8].try_into().unwrap()) as usize;
        frames.push((bytes[0], bytes[8..8 + len].to_vec()));
        bytes = &bytes[8 + len..];
    }
    assert!(bytes.is_empty(), "trailing partial frame");
    frames
}

crate::on_both_daemons!(generated_client_drives_a_real_daemon,);
