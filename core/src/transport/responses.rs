//! Reading successful responses: wrapping them into a `ResponseValue` for generated
//! calls (moving the response's headers instead of cloning them; a generation pass points the
//! generated code here), and the one JSON body decoder that generated and handwritten calls
//! share.

use bytes::Bytes;
use http::StatusCode;
use http::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::wire::runtime::Error as Generated;
use crate::wire::{ByteStream, HttpError, Response, ResponseValue};

fn take_parts(response: &mut Response) -> (StatusCode, HeaderMap) {
    (response.status(), std::mem::take(response.headers_mut()))
}

/// Why a JSON body could not be read.
pub(crate) enum JsonBodyError {
    /// The body broke off.
    Body(HttpError),
    /// It is not the JSON expected (the bytes, for a snippet).
    Json(Bytes, serde_json::Error),
}

/// Reads a whole JSON body and decodes it: the decoder behind every JSON answer.
pub(crate) async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, JsonBodyError> {
    let body = response.bytes().await.map_err(JsonBodyError::Body)?;
    serde_json::from_slice(&body).map_err(|e| JsonBodyError::Json(body, e))
}

/// A streaming body (generated calls).
pub fn stream_response(mut response: Response) -> ResponseValue<ByteStream> {
    let (status, headers) = take_parts(&mut response);
    ResponseValue::new(
        ByteStream::new(Box::pin(response.bytes_stream())),
        status,
        headers,
    )
}

/// A JSON body, decoded (generated calls).
pub async fn json_response<T: DeserializeOwned, E>(
    mut response: Response,
) -> Result<ResponseValue<T>, Generated<E>> {
    let (status, headers) = take_parts(&mut response);
    let value = read_json(response).await.map_err(|e| match e {
        JsonBodyError::Body(e) => Generated::ResponseBodyError(e),
        JsonBodyError::Json(body, e) => Generated::InvalidResponsePayload(body, e),
    })?;
    Ok(ResponseValue::new(value, status, headers))
}

/// No body (generated calls).
pub fn empty_response(mut response: Response) -> ResponseValue<()> {
    let (status, headers) = take_parts(&mut response);
    ResponseValue::new((), status, headers)
}
