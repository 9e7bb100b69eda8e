//! What progenitor's generated code is written against (its runtime crate's items, by the same
//! names, over this crate's HTTP types): the `own-http-runtime` generation pass points the
//! generated code here. [`ResponseValue`] and [`ByteStream`] are public (every operation returns
//! one); the rest is for the generated code only.

use std::ops::{Deref, DerefMut};
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use http::StatusCode;
use http::header::HeaderMap;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use serde::ser::SerializeMap;

use super::{HttpClient, HttpError, Request, RequestBuilder, Response, Upgraded};

/// A successful answer: its value (decoded JSON, a byte stream, nothing), status and headers.
pub struct ResponseValue<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T> ResponseValue<T> {
    /// An answer of `inner` with `status` and `headers`.
    pub fn new(inner: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self {
            inner,
            status,
            headers,
        }
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Content-Length` the daemon sent.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// The same answer with its value changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U> {
        ResponseValue {
            inner: f(self.inner),
            status: self.status,
            headers: self.headers,
        }
    }
}

impl ResponseValue<Upgraded> {
    /// The connection of a `101 Switching Protocols` answer (generated calls).
    pub async fn upgrade<E>(response: Response) -> Result<Self, Error<E>> {
        let status = response.status();
        let headers = response.headers().clone();
        match response.upgrade().await {
            Ok(upgraded) => Ok(Self::new(upgraded, status, headers)),
            Err(e) => Err(Error::InvalidUpgrade(e)),
        }
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T> AsRef<T> for ResponseValue<T> {
    fn as_ref(&self) -> &T {
        &self.inner
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for ResponseValue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

/// The chunks of a streaming answer (progress lines, container output, a tar archive).
type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, HttpError>> + Send + Sync>>;

/// A streaming answer's body: read it with [`ByteStreamExt`](crate::stream::ByteStreamExt)
/// (container output, JSON messages, chunks with the crate's error type), or as a `Stream`.
pub struct ByteStream(Chunks);

impl ByteStream {
    /// A byte stream of `chunks`.
    pub fn new(chunks: Chunks) -> Self {
        Self(chunks)
    }

    /// The chunks.
    pub fn into_inner(self) -> Chunks {
        self.0
    }
}

impl Deref for ByteStream {
    type Target = Chunks;

    fn deref(&self) -> &Chunks {
        &self.0
    }
}

impl DerefMut for ByteStream {
    fn deref_mut(&mut self) -> &mut Chunks {
        &mut self.0
    }
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByteStream")
    }
}

/// How a generated call failed, before `crate::transport::from_generated` maps it to the
/// crate's [`Error`](crate::Error) (which is what operations return).
#[doc(hidden)]
#[derive(Debug)]
pub enum Error<E = ()> {
    /// A parameter could not be converted.
    InvalidRequest(String),
    /// Sending the request failed.
    CommunicationError(HttpError),
    /// The connection could not be taken over after a `101`.
    InvalidUpgrade(HttpError),
    /// A documented error answer (not produced: every error status is `UnexpectedResponse`).
    ErrorResponse(ResponseValue<E>),
    /// The body broke off.
    ResponseBodyError(HttpError),
    /// The body is not the JSON expected.
    InvalidResponsePayload(Bytes, serde_json::Error),
    /// An error status, read by `from_response`.
    UnexpectedResponse(Response),
}

impl<E> From<HttpError> for Error<E> {
    fn from(e: HttpError) -> Self {
        Error::CommunicationError(e)
    }
}

impl<E> From<http::header::InvalidHeaderValue> for Error<E> {
    fn from(e: http::header::InvalidHeaderValue) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}

impl<E> From<std::convert::Infallible> for Error<E> {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

/// The generated client's parts, as its builders read them.
#[doc(hidden)]
pub trait ClientInfo<Inner> {
    /// The API version of the spec the client was generated from.
    fn api_version() -> &'static str;
    /// The URL stem requests are made under.
    fn baseurl(&self) -> &str;
    /// The HTTP client.
    fn client(&self) -> &HttpClient;
    /// The per-client state.
    fn inner(&self) -> &Inner;
}

impl<T: ClientInfo<Inner>, Inner> ClientInfo<Inner> for &T {
    fn api_version() -> &'static str {
        T::api_version()
    }

    fn baseurl(&self) -> &str {
        (*self).baseurl()
    }

    fn client(&self) -> &HttpClient {
        (*self).client()
    }

    fn inner(&self) -> &Inner {
        (*self).inner()
    }
}

/// The operation a request is made for.
#[doc(hidden)]
pub struct OperationInfo {
    /// Its id, as method names spell it (`container_list`).
    pub operation_id: &'static str,
}

/// The steps around each generated request; every version's `Client` implements it by calling
/// the crate's request steps (`transport::pre`, `transport::exec`).
#[doc(hidden)]
#[allow(async_fn_in_trait)]
pub trait ClientHooks<Inner = ()>: ClientInfo<Inner> {
    /// Adjusts the built request.
    async fn pre<E>(&self, request: &mut Request, info: &OperationInfo) -> Result<(), Error<E>>;

    /// Sends it.
    async fn exec(&self, request: Request, info: &OperationInfo) -> Result<Response, HttpError>;

    /// Looks at the result: nothing to do.
    async fn post<E>(
        &self,
        _result: &Result<Response, HttpError>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        Ok(())
    }
}

/// A path segment as the generated code puts it in a URL: percent-encoded where a path
/// segment may not hold the character as it is.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// `segment`, percent-encoded for a URL path.
#[doc(hidden)]
pub fn encode_path(segment: &str) -> String {
    utf8_percent_encode(segment, PATH_SEGMENT).to_string()
}

/// Form bodies (`application/x-www-form-urlencoded`) of generated calls; no Docker operation
/// sends one, but progenitor's code imports the trait.
#[doc(hidden)]
#[allow(
    clippy::result_large_err,
    reason = "progenitor's signature; the error can carry a whole response"
)]
pub trait RequestBuilderExt<E> {
    /// Sets `body`, form-encoded, as the request's body.
    fn form_urlencoded<T: Serialize + ?Sized>(self, body: &T) -> Result<RequestBuilder, Error<E>>;
}

impl<E> RequestBuilderExt<E> for RequestBuilder {
    fn form_urlencoded<T: Serialize + ?Sized>(self, body: &T) -> Result<RequestBuilder, Error<E>> {
        let form = super::query::form(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        Ok(self
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form))
    }
}

/// One query parameter of a generated call: serializes as `{name: value}` for
/// [`RequestBuilder::query`](super::RequestBuilder::query) (an absent value leaves it out).
#[doc(hidden)]
pub struct QueryParam<'a, T> {
    name: &'a str,
    value: &'a T,
}

impl<'a, T> QueryParam<'a, T> {
    /// The parameter `name` with `value`.
    pub fn new(name: &'a str, value: &'a T) -> Self {
        Self { name, value }
    }
}

impl<T: Serialize> Serialize for QueryParam<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.name, self.value)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_and_query_parameters_are_encoded() {
        assert_eq!(encode_path("a b/c%d?e"), "a%20b%2Fc%25d%3Fe");
        assert_eq!(encode_path("busybox:latest"), "busybox:latest");
        let mut url = "http://docker/v1.51/containers/json".to_string();
        crate::wire::query::append(&mut url, &QueryParam::new("all", &Some(true))).unwrap();
        crate::wire::query::append(&mut url, &QueryParam::new("limit", &None::<i64>)).unwrap();
        crate::wire::query::append(&mut url, &QueryParam::new("filters", &"{\"a\":1}")).unwrap();
        assert_eq!(
            url,
            "http://docker/v1.51/containers/json?all=true&filters=%7B%22a%22%3A1%7D"
        );
    }
}
