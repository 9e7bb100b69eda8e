//! An interactive exec: starts `sh` in a running container, forwards this process's stdin to it
//! and its output back, then prints the exit code. With `-t`, a TTY (one raw output stream).
//!
//! `echo 'echo hi from $(hostname); exit 4' | cargo run --example exec_interactive -- CONTAINER`

use docker_engine_client::{Docker, stream, v1_55};
use tokio::io::AsyncWriteExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tty = args.iter().any(|a| a == "-t");
    let container = args
        .iter()
        .find(|a| *a != "-t")
        .ok_or("usage: exec_interactive [-t] CONTAINER")?;
    let client: v1_55::Client = Docker::from_env()?.client().await?;
    let exec = client
        .container_exec()
        .id(container)
        .body(v1_55::types::ExecConfig {
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(tty),
            cmd: Some(vec!["sh".into()]),
            ..Default::default()
        })
        .send()
        .await?
        .into_inner()
        .id;
    let mut hijacked = stream::exec_start(&client, &exec, tty).await?;
    // Stdin in, until it ends; then half-close, so `sh` sees end of file.
    let mut stdin = hijacked.stdin;
    let forward = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut tokio::io::stdin(), &mut stdin).await;
        let _ = stdin.shutdown().await;
    });
    stream::copy_output(
        &mut hijacked.output,
        &mut tokio::io::stdout(),
        &mut tokio::io::stderr(),
    )
    .await?;
    forward.abort();
    let code = client
        .exec_inspect()
        .id(&exec)
        .send()
        .await?
        .into_inner()
        .exit_code;
    println!("exit code {}", code.unwrap_or(-1));
    std::process::exit(0);
}
