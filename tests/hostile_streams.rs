//! A daemon that streams one JSON message that never ends, in tiny chunks: the message is
//! refused at the 16 MiB cap as soon as the bytes that cross it arrive, in linear time and bounded
//! memory. (A test binary of its own, so that its peak memory is not mixed with other tests'.)

#[path = "support/fake_daemon.rs"]
mod fake_daemon;

use std::time::{Duration, Instant};

use docker_engine_client::StreamError;
use docker_engine_client::stream::{ByteStreamExt, MAX_MESSAGE, Progress};
use fake_daemon::{FakeDaemon, Reply, peak_rss};
use futures_util::StreamExt;

#[tokio::test]
async fn an_endless_json_line_in_tiny_chunks_is_refused_at_the_cap() {
    let fake = FakeDaemon::start(|_| Reply::Endless {
        status: "200 OK",
        content_type: "application/json",
        prefix: br#"{"status":""#.to_vec(),
        // 64-byte HTTP chunks: a quarter of a million of them before the cap.
        chunk: vec![b'x'; 64],
    })
    .await;
    let client = fake.pinned_client();
    let before = peak_rss();
    let started = Instant::now();
    let pull = client
        .image_create()
        .from_image("busybox")
        .tag("latest")
        .send()
        .await
        .unwrap();
    let mut messages = pull.into_json::<Progress>();
    let first = tokio::time::timeout(Duration::from_secs(60), messages.next())
        .await
        .expect("refused within 60 s");
    let elapsed = started.elapsed();
    let grew = peak_rss().saturating_sub(before);
    match first {
        Some(Err(StreamError::TooLong { limit })) => assert_eq!(limit, MAX_MESSAGE),
        other => panic!("expected the cap's error, got {other:?}"),
    }
    drop(messages);
    eprintln!(
        "an endless line refused after {:.2} s, {} bytes sent, peak RSS +{} MiB",
        elapsed.as_secs_f64(),
        fake.bytes_sent(),
        grew >> 20
    );
    assert!(
        grew < 48 * 1024 * 1024,
        "peak RSS grew by {grew} bytes for a 16 MiB cap"
    );
}
