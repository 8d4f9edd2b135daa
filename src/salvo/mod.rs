//! salvo 1: every error type is a [`Scribe`], so a handler returns `Result<T, HttpError>` and
//! uses `?`; [`ErrorHandling`] is the service hoop that gives salvo's own errors (no route, a
//! wrong method, a `StatusError`, another hoop's plain answer) and panics the crate's shape and
//! lets every error see its request; [`method_not_allowed`] gives a path's 405 its `Allow`;
//! [`json`] reads a body as the other frameworks' extractors do; salvo's `ParseError`
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

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::Poll;

use ::salvo::http::{ParseError, ResBody, StatusCode};
use ::salvo::{async_trait, Depot, FlowCtrl, Handler, Request, Response, Scribe};
use bytes::Bytes;
use http::{HeaderValue, Method};
use serde::de::DeserializeOwned;

use crate::context::{self, AppSettings, RequestContext};
use crate::foreign::{self, Shaped};
use crate::{json_body, Config, ConfigError, Forbidden, HttpError, Unauthorized};

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
    let rendered = HttpError::render(error);
    put(res, rendered);
}

/// Puts a rendered response into salvo's, which earlier hoops and the handler may have
/// written to: the headers that described another body go, as everywhere a body is replaced.
fn put(res: &mut Response, rendered: http::Response<Bytes>) {
    let (status, body) = foreign::adopt(res.headers_mut(), rendered, false);
    res.status_code(status);
    res.body(ResBody::Once(body));
}

/// The service hoop that gives every error response of the app the crate's shape and lets
/// every error see the request it answers: `Service::new(router).hoop(ErrorHandling::new())`.
///
/// - salvo's own answers (no route: 404; a path routed for other methods: 405, with salvo's
///   `Allow` unless the path has [`method_not_allowed`]) and a `StatusError` a handler or
///   extractor renders get the crate's body and sentence for their status; a 4xx or 5xx in
///   another shape (plain text, HTML, empty) is rendered again, its text kept as the hidden
///   note, seen by the report hook and never sent.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from [`Config::realm`]).
/// - A panic in a hoop or handler after it becomes the crate's generic 500.
/// - A `HEAD` answer keeps the `Content-Length` its `GET` has (salvo drops the body, and with
///   it the length).
/// - While the app serves a request, every error the crate renders sees it: its id is echoed
///   on every response and written into error bodies, and, as the [`Config`] says, its path
///   becomes the problem `instance`, its `Accept` chooses the format and its `Accept-Language`
///   the language.
///
/// Put it first among the service's hoops, so that the hoops after it are inside it. salvo
/// checks `Service::allowed_media_types` after every hoop and answers a response of another
/// type with its own 415: an app that sets it lists `application/json` and, for problem
/// details, `application/problem+json`.
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    app: AppSettings,
}

impl ErrorHandling {
    /// The hoop, with the process-wide settings ([`Config::install`]).
    ///
    /// ```
    /// let hoop = denied::salvo::ErrorHandling::new();
    /// # let _ = hoop;
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            app: AppSettings::process_wide(),
        }
    }

    /// The hoop, with settings of the app's own.
    ///
    /// ```
    /// use denied::{BodyFormat, Config};
    ///
    /// let hoop = denied::salvo::ErrorHandling::with_config(Config::new().format(BodyFormat::Problem))?;
    /// # let _ = hoop;
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

#[async_trait]
impl Handler for ErrorHandling {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        let context = RequestContext::of_request(&self.app, req.method(), req.uri(), req.headers());
        let is_head = req.method() == Method::HEAD;
        let served = serve(&context, ctrl.call_next(req, depot, res)).await;
        if let Err(payload) = served {
            // Nothing the panicking handler left is sent: no header, no cookie.
            *res = Response::new();
            let refusal = context::serving(&context, || {
                HttpError::render(&context::panicked(&*payload))
            });
            put(res, refusal);
        }
        shape(res, &context).await;
        context.echo_request_id(res.headers_mut());
        if is_head {
            keep_content_length(res);
        }
    }
}

/// salvo sends a `HEAD` answer without its body, and with it the `Content-Length` the same
/// `GET` has: it is written here, while the body is known (RFC 9110 §9.3.2).
fn keep_content_length(res: &mut Response) {
    if let ResBody::Once(body) = &res.body {
        let length = HeaderValue::from(body.len());
        res.headers_mut()
            .entry(http::header::CONTENT_LENGTH)
            .or_insert(length);
    }
}

/// Polls `next` with the request in scope, catching a panic.
async fn serve<F: Future>(
    context: &RequestContext,
    next: F,
) -> Result<F::Output, Box<dyn std::any::Any + Send>> {
    let mut next = std::pin::pin!(next);
    std::future::poll_fn(|cx| {
        context::serving(context, || {
            match catch_unwind(AssertUnwindSafe(|| next.as_mut().poll(cx))) {
                Ok(Poll::Pending) => Poll::Pending,
                Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
                Err(payload) => Poll::Ready(Err(payload)),
            }
        })
    })
    .await
}

/// The response in the crate's shape.
async fn shape(res: &mut Response, context: &RequestContext) {
    let Some(mut status) = res.status_code else {
        return;
    };
    let body = match res.replace_body(ResBody::None) {
        ResBody::Error(error) => {
            // A `StatusError`: salvo's catcher would write it; its texts are the note.
            let note = format!("{}: {}", error.brief, error.detail.as_deref().unwrap_or(""));
            let (status, body) = context::serving(context, || {
                foreign::rewrite(error.code, res.headers_mut(), note.as_bytes(), false)
            });
            res.status_code(status);
            res.body(ResBody::Once(body));
            return;
        }
        body => body,
    };
    let shaped = foreign::shape(&mut status, res.headers_mut(), body, |body| body, context).await;
    res.status_code(status);
    match shaped {
        Shaped::Kept(body) => res.body(body),
        Shaped::Rendered(bytes) => res.body(ResBody::Once(bytes)),
    };
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

/// Reads a request's JSON body as a `T`, refusing with the crate's errors in the order a
/// client should fix them: 415 without `Content-Type: application/json` (or `+json`), 413 over
/// `limit` bytes (said by `Content-Length`, or found while reading), 400 for a syntax error or
/// a body that cannot be read, 422 for JSON of the wrong shape: the checks of the other
/// frameworks' `Json` extractors.
///
/// # Errors
///
/// The refusal for the first check the request fails.
///
/// ```
/// use denied::HttpError;
/// use salvo::prelude::*;
///
/// #[derive(serde::Deserialize)]
/// struct Order { item: String }
///
/// #[handler]
/// async fn create(req: &mut Request) -> Result<String, HttpError> {
///     let order: Order = denied::salvo::json(req, 4096).await?;
///     Ok(order.item)
/// }
/// # let _ = Router::with_path("orders").post(create);
/// ```
pub async fn json<T: DeserializeOwned>(req: &mut Request, limit: usize) -> Result<T, HttpError> {
    let header = |name: &_| req.headers().get(name).map(|value| value.as_bytes());
    json_body::check_head(header, limit)?;
    let body = req
        .payload_with_max_size(limit)
        .await
        .map_err(|error| match error {
            ParseError::PayloadTooLarge => json_body::too_large(limit),
            other => HttpError::bad_request().with_source(other),
        })?;
    json_body::parse(body)
}
