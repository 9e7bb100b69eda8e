//! Hijacked attach and exec: the HTTP connection is upgraded (`Connection: Upgrade`,
//! `Upgrade: tcp`, answered by `101 Switching Protocols`) and then carries the container's stdin
//! one way and its output the other. Written once over [`ApiClient`], so every version has it.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::TryStreamExt;
use http::StatusCode;
use http::header::{CONNECTION, CONTENT_TYPE, UPGRADE};
use tokio::io::{AsyncWrite, ReadHalf, WriteHalf};

use super::body::BodyStream;
use super::demux::{Framing, OutputStream};
use crate::error::{Cause, Error, StreamError};
use crate::transport::{ApiClient, Requests, from_http, from_response, segment};
use crate::wire::{RequestBuilder, Upgraded};

/// A hijacked connection: write the container's stdin, read its output.
pub struct Hijacked {
    /// The container's (or exec's) stdin. `shutdown()` half-closes the connection, so a program
    /// reading stdin (`cat`) sees end of file while its output keeps coming.
    pub stdin: Stdin,
    /// The output, demultiplexed (or raw, with a TTY).
    pub output: OutputStream<BodyStream>,
}

/// The writing half of a hijacked connection.
pub struct Stdin(WriteHalf<Upgraded>);

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

impl AttachOptions {
    /// The attach query (`stream=1` and the choices), shared by the hijacked and the WebSocket
    /// attach.
    pub(crate) fn query(&self) -> [(&'static str, &'static str); 5] {
        let flag = |b: bool| if b { "1" } else { "0" };
        [
            ("stream", "1"),
            ("stdin", flag(self.stdin)),
            ("stdout", flag(self.stdout)),
            ("stderr", flag(self.stderr)),
            ("logs", flag(self.logs)),
        ]
    }
}

/// Attaches to a container's stdin and output over a hijacked connection.
pub async fn attach<C: ApiClient>(
    client: &C,
    container: &str,
    options: &AttachOptions,
) -> Result<Hijacked, Error> {
    let requests = Requests::new(client);
    let request = requests
        .post(&format!("/containers/{}/attach", segment(container)))
        .query(&options.query());
    hijack(&requests, request, "container_attach", options.tty).await
}

/// Starts an exec (made with `container_exec`) over a hijacked connection. Its exit code is in
/// `exec_inspect` once the output has ended. (To run a command to its end and collect its
/// output in one call: [`Container::exec`](crate::container::Container::exec).)
///
/// This is the handwritten form of the generated `exec_start`, which cannot give the
/// connection's stdin back.
pub async fn exec_start<C: ApiClient>(
    client: &C,
    exec: &str,
    tty: bool,
) -> Result<Hijacked, Error> {
    exec_start_with(&Requests::new(client), exec, tty).await
}

/// [`exec_start`] with a client's requests.
pub(crate) async fn exec_start_with(
    requests: &Requests,
    exec: &str,
    tty: bool,
) -> Result<Hijacked, Error> {
    let request = requests
        .post(&format!("/exec/{}/start", segment(exec)))
        .header(CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "Detach": false, "Tty": tty }).to_string());
    hijack(requests, request, "exec_start", tty).await
}

/// Sends `request` asking to upgrade the connection, through the one request path.
async fn hijack(
    requests: &Requests,
    request: RequestBuilder,
    operation: &'static str,
    tty: bool,
) -> Result<Hijacked, Error> {
    let request = request.header(CONNECTION, "Upgrade").header(UPGRADE, "tcp");
    let response = requests.send_any_status(request, operation).await?;
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        if response.status().is_success() {
            return Err(StreamError::Connection {
                reason: format!(
                    "{operation}: the daemon answered {} instead of upgrading the connection",
                    response.status()
                ),
                source: None,
            }
            .into());
        }
        return Err(from_response(response, operation).await);
    }
    // The version the request spoke: from 1.42 on, the daemon's Content-Type decides.
    let framing = Framing::from_headers_at(response.headers(), requests.state().api_version(), tty);
    let upgraded = response
        .upgrade()
        .await
        .map_err(|e| from_http(e, requests.state(), operation))?;
    let (read, write): (ReadHalf<Upgraded>, WriteHalf<Upgraded>) = tokio::io::split(upgraded);
    let body: BodyStream =
        Box::pin(
            tokio_util::io::ReaderStream::new(read).map_err(|e| StreamError::Connection {
                reason: e.to_string(),
                source: Some(Cause::new(e)),
            }),
        );
    Ok(Hijacked {
        stdin: Stdin(write),
        output: OutputStream::new(body, framing),
    })
}
