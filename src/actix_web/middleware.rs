//! [`ErrorHandling`]: every error response of an actix-web app in the crate's shape, panics
//! included.

use std::future::{ready, Future, Ready};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use ::actix_web::body::{BoxBody, EitherBody, MessageBody};
use ::actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use ::actix_web::error::InternalError;
use ::actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use ::actix_web::http::header::{ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use ::actix_web::{Error, HttpRequest, HttpResponse};
use pin_project_lite::pin_project;
use std::marker::PhantomData;

use super::actix_status;
use crate::foreign::{self, Deciding, Treatment};

/// Middleware that gives every error response of the app the crate's shape, whoever
/// answered: the router, an extractor without the crate's settings, another middleware, or a
/// panicking handler.
///
/// - A 4xx or 5xx that is not JSON (plain text, HTML, empty) is rendered again with the
///   crate's body and sentence for its status; its text becomes the hidden note, seen by the
///   report hook and never sent. Its other headers stay.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)); a 405's `Allow` is written in the crate's form.
/// - A panic becomes the crate's generic 500; the panic's text goes to the report hook.
/// - Successes and JSON errors pass through untouched, at no extra allocation.
///
/// Register it last with `wrap`, so that it wraps everything else:
///
/// ```
/// let app = actix_web::App::new()
///     .route("/me", actix_web::web::get().to(|| async { "alice" }))
///     .wrap(denied::actix_web::ErrorHandling::new());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorHandling {
    _private: (),
}

impl ErrorHandling {
    /// The middleware, with the app-wide [`Config`](crate::Config).
    #[must_use]
    pub const fn new() -> Self {
        Self { _private: () }
    }
}

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
        ready(Ok(ErrorHandlingService { service }))
    }
}

/// The service [`ErrorHandling`] wraps around an app.
#[derive(Debug)]
pub struct ErrorHandlingService<S> {
    service: S,
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
        // The request cannot be cloned here: actix-web routes it, which needs it unshared. A
        // panic therefore answers as an error, which actix-web renders with the crate's body.
        let state = match catch_unwind(AssertUnwindSafe(|| self.service.call(request))) {
            Ok(future) => State::Inner { future },
            Err(payload) => State::Panicked {
                error: Some(panic_error(&*payload)),
            },
        };
        ResponseFuture { state }
    }
}

fn panic_error(payload: &(dyn std::any::Any + Send)) -> Error {
    foreign::panicked(payload).into()
}

type Rewriting = Pin<Box<dyn Future<Output = HttpResponse>>>;

pin_project! {
    /// The response future of [`ErrorHandlingService`].
    pub struct ResponseFuture<F, B> {
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
        Panicked { error: Option<Error> },
    }
}

impl<F, B> std::fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
        let mut state = self.project().state;
        loop {
            let (request, response) = match state.as_mut().project() {
                StateProjection::Inner { future } => {
                    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(Ok(response))) => {
                            if treatment(response.response()) == Treatment::Untouched {
                                return Poll::Ready(Ok(response.map_into_left_body()));
                            }
                            let (request, response) = response.into_parts();
                            (Some(request), response.map_into_boxed_body())
                        }
                        Ok(Poll::Ready(Err(error))) => {
                            let response = error.error_response();
                            if treatment(&response) == Treatment::Untouched {
                                return Poll::Ready(Err(error));
                            }
                            (None, response)
                        }
                        Err(payload) => {
                            state.set(State::Panicked { error: None });
                            return Poll::Ready(Err(panic_error(&*payload)));
                        }
                    }
                }
                StateProjection::Rewriting {
                    future, request, ..
                } => {
                    let Poll::Ready(response) = future.as_mut().poll(cx) else {
                        return Poll::Pending;
                    };
                    return Poll::Ready(respond(request.take(), response));
                }
                StateProjection::Panicked { error } => {
                    // Polled again after completion: answer, rather than panic.
                    let error = error
                        .take()
                        .unwrap_or_else(|| crate::HttpError::internal().into());
                    return Poll::Ready(Err(error));
                }
            };
            match treat(response) {
                Treated::Ready(response) => return Poll::Ready(respond(request, response)),
                Treated::Rewrite(future) => state.set(State::Rewriting {
                    future,
                    request,
                    _body: PhantomData,
                }),
            }
        }
    }
}

/// The response in the crate's shape, as a response or, when the inner service failed, as an
/// error whose response it is.
fn respond<B>(
    request: Option<HttpRequest>,
    response: HttpResponse,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    match request {
        Some(request) => Ok(ServiceResponse::new(request, response).map_into_right_body()),
        None => {
            let cause = format!("{} answered in the crate's shape", response.status());
            Err(InternalError::from_response(cause, response).into())
        }
    }
}

/// [`foreign::treatment`] of an actix-web response, read without allocating.
fn treatment<B>(response: &HttpResponse<B>) -> Treatment {
    let headers = response.headers();
    foreign::treatment_of(response.status().as_u16(), |name| {
        let name = match name {
            Deciding::ContentType => CONTENT_TYPE,
            Deciding::WwwAuthenticate => WWW_AUTHENTICATE,
            Deciding::Allow => ALLOW,
        };
        headers.get(name).map(HeaderValue::as_bytes)
    })
}

enum Treated {
    Ready(HttpResponse),
    Rewrite(Rewriting),
}

/// What [`ErrorHandling`] sends instead of `response`.
fn treat<B: MessageBody + 'static>(response: HttpResponse<B>) -> Treated {
    match treatment(&response) {
        Treatment::Untouched => Treated::Ready(response.map_into_boxed_body()),
        Treatment::FixHeaders => {
            let mut response = response.map_into_boxed_body();
            let status = http_status(&response);
            let mut headers = to_http(response.headers());
            foreign::fix_headers(status, &mut headers);
            replace_headers(response.headers_mut(), &headers);
            Treated::Ready(response)
        }
        Treatment::Rewrite => Treated::Rewrite(Box::pin(rewrite(response))),
    }
}

/// Reads up to [`foreign::NOTE_BODY_LIMIT`] bytes of a foreign error body for the note, and answers in
/// the crate's shape instead.
async fn rewrite<B: MessageBody + 'static>(response: HttpResponse<B>) -> HttpResponse {
    let status = http_status(&response);
    let mut headers = to_http(response.headers());
    let (mut response, body) = response.into_parts();
    let mut body = std::pin::pin!(body);
    let mut text = Vec::new();
    let mut cut = false;
    while let Some(Ok(data)) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        if foreign::keep_for_note(&mut text, &data) {
            cut = true;
            break;
        }
    }
    let (status, body) = foreign::rewrite(status, &mut headers, &text, cut);
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
