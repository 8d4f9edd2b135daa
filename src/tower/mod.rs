//! Plain hyper 1 or any tower stack, without a framework: [`ErrorLayer`] answers a service's
//! [`HttpError`]s, gives every other error response the crate's shape, catches panics and lets
//! every error see the request it answers; [`json`] and [`query`] read a request the way the
//! framework extractors do.
//!
//! ```
//! use bytes::Bytes;
//! use denied::{BearerToken, Forbidden, HttpError};
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use tower::{service_fn, Layer};
//!
//! async fn handle(request: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, HttpError> {
//!     let _token = BearerToken::from_headers(request.headers())?;
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let service = denied::tower::ErrorLayer::new().layer(service_fn(handle));
//! // `hyper_util::service::TowerToHyperService::new(service)` serves it with hyper.
//! # let _ = service;
//! ```

mod body;
mod extract;

use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

pub use body::ResponseBody;
pub use extract::{json, query};

use crate::context::{AppSettings, RequestContext};
use crate::middleware::{self, Bodies, State};
use crate::{Config, ConfigError, HttpError};

/// A tower [`Layer`] for a service that answers with [`HttpError`]: every error it returns is
/// rendered, every other error response gets the crate's shape, and every error sees the
/// request it answers.
///
/// - An `Err` of the service becomes its response: an [`HttpError`] as it is, any other error
///   (a tower layer's timeout, say) as the crate's generic 500, the error kept as its hidden
///   source for the report hook. A service that cannot fail (`Infallible`) fits too.
/// - A 4xx or 5xx the service answers that is not JSON (plain text, HTML, empty) is rendered
///   again with the crate's body and sentence for its status; its text becomes the hidden
///   note, seen by the report hook and never sent. Its other headers stay.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`]); a 405's `Allow` is written in the crate's form.
/// - A panic in the service, in its `call` or in its future, becomes the crate's generic 500.
/// - Successes and JSON errors pass through untouched.
/// - While the service runs, every error the crate renders sees the request: its id is
///   echoed on every response and written into error bodies, and, as the [`Config`] says, its
///   path becomes the problem `instance`, its `Accept` chooses the format and its
///   `Accept-Language` the language.
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

impl ErrorLayer {
    /// The layer, with the process-wide settings ([`Config::install`]).
    ///
    /// ```
    /// let layer = denied::tower::ErrorLayer::new();
    /// # let _ = layer;
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            app: AppSettings::process_wide(),
        }
    }

    /// The layer, with settings of the app's own.
    ///
    /// ```
    /// use denied::{BodyFormat, Config};
    ///
    /// let layer = denied::tower::ErrorLayer::with_config(Config::new().format(BodyFormat::Problem))?;
    /// # let _ = layer;
    /// # Ok::<(), denied::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The settings are not valid (see [`ConfigError`]).
    pub fn with_config(config: Config) -> Result<Self, ConfigError> {
        Ok(Self {
            app: AppSettings::own(config)?,
        })
    }
}

impl<S> Layer<S> for ErrorLayer {
    type Service = ErrorService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ErrorService {
            inner,
            app: self.app.clone(),
        }
    }
}

/// The service [`ErrorLayer`] wraps around a service.
#[derive(Debug, Clone)]
pub struct ErrorService<S> {
    inner: S,
    app: AppSettings,
}

impl<S> ErrorService<S> {
    /// Wraps `inner` with the process-wide settings: see [`ErrorLayer`].
    ///
    /// ```
    /// use http::{Request, Response};
    /// use tower::service_fn;
    ///
    /// let service = denied::tower::ErrorService::new(service_fn(|_request: Request<String>| async {
    ///     Ok::<_, std::convert::Infallible>(Response::new(String::from("fine")))
    /// }));
    /// # let _ = service;
    /// ```
    pub const fn new(inner: S) -> Self {
        Self {
            inner,
            app: AppSettings::process_wide(),
        }
    }

    /// The wrapped service.
    ///
    /// ```
    /// let service = denied::tower::ErrorService::new(7);
    /// assert_eq!(*service.get_ref(), 7);
    /// ```
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, unwrapped.
    ///
    /// ```
    /// let service = denied::tower::ErrorService::new(7);
    /// assert_eq!(service.into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

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
        let state = middleware::call(&context, || {
            match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
                Ok(future) => State::new(future),
                Err(payload) => State::answered(
                    crate::context::panicked(&*payload).render_with(ResponseBody::rendered),
                ),
            }
        });
        ResponseFuture { context, state }
    }
}

/// The response for an error of the service: an [`HttpError`] as it is (not boxed on the way:
/// a refusal costs no allocation more than without the layer), anything else as the crate's
/// 500 with the error as its hidden source.
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
        match middleware::poll::<F, E, TowerBodies<B>>(context, this.state, cx) {
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
