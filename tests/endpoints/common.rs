//! What the endpoint tests share: a v1.41 client of the daemon with a busybox image of the
//! test's own and a clean-up guard; JSON request bodies decoded into the generated types; short
//! ways to create, run, inspect and list containers.

use docker_engine_client::Docker;
use docker_engine_client::filters::ContainerFilters;
use super::api::{Client, types};
use serde_json::json;
use tokio::sync::RwLock;

use crate::support;

/// The daemon's image store, shared by this daemon's tests and had alone by the one that prunes
/// images. On Engine 28's containerd store an image prune deletes the lease of every operation
/// then in flight (imports, pulls, commits, loads, saves: moby/moby#53321, open), even a prune
/// whose filter matches nothing, and those fail with "lease does not exist: not found" (CI saw a
/// commit fail so twice; 30 commits beside a loop of such prunes: 6 failed). Every test holds it
/// for reading from [`connect`] until its cleanup has run; [`setup_alone`] holds it for writing.
static IMAGE_STORE: RwLock<()> = RwLock::const_new(());

/// A v1.41 client of the daemon and the cleanup of what the test makes (`None`: no daemon).
pub async fn connect() -> Option<(Docker, Client, support::Cleanup)> {
    let shared = IMAGE_STORE.read().await;
    connect_keeping(shared).await
}

/// [`connect`], with `guard` kept until the cleanup has run.
async fn connect_keeping(
    guard: impl std::any::Any + Send + Sync,
) -> Option<(Docker, Client, support::Cleanup)> {
    let docker = support::docker_of(super::DAEMON)?;
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    cleanup.keep(guard);
    Some((docker, client, cleanup))
}

/// [`connect`], and a busybox image of the test's own (`dec-<name>-...:latest`), removed at the
/// end.
pub async fn setup(name: &str) -> Option<(Docker, Client, support::Cleanup, String)> {
    with_busybox(connect().await?, name).await
}

/// [`setup`] for a test that prunes images: it runs while no other test of this daemon does
/// (see [`IMAGE_STORE`]).
pub async fn setup_alone(name: &str) -> Option<(Docker, Client, support::Cleanup, String)> {
    let alone = IMAGE_STORE.write().await;
    with_busybox(connect_keeping(alone).await?, name).await
}

/// Imports a busybox image of the test's own, removed at the end.
async fn with_busybox(
    (docker, client, cleanup): (Docker, Client, support::Cleanup),
    name: &str,
) -> Option<(Docker, Client, support::Cleanup, String)> {
    let importer: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
    let image = support::import_busybox(&importer, &support::unique(name)).await;
    cleanup.image(&image);
    Some((docker, client, cleanup, image))
}

/// A field optional in some versions' types and required in others (`NetworkCreateResponse.Id`
/// is optional in v1.41, required in v1.51): its value either way.
pub trait Present<T> {
    /// The value (an optional one must be there).
    fn present(self) -> T;
}

impl<T> Present<T> for Option<T> {
    fn present(self) -> T {
        self.expect("the daemon left out a field the test needs")
    }
}

impl Present<String> for String {
    fn present(self) -> String {
        self
    }
}

/// A request body of type `T`, written as Docker documents it.
pub fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// Creates a container from `create` (removed at the end); returns its id.
pub async fn create(
    client: &Client,
    cleanup: &support::Cleanup,
    create: serde_json::Value,
) -> String {
    let id = client
        .container_create()
        .body(body::<types::ContainerCreateBody>(create))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    cleanup.container(&id);
    id
}

/// Creates and starts a container of `image` running `cmd`, labelled `dec.test=<label>` (it
/// stops within a second); returns its id.
pub async fn run(
    client: &Client,
    cleanup: &support::Cleanup,
    image: &str,
    cmd: &[&str],
    label: &str,
) -> String {
    let id = create(
        client,
        cleanup,
        json!({"Image": image, "Cmd": cmd, "Labels": {"dec.test": label}, "StopTimeout": 1}),
    )
    .await;
    client.container_start().id(&id).send().await.unwrap();
    id
}

/// Runs `cmd` to its end; returns the container's id.
pub async fn run_to_exit(
    client: &Client,
    cleanup: &support::Cleanup,
    image: &str,
    cmd: &[&str],
    label: &str,
) -> String {
    let id = run(client, cleanup, image, cmd, label).await;
    client.container_wait().id(&id).send().await.unwrap();
    id
}

/// `GET /containers/{id}/json`.
pub async fn inspect(client: &Client, id: &str) -> types::ContainerInspectResponse {
    client
        .container_inspect()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner()
}

/// The container's state (`running`, `paused`, `exited`...).
pub async fn status(client: &Client, id: &str) -> Option<types::ContainerStateStatus> {
    inspect(client, id).await.state.and_then(|s| s.status)
}

/// The ids of the containers, running or not, that `filters` select.
pub async fn listed(client: &Client, filters: ContainerFilters) -> Vec<String> {
    client
        .container_list()
        .all(true)
        .filters(filters)
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_iter()
        .filter_map(|c| c.id)
        .collect()
}

/// `dec.test=<label>`: the label each test puts on what it makes, to filter by.
pub fn labelled(label: &str) -> String {
    format!("dec.test={label}")
}
