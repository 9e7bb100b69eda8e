//! JSON message streams (pull, push, build, load, import, events, stats): one JSON value after
//! another, usually one per line (`application/json`, `jsonl`, `x-ndjson`), or with RS separators
//! (`application/json-seq`). Values split across chunks, several in one chunk, values written
//! back to back (`{..}{..}`), top-level scalars and a last value without a newline all decode; a
//! value carrying `error`/`errorDetail` becomes an `Err` item with the daemon's message, so a
//! failed pull does not look like a successful one.
//!
//! Why this module reads bytes itself: a message can arrive in thousands of small chunks, and
//! re-parsing the partial buffer from its start on every chunk would cost quadratic time: one
//! unterminated 16 MiB line in 1-byte chunks would keep a core busy for minutes.
//!
//! How it stays linear: a small incremental scanner (`scan.rs`: a push-down automaton over JSON's
//! structure: inside a string or not, after a backslash or not, a stack of open objects and
//! arrays, which token may come next) keeps its state between chunks and looks at each new byte
//! once, to find where a top-level value ends. Only the current value's bytes are kept, as slices
//! of the chunks they came in (no copy while it grows; joined once, in one allocation of the exact
//! size, when it is complete; a value that ends inside the chunk it started in is not copied at
//! all), and each complete value is parsed once, by serde_json, on exactly its bytes.
//!
//! Errors: a malformed value is an error item and decoding goes on with the next value. When
//! serde_json rejects a complete value, the next value starts right after it; when the scanner
//! itself sees a byte that no valid value can hold, the rest of that line is skipped (or, if the
//! bad byte is the first one on a new line, as when a line was cut short, decoding starts over
//! at it). A value longer than the limit is an error as soon as the chunk that crosses the limit
//! arrives; the rest of it is scanned without being kept, and the next value decodes.

mod scan;

use std::borrow::Cow;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes, BytesMut};
use futures_core::Stream;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::{StreamError, snippet};
use scan::{BodyEnd, Event, Scanner};

/// The longest single message accepted (a longer one is an error, not an allocation).
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// JSON-seq's record separator.
const RS: u8 = 0x1e;

/// The current value's bytes from earlier chunks, kept without copying where that is cheap and
/// joined once, when the value is complete (one allocation of the exact size, one copy), instead
/// of a buffer that doubles and re-copies as chunks arrive.
///
/// A slice of at least [`SHARE_AT_LEAST`] bytes is kept as the chunk's own `Bytes` (zero-copy);
/// smaller ones are copied into `small`, which is frozen into `parts` once it holds that much.
/// So `parts` has at most one entry per [`SHARE_AT_LEAST`] bytes, and the memory kept stays
/// within a few percent of the value's size, however the body is chunked.
#[derive(Default)]
struct Pieces {
    parts: Vec<Bytes>,
    small: BytesMut,
    len: usize,
}

/// Slices at least this long are shared with the chunk they came in rather than copied.
const SHARE_AT_LEAST: usize = 4 * 1024;

impl Pieces {
    fn push(&mut self, bytes: Bytes) {
        self.len += bytes.len();
        if bytes.len() >= SHARE_AT_LEAST {
            self.freeze_small();
            self.parts.push(bytes);
        } else {
            self.small.extend_from_slice(&bytes);
            if self.small.len() >= SHARE_AT_LEAST {
                self.freeze_small();
            }
        }
    }

    fn freeze_small(&mut self) {
        if !self.small.is_empty() {
            self.parts.push(self.small.split().freeze());
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// The kept bytes followed by `tail`, in one slice.
    fn joined<'a>(&'a self, tail: &'a [u8]) -> Cow<'a, [u8]> {
        if self.len == 0 {
            return Cow::Borrowed(tail);
        }
        if tail.is_empty() && self.small.is_empty() && self.parts.len() == 1 {
            return Cow::Borrowed(&self.parts[0]);
        }
        let mut all = Vec::with_capacity(self.len + tail.len());
        for part in &self.parts {
            all.extend_from_slice(part);
        }
        all.extend_from_slice(&self.small);
        all.extend_from_slice(tail);
        Cow::Owned(all)
    }

    fn clear(&mut self) {
        self.parts = Vec::new();
        self.small = BytesMut::new();
        self.len = 0;
    }
}

/// A stream of `T`s decoded from a JSON message stream.
pub struct JsonStream<S, T> {
    inner: S,
    /// What is left of the latest chunk. Its bytes before the scanner's position were consumed by
    /// the scanner and belong to the current value (the stream advances past everything else).
    pending: Bytes,
    /// The current value's bytes from earlier chunks (never more than `limit`).
    buffer: Pieces,
    scanner: Scanner,
    /// The current value is over the limit (already reported): it is scanned, not kept.
    skipping: bool,
    /// The inner stream ended.
    done: bool,
    /// This stream ended.
    finished: bool,
    limit: usize,
    _items: PhantomData<fn() -> T>,
}

impl<S, T> JsonStream<S, T> {
    /// Decodes `inner`, a stream of body chunks.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            pending: Bytes::new(),
            buffer: Pieces::default(),
            scanner: Scanner::new(MAX_MESSAGE),
            skipping: false,
            done: false,
            finished: false,
            limit: MAX_MESSAGE,
            _items: PhantomData,
        }
    }

    /// Sets the longest message accepted (default [`MAX_MESSAGE`]).
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self.scanner.set_limit(limit);
        self
    }

    /// Keeps `bytes` (a slice of the latest chunk) as part of the current value (the caller
    /// checked the limit).
    fn keep(&mut self, bytes: Bytes) {
        self.buffer.push(bytes);
    }

    /// Forgets the current value's bytes.
    fn release(&mut self) {
        self.buffer.clear();
    }

    /// The current value (`tail` is its part in the latest chunk) is longer than the limit.
    fn over_limit(&self, tail: &[u8]) -> bool {
        self.buffer.len() + tail.len() > self.limit
    }
}

impl<S, T: DeserializeOwned> JsonStream<S, T> {
    /// Scans what is left of the latest chunk up to the next item: `None` when it is all scanned.
    fn step(&mut self) -> Option<Result<T, StreamError>> {
        while !self.pending.is_empty() {
            match self.scanner.scan(&self.pending) {
                Event::Begin(at) => self.pending.advance(at),
                Event::End(at) => {
                    let tail = self.pending.split_to(at);
                    if let Some(item) = self.complete(&tail) {
                        return Some(item);
                    }
                }
                Event::Malformed { error_end, resume } => {
                    let head = self.pending.slice(..error_end);
                    self.pending.advance(resume);
                    if let Some(error) = self.malformed(&head) {
                        return Some(Err(error));
                    }
                }
                Event::More => {
                    let tail = std::mem::take(&mut self.pending);
                    if self.scanner.in_value() && !self.skipping {
                        if self.over_limit(&tail) {
                            self.skipping = true;
                            self.release();
                            return Some(Err(StreamError::TooLong { limit: self.limit }));
                        }
                        self.keep(tail);
                    }
                }
            }
        }
        None
    }

    /// The current value ended; `tail` is its part in the latest chunk.
    fn complete(&mut self, tail: &Bytes) -> Option<Result<T, StreamError>> {
        if std::mem::take(&mut self.skipping) {
            return None;
        }
        if self.over_limit(tail) {
            self.release();
            return Some(Err(StreamError::TooLong { limit: self.limit }));
        }
        let rs = self.scanner.rs_inside();
        let item = decode(&self.buffer.joined(tail), rs);
        self.release();
        Some(item)
    }

    /// The scanner found the current value malformed; `head` is its part in the latest chunk, up
    /// to the byte that shows it.
    fn malformed(&mut self, head: &Bytes) -> Option<StreamError> {
        if std::mem::take(&mut self.skipping) {
            return None;
        }
        if self.over_limit(head) {
            self.release();
            return Some(StreamError::TooLong { limit: self.limit });
        }
        let rs = self.scanner.rs_inside();
        let error = syntax_error(&self.buffer.joined(head), rs);
        self.release();
        Some(error)
    }

    /// The body ended (everything was scanned).
    fn finish(&mut self) -> Option<Result<T, StreamError>> {
        self.finished = true;
        let skipping = std::mem::take(&mut self.skipping);
        let item = match self.scanner.end_of_body() {
            BodyEnd::Outside => None,
            _ if skipping => None,
            BodyEnd::Complete => Some(decode(&self.buffer.joined(&[]), false)),
            BodyEnd::Cut => Some(Err(StreamError::Json {
                message: "the stream ended inside a message".into(),
                snippet: snippet(&self.buffer.joined(&[])),
            })),
        };
        self.release();
        item
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

/// `bytes` with the RS bytes it holds as whitespace turned into newlines, for serde_json.
fn without_rs(bytes: &[u8], rs_inside: bool) -> Cow<'_, [u8]> {
    if !rs_inside {
        return Cow::Borrowed(bytes);
    }
    Cow::Owned(
        bytes
            .iter()
            .map(|&b| if b == RS { b'\n' } else { b })
            .collect(),
    )
}

/// Decodes one complete value: the daemon's error when it carries one, else a `T`.
fn decode<T: DeserializeOwned>(bytes: &[u8], rs_inside: bool) -> Result<T, StreamError> {
    let bytes = without_rs(bytes, rs_inside);
    // `"error` anywhere (`"error"` or `"errorDetail"`): a vectorised search, not a byte loop.
    let mentions_error = memchr::memmem::find(&bytes, b"\"error").is_some();
    if mentions_error {
        let probe: ErrorProbe = serde_json::from_slice(&bytes).unwrap_or(ErrorProbe {
            error: None,
            error_detail: None,
        });
        let message = probe.error_detail.and_then(|d| d.message).or(probe.error);
        if let Some(message) = message.filter(|m| !m.is_empty()) {
            return Err(StreamError::Daemon { message });
        }
    }
    serde_json::from_slice(&bytes).map_err(|e| StreamError::Json {
        message: e.to_string(),
        snippet: snippet(&bytes),
    })
}

/// The error for a value the scanner found malformed at its last byte, in serde_json's words.
fn syntax_error(bytes: &[u8], rs_inside: bool) -> StreamError {
    let bytes = without_rs(bytes, rs_inside);
    let message = match serde_json::from_slice::<IgnoredAny>(&bytes) {
        Err(e) if !e.is_eof() => e.to_string(),
        _ => format!(
            "unexpected byte {:?} at byte {}",
            bytes.last().map_or('?', |&b| char::from(b)),
            bytes.len()
        ),
    };
    StreamError::Json {
        message,
        snippet: snippet(&bytes).trim_end().to_string(),
    }
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
            if this.finished {
                return Poll::Ready(None);
            }
            if let Some(item) = this.step() {
                return Poll::Ready(Some(item));
            }
            // Every byte received is scanned.
            if this.done {
                return Poll::Ready(this.finish());
            }
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) => this.pending = chunk,
                Some(Err(e)) => {
                    this.finished = true;
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

    use std::cell::Cell;
    use std::rc::Rc;

    use proptest::prelude::*;
    use serde_json::Value;

    #[derive(serde::Deserialize, Debug, Clone, PartialEq)]
    struct Progress {
        status: String,
        id: Option<String>,
    }

    fn decode_as<T: DeserializeOwned>(chunks: &[&[u8]], limit: usize) -> Vec<Result<T, String>> {
        let chunks: Vec<Result<Bytes, StreamError>> = chunks
            .iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let stream = JsonStream::<_, T>::new(futures_util::stream::iter(chunks)).with_limit(limit);
        block_on(futures_util::StreamExt::collect::<Vec<_>>(stream))
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    fn decode(chunks: &[&[u8]]) -> Vec<Result<Progress, String>> {
        decode_as(chunks, MAX_MESSAGE)
    }

    /// Decodes `body` whole, cut in two at every place, and byte by byte: the same items each time.
    fn decode_every_split<T>(body: &[u8], limit: usize) -> Vec<Result<T, String>>
    where
        T: DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let whole = decode_as::<T>(&[body], limit);
        for cut in 0..=body.len() {
            assert_eq!(
                decode_as::<T>(&[&body[..cut], &body[cut..]], limit),
                whole,
                "cut at {cut}"
            );
        }
        let bytewise: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(decode_as::<T>(&bytewise, limit), whole, "byte by byte");
        whole
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

    fn is_err_with(item: &Result<impl std::fmt::Debug, String>, text: &str) -> bool {
        item.as_ref().is_err_and(|e| e.contains(text))
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
        // Without newlines, and an RS inside a value (as whitespace), split anywhere.
        let body = b"\x1e{\"status\":\"a\"}\x1e{\"status\":\x1e\"b\"}\x1e";
        assert_eq!(
            decode_every_split::<Progress>(body, MAX_MESSAGE),
            vec![ok("a", None), ok("b", None)]
        );
    }

    #[test]
    fn values_back_to_back_without_newlines() {
        let body = b"{\"status\":\"a\"}{\"status\":\"b\",\"id\":\"x\"}{\"status\":\"c\"}";
        assert_eq!(
            decode_every_split::<Progress>(body, MAX_MESSAGE),
            vec![ok("a", None), ok("b", Some("x")), ok("c", None)]
        );
    }

    #[test]
    fn whitespace_between_values() {
        let body =
            b" \t\r\n{\"status\":\"a\"}  \n\n\t {\"status\" : \"b\" ,\n \"id\":\"c\"}\r\n  \n";
        assert_eq!(
            decode_every_split::<Progress>(body, MAX_MESSAGE),
            vec![ok("a", None), ok("b", Some("c"))]
        );
        assert_eq!(decode(&[b" \n\r\n\t ", b"\n"]), vec![]);
        assert_eq!(decode(&[]), vec![]);
    }

    #[test]
    fn top_level_scalars_and_strings() {
        let body = br#"1 -2.5e3 true false null "s" "a\"b\\" 7{"x":[1,{"y":null}]}[2,"]"]"q"8 9"#;
        let expected: Vec<Result<Value, String>> = [
            "1",
            "-2.5e3",
            "true",
            "false",
            "null",
            r#""s""#,
            r#""a\"b\\""#,
            "7",
            r#"{"x":[1,{"y":null}]}"#,
            r#"[2,"]"]"#,
            r#""q""#,
            "8",
            "9",
        ]
        .iter()
        .map(|text| Ok(serde_json::from_str(text).unwrap()))
        .collect();
        assert_eq!(decode_every_split::<Value>(body, MAX_MESSAGE), expected);
        // A number at the end of the body, and one before an RS.
        assert_eq!(
            decode_as::<Value>(&[b"4", b"2"], MAX_MESSAGE),
            vec![Ok(Value::from(42))]
        );
        assert_eq!(
            decode_as::<Value>(&[b"3\x1e4"], MAX_MESSAGE),
            vec![Ok(Value::from(3)), Ok(Value::from(4))]
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
        // An empty error is no error.
        let out = decode(&[b"{\"status\":\"fine\",\"error\":\"\"}"]);
        assert_eq!(out, vec![ok("fine", None)]);
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
    fn malformed_values_of_every_kind_are_skipped() {
        // Balanced but invalid (serde_json rejects the whole value), a wrong type, a bad bracket,
        // a control character in a string, a line cut short, garbage at the top level.
        let body = concat!(
            "{\"status\":\"a\"}\n",
            "{\"status\":tru}\n",
            "{\"status\":1}\n",
            "{\"status\":\"x\"] junk {\"status\":\"lost\"}\n",
            "{\"status\":\"cut\n",
            "{\"status\":\"b\",\"id\"\n",
            "{\"status\":\"c\"}\n",
            "} @@ {\"status\":\"d\"}"
        );
        let out = decode_every_split::<Progress>(body.as_bytes(), MAX_MESSAGE);
        let summary: Vec<String> = out
            .iter()
            .map(|r| match r {
                Ok(p) => format!("ok {}", p.status),
                Err(e) => e.clone(),
            })
            .collect();
        assert_eq!(out.len(), 10, "{summary:#?}");
        assert_eq!(out[0], ok("a", None));
        assert!(is_err_with(&out[1], "expected ident"), "{summary:#?}");
        assert!(
            is_err_with(&out[2], "invalid type: integer"),
            "{summary:#?}"
        );
        assert!(is_err_with(&out[3], "expected `,` or `}`"), "{summary:#?}");
        assert!(is_err_with(&out[4], "control character"), "{summary:#?}");
        assert!(is_err_with(&out[5], "expected `:`"), "{summary:#?}");
        assert_eq!(out[6], ok("c", None));
        assert!(is_err_with(&out[7], "expected value"), "{summary:#?}");
        assert!(is_err_with(&out[8], "expected value"), "{summary:#?}");
        assert_eq!(out[9], ok("d", None));
    }

    #[test]
    fn a_truncated_last_value_is_an_error() {
        for body in [
            &b"{\"status\":\"a\"}\n{\"status\":"[..],
            b"{\"status\":\"a\"}\n{\"status\":\"ab",
            b"{\"status\":\"a\"}\n[1,2",
            b"{\"status\":\"a\"}\n\"abc\\",
        ] {
            let out = decode_every_split::<Progress>(body, MAX_MESSAGE);
            assert_eq!(out.len(), 2, "{out:?}");
            assert_eq!(out[0], ok("a", None));
            assert!(is_err_with(&out[1], "ended inside a message"), "{out:?}");
        }
    }

    #[test]
    fn the_stream_ends_after_an_error_from_the_body() {
        let chunks: Vec<Result<Bytes, StreamError>> = vec![
            Ok(Bytes::from_static(b"{\"status\":\"a\"}\n{\"sta")),
            Err(StreamError::Connection {
                reason: "reset".into(),
                source: None,
            }),
            Ok(Bytes::from_static(b"tus\":\"b\"}\n")),
        ];
        let stream = JsonStream::<_, Progress>::new(futures_util::stream::iter(chunks));
        let out: Vec<_> = block_on(futures_util::StreamExt::collect::<Vec<_>>(stream))
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect();
        assert_eq!(
            out,
            vec![ok("a", None), Err("the stream broke off: reset".into())]
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

    #[test]
    fn an_over_limit_value_is_refused_then_skipped() {
        // Over the limit in a string, in nesting, and as a scalar; each time the next value decodes.
        let long_string = format!("{{\"status\":\"{}\"}}", "x".repeat(100));
        let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
        let body = format!(
            "{long_string}\n{{\"status\":\"a\"}}{deep}{{\"status\":\"b\"}}\n{} {{\"status\":\"c\"}}",
            "1".repeat(80)
        );
        let out = decode_every_split::<Progress>(body.as_bytes(), 64);
        let too_long = Err("a JSON message is longer than 64 bytes".to_string());
        assert_eq!(
            out,
            vec![
                too_long.clone(),
                ok("a", None),
                too_long.clone(),
                ok("b", None),
                too_long,
                ok("c", None)
            ]
        );
    }

    #[test]
    fn the_buffer_never_grows_past_the_limit() {
        let limit = 1000;
        let body = format!(
            "{{\"status\":\"{}\"}}\n{{\"status\":\"{}\"}}\n",
            "y".repeat(limit - 20),
            "x".repeat(3 * limit)
        );
        for size in [1, 7, 100, 999, 1000, 5000] {
            let chunks: Vec<Result<Bytes, StreamError>> = body
                .as_bytes()
                .chunks(size)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            let mut stream = JsonStream::<_, Progress>::new(futures_util::stream::iter(chunks))
                .with_limit(limit);
            let mut cx = Context::from_waker(std::task::Waker::noop());
            let mut out = Vec::new();
            loop {
                match Pin::new(&mut stream).poll_next(&mut cx) {
                    Poll::Ready(Some(item)) => out.push(item.map(|p| p.status.len())),
                    Poll::Ready(None) => break,
                    Poll::Pending => unreachable!("the body is all there"),
                }
                assert!(stream.buffer.len() <= limit, "chunks of {size}");
            }
            assert_eq!(
                out,
                vec![Ok(limit - 20), Err(StreamError::TooLong { limit })],
                "chunks of {size}"
            );
        }
    }

    /// A body that starts `prefix` then sends `chunk` forever, counting the chunks taken.
    fn endless(
        prefix: &'static [u8],
        chunk: Bytes,
        taken: Rc<Cell<usize>>,
    ) -> impl Stream<Item = Result<Bytes, StreamError>> + Unpin {
        let body = std::iter::once(Bytes::from_static(prefix))
            .chain(std::iter::repeat(chunk))
            .inspect(move |_| taken.set(taken.get() + 1))
            .map(Ok);
        futures_util::stream::iter(body)
    }

    #[test]
    fn an_endless_line_is_refused_when_it_crosses_the_limit() {
        let taken = Rc::new(Cell::new(0));
        let limit = 1 << 20;
        let body = endless(
            b"{\"status\":\"",
            Bytes::from(vec![b'x'; 1024]),
            taken.clone(),
        );
        let mut stream = JsonStream::<_, Progress>::new(body).with_limit(limit);
        let first = block_on(futures_util::StreamExt::next(&mut stream));
        assert_eq!(first, Some(Err(StreamError::TooLong { limit })));
        // The prefix and just enough chunks to pass the limit: the error comes with the bytes
        // that cross it, not at the end of the line.
        assert_eq!(taken.get(), 1 + limit / 1024);
        assert!(stream.buffer.len() <= limit);
    }

    fn big_message(len: usize) -> Bytes {
        let mut body = Vec::with_capacity(len + 16);
        body.extend_from_slice(b"{\"status\":\"");
        body.resize(len + 11, b'x');
        body.extend_from_slice(b"\"}\n");
        Bytes::from(body)
    }

    /// Decodes `body` in chunks of `size`: the length of each item's `status`.
    fn decode_chunked(body: &Bytes, size: usize, limit: usize) -> Vec<Result<usize, StreamError>> {
        let chunks = (0..body.len())
            .step_by(size)
            .map(|start| Ok(body.slice(start..body.len().min(start + size))));
        let stream =
            JsonStream::<_, Progress>::new(futures_util::stream::iter(chunks)).with_limit(limit);
        block_on(futures_util::StreamExt::collect::<Vec<_>>(stream))
            .into_iter()
            .map(|r| r.map(|p| p.status.len()))
            .collect()
    }

    #[test]
    fn a_16_mib_message_decodes_in_1_kib_and_64_kib_chunks() {
        let len = 16 << 20;
        let body = big_message(len);
        for size in [1024, 64 * 1024, body.len()] {
            assert_eq!(
                decode_chunked(&body, size, 32 << 20),
                vec![Ok(len)],
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn a_1_mib_message_decodes_in_1_byte_chunks() {
        let len = 1 << 20;
        let body = big_message(len);
        assert_eq!(decode_chunked(&body, 1, MAX_MESSAGE), vec![Ok(len)]);
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x7f]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                // Keys never named `error`: such objects are the daemon's errors.
                prop::collection::vec(("k[\\x00-\\x7f]{0,4}|k.{0,3}", inner), 0..6)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    /// `body` cut at `cuts` (indexes into its length).
    fn split<'a>(body: &'a [u8], cuts: &[prop::sample::Index]) -> Vec<&'a [u8]> {
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
        at.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for end in at.into_iter().chain([body.len()]) {
            chunks.push(&body[start..end]);
            start = end;
        }
        chunks
    }

    const SEPARATORS: [&str; 7] = ["\n", " ", "\r\n", "\x1e", "\n\x1e", "\t\n ", ""];

    fn jsonish_bytes() -> impl Strategy<Value = Vec<u8>> {
        let fragment = prop_oneof![
            3 => prop::sample::select(
                b"{}[]\":,\\ \n\r\t\x1e0123456789-.eEtrufalsn".to_vec()
            )
            .prop_map(|b| vec![b]),
            1 => any::<u8>().prop_map(|b| vec![b]),
            1 => prop::sample::select(vec![
                &b"{\"status\":\"a\"}"[..],
                b"{\"error\":\"e\"}",
                b"[1,{\"a\":[]}]",
                b"\"s\\\"\"",
                b"true",
                b"-1.5e3",
                b"\\u00e9",
            ])
            .prop_map(<[u8]>::to_vec),
        ];
        prop::collection::vec(fragment, 0..80).prop_map(|parts| parts.concat())
    }

    /// The randomized tests (`cargo xtask fuzz` runs them with a million cases each).
    mod properties {
        use super::*;

        proptest! {
            #[test]
            fn valid_values_decode_the_same_in_any_split(
                values in prop::collection::vec((json_value(), any::<bool>()), 1..6),
                separators in prop::collection::vec(0..SEPARATORS.len(), 6),
                cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
            ) {
                let mut body = String::new();
                let mut expected = Vec::new();
                for (i, (value, pretty)) in values.iter().enumerate() {
                    let text = if *pretty {
                        serde_json::to_string_pretty(value).unwrap()
                    } else {
                        serde_json::to_string(value).unwrap()
                    };
                    expected.push(Ok::<Value, String>(serde_json::from_str(&text).unwrap()));
                    body.push_str(&text);
                    // Nothing between two numbers or literals would make them one token.
                    let scalar = |v: &Value| matches!(v, Value::Null | Value::Bool(_) | Value::Number(_));
                    let separator = match SEPARATORS[separators[i]] {
                        "" if scalar(value) && values.get(i + 1).is_some_and(|(v, _)| scalar(v)) => "\n",
                        s => s,
                    };
                    body.push_str(separator);
                }
                let body = body.as_bytes();
                prop_assert_eq!(&decode_as::<Value>(&[body], MAX_MESSAGE), &expected);
                prop_assert_eq!(&decode_as::<Value>(&split(body, &cuts), MAX_MESSAGE), &expected);
            }

            #[test]
            fn any_bytes_in_any_split_give_the_same_items_and_never_panic(
                body in jsonish_bytes(),
                cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
                limit in prop_oneof![Just(4usize), Just(16), Just(MAX_MESSAGE)],
            ) {
                let whole = decode_as::<Value>(&[&body], limit);
                prop_assert_eq!(decode_as::<Value>(&split(&body, &cuts), limit), whole.clone());
                let bytewise: Vec<&[u8]> = body.chunks(1).collect();
                prop_assert_eq!(decode_as::<Value>(&bytewise, limit), whole);
            }
        }
    }
}
