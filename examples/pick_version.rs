//! Picking an API version: each version is a cargo feature and a module (`v1_41`, `v1_55`…),
//! any set compiles together. A client of a version speaks the lower of its version and the
//! daemon's (negotiated), or exactly one version when pinned.
//!
//! `cargo run --example pick_version --features v1_41`

use docker_engine_client::{ApiClient, ApiVersion, Docker};

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let docker = Docker::from_env()?;

    // The newest types, negotiated down to what the daemon speaks.
    let newest: docker_engine_client::v1_55::Client = docker.client().await?;
    println!(
        "v1_55 types, speaking {}",
        newest
            .api_version()
            .map(|v| v.to_string())
            .unwrap_or_default()
    );

    // The types of exactly the daemon's version, when that feature is on.
    #[cfg(feature = "v1_41")]
    {
        let exact: docker_engine_client::v1_41::Client = docker.client().await?;
        let info = exact.system_info().send().await?.into_inner();
        println!("v1_41 types: {} containers", info.containers.unwrap_or(0));
    }

    // Pinned, like DOCKER_API_VERSION=1.40: no negotiation.
    let pinned: docker_engine_client::v1_55::Client =
        docker.client_with_version(ApiVersion::new(1, 40))?;
    pinned.system_ping().send().await?;
    println!(
        "pinned to {}",
        pinned.api_version().unwrap_or(ApiVersion::new(1, 40))
    );
    Ok(())
}
