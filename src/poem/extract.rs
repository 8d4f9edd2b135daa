//! A JSON body read with the crate's refusals.

use ::poem::{FromRequest, IntoResponse, Request, RequestBody, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::adapter::json_body;

/// The largest JSON body [`Json`] reads, set as app data: `.data(JsonLimit(4096))`. Without
/// it, 2 MiB.
///
/// ```
/// use poem::{EndpointExt, Route};
///
/// let app = Route::new().data(denied::poem::JsonLimit(4096));
/// # let _ = app;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimit(pub usize);

impl Default for JsonLimit {
    fn default() -> Self {
        Self(json_body::DEFAULT_LIMIT)
    }
}

/// A JSON request body, refused with the crate's errors in the order a client should fix them:
/// 415 without `Content-Type: application/json` (or `+json`), 413 over the [`JsonLimit`], 400
/// for a syntax error, 422 for JSON of the wrong shape. (poem's own `Json` answers a body of
/// the wrong shape with 400.)
///
/// ```
/// use denied::poem::Json;
/// use poem::handler;
///
/// #[derive(serde::Deserialize)]
/// struct Order {
///     item: String,
/// }
///
/// #[handler]
/// fn create(Json(order): Json<Order>) -> String {
///     order.item
/// }
/// ```
///
/// It is also a response: `application/json` (poem's own writes a `charset` parameter, which
/// JSON does not have, RFC 8259 §11), or the crate's 500 for a value that does not serialize.
///
/// ```
/// use denied::poem::Json;
/// use poem::{handler, http::StatusCode};
///
/// #[handler]
/// fn created() -> (StatusCode, Json<serde_json::Value>) {
///     (StatusCode::CREATED, Json(serde_json::json!({ "id": 1 })))
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize + Send> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match json_body::response_body(&self.0) {
            Ok(body) => Response::builder()
                .content_type("application/json")
                .body(body),
            Err(error) => error.into_response(),
        }
    }
}

impl<'a, T: DeserializeOwned> FromRequest<'a> for Json<T> {
    async fn from_request(request: &'a Request, body: &mut RequestBody) -> ::poem::Result<Self> {
        let limit = request.data::<JsonLimit>().copied().unwrap_or_default().0;
        let header = |name: &_| request.headers().get(name).map(|value| value.as_bytes());
        json_body::check_head(header, limit)?;
        let body = body.take().map_err(|error| {
            // Another extractor read it first: the app's mistake, not the client's.
            crate::error::HttpError::internal().with_source(error)
        })?;
        let bytes = body
            .into_bytes_limit(limit)
            .await
            .map_err(|error| match error {
                ::poem::error::ReadBodyError::PayloadTooLarge => json_body::too_large(limit),
                error => crate::error::HttpError::bad_request().with_note(error.to_string()),
            })?;
        Ok(Self(json_body::parse(&bytes)?))
    }
}
