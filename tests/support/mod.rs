//! Shared by the integration tests: finding the real daemon, unique names, a busybox image
//! imported through the client, and a recording proxy that shows what went over the wire.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use docker_engine_client::Docker;

pub mod coverage;

/// Whether this run must not skip (CI starts every peer the tests need).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Skips (returns `None`) when a peer is missing, except under `CI=true`, where it fails.
pub fn require<T>(found: Option<T>, what: &str) -> Option<T> {
    if found.is_none() {
        if in_ci() {
            panic!("CI=true but {what} is missing: CI must provide it");
        }
        eprintln!("skipped: {what} is missing");
    }
    found
}

/// The daemon's unix socket, from `DOCKER_HOST` (`unix://...`) or the default path.
pub fn daemon_socket() -> Option<PathBuf> {
    let path = match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => PathBuf::from(&host["unix://".len()..]),
        _ => PathBuf::from("/var/run/docker.sock"),
    };
    require(path.exists().then_some(path), "the Docker daemon's socket")
}

/// A connection to the local daemon over its unix socket.
pub fn docker() -> Option<Docker> {
    let socket = daemon_socket()?;
    coverage::install();
    Some(Docker::connect(&format!("unix://{}", socket.display())).unwrap())
}

/// Whether the tests run as root (needed to start a second daemon).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Writes a docker CLI context named `name` with docker endpoint `host` into the config dir
/// `dir`; returns the folder its TLS material goes in.
pub fn write_context(dir: &std::path::Path, name: &str, host: &str) -> PathBuf {
    use sha2::Digest;
    let id: String = sha2::Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let meta = dir.join("contexts/meta").join(&id);
    std::fs::create_dir_all(&meta).unwrap();
    let doc = serde_json::json!({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}});
    std::fs::write(meta.join("meta.json"), doc.to_string()).unwrap();
    dir.join("contexts/tls").join(&id).join("docker")
}

/// A name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("dec-{prefix}-{}-{nanos}", std::process::id())
}

/// Commands the busybox image links to `/bin/busybox`.
const APPLETS: &[&str] = &[
    "sh", "cat", "echo", "sleep", "ls", "true", "false", "env", "printf", "yes", "head", "dd",
    "wc", "tail", "id", "stty",
];

/// An image tarball (a root filesystem) holding Debian's static busybox and its applet links.
pub fn busybox_rootfs_tar() -> Vec<u8> {
    busybox_rootfs_tar_with(&[])
}

/// The same with extra regular files `(path, contents)`, e.g. to make a layer no other image has.
pub fn busybox_rootfs_tar_with(files: &[(&str, &[u8])]) -> Vec<u8> {
    let busybox =
        std::fs::read("/bin/busybox").expect("busybox-static is installed (/bin/busybox)");
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(busybox.len() as u64);
    header.set_mode(0o755);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, "bin/busybox", busybox.as_slice())
        .unwrap();
    for applet in APPLETS {
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        link.set_mode(0o777);
        builder
            .append_link(&mut link, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    for (path, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, path, *contents).unwrap();
    }
    let mut tmp = tar::Header::new_gnu();
    tmp.set_entry_type(tar::EntryType::Directory);
    tmp.set_mode(0o1777);
    tmp.set_size(0);
    builder
        .append_data(&mut tmp, "tmp/", std::io::empty())
        .unwrap();
    builder.into_inner().unwrap()
}

/// Reads a whole (small) streamed body, for checking it.
pub async fn read_all(body: docker_engine_client::stream::BodyStream) -> Vec<u8> {
    use futures_util::TryStreamExt;
    body.try_fold(Vec::new(), |mut all, chunk| async move {
        all.extend_from_slice(&chunk);
        Ok(all)
    })
    .await
    .unwrap()
}

/// Imports the busybox root filesystem as `repo:latest` through the client's own image import
/// call; returns the image reference. The caller removes it.
pub async fn import_busybox(client: &docker_engine_client::v1_55::Client, repo: &str) -> String {
    import_rootfs(client, repo, busybox_rootfs_tar()).await
}

/// Imports a root filesystem tarball as `repo:latest`; returns the image reference.
pub async fn import_rootfs(
    client: &docker_engine_client::v1_55::Client,
    repo: &str,
    rootfs: Vec<u8>,
) -> String {
    use docker_engine_client::stream::ByteStreamExt;
    let progress = client
        .image_create()
        .from_src("-")
        .repo(repo)
        .tag("latest")
        .body(rootfs)
        .send()
        .await
        .unwrap();
    let progress = read_all(progress.into_body()).await;
    let progress = String::from_utf8_lossy(&progress);
    assert!(
        progress.contains("sha256:") && !progress.contains("errorDetail"),
        "{progress}"
    );
    format!("{repo}:latest")
}

/// A TCP proxy on 127.0.0.1 in front of the daemon's unix socket that records every byte the
/// client sends, to check what really went over the wire. It forwards to a real daemon.
pub struct RecordingProxy {
    /// `tcp://127.0.0.1:PORT`.
    pub host: String,
    sent: Arc<Mutex<Vec<u8>>>,
    closed: Arc<Mutex<usize>>,
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl RecordingProxy {
    /// Starts the proxy (on the current tokio runtime).
    pub async fn start(socket: PathBuf) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = format!("tcp://{}", listener.local_addr().unwrap());
        let sent = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(0));
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let (sent2, closed2, tasks2) = (sent.clone(), closed.clone(), tasks.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let daemon = tokio::net::UnixStream::connect(&socket).await.unwrap();
                let (sent, closed) = (sent2.clone(), closed2.clone());
                let task = tokio::spawn(async move {
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut daemon_read, mut daemon_write) = daemon.into_split();
                    let upstream = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            match client_read.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
                                    sent.lock().unwrap().extend_from_slice(&buf[..n]);
                                    if daemon_write.write_all(&buf[..n]).await.is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                        *closed.lock().unwrap() += 1;
                        let _ = daemon_write.shutdown().await;
                    };
                    let downstream = async {
                        let _ = tokio::io::copy(&mut daemon_read, &mut client_write).await;
                        let _ = client_write.shutdown().await;
                    };
                    tokio::join!(upstream, downstream);
                });
                tasks2.lock().unwrap().push(task.abort_handle());
            }
        });
        Self {
            host,
            sent,
            closed,
            tasks,
        }
    }

    /// Cuts every connection made so far, abruptly (the daemon "goes away" mid-stream).
    pub fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Everything clients sent so far, lossily as text.
    pub fn sent(&self) -> String {
        String::from_utf8_lossy(&self.sent.lock().unwrap()).into_owned()
    }

    /// The request lines sent so far (`GET /v1.41/containers/json HTTP/1.1`).
    pub fn request_lines(&self) -> Vec<String> {
        self.sent()
            .lines()
            .filter(|l| {
                ["GET ", "POST ", "PUT ", "DELETE ", "HEAD "]
                    .iter()
                    .any(|m| l.starts_with(m))
            })
            .map(str::to_string)
            .collect()
    }

    /// How many client connections have closed their sending side.
    pub fn closed_connections(&self) -> usize {
        *self.closed.lock().unwrap()
    }
}

/// Removes the containers and images a test made, even when the test panics (on drop, from a
/// thread of its own, since drop cannot await).
pub struct Cleanup {
    host: String,
    containers: Mutex<Vec<String>>,
    images: Mutex<Vec<String>>,
}

impl Cleanup {
    /// Cleans up through `docker`.
    pub fn new(docker: &Docker) -> Self {
        Self {
            host: docker.host().to_string(),
            containers: Mutex::new(Vec::new()),
            images: Mutex::new(Vec::new()),
        }
    }

    /// Removes container `id` at the end.
    pub fn container(&self, id: &str) {
        self.containers.lock().unwrap().push(id.to_string());
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

    /// Removes image `reference` at the end.
    pub fn image(&self, reference: &str) {
        self.images.lock().unwrap().push(reference.to_string());
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let containers = std::mem::take(&mut *self.containers.lock().unwrap());
        let images = std::mem::take(&mut *self.images.lock().unwrap());
        on_own_connection(&self.host, |docker| async move {
            let Ok(client) = docker.client::<docker_engine_client::v1_55::Client>().await else {
                return;
            };
            for id in containers {
                let _ = client.container_delete().id(&id).force(true).send().await;
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

/// Reads a JSON message stream to its end: the items, or the first error.
pub async fn json_items<T: serde::de::DeserializeOwned>(
    response: impl docker_engine_client::stream::ByteStreamExt,
) -> Result<Vec<T>, docker_engine_client::Error> {
    use futures_util::TryStreamExt;
    Ok(response.into_json::<T>().try_collect().await?)
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

/// Asserts that a call failed with 404: the object is gone.
pub fn assert_not_found<T>(result: Result<T, docker_engine_client::Error>) {
    match result {
        Ok(_) => panic!("expected 404, the call succeeded"),
        Err(e) => assert!(e.is_not_found(), "expected 404: {e}"),
    }
}
