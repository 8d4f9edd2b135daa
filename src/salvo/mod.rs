//! salvo 1: every error type is a [`Scribe`], so a handler returns `Result<T, HttpError>` and
//! uses `?`; [`ErrorHandling`] is the service hoop that gives salvo's own errors (no route, a
//! wrong method, a `StatusError`, another hoop's plain answer) and panics the crate's shape and
//! lets every error see its request; [`method_not_allowed`] gives a path's 405 its `Allow`;
//! [`BearerToken`](crate::BearerToken), [`BasicCredentials`](crate::BasicCredentials) and
//! [`Json`] are a handler's arguments as salvo's extractors are, and [`json`] reads a body the
//! same way inside a handler; salvo's `ParseError`
//! converts into the crate's 400, 413 or 415, so `req.try_param::<u32>("id")?` answers a
//! path that does not fit.
//!
//! ```
//! use denied::{BearerToken, Forbidden, HttpError};
//! use salvo::prelude::*;
//!
//! #[handler]
//! async fn admin(req: &mut Request) -> Result<&'static str, HttpError> {
//!     let _token = BearerToken::from_headers(req.headers())?;
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let router = Router::new().push(Router::with_path("admin").get(admin));
//! let service = Service::new(router).hoop(denied::salvo::ErrorHandling::new());
//! # let _ = service;
//! ```

use ::salvo::http::{ParseError, ResBody, StatusCode};
use ::salvo::{async_trait, Depot, FlowCtrl, Handler, Request, Response, Scribe};
use bytes::Bytes;
use http::Method;

use crate::adapter::foreign;
use crate::error::{Forbidden, HttpError, Unauthorized};

mod extract;
mod handling;

pub use extract::{json, Json, JsonLimit};
pub use handling::ErrorHandling;

impl Scribe for HttpError {
    fn render(self, res: &mut Response) {
        write(res, &self);
    }
}

impl Scribe for Forbidden {
    fn render(self, res: &mut Response) {
        write(res, &HttpError::from(self));
    }
}

impl Scribe for Unauthorized {
    fn render(self, res: &mut Response) {
        write(res, &HttpError::from(self));
    }
}

/// salvo's `ParseError` as the crate's refusal: a body over its limit is a 413, a body without
/// a valid `Content-Type` a 415, a parameter the route does not have (`NotExist`: a mistake of
/// the app, not of the client) a 500, anything else (a path or query parameter that does not
/// fit, a body that is not a form) a 400; its text is the hidden source.
///
/// ```
/// use denied::HttpError;
/// use salvo::http::ParseError;
///
/// assert_eq!(HttpError::from(ParseError::PayloadTooLarge).status(), 413);
/// assert_eq!(HttpError::from(ParseError::ParseFromStr).status(), 400);
/// assert_eq!(HttpError::from(ParseError::NotExist).status(), 500);
/// ```
impl From<ParseError> for HttpError {
    fn from(error: ParseError) -> Self {
        let refusal = match error {
            ParseError::PayloadTooLarge => HttpError::with_status(StatusCode::PAYLOAD_TOO_LARGE),
            ParseError::InvalidContentType => {
                HttpError::with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            }
            ParseError::NotExist => HttpError::internal(),
            _ => HttpError::bad_request(),
        };
        refusal.with_source(error)
    }
}

/// Writes the crate's response for `error` into `res`, with the request in scope: its status,
/// its headers (replacing any of the same name) and its body.
fn write(res: &mut Response, error: &HttpError) {
    let rendered = error.render_with(std::convert::identity);
    put(res, rendered);
}

/// Puts a rendered response into salvo's, which earlier hoops and the handler may have
/// written to: the headers that described another body go, as everywhere a body is replaced.
fn put(res: &mut Response, rendered: http::Response<Bytes>) {
    let (status, body) = foreign::adopt(res.headers_mut(), rendered, false);
    res.status_code(status);
    res.body(ResBody::Once(body));
}

/// A goal that answers every method a path does not route with the crate's 405 and `Allow`
/// listing `methods`: push it last under the path, after its method routes.
///
/// Without it salvo answers such a request itself, and [`ErrorHandling`] gives that answer the
/// crate's body; its `Allow` is then salvo's (`GET, HEAD`, where the crate writes `GET,HEAD`).
///
/// ```
/// use denied::http::Method;
/// use salvo::prelude::*;
///
/// #[handler]
/// async fn me() -> &'static str {
///     "alice"
/// }
///
/// let router = Router::with_path("me")
///     .get(me)
///     .head(me)
///     .push(Router::new().goal(denied::salvo::method_not_allowed([Method::GET, Method::HEAD])));
/// # let _ = router;
/// ```
pub fn method_not_allowed(methods: impl IntoIterator<Item = Method>) -> MethodNotAllowed {
    MethodNotAllowed(methods.into_iter().collect())
}

/// The goal [`method_not_allowed`] gives.
#[derive(Debug, Clone)]
pub struct MethodNotAllowed(Vec<Method>);

#[async_trait]
impl Handler for MethodNotAllowed {
    async fn handle(
        &self,
        _req: &mut Request,
        _depot: &mut Depot,
        res: &mut Response,
        _ctrl: &mut FlowCtrl,
    ) {
        write(res, &HttpError::method_not_allowed(self.0.iter().cloned()));
    }
}
