//! Requests sent over hyper directly: the generated code and the handwritten calls build
//! `reqwest::Request`s, and this module sends them, for every client a [`crate::Docker`] hands out.
//!
//! Two roads, both over this module's connector (unix socket, TCP, or TLS with the same rustls
//! configuration):
//!
//! - **Every request** goes through hyper-util's pooled client. reqwest's own client costs
//!   measurably more instructions per request than hyper underneath it (`cargo xtask bench
//!   instructions`, figures in BENCHMARKS.md); its proxy, redirect and timeout machinery is not
//!   needed here (proxies and total timeouts
//!   send requests through reqwest instead, see `steps::send`; redirects are never followed).
//!   A pooled connection the daemon closed while idle is retried by the pool, since the request
//!   was never written.
//! - **Streaming `GET`s** (logs, events, stats, exports) get a fresh HTTP/1 connection (hyper's
//!   `client::conn`) whose driver is polled by the response body itself. Through a pool, hyper
//!   runs every connection in a task of its own and hands each body chunk to the reader's task;
//!   the daemon sends every log line, event and stats sample as its own chunk, so on tokio's
//!   multi-threaded runtime a stream paid a cross-thread wake-up per line (slower than `docker
//!   logs`; BENCHMARKS.md). Here the socket is read in the reader's task. Dropping the body closes the
//!   connection, so a dropped stream is cancelled at the daemon. If that connection fails before
//!   the response arrives, the request (a `GET` without a body: safe to repeat) goes through the
//!   pool, whose answer is the one the caller sees.
//!
//! The request hook returns `reqwest::Result`, so a failure here travels as a `reqwest::Error`
//! whose source is the [`DirectError`] ([`as_reqwest_error`]); `from_reqwest` classifies it from
//! its sources like any other.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::Frame;
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::{Connected, Connection as PoolConnection};
use hyper_util::rt::{TokioExecutor, TokioIo};
use reqwest::header::{HOST, HeaderMap, HeaderValue};
use tokio::io::{AsyncRead, AsyncWrite};

/// The operations whose success body is a stream (progress lines, container output, tar
/// archives), by method name as requests name themselves: the generator's list
/// (`docker_engine_codegen::policy::STREAMING_OPERATIONS`), which a test of docker-engine-client
/// compares with this one, so both sides agree.
pub const STREAMING_OPERATIONS: &[&str] = &[
    // JSON progress and message lines
    "image_create",
    "image_push",
    "image_build",
    "image_load",
    "plugin_pull",
    "plugin_upgrade",
    "plugin_push",
    "system_events",
    "container_stats",
    // container output
    "container_logs",
    "service_logs",
    "task_logs",
    "container_attach",
    "exec_start",
    // tar archives
    "container_export",
    "container_archive",
    "container_get_archive",
    "image_get",
    "image_get_all",
];

/// Sends requests over hyper: a pool for all of them, a connection of its own for each
/// streaming `GET`.
pub(crate) struct DirectConnector {
    dial: Dial,
    pool: hyper_util::client::legacy::Client<Dial, reqwest::Body>,
    /// The HTTP client's default headers (`User-Agent`, `Accept`, the builder's own).
    headers: HeaderMap,
    /// The `Host` header of a stream's own connection (`docker` for a unix socket, else the
    /// daemon's authority); the pool sets it from the URL.
    host: HeaderValue,
}

impl std::fmt::Debug for DirectConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values are left out: a default header may carry a token.
        f.debug_struct("DirectConnector")
            .field("target", &self.dial.0.target)
            .field("connect_timeout", &self.dial.0.timeout)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Where the daemon listens.
pub(crate) enum Target {
    /// A unix socket.
    #[cfg(unix)]
    Unix(PathBuf),
    /// Plain TCP.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// TCP with TLS, with the same rustls configuration as the pooled client.
    #[cfg(feature = "tls")]
    Tls {
        /// Host name or address (also the name the certificate must carry).
        host: String,
        /// Port.
        port: u16,
        /// The connection's TLS configuration.
        config: Arc<rustls::ClientConfig>,
    },
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            #[cfg(unix)]
            Target::Unix(path) => write!(f, "unix://{}", path.display()),
            Target::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            #[cfg(feature = "tls")]
            Target::Tls { host, port, .. } => write!(f, "tls://{host}:{port}"),
        }
    }
}

/// Why a request sent over hyper failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DirectError {
    /// Opening a stream's own connection.
    #[error("connecting: {0}")]
    Connect(#[source] std::io::Error),
    /// The request could not be turned into an HTTP request.
    #[error("{0}")]
    Request(String),
    /// HTTP on a stream's own connection.
    #[error("{0}")]
    Http(#[source] hyper::Error),
    /// The pooled client (connecting included).
    #[error("{0}")]
    Pool(#[source] hyper_util::client::legacy::Error),
}

/// The byte stream under one connection.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

type Connection = hyper::client::conn::http1::Connection<TokioIo<Box<dyn Io>>, Empty<Bytes>>;

impl DirectConnector {
    /// A connector to `target`; `headers` are the HTTP client's default headers, `host` the
    /// `Host` header of a stream's own connection.
    pub(crate) fn new(
        target: Target,
        connect_timeout: Duration,
        headers: HeaderMap,
        host: &str,
    ) -> Option<Self> {
        let dial = Dial(Arc::new(DialTo {
            target,
            timeout: connect_timeout,
        }));
        let pool = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            // As reqwest's: idle connections are closed after 90 s. At most 128 are kept: after a
            // burst of a thousand requests, the rest are closed instead of idling (Go keeps 2).
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(128)
            .build(dial.clone());
        Some(Self {
            dial,
            pool,
            headers,
            host: HeaderValue::from_str(host).ok()?,
        })
    }

    /// Whether `request` is sent here (else through reqwest's client): not when it has a total
    /// timeout, which reqwest enforces on the whole exchange, body included.
    pub(crate) fn takes(request: &reqwest::Request) -> bool {
        request.timeout().is_none()
    }

    /// Whether `request` of `operation` gets a connection of its own: a `GET` without a body
    /// of an operation whose answer is a stream (the generator's list, so both sides agree:
    /// logs of containers, services and tasks, events, stats, exports and archives).
    fn streams(request: &reqwest::Request, operation: &str) -> bool {
        request.method() == reqwest::Method::GET
            && request.body().is_none()
            && STREAMING_OPERATIONS.contains(&operation)
    }

    /// Sends `request` of `operation`; `alone`: a request without a body goes on a connection
    /// of its own, never the pool's (whose connections are driven by tasks of the runtime that
    /// opened them).
    #[allow(clippy::disallowed_methods, reason = "the one road's pooled sender")]
    pub(crate) async fn send(
        &self,
        request: reqwest::Request,
        operation: &str,
        alone: bool,
    ) -> Result<reqwest::Response, DirectError> {
        if alone && request.body().is_none() {
            return self.send_on_own_connection(&request).await;
        }
        if Self::streams(&request, operation) {
            match self.send_on_own_connection(&request).await {
                Ok(response) => return Ok(response),
                Err(e) => {
                    tracing::debug!(target: crate::LOG_TARGET, error = %e, "own connection failed; through the pool")
                }
            }
        }
        let mut request = http::Request::<reqwest::Body>::try_from(request)
            .map_err(|e| DirectError::Request(e.to_string()))?;
        self.add_defaults(request.headers_mut());
        let response = self
            .pool
            .request(request)
            .await
            .map_err(DirectError::Pool)?;
        Ok(reqwest::Response::from(response.map(|body| {
            reqwest::Body::wrap(SyncBody(Mutex::new(body)))
        })))
    }

    /// Sends `request` on a new connection; the response's body drives the connection.
    #[allow(
        clippy::disallowed_methods,
        reason = "the one road's sender for a stream's own connection"
    )]
    async fn send_on_own_connection(
        &self,
        request: &reqwest::Request,
    ) -> Result<reqwest::Response, DirectError> {
        let http_request = self.http_request(request)?;
        let io = self.dial.0.connect().await.map_err(DirectError::Connect)?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(DirectError::Http)?;
        let mut connection = Some(connection);
        let mut response = std::pin::pin!(sender.send_request(http_request));
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
        .map_err(DirectError::Http)?;
        // No second request: the connection closes when this response's body is done.
        drop(sender);
        let (parts, body) = response.into_parts();
        let body = reqwest::Body::wrap(SyncBody(Mutex::new(DrivenBody { connection, body })));
        Ok(reqwest::Response::from(http::Response::from_parts(
            parts, body,
        )))
    }

    /// The request in origin form, with the client's default headers and `Host`.
    fn http_request(
        &self,
        request: &reqwest::Request,
    ) -> Result<http::Request<Empty<Bytes>>, DirectError> {
        let url = request.url();
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        let mut built = http::Request::builder()
            .method(request.method().clone())
            .uri(target)
            .body(Empty::new())
            .map_err(|e| DirectError::Request(e.to_string()))?;
        let headers = built.headers_mut();
        *headers = request.headers().clone();
        self.add_defaults(headers);
        headers.entry(HOST).or_insert_with(|| self.host.clone());
        Ok(built)
    }

    /// The client's default headers, where the request has none of that name (as reqwest adds
    /// them).
    fn add_defaults(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.headers {
            if let reqwest::header::Entry::Vacant(entry) = headers.entry(name) {
                entry.insert(value.clone());
            }
        }
    }
}

/// A failure of this module as the `reqwest::Error` the request hook must return, with the
/// [`DirectError`] as its source (reqwest has no public constructor: the error is the one a
/// body yields when its only item is this failure).
pub(crate) async fn as_reqwest_error(e: DirectError) -> reqwest::Error {
    let failing = futures_util::stream::iter([Err::<Bytes, DirectError>(e)]);
    let response =
        reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(failing)));
    match response.bytes().await {
        Err(e) => e,
        Ok(_) => unreachable!("a body whose only item is an error yields that error"),
    }
}

/// How the pool and the streams open connections: a `tower` service for hyper-util.
#[derive(Clone)]
struct Dial(Arc<DialTo>);

struct DialTo {
    target: Target,
    timeout: Duration,
}

impl DialTo {
    /// A new connection, within the connect timeout.
    async fn connect(&self) -> std::io::Result<Box<dyn Io>> {
        let connecting = async {
            let io: Box<dyn Io> = match &self.target {
                #[cfg(unix)]
                Target::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
                Target::Tcp { host, port } => Box::new(tcp(host, *port).await?),
                #[cfg(feature = "tls")]
                Target::Tls { host, port, config } => {
                    let name = rustls::pki_types::ServerName::try_from(host.clone())
                        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
                    let stream = tcp(host, *port).await?;
                    Box::new(
                        tokio_rustls::TlsConnector::from(config.clone())
                            .connect(name, stream)
                            .await?,
                    )
                }
            };
            Ok::<_, std::io::Error>(io)
        };
        match tokio::time::timeout(self.timeout, connecting).await {
            Ok(connected) => connected,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no connection within {:?}", self.timeout),
            )),
        }
    }
}

impl tower_service::Service<http::Uri> for Dial {
    type Response = PooledIo;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<PooledIo>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Uri) -> Self::Future {
        let dial = self.0.clone();
        Box::pin(async move { Ok(PooledIo(TokioIo::new(dial.connect().await?))) })
    }
}

/// A connection as hyper-util's pool takes it.
struct PooledIo(TokioIo<Box<dyn Io>>);

impl PoolConnection for PooledIo {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for PooledIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for PooledIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
}

async fn tcp(host: &str, port: u16) -> std::io::Result<tokio::net::TcpStream> {
    let stream = tokio::net::TcpStream::connect((host, port)).await?;
    // As reqwest's pool: small requests go out at once.
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A body made `Sync`, which `reqwest::Body::wrap` asks for. Reading goes through `&mut`
/// (`Mutex::get_mut`, no lock); only the `&self` questions (size, end) take the lock, which is
/// never contended.
struct SyncBody<B>(Mutex<B>);

impl<B: http_body::Body + Unpin> http_body::Body for SyncBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let body = self
            .get_mut()
            .0
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        Pin::new(body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .size_hint()
    }
}

/// A response body that drives its own connection.
struct DrivenBody {
    /// `None` once the connection has finished.
    connection: Option<Connection>,
    body: Incoming,
}

impl http_body::Body for DrivenBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let driven = self.get_mut();
        // Read from the socket first (in this task), then take what it delivered to the body.
        if let Some(connection) = driven.connection.as_mut()
            && let Poll::Ready(result) = Pin::new(connection).poll(cx)
        {
            driven.connection = None;
            if let Err(e) = result {
                return Poll::Ready(Some(Err(e)));
            }
        }
        Pin::new(&mut driven.body).poll_frame(cx)
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
    fn streaming_gets_are_the_generators_streaming_operations() {
        let get = |path: &str| {
            reqwest::Request::new(
                reqwest::Method::GET,
                format!("http://docker/v1.51{path}").parse().unwrap(),
            )
        };
        for operation in [
            "container_logs",
            "service_logs",
            "task_logs",
            "system_events",
            "container_stats",
            "container_export",
            "container_archive",
            "container_get_archive",
            "image_get",
            "image_get_all",
        ] {
            assert!(
                DirectConnector::streams(&get("/x"), operation),
                "{operation}"
            );
        }
        for operation in ["container_list", "image_inspect", "system_ping"] {
            assert!(
                !DirectConnector::streams(&get("/x"), operation),
                "{operation}"
            );
        }
        // Not a GET: an attach, a pull.
        let mut post = get("/x");
        *post.method_mut() = reqwest::Method::POST;
        assert!(!DirectConnector::streams(&post, "container_attach"));
        assert!(!DirectConnector::streams(&post, "image_create"));
    }

    #[test]
    fn only_streaming_gets_without_a_body_take_their_own_connection_and_timeouts_take_reqwest() {
        let http = super::super::http_client_builder().build().unwrap();
        let get = |path: &str| {
            http.get(format!("http://docker/v1.41{path}"))
                .build()
                .unwrap()
        };
        assert!(DirectConnector::streams(
            &get("/containers/x/logs"),
            "container_logs"
        ));
        assert!(!DirectConnector::streams(
            &get("/containers/json"),
            "container_list"
        ));
        let post = http
            .post("http://docker/v1.41/images/create")
            .build()
            .unwrap();
        assert!(!DirectConnector::streams(&post, "container_logs"));
        // A total timeout: through reqwest, which enforces it.
        let mut timed = get("/events");
        assert!(DirectConnector::takes(&timed));
        *timed.timeout_mut() = Some(Duration::from_secs(1));
        assert!(!DirectConnector::takes(&timed));
    }

    #[test]
    fn the_request_goes_in_origin_form_with_host_and_defaults_overridable() {
        let mut defaults = HeaderMap::new();
        defaults.insert("user-agent", HeaderValue::from_static("ours"));
        defaults.insert("x-default", HeaderValue::from_static("d"));
        let connector = DirectConnector::new(
            Target::Tcp {
                host: "127.0.0.1".into(),
                port: 2375,
            },
            Duration::from_secs(1),
            defaults,
            "127.0.0.1:2375",
        )
        .unwrap();
        let request = super::super::http_client_builder()
            .build()
            .unwrap()
            .get("http://127.0.0.1:2375/v1.41/containers/a%20b/logs?follow=1&stdout=1")
            .header("user-agent", "theirs")
            .build()
            .unwrap();
        let built = connector.http_request(&request).unwrap();
        assert_eq!(
            built.uri().to_string(),
            "/v1.41/containers/a%20b/logs?follow=1&stdout=1"
        );
        let headers = built.headers();
        assert_eq!(headers[HOST], "127.0.0.1:2375");
        assert_eq!(headers["user-agent"], "theirs");
        assert_eq!(headers["x-default"], "d");
    }
}
