//! The high-level `run` against the real daemon: output and exit codes, fast exits, stdin, TTY,
//! streaming, removal, errors that name their step, and a pull from the registry with
//! credentials and progress.

#![cfg(feature = "v1_55")]

mod support;

use std::sync::{Arc, Mutex};

use docker_engine_client::run::{self, PullPolicy, Run, RunStep};
use docker_engine_client::stream::{Progress, StdStream};
use docker_engine_client::v1_55::Client;
use docker_engine_client::{Docker, Error};
use futures_util::StreamExt;

async fn setup() -> Option<(Docker, Client, support::Cleanup, String)> {
    let docker = support::docker()?;
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let image = support::import_busybox(&client, &support::unique("run")).await;
    cleanup.image(&image);
    Some((docker, client, cleanup, image))
}

/// The step of a failed run.
fn step(e: &Error) -> RunStep {
    match e {
        Error::Run(run) => run.step,
        other => panic!("not a run error: {other}"),
    }
}

async fn run_collects_separated_output_and_the_exit_code_then_removes() {
    let Some((_docker, client, _cleanup, image)) = setup().await else {
        return;
    };
    let out = run::run(
        &client,
        &image,
        ["sh", "-c", "echo hello world; echo oops >&2; exit 3"],
    )
    .await
    .unwrap();
    assert_eq!(out.exit_code, 3);
    assert_eq!(out.stdout, b"hello world\n");
    assert_eq!(out.stderr, b"oops\n");
    support::assert_not_found(client.container_inspect().id(&out.id).send().await);

    // Commands that exit at once: the wait registered before start never misses them.
    for _ in 0..5 {
        let ok = Run::new(&image, ["true"])
            .remove(true)
            .output(&client)
            .await;
        assert_eq!(ok.unwrap().exit_code, 0);
        let failed = Run::new(&image, ["false"])
            .remove(true)
            .output(&client)
            .await;
        assert_eq!(failed.unwrap().exit_code, 1);
    }
}

async fn run_with_stdin_env_tty_and_options() {
    let Some((_docker, client, cleanup, image)) = setup().await else {
        return;
    };
    let out = Run::new(&image, ["cat"])
        .input("piped in\n")
        .remove(true)
        .output(&client)
        .await
        .unwrap();
    assert_eq!(
        (out.exit_code, out.stdout.as_slice()),
        (0, &b"piped in\n"[..])
    );

    let name = support::unique("run-named");
    let out = Run::new(
        &image,
        ["sh", "-c", "echo $GREETING from $(pwd) as $(id -u)"],
    )
    .env("GREETING", "hi")
    .working_dir("/tmp")
    .user("1234")
    .label("dec.test", &name)
    .name(&name)
    .output(&client)
    .await
    .unwrap();
    cleanup.container(&out.id);
    assert_eq!(out.stdout, b"hi from /tmp as 1234\n");
    // Kept (no remove), named and labelled as asked.
    let kept = client.container_inspect().id(&name).send().await.unwrap();
    let kept = kept.into_inner();
    assert_eq!(kept.id.as_deref(), Some(out.id.as_str()));
    let labels = kept.config.and_then(|c| c.labels).unwrap_or_default();
    assert_eq!(labels.get("dec.test"), Some(&name));

    // With a TTY, stdout and stderr are one stream.
    let out = Run::new(&image, ["sh", "-c", "echo out; echo err >&2"])
        .tty(true)
        .remove(true)
        .output(&client)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("out") && text.contains("err"), "{text:?}");
    assert!(out.stderr.is_empty());
}

async fn run_streams_output_as_it_happens() {
    let Some((_docker, client, _cleanup, image)) = setup().await else {
        return;
    };
    let mut running = Run::new(&image, ["sh", "-c", "echo first; read x; echo second $x"])
        .interactive(true)
        .remove(true)
        .start(&client)
        .await
        .unwrap();
    // "first" comes while the container still waits for input.
    let first = running.output.next().await.unwrap().unwrap();
    assert_eq!(
        (first.stream, &first.bytes[..]),
        (StdStream::Stdout, &b"first\n"[..])
    );
    use tokio::io::AsyncWriteExt;
    let mut stdin = running.stdin.take().unwrap();
    stdin.write_all(b"go\n").await.unwrap();
    stdin.shutdown().await.unwrap();
    let mut rest = Vec::new();
    while let Some(item) = running.output.next().await {
        rest.extend_from_slice(&item.unwrap().bytes);
    }
    assert_eq!(rest, b"second go\n");
    let id = running.id.clone();
    assert_eq!(running.wait().await.unwrap(), 0);
    support::assert_not_found(client.container_inspect().id(&id).send().await);
}

async fn run_errors_name_the_step_and_clean_up() {
    let Some((_docker, client, _cleanup, image)) = setup().await else {
        return;
    };
    let missing = format!("{}:latest", support::unique("run-missing"));
    let err = Run::new(&missing, ["true"])
        .pull(PullPolicy::Never)
        .output(&client)
        .await
        .unwrap_err();
    assert_eq!(step(&err), RunStep::Create);
    assert!(err.is_not_found(), "{err}");
    assert!(err.to_string().contains("creating the container"), "{err}");

    let unreachable = format!("127.0.0.1:9/{}:latest", support::unique("run-nowhere"));
    let err = Run::new(&unreachable, ["true"])
        .output(&client)
        .await
        .unwrap_err();
    assert_eq!(step(&err), RunStep::Pull);
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");

    // A command that does not exist fails the start; the container is removed.
    let label = support::unique("run-bad-start");
    let err = Run::new(&image, ["/no/such/command"])
        .label("dec.test", &label)
        .remove(true)
        .output(&client)
        .await
        .unwrap_err();
    assert_eq!(step(&err), RunStep::Start, "{err}");
    let left = client
        .container_list()
        .all(true)
        .filters(format!(r#"{{"label":["dec.test={label}"]}}"#))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(left.is_empty(), "{left:?}");
}

async fn run_pulls_a_missing_image_with_credentials_and_progress() {
    let Some((_docker, client, cleanup, _)) = setup().await else {
        return;
    };
    if support::require_registry().is_none() {
        return;
    }
    let image = support::registry_image(&client, &cleanup, "run-pull").await;
    let creds = support::registry_credentials();
    support::push(&client, &image, &creds).await.unwrap();
    client.image_delete().name(&image).send().await.unwrap();

    // Anonymous: the registry refuses, and the error says it was the pull.
    let err = Run::new(&image, ["true"])
        .credential_store(docker_engine_client::auth::CredentialStore::empty())
        .output(&client)
        .await
        .unwrap_err();
    assert_eq!(step(&err), RunStep::Pull);
    assert!(err.is_unauthorized(), "{err}");

    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let record = seen.clone();
    let own = support::registry_image_content(image.trim_end_matches(":latest"));
    let out = Run::new(&image, ["cat", "/etc/unique"])
        .credentials(creds)
        .on_progress(move |p| record.lock().unwrap().push(p.clone()))
        .remove(true)
        .output(&client)
        .await
        .unwrap();
    assert_eq!(out.stdout, own);
    let seen = seen.lock().unwrap();
    // Byte counts while downloading (20.10; 28.5 reports a layer this small as done at once).
    if support::daemon::current() == support::Daemon::Legacy {
        assert!(seen.iter().any(|p| p.bytes().is_some()), "{seen:?}");
    }
    assert!(
        seen.iter().any(|p| p.id.is_some() && p.detail.is_some()),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|p| p
            .status
            .as_deref()
            .is_some_and(|s| s.contains("Downloaded newer image"))),
        "{seen:?}"
    );
}

crate::on_both_daemons!(
    run_collects_separated_output_and_the_exit_code_then_removes,
    run_with_stdin_env_tty_and_options,
    run_streams_output_as_it_happens,
    run_errors_name_the_step_and_clean_up,
    run_pulls_a_missing_image_with_credentials_and_progress,
);
