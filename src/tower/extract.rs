//! A request read the way the framework extractors read it, for services without a framework.

use bytes::Buf;
use http::Request;
use http_body::Body;
use serde::de::DeserializeOwned;

use crate::adapter::json_body;
use crate::error::HttpError;

/// Reads a request's JSON body as a `T`, refusing with the crate's errors in the order a
/// client should fix them: 415 without `Content-Type: application/json` (or `+json`), 413 over
/// `limit` bytes (said by `Content-Length`, found while reading, or cut by a body limit of the
/// stack such as tower-http's `RequestBodyLimitLayer`), 400 for a syntax error or a body that
/// cannot be read, 422 for JSON of the wrong shape. The same checks as axum's and actix-web's `Json` and warp's
/// `json` filter.
///
/// # Errors
///
/// The refusal for the first check the request fails.
///
/// ```
/// # async fn run() -> Result<(), denied::HttpError> {
/// #[derive(serde::Deserialize)]
/// struct Order { item: String }
///
/// let request = http::Request::post("/orders")
///     .header("content-type", "application/json")
///     .body(http_body_util::Full::new(bytes::Bytes::from(r#"{"item":"book"}"#)))
///     .map_err(|_| denied::HttpError::bad_request())?;
/// let order: Order = denied::tower::json(request, 4096).await?;
/// assert_eq!(order.item, "book");
/// # Ok(())
/// # }
/// ```
pub async fn json<T, B>(request: Request<B>, limit: usize) -> Result<T, HttpError>
where
    T: DeserializeOwned,
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (parts, body) = request.into_parts();
    let header = |name: &_| parts.headers.get(name).map(|value| value.as_bytes());
    json_body::check_head(header, limit)?;
    let mut body = std::pin::pin!(body);
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|error| body_error(error.into(), limit))?;
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        if bytes.len() + data.remaining() > limit {
            return Err(json_body::too_large(limit));
        }
        while data.has_remaining() {
            let chunk = data.chunk();
            let length = chunk.len();
            bytes.extend_from_slice(chunk);
            data.advance(length);
        }
    }
    json_body::parse(&bytes)
}

/// Reads a request's query string as a `T` (`serde_urlencoded`, as axum's `Query`): a query
/// that does not fit is the crate's 400, its text kept as the hidden note. No query reads as
/// an empty one.
///
/// # Errors
///
/// A 400 for a query that is not a `T`.
///
/// ```
/// use std::collections::HashMap;
///
/// let request = http::Request::get("/reports?message=Hallo%20Welt").body(())?;
/// let query: HashMap<String, String> = denied::tower::query(&request)?;
/// assert_eq!(query["message"], "Hallo Welt");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn query<T: DeserializeOwned, B>(request: &Request<B>) -> Result<T, HttpError> {
    let query = request.uri().query().unwrap_or_default();
    serde_urlencoded::from_str(query)
        .map_err(|error| HttpError::bad_request().with_note(format!("the query: {error}")))
}

/// The refusal for a body that could not be read: a 413 when a limit of the stack (tower-http's
/// `RequestBodyLimitLayer`, `http_body_util::Limited`) cut it, else a 400.
fn body_error(error: Box<dyn std::error::Error + Send + Sync>, limit: usize) -> HttpError {
    if error.is::<http_body_util::LengthLimitError>() {
        return json_body::too_large(limit).with_source(error);
    }
    HttpError::bad_request().with_source(error)
}
