//! Hijacked attach and exec: the HTTP connection is upgraded (`Connection: Upgrade`,
//! `Upgrade: tcp`, answered by `101 Switching Protocols`) and then carries the container's stdin
//! one way and its output the other. Written once over [`ApiClient`], so every version has it.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::TryStreamExt;
use reqwest::header::{CONNECTION, CONTENT_TYPE, UPGRADE};
use tokio::io::{AsyncWrite, ReadHalf, WriteHalf};

use super::body::BodyStream;
use super::demux::{Framing, LogStream};
use crate::error::{Error, StreamError, from_response, transport};
use crate::version::ApiClient;

/// A hijacked connection: write the container's stdin, read its output.
pub struct Hijacked {
    /// The container's (or exec's) stdin. `shutdown()` half-closes the connection, so a program
    /// reading stdin (`cat`) sees end of file while its output keeps coming.
    pub stdin: Stdin,
    /// The output, demultiplexed (or raw, with a TTY).
    pub output: LogStream<BodyStream>,
}

/// The writing half of a hijacked connection.
pub struct Stdin(WriteHalf<reqwest::Upgraded>);

impl AsyncWrite for Stdin {
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
}

/// What to attach to (`POST /containers/{id}/attach`).
#[derive(Clone, Debug)]
pub struct AttachOptions {
    /// Send stdin.
    pub stdin: bool,
    /// Receive stdout.
    pub stdout: bool,
    /// Receive stderr.
    pub stderr: bool,
    /// Replay the container's logs first.
    pub logs: bool,
    /// The container has a TTY (raw output). Needed for daemons before API 1.42, which do not
    /// say which framing they use.
    pub tty: bool,
}

impl Default for AttachOptions {
    fn default() -> Self {
        Self {
            stdin: true,
            stdout: true,
            stderr: true,
            logs: false,
            tty: false,
        }
    }
}

/// Attaches to a container's stdin and output over a hijacked connection.
pub async fn attach<C: ApiClient>(
    client: &C,
    container: &str,
    options: &AttachOptions,
) -> Result<Hijacked, Error> {
    let (base, http, _) = client.parts();
    let flag = |b: bool| if b { "1" } else { "0" };
    let request = http
        .post(format!(
            "{base}/containers/{}/attach",
            progenitor_client::encode_path(container)
        ))
        .query(&[
            ("stream", "1"),
            ("stdin", flag(options.stdin)),
            ("stdout", flag(options.stdout)),
            ("stderr", flag(options.stderr)),
            ("logs", flag(options.logs)),
        ]);
    hijack(client, request, "container_attach", options.tty).await
}

/// Starts an exec (made with `container_exec`) over a hijacked connection. Its exit code is in
/// `exec_inspect` once the output has ended.
pub async fn exec_start<C: ApiClient>(
    client: &C,
    exec: &str,
    tty: bool,
) -> Result<Hijacked, Error> {
    let (base, http, _) = client.parts();
    let request = http
        .post(format!(
            "{base}/exec/{}/start",
            progenitor_client::encode_path(exec)
        ))
        .header(CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "Detach": false, "Tty": tty }).to_string());
    hijack(client, request, "exec_start", tty).await
}

async fn hijack<C: ApiClient>(
    client: &C,
    request: reqwest::RequestBuilder,
    operation: &'static str,
    tty: bool,
) -> Result<Hijacked, Error> {
    let (_, http, hooks) = client.parts();
    let request = request.header(CONNECTION, "Upgrade").header(UPGRADE, "tcp");
    let response = crate::raw::send_traced(hooks, http, request, operation)
        .await
        .map_err(|e| transport(e, hooks, operation))?;
    if response.status() != reqwest::StatusCode::SWITCHING_PROTOCOLS {
        if response.status().is_success() {
            return Err(StreamError::Connection {
                reason: format!(
                    "{operation}: the daemon answered {} instead of upgrading the connection",
                    response.status()
                ),
            }
            .into());
        }
        return Err(from_response(response, operation).await);
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let upgraded = response
        .upgrade()
        .await
        .map_err(|e| transport(e, hooks, operation))?;
    let (read, write): (ReadHalf<reqwest::Upgraded>, WriteHalf<reqwest::Upgraded>) =
        tokio::io::split(upgraded);
    let body: BodyStream =
        Box::pin(
            tokio_util::io::ReaderStream::new(read).map_err(|e| StreamError::Connection {
                reason: e.to_string(),
            }),
        );
    Ok(Hijacked {
        stdin: Stdin(write),
        output: LogStream::new(body, Framing::detect(content_type.as_deref(), tty)),
    })
}
