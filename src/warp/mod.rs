//! warp 0.4: every error type is a [`Reply`] and a [`Reject`], so a refusal can be returned
//! from a handler or rejected from a filter. [`error_handling`] wraps an app so that every
//! rejection and every other error response goes out in the crate's shape ([`recover`] does
//! the rejections alone). Filters whose rejections are the crate's: [`bearer_token`],
//! [`basic_credentials`], [`allow`] (a path's methods, for a 405 with `Allow`) and [`json`].
//! [`catching`] turns a handler's panic into the crate's 500.
//!
//! ```
//! use warp::Filter;
//! use denied::http::Method;
//! use denied::{BearerToken, Forbidden};
//!
//! let admin = warp::path("admin")
//!     .and(denied::warp::allow([Method::GET, Method::HEAD]))
//!     .and(denied::warp::bearer_token())
//!     .and_then(|_token: BearerToken| async {
//!         Err::<String, _>(warp::reject::custom(Forbidden::new()))
//!     });
//!
//! let app = denied::warp::error_handling(admin);
//! ```

mod extract;
mod handling;

pub use extract::{
    allow, basic_credentials, bearer_token, json, optional_bearer_token, RefusedCredentials,
};
pub use handling::{catching, error_handling, error_handling_with_config};

use std::convert::Infallible;

use ::warp::filters::body::BodyDeserializeError;
use ::warp::filters::cors::CorsForbidden;
use ::warp::reject::{
    InvalidHeader, InvalidQuery, LengthRequired, MethodNotAllowed, MissingCookie, MissingHeader,
    PayloadTooLarge, Reject, Rejection, UnsupportedMediaType,
};
use ::warp::reply::{Reply, Response};
use http::StatusCode;

use crate::error::{Forbidden, HttpError, Unauthorized};

macro_rules! warp_traits {
    ($($name:ty),+) => {$(
        impl Reply for $name {
            fn into_response(self) -> Response {
                self.into_http_error().into_response()
            }
        }

        impl Reject for $name {}
    )+};
}

warp_traits!(Forbidden, Unauthorized);

impl Reply for HttpError {
    fn into_response(self) -> Response {
        if crate::context::is_serving() {
            return self.render_with(Into::into);
        }
        // A route that turns its reply into a response itself (`.map(Reply::into_response)`,
        // `warp::reply::with::header`) does so before `error_handling` puts the request in
        // scope: the error goes along, to be rendered again for its request and reported
        // then, or reported when the response is dropped if nothing renders it again.
        let mut response =
            crate::render::render_unreported(&self, crate::config::settings(), None, Into::into);
        response
            .extensions_mut()
            .insert(handling::RenderAgain::new(self));
        response
    }
}

impl Reject for HttpError {}

/// For [`Filter::recover`](::warp::Filter::recover): answers every rejection in the crate's
/// body shape.
///
/// The crate's own rejections answer as they would as replies; when a request was rejected by
/// several routes, a refusal beats a wrong method ([`allow`]), which beats an unknown route, as
/// warp ranks its own. warp's rejections answer with the status warp gives them and the
/// crate's default sentence; an unknown route with the crate's 404. warp does not say which
/// methods a path allows, so its own 405 (`warp::get()` and the like) carries no `Allow`
/// header: state a path's methods with [`allow`] instead.
///
/// Inside [`error_handling`] or [`error_handling_with_config`] there is no need for it: they
/// answer every rejection themselves, with the request in scope and the app's own settings.
/// Added by hand inside them, it renders without the request and with the process-wide
/// settings.
///
/// # Errors
///
/// Never: every rejection becomes a response.
pub async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    Ok(rejection_response(&rejection))
}

/// [`recover`]'s answer to a rejection.
fn rejection_response(rejection: &Rejection) -> Response {
    if let Some(error) = rejection.find::<HttpError>() {
        error.render_with(Into::into)
    } else if let Some(refused) = rejection.find::<RefusedCredentials>() {
        refused.error().render_with(Into::into)
    } else if let Some(refusal) = rejection.find::<Forbidden>() {
        refusal.render_with(Into::into)
    } else if let Some(refusal) = rejection.find::<Unauthorized>() {
        refusal.render_with(Into::into)
    } else if let Some(extract::WrongMethod(refusal)) = rejection.find::<extract::WrongMethod>() {
        refusal.render_with(Into::into)
    } else {
        warp_rejection(rejection).render_with(Into::into)
    }
}

/// warp's own rejections, with the statuses warp gives them.
fn warp_rejection(rejection: &Rejection) -> HttpError {
    let status = if rejection.is_not_found() {
        StatusCode::NOT_FOUND
    } else if rejection.find::<MethodNotAllowed>().is_some() {
        StatusCode::METHOD_NOT_ALLOWED
    } else if rejection.find::<MissingHeader>().is_some()
        || rejection.find::<InvalidHeader>().is_some()
        || rejection.find::<MissingCookie>().is_some()
        || rejection.find::<InvalidQuery>().is_some()
        || rejection.find::<BodyDeserializeError>().is_some()
    {
        StatusCode::BAD_REQUEST
    } else if rejection.find::<LengthRequired>().is_some() {
        StatusCode::LENGTH_REQUIRED
    } else if rejection.find::<PayloadTooLarge>().is_some() {
        StatusCode::PAYLOAD_TOO_LARGE
    } else if rejection.find::<UnsupportedMediaType>().is_some() {
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    } else if rejection.find::<CorsForbidden>().is_some() {
        StatusCode::FORBIDDEN
    } else {
        return HttpError::internal().with_note(format!("unhandled warp rejection: {rejection:?}"));
    };
    // Every status above is a 4xx other than 401. warp does not say which methods a path has:
    // its 405 gets an empty `Allow`, as any other 405 that names none.
    crate::adapter::foreign::refusal_for(status, &http::HeaderMap::new(), format!("{rejection:?}"))
}
