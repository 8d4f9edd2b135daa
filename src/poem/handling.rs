//! [`ErrorHandling`]: every error response of a poem app in the crate's shape, panics included,
//! each error seeing its request; [`get`] and its kin, and [`allow`]: a route's 405 with its
//! `Allow`.

use std::fmt;
use std::sync::Arc;

use ::poem::error::MethodNotAllowedError;
use ::poem::middleware::ReqId;
use ::poem::{Endpoint, IntoEndpoint, IntoResponse, Middleware, Request, Response, RouteMethod};
use http::Method;

use crate::adapter::foreign::{self, MissingAllow, Shaped};
use crate::adapter::scope::{caught, poll_caught};
use crate::context::{self, AppSettings, RequestContext};
use crate::error::HttpError;

/// Middleware that gives every error response of the app the crate's shape, whoever
/// answered, and lets every error see the request it answers.
///
/// - A 4xx or 5xx that is not JSON (poem's own plain-text errors: an unknown route, a path or
///   query that does not parse) is rendered again with the crate's body and sentence for its
///   status; its text becomes the hidden note, seen by the report hook and never sent.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)); a 405's `Allow` is written in the crate's form
///   ([`allow`] gives a route's 405 one).
/// - A panic while the app runs becomes the crate's generic 500.
/// - Successes and JSON errors pass through untouched.
/// - Every error the crate renders while the app serves a request sees that request: its id is
///   echoed on every response and written into error bodies, and, as the [`Config`](crate::Config)
///   says, its path becomes the problem `instance`, its `Accept` chooses the format and its
///   `Accept-Language` the language.
///
/// - Under poem's own `RequestId` (applied after it: `.with(ErrorHandling::new())
///   .with(RequestId::new())`), errors name the id `RequestId` gave the request, in the body
///   and the report, and `RequestId` writes it on the response, once. Applied the other way
///   round, errors name the request's own id (`x-request-id`), and `RequestId` cannot name its
///   own on them.
///
/// A route's own 405 names no method unless the route is built with [`get`] and its kin, or
/// wrapped with [`allow`].
///
/// Put it around the whole `Route`, last:
///
/// ```
/// use poem::{get, handler, EndpointExt, Route};
///
/// #[handler]
/// fn me() -> &'static str {
///     "alice"
/// }
///
/// let app = Route::new()
///     .at("/me", get(me))
///     .with(denied::poem::ErrorHandling::new());
/// # let _ = app;
/// ```
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    app: AppSettings,
}

settings_constructors!(
    ErrorHandling,
    "middleware",
    new: r#"let middleware = denied::poem::ErrorHandling::new();
# let _ = middleware;"#,
    with_config: r#"use denied::{BodyFormat, Config};

let middleware = denied::poem::ErrorHandling::with_config(Config::new().format(BodyFormat::Problem))?;
# let _ = middleware;
# Ok::<(), denied::ConfigError>(())"#,
);

impl<E: Endpoint> Middleware<E> for ErrorHandling {
    type Output = ErrorHandlingEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ErrorHandlingEndpoint {
            inner,
            app: self.app.clone(),
        }
    }
}

/// The endpoint [`ErrorHandling`] wraps around an app.
pub struct ErrorHandlingEndpoint<E> {
    inner: E,
    app: AppSettings,
}

impl<E> fmt::Debug for ErrorHandlingEndpoint<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorHandlingEndpoint")
            .field("settings", &self.app)
            .finish_non_exhaustive()
    }
}

impl<E: Endpoint> Endpoint for ErrorHandlingEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> ::poem::Result<Response> {
        let mut context = RequestContext::of_request(
            &self.app,
            request.method(),
            request.uri(),
            request.headers(),
        );
        // poem's own `RequestId` outside this middleware gave the request its id, and writes
        // it on the response on the way out: errors name that id, and it is written once.
        let given_id = request.data::<ReqId>().map(ToString::to_string);
        if let Some(id) = &given_id {
            let valid = crate::negotiate::request_id(std::iter::once(id.as_bytes()));
            let id = valid.and_then(|id| http::HeaderValue::from_bytes(id).ok());
            context = context.answered_as(id);
        }
        // The app runs with its request in scope, and a panic in it, or in turning its answer
        // into a response, is caught where it happens.
        let answering = context::serving(&context, || caught(|| self.inner.call(request)));
        let answered = match answering {
            Ok(answering) => {
                let mut answering = std::pin::pin!(async move {
                    match answering.await {
                        Ok(output) => output.into_response(),
                        Err(error) => error.into_response(),
                    }
                });
                std::future::poll_fn(|cx| {
                    context::serving(&context, || {
                        poll_caught(answering.as_mut(), cx)
                            .map(|answered| answered.unwrap_or_else(|panic| panic.into_response()))
                    })
                })
                .await
            }
            Err(panic) => context::serving(&context, || panic.into_response()),
        };
        let mut response = shape(answered, &context).await;
        match (&given_id, &context.settings().request_id_header) {
            (None, _) => context.echo_request_id(response.headers_mut()),
            (Some(_), Some(name)) => {
                response.headers_mut().remove(name);
            }
            (Some(_), None) => {}
        }
        Ok(response)
    }
}

/// The response in the crate's shape.
async fn shape(response: Response, context: &RequestContext) -> Response {
    let (mut parts, body) = response.into_parts();
    // poem's body is read for the note as the `http_body` it wraps.
    let readable = http_body_util::combinators::BoxBody::<bytes::Bytes, std::io::Error>::from;
    let shaped = foreign::shape(
        &mut parts.status,
        &mut parts.headers,
        body,
        readable,
        context,
        MissingAllow::Empty,
    )
    .await;
    match shaped {
        Shaped::Kept(body) => Response::from_parts(parts, body),
        Shaped::Rendered(bytes) => Response::from_parts(parts, bytes.into()),
    }
}

/// A route's methods, for its 405: poem answers a method no endpoint of a route takes with a
/// 405 that names no method, which RFC 9110 §15.5.6 does not allow (a 405 must carry
/// `Allow`); wrapped with `allow`, the route answers with the crate's 405 and
/// `Allow: methods`. Wrap every route.
///
/// poem answers `HEAD` with a route's `GET` endpoint on its own, but without the
/// `Content-Length` the `GET` has; register the same handler for `HEAD`
/// (`get(me).head(me)`) when `HEAD` must have `GET`'s headers, and list both here.
///
/// ```
/// use denied::http::Method;
/// use poem::{get, handler, EndpointExt, Route};
///
/// #[handler]
/// fn me() -> &'static str {
///     "alice"
/// }
///
/// let app = Route::new().at("/me", get(me).with(denied::poem::allow([Method::GET,
/// Method::HEAD])));
/// # let _ = app;
/// ```
pub fn allow(methods: impl IntoIterator<Item = Method>) -> AllowMethods {
    AllowMethods {
        methods: methods.into_iter().collect(),
    }
}

/// The middleware [`allow`] builds.
#[derive(Debug, Clone)]
pub struct AllowMethods {
    methods: Arc<[Method]>,
}

impl<E: Endpoint> Middleware<E> for AllowMethods {
    type Output = AllowMethodsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AllowMethodsEndpoint {
            inner,
            methods: Arc::clone(&self.methods),
        }
    }
}

/// The endpoint [`allow`] wraps around a route.
#[derive(Debug)]
pub struct AllowMethodsEndpoint<E> {
    inner: E,
    methods: Arc<[Method]>,
}

impl<E: Endpoint> Endpoint for AllowMethodsEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, request: Request) -> ::poem::Result<E::Output> {
        let result = self.inner.call(request).await;
        result.map_err(|error| naming(error, &self.methods))
    }
}

/// poem's 405 as the crate's, with `Allow: methods`; any other error as it is.
fn naming(error: ::poem::Error, methods: &[Method]) -> ::poem::Error {
    if error.is::<MethodNotAllowedError>() {
        HttpError::method_not_allowed(methods.iter().cloned()).into()
    } else {
        error
    }
}

/// poem's [`RouteMethod`] that knows its methods: a method the route lacks is answered with the
/// crate's 405 and an `Allow` naming the route's methods (`HEAD` with `GET`, which poem answers
/// with the `GET` endpoint), with no list to keep in step by hand. Start with [`get`],
/// [`post`], [`put`], [`patch`] or [`delete`], in place of poem's functions of those names.
///
/// ```
/// use poem::{handler, Route};
///
/// #[handler]
/// fn me() -> &'static str {
///     "alice"
/// }
///
/// #[handler]
/// fn rename() -> &'static str {
///     "renamed"
/// }
///
/// // `DELETE /me` answers 405 with `Allow: GET,HEAD,PATCH`.
/// let app = Route::new().at("/me", denied::poem::get(me).patch(rename));
/// # let _ = app;
/// ```
pub struct RouteMethods {
    route: RouteMethod,
    methods: Vec<Method>,
}

impl fmt::Debug for RouteMethods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteMethods")
            .field("methods", &self.methods)
            .finish_non_exhaustive()
    }
}

macro_rules! route_methods {
    ($($name:ident $method:ident),*) => {
        impl RouteMethods {
            $(
                #[doc = concat!("Sets the endpoint for `", stringify!($method), "`.")]
                #[must_use]
                pub fn $name<E>(self, endpoint: E) -> Self
                where
                    E: IntoEndpoint,
                    E::Endpoint: 'static,
                {
                    self.with(Method::$method, endpoint)
                }
            )*
        }

        $(
            #[doc = concat!(
                "A [`RouteMethods`] with the endpoint for `", stringify!($method),
                "`: poem's `", stringify!($name), "`, with the crate's 405."
            )]
            #[must_use]
            pub fn $name<E>(endpoint: E) -> RouteMethods
            where
                E: IntoEndpoint,
                E::Endpoint: 'static,
            {
                RouteMethods {
                    route: RouteMethod::new(),
                    methods: Vec::new(),
                }
                .$name(endpoint)
            }
        )*
    };
}

route_methods!(get GET, post POST, put PUT, patch PATCH, delete DELETE);

impl RouteMethods {
    /// Sets the endpoint for `HEAD`, where it must answer other than `GET`'s does.
    #[must_use]
    pub fn head<E>(self, endpoint: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        self.with(Method::HEAD, endpoint)
    }

    /// Sets the endpoint for `OPTIONS`.
    #[must_use]
    pub fn options<E>(self, endpoint: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        self.with(Method::OPTIONS, endpoint)
    }

    fn with<E>(mut self, method: Method, endpoint: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        self.route = self.route.method(method.clone(), endpoint);
        let named = if method == Method::GET {
            vec![Method::GET, Method::HEAD]
        } else {
            vec![method]
        };
        for method in named {
            if !self.methods.contains(&method) {
                self.methods.push(method);
            }
        }
        // In one order whatever the order of the calls, as the other frameworks name them.
        self.methods.sort_by_key(|method| {
            crate::adapter::METHOD_ORDER
                .iter()
                .position(|known| known == method)
                .unwrap_or(crate::adapter::METHOD_ORDER.len())
        });
        self
    }
}

impl Endpoint for RouteMethods {
    type Output = Response;

    async fn call(&self, request: Request) -> ::poem::Result<Response> {
        let result = self.route.call(request).await;
        result.map_err(|error| naming(error, &self.methods))
    }
}
