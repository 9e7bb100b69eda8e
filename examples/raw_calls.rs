//! Docker's "run a container" with the API's own calls, as Docker's docs show it with `curl`:
//! create, start, wait, then read the logs. Each call is the generated operation of the same
//! name; nothing here is specific to a version but the module (`v1_55`).
//!
//! `cargo run --example raw_calls` (needs a local `busybox`: `cargo xtask busybox`)

use docker_engine_client::stream::{ByteStreamExt, StdStream};
use docker_engine_client::{Docker, v1_55};
use futures_util::TryStreamExt;
use v1_55::types;

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let client: v1_55::Client = Docker::from_env()?.client().await?;

    // POST /containers/create
    let created = client
        .container_create()
        .body(types::ContainerCreateBody {
            image: Some("busybox".into()),
            cmd: Some(vec!["echo".into(), "hello world".into()]),
            ..Default::default()
        })
        .send()
        .await?
        .into_inner();
    // POST /containers/{id}/start
    client.container_start().id(&created.id).send().await?;
    // POST /containers/{id}/wait
    let waited = client
        .container_wait()
        .id(&created.id)
        .send()
        .await?
        .into_inner();
    // GET /containers/{id}/logs?stdout=1
    let logs = client
        .container_logs()
        .id(&created.id)
        .stdout(true)
        .send()
        .await?;
    let output: Vec<_> = logs.into_output(false).try_collect().await?;
    for item in output.iter().filter(|i| i.stream == StdStream::Stdout) {
        print!("{}", String::from_utf8_lossy(&item.bytes));
    }
    println!("exit code {}", waited.status_code);
    // DELETE /containers/{id}
    client.container_delete().id(&created.id).send().await?;
    Ok(())
}
