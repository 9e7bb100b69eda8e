//! Docker's streams, for every enabled API version: container output (stdcopy demultiplexing,
//! raw TTY output), JSON message streams and their progress messages, hijacked attach/exec,
//! WebSocket attach (the `websocket` feature), and copying output to writers.
//!
//! Every stream ends: at the end of the body, with an error item when the connection breaks or
//! the body stops mid-frame, and dropping a stream closes its connection.

// One public path per item: the submodules are the crate's own, their public items are
// re-exported here.
pub(crate) mod body;
mod copy;
pub(crate) mod demux;
pub(crate) mod hijack;
mod json;
mod progress;
#[cfg(feature = "websocket")]
mod websocket;

pub use body::{BodyStream, ByteStreamExt};
pub use copy::{StdioWriter, copy_output};
pub use demux::{Demuxer, Framing, OutputChunk, OutputStream, StdStream};
pub use hijack::{AttachOptions, Hijacked, Stdin, attach, exec_start};
pub use json::{JsonStream, MAX_MESSAGE};
pub use progress::{Progress, ProgressDetail};
#[cfg(feature = "websocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
pub use websocket::{WebSocketAttach, WebSocketOutput, WebSocketStdin, attach_websocket};
