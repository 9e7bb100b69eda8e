//! Handwritten requests (`run`, hijacked attach/exec, negotiation): the same steps as the
//! generated calls ([`pre`](super::pre) then [`exec`](super::exec)), the same pooled HTTP client,
//! the same error mapping (transport failures classified, error statuses and redirects as
//! [`ApiError`](crate::ApiError)s, bounded bodies), the same JSON decoder.

use serde::de::DeserializeOwned;

use super::responses::{JsonBodyError, read_json};
use super::{ApiClient, ClientState, from_http, from_response};
use crate::error::{DecodeError, Error};
use crate::wire::{HttpClient, RequestBuilder, Response};

/// A client's parts, for building and sending requests (cheap clones of the client's own).
#[derive(Clone, Debug)]
pub(crate) struct Requests {
    base: String,
    http: HttpClient,
    state: ClientState,
}

impl Requests {
    /// The requests of a generated client (URLs under its version stem, its timeout).
    pub(crate) fn new<C: ApiClient>(client: &C) -> Self {
        let (base, http, state) = client.parts();
        Self::from_parts(base, http, state)
    }

    /// From parts: `base` is the URL stem (`http://docker` or `http://docker/v1.41`).
    pub(crate) fn from_parts(base: &str, http: &HttpClient, state: &ClientState) -> Self {
        Self {
            base: base.to_string(),
            http: http.clone(),
            state: state.clone(),
        }
    }

    /// The same requests, each (without a body) on a connection of its own: see
    /// [`ClientState::on_own_connections`].
    pub(crate) fn on_own_connections(&self) -> Self {
        Self {
            state: self.state.on_own_connections(),
            ..self.clone()
        }
    }

    /// `PUT {base}{path}`.
    pub(crate) fn put(&self, path: &str) -> RequestBuilder {
        self.http.put(format!("{}{path}", self.base))
    }

    /// `POST {base}{path}`.
    pub(crate) fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }

    /// `GET {base}{path}`.
    pub(crate) fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }

    /// `DELETE {base}{path}`.
    pub(crate) fn delete(&self, path: &str) -> RequestBuilder {
        self.http.delete(format!("{}{path}", self.base))
    }

    /// Sends `request` through the request steps; a transport failure is mapped, any status is
    /// returned as it came (for a `101 Switching Protocols`, or a `/_ping` whose headers matter
    /// whatever its status).
    pub(crate) async fn send_any_status(
        &self,
        request: RequestBuilder,
        operation: &'static str,
    ) -> Result<Response, Error> {
        let mut request = request
            .build()
            .map_err(|e| from_http(e, &self.state, operation))?;
        super::pre(&self.state, &mut request, operation, &[]);
        super::exec(&self.state, &self.http, request, operation)
            .await
            .map_err(|e| from_http(e, &self.state, operation).into())
    }

    /// Sends `request`; a redirect or an error status becomes an [`Error::Api`] with the daemon's
    /// message.
    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        operation: &'static str,
    ) -> Result<Response, Error> {
        let response = self.send_any_status(request, operation).await?;
        let status = response.status();
        if status.is_redirection() || status.is_client_error() || status.is_server_error() {
            return Err(from_response(response, operation).await);
        }
        Ok(response)
    }

    /// Reads a (small) JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        response: Response,
        operation: &'static str,
    ) -> Result<T, Error> {
        read_json(response).await.map_err(|e| match e {
            JsonBodyError::Body(e) => from_http(e, &self.state, operation).into(),
            JsonBodyError::Json(body, e) => {
                DecodeError::new(operation, e.to_string(), &body).into()
            }
        })
    }

    /// The client's state (endpoint, timeout), for mapping errors of an upgraded connection.
    pub(crate) fn state(&self) -> &ClientState {
        &self.state
    }
}

/// A path segment, percent-encoded.
pub(crate) fn segment(value: &str) -> String {
    crate::wire::runtime::encode_path(value)
}
