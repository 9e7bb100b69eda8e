//! The trait every generated version client implements, so that connecting, negotiating,
//! timeouts and the handwritten features are written once for all versions.

use std::time::Duration;

use super::ClientState;
use crate::version::ApiVersion;
use crate::wire::HttpClient;

/// A generated client of one API version (`v1_41::Client`, ...). Implemented by generated code.
pub trait ApiClient: Sized + Clone {
    /// The API version this client's types and calls were generated from.
    const VERSION: ApiVersion;

    /// Builds the client from its parts (used by [`crate::Docker`]).
    #[doc(hidden)]
    fn from_parts(base_url: &str, http: HttpClient, state: ClientState) -> Self;

    /// The client's parts.
    #[doc(hidden)]
    fn parts(&self) -> (&str, &HttpClient, &ClientState);

    /// The API version in this client's URLs (`/v1.NN/...`): the negotiated or pinned one.
    fn api_version(&self) -> Option<ApiVersion> {
        self.parts().2.api_version()
    }

    /// The same client, with a total timeout on each of its requests (none by default).
    fn with_timeout(&self, timeout: Duration) -> Self {
        let (base, http, state) = self.parts();
        Self::from_parts(base, http.clone(), state.with_timeout(timeout))
    }
}
