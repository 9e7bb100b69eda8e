//! The request path without a daemon: a `Docker` connected to `unix://<socket>` of a fake daemon
//! in the test process (tests/support/fake_daemon.rs), which records each request and answers
//! what the test scripted. Version negotiation (what is asked, what is then spoken), the mapping
//! of statuses and bodies to errors, the `101` upgrade of exec and attach (stdcopy output one way,
//! stdin the other), and bad input (a stream cut inside a frame, garbage in a JSON stream).
//!
//! Nothing here needs a peer: `cargo test` always runs these. What a real daemon answers is
//! checked against one in the other test files.

#[path = "support/fake_daemon.rs"]
mod fake_daemon;

use docker_engine_client::stream::{
    AttachOptions, ByteStreamExt, OutputChunk, StdStream, attach, exec_start,
};
use docker_engine_client::{
    ApiClient, ApiVersion, DecodeError, Docker, Error, StreamError, TransportError, VersionError,
    v1_55,
};
use fake_daemon::{FakeDaemon, Reply, failed, frame, within};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

/// The media type of multiplexed (stdcopy) container output.
const MULTIPLEXED: &str = "application/vnd.docker.multiplexed-stream";

/// A fake daemon on a unix socket answering with `reply`.
async fn fake(reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> FakeDaemon {
    FakeDaemon::start_unix(reply).await
}

/// The fake as a `Docker` (negotiating, as by default).
fn docker(fake: &FakeDaemon) -> Docker {
    let host = fake.host();
    assert!(host.starts_with("unix://"), "{host}");
    Docker::connect(&host).unwrap()
}

/// Whether a request head has header `name: value` (names case-insensitively).
fn has_header(head: &str, name: &str, value: &str) -> bool {
    head.lines().skip(1).any(|line| {
        line.split_once(':').is_some_and(|(n, v)| {
            n.trim().eq_ignore_ascii_case(name) && v.trim().eq_ignore_ascii_case(value)
        })
    })
}

/// Output items with consecutive pieces of one stream merged (how they were cut into pieces
/// is the transport's business), errors as their message.
fn merged(
    items: Vec<Result<OutputChunk, StreamError>>,
) -> Vec<Result<(StdStream, Vec<u8>), String>> {
    let mut out: Vec<Result<(StdStream, Vec<u8>), String>> = Vec::new();
    for item in items {
        match item {
            Ok(chunk) => match out.last_mut() {
                Some(Ok((stream, bytes))) if *stream == chunk.stream => {
                    bytes.extend_from_slice(&chunk.bytes)
                }
                _ => out.push(Ok((chunk.stream, chunk.bytes.to_vec()))),
            },
            Err(e) => out.push(Err(e.to_string())),
        }
    }
    out
}

// --- Negotiation ---------------------------------------------------------------------------

#[tokio::test]
async fn a_newer_client_speaks_the_daemons_version_from_ping() {
    let fake = fake(|head| {
        if head.starts_with("GET /_ping ") {
            Reply::ping(Some("1.41"))
        } else {
            Reply::json("200 OK", "[]")
        }
    })
    .await;
    let docker = docker(&fake);
    let client: v1_55::Client = within("negotiation", docker.client()).await.unwrap();
    let listed = within("list", client.container_list().send())
        .await
        .unwrap();
    assert!(listed.into_inner().is_empty());
    // Asked once, then remembered: a second client does not ping again.
    let again: v1_55::Client = within("second client", docker.client()).await.unwrap();
    within("list again", again.container_list().send())
        .await
        .unwrap();
    let lines = fake.request_lines();
    assert_eq!(
        lines,
        [
            "GET /_ping HTTP/1.1",
            "GET /v1.41/containers/json HTTP/1.1",
            "GET /v1.41/containers/json HTTP/1.1",
        ],
        "no /version: the daemon's minimum matters only to an older client"
    );
}

#[tokio::test]
async fn a_daemon_whose_minimum_is_above_the_client_is_a_version_error() {
    let fake = fake(|head| {
        if head.starts_with("GET /_ping ") {
            Reply::ping(Some("1.99"))
        } else if head.starts_with("GET /version ") {
            Reply::json(
                "200 OK",
                r#"{"Version": "99.0.0", "ApiVersion": "1.99", "MinAPIVersion": "1.60"}"#,
            )
        } else {
            Reply::json("500 Internal Server Error", r#"{"message": "unexpected"}"#)
        }
    })
    .await;
    let err = failed(within("negotiation", docker(&fake).client::<v1_55::Client>()).await);
    assert_eq!(
        err_version(&err),
        &VersionError::ClientTooOld {
            daemon_minimum: "1.60".into(),
            client: "1.55".into(),
        }
    );
    assert!(
        err.to_string().contains("1.60") && err.to_string().contains("1.55"),
        "{err}"
    );
    assert_eq!(
        fake.request_lines(),
        ["GET /_ping HTTP/1.1", "GET /version HTTP/1.1"],
        "nothing is sent in a version the daemon refuses"
    );
}

#[tokio::test]
async fn a_failing_ping_that_says_its_version_is_still_negotiated_with() {
    // As the Go client: the API-Version header counts whatever /_ping's status.
    let fake = fake(|head| {
        if head.starts_with("GET /_ping ") {
            Reply::Canned {
                status: "500 Internal Server Error",
                headers: vec![
                    "Api-Version: 1.41".into(),
                    "Content-Type: text/plain".into(),
                ],
                body: b"the ping handler failed".to_vec(),
            }
        } else {
            Reply::json("200 OK", "[]")
        }
    })
    .await;
    let client: v1_55::Client = within("negotiation", docker(&fake).client()).await.unwrap();
    assert_eq!(client.api_version(), Some(ApiVersion::new(1, 41)));
    within("list", client.container_list().send())
        .await
        .unwrap();
    assert_eq!(
        fake.request_lines(),
        ["GET /_ping HTTP/1.1", "GET /v1.41/containers/json HTTP/1.1"]
    );

    // Without the header, a failing /_ping is the daemon's error.
    let fake = fake_failing_ping().await;
    let err = failed(within("negotiation", docker(&fake).client::<v1_55::Client>()).await);
    assert_eq!(err.status(), Some(500), "{err:?}");
}

async fn fake_failing_ping() -> FakeDaemon {
    fake(|_| {
        Reply::json(
            "500 Internal Server Error",
            r#"{"message": "no ping here"}"#,
        )
    })
    .await
}

#[tokio::test]
async fn a_forbidden_version_endpoint_means_the_minimum_is_unknown() {
    // An authorization plugin or a socket proxy that forbids /version: negotiation goes on.
    let fake = fake(|head| {
        if head.starts_with("GET /_ping ") {
            Reply::ping(Some("1.60"))
        } else if head.starts_with("GET /version ") {
            Reply::json(
                "403 Forbidden",
                r#"{"message": "authorization denied by plugin"}"#,
            )
        } else {
            Reply::json("200 OK", "[]")
        }
    })
    .await;
    let client: v1_55::Client = within("negotiation", docker(&fake).client()).await.unwrap();
    assert_eq!(client.api_version(), Some(ApiVersion::new(1, 55)));
    within("list", client.container_list().send())
        .await
        .unwrap();
    assert_eq!(
        fake.request_lines(),
        [
            "GET /_ping HTTP/1.1",
            "GET /version HTTP/1.1",
            "GET /v1.55/containers/json HTTP/1.1"
        ]
    );
}

#[tokio::test]
async fn a_ping_without_api_version_means_1_24_which_is_unsupported() {
    let fake = fake(|_| Reply::ping(None)).await;
    let err = failed(within("negotiation", docker(&fake).client::<v1_55::Client>()).await);
    assert_eq!(
        err_version(&err),
        &VersionError::Unsupported {
            version: "1.24".into(),
            oldest: "1.25".into(),
        }
    );
    assert!(
        err.to_string()
            .contains("oldest this crate supports (1.25)"),
        "{err}"
    );
    assert_eq!(fake.request_lines(), ["GET /_ping HTTP/1.1"]);
}

#[tokio::test]
async fn an_api_version_header_that_is_not_1_nn_is_a_decode_error() {
    let fake = fake(|_| Reply::ping(Some("latest"))).await;
    let err = failed(within("negotiation", docker(&fake).client::<v1_55::Client>()).await);
    let Error::Decode(DecodeError {
        operation, snippet, ..
    }) = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*operation, snippet.as_str()), ("system_ping", "latest"));
}

#[tokio::test]
async fn a_pinned_version_skips_the_ping() {
    let fake = fake(|_| Reply::json("200 OK", "[]")).await;
    let docker = Docker::builder()
        .host(fake.host())
        .api_version(ApiVersion::new(1, 41))
        .build()
        .unwrap();
    let client: v1_55::Client = within("pinned client", docker.client()).await.unwrap();
    within("list", client.container_list().send())
        .await
        .unwrap();
    assert_eq!(
        fake.request_lines(),
        ["GET /v1.41/containers/json HTTP/1.1"]
    );
}

/// The version error inside `err`.
fn err_version(err: &Error) -> &VersionError {
    match err {
        Error::Version(v) => v,
        other => panic!("expected a version error: {other:?}"),
    }
}

// --- Error mapping -------------------------------------------------------------------------

#[tokio::test]
async fn a_404_with_a_json_message_is_not_found_with_the_message() {
    let fake =
        fake(|_| Reply::json("404 Not Found", r#"{"message": "No such container: c1"}"#)).await;
    let err = failed(
        within(
            "inspect",
            fake.pinned_client().container_inspect().id("c1").send(),
        )
        .await,
    );
    assert!(err.is_not_found(), "{err:?}");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (api.status, api.message.as_str(), api.operation),
        (404, "No such container: c1", "container_inspect")
    );
    assert_eq!(
        fake.request_lines(),
        ["GET /v1.41/containers/c1/json HTTP/1.1"]
    );
}

#[tokio::test]
async fn a_409_is_a_conflict() {
    let fake = fake(|_| {
        Reply::json(
            "409 Conflict",
            r#"{"message": "You cannot remove a running container c1. Stop the container before attempting removal or force remove"}"#,
        )
    })
    .await;
    let err = failed(
        within(
            "delete",
            fake.pinned_client().container_delete().id("c1").send(),
        )
        .await,
    );
    assert!(err.is_conflict() && !err.is_not_found(), "{err:?}");
    assert_eq!(err.status(), Some(409));
    assert!(
        err.to_string()
            .contains("cannot remove a running container"),
        "{err}"
    );
    assert_eq!(
        fake.request_lines(),
        ["DELETE /v1.41/containers/c1 HTTP/1.1"]
    );
}

#[tokio::test]
async fn a_304_is_not_modified() {
    let fake = fake(|_| Reply::Canned {
        status: "304 Not Modified",
        headers: Vec::new(),
        body: Vec::new(),
    })
    .await;
    let err = failed(
        within(
            "start",
            fake.pinned_client().container_start().id("c1").send(),
        )
        .await,
    );
    assert!(err.is_not_modified(), "{err:?}");
    assert_eq!(err.status(), Some(304));
    assert_eq!(
        fake.request_lines(),
        ["POST /v1.41/containers/c1/start HTTP/1.1"]
    );
}

#[tokio::test]
async fn a_plain_text_500_keeps_its_text_and_status() {
    let fake = fake(|_| {
        Reply::text(
            "500 Internal Server Error",
            "text/plain; charset=utf-8",
            "driver failed programming external connectivity\n",
        )
    })
    .await;
    let err = failed(within("list", fake.pinned_client().container_list().send()).await);
    assert!(err.is_server_error(), "{err:?}");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 500);
    assert_eq!(
        api.message,
        "driver failed programming external connectivity"
    );
}

#[tokio::test]
async fn a_body_that_does_not_decode_is_a_decode_error_quoting_it() {
    let fake = fake(|_| Reply::json("200 OK", "<html>not the daemon</html>")).await;
    let err = failed(within("version", fake.pinned_client().system_version().send()).await);
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.operation, "system_version");
    assert_eq!(decode.snippet, "<html>not the daemon</html>");
}

#[tokio::test]
async fn a_socket_that_does_not_exist_is_a_transport_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("no-daemon.sock");
    let docker = Docker::connect(&format!("unix://{}", socket.display())).unwrap();
    let err = failed(within("connect", docker.client::<v1_55::Client>()).await);
    assert!(err.is_transport(), "{err:?}");
    assert!(
        matches!(
            &err,
            Error::Transport(TransportError::SocketMissing { path, .. }) if *path == socket
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&socket.display().to_string()),
        "{err}"
    );
}

// --- 101 upgrades ----------------------------------------------------------------------------

#[tokio::test]
async fn exec_start_upgrades_then_demultiplexes_output_and_sends_stdin() {
    let fake = fake(|_| Reply::Upgrade {
        content_type: MULTIPLEXED,
        output: [frame(1, b"hello from exec\n"), frame(2, b"a warning\n")].concat(),
        after_stdin: frame(1, b"stdin was read\n"),
    })
    .await;
    let client = fake.pinned_client();
    let mut hijacked = within("exec start", exec_start(&client, "execid", false))
        .await
        .unwrap();
    hijacked.stdin.write_all(b"typed input\n").await.unwrap();
    // Half-closes: the fake sees the end of stdin, and its output keeps coming.
    hijacked.stdin.shutdown().await.unwrap();
    let items: Vec<_> = within("output", hijacked.output.collect()).await;
    assert_eq!(
        merged(items),
        [
            Ok((StdStream::Stdout, b"hello from exec\n".to_vec())),
            Ok((StdStream::Stderr, b"a warning\n".to_vec())),
            Ok((StdStream::Stdout, b"stdin was read\n".to_vec())),
        ]
    );
    assert_eq!(fake.stdin(), b"typed input\n");

    // What the client asked for: the upgrade, and the exec's start options as JSON.
    let heads = fake.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("POST /v1.41/exec/execid/start HTTP/1.1"),
        "{heads:?}"
    );
    assert!(
        has_header(&heads[0], "connection", "upgrade") && has_header(&heads[0], "upgrade", "tcp"),
        "{}",
        heads[0]
    );
    let body: serde_json::Value = serde_json::from_slice(&fake.bodies()[0]).unwrap();
    assert_eq!(body, serde_json::json!({"Detach": false, "Tty": false}));
}

#[tokio::test]
async fn attach_with_a_tty_passes_raw_output_through() {
    let fake = fake(|_| Reply::Upgrade {
        content_type: "application/vnd.docker.raw-stream",
        output: b"$ prompt \x1b[0m".to_vec(),
        after_stdin: Vec::new(),
    })
    .await;
    let client = fake.pinned_client();
    let options = AttachOptions {
        tty: true,
        ..AttachOptions::default()
    };
    let mut hijacked = within("attach", attach(&client, "c1", &options))
        .await
        .unwrap();
    hijacked.stdin.shutdown().await.unwrap();
    let items: Vec<_> = within("output", hijacked.output.collect()).await;
    assert_eq!(
        merged(items),
        [Ok((StdStream::Console, b"$ prompt \x1b[0m".to_vec()))]
    );
    assert_eq!(
        fake.request_lines(),
        ["POST /v1.41/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1&logs=0 HTTP/1.1"]
    );
}

/// From API 1.42 on the daemon's label decides, even when the caller's TTY flag is wrong; below
/// 1.42 the same label says nothing and the flag decides.
#[tokio::test]
async fn from_api_1_42_attach_follows_the_daemons_label_over_a_wrong_tty_flag() {
    let output = b"$ raw prompt".to_vec();
    let fake = fake(move |_| Reply::Upgrade {
        content_type: "application/vnd.docker.raw-stream",
        output: output.clone(),
        after_stdin: Vec::new(),
    })
    .await;
    let wrong_flag = AttachOptions {
        tty: false,
        ..AttachOptions::default()
    };
    let docker = docker(&fake);
    for (version, expected) in [
        (
            ApiVersion::new(1, 44),
            vec![Ok((StdStream::Console, b"$ raw prompt".to_vec()))],
        ),
        (
            ApiVersion::new(1, 41),
            // Read as stdcopy frames: "$ raw pr" is not a frame header.
            vec![Err("not a multiplexed stream".to_string())],
        ),
    ] {
        let client: v1_55::Client = docker.client_with_version(version).unwrap();
        let mut hijacked = within("attach", attach(&client, "c1", &wrong_flag))
            .await
            .unwrap();
        hijacked.stdin.shutdown().await.unwrap();
        let items: Vec<_> = within("output", hijacked.output.collect()).await;
        let got = merged(items);
        assert_eq!(got.len(), expected.len(), "{version}: {got:?}");
        match (&got[0], &expected[0]) {
            (Ok(g), Ok(e)) => assert_eq!(g, e, "{version}"),
            (Err(g), Err(e)) => assert!(g.contains(e.as_str()), "{version}: {g}"),
            (g, e) => panic!("{version}: {g:?}, expected {e:?}"),
        }
    }
}

#[tokio::test]
async fn a_200_instead_of_101_is_a_clear_error() {
    let fake = fake(|_| Reply::json("200 OK", "{}")).await;
    let err = failed(
        within(
            "exec start",
            exec_start(&fake.pinned_client(), "execid", false),
        )
        .await,
    );
    let Error::Stream(StreamError::Connection { reason, .. }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        reason,
        "exec_start: the daemon answered 200 OK instead of upgrading the connection"
    );
}

#[tokio::test]
async fn an_error_status_instead_of_101_is_the_daemons_error() {
    let fake = fake(|_| {
        Reply::json(
            "404 Not Found",
            r#"{"message": "No such exec instance: execid"}"#,
        )
    })
    .await;
    let err = failed(
        within(
            "exec start",
            exec_start(&fake.pinned_client(), "execid", false),
        )
        .await,
    );
    assert!(err.is_not_found(), "{err:?}");
    assert!(
        err.to_string().contains("No such exec instance: execid"),
        "{err}"
    );
}

// --- Bad input -------------------------------------------------------------------------------

#[tokio::test]
async fn logs_cut_inside_a_frame_end_with_an_error_item_saying_so() {
    // A whole frame, then a header announcing 9 bytes of which 3 come.
    let body = [
        frame(1, b"complete\n"),
        vec![1, 0, 0, 0, 0, 0, 0, 9],
        b"cut".to_vec(),
    ]
    .concat();
    let fake = fake(move |_| Reply::Canned {
        status: "200 OK",
        headers: vec![format!("Content-Type: {MULTIPLEXED}")],
        body: body.clone(),
    })
    .await;
    let logs = within(
        "logs",
        fake.pinned_client()
            .container_logs()
            .id("c1")
            .stdout(true)
            .send(),
    )
    .await
    .unwrap();
    let items: Vec<_> = within("output", logs.into_output(false).collect()).await;
    assert_eq!(
        merged(items),
        [
            Ok((StdStream::Stdout, b"complete\ncut".to_vec())),
            Err(
                "container output ended early: the stream ended with 6 bytes of a frame missing"
                    .to_string()
            ),
        ]
    );
}

#[tokio::test]
async fn a_hijacked_stream_cut_inside_a_frame_header_ends_with_an_error_item() {
    let fake = fake(|_| Reply::Upgrade {
        content_type: MULTIPLEXED,
        output: Vec::new(),
        after_stdin: [frame(1, b"ok\n"), vec![2, 0, 0]].concat(),
    })
    .await;
    let mut hijacked = within(
        "exec start",
        exec_start(&fake.pinned_client(), "execid", false),
    )
    .await
    .unwrap();
    hijacked.stdin.shutdown().await.unwrap();
    let items: Vec<_> = within("output", hijacked.output.collect()).await;
    let items = merged(items);
    assert_eq!(items[0], Ok((StdStream::Stdout, b"ok\n".to_vec())));
    assert_eq!(
        items[1..],
        [Err(
            "container output ended early: the stream ended inside a frame header (3 of 8 bytes)"
                .to_string()
        )]
    );
}

/// The progress items of a pull from a fake daemon answering `body`.
async fn pull_progress(
    body: &'static str,
) -> Vec<Result<v1_55::types::CreateImageInfo, StreamError>> {
    let fake = fake(move |_| Reply::json("200 OK", body)).await;
    let pull = within(
        "pull",
        fake.pinned_client()
            .image_create()
            .from_image("busybox")
            .send(),
    )
    .await
    .unwrap();
    within("progress", pull.into_json().collect()).await
}

#[tokio::test]
async fn garbage_in_a_json_stream_is_an_error_item_and_decoding_goes_on() {
    let items = pull_progress(
        "{\"status\":\"Pulling fs layer\"}\n{\"status\": garbage}\n{\"status\":\"Download complete\"}\n",
    )
    .await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(
        items[0].as_ref().unwrap().status.as_deref(),
        Some("Pulling fs layer")
    );
    let Err(StreamError::Json { snippet, .. }) = &items[1] else {
        panic!("{:?}", items[1])
    };
    // Quoted up to the byte no JSON value can hold.
    assert!(snippet.starts_with(r#"{"status": g"#), "{snippet}");
    assert!(
        items[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .starts_with("malformed JSON message"),
        "{:?}",
        items[1]
    );
    assert_eq!(
        items[2].as_ref().unwrap().status.as_deref(),
        Some("Download complete")
    );
}

#[tokio::test]
async fn an_error_message_in_a_json_stream_is_an_error_item_with_the_daemons_words() {
    let items = pull_progress(
        "{\"status\":\"Pulling from library/busybox\"}\n{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n",
    )
    .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok(), "{items:?}");
    assert_eq!(
        items[1],
        Err(StreamError::Daemon {
            message: "manifest unknown".into()
        })
    );
}

// --- Streams on connections of their own ----------------------------------------------------

/// Streaming `GET`s take a connection of their own (read in the reader's task); one that fails
/// before its response is sent again through the pool, so the caller sees the pool's answer.
#[tokio::test]
async fn a_stream_whose_own_connection_fails_first_is_sent_again_through_the_pool() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let fake = fake(move |head| {
        if head.contains("/logs") && calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return Reply::Hangup;
        }
        Reply::Canned {
            status: "200 OK",
            headers: vec![format!("Content-Type: {MULTIPLEXED}")],
            body: frame(1, b"second try\n"),
        }
    })
    .await;
    let client = fake.pinned_client();
    let logs = within("logs", client.container_logs().id("c1").stdout(true).send())
        .await
        .unwrap();
    let items: Vec<_> = within("output", logs.into_output(false).collect()).await;
    assert_eq!(
        merged(items),
        [Ok((StdStream::Stdout, b"second try\n".to_vec()))]
    );
    let lines = fake.request_lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("GET /v1.41/containers/c1/logs?"))
    );
    // Both carry what the pooled client sends: Host, User-Agent.
    for head in fake.heads() {
        assert!(has_header(&head, "host", "docker"), "{head}");
        assert!(
            has_header(&head, "user-agent", docker_engine_client::USER_AGENT),
            "{head}"
        );
    }

    // A request that is not a stream (here: not sent twice) reports the hang-up.
    let fake = fake_hanging_up().await;
    let err = failed(within("list", fake.pinned_client().container_list().send()).await);
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(fake.request_lines().len(), 1);
}

async fn fake_hanging_up() -> FakeDaemon {
    fake(|_| Reply::Hangup).await
}

#[tokio::test]
async fn a_dropped_stream_on_its_own_connection_stops_the_daemon_sending() {
    let fake = fake(|_| Reply::Endless {
        status: "200 OK",
        content_type: MULTIPLEXED,
        prefix: Vec::new(),
        chunk: frame(1, b"y\n"),
    })
    .await;
    let logs = within(
        "logs",
        fake.pinned_client()
            .container_logs()
            .id("c1")
            .stdout(true)
            .follow(true)
            .send(),
    )
    .await
    .unwrap();
    let mut output = logs.into_output(false);
    for _ in 0..100 {
        within("a line", output.next()).await.unwrap().unwrap();
    }
    drop(output);
    // The fake stops once its writes fail: what it sent no longer grows.
    let settled = within("the fake to stop", async {
        let mut last = fake.bytes_sent();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let now = fake.bytes_sent();
            if now == last {
                return now;
            }
            last = now;
        }
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(fake.bytes_sent(), settled, "the daemon kept sending");
}

// --- Hosts as the CLI takes them -------------------------------------------------------------

/// `tcp://host:port/prefix`: every request (negotiation, generated, streams) goes under the
/// prefix, as the Go client sends it to a daemon behind a path-routing proxy.
#[tokio::test]
async fn a_tcp_path_prefix_is_kept_for_every_request() {
    let fake = FakeDaemon::start(|head| {
        if head.contains("/_ping") {
            Reply::ping(Some("1.41"))
        } else if head.contains("/logs") {
            Reply::Canned {
                status: "200 OK",
                headers: vec![format!("Content-Type: {MULTIPLEXED}")],
                body: frame(1, b"x\n"),
            }
        } else {
            Reply::json("200 OK", "[]")
        }
    })
    .await;
    let docker = Docker::connect(&format!("tcp://{}/docker/v/", fake.addr())).unwrap();
    assert_eq!(
        docker.host().to_string(),
        format!("tcp://{}/docker/v", fake.addr())
    );
    let client: v1_55::Client = docker.client().await.unwrap();
    client.container_list().send().await.unwrap();
    let logs = client
        .container_logs()
        .id("c")
        .stdout(true)
        .send()
        .await
        .unwrap();
    let _: Vec<_> = logs.into_output(false).collect().await;
    let lines = fake.request_lines();
    assert_eq!(
        lines,
        [
            "GET /docker/v/_ping HTTP/1.1",
            "GET /docker/v/v1.41/containers/json HTTP/1.1",
            "GET /docker/v/v1.41/containers/c/logs?stdout=true HTTP/1.1",
        ]
    );
}

/// `unix://relative/path` is relative to the working directory, as for the CLI.
#[tokio::test]
async fn a_relative_unix_path_is_taken_from_the_working_directory() {
    let fake = fake(|_| Reply::ping(Some("1.41"))).await;
    let cwd = std::env::current_dir().unwrap();
    let up = "../".repeat(cwd.components().count() - 1);
    let relative = format!(
        "{up}{}",
        fake.socket().display().to_string().trim_start_matches('/')
    );
    let docker = Docker::connect(&format!("unix://{relative}")).unwrap();
    let client: v1_55::Client = docker.client().await.unwrap();
    client.system_ping().send().await.unwrap();
    assert_eq!(fake.request_lines().len(), 2, "{:?}", fake.request_lines());
}
