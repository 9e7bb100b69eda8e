//! Docker's streams against the real daemon: logs (separated, TTY, follow, since/tail), attach to
//! `cat` with stdin, exec with stdin and exit codes, events with filters and since/until, stats,
//! and streams that end when the container dies or the connection breaks.

#![cfg(feature = "v1_55")]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use docker_engine_client::stream::{self, AttachOptions, ByteStreamExt, OutputChunk, StdStream};
use docker_engine_client::v1_55::{Client, types};
use docker_engine_client::{Docker, Error, StreamError};
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncWriteExt;

/// A busybox image and a client; what it made is removed when it drops, even on a panic.
struct Fixture {
    client: Client,
    image: String,
    cleanup: support::Cleanup,
}

impl Fixture {
    async fn new(docker: &Docker) -> Self {
        let client: Client = docker.client().await.unwrap();
        let cleanup = support::Cleanup::new(docker);
        let image = support::import_busybox(&client, &support::unique("streams")).await;
        cleanup.image(&image);
        Self {
            client,
            image,
            cleanup,
        }
    }

    /// The test image's id, as the daemon reports it now.
    async fn image_id(&self) -> Option<String> {
        let image = self.client.image_inspect().name(&self.image).send().await;
        image.unwrap().into_inner().id
    }

    async fn create(
        &mut self,
        cmd: &[&str],
        configure: impl FnOnce(&mut types::ContainerCreateBody),
    ) -> String {
        let mut body = types::ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        configure(&mut body);
        self.cleanup.create(&self.client, body).await
    }

    async fn run(
        &mut self,
        cmd: &[&str],
        configure: impl FnOnce(&mut types::ContainerCreateBody),
    ) -> String {
        let id = self.create(cmd, configure).await;
        self.client.container_start().id(&id).send().await.unwrap();
        id
    }

    async fn exec_exit_code(&self, exec: &str) -> Option<i64> {
        self.client
            .exec_inspect()
            .id(exec)
            .send()
            .await
            .unwrap()
            .into_inner()
            .exit_code
    }

    async fn wait(&self, id: &str) -> i64 {
        self.client
            .container_wait()
            .id(id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .status_code
    }
}

async fn logs_separated_tty_follow_since_and_tail() {
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;

    // stdout and stderr, separated.
    let id = f
        .run(&["sh", "-c", "echo out1; echo err1 >&2; echo out2"], |_| {})
        .await;
    assert_eq!(f.wait(&id).await, 0);
    let logs = f
        .client
        .container_logs()
        .id(&id)
        .stdout(true)
        .stderr(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        support::output_text(logs.into_output(false)).await,
        ("out1\nout2\n".into(), "err1\n".into(), String::new())
    );

    // tail=2: the last lines only.
    let lines = f.run(&["sh", "-c", "echo a; echo b; echo c"], |_| {}).await;
    f.wait(&lines).await;
    let logs = f
        .client
        .container_logs()
        .id(&lines)
        .stdout(true)
        .tail("2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        support::output_text(logs.into_output(false)).await.0,
        "b\nc\n"
    );

    // since: a time after the container ran means nothing.
    let later = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 5;
    let logs = f
        .client
        .container_logs()
        .id(&id)
        .stdout(true)
        .since(later)
        .send()
        .await
        .unwrap();
    assert_eq!(support::output_text(logs.into_output(false)).await.0, "");

    // A TTY: raw output, passed through without waiting for a newline.
    let tty = f.run(&["printf", "no newline"], |b| b.tty = true).await;
    f.wait(&tty).await;
    let logs = f
        .client
        .container_logs()
        .id(&tty)
        .stdout(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        support::output_text(logs.into_output(true)).await.2,
        "no newline"
    );

    // follow: the stream ends when the container exits.
    let follow = f
        .run(
            &["sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.3; done"],
            |_| {},
        )
        .await;
    let logs = f
        .client
        .container_logs()
        .id(&follow)
        .stdout(true)
        .follow(true)
        .send()
        .await
        .unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        support::output_text(logs.into_output(false)),
    )
    .await
    .expect("follow ended");
    assert_eq!(out.0, "1\n2\n3\n");
}

async fn a_container_killed_mid_follow_ends_the_stream() {
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;
    let id = f.run(&["sh", "-c", "echo started; sleep 60"], |_| {}).await;
    let logs = f
        .client
        .container_logs()
        .id(&id)
        .stdout(true)
        .follow(true)
        .send()
        .await
        .unwrap();
    let mut output = logs.into_output(false);
    let first = output.next().await.unwrap().unwrap();
    assert_eq!(first.bytes, &b"started\n"[..]);
    f.client.container_kill().id(&id).send().await.unwrap();
    let rest = tokio::time::timeout(Duration::from_secs(20), output.collect::<Vec<_>>())
        .await
        .expect("stream ended");
    assert!(rest.iter().all(Result::is_ok), "{rest:?}");
}

async fn a_connection_cut_mid_stream_is_an_error() {
    let Some(socket) = support::daemon_socket() else {
        return;
    };
    let direct = support::docker().unwrap();
    let mut f = Fixture::new(&direct).await;
    let id = f
        .run(
            &["sh", "-c", "while true; do echo tick; sleep 0.1; done"],
            |_| {},
        )
        .await;
    // Follow the logs through a proxy, then cut it: to the client, the daemon went away.
    let proxy = support::RecordingProxy::start(socket).await;
    let proxied: Client = Docker::connect(&proxy.host)
        .unwrap()
        .client()
        .await
        .unwrap();
    let logs = proxied
        .container_logs()
        .id(&id)
        .stdout(true)
        .follow(true)
        .send()
        .await
        .unwrap();
    let mut output = logs.into_output(false);
    assert!(output.next().await.unwrap().is_ok());
    proxy.cut();
    let rest = tokio::time::timeout(Duration::from_secs(20), output.collect::<Vec<_>>())
        .await
        .expect("no hang");
    let last = rest.last().expect("an error item, not a silent end");
    assert!(
        matches!(
            last,
            Err(StreamError::Connection { .. } | StreamError::Truncated { .. })
        ),
        "{rest:?}"
    );
}

async fn attach_to_cat_echoes_stdin_until_eof() {
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;
    let id = f
        .create(&["cat"], |b| {
            b.open_stdin = true;
            b.stdin_once = true;
            b.attach_stdin = true;
            b.attach_stdout = true;
        })
        .await;
    let mut hijacked = stream::attach(&f.client, &id, &AttachOptions::default())
        .await
        .unwrap();
    f.client.container_start().id(&id).send().await.unwrap();
    hijacked.stdin.write_all(b"hello\nworld\n").await.unwrap();
    hijacked.stdin.shutdown().await.unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(20),
        support::output_text(hijacked.output),
    )
    .await
    .expect("EOF ended it");
    assert_eq!(out.0, "hello\nworld\n");
    assert_eq!(f.wait(&id).await, 0);
}

/// Reads raw TTY output until it contains `want` (or 20 s pass); what was read.
async fn read_until(
    output: &mut (impl futures_core::Stream<Item = Result<OutputChunk, StreamError>> + Unpin),
    want: &str,
) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !seen.contains(want) {
        let item = tokio::time::timeout_at(deadline, output.next())
            .await
            .unwrap_or_else(|_| panic!("no {want:?} in {seen:?}"));
        let Some(item) = item else { break };
        let item = item.unwrap();
        // A TTY's output is one raw stream, passed through as it comes.
        assert_eq!(item.stream, StdStream::Console);
        seen.push_str(&String::from_utf8_lossy(&item.bytes));
    }
    seen
}

async fn tty_attach_and_exec_pass_output_through_and_resize() {
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;
    // A prompt without a newline must arrive before any input: no waiting for a line end.
    let script = "printf 'ready> '; read line; stty size; echo \"got $line\"";
    let id = f
        .create(&["sh", "-c", script], |b| {
            b.tty = true;
            b.open_stdin = true;
            b.attach_stdin = true;
            b.attach_stdout = true;
        })
        .await;
    let options = AttachOptions {
        tty: true,
        ..AttachOptions::default()
    };
    let mut attached = stream::attach(&f.client, &id, &options).await.unwrap();
    f.client.container_start().id(&id).send().await.unwrap();
    read_until(&mut attached.output, "ready> ").await;
    f.client
        .container_resize()
        .id(&id)
        .h(33)
        .w(101)
        .send()
        .await
        .unwrap();
    attached.stdin.write_all(b"hi\n").await.unwrap();
    let seen = read_until(&mut attached.output, "got hi").await;
    assert!(seen.contains("33 101"), "{seen:?}");
    assert_eq!(f.wait(&id).await, 0);

    // The same through exec, on a running container.
    let id = f.run(&["sleep", "60"], |_| {}).await;
    let body = types::ExecConfig {
        tty: Some(true),
        attach_stdin: Some(true),
        attach_stdout: Some(true),
        cmd: Some(["sh", "-c", script].map(String::from).to_vec()),
        ..Default::default()
    };
    let exec = f
        .client
        .container_exec()
        .id(&id)
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    let mut started = stream::exec_start(&f.client, &exec, true).await.unwrap();
    read_until(&mut started.output, "ready> ").await;
    f.client
        .exec_resize()
        .id(&exec)
        .h(44)
        .w(123)
        .send()
        .await
        .unwrap();
    started.stdin.write_all(b"there\n").await.unwrap();
    let seen = read_until(&mut started.output, "got there").await;
    assert!(seen.contains("44 123"), "{seen:?}");
    // The output ends when the exec does; then its exit code is known.
    tokio::time::timeout(
        Duration::from_secs(20),
        started.output.for_each(|_| async {}),
    )
    .await
    .expect("the exec's output ended");
    assert_eq!(f.exec_exit_code(&exec).await, Some(0));
}

async fn exec_with_stdin_and_exit_codes() {
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;
    let id = f.run(&["sleep", "60"], |_| {}).await;

    let exec = |cmd: Vec<&str>, stdin: bool| {
        let body = types::ExecConfig {
            attach_stdin: Some(stdin),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        f.client.container_exec().id(&id).body(body).send()
    };

    // stdin in, output back, EOF ends it; the exit code is in exec inspect.
    let cat = exec(vec!["sh", "-c", "cat; echo done >&2"], true)
        .await
        .unwrap()
        .into_inner()
        .id;
    let mut hijacked = stream::exec_start(&f.client, &cat, false).await.unwrap();
    hijacked.stdin.write_all(b"piped\n").await.unwrap();
    hijacked.stdin.shutdown().await.unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(20),
        support::output_text(hijacked.output),
    )
    .await
    .unwrap();
    assert_eq!((out.0.as_str(), out.1.as_str()), ("piped\n", "done\n"));
    assert_eq!(f.exec_exit_code(&cat).await, Some(0));

    // A failing command: its exit code, and output copied to writers like stdcopy.
    let fail = exec(vec!["sh", "-c", "echo bye; exit 7"], false)
        .await
        .unwrap()
        .into_inner()
        .id;
    let hijacked = stream::exec_start(&f.client, &fail, false).await.unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let counts = stream::copy_output(hijacked.output, &mut out, &mut err)
        .await
        .unwrap();
    assert_eq!((out.as_slice(), counts), (&b"bye\n"[..], (4, 0)));
    assert_eq!(f.exec_exit_code(&fail).await, Some(7));

    // Detached: starts and returns at once.
    let detached = exec(vec!["sh", "-c", "exit 3"], false)
        .await
        .unwrap()
        .into_inner()
        .id;
    f.client
        .exec_start()
        .id(&detached)
        .body(types::ExecStartConfig {
            detach: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let code = support::eventually(100, Duration::from_millis(100), || async {
        let inspect = f
            .client
            .exec_inspect()
            .id(&detached)
            .send()
            .await
            .unwrap()
            .into_inner();
        (inspect.running == Some(false))
            .then_some(inspect.exit_code)
            .flatten()
    })
    .await;
    assert_eq!(code, Some(3));
}

async fn events_filtered_by_type_and_container_with_since_until() {
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 1;
    let id = f.run(&["true"], |_| {}).await;
    f.wait(&id).await;
    let until = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    let filters = serde_json::json!({ "type": ["container"], "container": [id] }).to_string();
    let events = f
        .client
        .system_events()
        .since(since.to_string())
        .until(until.to_string())
        .filters(filters)
        .send()
        .await
        .unwrap();
    let events: Vec<types::EventMessage> =
        tokio::time::timeout(Duration::from_secs(20), events.into_json().try_collect())
            .await
            .expect("until ends the stream")
            .unwrap();
    let actions: Vec<String> = events.iter().filter_map(|e| e.action.clone()).collect();
    for expected in ["create", "start", "die"] {
        assert!(actions.iter().any(|a| a == expected), "{actions:?}");
    }
    assert!(
        events
            .iter()
            .all(|e| e.type_ == Some(types::EventMessageType::Container)),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e.actor.as_ref().and_then(|a| a.id.as_deref()) == Some(id.as_str()))
    );
}

async fn stats_one_shot_and_streaming() {
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;
    let id = f.run(&["sleep", "60"], |_| {}).await;

    let once = f
        .client
        .container_stats()
        .id(&id)
        .stream(false)
        .send()
        .await
        .unwrap();
    let once: Vec<types::ContainerStatsResponse> = once.into_json().try_collect().await.unwrap();
    assert_eq!(once.len(), 1);
    assert!(once[0].memory_stats.is_some(), "{:?}", once[0]);

    let streaming = f
        .client
        .container_stats()
        .id(&id)
        .stream(true)
        .send()
        .await
        .unwrap();
    let two: Vec<_> = streaming
        .into_json::<types::ContainerStatsResponse>()
        .take(2)
        .collect()
        .await;
    assert_eq!(two.len(), 2);
    assert!(two.iter().all(Result::is_ok), "{two:?}");
}

async fn a_failed_pull_is_an_error_not_a_success() {
    let Some(docker) = support::docker() else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    // Nothing listens on this loopback port: the daemon reports the failure in the stream or as
    // an error status; either way the caller sees an error.
    let image = format!("127.0.0.1:9/{}:latest", support::unique("nothing"));
    let outcome = match client.image_create().from_image(&image).send().await {
        Err(e) => Err(e),
        Ok(progress) => progress
            .into_json::<types::CreateImageInfo>()
            .try_collect::<Vec<_>>()
            .await
            .map_err(Error::from),
    };
    let err = outcome.unwrap_err();
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
}

async fn archive_put_then_get_round_trips_bytes_exactly() {
    use docker_engine_client::archive;
    let Some(docker) = support::docker() else {
        return;
    };
    let mut f = Fixture::new(&docker).await;
    let id = f.create(&["true"], |_| {}).await;

    // 300 KB that are not all the same byte, in a tar made with the tar crate.
    let content: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o640);
    builder
        .append_data(&mut header, "payload.bin", content.as_slice())
        .unwrap();
    let tar = builder.into_inner().unwrap();
    f.client
        .put_container_archive()
        .id(&id)
        .path("/tmp")
        .body(tar)
        .send()
        .await
        .unwrap();

    let info = f
        .client
        .container_archive_info()
        .id(&id)
        .path("/tmp/payload.bin")
        .send()
        .await
        .unwrap();
    let stat = archive::path_stat(&info).unwrap();
    assert_eq!(
        (stat.name.as_str(), stat.size, stat.permissions()),
        ("payload.bin", 300_000, 0o640)
    );

    let got = f
        .client
        .container_archive()
        .id(&id)
        .path("/tmp/payload.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(archive::path_stat(&got).unwrap().size, 300_000);
    let bytes = support::read_all(got.into_body()).await;
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut entry = archive.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(entry.path().unwrap().to_str(), Some("payload.bin"));
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut back).unwrap();
    assert!(back == content, "bytes differ");

    // A path that does not exist: a typed 404.
    let missing = f
        .client
        .container_archive_info()
        .id(&id)
        .path("/nope")
        .send()
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
}

async fn image_save_streams_straight_into_image_load() {
    let Some(docker) = support::docker() else {
        return;
    };
    let f = Fixture::new(&docker).await;
    let image_id = f.image_id().await;

    // Save is a tar stream out, load a tar stream in: the one is piped into the other, with no
    // more of the image in memory than the chunks in flight.
    let saved = f.client.image_get().name(&f.image).send().await.unwrap();
    let loaded = f
        .client
        .image_load()
        .body(docker_engine_client::Body::wrap_stream(saved.into_body()))
        .send()
        .await
        .unwrap();
    let messages: Vec<serde_json::Value> = loaded.into_json().try_collect().await.unwrap();
    let text = serde_json::to_string(&messages).unwrap();
    assert!(
        text.contains("Loaded image") && text.contains(&f.image),
        "{text}"
    );

    let again = f.image_id().await;
    assert_eq!(again, image_id);
}

crate::on_both_daemons!(
    logs_separated_tty_follow_since_and_tail,
    a_container_killed_mid_follow_ends_the_stream,
    a_connection_cut_mid_stream_is_an_error,
    attach_to_cat_echoes_stdin_until_eof,
    tty_attach_and_exec_pass_output_through_and_resize,
    exec_with_stdin_and_exit_codes,
    events_filtered_by_type_and_container_with_since_until,
    stats_one_shot_and_streaming,
    a_failed_pull_is_an_error_not_a_success,
    archive_put_then_get_round_trips_bytes_exactly,
    image_save_streams_straight_into_image_load,
);
