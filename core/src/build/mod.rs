//! `docker build` as one call, for every enabled API version, with the builder the daemon
//! announces: BuildKit where `/_ping` says `Builder-Version: 2` (as the docker CLI decides), the
//! classic builder otherwise, or the one asked for. Both report the same typed [`BuildEvent`]s
//! (steps started, cached, done with their duration, failed; each step's output; the image id),
//! so a caller shows progress without knowing which builder ran.
//!
//! BuildKit runs here without a session (`POST /build?version=2` with the context as the body):
//! its progress arrives as `moby.buildkit.trace` messages, decoded by `build/trace.rs`. What needs the
//! `/session` endpoint (secrets, ssh mounts, local cache exports) is not available.
//!
//! ```no_run
//! # async fn demo(client: docker_engine_client::v1_55::Client) -> Result<(), docker_engine_client::Error> {
//! use docker_engine_client::build::{Build, BuildEvent};
//! use docker_engine_client::build_context::BuildContext;
//! use futures_util::StreamExt;
//!
//! let mut events = Build::new()
//!     .tag("app:dev")
//!     .build_arg("VERSION", "1.2")
//!     .start(&client, BuildContext::from_dir("./app")?)
//!     .await?;
//! while let Some(event) = events.next().await {
//!     match event? {
//!         BuildEvent::Done { name, .. } => println!("done: {name}"),
//!         BuildEvent::ImageId(id) => println!("built {id}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;

use crate::auth::RegistryConfig;
use crate::build_context::BuildContext;
use crate::error::{BuildError, Error, StreamError};
use crate::stream::body::{BodyStream, body_of};
use crate::stream::{JsonStream, Progress, StdStream};
use crate::transport::{ApiClient, Requests};
use crate::version::ApiVersion;

mod classic;
mod proto;
pub(crate) mod trace;

use classic::ClassicDecoder;
use trace::TraceDecoder;

/// The first API version whose `/build` takes `version=2` (BuildKit).
const BUILDKIT_API: ApiVersion = ApiVersion::new(1, 38);

/// The log lines of the failed step quoted in a [`BuildError`].
const ERROR_LINES: usize = 10;

/// Which builder runs the build.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Builder {
    /// The one the daemon announces on `/_ping` (`Builder-Version`), as the docker CLI.
    #[default]
    Auto,
    /// BuildKit (`version=2`).
    BuildKit,
    /// The classic builder (`version=1`).
    Classic,
}

/// One thing a build reported.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum BuildEvent {
    /// A step started. `vertex` identifies it in later events (BuildKit's vertex digest, or
    /// `step N` for the classic builder); `name` is what it does (`[2/3] RUN make`).
    Started {
        /// The step's id.
        vertex: String,
        /// What it does.
        name: String,
    },
    /// A step's result came from the cache.
    Cached {
        /// The step's id.
        vertex: String,
        /// What it does.
        name: String,
    },
    /// A step finished.
    Done {
        /// The step's id.
        vertex: String,
        /// What it does.
        name: String,
        /// How long it ran, when the builder says (BuildKit).
        duration: Option<Duration>,
    },
    /// A step failed. The stream then ends with a [`BuildError`] naming it.
    Failed {
        /// The step's id.
        vertex: String,
        /// What it does.
        name: String,
        /// The builder's error.
        error: String,
    },
    /// Output of a step (a `RUN`'s stdout or stderr), or of the build itself.
    Log {
        /// The step's id, when the output belongs to one.
        vertex: Option<String>,
        /// Stdout or stderr (the classic builder says only stdout).
        stream: StdStream,
        /// The bytes, as written.
        bytes: Bytes,
    },
    /// Progress of a part of a step (BuildKit: a layer pulled, the context transferred).
    Progress {
        /// The step's id.
        vertex: String,
        /// The part's id (`transferring context`, a layer digest).
        id: String,
        /// Units done (bytes, usually).
        current: u64,
        /// Units expected, when known.
        total: Option<u64>,
        /// Whether the part is complete.
        done: bool,
    },
    /// A warning (BuildKit's build checks).
    Warning {
        /// The step it is about, if any.
        vertex: Option<String>,
        /// The warning.
        message: String,
        /// More lines about it.
        detail: Vec<String>,
        /// Where to read about it.
        url: Option<String>,
    },
    /// An image built (`sha256:...`). The classic builder also reports each finished stage of
    /// a multi-stage build: the last one is the image.
    ImageId(String),
}

/// What to build, and how: [`Build::start`] sends it.
#[derive(Clone, Debug, Default)]
pub struct Build {
    tags: Vec<String>,
    dockerfile: Option<String>,
    target: Option<String>,
    build_args: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    no_cache: bool,
    pull: bool,
    platform: Option<String>,
    builder: Builder,
    registries: Option<RegistryConfig>,
}

impl Build {
    /// A build with the daemon's defaults (`Dockerfile` at the context's root).
    pub fn new() -> Self {
        Self::default()
    }

    /// Tags the image `name[:tag]` (repeatable).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// The Dockerfile's path inside the context.
    pub fn dockerfile(mut self, path: impl Into<String>) -> Self {
        self.dockerfile = Some(path.into());
        self
    }

    /// Builds up to the stage `target` of a multi-stage Dockerfile.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// A build argument (`--build-arg KEY=VALUE`).
    pub fn build_arg(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.build_args.insert(key.into(), value.into());
        self
    }

    /// A label on the image.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Builds every step anew (`--no-cache`).
    pub fn no_cache(mut self, no_cache: bool) -> Self {
        self.no_cache = no_cache;
        self
    }

    /// Pulls newer base images (`--pull`).
    pub fn pull(mut self, pull: bool) -> Self {
        self.pull = pull;
        self
    }

    /// The platform to build for (`linux/amd64`).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.platform = Some(platform.into());
        self
    }

    /// Which builder runs it (default: the daemon's, [`Builder::Auto`]).
    pub fn builder(mut self, builder: Builder) -> Self {
        self.builder = builder;
        self
    }

    /// Credentials for the registries the build pulls from (`X-Registry-Config`), such as
    /// [`CredentialStore::all`](crate::auth::CredentialStore::all) gives.
    pub fn registries(mut self, registries: RegistryConfig) -> Self {
        self.registries = Some(registries);
        self
    }

    /// Sends the build with `context` and returns its events as they happen. The stream ends
    /// after the image id, or with a [`BuildError`] (`Error::Build`) naming the failed step and
    /// quoting its last output lines.
    pub async fn start<C: ApiClient>(
        &self,
        client: &C,
        context: BuildContext,
    ) -> Result<BuildEvents, Error> {
        let requests = Requests::new(client);
        let version = client.api_version().unwrap_or(C::VERSION);
        let buildkit = match self.builder {
            Builder::BuildKit => true,
            Builder::Classic => false,
            Builder::Auto => version >= BUILDKIT_API && announces_buildkit(&requests).await?,
        };
        let request = requests
            .post("/build")
            .query(&self.query(buildkit, version))
            .header("Content-Type", "application/x-tar")
            .body(crate::wire::Body::from(context));
        let request = match &self.registries {
            Some(registries) if !registries.is_empty() => {
                request.header("X-Registry-Config", registries.header_value())
            }
            _ => request,
        };
        let response = requests.send(request, "image_build").await?;
        Ok(BuildEvents::new(body_of(response), buildkit))
    }

    /// Runs the build to its end; the image id.
    pub async fn run<C: ApiClient>(
        &self,
        client: &C,
        context: BuildContext,
    ) -> Result<String, Error> {
        let mut events = self.start(client, context).await?;
        let mut id = None;
        while let Some(event) = events.next().await {
            if let BuildEvent::ImageId(image) = event? {
                id = Some(image);
            }
        }
        id.ok_or_else(|| {
            BuildError {
                step: None,
                message: "the build ended without an image id".into(),
                last_lines: Vec::new(),
                source: None,
            }
            .into()
        })
    }

    /// The query of `/build`.
    fn query(&self, buildkit: bool, version: ApiVersion) -> Vec<(&'static str, String)> {
        let mut query: Vec<(&'static str, String)> =
            self.tags.iter().map(|t| ("t", t.clone())).collect();
        let flag = |on: bool| if on { "1" } else { "0" }.to_string();
        if let Some(dockerfile) = &self.dockerfile {
            query.push(("dockerfile", dockerfile.clone()));
        }
        if let Some(target) = &self.target {
            query.push(("target", target.clone()));
        }
        if !self.build_args.is_empty() {
            query.push(("buildargs", json_map(&self.build_args)));
        }
        if !self.labels.is_empty() {
            query.push(("labels", json_map(&self.labels)));
        }
        if let Some(platform) = &self.platform {
            query.push(("platform", platform.clone()));
        }
        query.push(("nocache", flag(self.no_cache)));
        query.push(("pull", flag(self.pull)));
        query.push(("rm", flag(true)));
        if version >= BUILDKIT_API {
            query.push(("version", if buildkit { "2" } else { "1" }.to_string()));
        }
        query
    }
}

/// A string map as the JSON object `/build` takes in a query parameter.
fn json_map(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map).unwrap_or_default()
}

/// Whether `/_ping` announces BuildKit (`Builder-Version: 2`).
async fn announces_buildkit(requests: &Requests) -> Result<bool, Error> {
    let response = requests
        .send_any_status(requests.get("/_ping"), "system_ping")
        .await?;
    Ok(response
        .headers()
        .get("builder-version")
        .is_some_and(|v| v.as_bytes() == b"2"))
}

/// A build's events, as they happen ([`Build::start`]).
pub struct BuildEvents {
    messages: JsonStream<BodyStream, Progress>,
    pending: VecDeque<BuildEvent>,
    trace: TraceDecoder,
    classic: ClassicDecoder,
    buildkit: bool,
    ended: bool,
    error: Option<Error>,
}

impl std::fmt::Debug for BuildEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildEvents")
            .field("buildkit", &self.buildkit)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl BuildEvents {
    /// The events of a build's response `body`, run by BuildKit or not.
    fn new(body: BodyStream, buildkit: bool) -> Self {
        Self {
            messages: JsonStream::new(body),
            pending: VecDeque::new(),
            trace: TraceDecoder::default(),
            classic: ClassicDecoder::default(),
            buildkit,
            ended: false,
            error: None,
        }
    }

    /// Whether BuildKit runs this build (else the classic builder).
    pub fn is_buildkit(&self) -> bool {
        self.buildkit
    }

    /// Turns one message of the stream into events; an error item for a trace that does not
    /// decode (the build goes on).
    fn message(&mut self, message: Progress) -> Option<Error> {
        match (message.id.as_deref(), message.aux) {
            (Some("moby.buildkit.trace"), Some(aux)) => {
                if let Err(e) = self.trace.decode(&aux, &mut self.pending) {
                    return Some(
                        StreamError::Json {
                            message: e.to_string(),
                            snippet: crate::error::snippet(aux.to_string().as_bytes()),
                        }
                        .into(),
                    );
                }
            }
            (_, Some(aux)) => {
                if let Some(id) = aux.get("ID").and_then(|v| v.as_str()) {
                    self.pending.push_back(BuildEvent::ImageId(id.to_string()));
                }
            }
            (_, None) => {
                if let Some(text) = message.stream {
                    self.classic.text(&text, &mut self.pending);
                }
            }
        }
        None
    }

    /// The error that ends a build the daemon reported as failed.
    fn failure(&mut self, source: StreamError) -> Error {
        let message = match &source {
            StreamError::Daemon { message } => message.clone(),
            other => other.to_string(),
        };
        let failed = if self.buildkit {
            self.trace.failure(ERROR_LINES)
        } else {
            self.classic.fail(&message, ERROR_LINES, &mut self.pending)
        };
        let (step, last_lines) = failed.map_or((None, Vec::new()), |(s, l)| (Some(s), l));
        BuildError {
            step,
            message,
            last_lines,
            source: Some(source),
        }
        .into()
    }
}

impl Stream for BuildEvents {
    type Item = Result<BuildEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(event) = this.pending.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            // A failed build: its events first (the failed step), then the error.
            if let Some(error) = this.error.take() {
                return Poll::Ready(Some(Err(error)));
            }
            if this.ended {
                return Poll::Ready(None);
            }
            match this.messages.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.ended = true;
                    this.classic.finish(&mut this.pending);
                }
                Poll::Ready(Some(Ok(message))) => {
                    if let Some(e) = this.message(message) {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                Poll::Ready(Some(Err(e @ StreamError::Daemon { .. }))) => {
                    this.ended = true;
                    this.error = Some(this.failure(e));
                }
                Poll::Ready(Some(Err(e))) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    /// The events of a build whose body is `messages` (JSON lines), BuildKit's or not.
    async fn events_of(messages: &[String], buildkit: bool) -> Vec<Result<BuildEvent, Error>> {
        let chunks: Vec<Result<Bytes, StreamError>> = messages
            .iter()
            .map(|m| Ok(Bytes::from(format!("{m}\r\n"))))
            .collect();
        let body: BodyStream = Box::pin(futures_util::stream::iter(chunks));
        BuildEvents::new(body, buildkit).collect().await
    }

    fn trace(status: &proto::StatusResponse) -> String {
        use base64::Engine as _;
        let aux = base64::engine::general_purpose::STANDARD.encode(status.encode_to_vec());
        serde_json::json!({"id": "moby.buildkit.trace", "aux": aux}).to_string()
    }

    fn vertex(name: &str, started: bool, error: &str) -> proto::Vertex {
        proto::Vertex {
            digest: "sha256:v".into(),
            name: name.into(),
            cached: false,
            started: started.then_some(proto::Timestamp {
                seconds: 1,
                nanos: 0,
            }),
            completed: None,
            error: error.into(),
        }
    }

    #[tokio::test]
    async fn a_trace_that_does_not_decode_is_an_error_item_and_the_build_goes_on() {
        let started = proto::StatusResponse {
            vertexes: vec![vertex("[1/1] RUN true", true, "")],
            ..Default::default()
        };
        let messages = [
            trace(&started),
            r#"{"id":"moby.buildkit.trace","aux":"%%% not base64 %%%"}"#.to_string(),
            r#"{"id":"moby.image.id","aux":{"ID":"sha256:abc"}}"#.to_string(),
        ];
        let events = events_of(&messages, true).await;
        assert!(
            matches!(&events[0], Ok(BuildEvent::Started { .. })),
            "{events:?}"
        );
        let Err(Error::Stream(StreamError::Json { message, .. })) = &events[1] else {
            panic!("{events:?}");
        };
        assert!(message.contains("moby.buildkit.trace"), "{message}");
        assert!(
            matches!(&events[2], Ok(BuildEvent::ImageId(id)) if id == "sha256:abc"),
            "{events:?}"
        );
        assert_eq!(events.len(), 3);
    }

    #[tokio::test]
    async fn a_failed_build_ends_with_the_failed_step_then_its_error() {
        let failing = proto::StatusResponse {
            vertexes: vec![vertex("[2/2] RUN exit 3", true, "")],
            logs: vec![proto::VertexLog {
                vertex: "sha256:v".into(),
                stream: 1,
                msg: Bytes::from_static(b"last words\n"),
            }],
            ..Default::default()
        };
        let failed = proto::StatusResponse {
            vertexes: vec![vertex("[2/2] RUN exit 3", true, "exit code: 3")],
            ..Default::default()
        };
        let messages = [
            trace(&failing),
            trace(&failed),
            r#"{"errorDetail":{"message":"exit code: 3"},"error":"exit code: 3"}"#.to_string(),
        ];
        let events = events_of(&messages, true).await;
        let last = events.last().unwrap();
        let Err(Error::Build(error)) = last else {
            panic!("{events:?}");
        };
        assert_eq!(error.step.as_deref(), Some("[2/2] RUN exit 3"));
        assert_eq!(error.last_lines, ["last words"]);
        assert!(
            error
                .to_string()
                .contains("build failed at [2/2] RUN exit 3: exit code: 3\nlast words")
        );
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Ok(BuildEvent::Failed { .. }))),
            "{events:?}"
        );
    }

    #[test]
    fn the_query_carries_every_option() {
        let build = Build::new()
            .tag("a:1")
            .tag("b:2")
            .dockerfile("sub/Dockerfile")
            .target("release")
            .build_arg("K", "v")
            .label("l", "x")
            .no_cache(true)
            .platform("linux/amd64");
        let query = build.query(true, ApiVersion::new(1, 51));
        let has = |k: &str, v: &str| query.iter().any(|(qk, qv)| *qk == k && qv == v);
        assert!(has("t", "a:1") && has("t", "b:2") && has("dockerfile", "sub/Dockerfile"));
        assert!(has("target", "release") && has("buildargs", r#"{"K":"v"}"#));
        assert!(has("labels", r#"{"l":"x"}"#) && has("nocache", "1") && has("version", "2"));
        assert!(has("platform", "linux/amd64"));
        // Before 1.38 there is no `version` to send.
        let old = Build::new().query(false, ApiVersion::new(1, 37));
        assert!(!old.iter().any(|(k, _)| *k == "version"));
    }
}
