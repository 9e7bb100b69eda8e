//! Per-client state carried by every generated `Client` (progenitor's "inner" value): where the
//! daemon is, which API version the client's URLs speak, the client's timeout. Shared, immutable,
//! cheap to clone; the request steps read it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::direct::DirectConnector;
use crate::version::ApiVersion;

/// Per-client settings carried by each generated `Client` (progenitor's "inner" value).
/// `ClientState::default()` is what a client made by hand uses (`v1_55::Client::new_with_client`);
/// [`crate::Docker`] fills it in.
#[derive(Clone, Debug, Default)]
pub struct ClientState {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    endpoint: String,
    socket: Option<PathBuf>,
    api_version: Option<ApiVersion>,
    timeout: Option<Duration>,
    /// Opens connections of their own for streaming responses; `None` for hand-made clients
    /// and connections through a proxy.
    direct: Option<Arc<DirectConnector>>,
}

impl ClientState {
    pub(crate) fn new(
        endpoint: String,
        socket: Option<PathBuf>,
        api_version: Option<ApiVersion>,
        direct: Option<Arc<DirectConnector>>,
    ) -> Self {
        Self {
            state: Arc::new(State {
                endpoint,
                socket,
                api_version,
                timeout: None,
                direct,
            }),
        }
    }

    /// The same settings with a total timeout for each request.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        let s = &self.state;
        Self {
            state: Arc::new(State {
                endpoint: s.endpoint.clone(),
                socket: s.socket.clone(),
                api_version: s.api_version,
                timeout: Some(timeout),
                direct: s.direct.clone(),
            }),
        }
    }

    /// The daemon's address, for messages (`unix:///var/run/docker.sock`).
    pub fn endpoint(&self) -> &str {
        if self.state.endpoint.is_empty() {
            "the client's base URL"
        } else {
            &self.state.endpoint
        }
    }

    /// The unix socket's path, when the endpoint is one.
    pub fn socket_path(&self) -> Option<&Path> {
        self.state.socket.as_deref()
    }

    /// The API version in the client's URLs, when known.
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.state.api_version
    }

    /// The connector for streams on a connection of their own, if this client has one.
    pub(crate) fn direct(&self) -> Option<&DirectConnector> {
        self.state.direct.as_deref()
    }

    /// The per-request timeout, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.state.timeout
    }
}
