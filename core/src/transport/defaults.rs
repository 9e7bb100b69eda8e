//! The HTTP client defaults every client starts from: a connect timeout, no total timeout (it
//! would cut follow-mode logs, events, pulls and `wait`), our `User-Agent`. Redirects are never
//! followed and no proxy is read from the environment here: `Docker` chooses proxies as Go's
//! `ProxyFromEnvironment` does (never for loopback or unix sockets).

use http::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT as USER_AGENT_HEADER};

use crate::wire::{HttpClient, HttpClientBuilder};

/// `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("docker-engine-client/", env!("CARGO_PKG_VERSION"));

/// Headers every request carries unless it sets its own.
pub(crate) fn default_headers() -> HeaderMap {
    HeaderMap::from_iter([
        (USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT)),
        (ACCEPT, HeaderValue::from_static("*/*")),
    ])
}

/// An HTTP client with the crate's defaults, connecting where each request's URL says (plain
/// HTTP): what a generated `Client::new` uses.
pub fn default_client() -> HttpClient {
    http_client_builder().build()
}

/// The builder behind every client's HTTP client, for callers that build a generated `Client` by
/// hand (`v1_55::Client::new_with_client(url, http, ClientState::default())`) and add to it
/// (`.unix_socket(path)`): the crate's connect timeout and default headers.
pub fn http_client_builder() -> HttpClientBuilder {
    HttpClientBuilder::new().default_headers(default_headers())
}
