//! Connecting: from settings (code, or the environment as the docker CLI reads it) to a
//! [`Docker`] handle with one pooled HTTP client, which negotiates the API version and hands out
//! the typed client of any enabled version.
//!
//! [`DockerBuilder`] (settings and the CLI's environment rules) → [`Host`] (`DOCKER_HOST`
//! strings; without one, the default socket or, when it is missing, discovery) + [`TlsOptions`]
//! (rustls from PEM files) + proxies (as Go's `ProxyFromEnvironment`) + for `ssh://` a forwarder
//! socket in front of the system `ssh` → [`Docker`] → negotiation (`/_ping`, `/version`, through
//! the one request path) → `v1_NN::Client`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), docker_engine_client::Error> {
//! use docker_engine_client::{Docker, v1_55};
//! let docker = Docker::from_env()?;
//! let client: v1_55::Client = docker.client().await?; // speaks min(1.55, daemon's version)
//! let containers = client.container_list().all(true).send().await?;
//! # Ok(()) }
//! ```

mod builder;
#[cfg(unix)]
mod discover;
mod docker;
mod host;
mod negotiate;
mod proxy;
#[cfg(unix)]
mod ssh;
mod tls;

pub use builder::DockerBuilder;
pub use docker::Docker;
pub use host::Host;
pub use tls::TlsOptions;
#[cfg(feature = "tls")]
pub(crate) use tls::proxy_config;
