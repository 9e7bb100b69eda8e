//! The steps every request takes, generated or handwritten: [`pre`] adjusts the built request,
//! [`exec`] sends it.
//!
//! Each version's `Client` implements `ClientHooks` (`wire::runtime`) with a generated impl that
//! calls these, and [`Requests`](super::Requests) calls them for handwritten requests, so the
//! behaviour is written once for every version and every road: request media types, the
//! client's timeout, credential headers marked sensitive, and a `tracing` span per request
//! (method, path, status, duration; never headers or the query, which carry credentials and
//! build arguments).

use std::time::Instant;

use http::header::{CONTENT_TYPE, Entry, HeaderName, HeaderValue};
use tracing::Instrument;

use super::ClientState;
use crate::stream::demux::ASKED_IN;
use crate::wire::{HttpClient, HttpError, Request, Response};

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
    state: &ClientState,
    request: &mut Request,
    operation_id: &str,
    media_types: &[(&str, &str)],
) {
    if let Some((_, media)) = media_types.iter().find(|(id, _)| *id == operation_id)
        && let Ok(value) = HeaderValue::from_str(media)
    {
        request.headers_mut().insert(CONTENT_TYPE, value);
    }
    if let Some(timeout) = state.timeout() {
        *request.timeout_mut() = Some(timeout);
    }
    // Registry credentials: hidden from every `Debug` of the request and from HTTP/2 indexing.
    for name in &REGISTRY_CREDENTIALS {
        if let Entry::Occupied(mut entry) = request.headers_mut().entry(name) {
            for value in entry.iter_mut() {
                value.set_sensitive(true);
            }
        }
    }
}

/// Sends a request inside a `docker.request` tracing span. A logs response gets the API version
/// it was asked in noted (`stream::demux::ASKED_IN`): its framing depends on it.
pub async fn exec(
    state: &ClientState,
    client: &HttpClient,
    request: Request,
    operation_id: &str,
) -> Result<Response, HttpError> {
    let mut response = traced(state, client, request, operation_id).await?;
    if operation_id.ends_with("_logs")
        && let Some(version) = state.api_version()
        && let Ok(value) = HeaderValue::from_str(&version.to_string())
    {
        response.headers_mut().insert(ASKED_IN, value);
    }
    Ok(response)
}

/// [`send`] inside a `docker.request` tracing span.
async fn traced(
    state: &ClientState,
    client: &HttpClient,
    request: Request,
    operation_id: &str,
) -> Result<Response, HttpError> {
    let span = tracing::debug_span!(target: crate::LOG_TARGET,
        "docker.request",
        operation = operation_id,
        method = %request.method(),
        path = request.uri().path(),
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    // Errors leave without their URL: its query string can carry secrets (`buildargs`), and
    // error messages and tracing events must not.
    if span.is_disabled() {
        // No subscriber wants it: no clock reads, no instrumented future.
        return send(state, client, request, operation_id).await;
    }
    let started = Instant::now();
    async move {
        let result = send(state, client, request, operation_id).await;
        let span = tracing::Span::current();
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
            }
            Err(e) => tracing::debug!(target: crate::LOG_TARGET, error = %e, "request failed"),
        }
        result
    }
    .instrument(span)
    .await
}

/// Sends a request on its road (see `roads`).
async fn send(
    state: &ClientState,
    client: &HttpClient,
    request: Request,
    operation_id: &str,
) -> Result<Response, HttpError> {
    let road = super::roads::road(&request, operation_id, state.opens_own_connections());
    client.send(request, road).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_credentials_are_marked_sensitive_and_media_types_set() {
        // The crate's builder: it installs the TLS provider when the `tls` feature is on.
        let http = super::super::http_client_builder().build();
        let mut request = http
            .post("http://docker/v1.41/build")
            .header("X-Registry-Auth", "e30=")
            .header("X-Registry-Config", "e30=")
            .header("X-Other", "shown")
            .build()
            .unwrap();
        pre(
            &ClientState::default(),
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

    /// Records the name, target and module of every span and event.
    #[derive(Clone, Default)]
    struct Targets(std::sync::Arc<std::sync::Mutex<Vec<(String, String, String)>>>);

    fn seen(meta: &tracing::Metadata<'_>) -> (String, String, String) {
        let module = meta.module_path().unwrap_or_default().to_string();
        (meta.name().to_string(), meta.target().to_string(), module)
    }

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Targets {
        fn on_new_span(
            &self,
            attrs: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            self.0.lock().unwrap().push(seen(attrs.metadata()));
        }

        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            self.0.lock().unwrap().push(seen(event.metadata()));
        }
    }

    /// A filter on the crate users depend on (`docker_engine_client=debug`) selects the request
    /// span and its events, although they are written in this crate.
    #[tokio::test]
    async fn spans_and_events_have_the_client_crates_target() {
        use tracing_subscriber::layer::SubscriberExt;
        let targets = Targets::default();
        let subscriber = tracing_subscriber::registry().with(targets.clone());
        let _guard = tracing::subscriber::set_default(subscriber);
        let http = super::super::http_client_builder().build();
        // Nothing listens on port 1: the request fails, which the span's event reports.
        let request = http.get("http://127.0.0.1:1/_ping").build().unwrap();
        let result = exec(&ClientState::default(), &http, request, "system_ping").await;
        assert!(result.is_err());
        // Ours only (hyper's own events are its), told by the module they come
        // from, which the explicit target leaves as it is.
        let ours: Vec<_> = targets
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, module)| module.starts_with("docker_engine_core::"))
            .cloned()
            .collect();
        assert!(
            ours.iter().any(|(name, ..)| name == "docker.request"),
            "{ours:?}"
        );
        assert!(ours.len() >= 2, "the span and its failure event: {ours:?}");
        for (name, target, _) in &ours {
            assert_eq!(target, "docker_engine_client", "{name}");
        }
    }
}
