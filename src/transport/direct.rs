//! Streaming responses on a connection of their own, driven by the task that reads them.
//!
//! Through reqwest's pool, hyper runs every connection in a task of its own and hands each body
//! chunk over to the reader's task. The daemon sends every line of logs, every event and every
//! stats sample as its own HTTP chunk, so on tokio's multi-threaded runtime a stream paid a
//! cross-thread wake-up per line (0.65× `docker logs` measured). Here a streaming `GET` gets a
//! fresh HTTP/1 connection (hyper's `client::conn`) whose driver is polled by the response body
//! itself: the socket is read in the reader's task and the bytes never cross tasks. Dropping the
//! body closes the connection, so a dropped stream is cancelled at the daemon as before.
//!
//! Only requests that are safe to send twice take this road: `GET`s without a body, of the
//! streaming operations in [`STREAMING`], without a total timeout. If the connection fails before
//! the response arrives (refused, reset, a broken TLS handshake), the request is sent again
//! through the pool, whose answer (or error, classified as usual) is the one the caller sees.
//! Connections through a proxy never come here: [`crate::Docker`] has no connector then.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::Frame;
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use reqwest::header::{HOST, HeaderMap, HeaderValue};
use tokio::io::{AsyncRead, AsyncWrite};

/// The operations whose responses are long streams of small chunks (generated and handwritten
/// operation ids).
const STREAMING: [&str; 7] = [
    "container_logs",
    "system_events",
    "container_stats",
    "container_export",
    "container_archive",
    "image_get",
    "image_get_all",
];

/// How to open a connection of its own to the daemon, and the headers every request carries.
#[derive(Debug)]
pub(crate) struct DirectConnector {
    target: Target,
    connect_timeout: Duration,
    /// The HTTP client's default headers (`User-Agent`, `Accept`, the builder's own).
    headers: HeaderMap,
    /// The `Host` header (`docker` for a unix socket, else the daemon's authority).
    host: HeaderValue,
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
        config: std::sync::Arc<rustls::ClientConfig>,
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

/// Why a request could not be answered on its own connection (it then goes through the pool).
#[derive(Debug, thiserror::Error)]
pub(crate) enum DirectError {
    #[error("connecting: {0}")]
    Connect(#[source] std::io::Error),
    #[error("connecting: timed out after {0:?}")]
    ConnectTimeout(Duration),
    #[error("the request: {0}")]
    Request(String),
    #[error("HTTP: {0}")]
    Http(#[source] hyper::Error),
}

/// The byte stream under one connection.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

type Connection = hyper::client::conn::http1::Connection<TokioIo<Box<dyn Io>>, Empty<Bytes>>;

impl DirectConnector {
    /// A connector to `target`; `headers` are the HTTP client's default headers.
    pub(crate) fn new(
        target: Target,
        connect_timeout: Duration,
        headers: HeaderMap,
        host: &str,
    ) -> Option<Self> {
        Some(Self {
            target,
            connect_timeout,
            headers,
            host: HeaderValue::from_str(host).ok()?,
        })
    }

    /// Whether `request` of `operation` takes a connection of its own.
    pub(crate) fn takes(request: &reqwest::Request, operation: &str) -> bool {
        request.method() == reqwest::Method::GET
            && request.body().is_none()
            && request.timeout().is_none()
            && STREAMING.contains(&operation)
    }

    /// Sends `request` on a new connection; the response's body drives the connection.
    pub(crate) async fn send(
        &self,
        request: &reqwest::Request,
    ) -> Result<reqwest::Response, DirectError> {
        let http_request = self.http_request(request)?;
        let io = self.connect().await?;
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
        let body = reqwest::Body::wrap(DrivenBody(Mutex::new(Driven { connection, body })));
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
        headers.insert(HOST, self.host.clone());
        for (name, value) in &self.headers {
            headers.insert(name, value.clone());
        }
        // The request's own headers win over the defaults.
        for name in request.headers().keys() {
            headers.remove(name);
        }
        for (name, value) in request.headers() {
            headers.append(name, value.clone());
        }
        Ok(built)
    }

    async fn connect(&self) -> Result<Box<dyn Io>, DirectError> {
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
        match tokio::time::timeout(self.connect_timeout, connecting).await {
            Ok(connected) => connected.map_err(DirectError::Connect),
            Err(_) => Err(DirectError::ConnectTimeout(self.connect_timeout)),
        }
    }
}

async fn tcp(host: &str, port: u16) -> std::io::Result<tokio::net::TcpStream> {
    let stream = tokio::net::TcpStream::connect((host, port)).await?;
    // As reqwest's pool: small requests go out at once.
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A response body that drives its own connection.
///
/// The `Mutex` is never locked: it only makes the body `Sync`, which `reqwest::Body::wrap` asks
/// for, while every use goes through `&mut` (`Mutex::get_mut`).
struct DrivenBody(Mutex<Driven>);

struct Driven {
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
        let driven = self
            .get_mut()
            .0
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_streaming_gets_without_a_body_or_timeout_take_their_own_connection() {
        let http = super::super::http_client_builder().build().unwrap();
        let get = |path: &str| {
            http.get(format!("http://docker/v1.41{path}"))
                .build()
                .unwrap()
        };
        assert!(DirectConnector::takes(
            &get("/containers/x/logs"),
            "container_logs"
        ));
        assert!(!DirectConnector::takes(
            &get("/containers/json"),
            "container_list"
        ));
        let post = http
            .post("http://docker/v1.41/images/create")
            .build()
            .unwrap();
        assert!(!DirectConnector::takes(&post, "container_logs"));
        let mut timed = get("/events");
        *timed.timeout_mut() = Some(Duration::from_secs(1));
        assert!(!DirectConnector::takes(&timed, "system_events"));
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
