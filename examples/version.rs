//! Talks to the local Docker daemon with the generated client: asks `/_ping` for the daemon's API
//! version, speaks the lower of that and this crate's compiled version, and prints what the
//! daemon says about itself.
//!
//! `cargo run --example version` (uses `DOCKER_HOST=unix://...` or /var/run/docker.sock)

use docker_engine_client::hooks::Hooks;
use docker_engine_client::v1_55::Client;
use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let socket = match std::env::var("DOCKER_HOST") {
        Ok(host) => host
            .strip_prefix("unix://")
            .ok_or("this example speaks only unix:// hosts")?
            .to_string(),
        Err(_) => "/var/run/docker.sock".to_string(),
    };
    let http = docker_engine_client::http::builder()
        .unix_socket(socket.as_str())
        .build()?;

    // The daemon's API version is in the `API-Version` header of `/_ping`.
    let ping = Client::new_with_client("http://docker", http.clone(), Hooks::default())
        .system_ping()
        .send()
        .await?;
    let daemon = ping
        .headers()
        .get("api-version")
        .ok_or("no API-Version header")?
        .to_str()?
        .to_string();
    let daemon_minor: u32 = daemon
        .strip_prefix("1.")
        .ok_or("API version is not 1.NN")?
        .parse()?;
    let body: Vec<u8> = ping
        .into_inner()
        .into_inner()
        .map_ok(|chunk| chunk.to_vec())
        .try_concat()
        .await?;
    let compiled = 55;
    let speak = format!("1.{}", daemon_minor.min(compiled));
    let docker =
        Client::new_with_client(&format!("http://docker/v{speak}"), http, Hooks::default());

    let version = docker.system_version().send().await?.into_inner();
    let containers = docker.container_list().all(true).send().await?.into_inner();
    let images = docker.image_list().send().await?.into_inner();
    println!("ping:       {}", String::from_utf8_lossy(&body));
    println!("engine:     {}", version.version.unwrap_or_default());
    println!("daemon API: {daemon}, compiled: 1.{compiled}, speaking: {speak}");
    println!("containers: {}, images: {}", containers.len(), images.len());
    Ok(())
}
