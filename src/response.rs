//! Wrapping a response into progenitor's `ResponseValue`, as the generated calls do, but moving
//! the response's headers instead of cloning them (a generation pass points the generated code
//! here). Written once for every version.

use progenitor_client::{ByteStream, Error, ResponseValue};

fn take_parts(
    response: &mut reqwest::Response,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap) {
    (response.status(), std::mem::take(response.headers_mut()))
}

/// A streaming body.
#[doc(hidden)]
pub fn stream(mut response: reqwest::Response) -> ResponseValue<ByteStream> {
    let (status, headers) = take_parts(&mut response);
    ResponseValue::new(
        ByteStream::new(Box::pin(response.bytes_stream())),
        status,
        headers,
    )
}

/// A JSON body, decoded.
#[doc(hidden)]
pub async fn json<T: serde::de::DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let (status, headers) = take_parts(&mut response);
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    let value =
        serde_json::from_slice(&body).map_err(|e| Error::InvalidResponsePayload(body, e))?;
    Ok(ResponseValue::new(value, status, headers))
}

/// No body.
#[doc(hidden)]
pub fn empty(mut response: reqwest::Response) -> ResponseValue<()> {
    let (status, headers) = take_parts(&mut response);
    ResponseValue::new((), status, headers)
}
