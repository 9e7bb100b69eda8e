//! Registry authentication on real peers: the daemon pushing to and pulling from a registry with
//! basic auth (`docker-registry` with an htpasswd file on 127.0.0.1:5000, started by `.ci/setup`),
//! with credentials given in code, read from a `config.json`, refused when wrong, and sent for
//! passwords whose standard base64 would differ from base64url.

#![cfg(feature = "v1_55")]

mod support;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use docker_engine_client::auth::{CredentialStore, Credentials, RegistryConfig};
use docker_engine_client::v1_55::{Client, types};
use docker_engine_client::{Docker, Error};
use support::{REGISTRY, registry_credentials};

/// The daemon, a client and the registry, or `None` to skip.
async fn peers() -> Option<(Docker, Client)> {
    let docker = support::docker()?;
    support::require_registry()?;
    let client = docker.client().await.unwrap();
    Some((docker, client))
}

/// Pushes `image` (`repo:tag`) with `creds`; the pushed digest, or the stream's error.
async fn push(client: &Client, image: &str, creds: &Credentials) -> Result<String, Error> {
    let items = support::push(client, image, creds).await?;
    // Progress items carry the layer id, a status ("Preparing", "Pushing", "Pushed") and, while
    // pushing, current/total bytes (Engine 20.10; 28.5's containerd store reports a layer this
    // small as pushed at once).
    let pushing = items.iter().find(|i| {
        let detail = i.progress_detail.as_ref();
        i.id.is_some() && detail.is_some_and(|d| d.current.is_some() && d.total.is_some())
    });
    let pushed = items
        .iter()
        .any(|i| i.id.is_some() && i.status.as_deref() == Some("Pushed"));
    match support::daemon::current() {
        support::Daemon::Legacy => assert!(pushing.is_some(), "{items:?}"),
        support::Daemon::Modern => assert!(pushed, "{items:?}"),
    }
    // The last item names the pushed digest: in its aux (20.10), or only in its status
    // (`latest: digest: sha256:... size: 405`; 28.5).
    let last = items.last();
    let from_aux = last
        .and_then(|i| i.aux.as_ref())
        .and_then(|a| a.digest.clone());
    let from_status = last
        .and_then(|i| i.status.as_deref())
        .and_then(|s| s.split_once("digest: "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(str::to_string);
    Ok(from_aux
        .or(from_status)
        .unwrap_or_else(|| panic!("no digest in {items:?}")))
}

/// Pulls `image` with `creds`; the progress items, or the error.
async fn pull(
    client: &Client,
    image: &str,
    creds: &Credentials,
) -> Result<Vec<types::CreateImageInfo>, Error> {
    let progress = client
        .image_create()
        .from_image(image)
        .x_registry_auth(creds)
        .send()
        .await?;
    support::json_items(progress).await
}

async fn remove_local(client: &Client, image: &str) {
    client.image_delete().name(image).send().await.unwrap();
    support::assert_not_found(client.image_inspect().name(image).send().await);
}

/// Pull progress holds per-layer items with current/total (enough for a progress bar; Engine
/// 20.10: 28.5 reports a layer this small as complete at once), and ends with the outcome.
fn assert_pulled(items: &[types::CreateImageInfo], image: &str) {
    let progress = items.iter().find_map(|i| {
        let detail = i.progress_detail.as_ref()?;
        Some((i.id.as_ref()?, detail.current?, detail.total?))
    });
    if support::daemon::current() == support::Daemon::Legacy {
        let (_layer, current, total) = progress.unwrap_or_else(|| panic!("{items:?}"));
        assert!(total > 0 && current <= total, "{items:?}");
    } else {
        assert!(
            items
                .iter()
                .any(|i| i.id.is_some() && i.status.as_deref() == Some("Pull complete")),
            "{items:?}"
        );
    }
    let last = items.last().and_then(|i| i.status.as_deref()).unwrap_or("");
    assert!(
        last.contains("Downloaded newer image") && last.contains(image.split(':').next().unwrap()),
        "{items:?}"
    );
}

async fn push_remove_pull_with_credentials_given_in_code() {
    let Some((docker, client)) = peers().await else {
        return;
    };
    let cleanup = support::Cleanup::new(&docker);
    let image = support::registry_image(&client, &cleanup, "auth-code").await;
    let creds = registry_credentials();
    let digest = push(&client, &image, &creds).await.unwrap();

    // The registry has it now: the daemon asks it, with the same credentials.
    let (repo, _) = image.rsplit_once(':').unwrap();
    let remote = client
        .distribution_inspect()
        .name(&image)
        .x_registry_auth(&creds)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(remote.descriptor.digest.as_deref(), Some(digest.as_str()));

    remove_local(&client, &image).await;
    let items = pull(&client, &image, &creds).await.unwrap();
    assert_pulled(&items, &image);
    let pulled = client.image_inspect().name(&image).send().await.unwrap();
    let pulled = pulled.into_inner();
    assert!(
        pulled
            .repo_digests
            .iter()
            .flatten()
            .any(|d| d == &format!("{repo}@{digest}")),
        "{:?}",
        pulled.repo_digests
    );
}

async fn push_and_pull_with_credentials_from_config_json() {
    let Some((docker, client)) = peers().await else {
        return;
    };
    let cleanup = support::Cleanup::new(&docker);
    let image = support::registry_image(&client, &cleanup, "auth-config").await;

    let (user, password) = support::registry_users().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let config = serde_json::json!({
        "auths": {
            "https://index.docker.io/v1/": {"auth": STANDARD.encode("hub-user:not-this-one")},
            // A legacy URL key: matched by host, as the CLI does.
            format!("http://{REGISTRY}/v2/"): {"auth": STANDARD.encode(format!("{user}:{password}"))},
        }
    });
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    let store = CredentialStore::at(dir.path());
    let creds = store.for_image(&image).await.unwrap();
    assert_eq!(creds.username(), Some(user.as_str()));

    push(&client, &image, &creds).await.unwrap();
    remove_local(&client, &image).await;
    let items = pull(&client, &image, &creds).await.unwrap();
    assert_pulled(&items, &image);

    // A Docker made with this store hands out the same credentials.
    let with_store = Docker::builder()
        .host(docker.host().to_string())
        .credentials(store)
        .build()
        .unwrap();
    assert_eq!(
        with_store.credentials().for_image(&image).await.unwrap(),
        creds
    );
}

async fn a_wrong_password_is_unauthorized_and_nothing_is_pushed() {
    let Some((docker, client)) = peers().await else {
        return;
    };
    let cleanup = support::Cleanup::new(&docker);
    let image = support::registry_image(&client, &cleanup, "auth-wrong").await;
    let (user, _) = support::registry_users().remove(0);
    let wrong = Credentials::password(user, "not-the-password").with_server_address(REGISTRY);

    let err = push(&client, &image, &wrong).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let err = push(&client, &image, &Credentials::anonymous())
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");

    // Nothing reached the registry: with the right credentials, there is no such manifest.
    let missing = client
        .distribution_inspect()
        .name(&image)
        .x_registry_auth(&registry_credentials())
        .send()
        .await
        .unwrap_err();
    assert!(!missing.is_unauthorized(), "{missing}");
    assert!(missing.to_string().contains("unknown"), "{missing}");

    let err = pull(&client, &image, &wrong).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
}

#[allow(
    clippy::disallowed_methods,
    reason = "a request past the client on purpose: the header it must not send"
)]
async fn passwords_whose_base64_has_plus_slash_and_padding_authenticate() {
    let Some((docker, client)) = peers().await else {
        return;
    };
    let cleanup = support::Cleanup::new(&docker);
    let image = support::registry_image(&client, &cleanup, "auth-alphabet").await;
    push(&client, &image, &registry_credentials())
        .await
        .unwrap();

    let users = support::registry_users();
    let (mut plus, mut slash, mut padded) = (false, false, false);
    for (user, password) in &users[1..] {
        let creds = Credentials::password(user, password).with_server_address(REGISTRY);
        let header = creds.header_value();
        let standard = STANDARD.encode(URL_SAFE.decode(&header).unwrap());
        assert_ne!(
            standard, header,
            "{user}: the alphabets must differ for this test"
        );
        plus |= standard.contains('+');
        slash |= standard.contains('/');
        padded |= header.ends_with('=');
        let remote = client
            .distribution_inspect()
            .name(&image)
            .x_registry_auth(&creds)
            .send()
            .await;
        assert!(remote.is_ok(), "{user}: {:?}", remote.err());
    }
    assert!(
        plus && slash && padded,
        "the fixtures cover +, / and padding"
    );

    // The same header in the standard alphabet, sent by hand: the daemon drops it silently and
    // the registry refuses the anonymous request ("no basic auth credentials"): the bug the
    // encoding avoids.
    let (user, password) = &users[1];
    let header = Credentials::password(user, password)
        .with_server_address(REGISTRY)
        .header_value();
    let standard = STANDARD.encode(URL_SAFE.decode(&header).unwrap());
    let socket = support::daemon_socket().unwrap();
    let raw = docker_engine_client::http_client_builder()
        .unix_socket(socket)
        .build()
        .get(format!("http://docker/v1.41/distribution/{image}/json"))
        .header("X-Registry-Auth", standard)
        .send()
        .await
        .unwrap();
    assert!(!raw.status().is_success(), "{}", raw.status());
    let body = String::from_utf8_lossy(&raw.bytes().await.unwrap()).into_owned();
    assert!(body.contains("no basic auth credentials"), "{body}");
}

async fn system_auth_checks_credentials_with_the_registry() {
    let Some((_docker, client)) = peers().await else {
        return;
    };
    let good = client
        .system_auth()
        .body(
            registry_credentials()
                .to_body::<types::AuthConfig>()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(good.status, "Login Succeeded");

    let (user, _) = support::registry_users().remove(0);
    let wrong = Credentials::password(user, "wrong").with_server_address(REGISTRY);
    let err = client
        .system_auth()
        .body(wrong.to_body::<types::AuthConfig>().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(!err.to_string().contains("wrong\""), "{err}");
}

async fn a_build_pulls_its_base_image_with_the_registry_config() {
    let Some((docker, client)) = peers().await else {
        return;
    };
    let cleanup = support::Cleanup::new(&docker);
    let base = support::registry_image(&client, &cleanup, "auth-build-base").await;
    push(&client, &base, &registry_credentials()).await.unwrap();
    remove_local(&client, &base).await;

    let mut tar = tar::Builder::new(Vec::new());
    let dockerfile = format!("FROM {base}\nRUN echo from-registry > /built.txt\n");
    let mut header = tar::Header::new_gnu();
    header.set_size(dockerfile.len() as u64);
    header.set_mode(0o644);
    tar.append_data(&mut header, "Dockerfile", dockerfile.as_bytes())
        .unwrap();
    let context = tar.into_inner().unwrap();
    let tag = format!("{}:latest", support::unique("auth-built"));
    cleanup.image(&tag);

    let build = |config: RegistryConfig| {
        let client = client.clone();
        let (tag, context) = (tag.clone(), context.clone());
        async move {
            let output = client
                .image_build()
                .t(tag)
                .rm(true)
                .forcerm(true)
                .x_registry_config(&config)
                .body(context)
                .send()
                .await?;
            support::json_items::<types::BuildInfo>(output).await
        }
    };
    // Without credentials for the registry, the base image cannot be pulled.
    let err = build(RegistryConfig::new()).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let config = RegistryConfig::new()
        .with(REGISTRY, registry_credentials())
        .with("https://index.docker.io/v1/", Credentials::anonymous());
    let items = build(config).await.unwrap();
    assert!(
        items.iter().any(|i| i
            .stream
            .as_deref()
            .is_some_and(|s| s.contains("Successfully built"))),
        "{items:?}"
    );
    client.image_inspect().name(&tag).send().await.unwrap();
}

crate::on_both_daemons!(
    push_remove_pull_with_credentials_given_in_code,
    push_and_pull_with_credentials_from_config_json,
    a_wrong_password_is_unauthorized_and_nothing_is_pushed,
    passwords_whose_base64_has_plus_slash_and_padding_authenticate,
    system_auth_checks_credentials_with_the_registry,
    a_build_pulls_its_base_image_with_the_registry_config,
);
