//! [`DockerBuilder`]: the settings of a connection, from code or from the environment as the
//! docker CLI reads it (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`/`DOCKER_TLS`/`DOCKER_CERT_PATH`,
//! `DOCKER_API_VERSION`, `DOCKER_CONTEXT` and `config.json`'s current context, proxies), turned
//! into a [`Docker`] with one pooled HTTP client. Without a host, the default socket, or when it
//! is missing the first socket that answers where common setups put theirs (`discover`); for
//! `ssh://`, a forwarder in front of the system `ssh` (`ssh`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use super::Docker;
#[cfg(unix)]
use super::discover;
use super::docker::Connection;
use super::host::{DEFAULT_HOST, Host, authority};
use super::proxy::ProxyEnv;
use super::tls::TlsOptions;
use crate::auth::CredentialStore;
use crate::cli_config::ConfigDir;
use crate::error::{ConfigError, Error};
use crate::transport::Dialer;
use crate::version::ApiVersion;
use crate::wire::{Proxy, Target};

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
    ssh_options: Vec<String>,
    discover: bool,
    default_socket: PathBuf,
    /// `HOME` and `XDG_RUNTIME_DIR` for discovery, when read by `from_env_with`; else the
    /// process environment's, read when discovery runs.
    discovery_env: Option<DiscoveryEnv>,
}

/// The environment discovery looks in.
#[derive(Clone, Debug, Default)]
struct DiscoveryEnv {
    home: Option<PathBuf>,
    runtime_dir: Option<PathBuf>,
}

impl DiscoveryEnv {
    fn read(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let path = |key: &str| env(key).filter(|v| !v.is_empty()).map(PathBuf::from);
        DiscoveryEnv {
            home: path("HOME"),
            runtime_dir: path("XDG_RUNTIME_DIR"),
        }
    }
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
            .field("ssh_options", &self.ssh_options)
            .field("discover", &self.discover)
            .field("default_socket", &self.default_socket)
            .field("discovery_env", &self.discovery_env)
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
            connect_timeout: crate::wire::CONNECT_TIMEOUT,
            timeout: None,
            headers: Vec::new(),
            credentials: CredentialStore::from_env(),
            proxies: None,
            ssh_options: Vec::new(),
            discover: true,
            default_socket: PathBuf::from(&DEFAULT_HOST["unix://".len()..]),
            discovery_env: None,
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
            discovery_env: Some(DiscoveryEnv::read(env)),
            ..DockerBuilder::default()
        };
        if let Some(version) = set("DOCKER_API_VERSION") {
            builder.api_version = Some(version.parse()?);
        }
        let config = ConfigDir::from_env(env);
        builder.credentials = CredentialStore::from_config_dir(config.as_ref());
        // As the CLI (`resolveContextName`): a DOCKER_HOST that is set and not empty selects the
        // default context; else DOCKER_CONTEXT, else config.json's current context.
        let docker_host = set("DOCKER_HOST");
        let context = if docker_host.is_some() {
            None
        } else {
            match set("DOCKER_CONTEXT") {
                Some(name) => Some(name),
                None => config.as_ref().and_then(current_context_or_warn),
            }
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
            return Ok(builder);
        }
        // The default context: DOCKER_HOST (or the default socket), TLS from the environment;
        // TLS without a host means tcp://localhost:2376, as the CLI's `ParseHost`.
        builder.host = docker_host;
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
        Ok(builder)
    }

    /// The daemon's address: `unix:///path`, `tcp://host:port`, `http://…`, `https://…` or
    /// `ssh://[user@]host[:port][/path]`.
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

    /// Options for the system `ssh` of an `ssh://` host, placed before `--` and the host, e.g.
    /// `["-i", "/path/key", "-o", "StrictHostKeyChecking=yes"]`. Give `-o BatchMode=yes` for ssh
    /// never to ask for a password or passphrase on the terminal. Without `ConnectTimeout` among
    /// them, [`connect_timeout`](Self::connect_timeout) is passed as one; `-T` is always passed.
    ///
    /// The docker CLI reads no environment variable for these (ssh's own `~/.ssh/config` is the
    /// place for per-host settings, and is read as usual), and neither does this crate.
    pub fn ssh_options<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ssh_options = options.into_iter().map(Into::into).collect();
        self
    }

    /// Whether to look for the daemon when no host is given (not by code, `DOCKER_HOST` nor a
    /// context) and the default socket `/var/run/docker.sock` does not exist. On by default:
    /// the sockets of rootless Docker (`$XDG_RUNTIME_DIR/docker.sock`), Docker Desktop
    /// (`~/.docker/run/docker.sock`, `~/.docker/desktop/docker.sock`), Colima
    /// (`~/.colima/default/docker.sock`), OrbStack (`~/.orbstack/run/docker.sock`), Rancher
    /// Desktop (`~/.rd/docker.sock`) and Podman (`$XDG_RUNTIME_DIR/podman/podman.sock`,
    /// `/run/podman/podman.sock`) are tried in that order during [`build`](Self::build), and
    /// the first that answers `/_ping` (within 2 s) is used (logged with `tracing`). When none
    /// does, `build` fails with [`TransportError::NoDaemonFound`](crate::TransportError::NoDaemonFound),
    /// listing every place tried. Off: the default socket is used, present or not.
    pub fn discover(mut self, discover: bool) -> Self {
        self.discover = discover;
        self
    }

    /// The socket used when no host is given (`/var/run/docker.sock`), for tests of discovery.
    #[doc(hidden)]
    pub fn default_socket_for_tests(mut self, path: impl Into<PathBuf>) -> Self {
        self.default_socket = path.into();
        self
    }

    /// The host when none is given: the default socket or, when it is missing and discovery
    /// is on, the first daemon found.
    fn default_host(&self) -> Result<Host, Error> {
        if !self.discover || self.default_socket.exists() {
            return Ok(Host::Unix(self.default_socket.clone()));
        }
        self.discovered()
    }

    #[cfg(not(unix))]
    fn discovered(&self) -> Result<Host, Error> {
        Ok(Host::Unix(self.default_socket.clone()))
    }

    /// The first daemon found where common setups put theirs.
    #[cfg(unix)]
    fn discovered(&self) -> Result<Host, Error> {
        let env = match &self.discovery_env {
            Some(env) => env.clone(),
            None => DiscoveryEnv::read(&|key| std::env::var(key).ok()),
        };
        let candidates = discover::candidates(env.home.as_deref(), env.runtime_dir.as_deref());
        Ok(Host::Unix(discover::discover(
            &self.default_socket,
            &candidates,
        )?))
    }

    /// Builds the connection. Nothing is sent to the daemon yet, except when no host is given
    /// and the default socket is missing (see [`discover`](Self::discover)). For an `ssh://`
    /// host, this starts the forwarder `ssh` connections go through (a private socket served by
    /// a thread of its own); `ssh` itself runs at the first request.
    pub fn build(self) -> Result<Docker, Error> {
        let host = match self.host.as_deref() {
            Some(host) => Host::parse(host)?,
            None => self.default_host()?,
        };
        let headers = self.header_map()?;
        let mut http = crate::transport::http_client_builder()
            .connect_timeout(self.connect_timeout)
            .default_headers(headers);
        if let Some(timeout) = self.timeout {
            http = http.timeout(timeout);
        }
        let route = self.route(&host)?;
        Ok(Docker::new(Connection {
            http: http.target(route.target, route.proxy).build(),
            dialer: route.dialer,
            base_url: route.base_url,
            host,
            pinned: self.api_version,
            credentials: self.credentials,
        }))
    }

    /// The default headers given in code, checked; their values are marked sensitive (shown as
    /// "Sensitive" by `Debug` of the HTTP client inside `Docker`): one may carry a token.
    fn header_map(&self) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let invalid = |e: &dyn std::fmt::Display| ConfigError::HttpClient {
                reason: format!("header {name}: {e}"),
                source: None,
            };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(&e))?;
            let mut value = HeaderValue::from_str(value).map_err(|e| invalid(&e))?;
            value.set_sensitive(true);
            headers.append(name, value);
        }
        Ok(headers)
    }

    /// How requests reach `host`: where connections go, through which proxy, and the URL stem.
    fn route(&self, host: &Host) -> Result<Route, Error> {
        match host {
            #[cfg(unix)]
            Host::Unix(path) => Ok(Route::unix(path.clone(), None)),
            #[cfg(not(unix))]
            Host::Unix(_) => Err(ConfigError::InvalidHost {
                value: host.to_string(),
                reason: "unix sockets need a unix system".into(),
            }
            .into()),
            #[cfg(unix)]
            Host::Ssh {
                user,
                host: name,
                port,
                path,
            } => {
                let command = super::ssh::SshCommand::new(
                    user.as_deref(),
                    name,
                    *port,
                    path.as_deref(),
                    &self.ssh_options,
                    self.connect_timeout,
                );
                let forwarder = super::ssh::SshForwarder::start(command)?;
                // Every connection goes to the forwarder's socket.
                let socket = forwarder.socket().to_path_buf();
                Ok(Route::unix(socket, Some(Arc::new(forwarder))))
            }
            #[cfg(not(unix))]
            Host::Ssh { .. } => Err(ConfigError::InvalidHost {
                value: host.to_string(),
                reason: "ssh:// is implemented with a unix socket in front of ssh, which needs a unix system".into(),
            }
            .into()),
            Host::Tcp {
                host: name,
                port,
                https,
                path,
            } => self.tcp_route(host, (name, *port), *https, path),
        }
    }

    /// The route to a TCP daemon: through a proxy when the environment names one for it (as
    /// Go's `ProxyFromEnvironment`), with TLS when configured.
    fn tcp_route(
        &self,
        host: &Host,
        (name, port): (&str, u16),
        https: bool,
        path: &str,
    ) -> Result<Route, Error> {
        let authority = authority(name, port);
        let proxies = match &self.proxies {
            Some(p) => p.clone(),
            None => ProxyEnv::read(&|key| std::env::var(key).ok()),
        };
        let proxy = proxies.proxy_for(name, self.tls.is_some() || https)?;
        let (base_url, target) = match (&self.tls, https) {
            (Some(tls), _) => (
                format!("https://{authority}{path}"),
                with_tls(tls, &self.tls_source, name, port)?,
            ),
            (None, true) => {
                return Err(ConfigError::InvalidHost {
                    value: host.to_string(),
                    reason: "https:// needs TLS settings (a CA): set DOCKER_CERT_PATH, or give TlsOptions".into(),
                }
                .into());
            }
            (None, false) => {
                let target = Target::Tcp {
                    host: name.to_string(),
                    port,
                };
                (format!("http://{authority}{path}"), target)
            }
        };
        Ok(Route {
            target,
            proxy,
            base_url,
            dialer: None,
        })
    }
}

/// How a connection's requests reach the daemon.
struct Route {
    /// Where connections go.
    target: Target,
    /// The HTTP proxy in front of a TCP daemon.
    proxy: Option<Proxy>,
    /// The URL requests are made against.
    base_url: String,
    /// The forwarder in front of the daemon, for `ssh://`.
    dialer: Option<Arc<dyn Dialer>>,
}

impl Route {
    /// The route over a unix socket (the daemon's, or the ssh forwarder's).
    #[cfg(unix)]
    fn unix(socket: PathBuf, dialer: Option<Arc<dyn Dialer>>) -> Route {
        Route {
            target: Target::Unix(socket),
            proxy: None,
            base_url: "http://docker".to_string(),
            dialer,
        }
    }
}

/// The TLS target, with the client configuration the settings give.
#[cfg(feature = "tls")]
fn with_tls(tls: &TlsOptions, why: &TlsSource, host: &str, port: u16) -> Result<Target, Error> {
    let config = super::tls::client_config(tls, why)?;
    Ok(Target::Tls {
        host: host.to_string(),
        port,
        config: Arc::new(config),
    })
}

#[cfg(not(feature = "tls"))]
fn with_tls(tls: &TlsOptions, why: &TlsSource, _: &str, _: u16) -> Result<Target, Error> {
    match super::tls::client_config(tls, why)? {}
}

/// config.json's current context. A file that cannot be read or parsed is a warning and the
/// defaults, as in the CLI (credential lookups still report it as an error).
fn current_context_or_warn(config: &ConfigDir) -> Option<String> {
    match config.current_context() {
        Ok(name) => name,
        Err(e) => {
            tracing::warn!(target: crate::LOG_TARGET, error = %e, "ignoring the docker CLI's config.json");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A builder from exactly `vars`.
    fn from(vars: &[(&str, &str)]) -> DockerBuilder {
        DockerBuilder::from_env_with(&|key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
        .unwrap()
    }

    fn context_store(name: &str, host: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let meta = dir
            .path()
            .join("contexts/meta")
            .join(crate::cli_config::context_id(name));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(r#"{{"Name":"{name}","Endpoints":{{"docker":{{"Host":"{host}"}}}}}}"#),
        )
        .unwrap();
        dir
    }

    #[test]
    fn an_empty_docker_host_is_unset_and_contexts_apply() {
        let store = context_store("remote", "tcp://10.1.2.3:2375");
        let config = store.path().to_str().unwrap();
        let b = from(&[
            ("DOCKER_HOST", ""),
            ("DOCKER_CONTEXT", "remote"),
            ("DOCKER_CONFIG", config),
        ]);
        assert_eq!(b.host.as_deref(), Some("tcp://10.1.2.3:2375"));
        // A DOCKER_HOST that is set wins over the context.
        let b = from(&[
            ("DOCKER_HOST", "tcp://127.0.0.1:2375"),
            ("DOCKER_CONTEXT", "remote"),
            ("DOCKER_CONFIG", config),
        ]);
        assert_eq!(b.host.as_deref(), Some("tcp://127.0.0.1:2375"));
    }

    #[test]
    fn tls_without_a_host_is_localhost_2376_with_tls() {
        for (var, verify) in [("DOCKER_TLS_VERIFY", true), ("DOCKER_TLS", false)] {
            let b = from(&[(var, "1"), ("DOCKER_CERT_PATH", "/certs")]);
            assert_eq!(b.host.as_deref(), Some(DEFAULT_TLS_HOST), "{var}");
            let tls = b.tls.expect("TLS on");
            assert_eq!(tls.verify, verify, "{var}");
            // Files that do not exist are left out, as the CLI: the system's roots then.
            assert_eq!(tls.ca, None);
        }
        let b = from(&[]);
        assert_eq!(b.host, None, "no TLS, no host: the default socket");
    }

    #[test]
    fn an_unreadable_config_json_is_a_warning_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{ not json").unwrap();
        let b = from(&[("DOCKER_CONFIG", dir.path().to_str().unwrap())]);
        assert_eq!(b.host, None);
    }
}
