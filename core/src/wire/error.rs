//! [`HttpError`]: why a request could not be built, sent or read, with the underlying failure as
//! its source. It never carries a URL: query strings can hold secrets (`buildargs`).

use super::body::BoxError;

/// A failure of the HTTP layer: building a request, sending it, reading its body, upgrading its
/// connection, or a total timeout. The cause (an I/O error, hyper's, rustls's) is its
/// [`source`](std::error::Error::source). The crate's operations report these as
/// [`TransportError`](crate::TransportError)s; byte streams yield them as they are.
#[derive(Debug)]
pub struct HttpError {
    kind: Kind,
    /// The origin (`http://host:port`) of the request, for a client made by hand whose errors
    /// have no endpoint of their own to name.
    origin: Option<String>,
    source: Option<BoxError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Build,
    Send,
    Body,
    Upgrade,
    Timeout,
}

impl HttpError {
    fn new(kind: Kind, source: Option<BoxError>) -> Self {
        Self {
            kind,
            origin: None,
            source,
        }
    }

    /// The request could not be built (a URL, header or query that is not HTTP).
    pub(crate) fn build(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Build, Some(source.into()))
    }

    /// Sending the request or receiving its response's head failed.
    pub(crate) fn send(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Send, Some(source.into()))
    }

    /// The response's body broke off.
    pub(crate) fn body(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Body, Some(source.into()))
    }

    /// The connection could not be taken over after a `101 Switching Protocols`.
    pub(crate) fn upgrade(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Upgrade, Some(source.into()))
    }

    /// The request's total timeout passed.
    pub(crate) fn timeout() -> Self {
        Self::new(Kind::Timeout, None)
    }

    /// The same error, naming the origin of the request it is about.
    pub(crate) fn with_origin(mut self, origin: Option<String>) -> Self {
        self.origin = origin;
        self
    }

    /// The origin (`http://host:port`) of the request, when known.
    pub(crate) fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Whether a timeout (the request's total timeout) ended the request.
    pub fn is_timeout(&self) -> bool {
        self.kind == Kind::Timeout
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.kind {
            Kind::Build => "invalid request",
            Kind::Send => "error sending request",
            Kind::Body => "error reading a response body",
            Kind::Upgrade => "error taking over the upgraded connection",
            Kind::Timeout => "the request timed out",
        })
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}
