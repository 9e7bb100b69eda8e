//! The seam between the generated clients and the handwritten crate, and the one request path
//! every request takes.
//!
//! Each version's generated `Client` calls into the crate only through this module: its per-client
//! state ([`ClientState`], progenitor's "inner" value), the request steps around each call
//! ([`pre`](steps::pre): media types, the client's timeout, credential headers marked sensitive;
//! [`exec`](steps::exec): the `docker.request` tracing span, errors without their URL), the
//! wrapping of responses, and the mapping of failures and error statuses to the crate's
//! [`Error`](crate::Error) (bounded error bodies, transport failures classified with their causes),
//! and the road each request takes ([`roads`]: streaming `GET`s on connections of their own, read
//! in the reader's task; the HTTP layer itself is `wire`).
//! Handwritten requests (`run`, hijacked attach/exec, negotiation) go through the same steps via
//! [`Requests`]. The generated types' key sets (`ExposedPorts`, `Volumes`) are read and written
//! by [`key_set`], their `Deserialize` impls share [`fields`] and their `Serialize` impls
//! [`StructOut`]. Items that only generated code needs are public here, reachable only through
//! the crate's hidden `__generated` module, which docker-engine-client's generated code calls.

mod api_client;
mod defaults;
mod errors;
pub mod fields;
mod handwritten;
pub mod key_set;
mod responses;
mod roads;
mod state;
mod steps;
mod struct_out;

pub use api_client::ApiClient;
pub use defaults::default_client;
pub use defaults::{USER_AGENT, http_client_builder};
pub use errors::from_generated;
pub(crate) use errors::{from_http, from_response};
pub(crate) use handwritten::{Requests, segment};
pub use responses::{empty_response, json_response, stream_response};
pub use roads::STREAMING_OPERATIONS;
pub use state::ClientState;
pub(crate) use state::{ClientSettings, DialFailure, Dialer};
pub use steps::{exec, pre};
pub use struct_out::StructOut;
