//! [`Docker`]: the handle on one daemon. It owns the pooled HTTP client, remembers the daemon's
//! API version once asked, and hands out the typed client of any enabled version.

use std::sync::Arc;

use tokio::sync::OnceCell;

use super::builder::DockerBuilder;
use super::host::Host;
use super::negotiate;
use crate::auth::CredentialStore;
use crate::error::{Error, VersionError};
use crate::transport::{ApiClient, ClientSettings, ClientState, Dialer, Requests};
use crate::version::ApiVersion;
use crate::wire::HttpClient;

/// A connection to one Docker daemon: one pooled HTTP client, shared by every typed client it
/// hands out. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Docker {
    inner: Arc<Inner>,
}

/// What [`DockerBuilder::build`] settled: how requests reach the daemon, and with what.
pub(crate) struct Connection {
    /// The pooled HTTP client.
    pub(crate) http: HttpClient,
    /// The forwarder in front of the daemon, for `ssh://`.
    pub(crate) dialer: Option<Arc<dyn Dialer>>,
    /// The URL requests are made against.
    pub(crate) base_url: String,
    /// The daemon's address as given.
    pub(crate) host: Host,
    /// The API version given in code or by `DOCKER_API_VERSION`.
    pub(crate) pinned: Option<ApiVersion>,
    /// Registry credentials.
    pub(crate) credentials: CredentialStore,
}

#[derive(Debug)]
struct Inner {
    http: HttpClient,
    /// For `ssh://`: the forwarder the HTTP client connects through (also held by every client
    /// handed out, so it lives as long as any of them).
    dialer: Option<Arc<dyn Dialer>>,
    base_url: String,
    host: Host,
    pinned: Option<ApiVersion>,
    credentials: CredentialStore,
    daemon_version: OnceCell<ApiVersion>,
    daemon_minimum: OnceCell<Option<ApiVersion>>,
}

impl Docker {
    /// The handle on a connection the builder settled.
    pub(crate) fn new(connection: Connection) -> Docker {
        let Connection {
            http,
            dialer,
            base_url,
            host,
            pinned,
            credentials,
        } = connection;
        Docker {
            inner: Arc::new(Inner {
                http,
                dialer,
                base_url,
                host,
                pinned,
                credentials,
                daemon_version: OnceCell::new(),
                daemon_minimum: OnceCell::new(),
            }),
        }
    }

    /// Connects as the docker CLI would from the environment: `DOCKER_HOST` (else the current
    /// context, else `unix:///var/run/docker.sock`), TLS from `DOCKER_TLS_VERIFY`/`DOCKER_TLS`/
    /// `DOCKER_CERT_PATH`, a pinned `DOCKER_API_VERSION`. Nothing is sent until the first call,
    /// except when the default socket is missing: then the places other setups put it are
    /// probed ([`DockerBuilder::discover`]).
    pub fn from_env() -> Result<Docker, Error> {
        DockerBuilder::from_env()?.build()
    }

    /// Connects to `host` (`unix:///path`, `tcp://host:port`, `http://…`, `https://…`,
    /// `ssh://[user@]host[:port][/path]`).
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
        Ok(C::from_parts(
            &format!("{}/v{version}", self.inner.base_url),
            self.inner.http.clone(),
            self.state(Some(version)),
        ))
    }

    /// The API version to speak for a client of version `client`, as Go's
    /// `NegotiateAPIVersion`: the lower of the two. Fails when the daemon's minimum is above
    /// `client`, or when the result is below the oldest version this crate supports.
    pub async fn negotiate(&self, client: ApiVersion) -> Result<ApiVersion, Error> {
        // Unversioned URLs (`/_ping`, `/version`), through the one request path.
        let requests =
            Requests::from_parts(&self.inner.base_url, &self.inner.http, &self.state(None));
        let daemon = *self
            .inner
            .daemon_version
            .get_or_try_init(|| negotiate::daemon_version(&requests))
            .await?;
        let minimum = if client < daemon {
            *self
                .inner
                .daemon_minimum
                .get_or_try_init(|| negotiate::daemon_minimum(&requests))
                .await?
        } else {
            None
        };
        Ok(negotiate::choose(client, daemon, minimum)?)
    }

    fn state(&self, version: Option<ApiVersion>) -> ClientState {
        let socket = match &self.inner.host {
            Host::Unix(path) => Some(path.clone()),
            Host::Tcp { .. } | Host::Ssh { .. } => None,
        };
        ClientState::new(ClientSettings {
            endpoint: self.inner.host.to_string(),
            socket,
            api_version: version,
            timeout: None,
            dialer: self.inner.dialer.clone(),
            own_connections: false,
        })
    }
}
