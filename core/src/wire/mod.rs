//! The crate's HTTP layer, over hyper: [`Request`]s built with a [`RequestBuilder`], request
//! [`Body`]s, [`Response`]s, [`Upgraded`] connections, and the [`HttpClient`] that sends them (a
//! pool, connections of their own for streams, proxies, TLS, total timeouts). It knows nothing
//! of Docker: the request steps above it (`transport`) decide which road a request takes, and
//! map [`HttpError`]s to the crate's errors. [`runtime`] is what progenitor's generated code is
//! written against, on these types.

mod body;
mod client;
mod dial;
mod error;
pub(crate) mod query;
mod request;
mod response;
pub(crate) mod runtime;

pub use body::Body;
pub(crate) use client::{CONNECT_TIMEOUT, Road};
pub use client::{HttpClient, HttpClientBuilder};
pub(crate) use dial::{Proxy, Target};
pub use error::HttpError;
pub use request::{Request, RequestBuilder};
pub use response::{Response, Upgraded};
pub use runtime::{ByteStream, ResponseValue};

/// A URL's origin (`https://host:port`), which errors may name: never its path or query, which
/// can carry secrets (`buildargs`). `None` for a URL without an authority.
pub(crate) fn origin(uri: &http::Uri) -> Option<String> {
    let authority = uri.authority()?;
    Some(format!(
        "{}://{authority}",
        uri.scheme_str().unwrap_or("http")
    ))
}

/// A URL's host without the brackets around an IPv6 address (`[::1]` → `::1`), as a socket
/// address or a TLS name takes it: the inverse of [`authority`]'s brackets.
pub(crate) fn unbracketed(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

/// `host:port`, with an IPv6 address in brackets (`[::1]:2375`): a URL's authority.
pub(crate) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
