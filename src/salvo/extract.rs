//! The credentials and a JSON body as a handler's arguments, in salvo's style, and a JSON body
//! read with the crate's refusals.

use std::fmt;

use ::salvo::extract::{Extractible, Metadata};
use ::salvo::http::{ParseError, ResBody};
use ::salvo::{Depot, Request, Response, Scribe, Writer};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::adapter::json_body;
use crate::credentials::{BasicCredentials, BearerToken};
use crate::error::HttpError;

/// A handler's `token: BearerToken`: read as [`BearerToken::from_headers`] reads it, refused
/// with its 401 (and the app's challenge) or 400.
///
/// ```
/// use denied::BearerToken;
/// use salvo::prelude::*;
///
/// #[handler]
/// async fn me(token: BearerToken) -> String {
///     format!("{} characters", token.token().len())
/// }
/// # let _ = Router::with_path("me").get(me);
/// ```
impl<'ex> Extractible<'ex> for BearerToken {
    fn metadata() -> &'static Metadata {
        static METADATA: Metadata = Metadata::new("BearerToken");
        &METADATA
    }

    async fn extract(
        req: &'ex mut Request,
        _depot: &'ex mut Depot,
    ) -> Result<Self, impl Writer + Send + fmt::Debug + 'static> {
        BearerToken::from_headers(req.headers())
    }
}

/// A handler's `credentials: BasicCredentials`: read as [`BasicCredentials::from_headers`]
/// reads them, refused with its 401 (and the app's Basic challenge) or 400.
///
/// ```
/// use denied::BasicCredentials;
/// use salvo::prelude::*;
///
/// #[handler]
/// async fn login(credentials: BasicCredentials) -> String {
///     credentials.user_id().to_owned()
/// }
/// # let _ = Router::with_path("login").post(login);
/// ```
impl<'ex> Extractible<'ex> for BasicCredentials {
    fn metadata() -> &'static Metadata {
        static METADATA: Metadata = Metadata::new("BasicCredentials");
        &METADATA
    }

    async fn extract(
        req: &'ex mut Request,
        _depot: &'ex mut Depot,
    ) -> Result<Self, impl Writer + Send + fmt::Debug + 'static> {
        BasicCredentials::from_headers(req.headers())
    }
}

/// The largest JSON body [`Json`] reads, put in the depot by a hoop (`depot.insert_typed(..)`,
/// or salvo's `affix_state::inject(..)`). Without it, 2 MiB.
///
/// ```
/// use salvo::prelude::*;
///
/// #[handler]
/// async fn small_json(depot: &mut Depot) {
///     depot.insert_typed(denied::salvo::JsonLimit(4096));
/// }
///
/// let router = Router::new().hoop(small_json);
/// # let _ = router;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimit(pub usize);

impl Default for JsonLimit {
    fn default() -> Self {
        Self(json_body::DEFAULT_LIMIT)
    }
}

/// A JSON request body as a handler's argument, read as [`json`] reads it up to the
/// [`JsonLimit`]: 415 without `Content-Type: application/json` (or `+json`), 413 over the
/// limit, 400 for a syntax error, 422 for JSON of the wrong shape. (salvo's own `JsonBody`
/// answers every one of them with 400.) salvo's handler macro takes an argument by name, not
/// by pattern: `order: Json<Order>`, then `order.into_inner()` or `let Json(order) = order`.
///
/// ```
/// use denied::salvo::Json;
/// use salvo::prelude::*;
///
/// #[derive(serde::Deserialize)]
/// struct Order {
///     item: String,
/// }
///
/// #[handler]
/// async fn create(order: Json<Order>) -> String {
///     let Json(order) = order;
///     order.item
/// }
/// # let _ = Router::with_path("orders").post(create);
/// ```
///
/// It is also a response, as salvo's own `Json` is (which `use denied::salvo::Json` shadows in
/// salvo's prelude): `application/json`, or the crate's 500 for a value that does not
/// serialize.
///
/// ```
/// use denied::salvo::Json;
/// use salvo::prelude::*;
///
/// #[handler]
/// async fn created(res: &mut Response) {
///     res.status_code(StatusCode::CREATED);
///     res.render(Json(serde_json::json!({ "id": 1 })));
/// }
/// # let _ = Router::with_path("orders").post(created);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The value read.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: Serialize> Scribe for Json<T> {
    fn render(self, res: &mut Response) {
        match json_body::response_body(&self.0) {
            Ok(body) => {
                res.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                res.body(ResBody::Once(body.into()));
            }
            Err(error) => error.render(res),
        }
    }
}

impl<'ex, T: DeserializeOwned + Send> Extractible<'ex> for Json<T> {
    fn metadata() -> &'static Metadata {
        static METADATA: Metadata = Metadata::new("Json");
        &METADATA
    }

    async fn extract(
        req: &'ex mut Request,
        depot: &'ex mut Depot,
    ) -> Result<Self, impl Writer + Send + fmt::Debug + 'static> {
        let limit = depot
            .get_typed::<JsonLimit>()
            .ok()
            .copied()
            .unwrap_or_default()
            .0;
        json(req, limit).await.map(Json)
    }
}

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
