//! The docker CLI's credential store, read-only: `config.json`'s `auths` (base64 `user:pass` in
//! `auth`, or `username`/`password`, or `identitytoken`), `credsStore` (one helper for all
//! registries) and `credHelpers` (a helper per registry), looked up as the CLI does.
//!
//! `config.json` is read at each lookup, so a `docker login` made meanwhile is seen.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::helper::Helper;
use super::reference::{auth_key, registry_of, same_registry};
use super::{Credentials, RegistryConfig};
use crate::cli_config::{AuthEntry, ConfigDir, ConfigFile};
use crate::error::{AuthError, Error};

/// How long a credential helper may take before it is stopped, unless set otherwise.
pub const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// The credentials the docker CLI would use, from a config directory (`$DOCKER_CONFIG`, or
/// `~/.docker`).
///
/// ```no_run
/// # async fn demo() -> Result<(), docker_engine_client::Error> {
/// use docker_engine_client::auth::CredentialStore;
/// let store = CredentialStore::from_env();
/// let creds = store.for_image("127.0.0.1:5000/team/app:1").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CredentialStore {
    file: Option<PathBuf>,
    helper_timeout: Duration,
}

impl CredentialStore {
    /// The store of the config directory the CLI would use (`$DOCKER_CONFIG`, or `~/.docker`);
    /// empty when there is none.
    pub fn from_env() -> Self {
        Self::from_config_dir(ConfigDir::from_env(&|k| std::env::var(k).ok()).as_ref())
    }

    /// The store of a config directory (`None`: no credentials at all).
    pub fn from_config_dir(dir: Option<&ConfigDir>) -> Self {
        Self {
            file: dir.map(|d| d.path().join("config.json")),
            helper_timeout: DEFAULT_HELPER_TIMEOUT,
        }
    }

    /// The store of a specific directory holding `config.json`.
    pub fn at(dir: impl AsRef<Path>) -> Self {
        Self::from_config_dir(Some(&ConfigDir::at(dir.as_ref())))
    }

    /// No credentials: every lookup is anonymous.
    pub fn empty() -> Self {
        Self::from_config_dir(None)
    }

    /// The same store, stopping credential helpers after `timeout`.
    pub fn with_helper_timeout(mut self, timeout: Duration) -> Self {
        self.helper_timeout = timeout;
        self
    }

    /// The credentials for pulling or pushing `image` (`127.0.0.1:5000/app:1`, `busybox`):
    /// those of its registry; anonymous when there are none.
    pub async fn for_image(&self, image: &str) -> Result<Credentials, Error> {
        self.for_registry(registry_of(image)).await
    }

    /// The credentials for `registry` (`127.0.0.1:5000`, `docker.io`,
    /// `https://index.docker.io/v1/`); anonymous when there are none.
    pub async fn for_registry(&self, registry: &str) -> Result<Credentials, Error> {
        let config = self.read()?;
        let key = auth_key(registry);
        if let Some(helper) = helper_for(&config, &key) {
            return Ok(self.helper(helper).get(&key).await?);
        }
        match entry_for(&config, &key) {
            Some((_, entry)) => Ok(credentials_of(entry, &key)?),
            None => Ok(Credentials::anonymous()),
        }
    }

    /// Credentials for every registry the store knows (`auths`, `credHelpers`, and what
    /// `credsStore` lists): the `X-Registry-Config` of a build.
    pub async fn all(&self) -> Result<RegistryConfig, Error> {
        let config = self.read()?;
        let mut all = RegistryConfig::new();
        for (key, entry) in &config.auths {
            if helper_for(&config, key).is_none() {
                all.insert(key.clone(), credentials_of(entry, key)?);
            }
        }
        if let Some(store) = &config.creds_store {
            let helper = self.helper(store);
            for server in helper.list().await?.into_keys() {
                if config
                    .cred_helpers
                    .keys()
                    .any(|k| same_registry(k, &server))
                {
                    continue;
                }
                let creds = helper.get(&server).await?;
                all.insert(server, creds);
            }
        }
        for (key, name) in &config.cred_helpers {
            let creds = self.helper(name).get(key).await?;
            all.insert(key.clone(), creds);
        }
        Ok(all)
    }

    fn helper(&self, name: &str) -> Helper {
        Helper::new(name, self.helper_timeout)
    }

    fn read(&self) -> Result<ConfigFile, Error> {
        match &self.file {
            Some(path) => Ok(ConfigFile::read(path)?),
            None => Ok(ConfigFile::default()),
        }
    }
}

/// The helper that holds `key`'s credentials: its `credHelpers` entry, else `credsStore`.
fn helper_for<'a>(config: &'a ConfigFile, key: &str) -> Option<&'a str> {
    config
        .cred_helpers
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .or_else(|| {
            config
                .cred_helpers
                .iter()
                .find(|(k, _)| same_registry(k, key))
        })
        .map(|(_, v)| v.as_str())
        .or(config.creds_store.as_deref())
        .filter(|name| !name.is_empty())
}

/// `key`'s `auths` entry: exactly, else the first whose host is the same (legacy URL keys).
fn entry_for<'a>(config: &'a ConfigFile, key: &str) -> Option<(&'a String, &'a AuthEntry)> {
    config
        .auths
        .get_key_value(key)
        .or_else(|| config.auths.iter().find(|(k, _)| same_registry(k, key)))
}

/// The credentials an `auths` entry holds.
fn credentials_of(entry: &AuthEntry, key: &str) -> Result<Credentials, AuthError> {
    let non_empty = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let mut creds = if let Some(auth) = non_empty(&entry.auth) {
        let invalid = |reason: &str| AuthError::InvalidAuthEntry {
            registry: key.to_string(),
            reason: reason.to_string(),
        };
        let decoded = STANDARD
            .decode(auth.trim())
            .map_err(|_| invalid("`auth` is not base64"))?;
        let decoded = String::from_utf8(decoded).map_err(|_| invalid("`auth` is not UTF-8"))?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or_else(|| invalid("`auth` is not `username:password`"))?;
        Credentials::password(user, password)
    } else if let Some(user) = non_empty(&entry.username) {
        Credentials::password(user, entry.password.clone().unwrap_or_default())
    } else {
        Credentials::anonymous()
    };
    // As the CLI: a token rides along with the username it was issued for.
    if let Some(token) = non_empty(&entry.identitytoken) {
        creds = creds.with_identity_token(token);
    }
    if let Some(token) = non_empty(&entry.registrytoken) {
        creds = creds.with_registry_token(token);
    }
    if creds.is_anonymous() {
        return Ok(creds);
    }
    if let Some(email) = non_empty(&entry.email) {
        creds = creds.with_email(email);
    }
    Ok(creds.with_server_address(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_of(json: &str) -> (tempfile::TempDir, CredentialStore) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), json).unwrap();
        let store = CredentialStore::at(dir.path());
        (dir, store)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn auths_entries_by_registry() {
        // "dec-user:pa:ss" in standard base64 (a password may hold ':').
        let (_dir, store) = store_of(
            r#"{"auths": {
                "127.0.0.1:5000": {"auth": "ZGVjLXVzZXI6cGE6c3M="},
                "https://index.docker.io/v1/": {"auth": "aHViOmh1YnB3", "email": "a@b.c"},
                "http://legacy.example:5000/v1/": {"identitytoken": "tok"}
            }}"#,
        );
        let local = block_on(store.for_image("127.0.0.1:5000/app:1")).unwrap();
        assert_eq!(
            local,
            Credentials::password("dec-user", "pa:ss").with_server_address("127.0.0.1:5000")
        );
        let hub = block_on(store.for_image("busybox")).unwrap();
        assert_eq!(
            hub,
            Credentials::password("hub", "hubpw")
                .with_email("a@b.c")
                .with_server_address("https://index.docker.io/v1/")
        );
        let legacy = block_on(store.for_registry("legacy.example:5000")).unwrap();
        assert_eq!(
            legacy,
            Credentials::identity_token("tok").with_server_address("legacy.example:5000")
        );
        let none = block_on(store.for_image("ghcr.io/x/y")).unwrap();
        assert!(none.is_anonymous());
    }

    #[test]
    fn missing_file_or_directory_is_anonymous() {
        let dir = tempfile::tempdir().unwrap();
        let creds = block_on(CredentialStore::at(dir.path()).for_image("busybox")).unwrap();
        assert!(creds.is_anonymous());
        assert!(block_on(CredentialStore::empty().all()).unwrap().is_empty());
    }

    #[test]
    fn bad_files_and_entries_are_errors_without_secrets() {
        let (_dir, store) =
            store_of(r#"{"auths": {"r.example": {"auth": "c2VjcmV0LW5vLWNvbG9u"}}}"#);
        let err = block_on(store.for_registry("r.example"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("r.example") && err.contains("username:password"),
            "{err}"
        );
        assert!(!err.contains("secret"), "{err}");

        let (_dir, store) = store_of(r#"{"auths": {"r.example": {"auth": "%%%"}}}"#);
        let err = block_on(store.for_registry("r.example"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not base64"), "{err}");

        let (_dir, store) =
            store_of(r#"{"auths": {"r.example": {"auth": 42, "password": "hunter2"}}"#);
        let err = block_on(store.for_registry("r.example"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("config.json") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_helper_is_named() {
        let (_dir, store) = store_of(r#"{"credHelpers": {"127.0.0.1:5000": "dec-test-absent"}}"#);
        let err = block_on(store.for_image("127.0.0.1:5000/app"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("docker-credential-dec-test-absent"), "{err}");
        assert!(err.contains("not found"), "{err}");
        // Other registries do not ask that helper.
        assert!(block_on(store.for_image("busybox")).unwrap().is_anonymous());
    }
}
