//! actix-web's extractor errors as the crate's errors, and the credential extractors.

use std::future::{ready, Ready};

use ::actix_web::dev::Payload;
use ::actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use ::actix_web::http::header::AUTHORIZATION;
use ::actix_web::{web, FromRequest, HttpRequest, ResponseError};

use crate::{BasicCredentials, BearerToken, HttpError};

/// The crate's error for an extractor error: `status` and the crate's sentence, actix-web's
/// text kept as the hidden note (it may quote the request).
fn rejected(status: ::actix_web::http::StatusCode, text: String) -> ::actix_web::Error {
    let status = http::StatusCode::from_u16(status.as_u16())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    HttpError::new(status).with_note(text).into()
}

/// `web::Json`'s settings, rejecting with the crate's errors: 415 without
/// `Content-Type: application/json`, 413 over the limit, 400 for a syntax error, 422 for JSON
/// of the wrong shape. Set the limit on it: `json_config().limit(4096)`.
#[must_use]
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|error, _request| match error {
        JsonPayloadError::Deserialize(error) => HttpError::invalid_json_body(&error).into(),
        JsonPayloadError::ContentType => rejected(
            ::actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error.to_string(),
        ),
        error => rejected(error.status_code(), error.to_string()),
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
    })
}

/// `web::Query`'s settings: a query string that does not parse is the crate's 400.
#[must_use]
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _request| {
        rejected(error.status_code(), error.to_string())
    })
}

/// `web::Form`'s settings, rejecting with the crate's errors (415, 413, 411, 400).
#[must_use]
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default().error_handler(|error: UrlencodedError, _request| {
        rejected(error.status_code(), error.to_string())
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

impl FromRequest for BearerToken {
    type Error = HttpError;
    type Future = Ready<Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Self::from_authorization(authorization(request)))
    }
}

impl FromRequest for BasicCredentials {
    type Error = HttpError;
    type Future = Ready<Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Self::from_authorization(authorization(request)))
    }
}
