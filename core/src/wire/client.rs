//! [`HttpClient`]: sends [`Request`]s over hyper, on two roads, and enforces total timeouts.
//!
//! - **Every request** can go through hyper-util's pool of connections (unix socket, TCP, TLS,
//!   or a proxy). A pooled connection the daemon closed while idle is retried by the pool, since
//!   the request was never written. Redirects are never followed (they would re-send credentials
//!   to another host); the caller sees the `3xx`.
//! - **A connection of its own** (hyper's `client::conn`), whose driver the response body polls:
//!   for streaming `GET`s (logs, events, stats, exports). Through a pool, hyper runs every
//!   connection in a task of its own and hands each body chunk to the reader's task; the daemon
//!   sends every log line, event and stats sample as its own chunk, so on tokio's multi-threaded
//!   runtime a stream paid a cross-thread wake-up per line (BENCHMARKS.md). Here the socket is
//!   read in the reader's task, and dropping the body closes the connection, so a dropped stream
//!   is cancelled at the daemon.
//!
//! A total timeout (the request's, else the client's) covers the whole exchange, body included.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{Entry, HOST, HeaderMap, HeaderValue, PROXY_AUTHORIZATION};
use http::{Method, Uri};
use http_body::Frame;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::time::{Instant, Sleep};

use super::dial::{Dial, Io, Proxy, Target};
use super::response::BoxBody;
use super::{Body, HttpError, Request, RequestBuilder, Response};

/// How long opening a connection may take, unless a builder says otherwise. There is no total
/// timeout by default.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How a request reaches the daemon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Road {
    /// Through the pool.
    Pooled,
    /// On a connection of its own (a request without a body); through the pool when the client
    /// cannot open one (through a proxy).
    Own,
    /// On a connection of its own, or through the pool if that connection fails before the
    /// response arrives (a streaming `GET`: safe to repeat).
    OwnOrPooled,
}

/// Why a request could not be sent: the source of an [`HttpError`], in words of its own.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    /// Opening a stream's own connection.
    #[error("connecting: {0}")]
    Connect(#[source] std::io::Error),
    /// HTTP on a stream's own connection.
    #[error("{0}")]
    Http(#[source] hyper::Error),
    /// The pooled client (connecting included).
    #[error("{0}")]
    Pool(#[source] hyper_util::client::legacy::Error),
}

/// Sends requests over hyper; cheap to clone (the clones share the pool). Made by
/// [`http_client_builder`](crate::http_client_builder) (for a client built by hand) or by
/// [`DockerBuilder`](crate::DockerBuilder).
#[derive(Clone)]
pub struct HttpClient(Arc<Shared>);

struct Shared {
    dial: Dial,
    pool: hyper_util::client::legacy::Client<Dial, Body>,
    /// Headers every request carries unless it sets its own.
    headers: HeaderMap,
    /// A total timeout for requests that have none of their own.
    timeout: Option<Duration>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values are left out: a default header may carry a token.
        f.debug_struct("HttpClient")
            .field("dial", &self.0.dial)
            .field("headers", &self.0.headers.keys().collect::<Vec<_>>())
            .field("timeout", &self.0.timeout)
            .finish()
    }
}

impl HttpClient {
    /// A request of `method` to `url` (absolute: `http://docker/v1.51/_ping`).
    pub fn request(&self, method: Method, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, url.into())
    }

    /// A `GET` request.
    pub fn get(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A `POST` request.
    pub fn post(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A `PUT` request.
    pub fn put(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A `DELETE` request.
    pub fn delete(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// A `HEAD` request.
    pub fn head(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// Sends `request` through the pool. Generated and handwritten calls send through the
    /// request steps instead (`transport::exec`), which choose the road.
    pub async fn execute(&self, request: Request) -> Result<Response, HttpError> {
        self.send(request, Road::Pooled).await
    }

    /// Sends `request` on `road`, within its total timeout.
    pub(crate) async fn send(&self, request: Request, road: Road) -> Result<Response, HttpError> {
        // For an error's message only (cheap to clone: shared bytes).
        let uri = request.uri().clone();
        let timeout = request.timeout().or(self.0.timeout);
        let sending = self.dispatch(request, road);
        let result = match timeout {
            None => sending.await,
            Some(timeout) => {
                let deadline = Instant::now() + timeout;
                match tokio::time::timeout_at(deadline, sending).await {
                    Ok(response) => response.map(|r| {
                        r.map(|body| {
                            BoxBody::new(Deadline {
                                body,
                                sleep: Box::pin(tokio::time::sleep_until(deadline)),
                            })
                        })
                    }),
                    Err(_) => Err(HttpError::timeout()),
                }
            }
        };
        match result {
            Ok(response) => {
                let (head, body) = response.into_parts();
                Ok(Response::new(head, body))
            }
            Err(e) => Err(e.with_origin(super::origin(&uri))),
        }
    }

    /// Sends `request` on its own connection or through the pool, as `road` and the client
    /// allow.
    async fn dispatch(
        &self,
        request: Request,
        road: Road,
    ) -> Result<http::Response<BoxBody>, HttpError> {
        let own = road != Road::Pooled && self.0.dial.http_proxy().is_none();
        if own && request.body().is_none() {
            let (method, uri, headers, _, _) = request.into_parts();
            let sent = self.send_on_own_connection(&method, &uri, &headers).await;
            match sent {
                Ok(response) => return Ok(response),
                Err(e) if road == Road::Own => return Err(HttpError::send(e)),
                Err(e) => {
                    tracing::debug!(target: crate::LOG_TARGET, error = %e, "own connection failed; through the pool");
                    let mut again = Request::new(method, uri);
                    *again.headers_mut() = headers;
                    return self.through_pool(again).await;
                }
            }
        }
        self.through_pool(request).await
    }

    /// Sends `request` through the pool, with the client's default headers (and the proxy's
    /// credentials, through an HTTP proxy).
    #[allow(clippy::disallowed_methods, reason = "the one road's pooled sender")]
    async fn through_pool(&self, request: Request) -> Result<http::Response<BoxBody>, HttpError> {
        let (method, uri, mut headers, body, _) = request.into_parts();
        self.add_defaults(&mut headers);
        if let Some(Proxy {
            authorization: Some(auth),
            ..
        }) = self.0.dial.http_proxy()
        {
            headers.entry(PROXY_AUTHORIZATION).or_insert(auth.clone());
        }
        let mut built = http::Request::new(body.unwrap_or_else(|| Bytes::new().into()));
        *built.method_mut() = method;
        *built.uri_mut() = uri;
        *built.headers_mut() = headers;
        let response = self
            .0
            .pool
            .request(built)
            .await
            .map_err(|e| HttpError::send(SendError::Pool(e)))?;
        Ok(response.map(|body| body.map_err(HttpError::body).boxed_unsync()))
    }

    /// Sends a request without a body on a new connection; the response's body drives the
    /// connection.
    #[allow(
        clippy::disallowed_methods,
        reason = "the one road's sender for a stream's own connection"
    )]
    async fn send_on_own_connection(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<http::Response<BoxBody>, SendError> {
        let request = self.origin_form(method, uri, headers)?;
        let io = self.0.dial.connect(uri).await.map_err(SendError::Connect)?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(SendError::Http)?;
        let mut connection = Some(connection);
        let mut response = std::pin::pin!(sender.send_request(request));
        // Until the response's head arrives, this task drives the connection.
        let response = std::future::poll_fn(|cx| {
            if let Some(c) = connection.as_mut()
                && Pin::new(c).poll(cx).is_ready()
            {
                // Finished (or failed): the response future reports which.
                connection = None;
            }
            response.as_mut().poll(cx)
        })
        .await
        .map_err(SendError::Http)?;
        // No second request: the connection closes when this response's body is done.
        drop(sender);
        Ok(response.map(|body| BoxBody::new(DrivenBody { connection, body })))
    }

    /// The request in origin form, with the client's default headers and `Host`.
    fn origin_form(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<http::Request<Empty<Bytes>>, SendError> {
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let mut built = http::Request::new(Empty::new());
        *built.method_mut() = method.clone();
        *built.uri_mut() = Uri::try_from(target).map_err(|e| {
            SendError::Connect(std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
        })?;
        let all = built.headers_mut();
        *all = headers.clone();
        self.add_defaults(all);
        if let Some(authority) = uri.authority()
            && let Ok(host) = HeaderValue::from_str(authority.as_str())
        {
            all.entry(HOST).or_insert(host);
        }
        Ok(built)
    }

    /// The client's default headers, where the request has none of that name.
    fn add_defaults(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.0.headers {
            if let Entry::Vacant(entry) = headers.entry(name) {
                entry.insert(value.clone());
            }
        }
    }
}

/// Builds an [`HttpClient`]: where connections go, the connect timeout, default headers, a
/// total timeout.
#[derive(Debug)]
pub struct HttpClientBuilder {
    target: Target,
    proxy: Option<Proxy>,
    connect_timeout: Duration,
    headers: HeaderMap,
    timeout: Option<Duration>,
}

impl HttpClientBuilder {
    /// A builder whose connections go where each request's URL says (plain HTTP over TCP), with
    /// no default headers, the default connect timeout and no total timeout.
    pub(crate) fn new() -> Self {
        Self {
            target: Target::Url,
            proxy: None,
            connect_timeout: CONNECT_TIMEOUT,
            headers: HeaderMap::new(),
            timeout: None,
        }
    }

    /// Every connection to the unix socket at `path`, whatever the URL's host.
    #[cfg(unix)]
    pub fn unix_socket(mut self, path: impl AsRef<Path>) -> Self {
        self.target = Target::Unix(path.as_ref().to_path_buf());
        self
    }

    /// How long opening a connection may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Headers every request carries unless it sets its own (added to those already set).
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        self.headers.extend(headers);
        self
    }

    /// A total timeout for each request that has none of its own: from sending it to the end
    /// of its response's body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Where connections go.
    pub(crate) fn target(mut self, target: Target, proxy: Option<Proxy>) -> Self {
        self.target = target;
        self.proxy = proxy;
        self
    }

    /// The client.
    pub fn build(self) -> HttpClient {
        let dial = Dial::new(self.target, self.proxy, self.connect_timeout);
        let pool = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            // Idle connections are closed after 90 s. At most 128 are kept: after a burst of a
            // thousand requests, the rest are closed instead of idling (Go keeps 2).
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(128)
            .build(dial.clone());
        HttpClient(Arc::new(Shared {
            dial,
            pool,
            headers: self.headers,
            timeout: self.timeout,
        }))
    }
}

/// A response body under a total timeout.
struct Deadline {
    body: BoxBody,
    sleep: Pin<Box<Sleep>>,
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        if self.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(HttpError::timeout())));
        }
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

type Connection = hyper::client::conn::http1::Connection<TokioIo<Box<dyn Io>>, Empty<Bytes>>;

/// A response body that drives its own connection.
struct DrivenBody {
    /// `None` once the connection has finished.
    connection: Option<Connection>,
    body: Incoming,
}

impl http_body::Body for DrivenBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let driven = self.get_mut();
        // Read from the socket first (in this task), then take what it delivered to the body.
        if let Some(connection) = driven.connection.as_mut()
            && let Poll::Ready(result) = Pin::new(connection).poll(cx)
        {
            driven.connection = None;
            if let Err(e) = result {
                return Poll::Ready(Some(Err(HttpError::body(e))));
            }
        }
        Pin::new(&mut driven.body)
            .poll_frame(cx)
            .map_err(HttpError::body)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_goes_in_origin_form_with_host_and_defaults_overridable() {
        let mut defaults = HeaderMap::new();
        defaults.insert("user-agent", HeaderValue::from_static("ours"));
        defaults.insert("x-default", HeaderValue::from_static("d"));
        let client = HttpClientBuilder::new()
            .target(
                Target::Tcp {
                    host: "127.0.0.1".into(),
                    port: 2375,
                },
                None,
            )
            .default_headers(defaults)
            .build();
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", HeaderValue::from_static("theirs"));
        let uri: Uri = "http://127.0.0.1:2375/v1.41/containers/a%20b/logs?follow=1&stdout=1"
            .parse()
            .unwrap();
        let built = client.origin_form(&Method::GET, &uri, &headers).unwrap();
        assert_eq!(
            built.uri().to_string(),
            "/v1.41/containers/a%20b/logs?follow=1&stdout=1"
        );
        let headers = built.headers();
        assert_eq!(headers[HOST], "127.0.0.1:2375");
        assert_eq!(headers["user-agent"], "theirs");
        assert_eq!(headers["x-default"], "d");
    }

    /// A URL a hand-made client cannot reach is named by its origin, on both roads: never its
    /// query, which can carry secrets.
    #[tokio::test]
    #[allow(
        clippy::disallowed_methods,
        reason = "the HTTP layer alone, under test"
    )]
    async fn a_refused_url_is_named_without_its_query() {
        let client = HttpClientBuilder::new().build();
        let url = "https://127.0.0.1:1/build?buildargs=%7B%22TOKEN%22%3A%22s3cret%22%7D";
        for road in [Road::Pooled, Road::Own] {
            let request = client.get(url).build().unwrap();
            let error = client.send(request, road).await.unwrap_err();
            let mut chain = vec![error.to_string()];
            let mut source = std::error::Error::source(&error);
            while let Some(e) = source {
                chain.push(e.to_string());
                source = e.source();
            }
            let shown = format!("{chain:?} {error:?}");
            assert!(shown.contains("https://127.0.0.1:1"), "{road:?}: {shown}");
            assert!(
                !shown.contains("s3cret") && !shown.contains("buildargs"),
                "{road:?}: {shown}"
            );
        }
    }

    /// A total timeout ends a response whose body stalls, as an error the caller can tell.
    #[tokio::test]
    #[allow(
        clippy::disallowed_methods,
        reason = "the HTTP layer alone, under test"
    )]
    async fn a_total_timeout_covers_the_body() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = [0u8; 1024];
            let _ = socket.read(&mut head).await.unwrap();
            // The head and part of a body that never ends.
            socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let client = HttpClientBuilder::new()
            .timeout(Duration::from_millis(300))
            .build();
        let response = client
            .get(format!("http://127.0.0.1:{port}/x"))
            .send()
            .await
            .unwrap();
        let error = response.bytes().await.unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
        server.abort();
    }
}
