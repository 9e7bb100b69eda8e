//! A response body as a stream of chunks with the crate's error type, and the ways to read it
//! (container output, JSON messages, plain bytes), for every version's `ByteStream` responses.

use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt;
use serde::de::DeserializeOwned;

use super::demux::{Framing, OutputStream};
use super::json::JsonStream;
use crate::error::{Cause, StreamError};
use crate::wire::{ByteStream, HttpError, Response, ResponseValue};

/// Body chunks; a broken connection is an error item, never a hang or a silent end.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, StreamError>> + Send>>;

/// Reading a streaming operation's response (`container_logs`, `image_create`, `system_events`,
/// `container_export`...).
pub trait ByteStreamExt {
    /// The body's chunks.
    fn into_body(self) -> BodyStream;

    /// Container output (logs, attach, exec start): demultiplexed, or raw with a TTY. `tty` is the
    /// container's (or exec's) TTY setting (`container_inspect`'s `Config.Tty`, as the docker
    /// CLI reads it for `logs`). A response does not carry the API version it was asked in, so
    /// the daemon's `multiplexed-stream` label is believed and otherwise `tty` decides (see
    /// [`Framing::detect`]); the hijacked attach and exec streams, which know their version,
    /// follow the label from API 1.42 on ([`Framing::detect_at`]).
    fn into_output(self, tty: bool) -> OutputStream<BodyStream>;

    /// A JSON message stream of `T` (`CreateImageInfo`, `BuildInfo`, `EventMessage`, ...).
    fn into_json<T: DeserializeOwned>(self) -> JsonStream<BodyStream, T>;
}

/// A body that broke off mid-stream.
fn broken(e: HttpError) -> StreamError {
    StreamError::Connection {
        reason: crate::error::error_chain(&e),
        source: Some(Cause::new(e)),
    }
}

/// A raw response's body as a [`BodyStream`], for handwritten calls.
pub(crate) fn body_of(response: Response) -> BodyStream {
    Box::pin(response.bytes_stream().map_err(broken))
}

impl ByteStreamExt for ResponseValue<ByteStream> {
    fn into_body(self) -> BodyStream {
        Box::pin(self.into_inner().into_inner().map_err(broken))
    }

    fn into_output(self, tty: bool) -> OutputStream<BodyStream> {
        let framing = Framing::from_headers(self.headers(), tty);
        OutputStream::new(self.into_body(), framing)
    }

    fn into_json<T: DeserializeOwned>(self) -> JsonStream<BodyStream, T> {
        JsonStream::new(self.into_body())
    }
}
