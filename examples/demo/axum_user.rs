//! The demo's caller as an axum extractor, for the axum examples.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::RequestPartsExt;
use denied::{BearerToken, HttpError};

use crate::demo::{self, User};

/// The caller, known from a valid bearer token; `BearerToken` answers a missing or malformed
/// `Authorization` header.
impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let token = parts.extract::<BearerToken>().await?;
        Ok(demo::verify(&token)?)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for User {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, HttpError> {
        let token = parts.extract::<Option<BearerToken>>().await?;
        Ok(token.map(|token| demo::verify(&token)).transpose()?)
    }
}
