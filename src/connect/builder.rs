//! [`DockerBuilder`]: the settings of a connection, from code or from the environment as the
//! docker CLI reads it (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`/`DOCKER_TLS`/`DOCKER_CERT_PATH`,
//! `DOCKER_API_VERSION`, `DOCKER_CONTEXT` and `config.json`'s current context, proxies), turned
//! into a [`Docker`] with one pooled HTTP client.

use std::path::PathBuf;
use std::time::Duration;

use super::Docker;
use super::host::{DEFAULT_HOST, Host, authority};
use super::proxy::ProxyEnv;
use super::tls::TlsOptions;
use crate::auth::CredentialStore;
use crate::cli_config::ConfigDir;
use crate::error::{Cause, ConfigError, Error};
use crate::version::ApiVersion;

/// The default host when TLS is configured but no host is (as the CLI).
const DEFAULT_TLS_HOST: &str = "tcp://localhost:2376";

/// Where a connection's TLS settings came from, for the errors that name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TlsSource {
    /// Given in code ([`DockerBuilder::tls`]).
    Options,
    /// `DOCKER_TLS_VERIFY` is set.
    DockerTlsVerify,
    /// `DOCKER_TLS` is set (without verification).
    DockerTls,
    /// A context's TLS material or `SkipTLSVerify`.
    Context(String),
}

impl std::fmt::Display for TlsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsSource::Options => f.write_str("TLS options were given"),
            TlsSource::DockerTlsVerify => f.write_str("DOCKER_TLS_VERIFY is set"),
            TlsSource::DockerTls => f.write_str("DOCKER_TLS is set"),
            TlsSource::Context(name) => write!(f, "context {name:?} has TLS settings"),
        }
    }
}

/// Settings for a [`Docker`] connection.
#[derive(Clone)]
pub struct DockerBuilder {
    host: Option<String>,
    tls: Option<TlsOptions>,
    tls_source: TlsSource,
    api_version: Option<ApiVersion>,
    connect_timeout: Duration,
    timeout: Option<Duration>,
    headers: Vec<(String, String)>,
    credentials: CredentialStore,
    proxies: Option<ProxyEnv>,
}

/// Header values are left out: a default header may carry a token.
impl std::fmt::Debug for DockerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, _)| (name.as_str(), "<redacted>"))
            .collect();
        f.debug_struct("DockerBuilder")
            .field("host", &self.host)
            .field("tls", &self.tls)
            .field("tls_source", &self.tls_source)
            .field("api_version", &self.api_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("headers", &headers)
            .field("credentials", &self.credentials)
            .field("proxies", &self.proxies)
            .finish()
    }
}

impl Default for DockerBuilder {
    fn default() -> Self {
        Self {
            host: None,
            tls: None,
            tls_source: TlsSource::Options,
            api_version: None,
            connect_timeout: crate::transport::CONNECT_TIMEOUT,
            timeout: None,
            headers: Vec::new(),
            credentials: CredentialStore::from_env(),
            proxies: None,
        }
    }
}

impl DockerBuilder {
    /// The builder [`Docker::from_env`] uses, from the process environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(&|key| std::env::var(key).ok())
    }

    /// The same, with the environment looked up through `env` (for tests, or to embed the
    /// rules in a program with its own settings).
    pub fn from_env_with(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let set = |key: &str| env(key).filter(|v| !v.is_empty());
        let mut builder = DockerBuilder {
            proxies: Some(ProxyEnv::read(env)),
            ..DockerBuilder::default()
        };
        if let Some(version) = set("DOCKER_API_VERSION") {
            builder.api_version = Some(version.parse()?);
        }
        let config = ConfigDir::from_env(env);
        builder.credentials = CredentialStore::from_config_dir(config.as_ref());
        if let Some(host) = env("DOCKER_HOST") {
            // DOCKER_HOST wins over contexts, as in the CLI; an empty one means the default.
            builder.host = Some(host).filter(|h| !h.is_empty());
            let verify = set("DOCKER_TLS_VERIFY").is_some();
            if verify || set("DOCKER_TLS").is_some() {
                let dir = set("DOCKER_CERT_PATH")
                    .map(PathBuf::from)
                    .or_else(|| config.as_ref().map(|c| c.path().to_path_buf()))
                    .ok_or_else(|| ConfigError::TlsFile {
                        path: "ca.pem".into(),
                        reason: "TLS is on but neither DOCKER_CERT_PATH nor HOME is set".into(),
                        source: None,
                    })?;
                let mut tls = TlsOptions::from_dir(dir);
                tls.verify = verify;
                builder.tls = Some(tls);
                builder.tls_source = if verify {
                    TlsSource::DockerTlsVerify
                } else {
                    TlsSource::DockerTls
                };
                if builder.host.is_none() {
                    builder.host = Some(DEFAULT_TLS_HOST.into());
                }
            }
            return Ok(builder);
        }
        let context = match set("DOCKER_CONTEXT") {
            Some(name) => Some(name),
            None => match &config {
                Some(config) => config.current_context()?,
                None => None,
            },
        };
        if let Some(name) = context.filter(|n| n != "default") {
            let config = config.ok_or_else(|| ConfigError::Context {
                name: name.clone(),
                reason:
                    "neither DOCKER_CONFIG nor HOME is set, so the context store cannot be found"
                        .into(),
            })?;
            let endpoint = config.context(&name)?;
            builder.host = Some(endpoint.host);
            builder.tls = endpoint.tls;
            builder.tls_source = TlsSource::Context(name);
        }
        Ok(builder)
    }

    /// The daemon's address: `unix:///path`, `tcp://host:port`, `http://…` or `https://…`.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// TLS for a TCP host.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = Some(tls);
        self.tls_source = TlsSource::Options;
        self
    }

    /// Always speak this API version: no negotiation (like `DOCKER_API_VERSION`).
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.api_version = Some(version);
        self
    }

    /// How long to wait for a connection (30 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A total timeout for every request. None by default: follow-mode logs, events, pulls and
    /// `wait` run for as long as they need. Per client, see [`ApiClient::with_timeout`](crate::ApiClient::with_timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Where registry credentials come from ([`Docker::credentials`]); by default the docker
    /// CLI's `config.json` and credential helpers.
    pub fn credentials(mut self, store: CredentialStore) -> Self {
        self.credentials = store;
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Builds the connection. Nothing is sent to the daemon yet.
    pub fn build(self) -> Result<Docker, Error> {
        let host = Host::parse(self.host.as_deref().unwrap_or(DEFAULT_HOST))?;
        let mut http =
            crate::transport::http_client_builder().connect_timeout(self.connect_timeout);
        if let Some(timeout) = self.timeout {
            http = http.timeout(timeout);
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            let invalid = |e: &dyn std::fmt::Display| ConfigError::HttpClient {
                reason: format!("header {name}: {e}"),
                source: None,
            };
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| invalid(&e))?;
            let mut value =
                reqwest::header::HeaderValue::from_str(value).map_err(|e| invalid(&e))?;
            // Shown as "Sensitive" by `Debug` of the HTTP client inside `Docker`: a default
            // header may carry a token.
            value.set_sensitive(true);
            headers.append(name, value);
        }
        http = http.default_headers(headers);
        let base_url = match &host {
            #[cfg(unix)]
            Host::Unix(path) => {
                http = http.unix_socket(path.as_path());
                "http://docker".to_string()
            }
            #[cfg(not(unix))]
            Host::Unix(_) => {
                return Err(ConfigError::InvalidHost {
                    value: host.to_string(),
                    reason: "unix sockets need a unix system".into(),
                }
                .into());
            }
            Host::Tcp {
                host: name,
                port,
                https,
            } => {
                let authority = authority(name, *port);
                // Unix sockets never take a proxy; TCP daemons as Go's ProxyFromEnvironment.
                let proxies = match &self.proxies {
                    Some(p) => p.clone(),
                    None => ProxyEnv::read(&|key| std::env::var(key).ok()),
                };
                if let Some(proxy) = proxies.proxy_for(name, self.tls.is_some() || *https)? {
                    http = http.proxy(proxy);
                }
                match (&self.tls, https) {
                    (Some(tls), _) => {
                        http = with_tls(http, tls, &self.tls_source)?;
                        format!("https://{authority}")
                    }
                    (None, true) => {
                        return Err(ConfigError::InvalidHost {
                            value: host.to_string(),
                            reason: "https:// needs TLS settings (a CA): set DOCKER_CERT_PATH, or give TlsOptions".into(),
                        }
                        .into());
                    }
                    (None, false) => format!("http://{authority}"),
                }
            }
        };
        let http = http.build().map_err(|e| ConfigError::HttpClient {
            reason: crate::error::error_chain(&e),
            source: Some(Cause::new(e)),
        })?;
        Ok(Docker::new(
            http,
            base_url,
            host,
            self.api_version,
            self.credentials,
        ))
    }
}

#[cfg(feature = "tls")]
fn with_tls(
    http: reqwest::ClientBuilder,
    tls: &TlsOptions,
    why: &TlsSource,
) -> Result<reqwest::ClientBuilder, Error> {
    Ok(http.tls_backend_preconfigured(super::tls::client_config(tls, why)?))
}

#[cfg(not(feature = "tls"))]
fn with_tls(
    _: reqwest::ClientBuilder,
    tls: &TlsOptions,
    why: &TlsSource,
) -> Result<reqwest::ClientBuilder, Error> {
    match super::tls::client_config(tls, why)? {}
}
