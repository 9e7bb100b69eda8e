//! Connecting like the docker CLI, against the real daemon: unix socket, TCP, contexts, version
//! negotiation proven on the wire, typed errors, timeouts and cancellation, bad configuration.

#![cfg(feature = "v1_55")]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use docker_engine_client::{
    ApiClient, ApiVersion, ConfigError, Docker, DockerBuilder, Error, TransportError, v1_55,
};
use support::RecordingProxy;

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |key| vars.get(key).cloned()
}

fn from_env(vars: &[(&str, &str)]) -> Result<Docker, Error> {
    DockerBuilder::from_env_with(&env(vars))?.build()
}

/// A recording proxy in front of the test daemon (none without a daemon, outside CI).
async fn recording_proxy() -> Option<RecordingProxy> {
    Some(RecordingProxy::start(support::daemon_socket()?).await)
}

/// The daemon's own API version, asked directly.
async fn daemon_api_version(docker: &Docker) -> ApiVersion {
    docker.negotiate(ApiVersion::new(1, 999)).await.unwrap()
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn negotiates_down_to_the_daemon_on_the_wire() {
    let Some(proxy) = recording_proxy().await else {
        return;
    };
    let docker = from_env(&[("DOCKER_HOST", &proxy.host), ("HOME", "/nonexistent")]).unwrap();
    let client: v1_55::Client = docker.client().await.unwrap();
    let daemon = daemon_api_version(&docker).await;
    let expected = daemon.min(ApiVersion::new(1, 55));
    assert_eq!(client.api_version(), Some(expected));

    client.container_list().all(true).send().await.unwrap();
    let lines = proxy.request_lines();
    assert!(
        lines.iter().any(|l| l.starts_with("GET /_ping ")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("GET /v{expected}/containers/json?all=true "))),
        "{lines:?}"
    );
    // The daemon was asked once, however many clients were made.
    let _second: v1_55::Client = docker.client().await.unwrap();
    assert_eq!(
        proxy
            .request_lines()
            .iter()
            .filter(|l| l.contains("/_ping"))
            .count(),
        1
    );

    // Request identity on the wire: our User-Agent, no progenitor `api-version` header.
    let sent = proxy.sent().to_ascii_lowercase();
    assert!(
        sent.contains(&format!(
            "user-agent: docker-engine-client/{}",
            env!("CARGO_PKG_VERSION")
        )),
        "{sent}"
    );
    assert!(!sent.contains("api-version:"), "{sent}");
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn a_pinned_version_is_used_without_asking() {
    let Some(proxy) = recording_proxy().await else {
        return;
    };
    let docker = from_env(&[("DOCKER_HOST", &proxy.host), ("DOCKER_API_VERSION", "1.40")]).unwrap();
    let client: v1_55::Client = docker.client().await.unwrap();
    assert_eq!(client.api_version(), Some(ApiVersion::new(1, 40)));
    client.system_version().send().await.unwrap();
    let lines = proxy.request_lines();
    assert_eq!(lines, ["GET /v1.40/version HTTP/1.1"], "{lines:?}");
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn custom_headers_are_sent() {
    let Some(proxy) = recording_proxy().await else {
        return;
    };
    let docker = Docker::builder()
        .host(&proxy.host)
        .default_header("X-Trace", "dec-42")
        .build()
        .unwrap();
    let client: v1_55::Client = docker.client().await.unwrap();
    client.system_info().send().await.unwrap();
    assert!(
        proxy
            .sent()
            .to_ascii_lowercase()
            .contains("x-trace: dec-42")
    );
}

#[tokio::test]
#[ignore = "needs a Docker daemon on its unix socket and on tcp://127.0.0.1:2375 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
async fn unix_and_tcp_reach_the_same_daemon() {
    let Some(socket) = support::daemon_socket() else {
        return;
    };
    let unix = from_env(&[("DOCKER_HOST", &format!("unix://{}", socket.display()))]).unwrap();
    let unix_client: v1_55::Client = unix.client().await.unwrap();
    let unix_id = unix_client
        .system_info()
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;

    // CI starts dockerd with -H tcp://127.0.0.1:2375 as well.
    let tcp = from_env(&[("DOCKER_HOST", "tcp://127.0.0.1:2375")]).unwrap();
    let tcp_client = match tcp.client::<v1_55::Client>().await {
        Ok(c) => c,
        Err(e) => {
            support::require(
                None::<()>,
                &format!("dockerd on tcp://127.0.0.1:2375 ({e})"),
            );
            return;
        }
    };
    let tcp_id = tcp_client
        .system_info()
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    assert!(unix_id.is_some());
    assert_eq!(unix_id, tcp_id);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn a_context_from_config_json_is_followed() {
    let Some(proxy) = recording_proxy().await else {
        return;
    };
    let config = tempfile::tempdir().unwrap();
    let name = support::unique("ctx");
    support::write_context(config.path(), &name, &proxy.host);
    std::fs::write(
        config.path().join("config.json"),
        format!(r#"{{"currentContext": "{name}"}}"#),
    )
    .unwrap();

    let config_dir = config.path().to_str().unwrap();
    let docker = from_env(&[("DOCKER_CONFIG", config_dir)]).unwrap();
    assert_eq!(docker.host().to_string(), proxy.host);
    let client: v1_55::Client = docker.client().await.unwrap();
    client.system_version().send().await.unwrap();
    assert!(proxy.request_lines().iter().any(|l| l.contains("/version")));

    // DOCKER_CONTEXT names a context too; DOCKER_HOST wins over both, as in the CLI.
    std::fs::write(config.path().join("config.json"), "{}").unwrap();
    let docker = from_env(&[("DOCKER_CONFIG", config_dir), ("DOCKER_CONTEXT", &name)]).unwrap();
    assert_eq!(docker.host().to_string(), proxy.host);
    let docker = from_env(&[
        ("DOCKER_CONFIG", config_dir),
        ("DOCKER_CONTEXT", &name),
        ("DOCKER_HOST", "tcp://10.9.9.9:1"),
    ])
    .unwrap();
    assert_eq!(docker.host().to_string(), "tcp://10.9.9.9:1");
    // "default" means the default host.
    let docker = from_env(&[("DOCKER_CONFIG", config_dir), ("DOCKER_CONTEXT", "default")]).unwrap();
    assert_eq!(docker.host().to_string(), "unix:///var/run/docker.sock");
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn daemon_errors_are_typed() {
    let Some(docker) = support::docker() else {
        return;
    };
    let client: v1_55::Client = docker.client().await.unwrap();

    let missing = client
        .container_inspect()
        .id(support::unique("missing"))
        .send()
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(missing.status(), Some(404));
    assert!(
        missing.to_string().contains("No such container"),
        "{missing}"
    );
    assert!(
        missing.to_string().contains("container_inspect"),
        "{missing}"
    );

    let cleanup = support::Cleanup::new(&docker);
    let image = support::import_busybox(&client, &support::unique("errors")).await;
    cleanup.image(&image);
    let name = support::unique("conflict");
    let body = || v1_55::types::ContainerCreateBody {
        image: Some(image.clone()),
        cmd: Some(vec!["sleep".into(), "30".into()]),
        ..Default::default()
    };
    let id = client
        .container_create()
        .name(&name)
        .body(body())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    cleanup.container(&id);
    let conflict = client
        .container_create()
        .name(&name)
        .body(body())
        .send()
        .await
        .unwrap_err();
    assert!(conflict.is_conflict(), "{conflict:?}");

    client.container_start().id(&id).send().await.unwrap();
    let again = client.container_start().id(&id).send().await.unwrap_err();
    assert!(again.is_not_modified(), "{again:?}");

    // A per-client timeout cuts a call that would wait 30 s.
    let started = std::time::Instant::now();
    let timed_out = client
        .with_timeout(Duration::from_millis(300))
        .container_wait()
        .id(&id)
        .send()
        .await
        .unwrap_err();
    assert!(timed_out.is_timeout(), "{timed_out:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn no_total_timeout_by_default_and_dropping_a_call_closes_it() {
    let Some(proxy) = recording_proxy().await else {
        return;
    };
    let docker = Docker::connect(&proxy.host).unwrap();
    let client: v1_55::Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&support::docker().unwrap());
    let image = support::import_busybox(&client, &support::unique("wait")).await;
    cleanup.image(&image);
    let body = |secs: &str| v1_55::types::ContainerCreateBody {
        image: Some(image.clone()),
        cmd: Some(vec!["sleep".into(), secs.into()]),
        ..Default::default()
    };

    // Dropping a pending `wait` closes its connection: the daemon sees the client go.
    let long = cleanup.run(&client, body("60")).await;
    let before = proxy.closed_connections();
    let dropped = tokio::time::timeout(
        Duration::from_millis(300),
        client.container_wait().id(&long).send(),
    )
    .await;
    assert!(dropped.is_err(), "wait returned early");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while proxy.closed_connections() == before && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        proxy.closed_connections() > before,
        "the dropped request's connection stayed open"
    );

    // A wait of 17 s completes: there is no total timeout (progenitor's default was 15 s).
    let slow = cleanup.run(&client, body("17")).await;
    let waited = client
        .container_wait()
        .id(&slow)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(waited.status_code, 0);
}

#[tokio::test]
async fn bad_configuration_gives_one_clear_error() {
    // Malformed DOCKER_HOST.
    let err = from_env(&[("DOCKER_HOST", "tcp://host:notaport")]).unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::InvalidHost { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("invalid port"), "{err}");
    // Named pipes are Windows-only: refused with what to use instead.
    let err = from_env(&[("DOCKER_HOST", "npipe:////./pipe/docker_engine")]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config(ConfigError::UnsupportedScheme {
                scheme: "npipe",
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Windows-only"), "{err}");
    // An ssh:// URL with a password is refused, as by the CLI.
    let err = from_env(&[("DOCKER_HOST", "ssh://me:secret@host")]).unwrap_err();
    assert!(err.to_string().contains("no password"), "{err}");
    assert!(!err.to_string().contains("secret@"), "{err}");

    // A bad DOCKER_API_VERSION.
    let err = from_env(&[("DOCKER_API_VERSION", "latest")]).unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::InvalidApiVersion { .. })),
        "{err:?}"
    );

    // A CA file that holds no certificate (or, without the tls feature, no TLS at all).
    let certs = tempfile::tempdir().unwrap();
    std::fs::write(certs.path().join("ca.pem"), "not a certificate").unwrap();
    let cert_path = certs.path().display().to_string();
    let err = from_env(&[
        ("DOCKER_HOST", "tcp://127.0.0.1:2376"),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", &cert_path),
    ])
    .unwrap_err();
    let text = err.to_string();
    if cfg!(feature = "tls") {
        assert!(
            matches!(err, Error::Config(ConfigError::TlsFile { .. })),
            "{err:?}"
        );
        assert!(text.contains(&format!("{cert_path}/ca.pem")), "{text}");
        // Missing files are left out, as the CLI does: no ca.pem means the system's roots.
        from_env(&[
            ("DOCKER_HOST", "tcp://127.0.0.1:2376"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", "/nonexistent/certs"),
        ])
        .expect("the system's roots");
    } else {
        assert!(
            matches!(err, Error::Config(ConfigError::TlsNotEnabled { .. })),
            "{err:?}"
        );
        assert!(text.contains("DOCKER_TLS_VERIFY"), "{text}");
    }

    // An unreadable config.json (malformed, or not a file) is a warning and the defaults, as in
    // the CLI: connecting goes on; a credentials lookup still reports it.
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("config.json"), "{not json").unwrap();
    let dir_config = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir_config.path().join("config.json")).unwrap();
    for dir in [config.path(), dir_config.path()] {
        let docker = from_env(&[("DOCKER_CONFIG", dir.to_str().unwrap())]).unwrap();
        assert_eq!(docker.host().to_string(), "unix:///var/run/docker.sock");
        let err = docker
            .credentials()
            .for_registry("registry.example")
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Config(ConfigError::ConfigFile { .. })),
            "{err:?}"
        );
        assert!(err.to_string().contains("config.json"), "{err}");
    }

    // A context that does not exist.
    let err = from_env(&[
        ("DOCKER_CONFIG", dir_config.path().to_str().unwrap()),
        ("DOCKER_CONTEXT", "nowhere"),
    ])
    .unwrap_err();
    assert!(
        err.to_string().contains("\"nowhere\"") && err.to_string().contains("not found"),
        "{err}"
    );

    // A socket path that does not exist: the error names it.
    let docker = Docker::connect("unix:///nonexistent/dec.sock").unwrap();
    let err = docker.client::<v1_55::Client>().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport(TransportError::SocketMissing { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("/nonexistent/dec.sock"), "{err}");

    // Nothing listening on a TCP port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err = Docker::connect(&format!("tcp://127.0.0.1:{port}"))
        .unwrap()
        .client::<v1_55::Client>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport(TransportError::ConnectionRefused { .. })
        ),
        "{err:?}"
    );
}
