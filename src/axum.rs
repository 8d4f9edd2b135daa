//! axum 0.8: every error type is an [`IntoResponse`], and [`not_found`] is the fallback that
//! answers unknown routes with the crate's 404.
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
//!     .fallback(denied::axum::not_found);
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
