//! What every generated client runs around each request, shared by all API versions.
//!
//! Each version's `Client` implements progenitor's `ClientHooks` with a generated two-line impl
//! that calls the functions here, so the behaviour is written once for every version.

use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};

/// Per-client hook configuration, carried by each generated `Client` (progenitor's "inner"
/// value). `Hooks::default()` is what a client made by hand should use.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Hooks {}

/// progenitor's informational `api-version` header; Docker ignores it, so it is not sent.
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// Adjusts a built request before it is sent.
///
/// `media_types` lists, by operation id, the request media type the spec names where progenitor
/// can only send `application/octet-stream` (Docker's `application/x-tar` bodies).
pub fn pre(
    _hooks: &Hooks,
    request: &mut reqwest::Request,
    operation_id: &str,
    media_types: &[(&str, &str)],
) {
    request.headers_mut().remove(PROGENITOR_API_VERSION);
    if let Some((_, media)) = media_types.iter().find(|(id, _)| *id == operation_id)
        && let Ok(value) = HeaderValue::from_str(media)
    {
        request.headers_mut().insert(CONTENT_TYPE, value);
    }
}

/// Sends a request.
pub async fn exec(
    _hooks: &Hooks,
    client: &reqwest::Client,
    request: reqwest::Request,
    _operation_id: &str,
) -> reqwest::Result<reqwest::Response> {
    client.execute(request).await
}
