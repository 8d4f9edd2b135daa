//! actix-web 4: every error type is a [`ResponseError`], so `?` works in handlers, and a
//! [`Responder`]; [`not_found`] is the default service that answers unknown routes with the
//! crate's 404.
//!
//! actix-web 4 still uses `http` 0.2, so the rendered status and headers are carried over by
//! their numbers and bytes, without loss.
//!
//! ```
//! use actix_web::{web, App, HttpResponse};
//! use denied::{Forbidden, HttpError};
//!
//! async fn admin() -> Result<HttpResponse, HttpError> {
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let app = App::new()
//!     .route("/admin", web::get().to(admin))
//!     .default_service(web::to(denied::actix_web::not_found));
//! ```

use ::actix_web::body::BoxBody;
use ::actix_web::http::header::{HeaderName, HeaderValue};
use ::actix_web::http::StatusCode;
use ::actix_web::{HttpRequest, HttpResponse, Responder, ResponseError};
use bytes::Bytes;

use crate::{Forbidden, HttpError, Unauthorized};

/// The rendered response, carried over from `http` 1 to actix-web's `http` 0.2 types.
fn to_actix(response: http::Response<Bytes>) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let status =
        StatusCode::from_u16(parts.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut actix_response = HttpResponse::with_body(status, body);
    let headers = actix_response.headers_mut();
    for (name, value) in &parts.headers {
        // Both versions of `http` share the header grammar, so every pair converts.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    actix_response.map_into_boxed_body()
}

macro_rules! actix_traits {
    ($($name:ty),+) => {$(
        impl ResponseError for $name {
            fn status_code(&self) -> StatusCode {
                StatusCode::from_u16(self.status().as_u16())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }

            fn error_response(&self) -> HttpResponse<BoxBody> {
                to_actix(self.render())
            }
        }

        impl Responder for $name {
            type Body = BoxBody;

            fn respond_to(self, _request: &HttpRequest) -> HttpResponse<BoxBody> {
                to_actix(self.render())
            }
        }
    )+};
}

actix_traits!(HttpError, Forbidden, Unauthorized);

/// The default service: the crate's 404, the same bytes as every concealed 403.
///
/// ```
/// let app = actix_web::App::new().default_service(actix_web::web::to(denied::actix_web::not_found));
/// ```
pub async fn not_found() -> HttpError {
    HttpError::not_found()
}
