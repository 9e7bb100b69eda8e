//! A typed client for the Docker Engine API, generated at build time from Docker's own versioned
//! specs: one module per API version (`v1_25` … `v1_55`), each behind the cargo feature of the
//! same name. `v1_55` is on by default; any set of versions compiles together.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use docker_engine_client::v1_55;
//! let client = v1_55::Client::new("http://localhost:2375/v1.55", Default::default());
//! let containers = client.container_list().all(true).send().await?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod hooks;
pub mod http;

// One `pub mod v1_NN { include!(...) }` per enabled version feature, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/versions.rs"));
