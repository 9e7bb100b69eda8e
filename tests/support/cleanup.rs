//! Leaving the shared daemon as it was: a guard that removes what a test made (containers,
//! networks, volumes, images) even when the test panics, the way to do such work from a `Drop`,
//! polling until the daemon has caught up, and checking that something is gone.

use std::sync::Mutex;

use docker_engine_client::Docker;

/// Removes the containers, networks, volumes and images a test made, in that order, even when
/// the test panics (on drop, from a thread of its own, since drop cannot await).
pub struct Cleanup {
    host: String,
    containers: Mutex<Vec<String>>,
    networks: Mutex<Vec<String>>,
    volumes: Mutex<Vec<String>>,
    images: Mutex<Vec<String>>,
    /// What the test keeps until its objects are removed (a lock guard).
    kept: Mutex<Vec<Box<dyn std::any::Any + Send + Sync>>>,
}

impl Cleanup {
    /// Cleans up through `docker`.
    pub fn new(docker: &Docker) -> Self {
        Self {
            host: docker.host().to_string(),
            containers: Mutex::new(Vec::new()),
            networks: Mutex::new(Vec::new()),
            volumes: Mutex::new(Vec::new()),
            images: Mutex::new(Vec::new()),
            kept: Mutex::new(Vec::new()),
        }
    }

    /// Keeps `value` (a lock guard) until this cleanup has run: dropped after the removals.
    pub fn keep(&self, value: impl std::any::Any + Send + Sync) {
        self.kept.lock().unwrap().push(Box::new(value));
    }

    /// Removes container `id` (forcibly) at the end.
    pub fn container(&self, id: &str) {
        self.containers.lock().unwrap().push(id.to_string());
    }

    /// Removes network `id` (or name) at the end, after the containers.
    pub fn network(&self, id: &str) {
        self.networks.lock().unwrap().push(id.to_string());
    }

    /// Removes volume `name` at the end, after the containers that use it.
    pub fn volume(&self, name: &str) {
        self.volumes.lock().unwrap().push(name.to_string());
    }

    /// Removes image `reference` at the end.
    pub fn image(&self, reference: &str) {
        self.images.lock().unwrap().push(reference.to_string());
    }

    /// Creates a container from `body`, removed at the end; returns its id.
    pub async fn create(
        &self,
        client: &docker_engine_client::v1_55::Client,
        body: docker_engine_client::v1_55::types::ContainerCreateBody,
    ) -> String {
        let id = client
            .container_create()
            .body(body)
            .send()
            .await
            .unwrap()
            .into_inner()
            .id;
        self.container(&id);
        id
    }

    /// Creates and starts a container from `body`, removed at the end; returns its id.
    pub async fn run(
        &self,
        client: &docker_engine_client::v1_55::Client,
        body: docker_engine_client::v1_55::types::ContainerCreateBody,
    ) -> String {
        let id = self.create(client, body).await;
        client.container_start().id(&id).send().await.unwrap();
        id
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let take = |list: &Mutex<Vec<String>>| std::mem::take(&mut *list.lock().unwrap());
        let containers = take(&self.containers);
        let networks = take(&self.networks);
        let volumes = take(&self.volumes);
        let images = take(&self.images);
        if containers.is_empty() && networks.is_empty() && volumes.is_empty() && images.is_empty() {
            return;
        }
        on_own_connection(&self.host, |docker| async move {
            let Ok(client) = docker.client::<docker_engine_client::v1_55::Client>().await else {
                return;
            };
            for id in containers {
                let _ = client.container_delete().id(&id).force(true).send().await;
            }
            for id in networks {
                let _ = client.network_delete().id(&id).send().await;
            }
            for name in volumes {
                let _ = client.volume_delete().name(&name).force(true).send().await;
            }
            for image in images {
                let _ = client.image_delete().name(&image).force(true).send().await;
            }
        });
    }
}

/// Runs `work` to its end on a connection (and a runtime) of its own, for clean-up guards: in a
/// `Drop`, the test's pooled connections are driven by the test's runtime, which the drop blocks.
pub fn on_own_connection<F, Fut>(host: &str, work: F)
where
    F: FnOnce(Docker) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let host = host.to_string();
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        if let Ok(docker) = Docker::connect(&host) {
            runtime.block_on(work(docker));
        }
    })
    .join();
}

/// Tries `attempt` up to `tries` times, `every` apart, until it gives `Some`.
pub async fn eventually<T, F, Fut>(
    tries: usize,
    every: std::time::Duration,
    mut attempt: F,
) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..tries {
        if let Some(done) = attempt().await {
            return Some(done);
        }
        tokio::time::sleep(every).await;
    }
    None
}

/// Asserts that a call failed with 404: the object is gone.
pub fn assert_not_found<T>(result: Result<T, docker_engine_client::Error>) {
    match result {
        Ok(_) => panic!("expected 404, the call succeeded"),
        Err(e) => assert!(e.is_not_found(), "expected 404: {e}"),
    }
}
