//! poem 3: every error type is a [`ResponseError`], so `?` works in handlers (a handler may
//! return `Result<T, HttpError>`), and an [`IntoResponse`]. [`ErrorHandling`] gives every other
//! error response of the app (the router's, an extractor's, a middleware's, a panic) the
//! crate's shape and lets every error see its request; [`allow`] gives a route's 405 its
//! `Allow`; [`Json`] reads bodies with the crate's refusals; [`BearerToken`] and
//! [`BasicCredentials`] are extractors.
//!
//! ```
//! use denied::{BearerToken, Forbidden, HttpError};
//! use poem::{get, handler, EndpointExt, Route};
//! use denied::http::Method;
//!
//! #[handler]
//! fn admin(_token: BearerToken) -> Result<String, HttpError> {
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let app = Route::new()
//!     .at("/admin", get(admin).with(denied::poem::allow([Method::GET, Method::HEAD])))
//!     .with(denied::poem::ErrorHandling::new());
//! # let _ = app;
//! ```

mod extract;
mod handling;

use ::poem::error::ResponseError;
use ::poem::{Body, IntoResponse, Response};
use bytes::Bytes;

pub use extract::{Json, JsonLimit};
pub use handling::{
    allow, delete, get, patch, post, put, AllowMethods, AllowMethodsEndpoint, ErrorHandling,
    ErrorHandlingEndpoint, RouteMethods,
};

use crate::credentials::{BasicCredentials, BearerToken};
use crate::error::{Forbidden, HttpError, Unauthorized};

/// The rendered response, as poem's (both use `http` 1).
fn to_poem(response: http::Response<Bytes>) -> Response {
    let (parts, body) = response.into_parts();
    let mut poem_response = Response::from(Body::from(body));
    poem_response.set_status(parts.status);
    *poem_response.headers_mut() = parts.headers;
    poem_response
}

macro_rules! poem_traits {
    ($($name:ty),+) => {$(
        impl ResponseError for $name {
            fn status(&self) -> http::StatusCode {
                <$name>::status(self)
            }

            fn as_response(&self) -> Response {
                to_poem(self.render_with(std::convert::identity))
            }
        }

        impl IntoResponse for $name {
            fn into_response(self) -> Response {
                to_poem(self.render_with(std::convert::identity))
            }
        }
    )+};
}

poem_traits!(HttpError, Forbidden, Unauthorized);

impl<'a> ::poem::FromRequest<'a> for BearerToken {
    async fn from_request(
        request: &'a ::poem::Request,
        _body: &mut ::poem::RequestBody,
    ) -> ::poem::Result<Self> {
        Ok(Self::from_headers(request.headers())?)
    }
}

impl<'a> ::poem::FromRequest<'a> for BasicCredentials {
    async fn from_request(
        request: &'a ::poem::Request,
        _body: &mut ::poem::RequestBody,
    ) -> ::poem::Result<Self> {
        Ok(Self::from_headers(request.headers())?)
    }
}
