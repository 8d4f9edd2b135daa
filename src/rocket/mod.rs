//! rocket 0.5: every error type is a [`Responder`], so a handler returns `Result<T, HttpError>` and
//! uses `?`; the [`ErrorHandling`] fairing answers rocket's own errors (no route, a wrong method, a
//! guard that fails, a panic) in the crate's shape and lets every error see its request;
//! [`BearerToken`](crate::BearerToken) and [`BasicCredentials`](crate::BasicCredentials) are
//! request guards and [`Json`] a data guard that refuse as the other frameworks' extractors do.
//!
//! rocket hands a catcher only a status, not the error of the guard that failed: a guard
//! built on this module keeps its refusal with the request ([`refuse`], or [`refuse_with`] for
//! a guard with an error type of its own), and the fairing's catcher sends it.
//!
//! ```
//! use denied::{BearerToken, Forbidden, HttpError};
//! use rocket::get;
//!
//! #[get("/admin")]
//! fn admin(token: BearerToken) -> Result<&'static str, HttpError> {
//!     let _ = token.token();
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let rocket = rocket::build()
//!     .mount("/", rocket::routes![admin])
//!     .attach(denied::rocket::ErrorHandling::new());
//! # let _ = rocket;
//! ```

use std::io::Cursor;
use std::sync::{Mutex, OnceLock};

use ::rocket::http::{Header, Status};
use ::rocket::request::Request;
use ::rocket::response::{self, Responder, Response};
use http::{HeaderMap, StatusCode};

use crate::context::{self, RequestContext};
use crate::error::{Forbidden, HttpError, Unauthorized};
use crate::{config, render};

mod extract;
mod handling;

use extract::keep;
pub use extract::{optional_bearer_token, refuse, refuse_with, Json};
pub use handling::ErrorHandling;

/// Under [`ErrorHandling`] a 404, concealed or genuine, is answered by the catcher, as
/// rocket's own 404 for no route is: rocket drops the cookies a guard or handler set before a
/// catcher answers, so all three send the same bytes.
impl<'r> Responder<'r, 'static> for HttpError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        if self.status() == StatusCode::NOT_FOUND && served(req).context.get().is_some() {
            return Err(keep(req, self));
        }
        Ok(respond(req, &self))
    }
}

impl<'r> Responder<'r, 'static> for Forbidden {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        HttpError::from(self).respond_to(req)
    }
}

impl<'r> Responder<'r, 'static> for Unauthorized {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        HttpError::from(self).respond_to(req)
    }
}

/// What [`ErrorHandling`] keeps with a request: its context, and the refusal a guard or
/// handler left for the catcher.
#[derive(Default)]
struct Served {
    context: OnceLock<RequestContext>,
    refusal: Mutex<Option<Kept>>,
}

/// A refusal left for the catcher, with what it answers: the catcher sends it only for the
/// same status and route, so a refusal that an `Option<BearerToken>` guard swallowed, or a
/// forward, never answers another error.
struct Kept {
    status: Status,
    route: Option<usize>,
    refusal: HttpError,
}

fn served<'a>(req: &'a Request<'_>) -> &'a Served {
    req.local_cache(Served::default)
}

/// The route a request is at, by address: routes live as long as the app.
fn route_of(req: &Request<'_>) -> Option<usize> {
    req.route().map(|route| std::ptr::from_ref(route) as usize)
}

/// Runs `read` with the request's context in scope, if [`ErrorHandling`] made one.
fn in_scope<R>(req: &Request<'_>, read: impl FnOnce() -> R) -> R {
    match served(req).context.get() {
        Some(context) => context::serving(context, read),
        None => read(),
    }
}

/// The crate's response for `error`, rendered for `req`, as rocket's.
fn respond(req: &Request<'_>, error: &HttpError) -> Response<'static> {
    respond_in(error, served(req).context.get())
}

fn respond_in(error: &HttpError, context: Option<&RequestContext>) -> Response<'static> {
    let (parts, body) = rendered_in(error, context).into_parts();
    let mut response = Response::new();
    response.set_status(Status::new(parts.status.as_u16()));
    set_headers(&mut response, &parts.headers);
    response.set_sized_body(body.len(), Cursor::new(body));
    response
}

/// The crate's response for `error`, with the settings of `context` and its request marked as
/// answered by the crate.
fn rendered_in(
    error: &HttpError,
    context: Option<&RequestContext>,
) -> http::Response<bytes::Bytes> {
    let settings = match context {
        Some(context) => context.settings(),
        None => config::settings(),
    };
    let rendered = render::render(error, settings, context, |bytes| bytes);
    if let Some(context) = context {
        context.mark_sent(rendered.status());
    }
    rendered
}

/// Writes `headers` onto `response`, each name's lines replacing any it had.
fn set_headers(response: &mut Response<'_>, headers: &HeaderMap) {
    for name in headers.keys() {
        response.remove_header(name.as_str());
    }
    for (name, value) in headers {
        // rocket carries UTF-8 header values only; the crate writes visible ASCII.
        if let Ok(value) = std::str::from_utf8(value.as_bytes()) {
            response.adjoin_header(Header::new(name.as_str().to_owned(), value.to_owned()));
        }
    }
}
