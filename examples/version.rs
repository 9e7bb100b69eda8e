//! Connects like the docker CLI (`DOCKER_HOST`, TLS variables, `DOCKER_API_VERSION`, contexts),
//! negotiates the API version, and prints what the daemon says about itself.
//!
//! `cargo run --example version`

use docker_engine_client::{ApiClient, Docker, v1_55};

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let docker = Docker::from_env()?;
    // The v1.55 types; on the wire, the lower of 1.55 and the daemon's version.
    let client: v1_55::Client = docker.client().await?;

    let version = client.system_version().send().await?.into_inner();
    let containers = client.container_list().all(true).send().await?.into_inner();
    let images = client.image_list().send().await?.into_inner();
    println!("host:       {}", docker.host());
    println!("engine:     {}", version.version.unwrap_or_default());
    println!("daemon API: {}", version.api_version.unwrap_or_default());
    println!("compiled:   {}", <v1_55::Client as ApiClient>::VERSION);
    println!(
        "speaking:   {}",
        client
            .api_version()
            .map(|v| v.to_string())
            .unwrap_or_default()
    );
    println!("containers: {}, images: {}", containers.len(), images.len());
    Ok(())
}
