//! Credentials from docker CLI credential helpers: small helper programs written by the test that
//! speak the real protocol (`get` with the server on stdin, `list`), found on `PATH` as
//! `docker-credential-<name>`; helpers that fail, hang or print garbage (no peer needed); then a
//! push and a pull through the real daemon and registry with what the good one answered.
//!
//! In a binary of its own: the helpers' directory goes on this process's `PATH`, which must not
//! change while another thread may read the environment (see [`helpers`]).

#![cfg(feature = "v1_55")]

mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use docker_engine_client::auth::{CredentialStore, Credentials};
use docker_engine_client::v1_55::{Client, types};
use support::REGISTRY;

/// Writes an executable `docker-credential-<name>` shell script into `dir`.
fn helper(dir: &Path, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(format!("docker-credential-{name}"));
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A helper that holds the registry's main test user, logging `<verb> <server>` to `log`.
fn good_helper(log: &Path) -> String {
    let (user, password) = support::registry_users().remove(0);
    format!(
        r#"server=$(cat)
echo "$1 $server" >> {log}
case "$1" in
get) if [ "$server" = "{REGISTRY}" ]; then
       printf '{{"ServerURL":"%s","Username":"{user}","Secret":"{password}"}}' "$server"
     else echo "credentials not found in native keychain"; exit 1; fi ;;
list) printf '{{"{REGISTRY}":"{user}"}}' ;;
*) exit 1 ;;
esac"#,
        log = log.display()
    )
}

/// The helpers' directory, written and put first on `PATH` once, by whichever test gets here
/// first. Both tests call this before anything else (before any runtime or child process): the
/// other test's thread, if it runs, then waits on this same lock, so no thread reads the
/// environment while it changes.
fn helpers() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let helpers = tempfile::tempdir().unwrap();
        // The same good helper twice, each logging what it is asked to a file of its own.
        for (name, log) in [("dec-good", "asked"), ("dec-list", "asked-list")] {
            helper(
                helpers.path(),
                name,
                &good_helper(&helpers.path().join(log)),
            );
        }
        helper(
            helpers.path(),
            "dec-fail",
            "cat >/dev/null; echo 'error getting credentials: the keychain is locked'; exit 3",
        );
        helper(helpers.path(), "dec-hang", "exec sleep 30");
        helper(
            helpers.path(),
            "dec-garbage",
            "cat >/dev/null; echo 'Username=someone Secret=hunter2-leak'",
        );
        helper(
            helpers.path(),
            "dec-token",
            r#"printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-token-leak"}' "$(cat)""#,
        );
        let path = format!(
            "{}:{}",
            helpers.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        // SAFETY: no other thread of this binary reads the environment meanwhile (see above).
        unsafe { std::env::set_var("PATH", path) };
        helpers
    })
    .path()
}

/// Where `dec-good` logs what it was asked (`<verb> <server>` lines).
fn asked() -> PathBuf {
    helpers().join("asked")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A config dir whose `config.json` sends each registry to one of the helpers.
fn helper_config() -> tempfile::TempDir {
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("config.json"),
        serde_json::json!({
            "credsStore": "dec-fail",
            "credHelpers": {
                REGISTRY: "dec-good",
                "hang.example": "dec-hang",
                "garbage.example": "dec-garbage",
                "token.example": "dec-token",
            },
            // credHelpers win over auths, as in the CLI.
            "auths": {REGISTRY: {"auth": "d3Jvbmc6d3Jvbmc="}},
        })
        .to_string(),
    )
    .unwrap();
    config
}

#[test]
fn bad_helpers_are_clear_errors_and_a_token_helper_gives_an_identity_token() {
    helpers();
    runtime().block_on(async {
        let config = helper_config();
        let store = CredentialStore::at(config.path()).with_helper_timeout(Duration::from_secs(2));

        // A bad helper is an error naming it, with its message, without what it printed.
        let err = store.for_image("busybox").await.unwrap_err().to_string();
        assert!(
            err.contains("docker-credential-dec-fail") && err.contains("keychain is locked"),
            "{err}"
        );
        let started = Instant::now();
        let err = store
            .for_registry("hang.example")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert!(
            err.contains("docker-credential-dec-hang") && err.contains("did not finish"),
            "{err}"
        );
        let err = store
            .for_registry("garbage.example")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("docker-credential-dec-garbage"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        // `<token>` means an identity token.
        let token = store.for_registry("token.example").await.unwrap();
        assert_eq!(
            token,
            Credentials::identity_token("refresh-token-leak").with_server_address("token.example")
        );
        assert!(!format!("{token:?}").contains("refresh-token-leak"));

        // Every registry a build may need: the helpers' and what `credsStore` lists.
        let listing = tempfile::tempdir().unwrap();
        std::fs::write(
            listing.path().join("config.json"),
            r#"{"credsStore": "dec-list"}"#,
        )
        .unwrap();
        let all = CredentialStore::at(listing.path()).all().await.unwrap();
        let (user, _) = support::registry_users().remove(0);
        assert_eq!(all.len(), 1);
        assert_eq!(
            all.get(REGISTRY).and_then(|c| c.username()),
            Some(user.as_str())
        );
    });
}

#[test]
#[ignore = "needs a Docker daemon and the test registry on 127.0.0.1:5000 (.ci/setup): cargo test -- --include-ignored (CI runs them)"]
fn a_helpers_credentials_push_and_pull_through_the_daemon() {
    helpers();
    runtime().block_on(async {
        let Some(docker) = support::docker() else {
            return;
        };
        if support::require_registry().is_none() {
            return;
        }
        let config = helper_config();
        let store = CredentialStore::at(config.path()).with_helper_timeout(Duration::from_secs(2));
        let (user, _) = support::registry_users().remove(0);
        let client: Client = docker.client().await.unwrap();
        let cleanup = support::Cleanup::new(&docker);
        let repo = format!("{REGISTRY}/{}", support::unique("auth-helper"));
        let image = support::import_busybox(&client, &repo).await;
        cleanup.image(&image);

        // The good helper: asked for exactly the registry's host, then a real push and pull.
        let creds = store.for_image(&image).await.unwrap();
        assert_eq!(creds.username(), Some(user.as_str()));
        assert_eq!(
            std::fs::read_to_string(asked()).unwrap().lines().next(),
            Some(format!("get {REGISTRY}").as_str())
        );
        let pushed = support::push(&client, &image, &creds).await.unwrap();
        assert!(
            pushed.last().and_then(|i| i.aux.as_ref()).is_some(),
            "{pushed:?}"
        );
        client.image_delete().name(&image).send().await.unwrap();
        let pulled = client
            .image_create()
            .from_image(&image)
            .x_registry_auth(&creds)
            .send()
            .await
            .unwrap();
        let pulled: Vec<types::CreateImageInfo> = support::json_items(pulled).await.unwrap();
        assert!(!pulled.is_empty());
        client.image_inspect().name(&image).send().await.unwrap();
    });
}
