//! What a misbehaving daemon, a proxy or a mistaken environment can force: bounded error bodies,
//! non-JSON errors that keep their status, refused redirects, proxies chosen as the Go client
//! does, the client's timeout on handwritten requests, and no secret in any `Debug` or error
//! message. Driven by a fake daemon (tests/support/fake_daemon.rs) that misbehaves on purpose;
//! no real daemon is needed.

#[path = "support/fake_daemon.rs"]
mod fake_daemon;

use std::time::Duration;

use docker_engine_client::auth::{Credentials, RegistryConfig};
use docker_engine_client::run::Run;
use docker_engine_client::{ApiClient, ApiVersion, Docker, DockerBuilder, Error, v1_55};
use fake_daemon::{FakeDaemon, Reply, failed, peak_rss, within};

#[tokio::test]
async fn an_endless_error_body_is_cut_at_1_mib_and_memory_stays_flat() {
    let fake = FakeDaemon::start(|_| Reply::Endless {
        status: "500 Internal Server Error",
        content_type: "text/plain",
        prefix: Vec::new(),
        chunk: vec![b'x'; 64 * 1024],
    })
    .await;
    let client = fake.pinned_client();
    let before = peak_rss();
    let err = within(
        "endless error body",
        client.container_inspect().id("c1").send(),
    )
    .await
    .unwrap_err();
    let grew = peak_rss().saturating_sub(before);
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 500);
    assert!(
        api.message.len() < 5 * 1024,
        "the message quotes a few KiB, not the body: {} bytes",
        api.message.len()
    );
    assert!(
        api.message.ends_with("(more than 1048576 bytes in all)"),
        "{}",
        &api.message[api.message.len().saturating_sub(80)..]
    );
    assert!(
        grew < 16 * 1024 * 1024,
        "peak RSS grew by {grew} bytes reading an endless error body"
    );
    // The connection was closed, not drained: the fake can no longer write.
    let sent = fake.bytes_sent();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        fake.bytes_sent(),
        sent,
        "the client still reads the endless body"
    );
    assert!(sent < 64 * 1024 * 1024, "{sent} bytes went out");
}

#[tokio::test]
async fn a_large_error_body_is_quoted_in_part_with_its_size() {
    let body = format!(r#"{{"message": "{}"}}"#, "m".repeat(2 * 1024 * 1024));
    let fake = FakeDaemon::start(move |_| Reply::json("500 Internal Server Error", &body)).await;
    let err = within(
        "large error",
        fake.pinned_client().container_inspect().id("c1").send(),
    )
    .await
    .unwrap_err();
    let message = err.to_string();
    assert!(message.len() < 5 * 1024, "{} bytes", message.len());
    assert!(
        message.contains(&format!("({} bytes in all)", 2 * 1024 * 1024 + 15)),
        "{}",
        &message[message.len().saturating_sub(120)..]
    );
}

#[tokio::test]
async fn a_non_json_error_keeps_its_status_and_text() {
    let fake = FakeDaemon::start(|head| {
        if head.contains("/containers/gone/json") {
            Reply::text("404 Not Found", "text/plain", "404 page not found\n")
        } else {
            Reply::text(
                "502 Bad Gateway",
                "text/html",
                "<html><body>bad gateway</body></html>",
            )
        }
    })
    .await;
    let client = fake.pinned_client();
    let err = within("404", client.container_inspect().id("gone").send())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.message, "404 page not found");

    let err = within("502", client.container_list().send())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502), "{err:?}");
    assert!(err.is_server_error() && err.to_string().contains("bad gateway"));
}

#[tokio::test]
async fn redirects_are_refused_and_credentials_do_not_follow() {
    let elsewhere = FakeDaemon::start(|_| Reply::json("200 OK", "{}")).await;
    let target = format!("{}/v1.41/images/app/push", elsewhere.url());
    let fake = FakeDaemon::start(move |_| Reply::Canned {
        status: "307 Temporary Redirect",
        headers: vec![format!("Location: {target}")],
        body: Vec::new(),
    })
    .await;
    let creds = Credentials::password("user", "hunter2-redirect");
    let err = failed(
        within(
            "redirect",
            fake.pinned_client()
                .image_push()
                .name("app")
                .x_registry_auth(&creds)
                .send(),
        )
        .await,
    );
    assert_eq!(err.status(), Some(307), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("redirected to {}", elsewhere.url())),
        "{err}"
    );
    assert!(
        elsewhere.heads().is_empty(),
        "nothing may reach the redirect's target: {:?}",
        elsewhere.heads()
    );
}

#[tokio::test]
async fn handwritten_requests_take_the_clients_timeout() {
    let fake = FakeDaemon::start(|_| Reply::Silent).await;
    let client = fake
        .pinned_client()
        .with_timeout(Duration::from_millis(300));
    let err = within(
        "a stalled run",
        Run::new("busybox", ["true"]).output(&client),
    )
    .await
    .unwrap_err();
    let Error::Run(run) = &err else {
        panic!("{err:?}")
    };
    assert!(run.source.is_timeout(), "{err:?}");
    // The run's error answers as its cause does, as `status()` does.
    assert!(err.is_timeout() && err.is_transport(), "{err:?}");
}

#[tokio::test]
async fn no_query_string_in_error_messages() {
    let fake = FakeDaemon::start(|_| Reply::Hangup).await;
    let err = failed(
        within(
            "a hang-up",
            fake.pinned_client()
                .image_build()
                .buildargs(r#"{"TOKEN":"s3cret-build-arg"}"#)
                .send(),
        )
        .await,
    );
    let shown = format!("{err} {err:?}");
    assert!(err.is_transport(), "{shown}");
    assert!(
        !shown.contains("s3cret") && !shown.contains("buildargs"),
        "{shown}"
    );
    assert_eq!(fake.heads().len(), 1, "the request did reach the fake");
    assert!(fake.heads()[0].contains("s3cret-build-arg"));
}

/// A "daemon" or "proxy" that answers every `/_ping`.
async fn pinging() -> FakeDaemon {
    FakeDaemon::start(|_| Reply::Canned {
        status: "200 OK",
        headers: vec![
            "Api-Version: 1.41".into(),
            "Content-Type: text/plain".into(),
        ],
        body: b"OK".to_vec(),
    })
    .await
}

/// `Docker` from an environment of exactly `vars`.
fn docker_with_env(vars: &[(&str, String)]) -> Docker {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    DockerBuilder::from_env_with(&move |key| {
        vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    })
    .unwrap()
    .build()
    .unwrap()
}

async fn ping(docker: &Docker) -> Result<(), Error> {
    let client: v1_55::Client = docker.client_with_version(ApiVersion::new(1, 41))?;
    client.system_ping().send().await.map(drop)
}

#[tokio::test]
async fn proxies_as_the_go_client_chooses_them() {
    let daemon = pinging().await;
    let proxy = pinging().await;
    let port = daemon.addr().port();

    // A loopback daemon, by address or as localhost: never through the proxy.
    for host in [daemon.host(), format!("tcp://localhost:{port}")] {
        let docker = docker_with_env(&[("DOCKER_HOST", host.clone()), ("HTTP_PROXY", proxy.url())]);
        within("loopback ping", ping(&docker)).await.unwrap();
        assert!(proxy.heads().is_empty(), "{host}: {:?}", proxy.heads());
    }
    assert_eq!(daemon.heads().len(), 2);

    // A daemon by name: through the proxy, in absolute form, with the proxy URL's credentials
    // (and no `Proxy-Authorization` without them).
    let docker = docker_with_env(&[
        ("DOCKER_HOST", "tcp://docker.invalid:2375".into()),
        ("http_proxy", proxy.url()),
    ]);
    within("proxied ping", ping(&docker)).await.unwrap();
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("GET http://docker.invalid:2375/v1.41/_ping HTTP/1.1"),
        "{heads:?}"
    );
    assert!(
        !heads[0]
            .to_ascii_lowercase()
            .contains("proxy-authorization"),
        "{heads:?}"
    );
    let with_credentials = proxy.url().replace("http://", "http://proxyuser:pr0xy@");
    let docker = docker_with_env(&[
        ("DOCKER_HOST", "tcp://docker.invalid:2375".into()),
        ("HTTP_PROXY", with_credentials),
    ]);
    within("proxied ping with credentials", ping(&docker))
        .await
        .unwrap();
    let heads = proxy.heads();
    assert_eq!(heads.len(), 2, "{heads:?}");
    // base64("proxyuser:pr0xy")
    assert!(
        heads[1]
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic chjvehl1c2vyonbymhh5"),
        "{heads:?}"
    );

    // ... unless NO_PROXY names it.
    let docker = docker_with_env(&[
        ("DOCKER_HOST", "tcp://docker.invalid:2375".into()),
        ("HTTP_PROXY", proxy.url()),
        ("NO_PROXY", "localhost,.invalid".into()),
    ]);
    let err = within("unproxied ping", ping(&docker)).await.unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(proxy.heads().len(), 2, "the proxy saw nothing more");
}

#[test]
fn no_credential_in_the_debug_of_any_builder_or_handle() {
    let secret = "hunter2-debug";
    let creds = Credentials::password("user", secret).with_server_address("registry.test");
    let config = RegistryConfig::new().with("registry.test", creds.clone());
    let encoded = [creds.header_value(), config.header_value()];
    let docker = Docker::builder()
        .host("tcp://127.0.0.1:1")
        .default_header("Authorization", "Bearer tok-debug-secret")
        .build()
        .unwrap();
    let client: v1_55::Client = docker.client_with_version(ApiVersion::new(1, 41)).unwrap();

    // Every builder that takes credentials, each with them set.
    let shown = [
        (
            "ImagePush",
            format!(
                "{:?}",
                client.image_push().name("a").x_registry_auth(&creds)
            ),
        ),
        (
            "ImageCreate",
            format!("{:?}", client.image_create().x_registry_auth(&creds)),
        ),
        (
            "ImageBuild",
            format!("{:?}", client.image_build().x_registry_config(&config)),
        ),
        (
            "PluginPull",
            format!("{:?}", client.plugin_pull().x_registry_auth(&creds)),
        ),
        (
            "PluginUpgrade",
            format!("{:?}", client.plugin_upgrade().x_registry_auth(&creds)),
        ),
        (
            "ServiceCreate",
            format!("{:?}", client.service_create().x_registry_auth(&creds)),
        ),
        (
            "ServiceUpdate",
            format!("{:?}", client.service_update().x_registry_auth(&creds)),
        ),
        (
            "DistributionInspect",
            format!(
                "{:?}",
                client.distribution_inspect().x_registry_auth(&creds)
            ),
        ),
    ];
    let mut covered: Vec<&str> = shown.iter().map(|(name, _)| *name).collect();
    let mut generated = v1_55::builder::CREDENTIAL_BUILDERS.to_vec();
    covered.sort_unstable();
    generated.sort_unstable();
    assert_eq!(
        covered, generated,
        "every generated builder that takes credentials is checked here"
    );
    for (name, debug) in &shown {
        assert!(debug.contains("<redacted>"), "{name}: {debug}");
        for needle in encoded.iter().map(String::as_str).chain([secret]) {
            assert!(!debug.contains(needle), "{name} shows a secret: {debug}");
        }
    }
    for debug in [
        format!("{docker:?}"),
        format!(
            "{:?}",
            Docker::builder().default_header("Authorization", "Bearer tok-debug-secret")
        ),
    ] {
        assert!(!debug.contains("tok-debug-secret"), "{debug}");
    }
}

/// A daemon that closes a kept-alive connection while it idles in the pool: the next request is
/// not a user-visible error, it goes out on a new connection.
#[tokio::test]
async fn a_pooled_connection_the_daemon_closed_while_idle_is_not_an_error() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                // One request, answered with keep-alive, then closed after 100 ms of idling.
                let mut buf = vec![0u8; 8192];
                let mut read = 0;
                while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK",
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            });
        }
    });
    let docker = Docker::connect(&format!("tcp://{addr}")).unwrap();
    within("first ping", ping(&docker)).await.unwrap();
    // The daemon has closed the idle connection by now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    within("second ping", ping(&docker)).await.unwrap();
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "a new connection for the second"
    );
}
