//! Pruning with filters: stopped containers, dangling images, unused networks and volumes that
//! carry a label, and (for containers, images, networks) only those older than `until`.
//!
//! `cargo run --example prune -- LABEL [UNTIL]` (e.g. `env=ci 24h`)

use docker_engine_client::filters::{
    ContainerFilters, ImageFilters, NetworkFilters, VolumeFilters,
};
use docker_engine_client::{Docker, v1_55};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let label = args.next().ok_or("usage: prune LABEL [UNTIL]")?;
    let until = args.next().unwrap_or_else(|| "0s".into());
    let client: v1_55::Client = Docker::from_env()?.client().await?;

    let containers = client
        .container_prune()
        .filters(ContainerFilters::new().label(&label).until(&until))
        .send()
        .await?
        .into_inner();
    println!(
        "containers: {:?}, {} bytes",
        containers.containers_deleted.unwrap_or_default(),
        containers.space_reclaimed.unwrap_or(0)
    );
    let images = client
        .image_prune()
        .filters(
            ImageFilters::new()
                .dangling(true)
                .label(&label)
                .until(&until),
        )
        .send()
        .await?
        .into_inner();
    println!(
        "images: {}",
        images.images_deleted.unwrap_or_default().len()
    );
    let networks = client
        .network_prune()
        .filters(NetworkFilters::new().label(&label).until(&until))
        .send()
        .await?
        .into_inner();
    println!(
        "networks: {:?}",
        networks.networks_deleted.unwrap_or_default()
    );
    let volumes = client
        .volume_prune()
        .filters(VolumeFilters::new().label(&label))
        .send()
        .await?
        .into_inner();
    println!("volumes: {:?}", volumes.volumes_deleted.unwrap_or_default());
    Ok(())
}
