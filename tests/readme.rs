//! README's Rust snippets, compiled: each is the body of a function below, verbatim (the README
//! stays free of hidden set-up lines), and the test checks that every ```rust block of README.md
//! appears here line for line, so a snippet that stops compiling, or a README edit not carried
//! over, fails `cargo test`. The functions are compiled, not run: the tour's operations are
//! exercised against the real daemons by the other tests.

#![cfg(feature = "v1_55")]
#![allow(unused, clippy::all)]

use std::error::Error as StdError;
use std::time::Duration;

use docker_engine_client::build_context::BuildContext;
use docker_engine_client::run::Run;
use docker_engine_client::{Docker, stream, v1_55};
#[cfg(feature = "websocket")]
use futures_util::SinkExt;
use futures_util::TryStreamExt;
use tokio::io::AsyncWriteExt;

type Result = std::result::Result<(), Box<dyn StdError>>;

#[rustfmt::skip]
async fn snippet_1(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::{Docker, run, v1_55};

let docker = Docker::from_env()?;                    // DOCKER_HOST, TLS, contexts: as the docker CLI
let client: v1_55::Client = docker.client().await?;  // negotiated: min(1.55, the daemon's version)
let running = client.container_list().send().await?.into_inner(); // Vec<types::ContainerSummary>
let out = run::run(&client, "busybox", ["echo", "hello", "world"]).await?; // docker run --rm
Ok(())
}

#[rustfmt::skip]
async fn snippet_2(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::container::{Network, Wait};
let net = Network::create(&client, "it-net").await?;             // removed on drop
let web = Run::new("busybox", ["sh", "-c", "echo ready; httpd -f -h /www"])
    .publish(80)                                                 // a random port of 127.0.0.1
    .network(net.name())
    .wait_for(Wait::http(80, "/").status(404))                   // or log, port, healthy, exit,
    .wait_for(Wait::log("ready").timeout(Duration::from_secs(5))) // exec, all: each with a deadline
    .detach(&client)
    .await?;                          // failed: the container is gone, the error names the step
let address = web.host_address(80).await?;                       // "127.0.0.1:49153"
let out = web.exec(["sh", "-c", "ls /www"]).await?;              // exit code, stdout, stderr
web.copy_in("/www/index.html", "hello").await?;                  // a tar PUT, parents made
assert_eq!(web.read_file("/www/index.html").await?, b"hello");
Ok(())
}

#[rustfmt::skip]
async fn snippet_3(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::run::Run;
let out = Run::new("busybox", ["sh", "-c", "echo out; echo err >&2; exit 3"])
    .env("GREETING", "hi")
    .remove(true)
    .on_progress(|p| eprintln!("{:?} {:?}", p.id, p.bytes()))   // pull progress
    .output(&client)
    .await?;
assert_eq!((out.exit_code, &out.stdout[..], &out.stderr[..]), (3, &b"out\n"[..], &b"err\n"[..]));
// Streamed instead: Run::start(&client) gives `output` as it happens, `stdin` with
// .interactive(true), then `.wait()` for the exit code.
Ok(())
}

#[rustfmt::skip]
async fn snippet_4(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::filters::ContainerFilters;
let exited = client.container_list().all(true)
    .filters(ContainerFilters::new().label("app=web").status("exited").exited(0))
    .send().await?;
Ok(())
}

#[rustfmt::skip]
async fn snippet_5(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::stream::{self, ByteStreamExt};
let logs = client.container_logs().id(&id).stdout(true).stderr(true).follow(true).send().await?;
let (mut out, mut err) = (stream::StdioWriter::stdout(), stream::StdioWriter::stderr());
stream::copy_output(logs.into_output(false), &mut out, &mut err).await?;
Ok(())
}

#[rustfmt::skip]
async fn snippet_6(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::build::{Build, BuildEvent};
let mut events = Build::new().tag("app:1").target("release").build_arg("VERSION", "1.2")
    .registries(docker.credentials().all().await?)      // for every registry a FROM may need
    .start(&client, BuildContext::from_dir("./app")?).await?;
while let Some(event) = events.try_next().await? {
    if let BuildEvent::Done { name, duration, .. } = event { println!("{name} {duration:?}") }
}
Ok(())
}

#[rustfmt::skip]
async fn snippet_7(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::auth::{Credentials, CredentialStore};
let creds = Credentials::password("user", "s3cr?t>>~").with_server_address("127.0.0.1:5000");
client.image_push().name("127.0.0.1:5000/app").tag("1").x_registry_auth(&creds).send().await?;

// Or what the docker CLI would use for this image's registry: config.json `auths`,
// `credsStore`, `credHelpers` (docker-credential-* helpers, timed out, output bounded).
let creds = docker.credentials().for_image("127.0.0.1:5000/app:1").await?;
let status = client.system_auth().body(creds.to_body::<v1_55::types::AuthConfig>()?).send().await?;
Ok(())
}

#[rustfmt::skip]
async fn snippet_8(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::stream::{self, ByteStreamExt, StdStream};
use futures_util::TryStreamExt;

// Logs: stdcopy frames demultiplexed (or raw TTY output), as they arrive.
let logs = client.container_logs().id(&id).stdout(true).stderr(true).follow(true).send().await?;
let mut output = logs.into_output(/* tty: */ false);
while let Some(piece) = output.try_next().await? {
    if piece.stream == StdStream::Stderr { eprint!("{}", String::from_utf8_lossy(&piece.bytes)) }
}

// JSON message streams: a failed pull is an Err item with the daemon's message.
let pull = client.image_create().from_image("busybox").tag("latest").send().await?;
let mut progress = pull.into_json::<stream::Progress>(); // or v1_55::types::CreateImageInfo
while let Some(step) = progress.try_next().await? { /* step.id, step.bytes(): (current, total) */ }

// Attach / exec with stdin over a hijacked connection; shutdown() half-closes stdin.
let mut exec = stream::exec_start(&client, &exec_id, false).await?;
exec.stdin.write_all(b"input").await?;
exec.stdin.shutdown().await?;
stream::copy_output(exec.output, &mut tokio::io::stdout(), &mut tokio::io::stderr()).await?; // any AsyncWrite
Ok(())
}

#[cfg(feature = "websocket")]
#[rustfmt::skip]
async fn snippet_9(docker: Docker, client: v1_55::Client, id: String, exec_id: String) -> Result {
use docker_engine_client::stream::{self, AttachOptions};
let mut ws = stream::attach_websocket(&client, &id, &AttachOptions::default()).await?;
ws.stdin.send(&b"hello\n"[..]).await?;  // one binary message (stdin is also an AsyncWrite)
ws.stdin.close().await?;                 // a clean close: the daemon ends the attach and answers
while let Some(chunk) = ws.output.try_next().await? { /* chunk.bytes: "hello\n" from `cat` */ }
Ok(())
}

/// The ```rust blocks of README.md.
fn readme_blocks() -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in include_str!("../README.md").lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(block), text) => block.push(text.trim().to_string()),
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn every_readme_snippet_is_compiled_here() {
    let here: Vec<&str> = include_str!("readme.rs").lines().map(str::trim).collect();
    let blocks = readme_blocks();
    assert!(blocks.len() >= 9, "{} blocks", blocks.len());
    for block in blocks {
        let found = here
            .windows(block.len())
            .any(|window| window.iter().zip(&block).all(|(a, b)| a == b));
        assert!(
            found,
            "a README snippet is not in tests/readme.rs verbatim:\n{}",
            block.join("\n")
        );
    }
}
