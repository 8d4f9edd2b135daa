//! The tower layer for a tonic server: the request in scope, its id echoed, panics answered.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{CONTENT_LANGUAGE, WWW_AUTHENTICATE};
use http::{HeaderMap, Request, Response};
use pin_project_lite::pin_project;
use tonic::{Code, Status};
use tower_service::Service;

use crate::adapter::scope::{caught, poll_caught};
use crate::context::{self, AppSettings, RequestContext};
use crate::error::{HttpError, Unauthorized};

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
/// - A status the crate did not make (a handler's own, an interceptor's, tonic's for a message
///   it cannot decode) is reported, its message the hidden note; `Unauthenticated` gets the
///   app's challenge where it has none; a server error's message (the class
///   [`Config::foreign_json`](crate::Config::foreign_json) says) gives way to the crate's
///   sentence, and its binary details are dropped. Its code stays. This holds where tonic
///   sends the status at once, in the response's headers; one sent in trailers after a response
///   stream began goes out as it is.
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
            context::serving(context, || {
                reshape_foreign(context, response.headers_mut());
            });
            context.echo_request_id(response.headers_mut());
        }
        polled
    }
}

/// Gives a status the crate did not make for the request of `context` the crate's treatment,
/// where tonic sends a handler's or an interceptor's `Err(status)`: in the headers of a
/// trailers-only response. The report hook sees it, its message the hidden note;
/// `Unauthenticated` gets the app's challenge where it has none; a code of the class the app's
/// [`ForeignJson`](crate::ForeignJson) rewrites (by default, a server error's: `Internal`,
/// `Unknown`, `DataLoss`, `Unavailable`, ...) gets the crate's sentence instead of its message,
/// and loses its binary details. The code stays. A status sent in trailers, after a response
/// stream began, goes out as it is.
fn reshape_foreign(context: &RequestContext, headers: &mut HeaderMap) {
    let Some(code) = headers.get(Status::GRPC_STATUS) else {
        return;
    };
    let code = Code::from_bytes(code.as_bytes());
    let Some(status) = super::status_for(code) else {
        return;
    };
    if context
        .answered_with()
        .is_some_and(|sent| super::code_for(sent) == code)
    {
        return;
    }
    let message = headers.get(Status::GRPC_MESSAGE).map(|message| {
        percent_encoding::percent_decode(message.as_bytes())
            .decode_utf8_lossy()
            .into_owned()
    });
    let note = format!("tonic answered {code:?}: {}", message.unwrap_or_default());
    let error = if code == Code::Unauthenticated {
        HttpError::from(Unauthorized::bearer().with_note(note))
    } else {
        HttpError::with_status(status).with_note(note)
    };
    let rendered = super::status_of(&error);
    let mut metadata = rendered.metadata().clone().into_headers();
    if code == Code::Unauthenticated && !headers.contains_key(WWW_AUTHENTICATE) {
        for challenge in metadata.get_all(WWW_AUTHENTICATE) {
            headers.append(WWW_AUTHENTICATE, challenge.clone());
        }
    }
    if !context.settings().foreign_json.rewrites(status.as_u16()) {
        return;
    }
    let mut sentence = HeaderMap::new();
    if Status::new(code, rendered.message())
        .add_header(&mut sentence)
        .is_err()
    {
        return;
    }
    headers.remove(Status::GRPC_STATUS_DETAILS);
    headers.remove(Status::GRPC_MESSAGE);
    if let Some(encoded) = sentence.remove(Status::GRPC_MESSAGE) {
        headers.insert(Status::GRPC_MESSAGE, encoded);
    }
    if let Some(language) = metadata.remove(CONTENT_LANGUAGE) {
        headers.insert(CONTENT_LANGUAGE, language);
    }
}
