//! A JSON body read with the crate's refusals.

use ::salvo::http::ParseError;
use ::salvo::Request;
use serde::de::DeserializeOwned;

use crate::adapter::json_body;
use crate::error::HttpError;

/// Reads a request's JSON body as a `T`, refusing with the crate's errors in the order a
/// client should fix them: 415 without `Content-Type: application/json` (or `+json`), 413 over
/// `limit` bytes (said by `Content-Length`, or found while reading), 400 for a syntax error or
/// a body that cannot be read, 422 for JSON of the wrong shape: the checks of the other
/// frameworks' `Json` extractors.
///
/// # Errors
///
/// The refusal for the first check the request fails.
///
/// ```
/// use denied::HttpError;
/// use salvo::prelude::*;
///
/// #[derive(serde::Deserialize)]
/// struct Order { item: String }
///
/// #[handler]
/// async fn create(req: &mut Request) -> Result<String, HttpError> {
///     let order: Order = denied::salvo::json(req, 4096).await?;
///     Ok(order.item)
/// }
/// # let _ = Router::with_path("orders").post(create);
/// ```
pub async fn json<T: DeserializeOwned>(req: &mut Request, limit: usize) -> Result<T, HttpError> {
    let header = |name: &_| req.headers().get(name).map(|value| value.as_bytes());
    json_body::check_head(header, limit)?;
    let body = req
        .payload_with_max_size(limit)
        .await
        .map_err(|error| match error {
            ParseError::PayloadTooLarge => json_body::too_large(limit),
            other => HttpError::bad_request().with_source(other),
        })?;
    json_body::parse(body)
}
