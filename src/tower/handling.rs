//! [`ErrorLayer`]: every error response of a tower service in the crate's shape, panics
//! included, each error rendered for the request it answers.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_service::Service;

use super::ResponseBody;
use crate::adapter::foreign::MissingAllow;
use crate::adapter::scope::caught;
use crate::adapter::tower::{self as middleware, Bodies, State};
use crate::context::{AppSettings, RequestContext};
use crate::error::HttpError;

/// A tower [`Layer`](tower_layer::Layer) for a service that answers with [`HttpError`](crate::HttpError): every error
/// it returns is rendered, every other error response gets the crate's shape, and every error sees
/// the request it answers.
///
/// - An `Err` of the service becomes its response: an [`HttpError`](crate::HttpError) as it is, any
///   other error (a tower layer's timeout, say) as the crate's generic 500, the error kept as its
///   hidden source for the report hook. A service that cannot fail (`Infallible`) fits too.
/// - A 4xx or 5xx the service answers that is not JSON (plain text, HTML, empty) is rendered
///   again with the crate's body and sentence for its status; its text becomes the hidden
///   note, seen by the report hook and never sent. Its other headers stay.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)); a 405's `Allow` is written in the crate's form.
/// - A panic in the service, in its `call` or in its future, becomes the crate's generic 500.
/// - Successes and JSON errors pass through untouched.
/// - While the service runs, every error the crate renders sees the request: its id is echoed on
///   every response and written into error bodies, and, as the [`Config`](crate::Config) says, its
///   path becomes the problem `instance`, its `Accept` chooses the format and its `Accept-Language`
///   the language.
///
/// Its responses carry a [`ResponseBody`]: the service's own body, or the crate's bytes.
///
/// ```
/// use denied::{Config, HttpError};
/// use http::{Request, Response};
/// use tower::{service_fn, Layer};
///
/// let layer = denied::tower::ErrorLayer::with_config(Config::new().realm("shop"))?;
/// let service = layer.layer(service_fn(|_request: Request<String>| async {
///     Err::<Response<String>, _>(HttpError::not_found())
/// }));
/// # let _ = service;
/// # Ok::<(), denied::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ErrorLayer {
    app: AppSettings,
}

settings_constructors!(
    ErrorLayer,
    "layer",
    new: r#"let layer = denied::tower::ErrorLayer::new();
# let _ = layer;"#,
    with_config: r#"use denied::{BodyFormat, Config};

let layer = denied::tower::ErrorLayer::with_config(Config::new().format(BodyFormat::Problem))?;
# let _ = layer;
# Ok::<(), denied::ConfigError>(())"#,
);

tower_error_service!(
    "tower",
    wraps: "a service",
    new: r#"use http::{Request, Response};
use tower::service_fn;

let service = denied::tower::ErrorService::new(service_fn(|_request: Request<String>| async
{ Ok::<_, std::convert::Infallible>(Response::new(String::from("fine"))) }));
# let _ = service;"#,
);

/// An error of any kind, as tower's layers (a timeout, a load shedder) return them.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<S, ReqBody, B> Service<Request<ReqBody>> for ErrorService<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    S::Error: Into<BoxError> + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
{
    type Response = Response<ResponseBody<B>>;
    /// Only [`poll_ready`](Service::poll_ready) fails, as the service's does: a service that
    /// cannot take requests refuses none of them. An error of a call becomes its response.
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let context = RequestContext::of_request(
            &self.app,
            request.method(),
            request.uri(),
            request.headers(),
        );
        // A `service_fn` runs its closure here, synchronously: a panic in it is caught too.
        let state = middleware::call(&context, || match caught(|| self.inner.call(request)) {
            Ok(future) => State::new(future),
            Err(panic) => State::answered(panic.render_with(ResponseBody::rendered)),
        });
        ResponseFuture { context, state }
    }
}

/// The response for an error of the service: an [`HttpError`](crate::HttpError) as it is (not boxed
/// on the way: a refusal costs no allocation more than without the layer), anything else as the
/// crate's 500 with the error as its hidden source.
fn refusal<E: Into<BoxError> + 'static>(error: E) -> HttpError {
    let mut slot = Some(error);
    let as_is = (&mut slot as &mut dyn std::any::Any)
        .downcast_mut::<Option<HttpError>>()
        .and_then(Option::take);
    if let Some(refusal) = as_is {
        return refusal;
    }
    let Some(error) = slot else {
        return HttpError::internal();
    };
    match error.into().downcast::<HttpError>() {
        Ok(refusal) => *refusal,
        Err(other) => HttpError::internal().with_source(other),
    }
}

/// A tower service's responses: its own body, or the crate's bytes.
struct TowerBodies<B>(std::marker::PhantomData<fn() -> B>);

impl<B> Bodies for TowerBodies<B>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
{
    type App = B;
    type Sent = ResponseBody<B>;

    fn passed(body: B) -> ResponseBody<B> {
        ResponseBody::app(body)
    }

    fn rendered(bytes: Bytes) -> ResponseBody<B> {
        ResponseBody::rendered(bytes)
    }
}

pin_project! {
    /// The response future of [`ErrorService`].
    pub struct ResponseFuture<F, B> {
        context: RequestContext,
        #[pin]
        state: State<F, ResponseBody<B>>,
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    E: Into<BoxError> + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let context = &*this.context;
        let missing_allow = MissingAllow::Empty;
        match middleware::poll::<F, E, TowerBodies<B>>(context, this.state, cx, missing_allow) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(response)) => Poll::Ready(Ok(response)),
            // The service's refusal, rendered for its request.
            Poll::Ready(Err(error)) => {
                let mut response = crate::context::serving(context, || {
                    refusal(error).render_with(ResponseBody::rendered)
                });
                context.echo_request_id(response.headers_mut());
                Poll::Ready(Ok(response))
            }
        }
    }
}
