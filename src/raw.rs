//! Plain requests for the handwritten features that are the same in every API version (`run`,
//! hijacked attach/exec): URLs under the client's version stem, the crate's transport error
//! mapping, error statuses as [`ApiError`](crate::ApiError)s, JSON answers as
//! [`DecodeError`](crate::DecodeError)s. They go through the same pooled HTTP client as the
//! generated calls.

use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error, from_response, transport};
use crate::hooks::Hooks;
use crate::version::ApiClient;

/// A client's parts, for building requests (cheap clones of the client's own).
#[derive(Clone, Debug)]
pub(crate) struct Raw {
    base: String,
    http: reqwest::Client,
    hooks: Hooks,
}

impl Raw {
    pub(crate) fn new<C: ApiClient>(client: &C) -> Self {
        let (base, http, hooks) = client.parts();
        Self {
            base: base.to_string(),
            http: http.clone(),
            hooks: hooks.clone(),
        }
    }

    /// `POST {base}{path}`.
    pub(crate) fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }

    /// `GET {base}{path}`.
    pub(crate) fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }

    /// `DELETE {base}{path}`.
    pub(crate) fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(format!("{}{path}", self.base))
    }

    /// Sends in the same `docker.request` tracing span as the generated calls; an error status
    /// becomes an [`Error::Api`] with the daemon's message.
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        operation: &'static str,
    ) -> Result<reqwest::Response, Error> {
        let response = send_traced(&self.hooks, &self.http, request, operation)
            .await
            .map_err(|e| transport(e, &self.hooks, operation))?;
        let status = response.status();
        if status.is_redirection() || status.is_client_error() || status.is_server_error() {
            return Err(from_response(response, operation).await);
        }
        Ok(response)
    }

    /// Reads a (small) JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
        operation: &'static str,
    ) -> Result<T, Error> {
        let body = response
            .bytes()
            .await
            .map_err(|e| transport(e, &self.hooks, operation))?;
        serde_json::from_slice(&body)
            .map_err(|e| DecodeError::new(operation, e.to_string(), &body).into())
    }
}

/// Builds `request`, applies [`crate::hooks::pre`] (the client's timeout, credential headers
/// marked sensitive) and sends it through [`crate::hooks::exec`] (its tracing span): the same
/// steps as every generated call.
pub(crate) async fn send_traced(
    hooks: &Hooks,
    http: &reqwest::Client,
    request: reqwest::RequestBuilder,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let mut request = request.build().map_err(reqwest::Error::without_url)?;
    crate::hooks::pre(hooks, &mut request, operation, &[]);
    crate::hooks::exec(hooks, http, request, operation).await
}

/// A path segment, percent-encoded.
pub(crate) fn segment(value: &str) -> String {
    progenitor_client::encode_path(value)
}
