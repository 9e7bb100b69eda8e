//! Containers for tests, CI and SDKs: started detached from a [`Run`](crate::run::Run), waited
//! for until ready ([`Wait`]), used (ports, exec, files, logs), and removed when their handle
//! drops, also when a test panics. For every enabled API version, like [`run`](crate::run).
//!
//! [`Container`] and [`Wait`] show a whole program each.
//!
//! Everything this layer creates carries labels naming the process ([`PROCESS_LABEL`],
//! [`SESSION_LABEL`]); [`cleanup_stale`] removes what processes killed before their handles
//! dropped left behind.

mod cleanup;
mod exec;
mod files;
mod inspect;
mod lines;
mod network;
mod port;
mod wait;

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use cleanup::{Cleaned, PROCESS_LABEL, SESSION_LABEL, cleanup_stale, session_id};
pub use exec::Exec;
pub use files::MAX_READ;
pub use inspect::{Config, Endpoint, Inspection, NetworkSettings, PortBinding, State};
pub use network::{Network, NetworkSpec};
pub use port::{IntoPort, Port, Protocol};
pub use wait::{DEFAULT_TIMEOUT, LogStreams, Wait};

use crate::connect::Host;
use crate::error::{ContainerError, Error};
use crate::run::RunOutput;
use crate::stream::{BodyStream, OutputStream};
use crate::transport::{ApiClient, Requests, segment};

pub(crate) use cleanup::{Kind, labels as cleanup_labels, remove_on_drop};

/// A running container this process started ([`Run::detach`](crate::run::Run::detach)); removed
/// (forced, with its anonymous volumes) when dropped, unless [`Container::keep`] is called.
///
/// Dropping waits for the removal (made on a thread of its own, so it also works while a panic
/// unwinds and on a single-threaded runtime); call
/// [`Container::remove`] to remove it without blocking.
///
/// ```no_run
/// # async fn demo() -> Result<(), docker_engine_client::Error> {
/// use docker_engine_client::{Docker, container::Wait, run::Run, v1_55};
/// let client: v1_55::Client = Docker::from_env()?.client().await?;
/// // httpd on a random port of 127.0.0.1, ready when it answers.
/// let web = Run::new("httpd:2.4", Vec::<String>::new())
///     .publish("80/tcp")
///     .wait_for(Wait::http(80, "/"))
///     .detach(&client)
///     .await?;
/// let port = web.host_port(80).await?;
/// web.copy_in("/usr/local/apache2/htdocs/hello.txt", "hello").await?;
/// let out = web.exec(["cat", "/usr/local/apache2/htdocs/hello.txt"]).await?;
/// assert_eq!(out.stdout, b"hello");
/// assert_eq!(web.read_file("/usr/local/apache2/htdocs/hello.txt").await?, b"hello");
/// // Dropped here: the container is removed (`keep()` to keep it).
/// # Ok(()) }
/// ```
pub struct Container<C: ApiClient> {
    client: C,
    handle: Handle,
    armed: bool,
}

/// What the waits and the operations of a container need: how to reach the daemon, which
/// container, how its output is framed and where its published ports are reached.
#[derive(Clone, Debug)]
pub(crate) struct Handle {
    pub(crate) requests: Requests,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) tty: bool,
    /// The host published ports are reached on, when bound to every address.
    pub(crate) host: String,
}

impl Handle {
    /// A container of the daemon `requests` reach.
    pub(crate) fn new(requests: Requests, id: String, name: String, tty: bool) -> Handle {
        let host = match requests.state().endpoint().map(Host::parse) {
            Some(Ok(Host::Tcp { host, .. } | Host::Ssh { host, .. })) => host,
            _ => "127.0.0.1".to_string(),
        };
        Handle {
            requests,
            id,
            name,
            tty,
            host,
        }
    }

    /// Its name, else its short id, for messages.
    pub(crate) fn label(&self) -> String {
        if self.name.is_empty() {
            self.id.chars().take(12).collect()
        } else {
            self.name.clone()
        }
    }

    /// `GET /containers/{id}/json`, as `T`.
    pub(crate) async fn inspect_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let request = self
            .requests
            .get(&format!("/containers/{}/json", segment(&self.id)));
        let response = self.requests.send(request, "container_inspect").await?;
        self.requests.json(response, "container_inspect").await
    }

    /// What this layer reads of the container.
    pub(crate) async fn inspect(&self) -> Result<Inspection, Error> {
        self.inspect_as().await
    }

    /// The host port `port` is published on.
    pub(crate) async fn host_port(&self, port: &Port) -> Result<u16, Error> {
        Ok(self.binding(port).await?.1)
    }

    /// `host:port` where this process reaches the container's `port`.
    pub(crate) async fn host_address(&self, port: &Port) -> Result<String, Error> {
        let (ip, host_port) = self.binding(port).await?;
        let host = match ip.as_str() {
            "" | "0.0.0.0" | "::" => self.host.as_str(),
            ip => ip,
        };
        Ok(if host.contains(':') {
            format!("[{host}]:{host_port}")
        } else {
            format!("{host}:{host_port}")
        })
    }

    /// The first binding of `port` (IPv4 first): its host address and port.
    async fn binding(&self, port: &Port) -> Result<(String, u16), Error> {
        let inspection = self.inspect().await?;
        let not_published = || -> Error {
            ContainerError::PortNotPublished {
                container: self.label(),
                port: port.to_string(),
            }
            .into()
        };
        let bindings = inspection
            .network_settings
            .ports
            .get(&port.to_string())
            .cloned()
            .flatten()
            .unwrap_or_default();
        let binding = bindings
            .iter()
            .find(|b| !b.host_ip.contains(':'))
            .or(bindings.first())
            .ok_or_else(not_published)?;
        let host_port = binding.host_port.parse().map_err(|_| not_published())?;
        Ok((binding.host_ip.clone(), host_port))
    }

    /// Waits for the container to stop; its exit code.
    pub(crate) async fn wait_exit(&self) -> Result<i64, Error> {
        #[derive(Deserialize)]
        struct Waited {
            #[serde(rename = "StatusCode")]
            status_code: i64,
        }
        let request = self
            .requests
            .post(&format!("/containers/{}/wait", segment(&self.id)));
        let response = self.requests.send(request, "container_wait").await?;
        let waited: Waited = self.requests.json(response, "container_wait").await?;
        Ok(waited.status_code)
    }
}

impl<C: ApiClient> Container<C> {
    /// The handle on a container this process created and started, removed on drop.
    pub(crate) fn started(client: &C, handle: Handle) -> Self {
        Container {
            client: client.clone(),
            handle,
            armed: true,
        }
    }

    /// Its id.
    pub fn id(&self) -> &str {
        &self.handle.id
    }

    /// Names it as the daemon does, once known.
    pub(crate) fn set_name(&mut self, name: &str) {
        self.handle.name = name.to_string();
    }

    /// Its name (without the daemon's leading `/`).
    pub fn name(&self) -> &str {
        &self.handle.name
    }

    /// The client it was started with, for the generated operations.
    pub fn client(&self) -> &C {
        &self.client
    }

    /// The host port the container's `port` is published on (`8080`, `"53/udp"`).
    pub async fn host_port(&self, port: impl IntoPort) -> Result<u16, Error> {
        self.handle.host_port(&port.into_port()?).await
    }

    /// `host:port` where this process reaches the container's published `port`.
    pub async fn host_address(&self, port: impl IntoPort) -> Result<String, Error> {
        self.handle.host_address(&port.into_port()?).await
    }

    /// Runs `cmd` in the container to its end: exit code, stdout, stderr. ([`Exec`] for input,
    /// environment, user; [`stream::exec_start`](crate::stream::exec_start) to stream.)
    pub async fn exec<I, S>(&self, cmd: I) -> Result<RunOutput, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Exec::new(cmd).run(&self.handle).await
    }

    /// Runs `exec` in the container to its end.
    pub async fn exec_with(&self, exec: &Exec) -> Result<RunOutput, Error> {
        exec.run(&self.handle).await
    }

    /// Writes `bytes` as the file `path` (absolute; mode 0644); missing parent folders are made.
    /// (A one-file tar through the archive operation that extracts a tar into a container, the
    /// generated `put_container_archive`.)
    pub async fn copy_in(&self, path: &str, bytes: impl Into<Vec<u8>>) -> Result<(), Error> {
        files::write(&self.handle, path, bytes.into(), 0o644).await
    }

    /// Copies the local file `local` to `path` in the container, with its permissions.
    pub async fn copy_file_in(&self, local: impl AsRef<Path>, path: &str) -> Result<(), Error> {
        let local = local.as_ref().to_path_buf();
        let read = tokio::task::spawn_blocking(move || {
            let bytes = std::fs::read(&local)?;
            let mode = mode_of(&std::fs::metadata(&local)?);
            Ok::<_, std::io::Error>((bytes, mode))
        })
        .await;
        let (bytes, mode) = match read {
            Ok(Ok(read)) => read,
            Ok(Err(e)) => return Err(self.file_error(path, format!("reading the local file: {e}"))),
            Err(e) => return Err(self.file_error(path, format!("reading the local file: {e}"))),
        };
        files::write(&self.handle, path, bytes, mode).await
    }

    /// The content of the regular file `path` (at most [`MAX_READ`] bytes). (Read from the tar
    /// the generated `container_archive` answers for a path.)
    pub async fn read_file(&self, path: &str) -> Result<Vec<u8>, Error> {
        files::read(&self.handle, path).await
    }

    /// Its output from its start, followed: demultiplexed (or raw with a TTY), ending when the
    /// container stops.
    pub async fn logs(&self) -> Result<OutputStream<BodyStream>, Error> {
        lines::logs(
            &self.handle.requests,
            &self.handle.id,
            self.handle.tty,
            true,
            None,
        )
        .await
    }

    /// Its last `n` lines of output so far (stdout and stderr, lossily decoded).
    pub async fn last_lines(&self, n: usize) -> Result<Vec<String>, Error> {
        use futures_util::StreamExt;
        let mut output = lines::logs(
            &self.handle.requests,
            &self.handle.id,
            self.handle.tty,
            false,
            Some(n),
        )
        .await?;
        let mut split = lines::Lines::default();
        let mut found = Vec::new();
        while let Some(chunk) = output.next().await {
            found.extend(split.push(&chunk?));
        }
        found.extend(split.finish());
        Ok(found
            .into_iter()
            .map(|(_, line)| String::from_utf8_lossy(&line).into_owned())
            .collect())
    }

    /// Waits until `wait` (a [`Wait`] or a `&Wait`) is satisfied (a [`ContainerError`] quoting
    /// its last lines otherwise).
    pub async fn wait_for(&self, wait: impl std::borrow::Borrow<Wait>) -> Result<(), Error> {
        wait.borrow().run(&self.handle).await
    }

    /// Stops it: SIGTERM, then SIGKILL after `timeout`. Stopped already is stopped.
    pub async fn stop(&self, timeout: Duration) -> Result<(), Error> {
        let requests = &self.handle.requests;
        let stop = requests
            .post(&format!("/containers/{}/stop", segment(&self.handle.id)))
            .query(&[("t", timeout.as_secs().to_string())]);
        match requests.send(stop, "container_stop").await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_modified() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Sends `signal` (`SIGKILL`, `HUP`, `15`).
    pub async fn kill(&self, signal: &str) -> Result<(), Error> {
        let requests = &self.handle.requests;
        let kill = requests
            .post(&format!("/containers/{}/kill", segment(&self.handle.id)))
            .query(&[("signal", signal)]);
        requests.send(kill, "container_kill").await.map(drop)
    }

    /// Its state, ports, networks and labels.
    pub async fn inspect(&self) -> Result<Inspection, Error> {
        self.handle.inspect().await
    }

    /// The whole inspection, as a version's type
    /// (`inspect_as::<v1_55::types::ContainerInspectResponse>()`).
    pub async fn inspect_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.handle.inspect_as().await
    }

    /// Removes it now (forced, with its anonymous volumes).
    pub async fn remove(mut self) -> Result<(), Error> {
        self.armed = false;
        cleanup::remove(&self.handle.requests, Kind::Container, &self.handle.id).await
    }

    /// Keeps it after the handle drops; its id.
    pub fn keep(mut self) -> String {
        self.armed = false;
        std::mem::take(&mut self.handle.id)
    }

    fn file_error(&self, path: &str, reason: String) -> Error {
        ContainerError::File {
            container: self.handle.label(),
            path: path.to_string(),
            reason,
        }
        .into()
    }
}

#[cfg(unix)]
fn mode_of(metadata: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(metadata: &std::fs::Metadata) -> u32 {
    if metadata.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}

impl<C: ApiClient> fmt::Debug for Container<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Container")
            .field("id", &self.handle.id)
            .field("name", &self.handle.name)
            .field("removed_on_drop", &self.armed)
            .finish()
    }
}

/// Removes the container, waiting for it.
impl<C: ApiClient> Drop for Container<C> {
    fn drop(&mut self) {
        if self.armed {
            cleanup::remove_on_drop(&self.handle.requests, Kind::Container, &self.handle.id);
        }
    }
}
