//! WebSocket attach (`GET /containers/{id}/attach/ws`) against the real daemon: stdin sent as
//! messages comes back from `cat`, a clean close ends the attach and leaves the container running,
//! a container that exits closes the WebSocket itself; over the unix socket and over TCP, with
//! binary messages (API ≥ 1.28) and text messages (a client pinned to 1.27).

#![cfg(feature = "v1_55")]

#[cfg(not(feature = "websocket"))]
#[test]
#[ignore = "WebSocket attach needs the websocket feature: --features docker-engine-client/websocket"]
fn needs_the_websocket_feature() {}

#[cfg(feature = "websocket")]
mod support;

/// With the `websocket` feature; without it, the placeholder above says so.
#[cfg(feature = "websocket")]
mod attach {
    use super::support;

    use std::time::Duration;

    use docker_engine_client::stream::{self, AttachOptions, OutputChunk, StdStream};
    use docker_engine_client::v1_55::{Client, types};
    use docker_engine_client::{ApiVersion, Docker, StreamError};
    use futures_util::{StreamExt, TryStreamExt};
    use tokio::io::AsyncWriteExt;

    /// Reads output until it contains `want` (20 s at most); what was read.
    async fn read_until(
        output: &mut (impl futures_core::Stream<Item = Result<OutputChunk, StreamError>> + Unpin),
        want: &str,
    ) -> String {
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !seen.contains(want) {
            let item = tokio::time::timeout_at(deadline, output.next())
                .await
                .unwrap_or_else(|_| panic!("no {want:?} in {seen:?} after 20 s"));
            let Some(item) = item else {
                panic!("the output ended before {want:?}: {seen:?}")
            };
            let item = item.unwrap();
            // WebSocket output is never multiplexed: stdout and stderr come as one stream.
            assert_eq!(item.stream, StdStream::Console);
            seen.push_str(&String::from_utf8_lossy(&item.bytes));
        }
        seen
    }

    /// A busybox `cat` with open stdin, started; removed (with the image) by `cleanup`.
    async fn running_cat(client: &Client, cleanup: &support::Cleanup, image: &str) -> String {
        let body = types::ContainerCreateBody {
            image: Some(image.to_string()),
            cmd: Some(vec!["cat".into()]),
            open_stdin: true,
            ..Default::default()
        };
        cleanup.run(client, body).await
    }

    /// Attaches over a WebSocket, sends two lines (one with `send`, one through `AsyncWrite`), reads
    /// them back, closes cleanly and checks that the output then ends without an error.
    async fn echo_and_close(client: &Client, id: &str) {
        let mut ws = stream::attach_websocket(client, id, &AttachOptions::default())
            .await
            .unwrap();
        ws.stdin.send(&b"hello websocket\n"[..]).await.unwrap();
        read_until(&mut ws.output, "hello websocket\n").await;
        ws.stdin.write_all(b"second line\n").await.unwrap();
        read_until(&mut ws.output, "second line\n").await;
        ws.stdin.close().await.unwrap();
        let rest: Vec<OutputChunk> =
            tokio::time::timeout(Duration::from_secs(20), ws.output.try_collect())
                .await
                .expect("the daemon answers the close and the output ends")
                .expect("a clean close, not an error");
        assert!(rest.is_empty(), "{rest:?}");
    }

    async fn is_running(client: &Client, id: &str) -> bool {
        let inspect = client.container_inspect().id(id).send().await.unwrap();
        inspect.into_inner().state.and_then(|s| s.running) == Some(true)
    }

    async fn websocket_attach_echoes_stdin_and_closes_cleanly_on_every_transport_and_framing() {
        let Some(support::BusyboxFixture {
            docker,
            client,
            cleanup,
            image,
        }) = support::BusyboxFixture::new("ws").await
        else {
            return;
        };
        let id = running_cat(&client, &cleanup, &image).await;

        // Unix socket, the daemon's version (1.41 or 1.51): binary messages.
        echo_and_close(&client, &id).await;
        // Closing the WebSocket ended the attach, not the container.
        assert!(is_running(&client, &id).await);

        // Pinned to 1.27: the daemon sends text messages.
        let old: Client = docker.client_with_version(ApiVersion::new(1, 27)).unwrap();
        echo_and_close(&old, &id).await;
        assert!(is_running(&client, &id).await);

        // TCP (through a recording proxy in front of the socket): the same request path.
        let proxy = support::RecordingProxy::start(support::daemon_socket().unwrap()).await;
        let over_tcp: Client = Docker::connect(&proxy.host)
            .unwrap()
            .client()
            .await
            .unwrap();
        echo_and_close(&over_tcp, &id).await;
        let sent = proxy.sent();
        assert!(
            proxy.request_lines().iter().any(|l| l.starts_with(&format!(
                "GET /v{}/containers/{id}/attach/ws?stream=1&",
                support::daemon::current().api_version()
            ))),
            "{:?}",
            proxy.request_lines()
        );
        let lower = sent.to_ascii_lowercase();
        assert!(
            lower.contains("upgrade: websocket") && lower.contains("sec-websocket-version: 13"),
            "{sent}"
        );
        assert!(is_running(&client, &id).await);
    }

    async fn a_container_that_exits_closes_the_websocket_and_a_missing_one_is_not_found() {
        let Some(support::BusyboxFixture {
            client,
            cleanup,
            image,
            ..
        }) = support::BusyboxFixture::new("ws-exit").await
        else {
            return;
        };
        let body = types::ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(vec![
                "sh".into(),
                "-c".into(),
                "read line; echo \"got $line\"; echo to-stderr >&2".into(),
            ]),
            open_stdin: true,
            ..Default::default()
        };
        let id = cleanup.create(&client, body).await;
        // Attached before the start, so no output is missed.
        let mut ws = stream::attach_websocket(&client, &id, &AttachOptions::default())
            .await
            .unwrap();
        client.container_start().id(&id).send().await.unwrap();
        ws.stdin.send(&b"ping\n"[..]).await.unwrap();
        let mut seen = read_until(&mut ws.output, "to-stderr\n").await;
        // The exit ends the attach: the daemon closes the WebSocket normally.
        let rest: Vec<OutputChunk> =
            tokio::time::timeout(Duration::from_secs(20), ws.output.try_collect())
                .await
                .expect("the exit ends the output")
                .expect("a normal close, not an error");
        for chunk in rest {
            seen.push_str(&String::from_utf8_lossy(&chunk.bytes));
        }
        // stdout and stderr are copied to the WebSocket side by side: either may come first.
        let mut lines: Vec<&str> = seen.lines().collect();
        lines.sort_unstable();
        assert_eq!(lines, ["got ping", "to-stderr"], "{seen:?}");
        let status = client
            .container_wait()
            .id(&id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .status_code;
        assert_eq!(status, 0);

        let missing =
            stream::attach_websocket(&client, &support::unique("nope"), &AttachOptions::default())
                .await
                .err()
                .expect("no such container");
        assert!(missing.is_not_found(), "{missing}");
    }

    crate::on_both_daemons!(
        websocket_attach_echoes_stdin_and_closes_cleanly_on_every_transport_and_framing,
        a_container_that_exits_closes_the_websocket_and_a_missing_one_is_not_found,
    );
}
