//! WebSocket attach (`GET /containers/{id}/attach/ws`): the container's stdin and output as
//! WebSocket messages instead of a hijacked byte stream, for callers (and proxies) that speak
//! WebSocket. Written once over [`ApiClient`], so every version has it.
//!
//! The upgrade goes through the one request path (`Requests`: the client's steps, tracing span
//! and error mapping), so it works over unix sockets, TCP and TLS alike; the handshake is checked
//! here (`101`, `Upgrade: websocket`, `Sec-WebSocket-Accept`) and `tokio-tungstenite` then frames
//! the upgraded connection. None of its types are in this module's API.
//!
//! What the daemon does (moby's `wsContainersAttach`): output is never multiplexed, so stdout and
//! stderr arrive together ([`StdStream::Console`]); API 1.28 and later send binary messages,
//! earlier versions text messages; before 1.42 the `stdin`/`stdout`/`stderr` choices are ignored
//! (all three are attached). Closing the WebSocket ends the attach: the daemon stops copying and
//! answers with its own close; the container keeps running unless its stdin closing ends it.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use base64::Engine;
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use http::StatusCode;
use http::header::{CONNECTION, HeaderMap, UPGRADE};
use sha1::Digest;
use tokio::io::AsyncWrite;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};

use super::demux::{OutputChunk, StdStream};
use super::hijack::AttachOptions;
use crate::error::{Cause, Error, StreamError};
use crate::transport::{ApiClient, Requests, from_http, from_response, segment};
use crate::wire::Upgraded;

/// The operation's name in errors and tracing spans (the spec's operation id).
const OPERATION: &str = "container_attach_websocket";

/// RFC 6455's GUID, appended to the key to make the accept value.
const ACCEPT_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The largest message taken from the daemon. It sends each write of the container as one
/// message (at most 32 KiB); a larger one is an error item, not an allocation.
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

type Socket = WebSocketStream<Upgraded>;

/// An attach over a WebSocket: send the container's stdin, read its output.
pub struct WebSocketAttach {
    /// The container's stdin: one binary message per write.
    pub stdin: WebSocketStdin,
    /// The container's output (stdout and stderr together, as [`StdStream::Console`] chunks),
    /// until the daemon closes the WebSocket.
    pub output: WebSocketOutput,
}

/// The sending half of a WebSocket attach.
///
/// Also an [`AsyncWrite`] (each write one binary message, sent at once), so `tokio::io::copy`
/// can feed it; `shutdown()` is [`close`](Self::close).
pub struct WebSocketStdin {
    sink: SplitSink<Socket, Message>,
    closing: Arc<AtomicBool>,
}

/// The receiving half of a WebSocket attach: the container's output as it arrives.
///
/// Ends (`None`) when the daemon closes the WebSocket normally (the container stopped, or after
/// [`WebSocketStdin::close`]); a broken connection, a daemon's close with an error code, or a
/// text message that is not UTF-8 (APIs before 1.28) is an error item, and then the end.
pub struct WebSocketOutput {
    stream: SplitStream<Socket>,
    closing: Arc<AtomicBool>,
    ended: bool,
}

/// Attaches to a container over a WebSocket (`GET /containers/{id}/attach/ws`), with
/// `stream=1` and the choices of `options` (`tty` is not used: WebSocket output is never
/// multiplexed).
pub async fn attach_websocket<C: ApiClient>(
    client: &C,
    container: &str,
    options: &AttachOptions,
) -> Result<WebSocketAttach, Error> {
    let requests = Requests::new(client);
    let key = base64::engine::general_purpose::STANDARD.encode(crate::random::bytes16());
    let request = requests
        .get(&format!("/containers/{}/attach/ws", segment(container)))
        .query(&options.query())
        .header(CONNECTION, "Upgrade")
        .header(UPGRADE, "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", &key);
    let response = requests.send_any_status(request, OPERATION).await?;
    let status = response.status();
    if status != StatusCode::SWITCHING_PROTOCOLS {
        if status.is_success() {
            return Err(refused(format!(
                "the daemon answered {status} instead of switching to WebSocket"
            )));
        }
        return Err(from_response(response, OPERATION).await);
    }
    check_handshake(response.headers(), &key)?;
    let upgraded = response
        .upgrade()
        .await
        .map_err(|e| from_http(e, requests.state(), OPERATION))?;
    let config = WebSocketConfig::default()
        // Each stdin write goes out as it is made (an interactive shell waits for it).
        .write_buffer_size(0)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let socket = WebSocketStream::from_raw_socket(upgraded, Role::Client, Some(config)).await;
    let (sink, stream) = socket.split();
    let closing = Arc::new(AtomicBool::new(false));
    Ok(WebSocketAttach {
        stdin: WebSocketStdin {
            sink,
            closing: closing.clone(),
        },
        output: WebSocketOutput {
            stream,
            closing,
            ended: false,
        },
    })
}

/// The server's half of the handshake: `Upgrade: websocket` and the accept value of our key.
fn check_handshake(headers: &HeaderMap, key: &str) -> Result<(), Error> {
    let upgrade = headers.get(UPGRADE).and_then(|v| v.to_str().ok());
    if !upgrade.is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err(refused(format!(
            "the daemon switched to {:?}, not WebSocket",
            upgrade.unwrap_or("no protocol")
        )));
    }
    let accept = headers
        .get("Sec-WebSocket-Accept")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if accept != accept_value(key).as_bytes() {
        return Err(refused(
            "the daemon's Sec-WebSocket-Accept does not answer our key".into(),
        ));
    }
    Ok(())
}

/// RFC 6455's accept value for `key`: base64 of the SHA-1 of the key and the GUID.
fn accept_value(key: &str) -> String {
    let mut sha = sha1::Sha1::new();
    sha.update(key.as_bytes());
    sha.update(ACCEPT_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

fn refused(reason: String) -> Error {
    StreamError::Connection {
        reason: format!("{OPERATION}: {reason}"),
        source: None,
    }
    .into()
}

/// A WebSocket failure as a stream error, the library's error kept as its source.
fn broken(e: tungstenite::Error) -> StreamError {
    StreamError::Connection {
        reason: e.to_string(),
        source: Some(Cause::new(e)),
    }
}

impl WebSocketStdin {
    /// Sends `bytes` to the container's stdin as one binary message.
    pub async fn send(&mut self, bytes: impl Into<Bytes>) -> Result<(), Error> {
        self.sink
            .send(Message::Binary(bytes.into()))
            .await
            .map_err(|e| broken(e).into())
    }

    /// Closes the WebSocket cleanly (a normal close): the daemon stops reading stdin, ends the
    /// attach and answers with its own close, which ends [`WebSocketAttach::output`] once the
    /// output sent before it has been read. Closing twice does nothing more.
    pub async fn close(&mut self) -> Result<(), Error> {
        self.closing.store(true, Ordering::Release);
        match self.sink.close().await {
            Ok(())
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Ok(())
            }
            Err(e) => Err(broken(e).into()),
        }
    }
}

impl AsyncWrite for WebSocketStdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let sink = Pin::new(&mut self.sink);
        ready!(sink.poll_ready(cx)).map_err(std::io::Error::other)?;
        Pin::new(&mut self.sink)
            .start_send(Message::Binary(Bytes::copy_from_slice(buf)))
            .map_err(std::io::Error::other)?;
        // Sent at once when the connection takes it; a flush pending here is finished by the
        // next write's `poll_ready` or by `poll_flush`.
        if let Poll::Ready(Err(e)) = Pin::new(&mut self.sink).poll_flush(cx) {
            return Poll::Ready(Err(std::io::Error::other(e)));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.sink)
            .poll_flush(cx)
            .map_err(std::io::Error::other)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.closing.store(true, Ordering::Release);
        match ready!(Pin::new(&mut self.sink).poll_close(cx)) {
            Ok(())
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Poll::Ready(Ok(()))
            }
            Err(e) => Poll::Ready(Err(std::io::Error::other(e))),
        }
    }
}

impl Stream for WebSocketOutput {
    type Item = Result<OutputChunk, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            let message = match ready!(self.stream.poll_next_unpin(cx)) {
                None => {
                    self.ended = true;
                    return Poll::Ready(None);
                }
                Some(Ok(message)) => message,
                // After our close, a daemon that drops the connection instead of answering
                // has still ended the attach as asked.
                Some(Err(tungstenite::Error::Protocol(
                    tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                ))) if self.closing.load(Ordering::Acquire) => {
                    self.ended = true;
                    return Poll::Ready(None);
                }
                Some(Err(e)) => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(broken(e))));
                }
            };
            let bytes = match message {
                Message::Binary(bytes) => bytes,
                Message::Text(text) => Bytes::from(text),
                Message::Close(frame) => {
                    self.ended = true;
                    return Poll::Ready(match frame {
                        Some(frame)
                            if !matches!(frame.code, CloseCode::Normal | CloseCode::Away) =>
                        {
                            Some(Err(StreamError::Daemon {
                                message: format!(
                                    "the WebSocket was closed with code {}: {}",
                                    u16::from(frame.code),
                                    frame.reason
                                ),
                            }))
                        }
                        _ => None,
                    });
                }
                // Pings are answered by the WebSocket layer; pongs and raw frames carry nothing.
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            };
            if bytes.is_empty() {
                continue;
            }
            return Poll::Ready(Some(Ok(OutputChunk {
                stream: StdStream::Console,
                bytes,
            })));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_value_is_rfc_6455s() {
        // The example handshake of RFC 6455, section 1.3.
        assert_eq!(
            accept_value("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn a_handshake_without_the_right_accept_or_protocol_is_refused() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let mut headers = HeaderMap::new();
        headers.insert(UPGRADE, "WebSocket".parse().unwrap());
        headers.insert(
            "Sec-WebSocket-Accept",
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".parse().unwrap(),
        );
        assert!(check_handshake(&headers, key).is_ok());
        let wrong = check_handshake(&headers, "AAAAAAAAAAAAAAAAAAAAAA==").unwrap_err();
        assert!(
            wrong.to_string().contains("Sec-WebSocket-Accept"),
            "{wrong}"
        );
        headers.insert(UPGRADE, "tcp".parse().unwrap());
        let tcp = check_handshake(&headers, key).unwrap_err();
        assert!(tcp.to_string().contains("\"tcp\""), "{tcp}");
        headers.remove(UPGRADE);
        assert!(check_handshake(&headers, key).is_err());
    }
}
