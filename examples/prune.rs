//! Pruning with filters: stopped containers, dangling images, unused networks and volumes that
//! carry a label, and (for containers, images, networks) only those older than `until` when
//! given.
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
    let until = args.next();
    let client: v1_55::Client = Docker::from_env()?.client().await?;

    let mut containers = ContainerFilters::new().label(&label);
    let mut images = ImageFilters::new().dangling(true).label(&label);
    let mut networks = NetworkFilters::new().label(&label);
    if let Some(until) = &until {
        containers = containers.until(until);
        images = images.until(until);
        networks = networks.until(until);
    }

    let pruned = client
        .container_prune()
        .filters(containers)
        .send()
        .await?
        .into_inner();
    println!(
        "containers: {:?}, {} bytes",
        pruned.containers_deleted.unwrap_or_default(),
        pruned.space_reclaimed.unwrap_or(0)
    );
    let pruned = client
        .image_prune()
        .filters(images)
        .send()
        .await?
        .into_inner();
    println!(
        "images: {}",
        pruned.images_deleted.unwrap_or_default().len()
    );
    let pruned = client
        .network_prune()
        .filters(networks)
        .send()
        .await?
        .into_inner();
    println!(
        "networks: {:?}",
        pruned.networks_deleted.unwrap_or_default()
    );
    let pruned = client
        .volume_prune()
        .filters(VolumeFilters::new().label(&label))
        .send()
        .await?
        .into_inner();
    println!("volumes: {:?}", pruned.volumes_deleted.unwrap_or_default());
    Ok(())
}
