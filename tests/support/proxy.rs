//! A recording TCP proxy on 127.0.0.1 in front of the real daemon's unix socket: it forwards
//! everything and keeps every byte the client sent, to check what really went over the wire
//! (request lines, headers, connections closed), and can cut the connections mid-stream. And an
//! HTTP proxy that tunnels `CONNECT`s to a daemon, for TLS through a proxy.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A TCP proxy on 127.0.0.1 in front of the daemon's unix socket that records every byte the
/// client sends, to check what really went over the wire. It forwards to a real daemon.
pub struct RecordingProxy {
    /// `tcp://127.0.0.1:PORT`.
    pub host: String,
    sent: Arc<Mutex<Vec<u8>>>,
    closed: Arc<Mutex<usize>>,
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl RecordingProxy {
    /// Starts the proxy (on the current tokio runtime).
    pub async fn start(socket: PathBuf) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = format!("tcp://{}", listener.local_addr().unwrap());
        let sent = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(0));
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let (sent2, closed2, tasks2) = (sent.clone(), closed.clone(), tasks.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let daemon = tokio::net::UnixStream::connect(&socket).await.unwrap();
                let (sent, closed) = (sent2.clone(), closed2.clone());
                let task = tokio::spawn(async move {
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut daemon_read, mut daemon_write) = daemon.into_split();
                    let upstream = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            match client_read.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
                                    sent.lock().unwrap().extend_from_slice(&buf[..n]);
                                    if daemon_write.write_all(&buf[..n]).await.is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                        *closed.lock().unwrap() += 1;
                        let _ = daemon_write.shutdown().await;
                    };
                    let downstream = async {
                        let _ = tokio::io::copy(&mut daemon_read, &mut client_write).await;
                        let _ = client_write.shutdown().await;
                    };
                    tokio::join!(upstream, downstream);
                });
                tasks2.lock().unwrap().push(task.abort_handle());
            }
        });
        Self {
            host,
            sent,
            closed,
            tasks,
        }
    }

    /// Cuts every connection made so far, abruptly (the daemon "goes away" mid-stream).
    pub fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Everything clients sent so far, lossily as text.
    pub fn sent(&self) -> String {
        String::from_utf8_lossy(&self.sent.lock().unwrap()).into_owned()
    }

    /// The request lines sent so far (`GET /v1.41/containers/json HTTP/1.1`).
    pub fn request_lines(&self) -> Vec<String> {
        self.sent()
            .lines()
            .filter(|l| {
                ["GET ", "POST ", "PUT ", "DELETE ", "HEAD "]
                    .iter()
                    .any(|m| l.starts_with(m))
            })
            .map(str::to_string)
            .collect()
    }

    /// How many client connections have closed their sending side.
    pub fn closed_connections(&self) -> usize {
        *self.closed.lock().unwrap()
    }
}

/// An HTTP proxy on 127.0.0.1 that answers `CONNECT` (whatever host it names) with a tunnel to
/// a daemon's unix socket, as a corporate proxy does to the daemon it resolves; it records each
/// tunnel's request head. TLS runs end to end inside the tunnel.
pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT` (`https://localhost:PORT` for a TLS proxy).
    pub url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    /// Starts the proxy (on the current tokio runtime).
    pub async fn start(socket: PathBuf) -> Self {
        Self::serve(socket, None).await
    }

    /// Starts an `https://` proxy: clients speak TLS to it with the certificate and key of these
    /// PEM files (for `localhost`), then `CONNECT` inside that.
    pub async fn start_tls(socket: PathBuf, cert: &std::path::Path, key: &std::path::Path) -> Self {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<_> = CertificateDer::pem_file_iter(cert)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        #[allow(
            deprecated,
            reason = "the crate's own provider, ring, in the test's server too"
        )]
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        Self::serve(socket, Some(acceptor)).await
    }

    async fn serve(socket: PathBuf, tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = match tls {
            Some(_) => format!("https://localhost:{port}"),
            None => format!("http://127.0.0.1:{port}"),
        };
        let heads = Arc::new(Mutex::new(Vec::new()));
        let recorded = heads.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (socket, recorded, tls) = (socket.clone(), recorded.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(client) = acceptor.accept(client).await {
                                tunnel(client, &socket, &recorded).await;
                            }
                        }
                        None => tunnel(client, &socket, &recorded).await,
                    }
                });
            }
        });
        Self { url, heads }
    }

    /// The request heads received so far, one per tunnel asked for.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// Reads a request head; a `CONNECT` gets the tunnel to `socket`, anything else a 405.
async fn tunnel<S>(mut client: S, socket: &std::path::Path, recorded: &Mutex<Vec<String>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // The request head, up to its blank line (at most 8 KiB).
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let is_connect = head.starts_with("CONNECT ");
    recorded.lock().unwrap().push(head);
    if !is_connect {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    let Ok(mut daemon) = tokio::net::UnixStream::connect(socket).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut daemon).await;
    }
}
