//! Docker's streams, for every enabled API version: container output (stdcopy demultiplexing,
//! raw TTY output), JSON message streams and their progress messages, hijacked attach/exec,
//! WebSocket attach, and copying output to writers.
//!
//! Every stream ends: at the end of the body, with an error item when the connection breaks or
//! the body stops mid-frame, and dropping a stream closes its connection.

pub mod body;
pub mod demux;
pub mod hijack;
pub mod json;
pub mod progress;
pub mod websocket;

use futures_util::StreamExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};

pub use body::{BodyStream, ByteStreamExt};
pub use demux::{Demuxer, Framing, OutputChunk, OutputStream, StdStream};
pub use hijack::{AttachOptions, Hijacked, Stdin, attach, exec_start};
pub use json::{JsonStream, MAX_MESSAGE};
pub use progress::{Progress, ProgressDetail};
pub use websocket::{WebSocketAttach, WebSocketOutput, WebSocketStdin, attach_websocket};

use crate::error::{Error, StreamError};

/// Copies container output to `stdout` and `stderr` as it arrives, like Go's `stdcopy.StdCopy`
/// (TTY output goes to `stdout`); returns the bytes written to each.
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
    let (mut out, mut err) = (0u64, 0u64);
    while let Some(item) = output.next().await {
        let item = item?;
        let io = |e: std::io::Error| StreamError::Connection {
            reason: format!("writing output: {e}"),
            source: Some(crate::error::Cause::new(e)),
        };
        match item.stream {
            StdStream::Stderr => {
                stderr.write_all(&item.bytes).await.map_err(io)?;
                stderr.flush().await.map_err(io)?;
                err += item.bytes.len() as u64;
            }
            _ => {
                stdout.write_all(&item.bytes).await.map_err(io)?;
                stdout.flush().await.map_err(io)?;
                out += item.bytes.len() as u64;
            }
        }
    }
    Ok((out, err))
}
