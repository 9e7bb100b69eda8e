//! JSON message streams (pull, push, build, load, import, events, stats): one JSON value after
//! another, usually one per line (`application/json`, `jsonl`, `x-ndjson`), or with RS separators
//! (`application/json-seq`). Values split across chunks, several in one chunk and a last value
//! without a newline all decode; a value carrying `error`/`errorDetail` becomes an `Err` item with
//! the daemon's message, so a failed pull does not look like a successful one.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes, BytesMut};
use futures_core::Stream;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{StreamError, snippet};

/// The longest single message accepted (a longer one is an error, not an allocation).
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// JSON-seq's record separator.
const RS: u8 = 0x1e;

/// A stream of `T`s decoded from a JSON message stream.
pub struct JsonStream<S, T> {
    inner: S,
    buffer: BytesMut,
    done: bool,
    failed: bool,
    limit: usize,
    _items: PhantomData<fn() -> T>,
}

impl<S, T> JsonStream<S, T> {
    /// Decodes `inner`, a stream of body chunks.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            buffer: BytesMut::new(),
            done: false,
            failed: false,
            limit: MAX_MESSAGE,
            _items: PhantomData,
        }
    }

    /// Sets the longest message accepted (default [`MAX_MESSAGE`]).
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }
}

#[derive(serde::Deserialize)]
struct ErrorProbe {
    error: Option<String>,
    #[serde(rename = "errorDetail")]
    error_detail: Option<ErrorDetail>,
}

#[derive(serde::Deserialize)]
struct ErrorDetail {
    message: Option<String>,
}

/// The next complete value in `buffer`: `Ok(None)` when more bytes are needed.
fn next_value<T: DeserializeOwned>(buffer: &mut BytesMut) -> Result<Option<T>, StreamError> {
    let mut values = serde_json::Deserializer::from_slice(buffer).into_iter::<Box<RawValue>>();
    let raw = match values.next() {
        None => {
            // Only whitespace.
            buffer.clear();
            return Ok(None);
        }
        Some(Err(e)) if e.is_eof() => return Ok(None),
        Some(Err(e)) => {
            // Skip the bad line, so later messages still decode.
            let start = buffer
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(buffer.len());
            buffer.advance(start);
            let end = buffer
                .iter()
                .position(|&b| b == b'\n')
                .map_or(buffer.len(), |i| i + 1);
            let snippet = snippet(&buffer[..end]).trim_end().to_string();
            buffer.advance(end);
            return Err(StreamError::Json {
                message: e.to_string(),
                snippet,
            });
        }
        Some(Ok(raw)) => {
            let used = values.byte_offset();
            buffer.advance(used);
            raw
        }
    };
    let text = raw.get();
    if text.contains("\"error") {
        let probe: ErrorProbe = serde_json::from_str(text).unwrap_or(ErrorProbe {
            error: None,
            error_detail: None,
        });
        let message = probe.error_detail.and_then(|d| d.message).or(probe.error);
        if let Some(message) = message.filter(|m| !m.is_empty()) {
            return Err(StreamError::Daemon { message });
        }
    }
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| StreamError::Json {
            message: e.to_string(),
            snippet: snippet(text.as_bytes()),
        })
}

impl<S, T> Stream for JsonStream<S, T>
where
    S: Stream<Item = Result<Bytes, StreamError>> + Unpin,
    T: DeserializeOwned,
{
    type Item = Result<T, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.failed {
                return Poll::Ready(None);
            }
            match next_value::<T>(&mut this.buffer) {
                Ok(Some(value)) => return Poll::Ready(Some(Ok(value))),
                Err(e) => return Poll::Ready(Some(Err(e))),
                Ok(None) => {}
            }
            if this.done {
                if this.buffer.iter().all(u8::is_ascii_whitespace) {
                    return Poll::Ready(None);
                }
                this.failed = true;
                return Poll::Ready(Some(Err(StreamError::Json {
                    message: "the stream ended inside a message".into(),
                    snippet: snippet(&this.buffer),
                })));
            }
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) => {
                    if this.buffer.len() + chunk.len() > this.limit {
                        this.failed = true;
                        return Poll::Ready(Some(Err(StreamError::TooLong { limit: this.limit })));
                    }
                    let start = this.buffer.len();
                    this.buffer.extend_from_slice(&chunk);
                    for b in &mut this.buffer[start..] {
                        if *b == RS {
                            *b = b'\n';
                        }
                    }
                }
                Some(Err(e)) => {
                    this.failed = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => this.done = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Progress {
        status: String,
        id: Option<String>,
    }

    fn decode(chunks: &[&[u8]]) -> Vec<Result<Progress, String>> {
        let chunks: Vec<Result<Bytes, StreamError>> = chunks
            .iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let stream = JsonStream::<_, Progress>::new(futures_util::stream::iter(chunks));
        block_on(futures_util::StreamExt::collect::<Vec<_>>(stream))
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn ok(status: &str, id: Option<&str>) -> Result<Progress, String> {
        Ok(Progress {
            status: status.into(),
            id: id.map(Into::into),
        })
    }

    #[test]
    fn lines_split_anywhere_and_several_per_chunk() {
        let body = b"{\"status\":\"Pulling\",\"id\":\"a\"}\n{\"status\":\"Done\"}\r\n\n{\"status\":\"Last\"}";
        let expected = vec![ok("Pulling", Some("a")), ok("Done", None), ok("Last", None)];
        assert_eq!(decode(&[body]), expected);
        for cut in 0..=body.len() {
            assert_eq!(
                decode(&[&body[..cut], &body[cut..]]),
                expected,
                "cut at {cut}"
            );
        }
        let bytewise: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(decode(&bytewise), expected);
    }

    #[test]
    fn json_seq_separators() {
        assert_eq!(
            decode(&[b"\x1e{\"status\":\"a\"}\n\x1e{\"status\":\"b\"}\n"]),
            vec![ok("a", None), ok("b", None)]
        );
    }

    #[test]
    fn an_error_message_is_an_error_item() {
        let out = decode(&[b"{\"status\":\"Pulling\"}\n{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n"]);
        assert_eq!(
            out,
            vec![
                ok("Pulling", None),
                Err("the daemon reported: manifest unknown".into())
            ]
        );
        let out = decode(&[b"{\"error\":\"only the short form\"}"]);
        assert_eq!(
            out,
            vec![Err("the daemon reported: only the short form".into())]
        );
    }

    #[test]
    fn malformed_lines_are_errors_and_the_stream_goes_on() {
        let out = decode(&[b"{\"status\":\"a\"}\n{nope}\n{\"status\":\"b\"}\n"]);
        assert_eq!(out[0], ok("a", None));
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .contains("malformed JSON message"),
            "{out:?}"
        );
        assert_eq!(out[2], ok("b", None));
        let out = decode(&[b"{\"status\":\"a\"}\n{\"status\":"]);
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .contains("ended inside a message"),
            "{out:?}"
        );
    }

    #[test]
    fn a_huge_message_is_refused_not_buffered() {
        let chunks: Vec<Result<Bytes, StreamError>> = vec![
            Ok(Bytes::from(vec![b' '; 10])),
            Ok(Bytes::from(vec![b'x'; 100])),
        ];
        let stream =
            JsonStream::<_, Progress>::new(futures_util::stream::iter(chunks)).with_limit(64);
        let out = block_on(futures_util::StreamExt::collect::<Vec<_>>(stream));
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("longer than 64 bytes")
        );
    }
}
