//! Docker's Go SDK example (`ImagePull`, `ContainerCreate`, `ContainerStart`, `ContainerWait`,
//! `ContainerLogs`, `stdcopy.StdCopy`), step for step: the image is pulled only when missing
//! (with the CLI's credentials), and the logs are demultiplexed to this process's stdout and
//! stderr. (`run::Run` does the same in one call, and waits for `next-exit` registered before
//! the start, which also works for auto-removed containers.)
//!
//! `cargo run --example go_sdk_style [-- IMAGE]` (default `busybox`)

use docker_engine_client::stream::{self, ByteStreamExt, Progress};
use docker_engine_client::{Docker, v1_55};
use futures_util::TryStreamExt;
use v1_55::types;

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let image = std::env::args().nth(1).unwrap_or_else(|| "busybox".into());
    let docker = Docker::from_env()?;
    let client: v1_55::Client = docker.client().await?;

    // ImagePull, when the image is not here, with the CLI's credentials for its registry.
    if let Err(e) = client.image_inspect().name(&image).send().await {
        if !e.is_not_found() {
            return Err(e);
        }
        let (repo, tag) = docker_engine_client::auth::reference::split_tag(&image);
        let credentials = docker.credentials().for_image(&image).await?;
        let pull = client
            .image_create()
            .from_image(repo)
            .tag(tag.unwrap_or("latest"))
            .x_registry_auth(&credentials)
            .send()
            .await?;
        let _: Vec<Progress> = pull.into_json().try_collect().await?;
    }

    // ContainerCreate
    let container = client
        .container_create()
        .body(types::ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(vec!["echo".into(), "hello world".into()]),
            tty: false,
            ..Default::default()
        })
        .send()
        .await?
        .into_inner();

    // ContainerStart, then ContainerWait(condition=not-running): a container that already
    // exited answers at once with its code (it is not auto-removed, so it is still there).
    client.container_start().id(&container.id).send().await?;
    let status = client
        .container_wait()
        .id(&container.id)
        .condition(types::ContainerWaitCondition::NotRunning)
        .send()
        .await?
        .into_inner()
        .status_code;

    // ContainerLogs + stdcopy.StdCopy
    let logs = client
        .container_logs()
        .id(&container.id)
        .stdout(true)
        .stderr(true)
        .send()
        .await?;
    stream::copy_output(
        logs.into_output(false),
        &mut tokio::io::stdout(),
        &mut tokio::io::stderr(),
    )
    .await?;
    println!("exit code {status}");
    client.container_delete().id(&container.id).send().await?;
    Ok(())
}
