//! [`ErrorLayer`]: every error response of an axum app in the crate's shape, panics included.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::foreign::{self, Treatment};

/// A tower [`Layer`] that gives every error response of the app the crate's shape, whoever
/// answered: the router (unknown path, wrong method), an extractor, a middleware such as
/// tower-http's timeout or body limit, or a panicking handler.
///
/// - A 4xx or 5xx that is not JSON (plain text, HTML, empty) is rendered again with the
///   crate's body and sentence for its status; its text becomes the hidden note, seen by the
///   report hook and never sent. Its other headers stay.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)); a 405's `Allow` is written in the crate's form.
/// - A panic while the app's future runs (where axum runs every handler) becomes the crate's
///   generic 500; the panic's text goes to the report hook.
/// - Successes and JSON errors (the crate's own, or JSON the app wrote on purpose) pass
///   through untouched, at no extra allocation.
///
/// Wrap the whole router with it, so that it sees every route, the fallback and the other
/// layers. Around the router it costs a success nothing measurable (`benches/layer.rs`);
/// added with `Router::layer` it works the same, but axum then boxes every route again, which
/// costs any layer there about a fifth of a small request.
///
/// ```
/// use axum::{extract::Request, routing::get, Router, ServiceExt};
/// use denied::axum::ErrorService;
///
/// let router: Router = Router::new().route("/me", get(|| async { "alice" }));
/// let app = ErrorService::new(router);
/// # async fn serve(app: ErrorService<Router>) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).await
/// # }
/// ```
///
/// or, as any tower layer, `Router::new()...layer(ErrorLayer::new())`.
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

impl<S> ErrorService<S> {
    /// Wraps `inner`, usually the whole `Router`: see [`ErrorLayer`].
    pub const fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S, ReqBody> Service<Request<ReqBody>> for ErrorService<S>
where
    S: Service<Request<ReqBody>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // Panics are caught where axum runs handlers: in the future. Catching them in `call`
        // too would cost every request about 6% (`benches/layer.rs`).
        ResponseFuture {
            state: State::Inner {
                future: self.inner.call(request),
            },
        }
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
        // Answered with the generic 500 after a panic; the panicked future is dropped.
        Panicked,
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
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
                            state.set(State::Panicked);
                            return Poll::Ready(Ok(response));
                        }
                    }
                }
                StateProjection::Rewriting { future } => return future.as_mut().poll(cx).map(Ok),
                StateProjection::Panicked => {
                    // Polled after completion: the contract is broken, but not by the client.
                    return Poll::Ready(Ok(crate::HttpError::internal().into_response()));
                }
            };
            match foreign::treatment(response.status(), response.headers()) {
                Treatment::Untouched => return Poll::Ready(Ok(response)),
                Treatment::FixHeaders => {
                    let mut response = response;
                    let status = response.status();
                    foreign::fix_headers(status, response.headers_mut());
                    return Poll::Ready(Ok(response));
                }
                Treatment::Rewrite => state.set(State::Rewriting {
                    future: Box::pin(rewrite(response)),
                }),
            }
        }
    }
}

/// Reads up to [`foreign::NOTE_BODY_LIMIT`] bytes of a foreign error body for the note, and answers in
/// the crate's shape instead.
async fn rewrite(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let (text, cut) = foreign::read_note(body).await;
    let (status, body) = foreign::rewrite(parts.status, &mut parts.headers, &text, cut);
    parts.status = status;
    Response::from_parts(parts, Body::from(body))
}
