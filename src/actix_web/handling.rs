//! [`ErrorHandling`]: every error response of an actix-web app in the crate's shape, panics
//! included.

use std::fmt;
use std::future::{ready, Future, Ready};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::actix_web::body::{BoxBody, EitherBody, MessageBody};
use ::actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use ::actix_web::error::InternalError;
use ::actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use ::actix_web::http::header::{ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use ::actix_web::{Error, HttpRequest, HttpResponse, ResponseError};
use bytes::Bytes;
use pin_project_lite::pin_project;

use super::actix_status;
use crate::adapter::foreign::{self, Deciding, MissingAllow, Treatment};
use crate::adapter::scope::{caught, poll_caught};
use crate::context::{self, AppSettings, HeaderLines, RequestContext};

/// Middleware that gives every error response of the app the crate's shape, whoever
/// answered, and lets every error see the request it answers.
///
/// - A 4xx or 5xx that is not JSON (plain text, HTML, empty) is rendered again with the
///   crate's body and sentence for its status; its text becomes the hidden note, seen by the
///   report hook and never sent. Its other headers stay.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)); a 405's `Allow` is written in the crate's form.
/// - A panic becomes the crate's generic 500; the panic's text goes to the report hook.
/// - Successes and JSON errors pass through untouched.
/// - Every error the crate renders while the app serves a request (a handler's, an extractor's, the
///   default service's, the middleware's own) sees that request: its id is echoed on every response
///   and written into error bodies, and, as the [`Config`](crate::Config) says, its path becomes
///   the problem `instance`, its `Accept` chooses the format and its `Accept-Language` the
///   language. The report hook sees its method, path and id.
///
/// [`new`](Self::new) renders with the process-wide settings
/// ([`Config::install`](crate::Config::install)); [`with_config`](Self::with_config) gives the app
/// its own. actix-web 4 carries `http` 0.2 types, so a request id and, when the settings use it,
/// the path are copied once per request.
///
/// Register it last with `wrap`, so that it wraps everything else:
///
/// ```
/// use denied::{BodyFormat, Config};
///
/// let config = Config::new().format(BodyFormat::Problem).negotiate(true);
/// let app = actix_web::App::new()
///     .route("/me", actix_web::web::get().to(|| async { "alice" }))
///     .wrap(denied::actix_web::ErrorHandling::with_config(config)?);
/// # Ok::<(), denied::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    app: AppSettings,
}

settings_constructors!(
    ErrorHandling,
    "middleware",
    new: r#"let app = actix_web::App::new().wrap(denied::actix_web::ErrorHandling::new());
# let _ = app;"#,
    with_config: r#"use denied::Config;

let error_handling = denied::actix_web::ErrorHandling::with_config(Config::new().realm("shop"))?;
let app = actix_web::App::new().wrap(error_handling);
# let _ = app;
# Ok::<(), denied::ConfigError>(())"#,
);

impl<S, B> Transform<S, ServiceRequest> for ErrorHandling
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ErrorHandlingService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ErrorHandlingService {
            service,
            app: self.app.clone(),
        }))
    }
}

/// The service [`ErrorHandling`] wraps around an app.
pub struct ErrorHandlingService<S> {
    service: S,
    app: AppSettings,
}

impl<S> fmt::Debug for ErrorHandlingService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorHandlingService")
            .field("settings", &self.app)
            .finish_non_exhaustive()
    }
}

/// What the crate reads of an actix-web request, in `http` 1 types.
fn request_context(app: &AppSettings, request: &ServiceRequest) -> RequestContext {
    let headers = request.headers();
    RequestContext::new(
        app,
        || http::Method::from_bytes(request.method().as_str().as_bytes()).unwrap_or_default(),
        || {
            http::uri::PathAndQuery::from_maybe_shared(Bytes::copy_from_slice(
                request.path().as_bytes(),
            ))
            .ok()
        },
        |name| headers.get_all(name.as_str()).map(HeaderValue::as_bytes),
        // actix-web's header values are not `http` 1's: keeping one would copy it.
        |_| HeaderLines::ReadNow,
        |_, id| http::HeaderValue::from_bytes(id).ok(),
    )
}

impl<S, B> Service<ServiceRequest> for ErrorHandlingService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = ResponseFuture<S::Future, B>;

    ::actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let context = request_context(&self.app, &request);
        // The request cannot be cloned here: actix-web routes it, which needs it unshared. A
        // panic therefore answers as an error whose response is the crate's.
        let state = context::serving(&context, || match caught(|| self.service.call(request)) {
            Ok(future) => State::Inner { future },
            Err(panic) => State::Panicked {
                response: Some(panic.error_response()),
            },
        });
        ResponseFuture { context, state }
    }
}

type Rewriting = Pin<Box<dyn Future<Output = HttpResponse>>>;

pin_project! {
    /// The response future of [`ErrorHandlingService`].
    pub struct ResponseFuture<F, B> {
        context: RequestContext,
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProjection]
    enum State<F, B> {
        Inner { #[pin] future: F },
        // `request` is `None` when the inner service failed with an error: the rewritten
        // response then goes out as an error too.
        Rewriting { future: Rewriting, request: Option<HttpRequest>, _body: PhantomData<B> },
        Panicked { response: Option<HttpResponse> },
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody + 'static,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let context = &*this.context;
        context::serving(context, || poll_state(this.state, cx, context))
    }
}

/// Polls the app, then gives its response the crate's shape; runs with the request in scope.
fn poll_state<F, B>(
    mut state: Pin<&mut State<F, B>>,
    cx: &mut Context<'_>,
    context: &RequestContext,
) -> Poll<Result<ServiceResponse<EitherBody<B>>, Error>>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody + 'static,
{
    loop {
        let (request, response) = match state.as_mut().project() {
            StateProjection::Inner { future } => {
                match poll_caught(future, cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(Ok(mut response))) => {
                        if treatment(response.response(), context) == Treatment::Untouched {
                            echo_request_id(context, response.headers_mut());
                            return Poll::Ready(Ok(response.map_into_left_body()));
                        }
                        let (request, response) = response.into_parts();
                        (Some(request), response.map_into_boxed_body())
                    }
                    // Rendered here, with the request in scope, rather than by actix-web's
                    // dispatcher after this middleware is done.
                    Poll::Ready(Ok(Err(error))) => (None, error.error_response()),
                    Poll::Ready(Err(panic)) => {
                        state.set(State::Panicked { response: None });
                        return Poll::Ready(respond(None, panic.error_response(), context));
                    }
                }
            }
            StateProjection::Rewriting {
                future, request, ..
            } => {
                let Poll::Ready(response) = future.as_mut().poll(cx) else {
                    return Poll::Pending;
                };
                return Poll::Ready(respond(request.take(), response, context));
            }
            StateProjection::Panicked { response } => {
                // Polled again after completion: answer, rather than panic.
                let response = response
                    .take()
                    .unwrap_or_else(|| crate::error::HttpError::internal().error_response());
                return Poll::Ready(respond(None, response, context));
            }
        };
        match treat(response, context) {
            Treated::Ready(response) => return Poll::Ready(respond(request, response, context)),
            Treated::Rewrite(future) => state.set(State::Rewriting {
                future,
                request,
                _body: PhantomData,
            }),
        }
    }
}

/// Puts the request's id on a response that does not name one.
fn echo_request_id(context: &RequestContext, headers: &mut HeaderMap) {
    let Some(id) = &context.request_id else {
        return;
    };
    let Some(name) = &context.settings().request_id_header else {
        return;
    };
    if headers.contains_key(name.as_str()) {
        return;
    }
    if let (Ok(name), Ok(id)) = (
        HeaderName::from_bytes(name.as_str().as_bytes()),
        HeaderValue::from_bytes(id.as_bytes()),
    ) {
        headers.insert(name, id);
    }
}

/// The response in the crate's shape, as a response or, when the inner service failed, as an
/// error whose response it is.
fn respond<B>(
    request: Option<HttpRequest>,
    mut response: HttpResponse,
    context: &RequestContext,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    echo_request_id(context, response.headers_mut());
    match request {
        Some(request) => Ok(ServiceResponse::new(request, response).map_into_right_body()),
        None => {
            let cause = format!("{} answered in the crate's shape", response.status());
            Err(InternalError::from_response(cause, response).into())
        }
    }
}

/// [`foreign::treatment`] of an actix-web response to the request of `context`, read without
/// allocating.
fn treatment<B>(response: &HttpResponse<B>, context: &RequestContext) -> Treatment {
    let headers = response.headers();
    let status = response.status().as_u16();
    let header = |name| {
        let name = match name {
            Deciding::ContentType => CONTENT_TYPE,
            Deciding::WwwAuthenticate => WWW_AUTHENTICATE,
            Deciding::Allow => ALLOW,
        };
        headers.get(name).map(HeaderValue::as_bytes)
    };
    foreign::treatment_of(status, header, || foreign::rewrites_json(context, status))
}

enum Treated {
    Ready(HttpResponse),
    Rewrite(Rewriting),
}

/// What [`ErrorHandling`] sends instead of `response`, the answer to the request of `context`.
fn treat<B: MessageBody + 'static>(response: HttpResponse<B>, context: &RequestContext) -> Treated {
    match treatment(&response, context) {
        Treatment::Untouched => Treated::Ready(response.map_into_boxed_body()),
        Treatment::FixHeaders => {
            let mut response = response.map_into_boxed_body();
            let status = http_status(&response);
            let mut headers = to_http(response.headers());
            foreign::fix_headers(status, &mut headers, MissingAllow::Empty);
            replace_headers(response.headers_mut(), &headers);
            Treated::Ready(response)
        }
        Treatment::Rewrite => Treated::Rewrite(Box::pin(rewrite(response))),
    }
}

/// Reads what is ready of a foreign error body, up to [`foreign::NOTE_BODY_LIMIT`] bytes, for
/// the note, without waiting for more, and answers in the crate's shape instead.
async fn rewrite<B: MessageBody + 'static>(response: HttpResponse<B>) -> HttpResponse {
    use std::task::Poll;
    let status = http_status(&response);
    let mut headers = to_http(response.headers());
    let (mut response, body) = response.into_parts();
    let mut body = std::pin::pin!(body);
    let mut text = Vec::new();
    let cut = loop {
        let next = std::future::poll_fn(|cx| Poll::Ready(body.as_mut().poll_next(cx))).await;
        match next {
            Poll::Ready(Some(Ok(data))) if foreign::keep_for_note(&mut text, &data) => break true,
            Poll::Ready(Some(Ok(_))) => {}
            Poll::Ready(None | Some(Err(_))) => break false,
            // A body that trickles must not hold back the response.
            Poll::Pending => break true,
        }
    };
    let (status, body) = foreign::rewrite(status, &mut headers, &text, cut, MissingAllow::Empty);
    *response.status_mut() = actix_status(status);
    replace_headers(response.headers_mut(), &headers);
    response.set_body(BoxBody::new(body))
}

fn http_status<B>(response: &HttpResponse<B>) -> http::StatusCode {
    http::StatusCode::from_u16(response.status().as_u16())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
}

/// actix-web's headers as `http` 1 headers; both versions share the grammar.
fn to_http(headers: &HeaderMap) -> http::HeaderMap {
    headers
        .iter()
        .filter_map(|(name, value)| {
            Some((
                http::HeaderName::from_bytes(name.as_str().as_bytes()).ok()?,
                http::HeaderValue::from_bytes(value.as_bytes()).ok()?,
            ))
        })
        .collect()
}

fn replace_headers(target: &mut HeaderMap, headers: &http::HeaderMap) {
    target.clear();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            target.append(name, value);
        }
    }
}
