//! The container layer against the real daemons: detached runs with published ports, networks
//! and every wait strategy; exec, files and logs; every failure mode (image missing, port taken,
//! exec into a stopped container, an exit during a wait, a deadline); and cleanup: on drop, while
//! a panic unwinds (inside a runtime or not), and of what killed processes left behind.
//!
//! The server in these tests is busybox's `httpd`, in the busybox image each test imports.

#![cfg(feature = "v1_55")]

mod support;

use std::time::{Duration, Instant};

use docker_engine_client::container::{
    Container, Exec, LogStreams, Network, NetworkSpec, PROCESS_LABEL, Wait, cleanup_stale,
};
use docker_engine_client::run::{PullPolicy, Run, RunStep};
use docker_engine_client::stream::StdStream;
use docker_engine_client::v1_55::Client;
use docker_engine_client::{ContainerError, Error};
use futures_util::StreamExt;

async fn setup() -> Option<(Client, support::Cleanup, String)> {
    let docker = support::docker()?;
    let client: Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let image = support::import_busybox(&client, &support::unique("container")).await;
    cleanup.image(&image);
    Some((client, cleanup, image))
}

/// busybox's httpd on port 8080 serving `/www`, after writing `ready`.
fn web(image: &str) -> Run {
    Run::new(
        image,
        [
            "sh",
            "-c",
            "mkdir -p /www && echo hello > /www/index.html && echo ready && exec httpd -f -p 8080 -h /www",
        ],
    )
}

/// The step of a failed run, and its cause.
fn failed_step(e: &Error) -> (RunStep, &Error) {
    match e {
        Error::Run(run) => (run.step, &run.source),
        other => panic!("not a run error: {other}"),
    }
}

/// Whether the container named `name` is gone.
async fn gone(client: &Client, name: &str) -> bool {
    match client.container_inspect().id(name).send().await {
        Err(e) => e.is_not_found(),
        Ok(_) => false,
    }
}

/// An HTTP GET to `address` with a raw request (the test's own client, not the crate's).
async fn http_get(address: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

async fn a_detached_server_is_waited_for_used_and_removed_on_drop() {
    let Some((client, _cleanup, image)) = setup().await else {
        return;
    };
    let name = support::unique("web");
    let web = web(&image)
        .name(&name)
        .label("test", "container")
        .publish("8080/tcp")
        .wait_for(Wait::http(8080, "/index.html"))
        .wait_for(Wait::log("ready"))
        .detach(&client)
        .await
        .unwrap();
    assert_eq!(web.name(), name);
    let address = web.host_address(8080).await.unwrap();
    assert!(address.starts_with("127.0.0.1:"), "{address}");
    let port = web.host_port("8080/tcp").await.unwrap();
    assert!(address.ends_with(&format!(":{port}")), "{address}");
    assert!(http_get(&address, "/index.html").await.contains("hello"));
    let err = web.host_port("9999/udp").await.unwrap_err();
    assert!(
        matches!(&err, Error::Container(ContainerError::PortNotPublished { port, .. }) if port == "9999/udp"),
        "{err}"
    );

    // Exec: output, exit code, stdin, environment, working directory.
    let out = web
        .exec(["sh", "-c", "echo out; echo err >&2; exit 4"])
        .await
        .unwrap();
    assert_eq!(
        (out.exit_code, &out.stdout[..], &out.stderr[..]),
        (4, &b"out\n"[..], &b"err\n"[..])
    );
    let exec = Exec::new(["sh", "-c", "cat; echo \"$GREETING\"; pwd"])
        .stdin("from stdin\n")
        .env("GREETING", "hi there")
        .working_dir("/www");
    let out = web.exec_with(&exec).await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "from stdin\nhi there\n/www\n"
    );

    // Files: parents made, content and mode kept, read back.
    web.copy_in("/data/deep/er/note.txt", "a note")
        .await
        .unwrap();
    assert_eq!(
        web.read_file("/data/deep/er/note.txt").await.unwrap(),
        b"a note"
    );
    let local = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(local.path(), "#!/bin/sh\necho script ran\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(local.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
    }
    web.copy_file_in(local.path(), "/usr/local/bin/script")
        .await
        .unwrap();
    let out = web
        .exec(["sh", "-c", "script && stat -c %a /usr/local/bin/script"])
        .await
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "script ran\n750\n");
    let err = web.read_file("/data").await.unwrap_err();
    assert!(err.to_string().contains("is a directory"), "{err}");
    let err = web.read_file("/nonexistent").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = web.copy_in("relative/path", "x").await.unwrap_err();
    assert!(err.to_string().contains("absolute"), "{err}");

    // Logs: the followed stream has the line written before anyone read it.
    let mut logs = web.logs().await.unwrap();
    let first = logs.next().await.unwrap().unwrap();
    assert_eq!(
        (first.stream, &first.bytes[..]),
        (StdStream::Stdout, &b"ready\n"[..])
    );
    assert_eq!(web.last_lines(5).await.unwrap(), ["ready"]);

    // Inspect: this layer's view, and a version's whole type.
    let inspection = web.inspect().await.unwrap();
    assert!(inspection.state.running);
    assert_eq!(inspection.config.labels["test"], "container");
    assert!(inspection.config.labels.contains_key(PROCESS_LABEL));
    let typed: docker_engine_client::v1_55::types::ContainerInspectResponse =
        web.inspect_as().await.unwrap();
    assert_eq!(typed.id.as_deref(), Some(web.id()));

    // Dropped: removed by the time the drop returns.
    drop(web);
    assert!(gone(&client, &name).await);
}

async fn stop_kill_remove_and_keep() {
    let Some((client, cleanup, image)) = setup().await else {
        return;
    };
    let sleeper = Run::new(&image, ["sleep", "300"]);
    let c = sleeper.detach(&client).await.unwrap();
    let started = Instant::now();
    c.stop(Duration::from_secs(1)).await.unwrap();
    // SIGTERM is ignored by `sleep` as pid 1: killed after the timeout.
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(!c.inspect().await.unwrap().state.running);
    c.stop(Duration::from_secs(1)).await.unwrap();
    // Exec into a stopped container: the daemon's conflict.
    let err = c.exec(["true"]).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let name = c.name().to_string();
    c.remove().await.unwrap();
    assert!(gone(&client, &name).await);

    let c = sleeper.detach(&client).await.unwrap();
    c.kill("SIGKILL").await.unwrap();
    assert_eq!(c.inspect().await.unwrap().state.exit_code, 137);
    let kept = sleeper.detach(&client).await.unwrap();
    let id = kept.keep();
    cleanup.container(&id);
    assert!(!gone(&client, &id).await);
}

async fn every_wait_strategy() {
    let Some((client, _cleanup, image)) = setup().await else {
        return;
    };
    // Log: the nth line, on the chosen stream only, written before and during the wait.
    let c = Run::new(
        &image,
        [
            "sh",
            "-c",
            "echo go >&2; echo go; sleep 0.3; echo go; echo go >&2; sleep 300",
        ],
    )
    .wait_for(Wait::log("go").times(2).streams(LogStreams::Stdout))
    .wait_for(Wait::log_matching(|l| l == "go").times(4))
    .detach(&client)
    .await
    .unwrap();
    let out = c.exec(["true"]).await.unwrap();
    assert_eq!(out.exit_code, 0);
    drop(c);

    // Port: ready only once something listens (the userland proxy accepts before).
    let c = Run::new(
        &image,
        ["sh", "-c", "sleep 0.5; exec nc -ll -p 7000 -e cat"],
    )
    .publish(7000)
    .wait_for(Wait::port(7000))
    .wait_for(
        Wait::exec(["sh", "-c", "netstat -tln | grep -q :7000"]).timeout(Duration::from_secs(1)),
    )
    .detach(&client)
    .await
    .unwrap();
    drop(c);

    // Healthy: the run's healthcheck, passing once a file exists.
    let c = Run::new(&image, ["sh", "-c", "sleep 0.5; touch /tmp/ok; sleep 300"])
        .healthcheck(["CMD-SHELL", "test -f /tmp/ok"], Duration::from_millis(200))
        .wait_for(Wait::healthy().timeout(Duration::from_secs(20)))
        .detach(&client)
        .await
        .unwrap();
    assert_eq!(
        c.inspect().await.unwrap().state.health.as_deref(),
        Some("healthy")
    );
    // A deadline on the whole of `all`.
    let err = c
        .wait_for(&Wait::all([Wait::exit(0)]).timeout(Duration::from_millis(1)))
        .await;
    assert!(err.unwrap_err().is_timeout());
    drop(c);
    // Without a healthcheck: said at once.
    let err = Run::new(&image, ["sleep", "300"])
        .wait_for(Wait::healthy())
        .detach(&client)
        .await
        .unwrap_err();
    let (step, source) = failed_step(&err);
    assert_eq!(step, RunStep::Ready);
    assert!(
        matches!(
            source,
            Error::Container(ContainerError::NoHealthcheck { .. })
        ),
        "{err}"
    );

    // Exit: the code waited for, or an error naming both.
    let c = Run::new(&image, ["sh", "-c", "exit 3"])
        .wait_for(Wait::exit(3))
        .detach(&client)
        .await
        .unwrap();
    assert!(!c.inspect().await.unwrap().state.running);
    drop(c);
    let err = Run::new(&image, ["sh", "-c", "echo bye; exit 2"])
        .wait_for(Wait::exit(0))
        .detach(&client)
        .await
        .unwrap_err();
    let (_, source) = failed_step(&err);
    assert!(
        matches!(source, Error::Container(ContainerError::ExitCode { expected: 0, exit_code: 2, last_lines, .. }) if last_lines == &["bye"]),
        "{err}"
    );

    // All: at the same time.
    let started = Instant::now();
    let c = web(&image)
        .publish(8080)
        .wait_for(Wait::all([
            Wait::http(8080, "/").status(200),
            Wait::log("ready"),
            Wait::exec(["sh", "-c", "test -f /www/index.html"]),
        ]))
        .detach(&client)
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
    // A status that never comes: the deadline, quoting the log.
    let err = c
        .wait_for(
            &Wait::http(8080, "/missing")
                .status(200)
                .timeout(Duration::from_millis(500)),
        )
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("ready"), "{err}");
}

async fn failures_name_their_step_and_leave_nothing() {
    let Some((client, cleanup, image)) = setup().await else {
        return;
    };
    // Image missing, never pulled: the create step.
    let err = Run::new("dec-no-such-image:1", ["true"])
        .pull(PullPolicy::Never)
        .detach(&client)
        .await
        .unwrap_err();
    let (step, source) = failed_step(&err);
    assert_eq!(step, RunStep::Create);
    assert!(source.is_not_found(), "{err}");

    // Port taken: the start step; the container is removed.
    let first = web(&image).publish(8080).detach(&client).await.unwrap();
    let taken = first.host_port(8080).await.unwrap();
    let name = support::unique("taken");
    let err = web(&image)
        .name(&name)
        .publish_to(8080, "127.0.0.1", taken)
        .detach(&client)
        .await
        .unwrap_err();
    assert_eq!(failed_step(&err).0, RunStep::Start, "{err}");
    assert!(gone(&client, &name).await);

    // An exit during a wait: at once, with the exit code and the last lines.
    let name = support::unique("exits");
    let started = Instant::now();
    let err = Run::new(
        &image,
        ["sh", "-c", "echo starting; echo cannot bind >&2; exit 7"],
    )
    .name(&name)
    .wait_for(Wait::log("listening").timeout(Duration::from_secs(60)))
    .detach(&client)
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let (step, source) = failed_step(&err);
    assert_eq!(step, RunStep::Ready);
    match source {
        Error::Container(ContainerError::Exited {
            exit_code,
            last_lines,
            ..
        }) => {
            assert_eq!(*exit_code, 7);
            // Two pipes: their lines' order is the daemon's.
            let mut lines = last_lines.clone();
            lines.sort();
            assert_eq!(lines, ["cannot bind", "starting"]);
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("cannot bind"), "{err}");
    assert!(gone(&client, &name).await);
    // The same for a probing wait.
    let err = Run::new(&image, ["sh", "-c", "sleep 0.2; exit 5"])
        .publish(8080)
        .wait_for(Wait::port(8080))
        .detach(&client)
        .await
        .unwrap_err();
    assert!(
        matches!(
            failed_step(&err).1,
            Error::Container(ContainerError::Exited { exit_code: 5, .. })
        ),
        "{err}"
    );

    // A deadline: a timeout error, quoting the log; removed.
    let name = support::unique("slow");
    let err = Run::new(&image, ["sh", "-c", "echo warming up; sleep 300"])
        .name(&name)
        .wait_for(Wait::log("ready").timeout(Duration::from_millis(300)))
        .detach(&client)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(failed_step(&err).0, RunStep::Ready);
    assert!(err.to_string().contains("warming up"), "{err}");
    assert!(gone(&client, &name).await);
    drop(cleanup);
}

async fn networks_connect_containers_by_name_and_alias() {
    let Some((client, _cleanup, image)) = setup().await else {
        return;
    };
    let net_name = support::unique("net");
    let net = NetworkSpec::new(&net_name)
        .label("test", "container")
        .internal(true)
        .create(&client)
        .await
        .unwrap();
    let server = web(&image)
        .network(net.name())
        .network_alias("site")
        .wait_for(Wait::log("ready"))
        .detach(&client)
        .await
        .unwrap();
    let fetch = |host: String| format!("wget -q -O- http://{host}:8080/index.html");
    let client_c = Run::new(&image, ["sleep", "300"])
        .network(net.name())
        .detach(&client)
        .await
        .unwrap();
    for host in ["site".to_string(), server.name().to_string()] {
        let out = client_c.exec(["sh", "-c", &fetch(host)]).await.unwrap();
        assert_eq!(
            out.stdout,
            b"hello\n",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A container on the default bridge joins by connect, with an alias.
    let late = web(&image)
        .wait_for(Wait::log("ready"))
        .detach(&client)
        .await
        .unwrap();
    net.connect(&late, ["late"]).await.unwrap();
    let out = client_c
        .exec(["sh", "-c", &fetch("late".into())])
        .await
        .unwrap();
    assert_eq!(
        out.stdout,
        b"hello\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Dropped containers first, then the network: all gone.
    drop((server, client_c, late));
    let id = net.id().to_string();
    drop(net);
    let err = client.network_inspect().id(&id).send().await.unwrap_err();
    assert!(err.is_not_found());
    let plain = Network::create(&client, support::unique("net"))
        .await
        .unwrap();
    plain.remove().await.unwrap();
}

async fn a_panicking_test_leaves_nothing() {
    let Some((client, _cleanup, image)) = setup().await else {
        return;
    };
    // Inside a runtime: a task panics while holding a container and a network.
    let name = support::unique("panics");
    let net_name = support::unique("panics-net");
    let (c2, image2, name2, net2) = (
        client.clone(),
        image.clone(),
        name.clone(),
        net_name.clone(),
    );
    let panicked = tokio::spawn(async move {
        let _net = Network::create(&c2, net2).await.unwrap();
        let _c = Run::new(&image2, ["sleep", "300"])
            .name(name2)
            .detach(&c2)
            .await
            .unwrap();
        panic!("the test failed");
    })
    .await;
    assert!(panicked.unwrap_err().is_panic());
    assert!(gone(&client, &name).await);
    assert!(client.network_inspect().id(&net_name).send().await.is_err());

    // Outside any runtime: a thread's own runtime is gone when the panic unwinds.
    let name = support::unique("panics-sync");
    let (c2, image2, name2) = (client.clone(), image.clone(), name.clone());
    // On a blocking thread, so the test's own runtime goes on driving the client's pool.
    let joined = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let container: Container<Client> = runtime
            .block_on(Run::new(&image2, ["sleep", "300"]).name(name2).detach(&c2))
            .unwrap();
        drop(runtime);
        let _held = container;
        panic!("the test failed");
    })
    .await;
    assert!(joined.unwrap_err().is_panic());
    assert!(gone(&client, &name).await);

    // A `Running` asked to remove its container, dropped before its wait.
    let running = Run::new(&image, ["sleep", "300"])
        .remove(true)
        .start(&client)
        .await
        .unwrap();
    let id = running.id.clone();
    drop(running);
    assert!(gone(&client, &id).await);
}

async fn stale_objects_of_gone_processes_are_cleaned() {
    let Some((client, cleanup, image)) = setup().await else {
        return;
    };
    let read = |p: &str| std::fs::read_to_string(p).unwrap().trim().to_string();
    let mut machine = read("/etc/machine-id");
    if machine.is_empty() {
        machine = read("/proc/sys/kernel/hostname");
    }
    let boot = read("/proc/sys/kernel/random/boot_id");
    // A process of this boot that runs no more (a pid above the kernel's maximum).
    let dead = format!("{machine}/{boot}/4194305/12345");
    let orphan = Run::new(&image, ["sleep", "300"])
        .label(PROCESS_LABEL, &dead)
        .start(&client)
        .await
        .unwrap();
    let orphan_id = orphan.id.clone();
    cleanup.container(&orphan_id);
    // Another machine's: not ours to judge.
    let foreign = Run::new(&image, ["sleep", "300"])
        .label(PROCESS_LABEL, "another-machine/b/1/1")
        .start(&client)
        .await
        .unwrap();
    cleanup.container(&foreign.id);
    let live = Run::new(&image, ["sleep", "300"])
        .detach(&client)
        .await
        .unwrap();
    let cleaned = cleanup_stale(&client).await.unwrap();
    assert!(cleaned.containers.contains(&orphan_id), "{cleaned:?}");
    assert!(!cleaned.containers.contains(&foreign.id), "{cleaned:?}");
    assert!(
        !cleaned.containers.iter().any(|id| id == live.id()),
        "{cleaned:?}"
    );
    assert!(gone(&client, &orphan_id).await);
    assert!(!gone(&client, &foreign.id).await);
}

crate::on_both_daemons!(
    a_detached_server_is_waited_for_used_and_removed_on_drop,
    stop_kill_remove_and_keep,
    every_wait_strategy,
    failures_name_their_step_and_leave_nothing,
    networks_connect_containers_by_name_and_alias,
    a_panicking_test_leaves_nothing,
    stale_objects_of_gone_processes_are_cleaned,
);
