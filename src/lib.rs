//! A typed client for the Docker Engine API, generated at build time from Docker's own versioned
//! specs: one module per API version (`v1_25` … `v1_55`), each behind the cargo feature of the
//! same name. `v1_55` is on by default; any set of versions compiles together.
//!
//! ```no_run
//! # async fn demo() -> Result<(), docker_engine_client::Error> {
//! use docker_engine_client::{Docker, v1_55};
//!
//! // DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION, contexts: as the CLI.
//! let docker = Docker::from_env()?;
//! // The v1.55 types, speaking min(1.55, the daemon's API version) on the wire.
//! let client: v1_55::Client = docker.client().await?;
//! for container in client.container_list().all(true).send().await?.into_inner() {
//!     println!("{:?} {:?}", container.id, container.names);
//! }
//! # Ok(()) }
//! ```
//!
//! Modules, each with one job: [`docker`] (connecting and handing out clients), [`host`]
//! (`DOCKER_HOST` strings), [`context`] (the CLI's config directory and contexts), [`tls`],
//! `negotiate` (API versions), [`error`], [`stream`] (logs, JSON messages, attach/exec), [`auth`] (registry credentials), [`run`] (`docker run` in one call), [`filters`] (typed `filters` parameters), [`hooks`] (what every version's client runs around a
//! request), [`http`] (HTTP client defaults), [`version`].

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod archive;
pub mod auth;
pub mod build_context;
pub mod context;
pub mod docker;
pub mod error;
pub mod filters;
pub mod hooks;
pub mod host;
pub mod http;
mod negotiate;
mod raw;
#[doc(hidden)]
pub mod response;
pub mod run;
pub mod stream;
pub mod tls;
pub mod version;

pub use docker::{Docker, DockerBuilder};
pub use error::{
    ApiError, ApiErrorKind, AuthError, ConfigError, DecodeError, Error, RunError, StreamError,
    TransportError, VersionError,
};
pub use host::Host;
pub use tls::TlsOptions;
pub use version::{ApiClient, ApiVersion};

// One `pub mod v1_NN { include!(...) }` per enabled version feature, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/versions.rs"));
