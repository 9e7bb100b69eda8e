//! Copying container output to writers ([`copy_output`]) at the daemon's speed for any line
//! length, while interactive output still appears at once.
//!
//! A daemon sends each line as its own frame (and usually its own HTTP chunk). Writing and
//! flushing every frame costs a system call, and with `tokio::io::stdout()` a hop to the blocking
//! pool, per line: for 2-byte lines that is millions of round trips. Here everything that is
//! already available is written into one buffer per target, and the targets are flushed only
//! when no more output is ready (or the stream ends, or fails). A TTY session echoing keystrokes
//! or `logs -f` of a slow writer is flushed frame by frame, because the next frame is never ready
//! yet; a fast stream is written in large batches. Order across stdout and stderr is kept: a
//! target's buffer is flushed before the other target is written.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{FutureExt, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};

use super::demux::{OutputChunk, StdStream};
use crate::error::{Cause, Error, StreamError};

/// How much output is gathered per target before it is written.
const BATCH: usize = 64 * 1024;

/// Copies container output to `stdout` and `stderr` as it arrives, like Go's `stdcopy.StdCopy`
/// (TTY output goes to `stdout`); returns the bytes written to each.
///
/// Output that is ready is written in batches and flushed as soon as nothing more is ready, so
/// fast streams cost few writes and interactive ones appear at once. Output received before an
/// error is written and flushed before the error is returned.
pub async fn copy_output<S, O, E>(
    mut output: S,
    stdout: &mut O,
    stderr: &mut E,
) -> Result<(u64, u64), Error>
where
    S: futures_core::Stream<Item = Result<OutputChunk, StreamError>> + Unpin,
    O: AsyncWrite + Unpin,
    E: AsyncWrite + Unpin,
{
    let mut out = Target::new(stdout);
    let mut err = Target::new(stderr);
    loop {
        // Wait for output, then take everything else that is ready without waiting.
        let mut next = output.next().await;
        loop {
            match next {
                None => {
                    out.flush().await?;
                    err.flush().await?;
                    return Ok((out.written, err.written));
                }
                Some(Err(e)) => {
                    // What came before the failure is shown before it is reported.
                    out.flush().await?;
                    err.flush().await?;
                    return Err(e.into());
                }
                Some(Ok(chunk)) => {
                    // The other target is flushed first, to keep the order across the two.
                    if chunk.stream == StdStream::Stderr {
                        out.flush().await?;
                        err.write(&chunk.bytes).await?;
                    } else {
                        err.flush().await?;
                        out.write(&chunk.bytes).await?;
                    }
                }
            }
            match output.next().now_or_never() {
                Some(item) => next = item,
                None => break,
            }
        }
        // Nothing more is ready: show what was gathered.
        out.flush().await?;
        err.flush().await?;
    }
}

/// The process's stdout or stderr as an `AsyncWrite` that writes on the calling thread, for
/// [`copy_output`] in a command-line program: `tokio::io::stdout()` hands every write (and
/// flush) to the blocking pool and waits for it, a thread hop per batch of output. This writes
/// directly, as the docker CLI does; a terminal or pipe that is not read blocks the task (and its
/// runtime thread) until it is, which is what a program whose job is to show the output wants.
#[derive(Debug)]
pub struct StdioWriter<W>(W);

impl StdioWriter<std::io::Stdout> {
    /// This process's stdout.
    pub fn stdout() -> Self {
        StdioWriter(std::io::stdout())
    }
}

impl StdioWriter<std::io::Stderr> {
    /// This process's stderr.
    pub fn stderr() -> Self {
        StdioWriter(std::io::stderr())
    }
}

impl<W: std::io::Write + Unpin> AsyncWrite for StdioWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.get_mut().0.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(self.get_mut().0.flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.poll_flush(cx)
    }
}

/// One output target: a buffer in front of the caller's writer, flushed only when it holds
/// something.
struct Target<'w, W: AsyncWrite + Unpin> {
    writer: BufWriter<&'w mut W>,
    dirty: bool,
    written: u64,
}

impl<'w, W: AsyncWrite + Unpin> Target<'w, W> {
    fn new(writer: &'w mut W) -> Self {
        Self {
            writer: BufWriter::with_capacity(BATCH, writer),
            dirty: false,
            written: 0,
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError> {
        self.writer.write_all(bytes).await.map_err(io)?;
        self.dirty = true;
        self.written += bytes.len() as u64;
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), StreamError> {
        if std::mem::take(&mut self.dirty) {
            self.writer.flush().await.map_err(io)?;
        }
        Ok(())
    }
}

fn io(e: std::io::Error) -> StreamError {
    StreamError::Connection {
        reason: format!("writing output: {e}"),
        source: Some(Cause::new(e)),
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    /// What one writer was given: its bytes, the length at each flush, the number of writes.
    #[derive(Default)]
    struct Log(Vec<u8>, Vec<usize>, usize);

    /// The writes of several writers in order, by writer name.
    type Writes = Arc<Mutex<Vec<(u8, Vec<u8>)>>>;

    /// A writer that records what it was given and each flush.
    #[derive(Clone, Default)]
    struct Recorder {
        log: Arc<Mutex<Log>>,
        name: u8,
        shared: Option<Writes>,
    }

    impl AsyncWrite for Recorder {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            let mut log = self.log.lock().unwrap();
            log.0.extend_from_slice(buf);
            log.2 += 1;
            if let Some(shared) = &self.shared {
                shared.lock().unwrap().push((self.name, buf.to_vec()));
            }
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            let mut log = self.log.lock().unwrap();
            let len = log.0.len();
            log.1.push(len);
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn chunk(stream: StdStream, bytes: &'static [u8]) -> Result<OutputChunk, StreamError> {
        Ok(OutputChunk {
            stream,
            bytes: Bytes::from_static(bytes),
        })
    }

    #[tokio::test]
    async fn ready_output_is_written_in_one_batch_and_flushed_once() {
        let items: Vec<_> = (0..10_000)
            .map(|_| chunk(StdStream::Stdout, b"y\n"))
            .collect();
        let (mut out, mut err) = (Recorder::default(), Recorder::default());
        let counts = copy_output(futures_util::stream::iter(items), &mut out, &mut err)
            .await
            .unwrap();
        assert_eq!(counts, (20_000, 0));
        let log = out.log.lock().unwrap();
        assert_eq!(log.0.len(), 20_000);
        // 20,000 bytes in 64 KiB batches: one write, one flush (not 10,000 of each).
        assert_eq!((log.2, log.1.as_slice()), (1, &[20_000][..]));
        assert!(
            err.log.lock().unwrap().1.is_empty(),
            "nothing to flush on stderr"
        );
    }

    #[tokio::test]
    async fn output_is_flushed_as_soon_as_nothing_more_is_ready() {
        // One line, then a stream that has nothing more for now (a slow writer, a TTY session).
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let output = tokio_stream_of(rx);
        let (mut out, mut err) = (Recorder::default(), Recorder::default());
        let log = out.log.clone();
        let copying = tokio::spawn(async move { copy_output(output, &mut out, &mut err).await });
        tx.send(chunk(StdStream::Stdout, b"$ ")).unwrap();
        let seen = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if log.lock().unwrap().1.contains(&2) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(
            seen.is_ok(),
            "the prompt was not flushed while the stream waits"
        );
        drop(tx);
        assert_eq!(copying.await.unwrap().unwrap(), (2, 0));
    }

    #[tokio::test]
    async fn order_across_stdout_and_stderr_is_kept() {
        let shared = Arc::new(Mutex::new(Vec::new()));
        let mut out = Recorder {
            name: 1,
            shared: Some(shared.clone()),
            ..Recorder::default()
        };
        let mut err = Recorder {
            name: 2,
            shared: Some(shared.clone()),
            ..Recorder::default()
        };
        let items = vec![
            chunk(StdStream::Stdout, b"a"),
            chunk(StdStream::Stdout, b"b"),
            chunk(StdStream::Stderr, b"c"),
            chunk(StdStream::Stdout, b"d"),
            chunk(StdStream::Stderr, b"e"),
        ];
        copy_output(futures_util::stream::iter(items), &mut out, &mut err)
            .await
            .unwrap();
        let writes = shared.lock().unwrap().clone();
        assert_eq!(
            writes,
            vec![
                (1, b"ab".to_vec()),
                (2, b"c".to_vec()),
                (1, b"d".to_vec()),
                (2, b"e".to_vec())
            ]
        );
    }

    #[tokio::test]
    async fn output_before_an_error_is_written_then_the_error_returned() {
        let items = vec![
            chunk(StdStream::Stdout, b"partial"),
            Err(StreamError::Connection {
                reason: "cut".into(),
                source: None,
            }),
            chunk(StdStream::Stdout, b"never"),
        ];
        let (mut out, mut err) = (Recorder::default(), Recorder::default());
        let e = copy_output(futures_util::stream::iter(items), &mut out, &mut err)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("cut"), "{e}");
        let log = out.log.lock().unwrap();
        assert_eq!(
            (log.0.as_slice(), log.1.as_slice()),
            (&b"partial"[..], &[7][..])
        );
    }

    fn tokio_stream_of(
        mut rx: tokio::sync::mpsc::UnboundedReceiver<Result<OutputChunk, StreamError>>,
    ) -> impl futures_core::Stream<Item = Result<OutputChunk, StreamError>> + Unpin {
        Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
    }
}
