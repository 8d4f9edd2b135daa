//! A request read the way the framework extractors read it, for services without a framework.

use bytes::Buf;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::Request;
use http_body::Body;
use serde::de::DeserializeOwned;

use crate::json_body;
use crate::HttpError;

/// Reads a request's JSON body as a `T`, refusing with the crate's errors in the order a
/// client should fix them: 415 without `Content-Type: application/json` (or `+json`), 413 over
/// `limit` bytes (said by `Content-Length` or found while reading), 400 for a syntax error, 422
/// for JSON of the wrong shape. The same checks as axum's and actix-web's `Json` and warp's
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
    B::Error: std::fmt::Display,
{
    let (parts, body) = request.into_parts();
    let is_json = parts
        .headers
        .get(CONTENT_TYPE)
        .is_some_and(|value| json_body::is_json_content_type(value.as_bytes()));
    if !is_json {
        return Err(json_body::not_json());
    }
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(json_body::too_large(limit));
    }
    let mut body = std::pin::pin!(body);
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|error| HttpError::bad_request().with_note(error.to_string()))?;
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
