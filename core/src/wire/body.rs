//! Request bodies: nothing, bytes in memory (JSON, a small tar), or a stream (a build context, an
//! archive, stdin), sent as hyper reads them.

use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Frame, SizeHint};

/// Any error a body stream may end with.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The chunks of a streamed body. In a `Mutex` only so that a request holding one is `Sync`
/// (requests are borrowed across `.await`s); it is polled through `&mut` (`get_mut`), never
/// locked.
type Chunks = Mutex<Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>>;

/// A request body.
pub struct Body(Kind);

enum Kind {
    /// Bytes in memory; `None` once handed to the connection.
    Full(Option<Bytes>),
    /// A stream of chunks (sent with chunked transfer encoding).
    Stream(Chunks),
}

impl Body {
    /// A body from a stream of chunks (an archive, a build context, stdin): sent as it is read,
    /// never buffered whole.
    pub fn wrap_stream<S, B, E>(stream: S) -> Body
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: Into<BoxError> + 'static,
    {
        use futures_util::TryStreamExt;
        let chunks = stream.map_ok(Into::into).map_err(Into::into);
        Body(Kind::Stream(Mutex::new(Box::pin(chunks))))
    }

    /// The bytes, for a body held in memory (`None` for a stream).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            Kind::Full(bytes) => Some(bytes.as_deref().unwrap_or_default()),
            Kind::Stream(_) => None,
        }
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Kind::Full(bytes) => write!(f, "Body({} bytes)", bytes.as_ref().map_or(0, Bytes::len)),
            Kind::Stream(_) => f.write_str("Body(stream)"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body(Kind::Full((!bytes.is_empty()).then_some(bytes)))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Bytes::from(bytes).into()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Bytes::from(text).into()
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Bytes::from_static(text.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Body {
        Bytes::from_static(bytes).into()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.get_mut().0 {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream(chunks) => {
                let chunks = chunks.get_mut().unwrap_or_else(PoisonError::into_inner);
                chunks
                    .as_mut()
                    .poll_next(cx)
                    .map(|chunk| chunk.map(|c| c.map(Frame::data)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.0, Kind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Stream(_) => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[tokio::test]
    async fn bodies_give_their_bytes_once_and_streams_their_chunks() {
        let body = Body::from("hello");
        assert_eq!(body.as_bytes(), Some(&b"hello"[..]));
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(5));
        assert_eq!(body.collect().await.unwrap().to_bytes(), "hello");

        let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>("a"), Ok("b")]);
        let body = Body::wrap_stream(chunks);
        assert!(body.as_bytes().is_none());
        assert_eq!(body.collect().await.unwrap().to_bytes(), "ab");

        let failing = futures_util::stream::iter([Err::<&str, _>(std::io::Error::other("gone"))]);
        let error = Body::wrap_stream(failing).collect().await.unwrap_err();
        assert_eq!(error.to_string(), "gone");
    }
}
