//! Request guards and the data guard: the credentials and [`Json`](super::Json), refusing as the
//! other frameworks' extractors do, and [`refuse`](super::refuse) for an app's own guards.

use ::rocket::data::{self, Data, FromData, ToByteUnit};
use ::rocket::http::Status;
use ::rocket::request::{self, FromRequest, Outcome, Request};
use http::HeaderName;
use serde::de::DeserializeOwned;

use super::{in_scope, route_of, served, Kept};
use crate::adapter::json_body;
use crate::credentials::{BasicCredentials, BearerToken};
use crate::error::HttpError;

/// Ends a guard with `refusal`: kept with the request for [`ErrorHandling`](super::ErrorHandling)'s catcher, which
/// sends it, and its status for rocket. For guards of the app's own, as the credential guards
/// here use it.
///
/// ```
/// use denied::{BearerToken, Unauthorized};
/// use rocket::request::{FromRequest, Outcome, Request};
///
/// struct User(String);
///
/// #[rocket::async_trait]
/// impl<'r> FromRequest<'r> for User {
///     type Error = ();
///
///     async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
///         let token = match req.guard::<BearerToken>().await {
///             Outcome::Success(token) => token,
///             Outcome::Error(failed) => return Outcome::Error(failed),
///             Outcome::Forward(status) => return Outcome::Forward(status),
///         };
///         match token.token() {
///             "good" => Outcome::Success(User("alice".into())),
///             _ => denied::rocket::refuse(req, Unauthorized::invalid_token("not valid")),
///         }
///     }
/// }
/// ```
pub fn refuse<T, S>(
    req: &Request<'_>,
    refusal: impl Into<HttpError>,
) -> ::rocket::outcome::Outcome<T, (Status, ()), S> {
    refuse_with(req, refusal, ())
}

/// [`refuse`] for a guard with an error type of its own, as rocket's guide writes guards:
/// `error` is what rocket logs and what a handler taking `Result<Guard, Guard::Error>` sees;
/// the client gets `refusal`, with the challenge the guard names.
///
/// ```
/// use denied::{Challenge, Unauthorized};
/// use rocket::request::{FromRequest, Outcome, Request};
///
/// struct ApiKey;
///
/// #[derive(Debug)]
/// enum ApiKeyError {
///     Missing,
///     Invalid,
/// }
///
/// #[rocket::async_trait]
/// impl<'r> FromRequest<'r> for ApiKey {
///     type Error = ApiKeyError;
///
///     async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiKeyError> {
///         let refusal = || Unauthorized::new(Challenge::new("ApiKey"));
///         match req.headers().get_one("x-api-key") {
///             None => denied::rocket::refuse_with(req, refusal(), ApiKeyError::Missing),
///             Some("valid") => Outcome::Success(ApiKey),
///             Some(_) => denied::rocket::refuse_with(req, refusal(), ApiKeyError::Invalid),
///         }
///     }
/// }
/// ```
pub fn refuse_with<T, E, S>(
    req: &Request<'_>,
    refusal: impl Into<HttpError>,
    error: E,
) -> ::rocket::outcome::Outcome<T, (Status, E), S> {
    ::rocket::outcome::Outcome::Error((keep(req, refusal.into()), error))
}

/// Leaves `refusal` for the catcher; gives the status rocket is to call it with.
pub(super) fn keep(req: &Request<'_>, refusal: HttpError) -> Status {
    let status = Status::new(refusal.status().as_u16());
    if let Ok(mut slot) = served(req).refusal.lock() {
        *slot = Some(Kept {
            status,
            route: route_of(req),
            refusal,
        });
    }
    status
}

/// The `Authorization` lines of a request.
fn authorization<'r>(req: &'r Request<'_>) -> impl Iterator<Item = &'r [u8]> {
    req.headers().get("Authorization").map(str::as_bytes)
}

/// A request's bearer token, or `None` without credentials (or with another scheme); a
/// malformed one is refused. For a guard that lets anonymous requests in: rocket's
/// `Option<BearerToken>` takes a malformed header for none.
///
/// ```
/// use denied::rocket::{optional_bearer_token, refuse};
/// use rocket::request::{FromRequest, Outcome, Request};
///
/// struct Caller(Option<String>);
///
/// #[rocket::async_trait]
/// impl<'r> FromRequest<'r> for Caller {
///     type Error = ();
///
///     async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
///         match optional_bearer_token(req) {
///             Ok(token) => Outcome::Success(Caller(token.map(|token| token.token().to_owned()))),
///             Err(refusal) => refuse(req, refusal),
///         }
///     }
/// }
/// ```
///
/// # Errors
///
/// The 400 `invalid_request` for a malformed `Authorization`, in the app's realm.
pub fn optional_bearer_token(req: &Request<'_>) -> Result<Option<BearerToken>, HttpError> {
    in_scope(req, || {
        BearerToken::optional_from_values(authorization(req))
    })
}

#[::rocket::async_trait]
impl<'r> FromRequest<'r> for BearerToken {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        match in_scope(req, || BearerToken::from_values(authorization(req))) {
            Ok(token) => Outcome::Success(token),
            Err(refusal) => refuse(req, refusal),
        }
    }
}

#[::rocket::async_trait]
impl<'r> FromRequest<'r> for BasicCredentials {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        match in_scope(req, || BasicCredentials::from_values(authorization(req))) {
            Ok(credentials) => Outcome::Success(credentials),
            Err(refusal) => refuse(req, refusal),
        }
    }
}

/// A data guard that reads a JSON body as a `T`, refusing in the order a client should fix
/// it: 415 without `Content-Type: application/json` (or `+json`), 413 over rocket's `json`
/// limit (default 1 MiB; `limits.json` in rocket's config), 400 for a syntax error, 422 for
/// JSON of the wrong shape.
///
/// ```
/// use denied::rocket::Json;
///
/// #[derive(serde::Deserialize)]
/// struct Order { item: String }
///
/// #[rocket::post("/orders", data = "<order>")]
/// fn create(order: Json<Order>) -> String {
///     order.0.item
/// }
/// # let _ = rocket::routes![create];
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json<T>(pub T);

#[::rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for Json<T> {
    type Error = ();

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        match read_json(req, data).await {
            Ok(value) => data::Outcome::Success(Json(value)),
            Err(refusal) => refuse(req, refusal),
        }
    }
}

async fn read_json<T: DeserializeOwned>(req: &Request<'_>, data: Data<'_>) -> Result<T, HttpError> {
    let limit = req.limits().get("json").unwrap_or_else(|| 1.mebibytes());
    let limit_bytes = usize::try_from(limit.as_u64()).unwrap_or(usize::MAX);
    let header = |name: &HeaderName| req.headers().get_one(name.as_str()).map(str::as_bytes);
    json_body::check_head(header, limit_bytes)?;
    let body = data
        .open(limit)
        .into_bytes()
        .await
        .map_err(|error| HttpError::bad_request().with_source(error))?;
    if !body.is_complete() {
        return Err(json_body::too_large(limit_bytes));
    }
    json_body::parse(&body.into_inner())
}
