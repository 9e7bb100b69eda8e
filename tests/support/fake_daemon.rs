//! A daemon that answers what the test scripted: a small HTTP/1.1 server in the test process,
//! on 127.0.0.1 or on a unix socket in a temporary directory, that records each request (head
//! and body) and answers with a canned response, an endless body, silence, a hang-up, or a
//! `101` upgrade that then carries stdcopy output one way and stdin the other.
//!
//! For what needs no real daemon: the offline layer (negotiation, error mapping, upgrades, bad
//! input; tests/offline.rs) and what a real daemon will not do on request (tests/hostile.rs).
//! Everything else is tested against the real daemon.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// No fake connection lives longer than this (the loops here are bounded in time).
const MAX_LIFETIME: Duration = Duration::from_secs(30);

/// The largest request head or body read (larger ones end the connection).
const MAX_REQUEST: usize = 1024 * 1024;

/// What the fake answers to one request.
#[derive(Clone)]
pub enum Reply {
    /// `status`, extra header lines (`Name: value`), and a body (sent with Content-Length).
    Canned {
        status: &'static str,
        headers: Vec<String>,
        body: Vec<u8>,
    },
    /// `status` and a chunked body that never ends: `chunk` again and again, until the client
    /// goes away (or [`MAX_LIFETIME`]).
    Endless {
        status: &'static str,
        content_type: &'static str,
        /// Sent once, first (e.g. the start of a JSON message that never ends).
        prefix: Vec<u8>,
        chunk: Vec<u8>,
    },
    /// Reads the request and never answers (until [`MAX_LIFETIME`]).
    Silent,
    /// Reads the request and closes the connection without a word.
    Hangup,
    /// Switches protocols as the daemon does for attach and exec (`HTTP/1.1 101 UPGRADED`,
    /// `Connection: Upgrade`, `Upgrade: tcp`, `Content-Type: content_type`), writes `output`,
    /// reads what the client sends (its stdin, recorded) until the client half-closes, writes
    /// `after_stdin`, and closes.
    Upgrade {
        content_type: &'static str,
        output: Vec<u8>,
        after_stdin: Vec<u8>,
    },
}

impl Reply {
    /// A JSON body with `status`.
    pub fn json(status: &'static str, body: &str) -> Self {
        Reply::Canned {
            status,
            headers: vec!["Content-Type: application/json".into()],
            body: body.as_bytes().to_vec(),
        }
    }

    /// A body of `content_type` with `status`.
    pub fn text(status: &'static str, content_type: &str, body: &str) -> Self {
        Reply::Canned {
            status,
            headers: vec![format!("Content-Type: {content_type}")],
            body: body.as_bytes().to_vec(),
        }
    }

    /// `200 OK` to `/_ping`, saying API version `version` (no header at all when `None`).
    pub fn ping(version: Option<&str>) -> Self {
        let mut headers = vec!["Content-Type: text/plain; charset=utf-8".to_string()];
        if let Some(version) = version {
            headers.push(format!("Api-Version: {version}"));
        }
        Reply::Canned {
            status: "200 OK",
            headers,
            body: b"OK".to_vec(),
        }
    }
}

/// One stdcopy frame: stream (1 stdout, 2 stderr, 3 systemerr), three zero bytes, the payload's
/// length as a big-endian u32, the payload.
pub fn frame(stream: u8, payload: &[u8]) -> Vec<u8> {
    let mut framed = vec![stream, 0, 0, 0];
    framed.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    framed.extend_from_slice(payload);
    framed
}

/// Where a fake listens.
enum Listening {
    Tcp(SocketAddr),
    /// The socket, and the temporary directory it is in (removed with the fake).
    Unix(PathBuf, tempfile::TempDir),
}

/// What the fake has seen, shared with its connections.
#[derive(Default)]
struct Seen {
    heads: Mutex<Vec<String>>,
    bodies: Mutex<Vec<Vec<u8>>>,
    stdin: Mutex<Vec<u8>>,
    bytes_sent: Mutex<u64>,
}

/// A running fake daemon (or proxy: it answers whatever reaches it).
pub struct FakeDaemon {
    listening: Listening,
    seen: Arc<Seen>,
}

impl FakeDaemon {
    /// Starts it on 127.0.0.1 (a free port), on the current tokio runtime; `reply` picks the
    /// answer from the request head.
    pub async fn start(reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Seen::default());
        let reply = Arc::new(reply);
        let seen2 = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_bounded(stream, seen2.clone(), reply.clone()));
            }
        });
        Self {
            listening: Listening::Tcp(addr),
            seen,
        }
    }

    /// Starts it on a unix socket in a temporary directory of its own, on the current tokio
    /// runtime; `reply` picks the answer from the request head.
    pub async fn start_unix(reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake-docker.sock");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let seen = Arc::new(Seen::default());
        let reply = Arc::new(reply);
        let seen2 = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_bounded(stream, seen2.clone(), reply.clone()));
            }
        });
        Self {
            listening: Listening::Unix(path, dir),
            seen,
        }
    }

    /// A v1.55 client of the fake, speaking 1.41 without negotiating (no `/_ping` round trip).
    pub fn pinned_client(&self) -> docker_engine_client::v1_55::Client {
        docker_engine_client::Docker::connect(&self.host())
            .unwrap()
            .client_with_version(docker_engine_client::ApiVersion::new(1, 41))
            .unwrap()
    }

    /// `tcp://127.0.0.1:PORT` or `unix:///tmp/.../fake-docker.sock`.
    pub fn host(&self) -> String {
        match &self.listening {
            Listening::Tcp(addr) => format!("tcp://{addr}"),
            Listening::Unix(path, _) => format!("unix://{}", path.display()),
        }
    }

    /// `http://127.0.0.1:PORT` (a TCP fake only: a proxy's or a redirect's URL).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The TCP address (a TCP fake only).
    pub fn addr(&self) -> SocketAddr {
        match &self.listening {
            Listening::Tcp(addr) => *addr,
            Listening::Unix(path, _) => panic!("the fake listens on {}", path.display()),
        }
    }

    /// The unix socket (a unix fake only).
    pub fn socket(&self) -> &Path {
        match &self.listening {
            Listening::Unix(path, _) => path,
            Listening::Tcp(addr) => panic!("the fake listens on {addr}"),
        }
    }

    /// The request heads received so far (request line and headers).
    pub fn heads(&self) -> Vec<String> {
        self.seen.heads.lock().unwrap().clone()
    }

    /// The request lines received so far (`GET /v1.41/_ping HTTP/1.1`).
    pub fn request_lines(&self) -> Vec<String> {
        self.heads()
            .iter()
            .map(|h| h.lines().next().unwrap_or_default().to_string())
            .collect()
    }

    /// The request bodies received so far (those sent with a Content-Length; empty otherwise).
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.seen.bodies.lock().unwrap().clone()
    }

    /// What clients wrote after an [`Reply::Upgrade`] (their stdin), all connections together.
    pub fn stdin(&self) -> Vec<u8> {
        self.seen.stdin.lock().unwrap().clone()
    }

    /// Body bytes written so far (for endless replies: how much the client let through).
    pub fn bytes_sent(&self) -> u64 {
        *self.seen.bytes_sent.lock().unwrap()
    }
}

async fn serve_bounded<S, R>(stream: S, seen: Arc<Seen>, reply: Arc<R>)
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Fn(&str) -> Reply + ?Sized,
{
    let _ = tokio::time::timeout(MAX_LIFETIME, serve(stream, seen, move |h: &str| reply(h))).await;
}

/// The `Content-Length` of a request head, if it has one.
fn content_length(head: &str) -> Option<usize> {
    head.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    seen: Arc<Seen>,
    reply: impl Fn(&str) -> Reply,
) {
    // One request per connection: read its head, then its body if it has a Content-Length
    // (a chunked body is left unread: the tests that send one ignore it).
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head, mut rest) = loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            break (head, buf.split_off(end + 4));
        }
        if buf.len() > MAX_REQUEST {
            return;
        }
    };
    seen.heads.lock().unwrap().push(head.clone());
    let length = content_length(&head).unwrap_or(0).min(MAX_REQUEST);
    while rest.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => rest.extend_from_slice(&chunk[..n]),
        }
    }
    // What came after the body is the client's stdin on an upgraded connection.
    let early_stdin = rest.split_off(length.min(rest.len()));
    seen.bodies.lock().unwrap().push(rest);
    match reply(&head) {
        Reply::Canned {
            status,
            headers,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for h in headers {
                out.push_str(&h);
                out.push_str("\r\n");
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&body);
            let _ = stream.write_all(&bytes).await;
            *seen.bytes_sent.lock().unwrap() += body.len() as u64;
            let _ = stream.shutdown().await;
        }
        Reply::Endless {
            status,
            content_type,
            prefix,
            chunk,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            .into_bytes();
            if !prefix.is_empty() {
                head.extend_from_slice(format!("{:x}\r\n", prefix.len()).as_bytes());
                head.extend_from_slice(&prefix);
                head.extend_from_slice(b"\r\n");
            }
            if stream.write_all(&head).await.is_err() {
                return;
            }
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            while stream.write_all(&framed).await.is_ok() {
                *seen.bytes_sent.lock().unwrap() += chunk.len() as u64;
            }
        }
        Reply::Hangup => drop(stream),
        Reply::Silent => {
            let _ = stream.read(&mut chunk).await;
            tokio::time::sleep(MAX_LIFETIME).await;
        }
        Reply::Upgrade {
            content_type,
            output,
            after_stdin,
        } => {
            let head = format!(
                "HTTP/1.1 101 UPGRADED\r\nContent-Type: {content_type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
            );
            let mut bytes = head.into_bytes();
            bytes.extend_from_slice(&output);
            if stream.write_all(&bytes).await.is_err() {
                return;
            }
            *seen.bytes_sent.lock().unwrap() += output.len() as u64;
            seen.stdin.lock().unwrap().extend_from_slice(&early_stdin);
            loop {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.stdin.lock().unwrap().extend_from_slice(&chunk[..n]),
                }
            }
            let _ = stream.write_all(&after_stdin).await;
            *seen.bytes_sent.lock().unwrap() += after_stdin.len() as u64;
            let _ = stream.shutdown().await;
        }
    }
}

/// Fails the test instead of hanging when the client does not give up.
pub async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within 20 s"))
}

/// The error of a call that must fail.
pub fn failed<T>(result: Result<T, docker_engine_client::Error>) -> docker_engine_client::Error {
    match result {
        Ok(_) => panic!("the call succeeded"),
        Err(e) => e,
    }
}

/// Peak resident memory of this process so far (`VmHWM`), in bytes.
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
