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
//! # API versions: which feature to enable
//!
//! Each Engine API version is a feature and a module. What a version's types are is fixed by
//! Docker's spec of that version; which version goes on the wire is negotiated at run time (the
//! lower of the compiled version and the daemon's), so one compiled version talks to older and
//! newer Engines alike, within what the daemon accepts (Engine 29 refuses API versions below its
//! minimum: 1.44 by default, 1.40 from 29.3; such a daemon answers with a
//! [`VersionError`](crate::error::VersionError)).
//!
//! - **A library** (an SDK, a test harness) names the version it was written against and turns the
//!   default off: `docker-engine-client = { version = "0.1", default-features = false, features =
//!   ["v1_41"] }`, and exposes `v1_41` types in its own API. It then never changes under its users
//!   when this crate's default moves.
//! - **An application** picks one version, usually the newest it needs types from (the default,
//!   `v1_55`, is the newest Engine at this release).
//! - **Features are additive.** Two libraries that chose different versions still build together
//!   in one application: each version is its own module (`v1_41::types::ContainerSummary` and
//!   `v1_55::types::ContainerSummary` are different types), and everything else (connecting,
//!   streams, credentials, `run`, filters) is version-independent and shared.
//! - **A new Engine release** adds a `v1_NN` feature and module (not a breaking change for
//!   anyone who names their versions) and moves the default to it (listed in the CHANGELOG; a
//!   breaking change only for code that relies on `default` and names the old version's types).
//!
//! Only the default version and `tls` are documented on docs.rs; other versions' docs are built
//! locally with their feature: `cargo doc --no-default-features --features v1_41 --open`.
//!
//! # Where the specs come from
//!
//! The published package carries Docker's spec files (Apache-2.0, with their license) in `spec/`,
//! pinned by sha256 in `spec/manifest.toml`; the build script checks each one it uses. A git
//! dependency or a vendored copy of the repository has no specs (they are never committed): point
//! the environment variable `DOCKER_ENGINE_API_SPECS` at an absolute folder holding Docker's
//! `v1.NN.yaml` files (they are checked against the same sha256s), or run `cargo xtask spec sync`
//! in a checkout.
//!
//! # Modules
//!
//! [`docker`] (connecting and handing out clients), [`host`] (`DOCKER_HOST` strings), [`context`]
//! (the CLI's config directory and contexts), [`tls`], `negotiate` (API versions), [`error`],
//! [`stream`] (logs, JSON messages, attach/exec), [`auth`] (registry credentials), [`run`]
//! (`docker run` in one call), [`filters`] (typed `filters` parameters), [`hooks`] (what every
//! version's client runs around a request), [`http`] (HTTP client defaults), [`version`].

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
