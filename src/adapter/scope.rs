//! A panic in the app caught where it happens, while the layer has the app's request in scope
//! (`context::serving`): one copy for every framework's layer.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::HttpError;

/// Runs `serve` (a call of the app, or a poll of its future) and catches a panic in it: the
/// panic comes back as the crate's generic 500, its text the hidden note. For a layer that has
/// the request in scope already (`context::serving`).
pub(crate) fn caught<R>(serve: impl FnOnce() -> R) -> Result<R, HttpError> {
    catch_unwind(AssertUnwindSafe(serve)).map_err(|payload| panicked(&*payload))
}

/// Polls the app's `future` and catches a panic in it as [`caught`] does.
pub(crate) fn poll_caught<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, HttpError>> {
    match caught(|| future.poll(cx)) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
        Err(panic) => Poll::Ready(Err(panic)),
    }
}

/// The generic 500 a layer answers a caught panic with; the panic's text is its hidden note.
fn panicked(payload: &(dyn Any + Send)) -> HttpError {
    let text = if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.as_str()
    } else {
        "a panic whose payload is not text"
    };
    HttpError::internal().with_note(format!("the handler panicked: {text}"))
}
