//! Correct HTTP refusals for Rust web frameworks.
//!
//! `denied` gives a handler one set of error types for every way it says no, and renders them
//! the same, correct way in every framework:
//!
//! - [`Forbidden`] (403) and [`Unauthorized`] (401), and [`HttpError`] for any other 4xx or
//!   5xx status; all of them convert into [`HttpError`], so a handler returns one type and
//!   uses `?`.
//! - A JSON body by default, `{"error":"Forbidden","message":"You do not have permission to
//!   access this resource","status":403}`, or RFC 9457 problem details, chosen once with
//!   [`Config`].
//! - `WWW-Authenticate` challenges built and quoted by RFC 9110, RFC 6750 and RFC 7617
//!   ([`Challenge`]): never malformed, whatever text they are given.
//! - Concealment: [`Forbidden::conceal`] answers as the application's genuine 404, byte for byte.
//! - Hidden causes: a source error or note is kept for logs and never sent.
//! - Credentials: [`BearerToken`] and [`BasicCredentials`] read `Authorization` by RFC 6750
//!   and RFC 7617, and answer a request without usable ones with the right refusal.
//! - Every error of an app in the crate's shape: each framework's layer rewrites what the
//!   router, an extractor, a middleware or a panic answers.
//! - Errors that know their request: under that layer, an error sees the request it answers
//!   (its id, path, `Accept` and `Accept-Language`) and the settings of the app serving it
//!   ([`Config`] per app or for the process); the report hook ([`Report`]) sees the method,
//!   path and id.
//! - [`client`]: what a caller should do with a refusal (re-authenticate, stop, wait), and its
//!   `WWW-Authenticate` challenges read on the client side.
//!
//! # Quick start
//!
//! ```
//! use denied::prelude::*;
//! use denied::{Forbidden, HttpError, Unauthorized};
//!
//! struct User { name: &'static str, admin: bool }
//!
//! fn authenticate(token: Option<&str>) -> Result<User, HttpError> {
//!     match token {
//!         None => Err(Unauthorized::bearer())?,
//!         Some("good") => Ok(User { name: "alice", admin: false }),
//!         Some(_) => Err(Unauthorized::invalid_token("the token is not valid"))?,
//!     }
//! }
//!
//! fn reports(token: Option<&str>) -> Result<String, HttpError> {
//!     let user = authenticate(token)?;
//!     user.admin.or_deny(Forbidden::missing_role("admin"))?;
//!     Ok(format!("reports for {}", user.name))
//! }
//!
//! let response = reports(Some("good")).unwrap_err().render();
//! assert_eq!(response.status(), 403);
//! let body: serde_json::Value = serde_json::from_slice(response.body())?;
//! assert_eq!(body["reason"], "missing_role");
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Features
//!
//! | feature | adds | framework |
//! |---|---|---|
//! | `axum` | `IntoResponse` for every error type, extractors and rejection conversions, [`axum::ErrorLayer`] for every other error and panic and for the request context, [`axum::not_found`] | axum 0.8 |
//! | `actix-web` | `ResponseError` and `Responder` for every error type, [`actix_web::extractor_errors`], [`actix_web::ErrorHandling`] for every other error and panic and for the request context, [`actix_web::not_found`] and [`actix_web::method_not_allowed`] | actix-web 4 |
//! | `poem` | `ResponseError` and `IntoResponse` for every error type, [`poem::ErrorHandling`] for every other error and panic and for the request context, [`poem::allow`] for a route's 405, [`poem::Json`] and the credential extractors | poem 3 |
//! | `tower` | for plain hyper or any tower stack: [`tower::ErrorLayer`] answers a service's errors, gives its other error responses the crate's shape, catches panics, carries the request context; [`tower::json`] and [`tower::query`] | hyper 1, tower |
//! | `reqwest` | client side: [`reqwest::ResponseExt::guidance`] reads a response into [`client::Guidance`] (advice, error body read with a size bound, parsed challenges); [`reqwest::RetryPolicy`] re-authenticates once on 401, stops on 403/404, honours `Retry-After` up to a cap, backs off with jitter on a retryable 5xx | reqwest 0.13 |
//! | `rocket` | `Responder` for every error type, [`rocket::ErrorHandling`] (a catcher for every status, 405 for a path's other methods, the request context), request guards for the credentials, [`rocket::Json`] | rocket 0.5 |
//! | `salvo` | `Scribe` for every error type, `From` salvo's `ParseError`, [`salvo::ErrorHandling`] for every other error and panic and for the request context, [`salvo::method_not_allowed`] for a path's 405, [`salvo::json`] | salvo 1 |
//! | `tonic` | gRPC: `From` every error type for `tonic::Status` ([`tonic::code_for`] gives the code), [`tonic::ErrorLayer`] for the request context and panics, the [`tonic::bearer_token`] interceptors | tonic 0.14 |
//! | `tracing` | one `tracing` event per rendered error on target `denied`, with its status, reason, Bearer error, concealment, hidden note and source, and the request's method, path and id | tracing 0.1 |
//! | `utoipa` | OpenAPI: `ToSchema` for [`ErrorBody`] and [`ProblemDetails`], [`utoipa::ErrorResponses`] documents the app's refusals from its [`Config`], one `IntoResponses` type per refusal ([`utoipa::UnauthorizedResponse`], ...) | utoipa 6 |
//! | `warp` | `Reply` and `Reject` for every error type, filters, [`warp::error_handling`] for every rejection and other error and for the request context | warp 0.4 |
//!
//! Without features the crate renders [`http::Response`]s for any framework.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod macros;

mod body;
mod challenge;
pub mod client;
mod config;
with_framework! {
    unused_without:
    mod context;
    mod negotiate;
}
mod credentials;
mod error;
mod intern;
mod log_line;
with_framework! {
    mod adapter;
}
mod reason;
mod render;
mod report;
mod syntax;
#[cfg(feature = "tracing")]
mod trace;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "actix-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix-web")))]
pub mod actix_web;

#[cfg(feature = "poem")]
#[cfg_attr(docsrs, doc(cfg(feature = "poem")))]
pub mod poem;

#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod reqwest;

#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub mod rocket;

#[cfg(feature = "salvo")]
#[cfg_attr(docsrs, doc(cfg(feature = "salvo")))]
pub mod salvo;

#[cfg(feature = "tonic")]
#[cfg_attr(docsrs, doc(cfg(feature = "tonic")))]
pub mod tonic;

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;

#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub mod utoipa;

#[cfg(feature = "warp")]
#[cfg_attr(docsrs, doc(cfg(feature = "warp")))]
pub mod warp;

pub use body::{BodyError, BodyFormat, ErrorBody, ProblemDetails, UnknownBodyFormat, MAX_BODY_LEN};
pub use challenge::{BearerError, Challenge, InvalidChallenge};
pub use config::{Catalog, Config, ConfigError, ForeignJson};
pub use credentials::{BasicCredentials, BearerToken, RequestHeaders};
pub use error::{
    ErrorStatus, Forbidden, HttpError, OrDeny, OrInternal, RetryAfter, Unauthorized,
    UnsupportedStatus,
};
pub use reason::Reason;
pub use report::Report;

/// The `http` crate (version 1) whose types the crate's API uses, so that an app on a framework
/// with another `http` (actix-web 4 has 0.2) can name them without adding it.
pub use http;

/// The traits that give `bool`, `Option` and `Result` their one-line refusals.
///
/// ```
/// use denied::prelude::*;
///
/// fn check(is_owner: bool) -> Result<(), denied::Forbidden> {
///     is_owner.or_forbidden()
/// }
/// assert!(check(true).is_ok());
/// ```
pub mod prelude {
    pub use crate::error::{OrDeny, OrInternal};
}

#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(all(
    doctest,
    feature = "axum",
    feature = "actix-web",
    feature = "poem",
    feature = "rocket",
    feature = "salvo",
    feature = "tonic",
    feature = "reqwest",
    feature = "tower",
    feature = "utoipa",
    feature = "warp"
))]
#[doc = include_str!("../features.md")]
struct FeaturesDoctests;
