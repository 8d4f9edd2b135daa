//! The tower layer for a tonic server: the request in scope, its id echoed, panics answered.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tonic::Status;
use tower_service::Service;

use crate::adapter::scope::{caught, poll_caught};
use crate::context::{self, AppSettings, RequestContext};
use crate::error::HttpError;

/// A tower [`Layer`](tower_layer::Layer) for a tonic server (`Server::builder().layer(..)`): while a call is
/// served, every error converted into a [`Status`] sees the call and the settings of the app.
///
/// "While a call is served" is the whole of a unary call, and of a streaming call until its
/// response starts: the items of a response stream are made later, as the connection sends
/// them, outside the layer. An error converted in them uses the process-wide settings and no
/// request, and a panic in them is not caught.
///
/// - The call's request id (`x-request-id`, or
///   [`Config::request_id_header`](crate::Config::request_id_header)) comes back in the response's
///   metadata, and in every refusal's metadata.
/// - `accept-language` chooses the language of the refusals' messages, as
///   [`Config::language`](crate::Config::language) says.
/// - The report hook ([`Config::report`](crate::Config::report)) sees the call's method
///   (`POST`), path (`/package.Service/Method`) and id.
/// - A panic in a handler becomes `Internal` with the generic sentence; its text goes to the
///   report hook only.
///
/// ```no_run
/// # async fn serve(routes: tonic::service::Routes) -> Result<(), Box<dyn std::error::Error>> {
/// use denied::Config;
///
/// let layer = denied::tonic::ErrorLayer::with_config(Config::new().realm("example"))?;
/// tonic::transport::Server::builder()
///     .layer(layer)
///     .add_routes(routes)
///     .serve("127.0.0.1:50051".parse()?)
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct ErrorLayer {
    app: AppSettings,
}

settings_constructors!(
    ErrorLayer,
    "layer",
    new: r#"let layer = denied::tonic::ErrorLayer::new();
# let _ = layer;"#,
    with_config: r#"use denied::Config;

let layer = denied::tonic::ErrorLayer::with_config(Config::new().realm("shop"))?;
# let _ = layer;
# Ok::<(), denied::ConfigError>(())"#,
);

tower_error_service!(
    "tonic",
    wraps: "a tonic server's routes",
    new: r#"let service = denied::tonic::ErrorService::new(7);
assert_eq!(*service.get_ref(), 7);"#,
);

impl<S, ReqBody, B> Service<Request<ReqBody>> for ErrorService<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    B: Default,
{
    type Response = Response<B>;
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
        // Interceptors run here, in the call: their refusals see the request too.
        let future = context::serving(&context, || {
            caught(|| self.inner.call(request)).map_err(Status::from)
        });
        let state = match future {
            Ok(future) => State::Serving { future },
            Err(status) => State::Answered {
                status: Some(status),
            },
        };
        ResponseFuture { context, state }
    }
}

pin_project! {
    #[project = StateProjection]
    enum State<F> {
        Serving { #[pin] future: F },
        // Answered without the service: it panicked.
        Answered { status: Option<Status> },
    }
}

pin_project! {
    /// The response future of [`ErrorService`].
    pub struct ResponseFuture<F> {
        context: RequestContext,
        #[pin]
        state: State<F>,
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let context = &*this.context;
        let mut state = this.state;
        let mut polled = context::serving(context, || match state.as_mut().project() {
            StateProjection::Serving { future } => match poll_caught(future, cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(output)) => Poll::Ready(output),
                Poll::Ready(Err(panic)) => {
                    let status = Status::from(panic);
                    state.set(State::Answered { status: None });
                    Poll::Ready(Ok(status.into_http()))
                }
            },
            StateProjection::Answered { status } => {
                // `None`: polled after it completed, which breaks the future's contract.
                let status = status
                    .take()
                    .unwrap_or_else(|| Status::from(HttpError::internal()));
                Poll::Ready(Ok(status.into_http()))
            }
        });
        if let Poll::Ready(Ok(response)) = &mut polled {
            context.echo_request_id(response.headers_mut());
        }
        polled
    }
}
