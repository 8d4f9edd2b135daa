//! [`ErrorLayer`]: every error response of an axum app in the crate's shape, panics included.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::Request;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::context::{AppSettings, RequestContext};
use crate::middleware::{self, Bodies, State};
use crate::{Config, ConfigError};

/// A tower [`Layer`] that gives every error response of the app the crate's shape, whoever
/// answered, and lets every error see the request it answers.
///
/// - A 4xx or 5xx that is not JSON (plain text, HTML, empty) is rendered again with the
///   crate's body and sentence for its status; its text becomes the hidden note, seen by the
///   report hook and never sent. Its other headers stay.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`]); a 405's `Allow` is written in the crate's form.
/// - A panic while the app's future runs (where axum runs every handler) becomes the crate's
///   generic 500; the panic's text goes to the report hook.
/// - Successes and JSON errors (the crate's own, or JSON the app wrote on purpose) pass
///   through untouched, at no extra allocation.
/// - Every error the crate renders while the app serves a request (a handler's, an
///   extractor's, the fallback's, the layer's own) sees that request: its id is echoed on
///   every response and written into error bodies, and, as the [`Config`] says, its path
///   becomes the problem `instance`, its `Accept` chooses the format and its
///   `Accept-Language` the language. The report hook sees its method, path and id.
///
/// [`new`](Self::new) renders with the process-wide settings ([`Config::install`]);
/// [`with_config`](Self::with_config) gives the app its own, so that two apps in one process
/// (or two test apps in one test binary) can differ.
///
/// Wrap the whole router with it, so that it sees every route, the fallback and the other
/// layers. Around the router it costs a success nothing measurable (`benches/layer.rs`);
/// added with `Router::layer` it works the same, but axum then boxes every route again, which
/// costs any layer there about a fifth of a small request. An error rendered in a task the
/// handler spawns does not see the request.
///
/// ```
/// use axum::{extract::Request, routing::get, Router, ServiceExt};
/// use denied::axum::{ErrorLayer, ErrorService};
/// use denied::{BodyFormat, Config};
/// use tower_layer::Layer;
///
/// let router: Router = Router::new().route("/me", get(|| async { "alice" }));
/// let config = Config::new().format(BodyFormat::Problem).instance_from_path(true);
/// let app: ErrorService<Router> = ErrorLayer::with_config(config)?.layer(router);
/// # async fn serve(app: ErrorService<Router>) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).await
/// # }
/// # Ok::<(), denied::ConfigError>(())
/// ```
///
/// or, as any tower layer, `Router::new()...layer(ErrorLayer::new())`. tower-http's
/// `SetRequestIdLayer` outside it gives every request an id to echo.
#[derive(Debug, Clone, Default)]
pub struct ErrorLayer {
    app: AppSettings,
}

impl ErrorLayer {
    /// The layer, with the process-wide settings ([`Config::install`]).
    ///
    /// ```
    /// let app: axum::Router = axum::Router::new().layer(denied::axum::ErrorLayer::new());
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
    /// let layer = denied::axum::ErrorLayer::with_config(Config::new().format(BodyFormat::Problem))?;
    /// let app: axum::Router = axum::Router::new().layer(layer);
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

/// The service [`ErrorLayer`] wraps around an app.
#[derive(Debug, Clone)]
pub struct ErrorService<S> {
    inner: S,
    app: AppSettings,
}

impl<S> ErrorService<S> {
    /// Wraps `inner`, usually the whole `Router`, with the process-wide settings: see
    /// [`ErrorLayer`].
    ///
    /// ```
    /// let router: axum::Router = axum::Router::new();
    /// let app = denied::axum::ErrorService::new(router);
    /// # let _ = app;
    /// ```
    pub const fn new(inner: S) -> Self {
        Self {
            inner,
            app: AppSettings::process_wide(),
        }
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
        let context = RequestContext::of_request(
            &self.app,
            request.method(),
            request.uri(),
            request.headers(),
        );
        let future = middleware::call(&context, || self.inner.call(request));
        ResponseFuture {
            context,
            state: State::new(future),
        }
    }
}

/// axum's responses carry its own `Body`, the app's and the crate's alike.
enum AxumBodies {}

impl Bodies for AxumBodies {
    type App = Body;
    type Sent = Body;

    fn passed(body: Body) -> Body {
        body
    }

    fn rendered(bytes: Bytes) -> Body {
        Body::from(bytes)
    }
}

pin_project! {
    /// The response future of [`ErrorService`].
    pub struct ResponseFuture<F> {
        context: RequestContext,
        #[pin]
        state: State<F, Body>,
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        middleware::poll::<F, E, AxumBodies>(this.context, this.state, cx)
    }
}
