//! Failures and error statuses of every request, mapped to the crate's [`Error`]: a generated
//! call's error ([`from_generated`]), any error status ([`from_response`]: bounded
//! body, the daemon's message or the body's text, redirects named), and transport failures
//! ([`transport`]: classified, with the failure kept as the error's source and no URL in it).

use std::path::PathBuf;

use super::ClientState;
use crate::error::{
    ApiError, Cause, DecodeError, Error, TransportError, VersionError, error_chain,
};
use crate::wire::runtime::Error as Generated;
use crate::wire::{HttpError, Response, ResponseValue};

/// Turns a generated call's result into the crate's error type. Error statuses reach it as
/// `UnexpectedResponse` (the `bounded-errors` generation pass sends every one there), so they are
/// all read by `from_response`.
pub async fn from_generated<T, E>(
    result: Result<ResponseValue<T>, Generated<E>>,
    state: &ClientState,
    operation: &'static str,
) -> Result<ResponseValue<T>, Error> {
    use Generated as G;
    let error = match result {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    Err(match error {
        // Not produced by the generated code (see above); kept total with the status alone.
        G::ErrorResponse(body) => ApiError {
            status: body.status().as_u16(),
            message: format!("HTTP {}", body.status()),
            operation,
        }
        .into(),
        G::UnexpectedResponse(response) => from_response(response, operation).await,
        G::InvalidResponsePayload(bytes, e) => {
            DecodeError::new(operation, e.to_string(), &bytes).into()
        }
        G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
            from_http(e, state, operation).into()
        }
        G::InvalidRequest(message) => Error::InvalidRequest { operation, message },
    })
}

/// The most of an error body that is read: the Go client's bound. A daemon or proxy answering
/// with a huge or endless body costs at most this much memory.
pub(crate) const ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// The most of an error body quoted in an error's message; the rest is summarised by its size.
pub(crate) const ERROR_MESSAGE_LIMIT: usize = 4 * 1024;

/// Any error status (every 3xx, 4xx and 5xx of generated and handwritten calls): an [`ApiError`]
/// with the status and the daemon's `message`, or the body's text when it is not Docker's JSON
/// (a proxy's HTML 502, a plain-text 404). At most [`ERROR_BODY_LIMIT`] bytes are read and at most
/// [`ERROR_MESSAGE_LIMIT`] quoted. A redirect names its `Location` (redirects are never followed:
/// they would re-send credentials to another host).
pub(crate) async fn from_response(response: Response, operation: &'static str) -> Error {
    let status = response.status();
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let declared = response.content_length();
    let mut body = Vec::new();
    let mut cut = false;
    let mut response = response;
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = ERROR_BODY_LIMIT - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    drop(response); // an endless body: the connection is closed, not drained
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    let text = match serde_json::from_slice::<Message>(&body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(&body).trim().to_string(),
    };
    let mut message = quote_bounded(&text, body.len(), cut, declared);
    if status.is_redirection() {
        let to = location.as_deref().unwrap_or("no Location");
        message = if message.is_empty() {
            format!("redirected to {to}; redirects are not followed")
        } else {
            format!("redirected to {to}; redirects are not followed: {message}")
        };
    } else if message.is_empty() {
        message = format!("HTTP {} with an empty body", status.as_u16());
    }
    if status == http::StatusCode::BAD_REQUEST
        && let Some(refusal) = version_refusal(&message)
    {
        return refusal.into();
    }
    ApiError {
        status: status.as_u16(),
        message,
        operation,
    }
    .into()
}

/// The daemon's refusal of the API version in the URL, in its words (the Go daemon's
/// `client version 1.52 is too new. Maximum supported API version is 1.51` and `client version
/// 1.24 is too old. Minimum supported API version is 1.44, ...`), as a [`VersionError`].
fn version_refusal(message: &str) -> Option<VersionError> {
    let rest = message.strip_prefix("client version ")?;
    let (client, rest) = rest.split_once(' ')?;
    let daemon = |rest: &str, before: &str| -> Option<String> {
        let version = rest.split_once(before)?.1;
        let end = version
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(version.len());
        Some(version[..end].trim_end_matches('.').to_string())
    };
    if rest.starts_with("is too new") {
        Some(VersionError::ClientTooNew {
            client: client.to_string(),
            daemon_maximum: daemon(rest, "Maximum supported API version is ")?,
        })
    } else if rest.starts_with("is too old") {
        Some(VersionError::ClientTooOld {
            daemon_minimum: daemon(rest, "Minimum supported API version is ")?,
            client: client.to_string(),
        })
    } else {
        None
    }
}

/// `text` cut to [`ERROR_MESSAGE_LIMIT`] bytes (at a character boundary), saying how large the
/// body was when anything was left out.
fn quote_bounded(text: &str, read: usize, cut: bool, declared: Option<u64>) -> String {
    if text.len() <= ERROR_MESSAGE_LIMIT && !cut {
        return text.to_string();
    }
    let mut end = ERROR_MESSAGE_LIMIT.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let size = match (cut, declared) {
        (false, _) => format!("{read} bytes"),
        (true, Some(n)) => format!("{n} bytes"),
        (true, None) => format!("more than {read} bytes"),
    };
    format!("{}… ({size} in all)", &text[..end])
}

/// Classifies an HTTP failure by walking its sources (it carries no URL: query strings can
/// carry secrets such as `buildargs`).
pub(crate) fn from_http(
    e: HttpError,
    state: &ClientState,
    operation: &'static str,
) -> TransportError {
    // A client made by hand has no endpoint of its own: its base URL's origin names the daemon.
    let endpoint = match (state.endpoint(), e.origin()) {
        (Some(endpoint), _) => endpoint.to_string(),
        (None, Some(origin)) => origin.to_string(),
        (None, None) => "the daemon".to_string(),
    };
    let socket = state.socket_path().map(PathBuf::from);
    let kind = classify(&e, socket.is_some());
    let source = Cause::new(e);
    // Through ssh, the HTTP client only sees its connection close; why is in ssh's stderr.
    if let Some(failure) = state.dial_failure() {
        return TransportError::Ssh {
            endpoint,
            status: failure.status,
            stderr: failure.stderr,
            source,
        };
    }
    match kind {
        Kind::Timeout => TransportError::Timeout {
            endpoint,
            operation,
            source,
        },
        #[cfg(feature = "tls")]
        Kind::Tls(reason) => TransportError::Tls {
            endpoint,
            reason,
            source,
        },
        Kind::SocketMissing => TransportError::SocketMissing {
            endpoint,
            path: socket.unwrap_or_default(),
            source,
        },
        Kind::PermissionDenied => TransportError::PermissionDenied { endpoint, source },
        Kind::ConnectionRefused => TransportError::ConnectionRefused { endpoint, source },
        Kind::Other => TransportError::Connection {
            endpoint,
            operation,
            reason: error_chain(failure(source.get_ref())),
            source,
        },
    }
}

/// Where a failure's own words start: past the [`HttpError`]'s summary ("error sending
/// request"), at what failed.
fn failure<'a>(
    e: &'a (dyn std::error::Error + Send + Sync + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    match e.downcast_ref::<HttpError>() {
        Some(http) => std::error::Error::source(http).unwrap_or(http),
        None => e,
    }
}

/// What a transport failure was, read from its chain of sources.
enum Kind {
    Timeout,
    #[cfg(feature = "tls")]
    Tls(String),
    SocketMissing,
    PermissionDenied,
    ConnectionRefused,
    Other,
}

fn classify(e: &HttpError, unix_socket: bool) -> Kind {
    if e.is_timeout() {
        return Kind::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        #[cfg(feature = "tls")]
        if let Some(tls) = rustls_error(err) {
            return Kind::Tls(tls.to_string());
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::NotFound if unix_socket => return Kind::SocketMissing,
                std::io::ErrorKind::PermissionDenied => return Kind::PermissionDenied,
                std::io::ErrorKind::ConnectionRefused => return Kind::ConnectionRefused,
                std::io::ErrorKind::TimedOut => return Kind::Timeout,
                _ => {}
            }
        }
        source = err.source();
    }
    Kind::Other
}

/// The rustls error in `err`, also when `io::Error`s wrap it (their `source()` skips the error
/// they carry, so it is reached through `get_ref`).
#[cfg(feature = "tls")]
fn rustls_error<'a>(mut err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        err = err.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ClientSettings;

    #[test]
    fn the_daemons_version_refusals_are_version_errors() {
        let new = version_refusal(
            "client version 1.52 is too new. Maximum supported API version is 1.51",
        );
        assert_eq!(
            new,
            Some(VersionError::ClientTooNew {
                client: "1.52".into(),
                daemon_maximum: "1.51".into()
            })
        );
        let old = version_refusal(
            "client version 1.24 is too old. Minimum supported API version is 1.44, please \
             upgrade your client to a newer version",
        );
        assert_eq!(
            old,
            Some(VersionError::ClientTooOld {
                daemon_minimum: "1.44".into(),
                client: "1.24".into()
            })
        );
        for other in [
            "client version",
            "client version 1.52 is too new.",
            "conflict: unable to delete",
            "",
        ] {
            assert_eq!(version_refusal(other), None, "{other:?}");
        }
    }

    /// A failure's cause travels as the error's `source()`, down to the I/O error, while the
    /// message stays one line without the URL.
    #[tokio::test]
    #[allow(
        clippy::disallowed_methods,
        reason = "a failure of the HTTP layer itself, to classify"
    )]
    async fn causes_are_kept_as_sources() {
        let state = ClientState::new(ClientSettings {
            endpoint: "unix:///nonexistent/dec.sock".into(),
            socket: Some("/nonexistent/dec.sock".into()),
            ..ClientSettings::default()
        });
        let http = super::super::http_client_builder()
            .unix_socket("/nonexistent/dec.sock")
            .build();
        let failure = http
            .get("http://docker/_ping?token=s3cret")
            .send()
            .await
            .unwrap_err();
        let error = Error::from(from_http(failure, &state, "system_ping"));
        assert!(
            matches!(
                &error,
                Error::Transport(TransportError::SocketMissing { .. })
            ),
            "{error:?}"
        );
        let mut chain = Vec::new();
        let mut source = std::error::Error::source(&error);
        while let Some(s) = source {
            chain.push(s);
            source = s.source();
        }
        assert!(
            chain
                .iter()
                .any(|s| s.downcast_ref::<std::io::Error>().is_some()),
            "the io::Error is in the chain: {chain:?}"
        );
        let shown = format!("{error} {chain:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
