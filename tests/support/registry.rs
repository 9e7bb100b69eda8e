//! The test registry that `.ci/setup` starts on 127.0.0.1:5000 (basic auth, plain HTTP on
//! loopback): whether it answers, its users (tests/fixtures/registry-users), images with a layer
//! of their own to push and pull, and a push.

use super::cleanup::Cleanup;
use super::daemon::{json_items, require, unique};
use super::images::{busybox_rootfs_tar_with, import_rootfs};

/// The test registry that `.ci/setup` starts (basic auth, plain HTTP on loopback).
pub const REGISTRY: &str = "127.0.0.1:5000";

/// Whether the test registry answers; skips, or fails under `CI=true`, when it does not.
pub fn require_registry() -> Option<()> {
    let up = std::net::TcpStream::connect_timeout(
        &REGISTRY.parse().unwrap(),
        std::time::Duration::from_secs(2),
    )
    .is_ok();
    require(
        up.then_some(()),
        "the test registry on 127.0.0.1:5000 (.ci/setup)",
    )
}

/// The test registry's users, `(user, password)`, from `tests/fixtures/registry-users` (the
/// file `.ci/setup` makes the registry's htpasswd from).
pub fn registry_users() -> Vec<(String, String)> {
    include_str!("../fixtures/registry-users")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (user, password) = l.split_once(' ').unwrap();
            (user.to_string(), password.to_string())
        })
        .collect()
}

/// The registry's main test user's credentials.
pub fn registry_credentials() -> docker_engine_client::auth::Credentials {
    let (user, password) = registry_users().remove(0);
    docker_engine_client::auth::Credentials::password(user, password).with_server_address(REGISTRY)
}

/// The content of `/etc/unique` in a [`registry_image`] of repository `repo`.
pub fn registry_image_content(repo: &str) -> Vec<u8> {
    repo.bytes().cycle().take(256 * 1024).collect()
}

/// Imports busybox as `127.0.0.1:5000/<unique name>:latest` (removed locally at the end) with a
/// file of its own in the layer ([`registry_image_content`] at `/etc/unique`), so a pull
/// downloads it (with progress) instead of finding it.
pub async fn registry_image(
    client: &docker_engine_client::v1_55::Client,
    cleanup: &Cleanup,
    name: &str,
) -> String {
    let repo = format!("{REGISTRY}/{}", unique(name));
    let own = registry_image_content(&repo);
    let rootfs = busybox_rootfs_tar_with(&[("etc/unique", &own)]);
    let image = import_rootfs(client, &repo, rootfs).await;
    cleanup.image(&image);
    image
}

/// Pushes `image` (`repo:tag`) with `creds`: the push's progress items, or the stream's error.
pub async fn push(
    client: &docker_engine_client::v1_55::Client,
    image: &str,
    creds: &docker_engine_client::auth::Credentials,
) -> Result<Vec<docker_engine_client::v1_55::types::PushImageInfo>, docker_engine_client::Error> {
    let (repo, tag) = image.rsplit_once(':').unwrap();
    let progress = client
        .image_push()
        .name(repo)
        .tag(tag)
        .x_registry_auth(creds)
        .send()
        .await?;
    json_items(progress).await
}
