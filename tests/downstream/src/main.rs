//! A downstream program: connects like the docker CLI, pings the daemon and lists its
//! containers, with whichever API version the build enabled.

use docker_engine_client::{ApiClient, Docker};

// The newest version this build enabled, as a library would pick its types.
#[cfg(any(feature = "client-default", feature = "v1_55"))]
use docker_engine_client::v1_55 as api;
#[cfg(all(
    feature = "v1_41",
    not(any(feature = "client-default", feature = "v1_55"))
))]
use docker_engine_client::v1_41 as api;

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let docker = Docker::from_env()?;
    let client: api::Client = docker.client().await?;
    let ping = client.system_ping().send().await?.status();
    let containers = client.container_list().all(true).send().await?.into_inner();
    println!(
        "downstream: compiled v{}, speaking v{}, /_ping {}, {} containers",
        <api::Client as ApiClient>::VERSION,
        client.api_version().map(|v| v.to_string()).unwrap_or_default(),
        ping,
        containers.len()
    );
    Ok(())
}
