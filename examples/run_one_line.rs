//! Python's `client.containers.run("alpine", ["echo", "hello", "world"])` in one line: pull if
//! missing, create, start, wait, collect the output, remove.
//!
//! `cargo run --example run_one_line`

use docker_engine_client::{Docker, run, v1_55};

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let client: v1_55::Client = Docker::from_env()?.client().await?;
    let out = run::run(&client, "busybox", ["echo", "hello", "world"]).await?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    std::process::exit(out.exit_code as i32);
}
