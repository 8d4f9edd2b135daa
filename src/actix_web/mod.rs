//! actix-web 4: every error type is a [`ResponseError`], so `?` works in handlers, and a
//! [`Responder`]. [`ErrorHandling`] gives every other error response of the app (a
//! middleware's, a panic) the crate's shape; [`extractor_errors`] makes actix-web's own
//! extractors reject with the crate's errors; [`not_found`] and [`method_not_allowed`] answer
//! unknown routes and wrong methods.
//!
//! actix-web 4 still uses `http` 0.2, so the rendered status and headers are carried over by
//! their numbers and bytes, without loss.
//!
//! For credentials a request may lack, use
//! `BearerToken::optional_from_headers(request.headers())`:
//! actix-web's own `Option<BearerToken>` turns every refusal into `None`, a malformed
//! `Authorization` header included, which RFC 6750 answers with a 400.
//!
//! ```
//! use actix_web::{web, App, HttpResponse};
//! use denied::http::Method;
//! use denied::{BearerToken, Forbidden, HttpError};
//!
//! async fn admin(_token: BearerToken) -> Result<HttpResponse, HttpError> {
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let app = App::new()
//!     .wrap(denied::actix_web::ErrorHandling::new())
//!     .configure(denied::actix_web::extractor_errors)
//!     .service(
//!         web::resource("/admin")
//!             .route(web::get().to(admin))
//!             .default_service(denied::actix_web::method_not_allowed([Method::GET])),
//!     )
//!     .default_service(web::to(denied::actix_web::not_found));
//! ```

mod extract;
mod handling;

use ::actix_web::body::BoxBody;
use ::actix_web::http::header::{HeaderName, HeaderValue};
use ::actix_web::http::StatusCode;
use ::actix_web::{web, HttpRequest, HttpResponse, Responder, ResponseError, Route};
use bytes::Bytes;
use http::Method;

pub use extract::{extractor_errors, form_config, json_config, path_config, query_config, Json};
pub use handling::{ErrorHandling, ErrorHandlingService, ResponseFuture};

use crate::error::{Forbidden, HttpError, Unauthorized};

/// The rendered response, carried over from `http` 1 to actix-web's `http` 0.2 types.
fn to_actix(response: http::Response<Bytes>) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let mut actix_response = HttpResponse::with_body(actix_status(parts.status), body);
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

fn actix_status(status: http::StatusCode) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

macro_rules! actix_traits {
    ($($name:ty),+) => {$(
        impl ResponseError for $name {
            fn status_code(&self) -> StatusCode {
                actix_status(self.status())
            }

            fn error_response(&self) -> HttpResponse<BoxBody> {
                to_actix(self.render_with(std::convert::identity))
            }
        }

        impl Responder for $name {
            type Body = BoxBody;

            fn respond_to(self, _request: &HttpRequest) -> HttpResponse<BoxBody> {
                to_actix(self.render_with(std::convert::identity))
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

/// The default service of a resource: the crate's 405, with `Allow` listing `methods`, for a
/// request whose method none of the resource's routes takes.
///
/// A resource's own default already answers 405 with the methods of its routes' method guards,
/// and [`ErrorHandling`] gives that answer the crate's shape. Name the methods here when the
/// app runs without the middleware, or when its guards are not plain method guards (a route
/// for GET and HEAD through `guard::Any`, say).
///
/// ```
/// use actix_web::web;
/// use denied::http::Method;
///
/// let me = web::resource("/me")
///     .route(web::get().to(|| async { "alice" }))
///     .default_service(denied::actix_web::method_not_allowed([Method::GET]));
/// ```
pub fn method_not_allowed(methods: impl IntoIterator<Item = Method>) -> Route {
    let methods: Vec<Method> = methods.into_iter().collect();
    web::to(move || {
        let refusal = HttpError::method_not_allowed(methods.iter().cloned());
        async move { refusal }
    })
}
