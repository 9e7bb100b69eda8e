//! What every generated client runs around each request, shared by all API versions.
//!
//! Each version's `Client` implements progenitor's `ClientHooks` with a generated impl that calls
//! the functions here, so the behaviour is written once for every version: request media types,
//! per-client timeouts, and a `tracing` span per request (method, path, status, duration; never
//! headers, which carry credentials).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::version::ApiVersion;

/// Per-client settings carried by each generated `Client` (progenitor's "inner" value).
/// `Hooks::default()` is what a client made by hand uses; [`crate::Docker`] fills it in.
#[derive(Clone, Debug, Default)]
pub struct Hooks {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    endpoint: String,
    socket: Option<PathBuf>,
    api_version: Option<ApiVersion>,
    timeout: Option<Duration>,
}

impl Hooks {
    pub(crate) fn new(
        endpoint: String,
        socket: Option<PathBuf>,
        api_version: Option<ApiVersion>,
    ) -> Self {
        Self {
            state: Arc::new(State {
                endpoint,
                socket,
                api_version,
                timeout: None,
            }),
        }
    }

    /// The same settings with a total timeout for each request.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        let s = &self.state;
        Self {
            state: Arc::new(State {
                endpoint: s.endpoint.clone(),
                socket: s.socket.clone(),
                api_version: s.api_version,
                timeout: Some(timeout),
            }),
        }
    }

    /// The daemon's address, for messages (`unix:///var/run/docker.sock`).
    pub fn endpoint(&self) -> &str {
        if self.state.endpoint.is_empty() {
            "the client's base URL"
        } else {
            &self.state.endpoint
        }
    }

    /// The unix socket's path, when the endpoint is one.
    pub fn socket_path(&self) -> Option<&Path> {
        self.state.socket.as_deref()
    }

    /// The API version in the client's URLs, when known.
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.state.api_version
    }

    /// The per-request timeout, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.state.timeout
    }
}

/// The headers that carry registry credentials.
const REGISTRY_CREDENTIALS: [HeaderName; 2] = [
    HeaderName::from_static("x-registry-auth"),
    HeaderName::from_static("x-registry-config"),
];

/// Adjusts a built request before it is sent.
///
/// `media_types` lists, by operation id, the request media type the spec names where progenitor
/// can only send `application/octet-stream` (Docker's `application/x-tar` bodies).
pub fn pre(
    hooks: &Hooks,
    request: &mut reqwest::Request,
    operation_id: &str,
    media_types: &[(&str, &str)],
) {
    if let Some((_, media)) = media_types.iter().find(|(id, _)| *id == operation_id)
        && let Ok(value) = HeaderValue::from_str(media)
    {
        request.headers_mut().insert(CONTENT_TYPE, value);
    }
    if let Some(timeout) = hooks.timeout() {
        *request.timeout_mut() = Some(timeout);
    }
    // Registry credentials: hidden from every `Debug` of the request and from HTTP/2 indexing.
    for name in &REGISTRY_CREDENTIALS {
        if let reqwest::header::Entry::Occupied(mut entry) = request.headers_mut().entry(name) {
            for value in entry.iter_mut() {
                value.set_sensitive(true);
            }
        }
    }
}

/// Sends a request inside a `docker.request` tracing span.
pub async fn exec(
    _hooks: &Hooks,
    client: &reqwest::Client,
    request: reqwest::Request,
    operation_id: &str,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::debug_span!(
        "docker.request",
        operation = operation_id,
        method = %request.method(),
        path = request.url().path(),
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    // Errors leave without their URL: its query string can carry secrets (`buildargs`), and
    // error messages and tracing events must not.
    if span.is_disabled() {
        // No subscriber wants it: no clock reads, no instrumented future.
        return client
            .execute(request)
            .await
            .map_err(reqwest::Error::without_url);
    }
    let started = Instant::now();
    async move {
        let result = client
            .execute(request)
            .await
            .map_err(reqwest::Error::without_url);
        let span = tracing::Span::current();
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
            }
            Err(e) => tracing::debug!(error = %e, "request failed"),
        }
        result
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_credentials_are_marked_sensitive_and_media_types_set() {
        // The crate's builder: it installs the TLS provider when the `tls` feature is on.
        let http = crate::http::builder().build().unwrap();
        let mut request = http
            .post("http://docker/v1.41/build")
            .header("X-Registry-Auth", "e30=")
            .header("X-Registry-Config", "e30=")
            .header("X-Other", "shown")
            .build()
            .unwrap();
        pre(
            &Hooks::default(),
            &mut request,
            "image_build",
            &[("image_build", "application/x-tar")],
        );
        let headers = request.headers();
        assert!(headers["x-registry-auth"].is_sensitive());
        assert!(headers["x-registry-config"].is_sensitive());
        assert!(!headers["x-other"].is_sensitive());
        assert_eq!(headers[CONTENT_TYPE], "application/x-tar");
        // What Debug shows of the request keeps the secret out.
        let shown = format!("{headers:?}");
        assert!(
            shown.contains("Sensitive") && !shown.contains("e30="),
            "{shown}"
        );
    }
}
