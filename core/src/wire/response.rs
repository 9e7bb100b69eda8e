//! [`Response`]: a response's head and its body as the sender delivers it (from the pool, from a
//! connection of its own, under a deadline), and [`Upgraded`]: the connection after a `101`.

use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::StatusCode;
use http::header::HeaderMap;
use http_body::{Body as _, Frame};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::HttpError;

/// A response body as the sender delivers it.
pub(crate) type BoxBody = UnsyncBoxBody<Bytes, HttpError>;

/// An HTTP response: status, headers, and the body, read as chunks, whole, or as a stream.
#[derive(Debug)]
pub struct Response {
    inner: http::Response<SyncBody>,
}

impl Response {
    /// The response with `body`.
    pub(crate) fn new(head: http::response::Parts, body: BoxBody) -> Self {
        Self {
            inner: http::Response::from_parts(head, SyncBody(Mutex::new(body))),
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The headers, to change them.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.inner.headers_mut()
    }

    /// The body's length, when the daemon said it.
    pub fn content_length(&self) -> Option<u64> {
        self.inner.body().size_hint().exact()
    }

    /// The next chunk of the body; `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        while let Some(frame) = self.inner.body_mut().frame().await {
            if let Ok(data) = frame?.into_data() {
                return Ok(Some(data));
            }
        }
        Ok(None)
    }

    /// The whole body. Unbounded: for the small answers of the API (JSON objects); streams are
    /// read with [`bytes_stream`](Self::bytes_stream).
    pub async fn bytes(self) -> Result<Bytes, HttpError> {
        Ok(self.inner.into_body().collect().await?.to_bytes())
    }

    /// The body as a stream of chunks.
    pub fn bytes_stream(self) -> impl Stream<Item = Result<Bytes, HttpError>> + Send + Sync {
        self.inner.into_body().into_data_stream()
    }

    /// The connection, taken over after a `101 Switching Protocols`.
    pub async fn upgrade(mut self) -> Result<Upgraded, HttpError> {
        let upgraded = hyper::upgrade::on(&mut self.inner)
            .await
            .map_err(HttpError::upgrade)?;
        Ok(Upgraded(TokioIo::new(upgraded)))
    }
}

/// A body made `Sync`, so that a response can be borrowed across `.await`s. Reading goes through
/// `&mut` (`Mutex::get_mut`, no lock); only the `&self` questions (size, end) take the lock,
/// which is never contended.
pub(crate) struct SyncBody(Mutex<BoxBody>);

impl std::fmt::Debug for SyncBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Body")
    }
}

impl http_body::Body for SyncBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
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

/// The connection after a `101 Switching Protocols` (a hijacked attach or exec, a WebSocket):
/// both directions of the raw stream, with any bytes the daemon sent after the response's head.
#[derive(Debug)]
pub struct Upgraded(TokioIo<hyper::upgrade::Upgraded>);

impl AsyncRead for Upgraded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Upgraded {
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

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}
