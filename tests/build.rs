//! Building images on the real daemons: with the generated `image_build` (the classic builder on
//! Engine 20.10) from a tar context and from a directory honouring `.dockerignore`; and with the
//! `build::Build` helper, which picks BuildKit on Engine 28.5 (`Builder-Version: 2`) and the
//! classic builder on 20.10, both reporting the same events: a multi-stage Dockerfile built to a
//! `--target` with build args and labels, a second build showing its steps cached, `--no-cache`,
//! and a failing `RUN` whose error names the step and quotes its last lines. Then running what
//! was built.

#![cfg(feature = "v1_55")]

mod support;

use docker_engine_client::Error;
use docker_engine_client::build::{Build, BuildEvent, Builder};
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
    context: impl Into<docker_engine_client::Body>,
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

/// A context directory with a multi-stage Dockerfile on `base`: the `final` stage prints the
/// build arg `GREETING`; the `broken` stage after it fails, so building it at all means
/// `--target` was not honoured; `.dockerignore` keeps `secret.key` out.
fn multi_stage_context(base: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = format!(
        "FROM {base} AS base\n\
         ARG GREETING=none\n\
         RUN echo \"greeting=$GREETING\" > /greeting && echo made-greeting\n\
         FROM base AS final\n\
         COPY . /ctx\n\
         RUN cat /greeting && ls /ctx\n\
         FROM base AS broken\n\
         RUN echo the broken stage ran && exit 7\n"
    );
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "*.key\n").unwrap();
    std::fs::write(dir.path().join("kept.txt"), "kept\n").unwrap();
    std::fs::write(dir.path().join("secret.key"), "never sent\n").unwrap();
    dir
}

/// Every event of a build (or its error, after the events before it).
async fn events(
    build: &Build,
    client: &Client,
    dir: &std::path::Path,
) -> (bool, Vec<BuildEvent>, Option<Error>) {
    let mut stream = build
        .start(client, BuildContext::from_dir(dir).unwrap())
        .await
        .unwrap();
    let buildkit = stream.is_buildkit();
    let mut all = Vec::new();
    while let Some(item) = futures_util::StreamExt::next(&mut stream).await {
        match item {
            Ok(event) => all.push(event),
            Err(e) => return (buildkit, all, Some(e)),
        }
    }
    (buildkit, all, None)
}

/// The names of the steps that ended `cached` (or done).
fn steps(events: &[BuildEvent], cached: bool) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            BuildEvent::Cached { name, .. } if cached => Some(name.clone()),
            BuildEvent::Done { name, .. } if !cached => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Everything the steps printed.
fn output(events: &[BuildEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            BuildEvent::Log { bytes, .. } => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        })
        .collect()
}

/// The helper on `daemon`: the builder it picks, a multi-stage build to a target with a build
/// arg and a label, its second run cached, `--no-cache`, and the image it made.
async fn multi_stage_build(daemon: support::Daemon, expect_buildkit: bool) {
    let Some(docker) = support::docker_of(daemon) else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let base = support::import_busybox(&client, &support::unique("bk-base")).await;
    cleanup.image(&base);
    let dir = multi_stage_context(&base);
    let tag = format!("{}:latest", support::unique("bk"));
    cleanup.image(&tag);
    let label = support::unique("bk-label");
    let build = Build::new()
        .tag(&tag)
        .target("final")
        .build_arg("GREETING", "hello")
        .label("dec.test", &label);

    let (buildkit, first, error) = events(&build, &client, dir.path()).await;
    assert!(error.is_none(), "{error:?}\n{first:#?}");
    assert_eq!(
        buildkit, expect_buildkit,
        "the builder picked on {daemon:?}"
    );
    let printed = output(&first);
    assert!(printed.contains("greeting=hello"), "{printed}");
    assert!(printed.contains("kept.txt"), "{printed}");
    assert!(!printed.contains("secret.key"), ".dockerignore: {printed}");
    assert!(
        !printed.contains("the broken stage ran"),
        "--target: {printed}"
    );
    let done = steps(&first, false);
    assert!(
        done.iter().any(|s| s.contains("RUN cat /greeting")),
        "{done:?}"
    );
    let Some(BuildEvent::ImageId(id)) = first
        .iter()
        .rev()
        .find(|e| matches!(e, BuildEvent::ImageId(_)))
    else {
        panic!("no image id: {first:#?}");
    };
    let image = client
        .image_inspect()
        .name(&tag)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(image.id.as_deref(), Some(id.as_str()));
    let labels = image.config.and_then(|c| c.labels).unwrap_or_default();
    assert_eq!(labels.get("dec.test"), Some(&label));
    let out = run(&client, &cleanup, &tag, &["cat", "/greeting"]).await;
    assert_eq!(out, "greeting=hello\n");

    // Again: the RUN steps come from the cache.
    let (_, second, error) = events(&build, &client, dir.path()).await;
    assert!(error.is_none(), "{error:?}");
    let cached = steps(&second, true);
    assert!(
        cached.iter().any(|s| s.contains("RUN cat /greeting")),
        "cached steps of the second build: {cached:?}\n{second:#?}"
    );
    // --no-cache: nothing cached, the RUN steps run again.
    let (_, third, error) = events(&build.clone().no_cache(true), &client, dir.path()).await;
    assert!(error.is_none(), "{error:?}");
    assert!(
        !steps(&third, true).iter().any(|s| s.contains("RUN")),
        "{third:#?}"
    );
    assert!(output(&third).contains("greeting=hello"));
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn buildkit_builds_a_target_with_args_labels_and_cache() {
    multi_stage_build(support::Daemon::Modern, true).await;
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn the_classic_builder_reports_the_same_events() {
    multi_stage_build(support::Daemon::Legacy, false).await;
}

/// A failing `RUN` on `daemon` with `builder`: the error names the step and quotes its output.
async fn failing_build(daemon: support::Daemon, builder: Builder) {
    let Some(docker) = support::docker_of(daemon) else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let base = support::import_busybox(&client, &support::unique("bk-fail")).await;
    cleanup.image(&base);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {base}\nRUN echo first-line; echo last-line >&2; exit 3\n"),
    )
    .unwrap();
    let (_, events, error) = events(&Build::new().builder(builder), &client, dir.path()).await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, BuildEvent::Failed { name, .. } if name.contains("exit 3"))),
        "{events:#?}"
    );
    let Some(Error::Build(error)) = error else {
        panic!("not a build error: {error:?}");
    };
    assert!(
        error
            .step
            .as_deref()
            .is_some_and(|s| s.contains("RUN echo first-line")),
        "{error:?}"
    );
    assert!(error.message.contains('3'), "{error:?}");
    assert!(
        error.last_lines.iter().any(|l| l.contains("last-line")),
        "{error:?}"
    );
    let shown = error.to_string();
    assert!(
        shown.contains("RUN echo first-line") && shown.contains("last-line"),
        "{shown}"
    );
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn a_failing_buildkit_step_is_named_with_its_last_lines() {
    failing_build(support::Daemon::Modern, Builder::Auto).await;
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn a_failing_classic_step_is_named_with_its_last_lines() {
    failing_build(support::Daemon::Legacy, Builder::Auto).await;
}

#[tokio::test]
#[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
async fn the_classic_builder_can_be_forced_where_buildkit_is_announced() {
    let Some(docker) = support::docker_of(support::Daemon::Modern) else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let base = support::import_busybox(&client, &support::unique("classic-forced")).await;
    cleanup.image(&base);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {base}\nRUN echo classic\n"),
    )
    .unwrap();
    let (buildkit, events, error) =
        events(&Build::new().builder(Builder::Classic), &client, dir.path()).await;
    assert!(!buildkit);
    assert!(error.is_none(), "{error:?}");
    assert!(
        events.iter().any(|e| matches!(e, BuildEvent::ImageId(_))),
        "{events:#?}"
    );
    if let Some(BuildEvent::ImageId(id)) = events
        .iter()
        .rev()
        .find(|e| matches!(e, BuildEvent::ImageId(_)))
    {
        cleanup.image(id);
    }
}
