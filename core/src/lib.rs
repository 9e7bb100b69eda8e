//! The version-independent half of
//! [docker-engine-client](https://docs.rs/docker-engine-client): connecting like the docker CLI
//! and negotiating ([`Docker`]), the one request path of every call (generated or handwritten),
//! the crate's errors ([`Error`]), registry credentials ([`auth`]), streams ([`stream`]), `docker
//! run` in one call ([`run`]), containers for tests ([`container`]), typed filters ([`filters`]),
//! build contexts and builds ([`build_context`], [`build`]).
//!
//! **Depend on docker-engine-client**: it re-exports everything here under the same paths
//! (`docker_engine_client::Docker`, `docker_engine_client::run::Run`, ...) beside the typed
//! clients of each API version that its build script generates. This crate is separate so that a
//! consumer's build compiles it while the generator is still being built, instead of after it.
//! Nothing here depends on a version's generated types: what needs a client takes any
//! [`ApiClient`], the trait every generated `Client` implements.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod archive;
pub mod auth;
pub mod build;
pub mod build_context;
pub mod cli_config;
mod connect;
pub mod container;
mod error;
pub mod filters;
mod random;
pub mod run;
pub mod stream;
mod transport;
mod version;
mod wire;

pub use connect::{Docker, DockerBuilder, Host, TlsOptions};
pub use error::{
    ApiError, ApiErrorKind, AuthError, BuildError, Cause, ConfigError, ContainerError, DecodeError,
    Error, RunError, StreamError, TransportError, VersionError,
};
pub use transport::{ApiClient, ClientState, USER_AGENT, http_client_builder};
pub use version::ApiVersion;
pub use wire::{
    Body, ByteStream, HttpClient, HttpClientBuilder, HttpError, Request, RequestBuilder, Response,
    ResponseValue, Upgraded,
};

/// The target of every tracing span and event of this crate: the crate users depend on, so that
/// a filter such as `RUST_LOG=docker_engine_client=debug` selects them (the module each comes
/// from is still in its metadata).
pub(crate) const LOG_TARGET: &str = "docker_engine_client";

/// What docker-engine-client's generated clients call (as `crate::transport::…`): the request
/// steps, response wrapping, error mapping, key-set codec and struct-field decoding and encoding
/// of the one request path. Not an API: it changes with the generator, which is released together
/// with this crate.
#[doc(hidden)]
pub mod __generated {
    pub use crate::transport::{
        STREAMING_OPERATIONS, StructOut, default_client, empty_response, exec, fields,
        from_generated, json_response, key_set, pre, stream_response,
    };
    pub use crate::wire::runtime::{
        ClientHooks, ClientInfo, Error, OperationInfo, QueryParam, RequestBuilderExt, encode_path,
    };
    pub use crate::wire::{
        Body, ByteStream, HttpClient, HttpError, Request, Response, ResponseValue, Upgraded,
    };
    pub use http::header;

    /// What a request's sending returns.
    pub type HttpResult<T> = Result<T, HttpError>;
}
