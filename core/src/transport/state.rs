//! Per-client state carried by every generated `Client` (progenitor's "inner" value): where the
//! daemon is, which API version the client's URLs speak, the client's timeout, and the dialer the
//! connections go through when it is not the HTTP client's own (the ssh forwarder). Shared,
//! immutable, cheap to clone; the request steps read it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::version::ApiVersion;

/// A dialer in front of the HTTP client (the ssh forwarder: the client connects to its private
/// socket, it runs the program that reaches the daemon). Every client holding one keeps it alive;
/// a transport failure asks it why its program failed, so the error quotes that instead of "the
/// connection closed".
pub(crate) trait Dialer: std::fmt::Debug + Send + Sync {
    /// Why the dialer's program failed lately, if it did.
    fn recent_failure(&self) -> Option<DialFailure>;
}

/// A dialer's program that failed: how it ended and the end of what it wrote on stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DialFailure {
    /// How it ended, e.g. `exit status: 255`.
    pub(crate) status: String,
    /// The end of its stderr (bounded), trimmed.
    pub(crate) stderr: String,
}

/// Per-client settings carried by each generated `Client` (progenitor's "inner" value).
/// `ClientState::default()` is what a client made by hand uses (`v1_55::Client::new_with_client`);
/// [`crate::Docker`] fills it in.
#[derive(Clone, Debug, Default)]
pub struct ClientState {
    state: Arc<ClientSettings>,
}

/// What a [`ClientState`] holds, by name.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientSettings {
    /// The daemon's address as the user gave it; empty for a client made by hand.
    pub(crate) endpoint: String,
    /// The unix socket's path, when the endpoint is one.
    pub(crate) socket: Option<PathBuf>,
    /// The API version in the client's URLs.
    pub(crate) api_version: Option<ApiVersion>,
    /// A total timeout for each request.
    pub(crate) timeout: Option<Duration>,
    /// The ssh forwarder, for `ssh://` hosts.
    pub(crate) dialer: Option<Arc<dyn Dialer>>,
    /// Each request sent over hyper on a connection of its own, never the pool's.
    pub(crate) own_connections: bool,
}

impl ClientState {
    /// A client's state from its settings.
    pub(crate) fn new(state: ClientSettings) -> Self {
        Self {
            state: Arc::new(state),
        }
    }

    /// The same settings with a total timeout for each request.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        self.changed(|s| s.timeout = Some(timeout))
    }

    /// A copy of the settings with `change` made.
    fn changed(&self, change: impl FnOnce(&mut ClientSettings)) -> Self {
        let mut state = ClientSettings::clone(&self.state);
        change(&mut state);
        Self {
            state: Arc::new(state),
        }
    }

    /// The same settings, each request (without a body) sent on a connection of its own: for
    /// requests made where the runtime that drives the pool's connections may be blocked (a
    /// `Drop` removing a container). Through a proxy, requests still use the pool.
    pub(crate) fn on_own_connections(&self) -> Self {
        self.changed(|s| s.own_connections = true)
    }

    /// Whether requests go on connections of their own (see
    /// [`on_own_connections`](Self::on_own_connections)).
    pub(crate) fn opens_own_connections(&self) -> bool {
        self.state.own_connections
    }

    /// The daemon's address as the user gave it (`unix:///var/run/docker.sock`), for messages;
    /// `None` for a client made by hand, whose base URL is all there is.
    pub fn endpoint(&self) -> Option<&str> {
        Some(self.state.endpoint.as_str()).filter(|e| !e.is_empty())
    }

    /// The unix socket's path, when the endpoint is one.
    pub fn socket_path(&self) -> Option<&Path> {
        self.state.socket.as_deref()
    }

    /// The API version in the client's URLs, when known.
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.state.api_version
    }

    /// The per-request timeout, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.state.timeout
    }

    /// Why the dialer in front of the HTTP client failed lately, when there is one and it did.
    pub(crate) fn dial_failure(&self) -> Option<DialFailure> {
        self.state.dialer.as_ref()?.recent_failure()
    }
}
