//! axum 0.8: every error type is an [`IntoResponse`]; [`ErrorLayer`] gives every other error
//! response of the app (the router's, an extractor's, a middleware's, a panic) the crate's
//! shape; [`not_found`] is the fallback that answers unknown routes with the crate's 404.
//!
//! Extractors whose rejection is the crate's: [`Json`], [`Path`], [`Query`], [`Form`], and the
//! credentials [`BearerToken`](crate::BearerToken) and
//! [`BasicCredentials`](crate::BasicCredentials). axum's own rejections convert into
//! [`HttpError`] too, so `WithRejection<_, HttpError>` and `#[from_request(rejection(HttpError))]`
//! work.
//!
//! ```
//! use axum::{routing::get, Router};
//! use denied::{BearerToken, Forbidden, HttpError};
//!
//! async fn admin(token: BearerToken) -> Result<&'static str, HttpError> {
//!     let _ = token.token();
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let app: Router = Router::new()
//!     .route("/admin", get(admin))
//!     .fallback(denied::axum::not_found)
//!     .layer(denied::axum::ErrorLayer::new());
//! ```

mod extract;
mod layer;

use axum::body::Body;
use axum::response::{IntoResponse, Response};

pub use extract::{Form, Json, Path, Query};
pub use layer::{ErrorLayer, ErrorService, ResponseFuture};

use crate::{Forbidden, HttpError, Unauthorized};

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        self.render_with(Body::from)
    }
}

impl IntoResponse for Forbidden {
    fn into_response(self) -> Response {
        self.into_http_error().into_response()
    }
}

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        self.into_http_error().into_response()
    }
}

/// The fallback handler: the crate's 404, the same bytes as every concealed 403.
///
/// ```
/// let app: axum::Router = axum::Router::new().fallback(denied::axum::not_found);
/// ```
pub async fn not_found() -> HttpError {
    HttpError::not_found()
}

/// The method-not-allowed fallback: the crate's 405. axum adds the `Allow` header that lists
/// the path's methods, and [`ErrorLayer`] writes it in the crate's form. With the layer, this
/// fallback is not needed: the layer gives axum's own 405 the crate's shape.
///
/// ```
/// let app: axum::Router = axum::Router::new()
///     .route("/me", axum::routing::get(|| async { "alice" }))
///     .method_not_allowed_fallback(denied::axum::method_not_allowed);
/// ```
pub async fn method_not_allowed() -> HttpError {
    // The one 405 built without its `Allow`: axum's router adds it to this fallback's answer.
    HttpError::with_status(http::StatusCode::METHOD_NOT_ALLOWED)
}
