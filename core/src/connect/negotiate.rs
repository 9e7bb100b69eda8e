//! API version negotiation, as the Go SDK's `NegotiateAPIVersion`: `/_ping`'s `API-Version` header
//! gives the daemon's version; the client speaks the lower of that and its own. `/version`'s
//! `MinAPIVersion` is asked only when the client is older than the daemon.

use crate::error::{DecodeError, Error, VersionError};
use crate::transport::{Requests, from_response};
use crate::version::ApiVersion;

/// What the Go SDK assumes when `/_ping` has no `API-Version` header (daemons before 1.25).
const VERSION_WITHOUT_HEADER: ApiVersion = ApiVersion::new(1, 24);

/// The daemon's API version, from `GET /_ping`'s `API-Version` header (`requests` speak
/// unversioned URLs). As the Go client, the header counts whatever the status: a daemon (or a
/// proxy in front of it) that answers `/_ping` with an error but says its version is still
/// negotiated with; an error status without the header is the daemon's error.
pub(crate) async fn daemon_version(requests: &Requests) -> Result<ApiVersion, Error> {
    const OPERATION: &str = "system_ping";
    let response = requests
        .send_any_status(requests.get("/_ping"), OPERATION)
        .await?;
    let status = response.status();
    match response.headers().get("api-version") {
        None if status.is_success() => Ok(VERSION_WITHOUT_HEADER),
        None => Err(from_response(response, OPERATION).await),
        Some(value) => {
            let text = value.to_str().unwrap_or_default();
            text.parse().map_err(|_| {
                DecodeError::new(
                    OPERATION,
                    "the API-Version header is not 1.NN",
                    text.as_bytes(),
                )
                .into()
            })
        }
    }
}

/// The daemon's minimum API version, from `GET /version` (`None` if it does not say). As the
/// Go client, a `/version` that fails with an error status (an authorization plugin, a socket
/// proxy that forbids it) means "minimum unknown", not a failure to connect.
pub(crate) async fn daemon_minimum(requests: &Requests) -> Result<Option<ApiVersion>, Error> {
    const OPERATION: &str = "system_version";
    #[derive(serde::Deserialize)]
    struct Version {
        #[serde(rename = "MinAPIVersion")]
        min_api_version: Option<String>,
    }
    let response = match requests.send(requests.get("/version"), OPERATION).await {
        Ok(response) => response,
        Err(Error::Api(e)) => {
            tracing::debug!(target: crate::LOG_TARGET, error = %e, "the daemon's minimum API version is unknown");
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let version: Version = requests.json(response, OPERATION).await?;
    Ok(version.min_api_version.and_then(|v| v.parse().ok()))
}

/// The version to speak: the lower of the client's and the daemon's, if the daemon accepts it
/// and this crate supports it.
pub(crate) fn choose(
    client: ApiVersion,
    daemon: ApiVersion,
    daemon_minimum: Option<ApiVersion>,
) -> Result<ApiVersion, VersionError> {
    if let Some(minimum) = daemon_minimum
        && client < minimum
    {
        return Err(VersionError::ClientTooOld {
            daemon_minimum: minimum.to_string(),
            client: client.to_string(),
        });
    }
    let chosen = client.min(daemon);
    if chosen < ApiVersion::OLDEST_SUPPORTED {
        return Err(VersionError::Unsupported {
            version: chosen.to_string(),
            oldest: ApiVersion::OLDEST_SUPPORTED.to_string(),
        });
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(minor: u16) -> ApiVersion {
        ApiVersion::new(1, minor)
    }

    #[test]
    fn speaks_the_lower_version() {
        assert_eq!(choose(v(55), v(41), None), Ok(v(41)));
        assert_eq!(choose(v(41), v(55), Some(v(24))), Ok(v(41)));
        assert_eq!(choose(v(41), v(41), None), Ok(v(41)));
    }

    #[test]
    fn refuses_what_cannot_work() {
        let err = choose(v(41), v(55), Some(v(44))).unwrap_err();
        assert!(
            err.to_string().contains("1.44") && err.to_string().contains("1.41"),
            "{err}"
        );
        let err = choose(v(55), v(24), None).unwrap_err();
        assert!(
            err.to_string().contains("1.24") && err.to_string().contains("1.25"),
            "{err}"
        );
    }
}
