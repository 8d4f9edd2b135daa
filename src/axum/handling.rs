//! [`ErrorLayer`]: every error response of an axum app in the crate's shape, panics included.

use std::any::TypeId;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::Request;
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::adapter::foreign::MissingAllow;
use crate::adapter::tower::{self as middleware, Bodies, State};
use crate::context::{AppSettings, RequestContext};

/// A tower [`Layer`](tower_layer::Layer) that gives every error response of the app the crate's shape, whoever
/// answered, and lets every error see the request it answers.
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
/// - Every error the crate renders while the app serves a request (a handler's, an extractor's, the
///   fallback's, the layer's own) sees that request: its id is echoed on every response and written
///   into error bodies, and, as the [`Config`](crate::Config) says, its path becomes the problem
///   `instance`, its `Accept` chooses the format and its `Accept-Language` the language. The report
///   hook sees its method, path and id.
///
/// [`new`](Self::new) renders with the process-wide settings
/// ([`Config::install`](crate::Config::install)); [`with_config`](Self::with_config) gives the app
/// its own, so that two apps in one process (or two test apps in one test binary) can differ.
///
/// Wrap the whole router with it, so that it sees every route, the fallback and the other
/// layers. Around the router it costs a success nothing measurable (`benches/layer.rs`);
/// added with `Router::layer` it works the same, but axum then boxes every route again, which
/// costs any layer there about a fifth of a small request. An error rendered in a task the
/// handler spawns does not see the request.
///
/// ```
/// use axum::{routing::get, Router};
/// use denied::axum::{ErrorLayer, ErrorService};
/// use denied::{BodyFormat, Config};
/// use tower_layer::Layer; // the `tower-layer` crate, or `tower::Layer`
///
/// let router: Router = Router::new().route("/me", get(|| async { "alice" }));
/// let config = Config::new().format(BodyFormat::Problem).instance_from_path(true);
/// let app: ErrorService<Router> = ErrorLayer::with_config(config)?.layer(router);
/// # async fn serve(app: ErrorService<Router>) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// axum::serve(listener, app.into_make_service()).await
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

settings_constructors!(
    ErrorLayer,
    "layer",
    new: r#"let app: axum::Router = axum::Router::new().layer(denied::axum::ErrorLayer::new());"#,
    with_config: r#"use denied::{BodyFormat, Config};

let layer = denied::axum::ErrorLayer::with_config(Config::new().format(BodyFormat::Problem))?;
let app: axum::Router = axum::Router::new().layer(layer);
# Ok::<(), denied::ConfigError>(())"#,
);

tower_error_service!(
    "axum",
    wraps: "an app",
    new: r#"let router: axum::Router = axum::Router::new();
let app = denied::axum::ErrorService::new(router);
# let _ = app;"#,
);

impl<S> ErrorService<S>
where
    S: Service<Request<Body>, Response = Response> + 'static,
{
    /// The app as `axum::serve` takes it, as `Router::into_make_service` gives a router.
    ///
    /// ```no_run
    /// use axum::{routing::get, Router};
    /// use denied::axum::ErrorService;
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let router: Router = Router::new().route("/me", get(|| async { "alice" }));
    /// let app = ErrorService::new(router).into_make_service();
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    /// axum::serve(listener, app).await
    /// # }
    /// ```
    pub fn into_make_service(self) -> axum::routing::IntoMakeService<Self> {
        axum::ServiceExt::<Request<Body>>::into_make_service(self)
    }
}

impl<S, ReqBody> Service<Request<ReqBody>> for ErrorService<S>
where
    S: Service<Request<ReqBody>, Response = Response> + 'static,
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
        // Around the whole router, axum has named a path's methods on its own 405 already.
        // Under `Router::layer` it does so after this layer, only where no `Allow` is set.
        let missing_allow = if TypeId::of::<S>() == TypeId::of::<axum::Router>() {
            MissingAllow::Empty
        } else {
            MissingAllow::Router
        };
        ResponseFuture {
            context,
            state: State::new(future),
            missing_allow,
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
        missing_allow: MissingAllow,
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
        middleware::poll::<F, E, AxumBodies>(this.context, this.state, cx, *this.missing_allow)
    }
}
