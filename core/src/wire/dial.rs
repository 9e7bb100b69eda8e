//! Opening connections: to a unix socket, over TCP, with TLS, or through an HTTP proxy (in
//! absolute form for plain HTTP, through a `CONNECT` tunnel for TLS), within the connect timeout.
//! The pool dials through [`Dial`] (a `tower` service, as hyper-util's pool takes it), a stream's
//! connection of its own through [`Dial::connect`].

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use http::header::HeaderValue;
use hyper_util::client::legacy::connect::{Connected, Connection as PoolConnection};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

/// The byte stream under one connection.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

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
    /// TCP with TLS.
    #[cfg(feature = "tls")]
    Tls {
        /// Host name or address (also the name the certificate must carry).
        host: String,
        /// Port.
        port: u16,
        /// The connection's TLS configuration.
        config: Arc<rustls::ClientConfig>,
    },
    /// Wherever each request's URL says (plain HTTP over TCP): a client made by hand.
    Url,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            #[cfg(unix)]
            Target::Unix(path) => write!(f, "unix://{}", path.display()),
            Target::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            #[cfg(feature = "tls")]
            Target::Tls { host, port, .. } => write!(f, "tls://{host}:{port}"),
            Target::Url => f.write_str("each request's URL"),
        }
    }
}

/// An HTTP proxy in front of a TCP daemon.
#[derive(Clone)]
pub(crate) struct Proxy {
    /// The proxy's host.
    pub(crate) host: String,
    /// The proxy's port.
    pub(crate) port: u16,
    /// `Proxy-Authorization`, from the proxy URL's user and password (marked sensitive).
    pub(crate) authorization: Option<HeaderValue>,
    /// TLS to the proxy itself, for an `https://` proxy.
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
}

impl Proxy {
    fn scheme(&self) -> &'static str {
        #[cfg(feature = "tls")]
        if self.tls.is_some() {
            return "https";
        }
        "http"
    }

    /// A connection to the proxy (with TLS, for an `https://` proxy).
    async fn connect(&self) -> std::io::Result<Box<dyn Io>> {
        let stream = tcp(&self.host, self.port).await?;
        #[cfg(feature = "tls")]
        if let Some(config) = &self.tls {
            let name = rustls::pki_types::ServerName::try_from(self.host.clone())
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            let tls = tokio_rustls::TlsConnector::from(config.clone())
                .connect(name, stream)
                .await?;
            return Ok(Box::new(tls));
        }
        Ok(Box::new(stream))
    }
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The credentials are left out.
        write!(f, "{}://{}:{}", self.scheme(), self.host, self.port)
    }
}

/// How connections are opened; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Dial(Arc<DialTo>);

#[derive(Debug)]
struct DialTo {
    target: Target,
    proxy: Option<Proxy>,
    timeout: Duration,
}

impl Dial {
    pub(crate) fn new(target: Target, proxy: Option<Proxy>, timeout: Duration) -> Self {
        Self(Arc::new(DialTo {
            target,
            proxy,
            timeout,
        }))
    }

    /// The proxy plain HTTP requests go through (in absolute form, never on a connection of
    /// their own); `None` when connections reach the daemon (or a tunnel through the proxy).
    pub(crate) fn http_proxy(&self) -> Option<&Proxy> {
        match self.0.target {
            Target::Tcp { .. } => self.0.proxy.as_ref(),
            _ => None,
        }
    }

    /// A new connection for a request to `uri`, within the connect timeout.
    pub(crate) async fn connect(&self, uri: &Uri) -> std::io::Result<Box<dyn Io>> {
        let dial = &self.0;
        match tokio::time::timeout(dial.timeout, dial.open(uri)).await {
            Ok(connected) => connected,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no connection within {:?}", dial.timeout),
            )),
        }
    }
}

impl DialTo {
    async fn open(&self, uri: &Uri) -> std::io::Result<Box<dyn Io>> {
        Ok(match &self.target {
            #[cfg(unix)]
            Target::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
            Target::Tcp { host, port } => match &self.proxy {
                Some(proxy) => proxy.connect().await?,
                None => Box::new(tcp(host, *port).await?),
            },
            #[cfg(feature = "tls")]
            Target::Tls { host, port, config } => {
                let name = rustls::pki_types::ServerName::try_from(host.clone())
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
                let stream: Box<dyn Io> = match &self.proxy {
                    Some(proxy) => tunnel(proxy, host, *port).await?,
                    None => Box::new(tcp(host, *port).await?),
                };
                Box::new(
                    tokio_rustls::TlsConnector::from(config.clone())
                        .connect(name, stream)
                        .await?,
                )
            }
            Target::Url => {
                let invalid = |what: &str| {
                    let origin = super::origin(uri).unwrap_or_default();
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("{origin}: {what}"),
                    )
                };
                if uri.scheme_str() != Some("http") {
                    return Err(invalid(
                        "only http:// URLs without a daemon's TLS settings (use Docker for TLS)",
                    ));
                }
                let host = uri.host().ok_or_else(|| invalid("no host"))?;
                let host = super::unbracketed(host);
                Box::new(tcp(host, uri.port_u16().unwrap_or(80)).await?)
            }
        })
    }
}

async fn tcp(host: &str, port: u16) -> std::io::Result<tokio::net::TcpStream> {
    let stream = tokio::net::TcpStream::connect((host, port)).await?;
    // Small requests go out at once.
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A `CONNECT` tunnel through `proxy` to `host:port`, as Go's transport opens one for TLS.
#[cfg(feature = "tls")]
#[allow(
    clippy::disallowed_methods,
    reason = "the proxy's CONNECT, on a connection that is not yet the daemon's"
)]
async fn tunnel(proxy: &Proxy, host: &str, port: u16) -> std::io::Result<Box<dyn Io>> {
    use bytes::Bytes;
    use http::header::{HOST, PROXY_AUTHORIZATION};
    use http::{Method, StatusCode};
    use http_body_util::Empty;
    let failed = |reason: String| std::io::Error::other(format!("proxy {proxy:?}: {reason}"));
    let io = proxy.connect().await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| failed(e.to_string()))?;
    let connection = tokio::spawn(connection.with_upgrades());
    let authority = crate::wire::authority(host, port);
    let mut request = http::Request::builder()
        .method(Method::CONNECT)
        .uri(authority.as_str())
        .header(HOST, authority.as_str())
        .body(Empty::<Bytes>::new())
        .map_err(|e| failed(e.to_string()))?;
    if let Some(auth) = &proxy.authorization {
        request
            .headers_mut()
            .insert(PROXY_AUTHORIZATION, auth.clone());
    }
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| failed(e.to_string()))?;
    if response.status() != StatusCode::OK {
        connection.abort();
        return Err(failed(format!("CONNECT answered {}", response.status())));
    }
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(Box::new(TokioIo::new(upgraded)))
}

impl tower_service::Service<Uri> for Dial {
    type Response = PooledIo;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<PooledIo>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let dial = self.clone();
        Box::pin(async move {
            let io = dial.connect(&uri).await?;
            Ok(PooledIo {
                io: TokioIo::new(io),
                proxied: dial.http_proxy().is_some(),
            })
        })
    }
}

/// A connection as hyper-util's pool takes it.
pub(crate) struct PooledIo {
    io: TokioIo<Box<dyn Io>>,
    /// To a proxy: requests keep their absolute form.
    proxied: bool,
}

impl PoolConnection for PooledIo {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.proxied)
    }
}

impl hyper::rt::Read for PooledIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for PooledIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
