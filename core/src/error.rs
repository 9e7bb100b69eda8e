//! The crate's errors: one `#[non_exhaustive]` [`Error`] over an enum per layer (configuration,
//! transport, the daemon's answer, decoding, API versions, streams, credentials, `run`), with no
//! HTTP library type in them. Failures of the libraries underneath (I/O, TLS, HTTP) are kept as
//! each error's `source()`, as a [`Cause`].
//!
//! This module is a leaf: it defines the types and imports nothing from the rest of the crate.
//! Turning responses and transport failures into these errors is the request path's job
//! (`transport::errors`).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The failure underneath an error (an I/O, TLS or HTTP library's error), kept as that error's
/// `source()` without naming the library's type in this crate's API. Its `Display` is the
/// underlying error's; its own `source()` continues that error's chain.
#[derive(Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    /// Wraps `error`.
    pub(crate) fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// The underlying error (for example to downcast it to `std::io::Error`).
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Causes compare by what they say (errors of the libraries underneath are not comparable).
impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}

/// Any error of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration (`DOCKER_HOST`, TLS files, `config.json`, contexts) is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The daemon could not be reached, or the connection broke.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The daemon answered with an error status.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The daemon's answer did not decode as the spec says.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The daemon and this client share no API version.
    #[error(transparent)]
    Version(#[from] VersionError),
    /// A streamed body (container output, JSON messages) broke off or carried an error.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// Registry credentials could not be found or read (`config.json`, a credential helper).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A step of a [`run`](crate::run) failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A [`build`](crate::build) failed.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A [`container`](crate::container) was not ready in time, exited while waited on, or
    /// lacks what was asked of it.
    #[error(transparent)]
    Container(#[from] ContainerError),
    /// A request could not be built from the values given (caught before sending).
    #[error("invalid request for {operation}: {message}")]
    InvalidRequest {
        /// The operation, e.g. `container_create`.
        operation: &'static str,
        /// What was wrong.
        message: String,
    },
}

/// Unusable configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A host string (`DOCKER_HOST`, a context's endpoint) that does not parse.
    #[error("invalid Docker host {value:?}: {reason}")]
    InvalidHost {
        /// The host as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A container port that does not parse (`8080/tcp`, `53/udp`).
    #[error("invalid port {value:?}: {reason}")]
    InvalidPort {
        /// The port as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A host scheme the docker CLI knows that this crate does not connect to (on purpose: the
    /// hint says what to use instead).
    #[error("Docker host {value:?}: this client does not connect to {scheme}:// hosts; {hint}")]
    UnsupportedScheme {
        /// The host as given.
        value: String,
        /// `npipe` or `fd`.
        scheme: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// A TLS certificate or key file that is missing or unusable.
    #[error("TLS file {}: {reason}", path.display())]
    TlsFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
        /// The I/O or PEM error, when there is one.
        #[source]
        source: Option<Cause>,
    },
    /// TLS was asked for, but the crate was built without its `tls` feature.
    #[error("TLS is required ({why}) but docker-engine-client was built without the `tls` feature")]
    TlsNotEnabled {
        /// What asked for TLS.
        why: String,
    },
    /// `config.json` exists but cannot be read or parsed.
    #[error("Docker config {}: {reason}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A Docker context that cannot be used.
    #[error("Docker context {name:?}: {reason}")]
    Context {
        /// The context's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `DOCKER_API_VERSION` (or a version given in code) that is not `1.NN`.
    #[error("invalid API version {value:?}: expected 1.NN")]
    InvalidApiVersion {
        /// The version as given.
        value: String,
    },
    /// The HTTP client could not be built with these settings.
    #[error("cannot build the HTTP client: {reason}")]
    HttpClient {
        /// What is wrong.
        reason: String,
        /// The HTTP or TLS library's error, when there is one.
        #[source]
        source: Option<Cause>,
    },
}

/// A step of a [`run`](crate::run) failed: which one, for which image, and why.
#[derive(Debug, thiserror::Error)]
#[error("run {image}: {step} failed: {source}")]
#[non_exhaustive]
pub struct RunError {
    /// The step.
    pub step: RunStep,
    /// The image being run.
    pub image: String,
    /// Why it failed.
    #[source]
    pub source: Box<Error>,
}

/// A [`build`](crate::build) failed: the step that failed, the builder's message, and the
/// step's last output lines.
#[derive(Debug, thiserror::Error)]
#[error("build failed{}: {message}{}",
    step.as_ref().map(|s| format!(" at {s}")).unwrap_or_default(),
    if last_lines.is_empty() { String::new() } else { format!("\n{}", last_lines.join("\n")) })]
#[non_exhaustive]
pub struct BuildError {
    /// The failed step (`[2/3] RUN make`), when the builder said which.
    pub step: Option<String>,
    /// The builder's message.
    pub message: String,
    /// The failed step's last output lines.
    pub last_lines: Vec<String>,
    /// The error item of the build's stream.
    #[source]
    pub source: Option<StreamError>,
}

/// A [`container`](crate::container) failed a wait or lacks what was asked of it. The wait
/// errors quote the container's last log lines.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// A wait's deadline passed ([`Error::is_timeout`] is true).
    #[error(
        "container {container}: {strategy} not ready within {waited:?}{}",
        quoted(last_lines)
    )]
    WaitTimeout {
        /// The container's name or id.
        container: String,
        /// What was waited for (`log "ready"`, `http :8080/health`).
        strategy: String,
        /// How long.
        waited: Duration,
        /// The container's last log lines.
        last_lines: Vec<String>,
    },
    /// The container exited while a wait expected it to run.
    #[error(
        "container {container} exited with code {exit_code} while waiting for {strategy}{}",
        quoted(last_lines)
    )]
    Exited {
        /// The container's name or id.
        container: String,
        /// What was waited for.
        strategy: String,
        /// Its exit code.
        exit_code: i64,
        /// The container's last log lines.
        last_lines: Vec<String>,
    },
    /// The container exited with another code than the one waited for.
    #[error(
        "container {container} exited with code {exit_code}, not {expected}{}",
        quoted(last_lines)
    )]
    ExitCode {
        /// The container's name or id.
        container: String,
        /// The code waited for.
        expected: i64,
        /// Its exit code.
        exit_code: i64,
        /// The container's last log lines.
        last_lines: Vec<String>,
    },
    /// [`Wait::healthy`](crate::container::Wait::healthy) on a container without a healthcheck.
    #[error(
        "container {container} has no healthcheck to wait for (the image defines none; give one to the run)"
    )]
    NoHealthcheck {
        /// The container's name or id.
        container: String,
    },
    /// The container has no host port for this port: it was not published.
    #[error("container {container} does not publish {port}")]
    PortNotPublished {
        /// The container's name or id.
        container: String,
        /// The container's port (`8080/tcp`).
        port: String,
    },
    /// A file could not be read out of the container as asked.
    #[error("container {container}: {path}: {reason}")]
    File {
        /// The container's name or id.
        container: String,
        /// The path in the container.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Log lines quoted after a message, one per line, or nothing.
fn quoted(lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut text = String::from("; its last log lines:");
    for line in lines {
        text.push_str("\n  ");
        text.push_str(line);
    }
    text
}

/// The steps of a [`run`](crate::run), as named in its errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunStep {
    /// Looking the image up, finding credentials, pulling it.
    Pull,
    /// `POST /containers/create`.
    Create,
    /// Attaching to the container's output.
    Attach,
    /// Registering or reading the wait for its exit.
    Wait,
    /// `POST /containers/{id}/start`.
    Start,
    /// Waiting for a detached container to be ready ([`Run::wait_for`](crate::run::Run::wait_for)).
    Ready,
    /// Reading its output, writing its input.
    Output,
    /// Removing it.
    Remove,
}

impl fmt::Display for RunStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunStep::Pull => "pulling the image",
            RunStep::Create => "creating the container",
            RunStep::Attach => "attaching to the container",
            RunStep::Wait => "waiting for the container",
            RunStep::Start => "starting the container",
            RunStep::Ready => "waiting for the container to be ready",
            RunStep::Output => "reading the container's output",
            RunStep::Remove => "removing the container",
        })
    }
}

/// Registry credentials could not be found or read. Messages name the registry or the helper,
/// never a password or token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A credential helper (`docker-credential-<name>`) is missing, failed, timed out, or
    /// answered something that is not credentials.
    #[error("credential helper {helper}: {reason}")]
    Helper {
        /// The program, e.g. `docker-credential-pass`.
        helper: String,
        /// What went wrong.
        reason: String,
    },
    /// A `config.json` `auths` entry that cannot be decoded.
    #[error("config.json credentials for {registry}: {reason}")]
    InvalidAuthEntry {
        /// The entry's key.
        registry: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The daemon could not be reached, or the connection broke.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The unix socket does not exist.
    #[error("cannot connect to the Docker daemon at {endpoint}: socket {} does not exist (is the daemon running?)", path.display())]
    SocketMissing {
        /// The endpoint, e.g. `unix:///var/run/docker.sock`.
        endpoint: String,
        /// The socket's path.
        path: PathBuf,
        /// The connect error.
        #[source]
        source: Cause,
    },
    /// Permission to the socket was denied.
    #[error("cannot connect to the Docker daemon at {endpoint}: permission denied")]
    PermissionDenied {
        /// The endpoint.
        endpoint: String,
        /// The connect error.
        #[source]
        source: Cause,
    },
    /// Nothing listens there.
    #[error(
        "cannot connect to the Docker daemon at {endpoint}: connection refused (is the daemon running?)"
    )]
    ConnectionRefused {
        /// The endpoint.
        endpoint: String,
        /// The connect error.
        #[source]
        source: Cause,
    },
    /// The TLS handshake failed (wrong CA, no or rejected client certificate, ...).
    #[error("TLS with the Docker daemon at {endpoint} failed: {reason}")]
    Tls {
        /// The endpoint.
        endpoint: String,
        /// The TLS library's reason.
        reason: String,
        /// The failure, from the HTTP client down to the TLS library.
        #[source]
        source: Cause,
    },
    /// The `ssh` program behind an `ssh://` host failed (host unreachable, authentication
    /// refused, no `docker` on the remote host, ...): how it ended and what it said.
    #[error("cannot connect to the Docker daemon at {endpoint}: ssh failed ({status}): {stderr}")]
    Ssh {
        /// The endpoint, e.g. `ssh://me@host`.
        endpoint: String,
        /// How ssh ended, e.g. `exit status: 255`.
        status: String,
        /// The end of ssh's stderr (at most 4 KiB), which names the reason.
        stderr: String,
        /// The HTTP client's view: the connection closed.
        #[source]
        source: Cause,
    },
    /// No host was configured, the default socket does not exist, and no socket where common
    /// setups put theirs (rootless Docker, Docker Desktop, Colima, OrbStack, Rancher Desktop,
    /// Podman) answered `/_ping`.
    #[error(
        "cannot find a Docker daemon; tried {}. Set DOCKER_HOST (unix:///path/to/docker.sock, tcp://host:2375, ssh://user@host) or select a context (DOCKER_CONTEXT, `docker context use`)",
        tried_list(tried)
    )]
    NoDaemonFound {
        /// Every socket tried, in order, with what happened there ("does not exist", ...).
        tried: Vec<(PathBuf, String)>,
    },
    /// The connect or request timeout passed.
    #[error("{operation}: the Docker daemon at {endpoint} did not answer in time")]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The operation.
        operation: &'static str,
        /// The timeout error.
        #[source]
        source: Cause,
    },
    /// Any other connection failure (reset, closed mid-body, ...).
    #[error("{operation}: connection to the Docker daemon at {endpoint} failed: {reason}")]
    Connection {
        /// The endpoint.
        endpoint: String,
        /// The operation.
        operation: &'static str,
        /// What happened (the whole chain of causes, on one line).
        reason: String,
        /// The failure itself.
        #[source]
        source: Cause,
    },
}

/// The daemon answered with an error status, usually with `{"message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {message} (HTTP {status})")]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The daemon's message (or a description of the body when it had none).
    pub message: String,
    /// The operation, e.g. `container_inspect`.
    pub operation: &'static str,
}

/// What an [`ApiError`]'s status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 304: nothing to do (container already started or stopped).
    NotModified,
    /// 400: bad parameter, or an API version the daemon does not accept.
    BadRequest,
    /// 401: credentials missing or wrong.
    Unauthorized,
    /// 403: not allowed.
    Forbidden,
    /// 404: no such object.
    NotFound,
    /// 409: conflict (name in use, container running, ...).
    Conflict,
    /// 5xx: the daemon failed.
    Server,
    /// Any other status.
    Other,
}

impl ApiError {
    /// What the status means.
    pub fn kind(&self) -> ApiErrorKind {
        match self.status {
            304 => ApiErrorKind::NotModified,
            400 => ApiErrorKind::BadRequest,
            401 => ApiErrorKind::Unauthorized,
            403 => ApiErrorKind::Forbidden,
            404 => ApiErrorKind::NotFound,
            409 => ApiErrorKind::Conflict,
            500..=599 => ApiErrorKind::Server,
            _ => ApiErrorKind::Other,
        }
    }
}

/// The daemon's answer did not decode as the spec says.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: cannot decode the daemon's answer: {message}; body starts {snippet:?}")]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation.
    pub operation: &'static str,
    /// The decoder's message.
    pub message: String,
    /// The start of the body (at most 200 bytes, lossily as UTF-8).
    pub snippet: String,
}

/// A streamed body broke off, was malformed, or carried the daemon's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The body ended in the middle of a frame or message.
    #[error("container output ended early: {detail}")]
    Truncated {
        /// Where it ended.
        detail: String,
    },
    /// A stdcopy header that is not one: the body is not multiplexed (a TTY?).
    #[error(
        "invalid stdcopy frame header {header:02x?}: not a multiplexed stream (is the container's TTY on?)"
    )]
    BadFrame {
        /// The 8 bytes read as a header.
        header: [u8; 8],
    },
    /// The daemon reported an error inside the stream (a systemerr frame, an `errorDetail`).
    #[error("the daemon reported: {message}")]
    Daemon {
        /// Its message.
        message: String,
    },
    /// A JSON message that does not decode.
    #[error("malformed JSON message: {message}; it starts {snippet:?}")]
    Json {
        /// The decoder's message.
        message: String,
        /// The start of the message.
        snippet: String,
    },
    /// A JSON message longer than the limit.
    #[error("a JSON message is longer than {limit} bytes")]
    TooLong {
        /// The limit.
        limit: usize,
    },
    /// The connection broke mid-stream (the daemon went away, a reset...).
    #[error("the stream broke off: {reason}")]
    Connection {
        /// What happened.
        reason: String,
        /// The I/O or HTTP failure, when there was one.
        #[source]
        source: Option<Cause>,
    },
}

impl DecodeError {
    pub(crate) fn new(operation: &'static str, message: impl Into<String>, body: &[u8]) -> Self {
        Self {
            operation,
            message: message.into(),
            snippet: snippet(body),
        }
    }
}

/// The start of a body for an error message: at most 200 bytes, lossily as UTF-8.
pub(crate) fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned()
}

/// The daemon and this client share no API version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// The daemon's minimum API version is above the client's.
    #[error(
        "the daemon's minimum API version is {daemon_minimum}, above this client's {client}: enable a newer version feature"
    )]
    ClientTooOld {
        /// The daemon's `MinAPIVersion`.
        daemon_minimum: String,
        /// The client's version.
        client: String,
    },
    /// The client's version is above the daemon's newest (a pinned `DOCKER_API_VERSION` or
    /// `client_with_version`; negotiation never asks for it).
    #[error(
        "API version {client} is too new for the daemon, whose newest is {daemon_maximum}: pin {daemon_maximum} or lower, or let the client negotiate"
    )]
    ClientTooNew {
        /// The version asked for.
        client: String,
        /// The daemon's newest API version.
        daemon_maximum: String,
    },
    /// A version below the oldest this crate supports.
    #[error("API version {version} is below the oldest this crate supports ({oldest})")]
    Unsupported {
        /// The version asked for (or offered by the daemon).
        version: String,
        /// The oldest supported version.
        oldest: String,
    },
}

impl Error {
    /// The HTTP status, when the daemon answered with an error (also inside a failed run).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Run(e) => e.source.status(),
            _ => None,
        }
    }

    /// The daemon's error kind, when it answered with an error (also inside a failed run).
    pub fn api_kind(&self) -> Option<ApiErrorKind> {
        match self {
            Error::Api(e) => Some(e.kind()),
            Error::Run(e) => e.source.api_kind(),
            _ => None,
        }
    }

    /// The registry refused the credentials (or asked for some).
    ///
    /// A 401 or 403 from the daemon, and what daemons report as a 500 or inside a push's
    /// progress stream: a message with `unauthorized:`, `no basic auth credentials` (none were
    /// sent), a login that `failed with status: 401` (Engine 20.10) or a registry request that
    /// got `: 401 Unauthorized` (Engine 28.5's containerd image store).
    pub fn is_unauthorized(&self) -> bool {
        let says = |m: &str| {
            m.starts_with("unauthorized:")
                || m.contains(": unauthorized:")
                || m.contains("no basic auth credentials")
                || m.contains("status: 401 Unauthorized")
                || m.contains(": 401 Unauthorized")
        };
        match self {
            Error::Api(e) => {
                matches!(
                    e.kind(),
                    ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden
                ) || says(&e.message)
            }
            Error::Stream(StreamError::Daemon { message }) => says(message),
            Error::Run(e) => e.source.is_unauthorized(),
            _ => false,
        }
    }

    /// 404: no such container, image, network, volume, ...
    pub fn is_not_found(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::NotFound)
    }

    /// 409: a conflict (name in use, container running, ...).
    pub fn is_conflict(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::Conflict)
    }

    /// 304: nothing to do (already started, already stopped).
    pub fn is_not_modified(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::NotModified)
    }

    /// 400: bad parameter or unacceptable API version.
    pub fn is_bad_request(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::BadRequest)
    }

    /// 5xx.
    pub fn is_server_error(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::Server)
    }

    /// The daemon could not be reached or the connection broke (also inside a failed run).
    pub fn is_transport(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Run(e) => e.source.is_transport(),
            _ => false,
        }
    }

    /// A timeout passed (also inside a failed run): of a request, or of a container's wait.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport(TransportError::Timeout { .. }) => true,
            Error::Container(ContainerError::WaitTimeout { .. }) => true,
            Error::Run(e) => e.source.is_timeout(),
            _ => false,
        }
    }
}

/// `path (what happened), path (...)`, for [`TransportError::NoDaemonFound`].
fn tried_list(tried: &[(PathBuf, String)]) -> String {
    let each: Vec<String> = tried
        .iter()
        .map(|(path, outcome)| format!("{} ({outcome})", path.display()))
        .collect();
    each.join(", ")
}

/// `e: source: source...`, the whole chain on one line (each message once).
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let message = s.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = s.source();
    }
    text
}
