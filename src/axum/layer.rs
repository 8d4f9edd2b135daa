//! [`ErrorLayer`]: every error response of an axum app in the crate's shape, panics included.

use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::response::{IntoResponse, Response};
use axum::BoxError;
use http::Request;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::foreign::{self, Treatment, NOTE_BODY_LIMIT};

/// A tower [`Layer`] that gives every error response of the app the crate's shape, whoever
/// answered: the router (unknown path, wrong method), an extractor, a middleware such as
/// tower-http's timeout or body limit, or a panicking handler.
///
/// - A 4xx or 5xx that is not JSON (plain text, HTML, empty) is rendered again with the
///   crate's body and sentence for its status; its text becomes the hidden note, seen by the
///   report hook and never sent. Its other headers stay.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)); a 405's `Allow` is written in the crate's form.
/// - A panic becomes the crate's generic 500; the panic's text goes to the report hook.
/// - Successes and JSON errors (the crate's own, or JSON the app wrote on purpose) pass
///   through untouched, at no extra allocation.
///
/// Add it last, so that it wraps every route, the fallback and the other layers:
///
/// ```
/// use axum::{routing::get, Router};
///
/// let app: Router = Router::new()
///     .route("/me", get(|| async { "alice" }))
///     .layer(denied::axum::ErrorLayer::new());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorLayer {
    _private: (),
}

impl ErrorLayer {
    /// The layer, with the app-wide [`Config`](crate::Config).
    #[must_use]
    pub const fn new() -> Self {
        Self { _private: () }
    }
}

impl<S> Layer<S> for ErrorLayer {
    type Service = ErrorService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ErrorService { inner }
    }
}

/// The service [`ErrorLayer`] wraps around an app.
#[derive(Debug, Clone)]
pub struct ErrorService<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ErrorService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: HttpBody<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let state = match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => State::Inner { future },
            Err(payload) => State::Panicked {
                response: Some(panic_response(&*payload)),
            },
        };
        ResponseFuture { state }
    }
}

fn panic_response(payload: &(dyn std::any::Any + Send)) -> Response {
    foreign::panicked(payload).into_response()
}

type Rewriting = Pin<Box<dyn Future<Output = Response> + Send>>;

pin_project! {
    /// The response future of [`ErrorService`].
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProjection]
    enum State<F> {
        Inner { #[pin] future: F },
        Rewriting { future: Rewriting },
        Panicked { response: Option<Response> },
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: HttpBody<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let mut state = self.as_mut().project().state;
            let response = match state.as_mut().project() {
                StateProjection::Inner { future } => {
                    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(Err(error))) => return Poll::Ready(Err(error)),
                        Ok(Poll::Ready(Ok(response))) => response,
                        Err(payload) => {
                            let response = panic_response(&*payload);
                            state.set(State::Panicked { response: None });
                            return Poll::Ready(Ok(response));
                        }
                    }
                }
                StateProjection::Rewriting { future } => return future.as_mut().poll(cx).map(Ok),
                StateProjection::Panicked { response } => {
                    // Polled after completion: the contract is broken, but not by the client.
                    let response = response.take();
                    return Poll::Ready(Ok(
                        response.unwrap_or_else(|| crate::HttpError::internal().into_response())
                    ));
                }
            };
            match foreign::treatment(response.status(), response.headers()) {
                Treatment::Untouched => return Poll::Ready(Ok(response.map(Body::new))),
                Treatment::FixHeaders => {
                    let (mut parts, body) = response.into_parts();
                    foreign::fix_headers(parts.status, &mut parts.headers);
                    return Poll::Ready(Ok(Response::from_parts(parts, Body::new(body))));
                }
                Treatment::Rewrite => state.set(State::Rewriting {
                    future: Box::pin(rewrite(response)),
                }),
            }
        }
    }
}

/// Reads up to [`NOTE_BODY_LIMIT`] bytes of a foreign error body for the note, and answers in
/// the crate's shape instead.
async fn rewrite<B>(response: Response<B>) -> Response
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (mut parts, body) = response.into_parts();
    let mut body = std::pin::pin!(body);
    let mut text = Vec::new();
    let mut cut = false;
    while let Some(Ok(frame)) = poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let room = NOTE_BODY_LIMIT - text.len();
        text.extend_from_slice(&data[..data.len().min(room)]);
        if data.len() > room {
            cut = true;
            break;
        }
    }
    let (status, body) = foreign::rewrite(parts.status, &mut parts.headers, &text, cut);
    parts.status = status;
    Response::from_parts(parts, Body::from(body))
}
