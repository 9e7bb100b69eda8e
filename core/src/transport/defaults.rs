//! The HTTP client defaults every client starts from.
//!
//! progenitor's own `Client::new` sets a 15 s total timeout, which would cut follow-mode logs,
//! events, pulls and `wait`; the generated `new` is rewritten to call [`default_client`] instead.

use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT as USER_AGENT_HEADER};

/// Connect timeout applied by default. There is no total timeout by default.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("docker-engine-client/", env!("CARGO_PKG_VERSION"));

/// Headers every request carries unless it sets its own: reqwest's client is built with them,
/// and requests sent over hyper (`direct`) get them from here.
pub(crate) fn default_headers() -> HeaderMap {
    HeaderMap::from_iter([
        (USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT)),
        (ACCEPT, HeaderValue::from_static("*/*")),
    ])
}

/// A reqwest client with the crate's defaults: a connect timeout, no total timeout, our
/// `User-Agent`, no redirects, no proxy.
pub fn default_client() -> reqwest::Client {
    http_client_builder().build().unwrap_or_default()
}

/// The builder behind every client's HTTP client, for callers that build a generated `Client` by
/// hand (`v1_55::Client::new_with_client(url, http, ClientState::default())`) and add to it
/// (`.unix_socket(path)`).
///
/// With the `tls` feature, this installs rustls's ring provider as the process-wide default when
/// the program has not installed one: reqwest's rustls backend needs one to build any client.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    #[cfg(feature = "tls")]
    let _ = crate::connect::ring_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .default_headers(default_headers())
        // As the Go client: a redirect is an error (it names the status and `Location`), never
        // followed, since following would re-send `X-Registry-Auth` and bodies to another host.
        .redirect(reqwest::redirect::Policy::none())
        // Proxies are chosen by `Docker` as Go's `ProxyFromEnvironment` does (never for loopback
        // or unix sockets), not read from the environment by reqwest.
        .no_proxy()
}
