//! actix-web's extractor errors as the crate's errors, and the credential extractors.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use ::actix_web::body::BoxBody;
use ::actix_web::dev::Payload;
use ::actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use ::actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use ::actix_web::{web, FromRequest, HttpRequest, HttpResponse, Responder, ResponseError};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::adapter::json_body;
use crate::credentials::{BasicCredentials, BearerToken};
use crate::error::{ErrorStatus, HttpError};

/// The crate's error for an extractor error: `status` and the crate's sentence, actix-web's
/// text kept as the hidden note (it may quote the request).
fn rejected(status: ::actix_web::http::StatusCode, text: String) -> HttpError {
    let status = http::StatusCode::from_u16(status.as_u16())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    // A framework's rejection that needs a header of its own is a bug of the app's: a 500.
    ErrorStatus::try_from(status)
        .map_or_else(|_| HttpError::internal(), HttpError::new)
        .with_note(text)
}

/// `web::Json`'s settings, rejecting with the crate's errors: 415 without
/// `Content-Type: application/json`, 413 over the limit, 400 for a syntax error, 422 for JSON
/// of the wrong shape. Set the limit on it: `json_config().limit(4096)`. actix-web parses in
/// one pass, so a body wrong in both of the last two ways answers with whichever error comes
/// first in it; [`Json`] checks the syntax first.
#[must_use]
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|error, _request| match error {
        JsonPayloadError::Deserialize(error) => HttpError::invalid_json_body(&error).into(),
        JsonPayloadError::ContentType => json_body::not_json().into(),
        error => rejected(error.status_code(), error.to_string()).into(),
    })
}

/// `web::Path`'s settings: a path segment that does not parse is the crate's 400 (actix-web
/// answers 404 by default).
#[must_use]
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error: PathError, _request| {
        rejected(
            ::actix_web::http::StatusCode::BAD_REQUEST,
            error.to_string(),
        )
        .into()
    })
}

/// `web::Query`'s settings: a query string that does not parse is the crate's 400.
#[must_use]
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _request| {
        rejected(error.status_code(), error.to_string()).into()
    })
}

/// `web::Form`'s settings, rejecting with the crate's errors (415, 413, 411, 400).
#[must_use]
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default().error_handler(|error: UrlencodedError, _request| {
        rejected(error.status_code(), error.to_string()).into()
    })
}

/// Installs [`json_config`], [`path_config`], [`query_config`] and [`form_config`] at once, for
/// `App::configure`. An `app_data` of the same type added after it replaces its part, for
/// example to set a body limit.
///
/// ```
/// let app = actix_web::App::new()
///     .configure(denied::actix_web::extractor_errors)
///     .app_data(denied::actix_web::json_config().limit(4096));
/// ```
pub fn extractor_errors(config: &mut web::ServiceConfig) {
    config
        .app_data(json_config())
        .app_data(path_config())
        .app_data(query_config())
        .app_data(form_config());
}

fn authorization(request: &HttpRequest) -> impl Iterator<Item = &[u8]> {
    request
        .headers()
        .get_all(AUTHORIZATION)
        .map(|value| value.as_bytes())
}

/// A JSON request body, read with the crate's rules in the order a client can fix them: 415
/// without `Content-Type: application/json` (or `+json`), 413 over the `web::PayloadConfig`
/// limit, 400 for a syntax error, 422 for JSON of the wrong shape (a body wrong in both ways
/// is a 400; actix-web's `web::Json` answers 422 for it). As a response, it sends `T` as JSON.
///
/// ```
/// use actix_web::web;
/// use denied::actix_web::Json;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Order { item: String, quantity: u32 }
///
/// async fn create(Json(order): Json<Order>) -> Json<Order> {
///     Json(order)
/// }
/// let app = actix_web::App::new()
///     .app_data(web::PayloadConfig::new(4096))
///     .route("/orders", web::post().to(create));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, HttpError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = request.headers().get(CONTENT_TYPE);
        if !content_type.is_some_and(|value| json_body::is_json_content_type(value.as_bytes())) {
            return Box::pin(ready(Err(json_body::not_json())));
        }
        let body = web::Bytes::from_request(request, payload);
        Box::pin(async move {
            let body = body.await.map_err(|error| {
                rejected(error.as_response_error().status_code(), error.to_string())
            })?;
            json_body::parse(&body).map(Json)
        })
    }
}

impl<T: Serialize> Responder for Json<T> {
    type Body = BoxBody;

    fn respond_to(self, request: &HttpRequest) -> HttpResponse<BoxBody> {
        web::Json(self.0).respond_to(request).map_into_boxed_body()
    }
}

impl FromRequest for BearerToken {
    type Error = HttpError;
    type Future = Ready<Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Self::from_values(authorization(request)))
    }
}

impl FromRequest for BasicCredentials {
    type Error = HttpError;
    type Future = Ready<Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Self::from_values(authorization(request)))
    }
}
