//! Registry authentication: [`Credentials`] and their `X-Registry-Auth` / `X-Registry-Config`
//! wire form, the docker CLI's credential store ([`CredentialStore`]: `config.json` and credential
//! helpers) and image references' registries.
//!
//! Every generated operation that takes registry credentials (image pull and push, service
//! create and update, plugin pull and upgrade, distribution inspect, build) takes them typed:
//! `.x_registry_auth(&credentials)`, `.x_registry_config(&registry_config)`. The headers are
//! marked sensitive, so they never show in debug output.
//!
//! ```no_run
//! # async fn demo() -> Result<(), docker_engine_client::Error> {
//! use docker_engine_client::{Docker, auth::CredentialStore, v1_55};
//! let docker = Docker::from_env()?;
//! let client: v1_55::Client = docker.client().await?;
//! let image = "127.0.0.1:5000/team/app";
//! let creds = CredentialStore::from_env().for_image(image).await?;
//! let progress = client.image_push().name(image).tag("1").x_registry_auth(&creds).send().await?;
//! # Ok(()) }
//! ```

mod credentials;
mod helper;
pub mod reference;
mod store;

pub use credentials::{Credentials, RegistryConfig};
pub use store::{CredentialStore, DEFAULT_HELPER_TIMEOUT};
