//! [`error_handling`]: every error response of a warp app in the crate's shape; [`catching`]:
//! a handler's panic as the crate's 500.

use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;

use ::warp::reject::Rejection;
use ::warp::reply::{Reply, Response};
use ::warp::Filter;

use crate::foreign::{self, Treatment};

/// Wraps a whole app so that every error it sends has the crate's shape:
///
/// - every rejection is answered by [`recover`](super::recover);
/// - a reply with a 4xx or 5xx status that is not JSON (plain text, HTML, empty) is rendered
///   again with the crate's body and sentence for its status; its text becomes the hidden
///   note, seen by the report hook and never sent. Its other headers stay;
/// - a 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)); a 405's `Allow` is written in the crate's form;
/// - successes and JSON errors pass through untouched.
///
/// warp's `Filter` trait is sealed, so no wrapper can catch a panic inside an app's filters:
/// wrap a handler's future in [`catching`] for that.
///
/// ```
/// use warp::Filter;
///
/// let hello = warp::path("hello").map(|| "hi");
/// let app = denied::warp::error_handling(hello);
/// ```
pub fn error_handling<F, R>(
    app: F,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply + 'static,
{
    app.map(Reply::into_response)
        .recover(super::recover)
        .unify()
        .then(shape)
}

/// The response in the crate's shape.
async fn shape(response: Response) -> Response {
    match foreign::treatment(response.status(), response.headers()) {
        Treatment::Untouched => response,
        Treatment::FixHeaders => {
            let (mut parts, body) = response.into_parts();
            foreign::fix_headers(parts.status, &mut parts.headers);
            Response::from_parts(parts, body)
        }
        Treatment::Rewrite => {
            let (mut parts, body) = response.into_parts();
            let (text, cut) = foreign::read_note(body).await;
            let (status, body) = foreign::rewrite(parts.status, &mut parts.headers, &text, cut);
            parts.status = status;
            Response::from_parts(parts, body.into())
        }
    }
}

/// Runs a handler's future, turning a panic in it into a rejection with the crate's generic
/// 500; the panic's text is its hidden note, for the report hook, and never sent.
///
/// ```
/// use warp::Filter;
///
/// let report = warp::path("report").and_then(|| {
///     denied::warp::catching(async {
///         let rows: Vec<u32> = Vec::new();
///         Ok::<_, warp::Rejection>(format!("first row: {}", rows[0]))
///     })
/// });
/// let app = denied::warp::error_handling(report);
/// ```
pub async fn catching<F, T>(handler: F) -> Result<T, Rejection>
where
    F: Future<Output = Result<T, Rejection>>,
{
    let mut handler = pin!(handler);
    poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| handler.as_mut().poll(cx))) {
            Ok(polled) => polled,
            Err(payload) => {
                std::task::Poll::Ready(Err(::warp::reject::custom(foreign::panicked(&*payload))))
            }
        },
    )
    .await
}
