//! axum 0.8: every error type is an [`IntoResponse`]; [`not_found`] is the fallback that
//! answers unknown routes with the crate's 404, and [`method_not_allowed`] the one that answers
//! a known path asked with a wrong method with the crate's 405.
//!
//! ```
//! use axum::{routing::get, Router};
//! use denied::{Forbidden, HttpError};
//!
//! async fn admin() -> Result<&'static str, HttpError> {
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let app: Router = Router::new()
//!     .route("/admin", get(admin))
//!     .fallback(denied::axum::not_found)
//!     .method_not_allowed_fallback(denied::axum::method_not_allowed);
//! ```

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};

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
/// the path's methods.
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
