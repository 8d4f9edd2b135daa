//! [`error_handling`]: every error response of a warp app in the crate's shape; [`catching`]:
//! a handler's panic as the crate's 500.

use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ::warp::filters::path::FullPath;
use ::warp::reject::Rejection;
use ::warp::reply::{Reply, Response};
use ::warp::Filter;
use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderValue, Method};

use crate::adapter::foreign::{self, MissingAllow, Shaped};
use crate::adapter::scope::poll_caught;
use crate::config::{Config, ConfigError};
use crate::context::{self, AppSettings, HeaderLines, RequestContext};
use crate::error::HttpError;

/// Wraps a whole app so that every error it sends has the crate's shape, and every error sees
/// the request it answers:
///
/// - every rejection is answered by [`recover`](super::recover);
/// - a reply with a 4xx or 5xx status that is not JSON (plain text, HTML, empty) is rendered
///   again with the crate's body and sentence for its status; its text becomes the hidden
///   note, seen by the report hook and never sent. Its other headers stay;
/// - a 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`]); a 405's `Allow` is written in the crate's form;
/// - successes and JSON errors pass through untouched;
/// - every error the crate renders for a request (a reply's, a rejection's, the wrapper's own)
///   sees that request: its id is echoed on every response and written into error bodies,
///   and, as the [`Config`] says, its path becomes the problem `instance`, its `Accept`
///   chooses the format and its `Accept-Language` the language. The report hook sees its
///   method, path and id.
///
/// It renders with the process-wide settings ([`Config::install`]);
/// [`error_handling_with_config`] gives the app its own. warp offers no borrowed view of a request to
/// a filter, so the wrapper reads the request's headers through a copy of them.
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
    handling(app, AppSettings::process_wide())
}

/// [`error_handling`] with settings of the app's own, so that two apps in one process (or two
/// test apps in one test binary) can differ.
///
/// ```
/// use warp::Filter;
/// use denied::{BodyFormat, Config};
///
/// let hello = warp::path("hello").map(|| "hi");
/// let config = Config::new().format(BodyFormat::Problem).negotiate(true);
/// let app = denied::warp::error_handling_with_config(config, hello)?;
/// # Ok::<(), denied::ConfigError>(())
/// ```
///
/// # Errors
///
/// The settings are not valid (see [`ConfigError`]).
pub fn error_handling_with_config<F, R>(
    config: Config,
    app: F,
) -> Result<
    impl Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static,
    ConfigError,
>
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply + 'static,
{
    Ok(handling(app, AppSettings::own(config)?))
}

/// An error rendered as a reply before the request was in scope, kept on its response
/// (extensions must be `Clone`, hence the `Arc`).
#[derive(Clone)]
pub(super) struct RenderAgain(Arc<Unreported>);

/// The error, reported once: when it is rendered again for its request, or else when the last
/// response holding it is dropped.
struct Unreported {
    error: HttpError,
    reported: AtomicBool,
}

impl RenderAgain {
    pub(super) fn new(error: HttpError) -> Self {
        Self(Arc::new(Unreported {
            error,
            reported: AtomicBool::new(false),
        }))
    }

    /// The response for the request in scope, keeping the headers a route added to the early
    /// one (`warp::reply::with::header`).
    fn render_again(&self, early: Response) -> Response {
        let (mut parts, _) = early.into_parts();
        self.0.reported.store(true, Ordering::Relaxed);
        let rendered = self.0.error.render_with(std::convert::identity);
        let (status, body) = foreign::adopt(&mut parts.headers, rendered, false);
        parts.status = status;
        Response::from_parts(parts, body.into())
    }
}

impl Drop for Unreported {
    fn drop(&mut self) {
        if !*self.reported.get_mut() {
            crate::render::report(&self.error, crate::config::settings(), None);
        }
    }
}

fn handling<F, R>(
    app: F,
    settings: AppSettings,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply + 'static,
{
    let request = ::warp::method()
        .and(::warp::path::full())
        .and(::warp::header::headers_cloned())
        .map(move |method: Method, path: FullPath, headers: HeaderMap| {
            RequestContext::new(
                &settings,
                || method,
                || {
                    PathAndQuery::from_maybe_shared(Bytes::copy_from_slice(
                        path.as_str().as_bytes(),
                    ))
                    .ok()
                },
                |name| headers.get_all(name).iter().map(HeaderValue::as_bytes),
                |name| HeaderLines::of(&headers, name),
                |name, _| headers.get(name).cloned(),
            )
        });
    let answered = app
        .map(Ok::<R, Rejection>)
        .or_else(|rejection| async { Ok::<_, Infallible>((Err(rejection),)) });
    request.and(answered).then(
        |request: RequestContext, answered: Result<R, Rejection>| async move {
            let response = context::serving(&request, || match answered {
                Ok(reply) => {
                    let mut response = reply.into_response();
                    match response.extensions_mut().remove::<RenderAgain>() {
                        Some(early) => early.render_again(response),
                        None => response,
                    }
                }
                Err(rejection) => super::rejection_response(&rejection),
            });
            let mut response = shape(response, &request).await;
            request.echo_request_id(response.headers_mut());
            response
        },
    )
}

/// The response in the crate's shape.
async fn shape(response: Response, request: &RequestContext) -> Response {
    let (mut parts, body) = response.into_parts();
    let shaped = foreign::shape(
        &mut parts.status,
        &mut parts.headers,
        body,
        |body| body,
        request,
        MissingAllow::Empty,
    )
    .await;
    match shaped {
        Shaped::Kept(body) => Response::from_parts(parts, body),
        Shaped::Rendered(bytes) => Response::from_parts(parts, bytes.into()),
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
    poll_fn(|cx| {
        poll_caught(handler.as_mut(), cx)
            .map(|polled| polled.unwrap_or_else(|panic| Err(::warp::reject::custom(panic))))
    })
    .await
}
