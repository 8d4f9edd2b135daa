//! [`ErrorHandling`]: every error response of an actix-web app in the crate's shape, panics
//! included.

use std::future::{ready, Future, Ready};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use ::actix_web::body::{to_bytes_limited, BoxBody, EitherBody, MessageBody};
use ::actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use ::actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use ::actix_web::http::header::{ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use ::actix_web::{Error, HttpRequest, HttpResponse};
use pin_project_lite::pin_project;

use super::{actix_status, to_actix};
use crate::foreign::{self, Treatment, NOTE_BODY_LIMIT};

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
        let http_request = request.request().clone();
        let state = match catch_unwind(AssertUnwindSafe(|| self.service.call(request))) {
            Ok(future) => State::Inner { future },
            Err(payload) => State::Done {
                response: Some(panic_response(&*payload)),
            },
        };
        ResponseFuture {
            request: http_request,
            state,
        }
    }
}

fn panic_response(payload: &(dyn std::any::Any + Send)) -> HttpResponse {
    to_actix(foreign::panicked(payload).render())
}

type Rewriting = Pin<Box<dyn Future<Output = HttpResponse>>>;

pin_project! {
    /// The response future of [`ErrorHandlingService`].
    pub struct ResponseFuture<F, B> {
        request: HttpRequest,
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProjection]
    enum State<F, B> {
        Inner { #[pin] future: F },
        Rewriting { future: Rewriting, _body: std::marker::PhantomData<B> },
        Done { response: Option<HttpResponse> },
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
        let mut this = self.project();
        loop {
            let response = match this.state.as_mut().project() {
                StateProjection::Inner { future } => {
                    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(Ok(response))) => response,
                        Ok(Poll::Ready(Err(error))) => {
                            // The error would become a response outside this middleware; it
                            // becomes one here, keeping the error for outer middleware.
                            let response = HttpResponse::from_error(error);
                            this.state.set(State::Done {
                                response: Some(response),
                            });
                            continue;
                        }
                        Err(payload) => {
                            this.state.set(State::Done { response: None });
                            return ours(this.request, panic_response(&*payload));
                        }
                    }
                }
                StateProjection::Rewriting { future, .. } => {
                    return match future.as_mut().poll(cx) {
                        Poll::Ready(response) => ours(this.request, response),
                        Poll::Pending => Poll::Pending,
                    };
                }
                StateProjection::Done { response } => {
                    let Some(response) = response.take() else {
                        // Polled after completion: answer, rather than panic.
                        return ours(this.request, to_actix(crate::HttpError::internal().render()));
                    };
                    match treat(response) {
                        Treated::Ready(response) => return ours(this.request, response),
                        Treated::Rewrite(future) => {
                            this.state.set(State::Rewriting {
                                future,
                                _body: std::marker::PhantomData,
                            });
                            continue;
                        }
                    }
                }
            };
            if treatment(response.response()) == Treatment::Untouched {
                return Poll::Ready(Ok(response.map_into_left_body()));
            }
            let (request, response) = response.into_parts();
            *this.request = request;
            match treat(response.map_into_boxed_body()) {
                Treated::Ready(response) => return ours(this.request, response),
                Treated::Rewrite(future) => this.state.set(State::Rewriting {
                    future,
                    _body: std::marker::PhantomData,
                }),
            }
        }
    }
}

fn ours<B>(
    request: &HttpRequest,
    response: HttpResponse,
) -> Poll<Result<ServiceResponse<EitherBody<B>>, Error>> {
    Poll::Ready(Ok(
        ServiceResponse::new(request.clone(), response).map_into_right_body()
    ))
}

/// [`foreign::treatment`] of an actix-web response, read without allocating.
fn treatment<B>(response: &HttpResponse<B>) -> Treatment {
    let headers = response.headers();
    foreign::treatment_of(
        response.status().as_u16(),
        headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes),
        headers.contains_key(WWW_AUTHENTICATE),
        headers.get(ALLOW).map(HeaderValue::as_bytes),
    )
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

/// Reads up to [`NOTE_BODY_LIMIT`] bytes of a foreign error body for the note, and answers in
/// the crate's shape instead.
async fn rewrite<B: MessageBody + 'static>(response: HttpResponse<B>) -> HttpResponse {
    let status = http_status(&response);
    let mut headers = to_http(response.headers());
    let (mut response, body) = response.into_parts();
    let (text, cut) = match to_bytes_limited(body, NOTE_BODY_LIMIT).await {
        Ok(Ok(text)) => (text, false),
        Ok(Err(_)) | Err(_) => (bytes::Bytes::new(), true),
    };
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
