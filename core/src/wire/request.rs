//! [`Request`] and its builder: what the generated code and the handwritten calls build, and the
//! request steps adjust, before the [`HttpClient`] sends it.

use std::time::Duration;

use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Uri};
use serde::Serialize;

use super::{Body, HttpClient, HttpError, Response};

/// An HTTP request: method, absolute URL, headers, body, and an optional total timeout.
#[derive(Debug)]
pub struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Option<Body>,
    timeout: Option<Duration>,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: Method, uri: Uri) -> Self {
        Self {
            method,
            uri,
            headers: HeaderMap::new(),
            body: None,
            timeout: None,
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The absolute URL.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change them.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body, if the request has one.
    pub fn body(&self) -> Option<&Body> {
        self.body.as_ref()
    }

    /// The body, to set or take it.
    pub fn body_mut(&mut self) -> &mut Option<Body> {
        &mut self.body
    }

    /// The total timeout: from sending the request to the end of its response's body.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The total timeout, to set it.
    pub fn timeout_mut(&mut self) -> &mut Option<Duration> {
        &mut self.timeout
    }

    /// Its parts, for the sender.
    pub(crate) fn into_parts(self) -> (Method, Uri, HeaderMap, Option<Body>, Option<Duration>) {
        (self.method, self.uri, self.headers, self.body, self.timeout)
    }
}

/// Builds a [`Request`] for an [`HttpClient`]. The first mistake (a header that is not HTTP, a
/// query value that is not a scalar) is kept and reported by [`build`](Self::build).
#[derive(Debug)]
pub struct RequestBuilder {
    client: HttpClient,
    request: Result<Parts, HttpError>,
}

/// A request being built; the URL is parsed once, with its query, in `build`.
#[derive(Debug)]
struct Parts {
    method: Method,
    url: String,
    headers: HeaderMap,
    body: Option<Body>,
    timeout: Option<Duration>,
}

impl RequestBuilder {
    pub(crate) fn new(client: HttpClient, method: Method, url: String) -> Self {
        Self {
            client,
            request: Ok(Parts {
                method,
                url,
                headers: HeaderMap::new(),
                body: None,
                timeout: None,
            }),
        }
    }

    /// Changes the request being built, unless an earlier step failed.
    fn with(mut self, change: impl FnOnce(&mut Parts) -> Result<(), HttpError>) -> Self {
        if let Ok(parts) = &mut self.request
            && let Err(e) = change(parts)
        {
            self.request = Err(e);
        }
        self
    }

    /// Adds a header (after any of the same name).
    pub fn header<K, V>(self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.with(|parts| {
            let name = HeaderName::try_from(name).map_err(|e| HttpError::build(e.into()))?;
            let value = HeaderValue::try_from(value).map_err(|e| HttpError::build(e.into()))?;
            parts.headers.append(name, value);
            Ok(())
        })
    }

    /// Sets the headers in `headers`, each replacing any of the same name.
    pub fn headers(self, headers: HeaderMap) -> Self {
        self.with(|parts| {
            // `HeaderMap`'s `extend` replaces the values of each name it brings.
            parts.headers.extend(headers);
            Ok(())
        })
    }

    /// Appends query parameters: `value` serializes as a map of names to scalars (a sequence
    /// repeats the name; `None` leaves the name out), or as a sequence of name-value pairs.
    pub fn query<T: Serialize + ?Sized>(self, value: &T) -> Self {
        self.with(|parts| super::query::append(&mut parts.url, value))
    }

    /// Sets a JSON body (and `Content-Type: application/json` unless one is set).
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Self {
        self.with(|parts| {
            let bytes = serde_json::to_vec(value).map_err(HttpError::build)?;
            parts
                .headers
                .entry(CONTENT_TYPE)
                .or_insert(HeaderValue::from_static("application/json"));
            parts.body = Some(bytes.into());
            Ok(())
        })
    }

    /// Sets the body.
    pub fn body(self, body: impl Into<Body>) -> Self {
        self.with(|parts| {
            parts.body = Some(body.into());
            Ok(())
        })
    }

    /// Sets a total timeout: from sending the request to the end of its response's body.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|parts| {
            parts.timeout = Some(timeout);
            Ok(())
        })
    }

    /// The request, or the first mistake made building it.
    pub fn build(self) -> Result<Request, HttpError> {
        let parts = self.request?;
        let uri = Uri::try_from(parts.url).map_err(HttpError::build)?;
        if uri.scheme().is_none() || uri.authority().is_none() {
            return Err(HttpError::build(format!(
                "{}: not an absolute URL",
                uri.path()
            )));
        }
        Ok(Request {
            method: parts.method,
            uri,
            headers: parts.headers,
            body: parts.body,
            timeout: parts.timeout,
        })
    }

    /// Builds the request and sends it with its client, past the request steps: for tests and
    /// for callers of a hand-made client.
    #[allow(
        clippy::disallowed_methods,
        reason = "this is the method the rule names"
    )]
    pub async fn send(self) -> Result<Response, HttpError> {
        let client = self.client.clone();
        client.execute(self.build()?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_replace_the_names_they_bring_and_keep_the_rest() {
        let client = crate::wire::HttpClientBuilder::new().build();
        let mut more = HeaderMap::new();
        more.insert("x-a", HeaderValue::from_static("new"));
        more.append("x-b", HeaderValue::from_static("b1"));
        more.append("x-b", HeaderValue::from_static("b2"));
        let request = client
            .get("http://docker/x")
            .header("x-a", "old")
            .header("x-a", "older")
            .header("x-c", "kept")
            .headers(more)
            .build()
            .unwrap();
        let all = |name: &str| -> Vec<_> { request.headers().get_all(name).iter().collect() };
        assert_eq!(all("x-a"), ["new"]);
        assert_eq!(all("x-b"), ["b1", "b2"]);
        assert_eq!(all("x-c"), ["kept"]);
    }
}
