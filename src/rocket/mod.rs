//! rocket 0.5: every error type is a [`Responder`], so a handler returns
//! `Result<T, HttpError>` and uses `?`; the [`ErrorHandling`] fairing answers rocket's own errors
//! (no route, a wrong method, a guard that fails, a panic) in the crate's shape and lets every
//! error see its request; [`BearerToken`] and [`BasicCredentials`] are request guards and
//! [`Json`] a data guard that refuse as the other frameworks' extractors do.
//!
//! rocket hands a catcher only a status, not the error of the guard that failed: a guard
//! built on this module keeps its refusal with the request ([`refuse`]), and the fairing's
//! catcher sends it.
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

use ::rocket::catcher::{self, Catcher};
use ::rocket::data::{self, Data, FromData, ToByteUnit};
use ::rocket::fairing::{self, Fairing, Info, Kind};
use ::rocket::http::{Header, Status};
use ::rocket::request::{self, FromRequest, Outcome, Request};
use ::rocket::response::{self, Responder, Response};
use ::rocket::tokio::io::AsyncReadExt;
use ::rocket::{Build, Rocket};
use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::context::{self, AppSettings, HeaderLines, RequestContext};
use crate::foreign::{self, Treatment};
use crate::{
    config, json_body, render, BasicCredentials, BearerToken, Config, ConfigError, Forbidden,
    HttpError, Unauthorized,
};

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
    let settings = match context {
        Some(context) => context.settings(),
        None => config::settings(),
    };
    let rendered = render::render(error, settings, context, |bytes| bytes);
    let (parts, body) = rendered.into_parts();
    let mut response = Response::new();
    response.set_status(Status::new(parts.status.as_u16()));
    set_headers(&mut response, &parts.headers);
    response.set_sized_body(body.len(), Cursor::new(body));
    response
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

/// Ends a guard with `refusal`: kept with the request for [`ErrorHandling`]'s catcher, which
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
///             _ => denied::rocket::refuse(req, Unauthorized::invalid_token("api", "not valid")),
///         }
///     }
/// }
/// ```
pub fn refuse<T, S>(
    req: &Request<'_>,
    refusal: impl Into<HttpError>,
) -> ::rocket::outcome::Outcome<T, (Status, ()), S> {
    ::rocket::outcome::Outcome::Error((keep(req, refusal.into()), ()))
}

/// Leaves `refusal` for the catcher; gives the status rocket is to call it with.
fn keep(req: &Request<'_>, refusal: HttpError) -> Status {
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
        BearerToken::optional_from_authorization(authorization(req))
    })
}

#[::rocket::async_trait]
impl<'r> FromRequest<'r> for BearerToken {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        match in_scope(req, || BearerToken::from_authorization(authorization(req))) {
            Ok(token) => Outcome::Success(token),
            Err(refusal) => refuse(req, refusal),
        }
    }
}

#[::rocket::async_trait]
impl<'r> FromRequest<'r> for BasicCredentials {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        match in_scope(req, || {
            BasicCredentials::from_authorization(authorization(req))
        }) {
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

/// The fairing that gives every error response of a rocket app the crate's shape and lets
/// every error see the request it answers: `rocket::build().attach(ErrorHandling::new())`,
/// attached after every other fairing (rocket runs response fairings in the order they were
/// attached).
///
/// - It registers the default catcher at `/`: rocket's own answers (no route: 404; a guard
///   that fails; a panicking handler: 500) get the crate's body and sentence, and a refusal a
///   guard left ([`refuse`], the credential guards, [`Json`]) is sent as it is when rocket
///   calls the catcher for its status at its route. A 404 from a handler goes through it too,
///   so that it is the 404 for no route, byte for byte.
/// - rocket answers a method a path does not route with 404: the catcher answers 405 with
///   `Allow` listing the methods the app's routes have for that path (`HEAD` with `GET`).
/// - A 4xx or 5xx in another shape (plain text, HTML, empty) that another fairing or a
///   handler sends is rendered again; its text is the hidden note, seen by the report hook and
///   never sent. A 401 without a challenge gets the app's.
/// - Every error the crate renders sees the request: its id is echoed on every response and
///   written into error bodies, and, as the [`Config`] says, its path becomes the problem
///   `instance`, its `Accept` chooses the format and its `Accept-Language` the language.
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    app: AppSettings,
}

impl ErrorHandling {
    /// The fairing, with the process-wide settings ([`Config::install`]).
    ///
    /// ```
    /// let fairing = denied::rocket::ErrorHandling::new();
    /// # let _ = fairing;
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            app: AppSettings::process_wide(),
        }
    }

    /// The fairing, with settings of the app's own.
    ///
    /// ```
    /// use denied::{BodyFormat, Config};
    ///
    /// let fairing = denied::rocket::ErrorHandling::with_config(Config::new().format(BodyFormat::Problem))?;
    /// # let _ = fairing;
    /// # Ok::<(), denied::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The settings are not valid (see [`ConfigError`]).
    pub fn with_config(config: Config) -> Result<Self, ConfigError> {
        Ok(Self {
            app: AppSettings::own(config)?,
        })
    }
}

#[::rocket::async_trait]
impl Fairing for ErrorHandling {
    fn info(&self) -> Info {
        Info {
            name: "denied::rocket::ErrorHandling",
            kind: Kind::Ignite | Kind::Request | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let catcher = Catcher::new(None, Catch(self.app.clone()));
        Ok(rocket.register("/", vec![catcher]))
    }

    async fn on_request(&self, req: &mut Request<'_>, _data: &mut Data<'_>) {
        let context = context_of(&self.app, req);
        // Set once: a guard that ran in an earlier fairing may have made the cache already.
        let _ = served(req).context.set(context);
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(context) = served(req).context.get() else {
            return;
        };
        shape(res, context).await;
        echo_request_id(res, context);
    }
}

/// What the app's settings use of a request.
fn context_of(app: &AppSettings, req: &Request<'_>) -> RequestContext {
    RequestContext::new(
        app,
        || Method::from_bytes(req.method().as_str().as_bytes()).unwrap_or_default(),
        || req.uri().path().as_str().parse::<PathAndQuery>().ok(),
        |name| req.headers().get(name.as_str()).map(str::as_bytes),
        // rocket's header values are not `http` 1's: keeping one would copy it.
        |_| HeaderLines::ReadNow,
        |_, id| HeaderValue::from_bytes(id).ok(),
    )
}

/// Puts the request's id on a response that does not name one.
fn echo_request_id(res: &mut Response<'_>, context: &RequestContext) {
    if let (Some(id), Some(name)) = (&context.request_id, &context.settings().request_id_header) {
        if !res.headers().contains(name.as_str()) {
            if let Ok(id) = id.to_str() {
                res.set_raw_header(name.as_str().to_owned(), id.to_owned());
            }
        }
    }
}

/// The catcher [`ErrorHandling`] registers, for every status, with the app's settings: rocket
/// calls it without the request fairings for a request it cannot read (an unknown method, a
/// target without a path), which then has no context yet.
#[derive(Clone)]
struct Catch(AppSettings);

#[::rocket::async_trait]
impl catcher::Handler for Catch {
    async fn handle<'r>(&self, status: Status, req: &'r Request<'_>) -> catcher::Result<'r> {
        let refusal = caught(status, req);
        match served(req).context.get() {
            Some(context) => Ok(respond_in(&refusal, Some(context))),
            None => {
                let context = context_of(&self.0, req);
                let mut response = respond_in(&refusal, Some(&context));
                echo_request_id(&mut response, &context);
                Ok(response)
            }
        }
    }
}

/// What the catcher sends: the refusal left for this status at this route, a 405 for a path
/// routed for other methods, or the crate's refusal for rocket's status.
fn caught(status: Status, req: &Request<'_>) -> HttpError {
    let kept = served(req)
        .refusal
        .lock()
        .ok()
        .and_then(|mut slot| slot.take());
    if let Some(kept) = kept {
        if kept.status == status && kept.route == route_of(req) {
            return kept.refusal;
        }
    }
    let routed = matches!(status, Status::NotFound | Status::MethodNotAllowed)
        .then(|| methods_routed_for(req))
        .unwrap_or_default();
    // rocket answers HEAD with the GET route: a HEAD request is asked as GET.
    let asked = match req.method().as_str() {
        "HEAD" => Method::GET,
        method => Method::from_bytes(method.as_bytes()).unwrap_or_default(),
    };
    let wrong_method = (status == Status::MethodNotAllowed
        || (status == Status::NotFound && req.route().is_none()))
        && !routed.is_empty()
        && !routed.contains(&asked);
    if wrong_method {
        return HttpError::method_not_allowed(routed)
            .with_note(format!("rocket routes no {} for this path", req.method()));
    }
    let status = StatusCode::from_u16(status.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    in_scope(req, || {
        foreign::refusal_for(
            status,
            &HeaderMap::new(),
            format!("rocket answered {}", status.as_u16()),
        )
    })
}

/// The methods the app's routes have for the request's path, in a fixed order; `HEAD` with
/// `GET`, as rocket answers it. A path matches a route as rocket matches it, by its decoded
/// segments; but a path rocket normalizes (`/me/`, `//me`) names no methods, as the other
/// frameworks' routers know no such path: it is answered 404, not 405.
fn methods_routed_for(req: &Request<'_>) -> Vec<Method> {
    const ORDER: [Method; 8] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
    ];
    let raw = req.uri().path().as_str();
    if raw.len() > 1 && (raw.ends_with('/') || raw.contains("//")) {
        return Vec::new();
    }
    let segments: Vec<&str> = req.uri().path().segments().collect();
    let mut routed: Vec<Method> = Vec::new();
    for route in req.rocket().routes() {
        if path_matches(route.uri.path(), &segments) {
            let method = route.method.as_str();
            routed.extend(
                ORDER
                    .iter()
                    .filter(|known| known.as_str() == method)
                    .cloned(),
            );
            if method == "GET" {
                routed.push(Method::HEAD);
            }
        }
    }
    ORDER
        .into_iter()
        .filter(|method| routed.contains(method))
        .collect()
}

/// Whether a route's path template (`/orders/<id>`, `/files/<path..>`) matches a path's
/// decoded, non-empty segments.
fn path_matches(template: &str, segments: &[&str]) -> bool {
    let mut wanted = template.split('/').filter(|segment| !segment.is_empty());
    let mut given = segments.iter();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(segment), _) if segment.starts_with('<') && segment.ends_with("..>") => {
                return true
            }
            (Some(segment), Some(_)) if segment.starts_with('<') && segment.ends_with('>') => {}
            (Some(segment), Some(part)) if segment == *part => {}
            _ => return false,
        }
    }
}

/// Gives a response on its way out the crate's shape, with the request in scope.
async fn shape(res: &mut Response<'_>, context: &RequestContext) {
    let treatment = foreign::treatment_of(res.status().code, |deciding| {
        let name = match deciding {
            foreign::Deciding::ContentType => "Content-Type",
            foreign::Deciding::WwwAuthenticate => "WWW-Authenticate",
            foreign::Deciding::Allow => "Allow",
        };
        res.headers().get_one(name).map(str::as_bytes)
    });
    if treatment == Treatment::Untouched {
        return;
    }
    let Ok(status) = StatusCode::from_u16(res.status().code) else {
        return;
    };
    let mut headers = HeaderMap::new();
    for header in res.headers().iter() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(header.name().as_str().as_bytes()),
            HeaderValue::from_str(header.value()),
        ) {
            headers.append(name, value);
        }
    }
    if treatment == Treatment::FixHeaders {
        context::serving(context, || foreign::fix_headers(status, &mut headers));
        set_headers(res, &headers);
        return;
    }
    let mut read = Vec::new();
    let limit = u64::try_from(foreign::NOTE_BODY_LIMIT).unwrap_or(u64::MAX);
    // An unreadable body leaves the note with what was read.
    let _ = (&mut res.body_mut())
        .take(limit.saturating_add(1))
        .read_to_end(&mut read)
        .await;
    let mut text = Vec::new();
    let cut = foreign::keep_for_note(&mut text, &read);
    let (status, body): (StatusCode, Bytes) = context::serving(context, || {
        foreign::rewrite(status, &mut headers, &text, cut)
    });
    for header in res.headers().clone().iter() {
        res.remove_header(header.name().as_str());
    }
    set_headers(res, &headers);
    res.set_status(Status::new(status.as_u16()));
    res.set_sized_body(body.len(), Cursor::new(body));
}
