//! Building images on the real daemon (the legacy builder): from a tar context made with the tar
//! crate, and from a directory honouring `.dockerignore`; then running what was built.

#![cfg(feature = "v1_55")]

mod support;

use docker_engine_client::build_context::BuildContext;
use docker_engine_client::stream::ByteStreamExt;
use docker_engine_client::v1_55::{Client, types};
use futures_util::TryStreamExt;

/// Runs `cmd` in `image` and returns its stdout.
async fn run(client: &Client, cleanup: &support::Cleanup, image: &str, cmd: &[&str]) -> String {
    let body = types::ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    };
    let id = cleanup.run(client, body).await;
    assert_eq!(
        client
            .container_wait()
            .id(&id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .status_code,
        0
    );
    let logs = client
        .container_logs()
        .id(&id)
        .stdout(true)
        .send()
        .await
        .unwrap();
    let items: Vec<_> = logs.into_output(false).try_collect().await.unwrap();
    items
        .iter()
        .map(|i| String::from_utf8_lossy(&i.bytes).into_owned())
        .collect()
}

/// Builds `context` as `tag`, returning the build's stream messages.
async fn build(
    client: &Client,
    tag: &str,
    context: impl Into<reqwest::Body>,
) -> Vec<types::BuildInfo> {
    let output = client
        .image_build()
        .t(tag)
        .rm(true)
        .forcerm(true)
        .body(context)
        .send()
        .await
        .unwrap();
    output
        .into_json::<types::BuildInfo>()
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn build_from_a_tar_context_then_run_it() {
    let Some(docker) = support::docker() else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let base = support::import_busybox(&client, &support::unique("build-base")).await;
    cleanup.image(&base);

    let dockerfile =
        format!("FROM {base}\nCOPY greeting.txt /greeting.txt\nRUN echo built > /built.txt\n");
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("Dockerfile", dockerfile.as_bytes()),
        ("greeting.txt", b"hello from the context\n".as_slice()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        tar.append_data(&mut header, name, data).unwrap();
    }
    let tag = format!("{}:latest", support::unique("built"));
    cleanup.image(&tag);
    let messages = build(&client, &tag, tar.into_inner().unwrap()).await;
    assert!(
        messages.iter().any(|m| m
            .stream
            .as_deref()
            .is_some_and(|s| s.contains("Successfully tagged"))),
        "{messages:?}"
    );

    let out = run(
        &client,
        &cleanup,
        &tag,
        &["cat", "/greeting.txt", "/built.txt"],
    )
    .await;
    assert_eq!(out, "hello from the context\nbuilt\n");
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn build_from_a_directory_honours_dockerignore() {
    let Some(docker) = support::docker() else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let base = support::import_busybox(&client, &support::unique("ctx-base")).await;
    cleanup.image(&base);

    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("Dockerfile", &format!("FROM {base}\nCOPY . /ctx\n"));
    write(
        ".dockerignore",
        "# secrets stay home\n*.key\nlogs\n!logs/keep.log\nDockerfile\n",
    );
    write("keep.txt", "kept\n");
    write("secret.key", "do not send\n");
    write("logs/a.log", "noise\n");
    write("logs/keep.log", "wanted\n");
    write("sub/nested.key", "a nested key is not matched by *.key\n");

    let tag = format!("{}:latest", support::unique("ctx"));
    cleanup.image(&tag);
    build(&client, &tag, BuildContext::from_dir(dir.path()).unwrap()).await;
    let listing = run(
        &client,
        &cleanup,
        &tag,
        &["sh", "-c", "cd /ctx && ls -a1 . logs sub"],
    )
    .await;
    let names: Vec<&str> = listing.lines().collect();
    assert!(
        names.contains(&"keep.txt") && names.contains(&"keep.log") && names.contains(&"nested.key"),
        "{listing}"
    );
    assert!(
        !names.contains(&"secret.key") && !names.contains(&"a.log"),
        "{listing}"
    );
    // The Dockerfile is sent although .dockerignore names it (the build needs it; the CLI does
    // the same), and the daemon then leaves it out of what COPY sees.
    assert!(!names.contains(&"Dockerfile"), "{listing}");
}

#[tokio::test]
async fn a_missing_context_directory_is_a_clear_error() {
    let err = BuildContext::from_dir("/nonexistent/dec-context")
        .err()
        .expect("an error");
    assert!(
        err.to_string().contains("/nonexistent/dec-context"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "[bad\n").unwrap();
    let err = BuildContext::from_dir(dir.path()).err().expect("an error");
    assert!(err.to_string().contains("[bad"), "{err}");
}
