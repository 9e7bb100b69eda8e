//! Building an image from a directory: the context is streamed as a tar (honouring
//! `.dockerignore`), credentials for every registry the CLI knows go along (for `FROM` a private
//! image), and the build's output is printed as it comes.
//!
//! `cargo run --example build_dir -- DIR TAG`

use docker_engine_client::build_context::BuildContext;
use docker_engine_client::stream::{ByteStreamExt, Progress};
use docker_engine_client::{Docker, v1_55};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(tag)) = (args.next(), args.next()) else {
        return Err("usage: build_dir DIR TAG".into());
    };
    let docker = Docker::from_env()?;
    let client: v1_55::Client = docker.client().await?;
    let registries = docker.credentials().all().await?;
    let output = client
        .image_build()
        .t(&tag)
        .rm(true)
        .x_registry_config(&registries)
        .body(BuildContext::from_dir(&dir)?)
        .send()
        .await?;
    let mut messages = output.into_json::<Progress>();
    while let Some(message) = messages.next().await {
        // A failed step is an `Err` item carrying the daemon's message.
        if let Some(line) = message?.stream {
            print!("{line}");
        }
    }
    println!("built {tag}");
    Ok(())
}
