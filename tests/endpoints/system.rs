//! System: ping (GET and HEAD), version, info, disk usage, build cache prune.

use docker_engine_client::stream::ByteStreamExt;

use super::common::{connect, setup};
use crate::support;

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn ping_answers_ok_to_get_and_head() {
    let Some((_docker, client, _cleanup)) = connect().await else {
        return;
    };
    let ping = client.system_ping().send().await.unwrap();
    assert_eq!(support::read_all(ping.into_body()).await, b"OK");
    client.system_ping_head().send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn version_is_the_daemons_own() {
    let Some((_docker, client, _cleanup)) = connect().await else {
        return;
    };
    let version = client.system_version().send().await.unwrap().into_inner();
    assert_eq!(
        version.api_version.as_deref(),
        Some(super::DAEMON.api_version())
    );
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn info_reports_the_cpus_and_the_engine_release() {
    let Some((_docker, client, _cleanup)) = connect().await else {
        return;
    };
    let info = client.system_info().send().await.unwrap().into_inner();
    let release = match super::DAEMON {
        support::Daemon::Legacy => "20.10",
        support::Daemon::Modern => "28.5",
    };
    let server = info.server_version.unwrap_or_default();
    assert!(
        info.ncpu.unwrap_or(0) >= 1 && server.starts_with(release),
        "{server}"
    );
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn disk_usage_counts_layers_and_images() {
    // An image of its own, so `df` has layers to count whatever the other tests do.
    let Some((_docker, client, _cleanup, _image)) = setup("dec-df").await else {
        return;
    };
    let df = client
        .system_data_usage()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(df.layers_size.unwrap_or(0) > 0, "{df:?}");
    assert!(!df.images.unwrap_or_default().is_empty());
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn build_cache_prune_reports_the_space_reclaimed() {
    let Some((_docker, client, _cleanup)) = connect().await else {
        return;
    };
    let pruned = client.build_prune().send().await.unwrap().into_inner();
    assert!(pruned.space_reclaimed.unwrap_or(0) >= 0);
}
