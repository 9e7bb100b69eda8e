//! The crate's errors: one `#[non_exhaustive]` [`Error`] over an enum per layer (configuration,
//! transport, the daemon's answer, decoding, API versions), with no HTTP library type in them.
//!
//! Every generated call's `send()` returns `Result<_, Error>`: the generated `send` is wrapped by
//! a generation pass that hands progenitor's error to [`from_generated`].

use std::path::PathBuf;

use crate::hooks::Hooks;

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
    /// A host scheme this crate recognises but does not implement yet.
    #[error("Docker host {value:?}: {scheme}:// is not supported yet; {hint}")]
    UnsupportedScheme {
        /// The host as given.
        value: String,
        /// `ssh`, `npipe`, `fd`.
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
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
}

/// A step of a [`run`](crate::run) failed: which one, for which image, and why.
#[derive(Debug, thiserror::Error)]
#[error("run {image}: {step} failed: {source}")]
#[non_exhaustive]
pub struct RunError {
    /// The step.
    pub step: crate::run::RunStep,
    /// The image being run.
    pub image: String,
    /// Why it failed.
    #[source]
    pub source: Box<Error>,
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
    },
    /// Permission to the socket was denied.
    #[error("cannot connect to the Docker daemon at {endpoint}: permission denied")]
    PermissionDenied {
        /// The endpoint.
        endpoint: String,
    },
    /// Nothing listens there.
    #[error(
        "cannot connect to the Docker daemon at {endpoint}: connection refused (is the daemon running?)"
    )]
    ConnectionRefused {
        /// The endpoint.
        endpoint: String,
    },
    /// The TLS handshake failed (wrong CA, no or rejected client certificate, ...).
    #[error("TLS with the Docker daemon at {endpoint} failed: {reason}")]
    Tls {
        /// The endpoint.
        endpoint: String,
        /// The TLS library's reason.
        reason: String,
    },
    /// The connect or request timeout passed.
    #[error("{operation}: the Docker daemon at {endpoint} did not answer in time")]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The operation.
        operation: &'static str,
    },
    /// Any other connection failure (reset, closed mid-body, ...).
    #[error("{operation}: connection to the Docker daemon at {endpoint} failed: {reason}")]
    Connection {
        /// The endpoint.
        endpoint: String,
        /// The operation.
        operation: &'static str,
        /// What happened.
        reason: String,
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
    /// A 401 or 403 from the daemon, and what older daemons (Engine 20.10) report as a 500 or inside a
    /// push's progress stream: a message with `unauthorized:`, `no basic auth credentials` (none
    /// were sent) or a login that `failed with status: 401`.
    pub fn is_unauthorized(&self) -> bool {
        let says = |m: &str| {
            m.starts_with("unauthorized:")
                || m.contains(": unauthorized:")
                || m.contains("no basic auth credentials")
                || m.contains("status: 401 Unauthorized")
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

    /// The daemon could not be reached or the connection broke.
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport(_))
    }

    /// A timeout passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(TransportError::Timeout { .. }))
    }
}

/// The daemon's message inside a version's `ErrorResponse` (implemented by generated code).
pub trait DaemonMessage {
    /// The `message` field.
    fn daemon_message(self) -> String;
}

/// Turns a generated call's result into the crate's error type.
#[doc(hidden)]
pub async fn from_generated<T, E: DaemonMessage>(
    result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
    hooks: &Hooks,
    operation: &'static str,
) -> Result<progenitor_client::ResponseValue<T>, Error> {
    use progenitor_client::Error as G;
    let error = match result {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    Err(match error {
        G::ErrorResponse(body) => {
            let status = body.status().as_u16();
            ApiError {
                status,
                message: body.into_inner().daemon_message(),
                operation,
            }
            .into()
        }
        G::UnexpectedResponse(response) => from_response(response, operation).await,
        G::InvalidResponsePayload(bytes, e) => {
            DecodeError::new(operation, e.to_string(), &bytes).into()
        }
        G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
            transport(e, hooks, operation).into()
        }
        G::InvalidRequest(message) => Error::InvalidRequest { operation, message },
        G::Custom(message) => Error::InvalidRequest { operation, message },
    })
}

/// The most of an error body that is read: the Go client's bound. A daemon or proxy answering
/// with a huge or endless body costs at most this much memory.
pub const ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// The most of an error body quoted in an error's message; the rest is summarised by its size.
pub const ERROR_MESSAGE_LIMIT: usize = 4 * 1024;

/// Any error status (every 3xx, 4xx and 5xx of generated and handwritten calls): an [`ApiError`]
/// with the status and the daemon's `message`, or the body's text when it is not Docker's JSON
/// (a proxy's HTML 502, a plain-text 404). At most [`ERROR_BODY_LIMIT`] bytes are read and at most
/// [`ERROR_MESSAGE_LIMIT`] quoted. A redirect names its `Location` (redirects are never followed:
/// they would re-send credentials to another host).
pub(crate) async fn from_response(response: reqwest::Response, operation: &'static str) -> Error {
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let declared = response.content_length();
    let mut body = Vec::new();
    let mut cut = false;
    let mut response = response;
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = ERROR_BODY_LIMIT - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    drop(response); // an endless body: the connection is closed, not drained
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    let text = match serde_json::from_slice::<Message>(&body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(&body).trim().to_string(),
    };
    let mut message = quote_bounded(&text, body.len(), cut, declared);
    if status.is_redirection() {
        let to = location.as_deref().unwrap_or("no Location");
        message = if message.is_empty() {
            format!("redirected to {to}; redirects are not followed")
        } else {
            format!("redirected to {to}; redirects are not followed: {message}")
        };
    } else if message.is_empty() {
        message = format!("HTTP {} with an empty body", status.as_u16());
    }
    ApiError {
        status: status.as_u16(),
        message,
        operation,
    }
    .into()
}

/// `text` cut to [`ERROR_MESSAGE_LIMIT`] bytes (at a character boundary), saying how large the
/// body was when anything was left out.
fn quote_bounded(text: &str, read: usize, cut: bool, declared: Option<u64>) -> String {
    if text.len() <= ERROR_MESSAGE_LIMIT && !cut {
        return text.to_string();
    }
    let mut end = ERROR_MESSAGE_LIMIT.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let size = match (cut, declared) {
        (false, _) => format!("{read} bytes"),
        (true, Some(n)) => format!("{n} bytes"),
        (true, None) => format!("more than {read} bytes"),
    };
    format!("{}… ({size} in all)", &text[..end])
}

/// Classifies a reqwest error by walking its sources. The URL is dropped first: its query string
/// can carry secrets (`buildargs`).
pub(crate) fn transport(
    e: reqwest::Error,
    hooks: &Hooks,
    operation: &'static str,
) -> TransportError {
    let e = &e.without_url();
    let endpoint = hooks.endpoint().to_string();
    if e.is_timeout() {
        return TransportError::Timeout {
            endpoint,
            operation,
        };
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        #[cfg(feature = "tls")]
        if let Some(tls) = rustls_error(err) {
            return TransportError::Tls {
                endpoint,
                reason: tls.to_string(),
            };
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::NotFound if hooks.socket_path().is_some() => {
                    return TransportError::SocketMissing {
                        endpoint,
                        path: hooks.socket_path().map(PathBuf::from).unwrap_or_default(),
                    };
                }
                std::io::ErrorKind::PermissionDenied => {
                    return TransportError::PermissionDenied { endpoint };
                }
                std::io::ErrorKind::ConnectionRefused => {
                    return TransportError::ConnectionRefused { endpoint };
                }
                std::io::ErrorKind::TimedOut => {
                    return TransportError::Timeout {
                        endpoint,
                        operation,
                    };
                }
                _ => {}
            }
        }
        source = err.source();
    }
    TransportError::Connection {
        endpoint,
        operation,
        reason: error_chain(e),
    }
}

/// The rustls error in `err`, also when `io::Error`s wrap it (their `source()` skips the error
/// they carry, so it is reached through `get_ref`).
#[cfg(feature = "tls")]
fn rustls_error<'a>(mut err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        err = err.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

/// `e: source: source...`, the whole chain on one line.
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

impl DaemonMessage for () {
    fn daemon_message(self) -> String {
        "the daemon sent no message (a HEAD request, or an empty error body)".into()
    }
}

impl DaemonMessage for progenitor_client::ByteStream {
    fn daemon_message(self) -> String {
        "the daemon's message was a stream".into()
    }
}
