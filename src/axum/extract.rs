//! axum's extractor rejections as the crate's errors, and extractors that reject with them.

use axum::body::Bytes;
use axum::extract::rejection::{
    BytesRejection, ExtensionRejection, FailedToBufferBody, FormRejection, JsonRejection,
    NestedPathRejection, PathRejection, QueryRejection, RawFormRejection, RawPathParamsRejection,
    StringRejection,
};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::adapter::json_body;
use crate::credentials::{BasicCredentials, BearerToken};
use crate::error::{ErrorStatus, HttpError};

/// The crate's error for a framework rejection: the framework's status and the crate's
/// sentence, the framework's text kept as the hidden note (it may quote the request).
fn rejected(status: http::StatusCode, text: String) -> HttpError {
    // A framework's rejection that needs a header of its own is a bug of the app's: a 500.
    ErrorStatus::try_from(status)
        .map_or_else(|_| HttpError::internal(), HttpError::new)
        .with_note(text)
}

macro_rules! rejections_into_http_error {
    ($($rejection:ty),+ $(,)?) => {$(
        impl From<$rejection> for HttpError {
            fn from(rejection: $rejection) -> Self {
                rejected(rejection.status(), rejection.body_text())
            }
        }
    )+};
}

rejections_into_http_error!(
    JsonRejection,
    PathRejection,
    QueryRejection,
    FormRejection,
    RawFormRejection,
    ExtensionRejection,
    BytesRejection,
    StringRejection,
    FailedToBufferBody,
    RawPathParamsRejection,
    NestedPathRejection,
);

/// The extractor and response [`axum::Json`], rejecting with the crate's errors in the order
/// a client can fix them: 415 without `Content-Type: application/json` (or `+json`), 413 over
/// the body limit (axum's `DefaultBodyLimit`), 400 for a syntax error, 422 for JSON of the
/// wrong shape. A body wrong in both of the last two ways is a 400.
///
/// ```
/// use denied::axum::Json;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Order { item: String, quantity: u32 }
///
/// async fn create(Json(order): Json<Order>) -> Json<Order> {
///     Json(order)
/// }
/// let app: axum::Router = axum::Router::new().route("/orders", axum::routing::post(create));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(http::header::CONTENT_TYPE);
        if !content_type.is_some_and(|value| json_body::is_json_content_type(value.as_bytes())) {
            return Err(json_body::not_json());
        }
        let body = Bytes::from_request(request, state).await?;
        json_body::parse(&body).map(Self)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The extractor [`axum::extract::Path`], rejecting with the crate's 400 (or 500 for a route
/// that has no such parameter).
///
/// ```
/// use denied::axum::Path;
///
/// async fn order(Path(id): Path<u32>) -> String {
///     format!("order {id}")
/// }
/// let app: axum::Router = axum::Router::new().route("/orders/{id}", axum::routing::get(order));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            <axum::extract::Path<T> as FromRequestParts<S>>::from_request_parts(parts, state)
                .await?;
        Ok(Self(value))
    }
}

/// The extractor [`axum::extract::Query`], rejecting with the crate's 400.
///
/// ```
/// use std::collections::HashMap;
/// use denied::axum::Query;
///
/// async fn search(Query(params): Query<HashMap<String, String>>) -> String {
///     params.get("q").cloned().unwrap_or_default()
/// }
/// let app: axum::Router = axum::Router::new().route("/search", axum::routing::get(search));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            <axum::extract::Query<T> as FromRequestParts<S>>::from_request_parts(parts, state)
                .await?;
        Ok(Self(value))
    }
}

/// The extractor [`axum::Form`], rejecting with the crate's errors (415, 413, 400, 422).
///
/// ```
/// use denied::axum::Form;
///
/// #[derive(serde::Deserialize)]
/// struct Login { user: String }
///
/// async fn login(Form(login): Form<Login>) -> String {
///     login.user
/// }
/// let app: axum::Router = axum::Router::new().route("/login", axum::routing::post(login));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(value) = axum::Form::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for BearerToken {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Self::optional_from_headers(&parts.headers)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for BasicCredentials {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Self::optional_from_headers(&parts.headers)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::from_headers(&parts.headers)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for BasicCredentials {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::from_headers(&parts.headers)
    }
}
