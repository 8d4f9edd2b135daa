//! The tower middleware the axum and tower adapters share: a response future that gives every
//! error response the crate's shape, answers a panic with the crate's 500, and polls the app
//! with its request in scope. Each adapter says only how its responses carry bodies.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::Response;
use pin_project_lite::pin_project;

use super::foreign::{self, MissingAllow, Treatment};
use super::scope::poll_caught;
use crate::context::{self, RequestContext};
use crate::error::HttpError;

/// How an adapter's responses carry bodies: the app's own, passed through, and the crate's.
pub(crate) trait Bodies: 'static {
    /// The body of the app's responses.
    type App: http_body::Body + Send + 'static;
    /// The body of the responses the middleware sends.
    type Sent: Send + 'static;

    fn passed(body: Self::App) -> Self::Sent;
    fn rendered(bytes: Bytes) -> Self::Sent;
}

type Rewriting<T> = Pin<Box<dyn Future<Output = Response<T>> + Send>>;

pin_project! {
    /// Where a response future of the middleware is.
    #[project = StateProjection]
    pub(crate) enum State<F, T> {
        Inner { #[pin] future: F },
        // Answered before the app's future existed (a panic in the service's `call`).
        #[cfg_attr(not(feature = "tower"), allow(dead_code))]
        Answered { response: Option<Response<T>> },
        Rewriting { future: Rewriting<T> },
        // Answered with the generic 500 after a panic; the panicked future is dropped.
        Panicked,
    }
}

impl<F, T> State<F, T> {
    pub(crate) fn new(future: F) -> Self {
        Self::Inner { future }
    }

    /// A response already decided.
    #[cfg(feature = "tower")]
    pub(crate) fn answered(response: Response<T>) -> Self {
        Self::Answered {
            response: Some(response),
        }
    }
}

/// Calls the app with its request in scope. axum runs handlers in the future, where panics
/// are caught; catching them in axum's `call` too would cost every request about 6%
/// (`benches/layer.rs`). A tower `service_fn` runs its closure in `call`: the tower adapter
/// catches there as well.
pub(crate) fn call<R>(context: &RequestContext, call: impl FnOnce() -> R) -> R {
    context::serving(context, call)
}

/// Polls the app with its request in scope, then gives its response the crate's shape and the
/// request's id; `missing_allow` says who names the methods of a 405 that names none.
pub(crate) fn poll<F, E, K>(
    context: &RequestContext,
    state: Pin<&mut State<F, K::Sent>>,
    cx: &mut Context<'_>,
    missing_allow: MissingAllow,
) -> Poll<Result<Response<K::Sent>, E>>
where
    F: Future<Output = Result<Response<K::App>, E>>,
    K: Bodies,
    <K::App as http_body::Body>::Data: Send,
{
    let mut polled = context::serving(context, || {
        poll_state::<F, E, K>(context, state, cx, missing_allow)
    });
    if let Poll::Ready(Ok(response)) = &mut polled {
        context.echo_request_id(response.headers_mut());
    }
    polled
}

/// [`poll`] with `context` in scope already.
#[inline]
fn poll_state<F, E, K>(
    context: &RequestContext,
    mut state: Pin<&mut State<F, K::Sent>>,
    cx: &mut Context<'_>,
    missing_allow: MissingAllow,
) -> Poll<Result<Response<K::Sent>, E>>
where
    F: Future<Output = Result<Response<K::App>, E>>,
    K: Bodies,
    <K::App as http_body::Body>::Data: Send,
{
    loop {
        let response = match state.as_mut().project() {
            StateProjection::Inner { future } => match poll_caught(future, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(Err(error))) => return Poll::Ready(Err(error)),
                Poll::Ready(Ok(Ok(response))) => response,
                Poll::Ready(Err(panic)) => {
                    let response = panic.render_with(K::rendered);
                    state.set(State::Panicked);
                    return Poll::Ready(Ok(response));
                }
            },
            StateProjection::Rewriting { future } => return future.as_mut().poll(cx).map(Ok),
            StateProjection::Answered { response } => {
                let response = response
                    .take()
                    .unwrap_or_else(|| HttpError::internal().render_with(K::rendered));
                return Poll::Ready(Ok(response));
            }
            StateProjection::Panicked => {
                // Polled after completion: the contract is broken, but not by the client.
                return Poll::Ready(Ok(HttpError::internal().render_with(K::rendered)));
            }
        };
        let treatment = foreign::treatment(response.status(), response.headers(), Some(context));
        match treatment {
            Treatment::Untouched => return Poll::Ready(Ok(response.map(K::passed))),
            Treatment::FixHeaders => {
                let mut response = response;
                let status = response.status();
                foreign::fix_headers(status, response.headers_mut(), missing_allow);
                return Poll::Ready(Ok(response.map(K::passed)));
            }
            Treatment::Rewrite => state.set(State::Rewriting {
                future: Box::pin(rewrite::<K>(response, missing_allow)),
            }),
        }
    }
}

/// Reads up to [`foreign::NOTE_BODY_LIMIT`] bytes of a foreign error body for the note, and
/// answers in the crate's shape instead.
async fn rewrite<K: Bodies>(
    response: Response<K::App>,
    missing_allow: MissingAllow,
) -> Response<K::Sent>
where
    <K::App as http_body::Body>::Data: Send,
{
    let (mut parts, body) = response.into_parts();
    let (text, cut) = foreign::read_note(body).await;
    let (status, body) =
        foreign::rewrite(parts.status, &mut parts.headers, &text, cut, missing_allow);
    parts.status = status;
    Response::from_parts(parts, K::rendered(body))
}
