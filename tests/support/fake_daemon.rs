//! A daemon that misbehaves on purpose, for bad-input and fault tests only: a small HTTP/1.1
//! server on 127.0.0.1 in the test process that records each request head and answers with what
//! the test scripted (a canned response, an endless body, silence). Everything real is tested
//! against the real daemon; this exists for what a real daemon will not do on request.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// No fake connection lives longer than this (the loops here are bounded in time).
const MAX_LIFETIME: Duration = Duration::from_secs(30);

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
        chunk: Vec<u8>,
    },
    /// Reads the request and never answers (until [`MAX_LIFETIME`]).
    Silent,
    /// Reads the request and closes the connection without a word.
    Hangup,
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
}

/// A running fake daemon (or proxy: it answers whatever reaches it).
pub struct FakeDaemon {
    /// Where it listens.
    pub addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
    bytes_sent: Arc<Mutex<u64>>,
}

impl FakeDaemon {
    /// Starts it on the current tokio runtime; `reply` picks the answer from the request head.
    pub async fn start(reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let bytes_sent = Arc::new(Mutex::new(0u64));
        let reply = Arc::new(reply);
        let (heads2, sent2) = (heads.clone(), bytes_sent.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (heads, sent, reply) = (heads2.clone(), sent2.clone(), reply.clone());
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(
                        MAX_LIFETIME,
                        serve(stream, heads, sent, move |h: &str| reply(h)),
                    )
                    .await;
                });
            }
        });
        Self {
            addr,
            heads,
            bytes_sent,
        }
    }

    /// `tcp://127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request heads received so far (request line and headers).
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }

    /// Body bytes written so far (for endless replies: how much the client let through).
    pub fn bytes_sent(&self) -> u64 {
        *self.bytes_sent.lock().unwrap()
    }
}

async fn serve(
    mut stream: tokio::net::TcpStream,
    heads: Arc<Mutex<Vec<String>>>,
    sent: Arc<Mutex<u64>>,
    reply: impl Fn(&str) -> Reply,
) {
    // One request per connection: read its head (bodies in these tests are small and ignored).
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head = loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break String::from_utf8_lossy(&buf[..end]).into_owned();
        }
        if buf.len() > 1024 * 1024 {
            return;
        }
    };
    heads.lock().unwrap().push(head.clone());
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
            *sent.lock().unwrap() += body.len() as u64;
            let _ = stream.shutdown().await;
        }
        Reply::Endless {
            status,
            content_type,
            chunk,
        } => {
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            while stream.write_all(&framed).await.is_ok() {
                *sent.lock().unwrap() += chunk.len() as u64;
            }
        }
        Reply::Hangup => drop(stream),
        Reply::Silent => {
            let _ = stream.read(&mut chunk).await;
            tokio::time::sleep(MAX_LIFETIME).await;
        }
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
