//! Listing containers with typed filters: by name, status, label and health, serialised to
//! Docker's `filters` JSON by `filters::ContainerFilters`.
//!
//! `cargo run --example list_containers [-- LABEL]` (e.g. `app=web`)

use docker_engine_client::filters::ContainerFilters;
use docker_engine_client::{Docker, v1_55};

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let client: v1_55::Client = Docker::from_env()?.client().await?;
    let label = std::env::args().nth(1);

    let queries = [
        ("running", ContainerFilters::new().status("running")),
        (
            "exited with 0",
            ContainerFilters::new().status("exited").exited(0),
        ),
        ("healthy", ContainerFilters::new().health("healthy")),
        ("named *busy*", ContainerFilters::new().name("busy")),
        (
            "labelled",
            ContainerFilters::new().label(label.clone().unwrap_or_else(|| "app".into())),
        ),
    ];
    for (what, filters) in queries {
        let containers = client
            .container_list()
            .all(true)
            .filters(&filters)
            .send()
            .await?
            .into_inner();
        println!("{what} ({filters}): {}", containers.len());
        for c in containers {
            let name = c.names.unwrap_or_default().join(",");
            println!(
                "  {} {name} {}",
                c.id.unwrap_or_default(),
                c.status.unwrap_or_default()
            );
        }
    }
    Ok(())
}
