//! The way in: [`Docker`] connects like the docker CLI (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`,
//! `DOCKER_CERT_PATH`, `DOCKER_API_VERSION`, `DOCKER_CONTEXT` and `config.json`'s current context)
//! and hands out the typed client of any enabled API version, negotiated with the daemon.
//!
//! ```no_run
//! # async fn demo() -> Result<(), docker_engine_client::Error> {
//! use docker_engine_client::{Docker, v1_55};
//! let docker = Docker::from_env()?;
//! let client: v1_55::Client = docker.client().await?; // speaks min(1.55, daemon's version)
//! let containers = client.container_list().all(true).send().await?;
//! # Ok(()) }
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::auth::CredentialStore;
use crate::context::ConfigDir;
use crate::error::{ConfigError, Error, VersionError};
use crate::hooks::Hooks;
use crate::host::{DEFAULT_HOST, Host};
use crate::negotiate;
use crate::tls::TlsOptions;
use crate::version::{ApiClient, ApiVersion};

/// The default host when TLS is configured but no host is (as the CLI).
const DEFAULT_TLS_HOST: &str = "tcp://localhost:2376";

/// A connection to one Docker daemon: one pooled HTTP client, shared by every typed client it
/// hands out. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Docker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base_url: String,
    host: Host,
    pinned: Option<ApiVersion>,
    credentials: CredentialStore,
    daemon_version: OnceCell<ApiVersion>,
    daemon_minimum: OnceCell<Option<ApiVersion>>,
}

impl Docker {
    /// Connects as the docker CLI would from the environment: `DOCKER_HOST` (else the current
    /// context, else `unix:///var/run/docker.sock`), TLS from `DOCKER_TLS_VERIFY`/`DOCKER_TLS`/
    /// `DOCKER_CERT_PATH`, a pinned `DOCKER_API_VERSION`. Nothing is sent until the first call.
    pub fn from_env() -> Result<Docker, Error> {
        DockerBuilder::from_env()?.build()
    }

    /// Connects to `host` (`unix:///path`, `tcp://host:port`, `http://…`, `https://…`).
    pub fn connect(host: &str) -> Result<Docker, Error> {
        Docker::builder().host(host).build()
    }

    /// A builder with the defaults (the default host, negotiation on).
    pub fn builder() -> DockerBuilder {
        DockerBuilder::default()
    }

    /// The daemon's address, e.g. `unix:///var/run/docker.sock`.
    pub fn host(&self) -> &Host {
        &self.inner.host
    }

    /// The registry credentials the docker CLI would use (`config.json` of `$DOCKER_CONFIG` or
    /// `~/.docker`, credential helpers), unless the builder was given others.
    pub fn credentials(&self) -> &CredentialStore {
        &self.inner.credentials
    }

    /// The typed client of API version `C::VERSION`, speaking the pinned version if there is one,
    /// else the lower of `C::VERSION` and the daemon's (asked once, then remembered).
    pub async fn client<C: ApiClient>(&self) -> Result<C, Error> {
        let version = match self.inner.pinned {
            Some(pinned) => pinned,
            None => self.negotiate(C::VERSION).await?,
        };
        self.client_with_version(version)
    }

    /// The typed client `C`, speaking `version` without asking the daemon.
    pub fn client_with_version<C: ApiClient>(&self, version: ApiVersion) -> Result<C, Error> {
        if version < ApiVersion::OLDEST_SUPPORTED {
            return Err(VersionError::Unsupported {
                version: version.to_string(),
                oldest: ApiVersion::OLDEST_SUPPORTED.to_string(),
            }
            .into());
        }
        let hooks = self.hooks(Some(version));
        Ok(C::from_parts(
            &format!("{}/v{version}", self.inner.base_url),
            self.inner.http.clone(),
            hooks,
        ))
    }

    /// The API version to speak for a client of version `client`, as Go's
    /// `NegotiateAPIVersion`: the lower of the two. Fails when the daemon's minimum is above
    /// `client`, or when the result is below the oldest version this crate supports.
    pub async fn negotiate(&self, client: ApiVersion) -> Result<ApiVersion, Error> {
        let hooks = self.hooks(None);
        let daemon = *self
            .inner
            .daemon_version
            .get_or_try_init(|| {
                negotiate::daemon_version(&self.inner.http, &self.inner.base_url, &hooks)
            })
            .await?;
        let minimum = if client < daemon {
            *self
                .inner
                .daemon_minimum
                .get_or_try_init(|| {
                    negotiate::daemon_minimum(&self.inner.http, &self.inner.base_url, &hooks)
                })
                .await?
        } else {
            None
        };
        Ok(negotiate::choose(client, daemon, minimum)?)
    }

    fn hooks(&self, version: Option<ApiVersion>) -> Hooks {
        let socket = match &self.inner.host {
            Host::Unix(path) => Some(path.clone()),
            Host::Tcp { .. } => None,
        };
        Hooks::new(self.inner.host.to_string(), socket, version)
    }
}

/// Settings for a [`Docker`] connection.
#[derive(Clone)]
pub struct DockerBuilder {
    host: Option<String>,
    tls: Option<TlsOptions>,
    tls_reason: String,
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
            .field("tls_reason", &self.tls_reason)
            .field("api_version", &self.api_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("headers", &headers)
            .field("credentials", &self.credentials)
            .field("proxies", &self.proxies)
            .finish()
    }
}

/// The proxy settings of an environment, as Go's `ProxyFromEnvironment` reads them:
/// `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (or their lowercase forms).
#[derive(Clone, Debug, Default)]
struct ProxyEnv {
    http: Option<String>,
    https: Option<String>,
    no_proxy: Option<String>,
}

impl ProxyEnv {
    fn read(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let any = |upper: &str, lower: &str| {
            env(upper)
                .filter(|v| !v.is_empty())
                .or_else(|| env(lower).filter(|v| !v.is_empty()))
        };
        Self {
            http: any("HTTP_PROXY", "http_proxy"),
            https: any("HTTPS_PROXY", "https_proxy"),
            no_proxy: any("NO_PROXY", "no_proxy"),
        }
    }

    /// The proxy for a TCP daemon at `host` (`https` when TLS is used): none for `localhost` and
    /// loopback addresses (as Go, whatever `NO_PROXY` says), else the scheme's proxy, which
    /// `NO_PROXY` can still exclude.
    fn proxy_for(&self, host: &str, https: bool) -> Result<Option<reqwest::Proxy>, ConfigError> {
        if is_loopback(host) {
            return Ok(None);
        }
        let Some(url) = (if https { &self.https } else { &self.http }) else {
            return Ok(None);
        };
        let proxy = reqwest::Proxy::all(url.as_str()).map_err(|e| {
            ConfigError::HttpClient(format!(
                "proxy {}: {}",
                if https { "HTTPS_PROXY" } else { "HTTP_PROXY" },
                crate::error::error_chain(&e)
            ))
        })?;
        let no_proxy = self
            .no_proxy
            .as_deref()
            .and_then(reqwest::NoProxy::from_string);
        Ok(Some(proxy.no_proxy(no_proxy)))
    }
}

/// `localhost` or a loopback IP (`127.0.0.0/8`, `::1`): never proxied.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Default for DockerBuilder {
    fn default() -> Self {
        Self {
            host: None,
            tls: None,
            tls_reason: "TLS options were given".into(),
            api_version: None,
            connect_timeout: crate::http::CONNECT_TIMEOUT,
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
                    })?;
                let mut tls = TlsOptions::from_dir(dir);
                tls.verify = verify;
                builder.tls = Some(tls);
                builder.tls_reason = if verify {
                    "DOCKER_TLS_VERIFY is set".into()
                } else {
                    "DOCKER_TLS is set".into()
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
            builder.tls_reason = format!("context {name:?} has TLS settings");
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
        self.tls_reason = "TLS options were given".into();
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
    /// `wait` run for as long as they need. Per client, see [`ApiClient::with_timeout`].
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
        let mut http = crate::http::builder().connect_timeout(self.connect_timeout);
        if let Some(timeout) = self.timeout {
            http = http.timeout(timeout);
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            let invalid =
                |e: &dyn std::fmt::Display| ConfigError::HttpClient(format!("header {name}: {e}"));
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
                let authority = if name.contains(':') {
                    format!("[{name}]:{port}")
                } else {
                    format!("{name}:{port}")
                };
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
                        http = with_tls(http, tls, &self.tls_reason)?;
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
        let http = http
            .build()
            .map_err(|e| ConfigError::HttpClient(crate::error::error_chain(&e)))?;
        Ok(Docker {
            inner: Arc::new(Inner {
                http,
                base_url,
                host,
                pinned: self.api_version,
                credentials: self.credentials,
                daemon_version: OnceCell::new(),
                daemon_minimum: OnceCell::new(),
            }),
        })
    }
}

#[cfg(feature = "tls")]
fn with_tls(
    http: reqwest::ClientBuilder,
    tls: &TlsOptions,
    why: &str,
) -> Result<reqwest::ClientBuilder, Error> {
    Ok(http.tls_backend_preconfigured(crate::tls::client_config(tls, why)?))
}

#[cfg(not(feature = "tls"))]
fn with_tls(
    _: reqwest::ClientBuilder,
    tls: &TlsOptions,
    why: &str,
) -> Result<reqwest::ClientBuilder, Error> {
    match crate::tls::client_config(tls, why)? {}
}
