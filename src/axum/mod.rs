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
mod handling;

use axum::body::Body;
use axum::response::{IntoResponse, Response};

pub use extract::{Form, Json, Path, Query};
pub use handling::{ErrorLayer, ErrorService, ResponseFuture};

use crate::error::{Forbidden, HttpError, Unauthorized};

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        self.render_with(Body::from)
    }
}

impl IntoResponse for Forbidden {
    fn into_response(self) -> Response {
        self.render_with(Body::from)
    }
}

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        self.render_with(Body::from)
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
