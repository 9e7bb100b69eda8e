//! `docker run` as one call, for every enabled API version: pull the image when it is missing
//! (with the registry credentials the CLI would use, and progress), create the container, attach
//! to its output, register a wait for its *next exit* before starting it (so a command that exits
//! at once is never missed), start it, collect or stream its output, and remove it if asked.
//!
//! ```no_run
//! # async fn demo() -> Result<(), docker_engine_client::Error> {
//! use docker_engine_client::{Docker, run::Run, v1_55};
//! let client: v1_55::Client = Docker::from_env()?.client().await?;
//! let out = Run::new("busybox", ["echo", "hello", "world"]).remove(true).output(&client).await?;
//! assert_eq!((out.exit_code, out.stdout.as_slice()), (0, &b"hello world\n"[..]));
//! # Ok(()) }
//! ```
//!
//! Every error says which step failed ([`RunStep`]) and keeps the daemon's error as its source.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::auth::reference::split_tag;
use crate::auth::{CredentialStore, Credentials};
use crate::container::{
    Container, Handle, IntoPort, Kind, Port, Wait, cleanup_labels, remove_on_drop,
};
pub use crate::error::RunStep;
use crate::error::{ConfigError, Error, RunError};
use crate::stream::body::{BodyStream, body_of};
use crate::stream::{AttachOptions, JsonStream, OutputStream, Progress, StdStream, Stdin, attach};
use crate::transport::{ApiClient, Requests, segment};
use crate::version::ApiVersion;

/// The first API version whose wait answers headers at once and knows `condition=next-exit`.
const WAIT_CONDITIONS: ApiVersion = ApiVersion::new(1, 30);

/// When to pull the image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PullPolicy {
    /// Only when the daemon does not have it (the CLI's default).
    #[default]
    Missing,
    /// Every time.
    Always,
    /// Never: a missing image fails the create step.
    Never,
}

type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// What to run, and how. Build it, then [`Run::output`] (collected) or [`Run::start`] (streamed).
#[derive(Clone)]
pub struct Run {
    image: String,
    cmd: Option<Vec<String>>,
    entrypoint: Option<Vec<String>>,
    env: Vec<String>,
    labels: BTreeMap<String, String>,
    name: Option<String>,
    working_dir: Option<String>,
    user: Option<String>,
    tty: bool,
    interactive: bool,
    input: Option<Vec<u8>>,
    remove: bool,
    pull: PullPolicy,
    credentials: Option<Credentials>,
    store: Option<CredentialStore>,
    on_progress: Option<ProgressFn>,
    published: Vec<Published>,
    network: Option<String>,
    network_aliases: Vec<String>,
    healthcheck: Option<serde_json::Value>,
    waits: Vec<Wait>,
}

/// A published port: the container's, and where on the host (`None`: a random port).
#[derive(Clone, Debug)]
struct Published {
    port: Result<Port, (String, String)>,
    host_ip: String,
    host_port: Option<u16>,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("image", &self.image)
            .field("cmd", &self.cmd)
            .field("name", &self.name)
            .field("tty", &self.tty)
            .field("interactive", &self.interactive)
            .field("remove", &self.remove)
            .field("pull", &self.pull)
            .field("published", &self.published)
            .field("network", &self.network)
            .field("waits", &self.waits)
            .finish_non_exhaustive()
    }
}

/// A finished run's exit code and output.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOutput {
    /// The container's id.
    pub id: String,
    /// Its exit code.
    pub exit_code: i64,
    /// What it wrote to stdout (everything, with a TTY).
    pub stdout: Vec<u8>,
    /// What it wrote to stderr.
    pub stderr: Vec<u8>,
}

impl RunOutput {
    /// stdout as text (invalid UTF-8 replaced).
    pub fn stdout_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    /// stderr as text (invalid UTF-8 replaced).
    pub fn stderr_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }
}

/// A started run: its output as it happens, its stdin when interactive, then [`Running::wait`].
pub struct Running {
    /// The container's id.
    pub id: String,
    /// The container's stdin, when the run is interactive; `shutdown()` closes it.
    pub stdin: Option<Stdin>,
    /// The container's output as it happens: demultiplexed, or raw with a TTY. Read it to its
    /// end (it ends when the container exits) before [`Running::wait`].
    pub output: OutputStream<BodyStream>,
    container: CreatedContainer,
    wait: Option<crate::wire::Response>,
}

/// A created container: what waiting for it, removing it and naming it in errors need.
#[derive(Debug)]
struct CreatedContainer {
    requests: Requests,
    id: String,
    image: String,
    remove: bool,
}

impl fmt::Debug for Running {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Running")
            .field("id", &self.id)
            .field("image", &self.container.image)
            .finish_non_exhaustive()
    }
}

/// Python's `client.containers.run(image, cmd)`: runs, waits, removes the container, returns its
/// exit code and output.
pub async fn run<C, I, S>(client: &C, image: &str, cmd: I) -> Result<RunOutput, Error>
where
    C: ApiClient,
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Run::new(image, cmd).remove(true).output(client).await
}

impl Run {
    /// Runs `cmd` in `image` (`busybox`, `127.0.0.1:5000/app:1`).
    pub fn new<I, S>(image: impl Into<String>, cmd: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let cmd: Vec<String> = cmd.into_iter().map(Into::into).collect();
        Self {
            image: image.into(),
            cmd: (!cmd.is_empty()).then_some(cmd),
            entrypoint: None,
            env: Vec::new(),
            labels: BTreeMap::new(),
            name: None,
            working_dir: None,
            user: None,
            tty: false,
            interactive: false,
            input: None,
            remove: false,
            pull: PullPolicy::default(),
            credentials: None,
            store: None,
            on_progress: None,
            published: Vec::new(),
            network: None,
            network_aliases: Vec::new(),
            healthcheck: None,
            waits: Vec::new(),
        }
    }

    /// Publishes the container's `port` (`8080`, `"8080/tcp"`, `"53/udp"`) on a random port of
    /// 127.0.0.1 ([`Container::host_port`] says which). Sets both the exposed port and its
    /// binding: a binding alone publishes nothing on some Engines.
    pub fn publish(self, port: impl IntoPort) -> Self {
        self.publish_on(port, "127.0.0.1", None)
    }

    /// Publishes the container's `port` on `host_ip:host_port` (`0` for a random port).
    pub fn publish_to(
        self,
        port: impl IntoPort,
        host_ip: impl Into<String>,
        host_port: u16,
    ) -> Self {
        self.publish_on(port, host_ip, (host_port != 0).then_some(host_port))
    }

    fn publish_on(
        mut self,
        port: impl IntoPort,
        host_ip: impl Into<String>,
        host_port: Option<u16>,
    ) -> Self {
        let port = port.into_port().map_err(|e| match e {
            Error::Config(ConfigError::InvalidPort { value, reason }) => (value, reason),
            other => (String::new(), other.to_string()),
        });
        self.published.push(Published {
            port,
            host_ip: host_ip.into(),
            host_port,
        });
        self
    }

    /// Joins the network `name` (instead of the default bridge).
    pub fn network(mut self, name: impl Into<String>) -> Self {
        self.network = Some(name.into());
        self
    }

    /// An alias other containers on [`Run::network`] reach this one by (repeatable).
    pub fn network_alias(mut self, alias: impl Into<String>) -> Self {
        self.network_aliases.push(alias.into());
        self
    }

    /// A healthcheck: `test` as Docker takes it (`["CMD", "pg_isready"]`,
    /// `["CMD-SHELL", "curl -f localhost"]`), run every `interval`.
    pub fn healthcheck<I, S>(mut self, test: I, interval: Duration) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let test: Vec<String> = test.into_iter().map(Into::into).collect();
        let nanos = u64::try_from(interval.as_nanos()).unwrap_or(u64::MAX);
        self.healthcheck = Some(json!({
            "Test": test,
            "Interval": nanos,
            "Timeout": nanos.saturating_mul(3).max(1_000_000_000),
            "Retries": 3,
        }));
        self
    }

    /// What makes the container ready for [`Run::detach`] (repeatable: each in turn).
    pub fn wait_for(mut self, wait: Wait) -> Self {
        self.waits.push(wait);
        self
    }

    /// Starts the container in the background: pulls its image if missing, creates it (with
    /// this process's cleanup labels), starts it, and waits for each [`Run::wait_for`]. On any
    /// failure the container is removed and the error names the step (a wait's error quotes
    /// the container's last log lines). The [`Container`] is removed when dropped.
    ///
    /// A container joining a [`Run::network`] without a [`Run::name`] gets a generated one
    /// (`dec-` and 12 hex digits): Engine 20.10's DNS resolves only names given at creation, and
    /// the other containers of the network should reach this one by [`Container::name`].
    pub async fn detach<C: ApiClient>(&self, client: &C) -> Result<Container<C>, Error> {
        if self.name.is_none() && self.network.is_some() {
            let named = self
                .clone()
                .name(format!("dec-{:012x}", crate::random::u64() >> 16));
            return Box::pin(named.detach(client)).await;
        }
        let requests = Requests::new(client);
        let id = self.pull_and_create(&requests, true).await?;
        let handle = Handle::new(
            requests.clone(),
            id,
            self.name.clone().unwrap_or_default(),
            self.tty,
        );
        // From here on, a failure removes the container (the handle's drop).
        let mut container = Container::started(client, handle);
        let start = requests.post(&format!("/containers/{}/start", segment(container.id())));
        if let Err(e) = requests.send(start, "container_start").await {
            return Err(self.failed_detached(container, RunStep::Start, e).await);
        }
        if self.name.is_none() {
            match container.inspect().await {
                Ok(inspection) => container.set_name(inspection.short_name()),
                Err(e) => return Err(self.failed_detached(container, RunStep::Start, e).await),
            }
        }
        for wait in &self.waits {
            if let Err(e) = container.wait_for(wait).await {
                return Err(self.failed_detached(container, RunStep::Ready, e).await);
            }
        }
        Ok(container)
    }

    /// The error of a detached run's failed `step`, once its container is removed.
    async fn failed_detached<C: ApiClient>(
        &self,
        container: Container<C>,
        step: RunStep,
        source: Error,
    ) -> Error {
        let id = container.id().to_string();
        if let Err(e) = container.remove().await {
            tracing::warn!(target: crate::LOG_TARGET, container = %id, error = %e, "could not remove the container");
        }
        run_error(step, &self.image, source)
    }

    /// Replaces the image's entrypoint.
    pub fn entrypoint<I, S>(mut self, entrypoint: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.entrypoint = Some(entrypoint.into_iter().map(Into::into).collect());
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push(format!("{key}={value}"));
        self
    }

    /// Adds a label.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Names the container.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The working directory inside the container.
    pub fn working_dir(mut self, dir: impl Into<String>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// The user (`name`, `uid`, `uid:gid`).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// A TTY: output is one raw stream (all in `stdout`), passed through as it comes.
    pub fn tty(mut self, tty: bool) -> Self {
        self.tty = tty;
        self
    }

    /// Keeps stdin open for [`Running::stdin`] (`docker run -i`).
    pub fn interactive(mut self, interactive: bool) -> Self {
        self.interactive = interactive;
        self
    }

    /// Feeds `input` to the container's stdin, then closes it (for [`Run::output`]).
    pub fn input(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.input = Some(input.into());
        self.interactive = true;
        self
    }

    /// Removes the container after it exits, or when a step after its creation fails.
    pub fn remove(mut self, remove: bool) -> Self {
        self.remove = remove;
        self
    }

    /// When to pull the image.
    pub fn pull(mut self, policy: PullPolicy) -> Self {
        self.pull = policy;
        self
    }

    /// Pulls with these credentials (by default: those the docker CLI has for the registry).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Looks pull credentials up in this store (by default: [`CredentialStore::from_env`]).
    pub fn credential_store(mut self, store: CredentialStore) -> Self {
        self.store = Some(store);
        self
    }

    /// Called with each message of a pull, for a progress display.
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Runs to the end: the exit code and the collected output.
    pub async fn output<C: ApiClient>(&self, client: &C) -> Result<RunOutput, Error> {
        let mut running = self.start(client).await?;
        let input = self.input.clone().unwrap_or_default();
        let stdin = running.stdin.take();
        let feed = async move {
            if let Some(mut stdin) = stdin {
                stdin.write_all(&input).await?;
                stdin.shutdown().await?;
            }
            Ok::<_, std::io::Error>(())
        };
        let collect = async {
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            while let Some(item) = running.output.next().await {
                let item = item?;
                match item.stream {
                    StdStream::Stderr => stderr.extend_from_slice(&item.bytes),
                    _ => stdout.extend_from_slice(&item.bytes),
                }
            }
            Ok::<_, Error>((stdout, stderr))
        };
        let (fed, collected) = tokio::join!(feed, collect);
        let (stdout, stderr) = collected.map_err(|e| running.container.fail(RunStep::Output, e))?;
        if let Err(e) = fed {
            // The container may exit without reading all its input: only a failure to
            // write while it still runs is an error, and then the output says why.
            tracing::debug!(target: crate::LOG_TARGET, error = %e, "writing the container's stdin");
        }
        let id = running.id.clone();
        let exit_code = running.wait().await?;
        Ok(RunOutput {
            id,
            exit_code,
            stdout,
            stderr,
        })
    }

    /// Starts the container and hands over its output (and stdin, when interactive).
    pub async fn start<C: ApiClient>(&self, client: &C) -> Result<Running, Error> {
        let requests = Requests::new(client);
        let id = self.pull_and_create(&requests, false).await?;
        let container = CreatedContainer {
            requests: requests.clone(),
            id,
            image: self.image.clone(),
            remove: self.remove,
        };
        let options = AttachOptions {
            stdin: self.interactive,
            stdout: true,
            stderr: true,
            logs: false,
            tty: self.tty,
        };
        let attached = match attach(client, &container.id, &options).await {
            Ok(attached) => attached,
            Err(e) => return Err(container.fail_and_remove(RunStep::Attach, e).await),
        };
        let mut wait = None;
        let version = client.api_version().unwrap_or(C::VERSION);
        if version >= WAIT_CONDITIONS {
            // Answered with headers once the daemon has registered the wait.
            let request = container
                .wait_request()
                .query(&[("condition", "next-exit")]);
            match requests.send(request, "container_wait").await {
                Ok(response) => wait = Some(response),
                Err(e) => return Err(container.fail_and_remove(RunStep::Wait, e).await),
            }
        }
        let start = requests.post(&format!("/containers/{}/start", segment(&container.id)));
        if let Err(e) = requests.send(start, "container_start").await {
            return Err(container.fail_and_remove(RunStep::Start, e).await);
        }
        Ok(Running {
            id: container.id.clone(),
            stdin: self.interactive.then_some(attached.stdin),
            output: attached.output,
            container,
            wait,
        })
    }

    async fn ensure_image(&self, requests: &Requests) -> Result<(), Error> {
        match self.pull {
            PullPolicy::Never => return Ok(()),
            PullPolicy::Missing => {
                let inspect = requests.get(&format!("/images/{}/json", segment(&self.image)));
                match requests.send(inspect, "image_inspect").await {
                    Ok(_) => return Ok(()),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                }
            }
            PullPolicy::Always => {}
        }
        let credentials = match &self.credentials {
            Some(credentials) => credentials.clone(),
            None => {
                let store = self.store.clone().unwrap_or_else(CredentialStore::from_env);
                store.for_image(&self.image).await?
            }
        };
        let (image, tag) = split_tag(&self.image);
        let mut query = vec![("fromImage", image)];
        // Without a tag the daemon would pull every tag of the repository.
        if let Some(tag) = tag {
            query.push(("tag", tag));
        }
        let pull = requests
            .post("/images/create")
            .query(&query)
            .header("X-Registry-Auth", credentials.header_value());
        let response = requests.send(pull, "image_create").await?;
        let mut progress = JsonStream::<_, Progress>::new(body_of(response));
        while let Some(message) = progress.next().await {
            let message = message?;
            if let Some(f) = &self.on_progress {
                f(&message);
            }
        }
        Ok(())
    }

    /// Pulls the image if missing, then creates the container (`detached`: as `create`); each
    /// failure names its step.
    async fn pull_and_create(&self, requests: &Requests, detached: bool) -> Result<String, Error> {
        self.ensure_image(requests)
            .await
            .map_err(|e| run_error(RunStep::Pull, &self.image, e))?;
        self.create(requests, detached)
            .await
            .map_err(|e| run_error(RunStep::Create, &self.image, e))
    }

    /// Creates the container; `detached`: with this process's cleanup labels, for a
    /// [`Container`].
    async fn create(&self, requests: &Requests, detached: bool) -> Result<String, Error> {
        let mut labels = self.labels.clone();
        if detached {
            labels.extend(cleanup_labels().map(|(k, v)| (k.to_string(), v)));
        }
        let mut body = json!({
            "Image": self.image,
            "Tty": self.tty,
            "OpenStdin": self.interactive,
            "StdinOnce": self.interactive,
            "AttachStdin": self.interactive,
            "AttachStdout": true,
            "AttachStderr": true,
            "Env": self.env,
            "Labels": labels,
            "HostConfig": self.host_config()?,
        });
        let fields = [
            ("Cmd", self.cmd.as_ref().map(|v| json!(v))),
            ("Entrypoint", self.entrypoint.as_ref().map(|v| json!(v))),
            ("WorkingDir", self.working_dir.as_ref().map(|v| json!(v))),
            ("User", self.user.as_ref().map(|v| json!(v))),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                body[key] = value;
            }
        }
        if !self.published.is_empty() {
            let exposed: serde_json::Map<String, serde_json::Value> = self
                .ports()?
                .map(|(port, _)| (port.to_string(), json!({})))
                .collect();
            body["ExposedPorts"] = exposed.into();
        }
        if let Some(healthcheck) = &self.healthcheck {
            body["Healthcheck"] = healthcheck.clone();
        }
        if let Some(network) = &self.network
            && !self.network_aliases.is_empty()
        {
            body["NetworkingConfig"] = json!({
                "EndpointsConfig": { network: { "Aliases": self.network_aliases } }
            });
        }
        let mut create = requests.post("/containers/create").json(&body);
        if let Some(name) = &self.name {
            create = create.query(&[("name", name)]);
        }
        let response = requests.send(create, "container_create").await?;
        #[derive(Deserialize)]
        struct CreateAnswer {
            #[serde(rename = "Id")]
            id: String,
        }
        let created: CreateAnswer = requests.json(response, "container_create").await?;
        Ok(created.id)
    }
}

impl Run {
    /// The published ports, checked.
    fn ports(&self) -> Result<impl Iterator<Item = (Port, &Published)>, Error> {
        let mut ports = Vec::new();
        for published in &self.published {
            let port = published.port.clone().map_err(|(value, reason)| {
                Error::from(ConfigError::InvalidPort { value, reason })
            })?;
            ports.push((port, published));
        }
        Ok(ports.into_iter())
    }

    /// `HostConfig`: port bindings and the network.
    fn host_config(&self) -> Result<serde_json::Value, Error> {
        let mut bindings: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        for (port, published) in self.ports()? {
            bindings.entry(port.to_string()).or_default().push(json!({
                "HostIp": published.host_ip,
                "HostPort": published.host_port.map(|p| p.to_string()).unwrap_or_default(),
            }));
        }
        let mut host_config = json!({ "PortBindings": bindings });
        if let Some(network) = &self.network {
            host_config["NetworkMode"] = network.as_str().into();
        }
        Ok(host_config)
    }
}

/// The error of a failed `step` of running `image`.
fn run_error(step: RunStep, image: &str, source: Error) -> Error {
    Error::Run(RunError {
        step,
        image: image.to_string(),
        source: Box::new(source),
    })
}

impl Running {
    /// Waits for the container's exit (read [`Running::output`] to its end first) and removes it
    /// when asked; its exit code.
    pub async fn wait(mut self) -> Result<i64, Error> {
        let waited = self.wait_and_remove().await;
        // Removed by now when asked (or its failure reported): nothing left for the drop.
        self.container.remove = false;
        waited
    }

    async fn wait_and_remove(&mut self) -> Result<i64, Error> {
        #[derive(Deserialize)]
        struct Waited {
            #[serde(rename = "StatusCode")]
            status_code: i64,
            #[serde(rename = "Error", default)]
            error: Option<WaitError>,
        }
        #[derive(Deserialize)]
        struct WaitError {
            #[serde(rename = "Message", default)]
            message: Option<String>,
        }
        let container = &self.container;
        let pending = self.wait.take();
        let waited = async {
            let response = match pending {
                Some(response) => response,
                None => {
                    let request = container.wait_request();
                    container.requests.send(request, "container_wait").await?
                }
            };
            container
                .requests
                .json::<Waited>(response, "container_wait")
                .await
        };
        let waited = match waited.await {
            Ok(waited) => waited,
            Err(e) => return Err(container.fail_and_remove(RunStep::Wait, e).await),
        };
        if let Some(message) = waited
            .error
            .and_then(|e| e.message)
            .filter(|m| !m.is_empty())
        {
            let e = crate::error::StreamError::Daemon { message }.into();
            return Err(container.fail_and_remove(RunStep::Wait, e).await);
        }
        if container.remove {
            container
                .remove()
                .await
                .map_err(|e| container.fail(RunStep::Remove, e))?;
        }
        Ok(waited.status_code)
    }
}

/// A run asked to remove its container ([`Run::remove`]) that is dropped before
/// [`Running::wait`] finished removes it (waiting for the removal, as a
/// [`Container`] does).
impl Drop for Running {
    fn drop(&mut self) {
        if self.container.remove {
            remove_on_drop(
                &self.container.requests,
                Kind::Container,
                &self.container.id,
            );
        }
    }
}

impl CreatedContainer {
    /// `POST /containers/{id}/wait`.
    fn wait_request(&self) -> crate::wire::RequestBuilder {
        self.requests
            .post(&format!("/containers/{}/wait", segment(&self.id)))
    }

    fn fail(&self, step: RunStep, source: Error) -> Error {
        run_error(step, &self.image, source)
    }

    /// The step's error, after removing the container when asked (a failed removal is logged).
    async fn fail_and_remove(&self, step: RunStep, source: Error) -> Error {
        if self.remove
            && let Err(e) = self.remove().await
        {
            tracing::warn!(target: crate::LOG_TARGET, container = %self.id, error = %e, "could not remove the container");
        }
        self.fail(step, source)
    }

    async fn remove(&self) -> Result<(), Error> {
        let delete = self
            .requests
            .delete(&format!("/containers/{}", segment(&self.id)))
            .query(&[("force", "1"), ("v", "1")]);
        self.requests
            .send(delete, "container_delete")
            .await
            .map(drop)
    }
}
