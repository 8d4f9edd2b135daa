//! Filters whose rejections are the crate's errors.

use ::warp::filters::BoxedFilter;
use ::warp::http::header::{AUTHORIZATION, CONTENT_TYPE};
use ::warp::http::HeaderMap;
use ::warp::reject::Rejection;
use ::warp::{Buf, Filter, Stream};
use http::Method;
use serde::de::DeserializeOwned;

use crate::adapter::json_body;
use crate::credentials::{BasicCredentials, BearerToken};
use crate::error::HttpError;

/// How a credential filter read `Authorization`.
#[derive(Debug, Clone, Copy)]
enum Reading {
    Bearer,
    OptionalBearer,
    Basic,
}

/// The rejection of [`bearer_token`], [`optional_bearer_token`] and [`basic_credentials`]:
/// warp runs filters before [`error_handling`](super::error_handling) puts the request in
/// scope, so the refusal is built when it is answered, in the realm of the app that serves the
/// request. [`recover`](super::recover) and `error_handling` answer it; a `recover` of the
/// app's own finds it with `rejection.find::<RefusedCredentials>()` and answers
/// [`error`](Self::error). Its `Debug` shows no credentials.
///
/// ```
/// use warp::Filter;
///
/// # async fn check() {
/// let me = warp::path("me").and(denied::warp::bearer_token()).map(|_| "alice");
/// let rejection = warp::test::request().path("/me").filter(&me).await.err().unwrap();
/// let refused = rejection.find::<denied::warp::RefusedCredentials>().unwrap();
/// assert_eq!(refused.error().status(), 401);
/// # }
/// ```
pub struct RefusedCredentials {
    reading: Reading,
    authorization: Vec<Vec<u8>>,
}

impl std::fmt::Debug for RefusedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefusedCredentials")
            .field("reading", &self.reading)
            .field("authorization_headers", &self.authorization.len())
            .finish()
    }
}

impl ::warp::reject::Reject for RefusedCredentials {}

impl RefusedCredentials {
    fn reject(reading: Reading, headers: &HeaderMap) -> Rejection {
        let authorization = headers
            .get_all(AUTHORIZATION)
            .iter()
            .map(|value| value.as_bytes().to_vec())
            .collect();
        ::warp::reject::custom(Self {
            reading,
            authorization,
        })
    }

    /// The refusal: a 401 with the app's challenge, or a 400 for a malformed
    /// `Authorization`, in the realm of the settings in force where it is called.
    #[must_use]
    pub fn error(&self) -> HttpError {
        let values = || self.authorization.iter().map(Vec::as_slice);
        let refusal = match self.reading {
            Reading::Bearer => BearerToken::from_values(values()).err(),
            Reading::OptionalBearer => BearerToken::optional_from_values(values()).err(),
            Reading::Basic => BasicCredentials::from_values(values()).err(),
        };
        // The same headers are refused the same way: reading them again cannot pass.
        refusal.unwrap_or_else(HttpError::internal)
    }
}

/// Extracts the request's [`BearerToken`], or rejects with the crate's 401 (no credentials,
/// another scheme) or 400 `invalid_request` (a malformed header, two of them).
///
/// ```
/// use warp::Filter;
///
/// let me = warp::path("me")
///     .and(denied::warp::bearer_token())
///     .map(|token: denied::BearerToken| format!("{} characters", token.token().len()));
/// ```
pub fn bearer_token() -> impl Filter<Extract = (BearerToken,), Error = Rejection> + Clone {
    ::warp::header::headers_cloned().and_then(|headers: HeaderMap| async move {
        let values = headers.get_all(AUTHORIZATION);
        BearerToken::from_values(values.iter().map(|value| value.as_bytes()))
            .map_err(|_| RefusedCredentials::reject(Reading::Bearer, &headers))
    })
}

/// Extracts the request's [`BearerToken`] if it has one: `None` without `Authorization` or
/// with another scheme; rejects a malformed header with the crate's 400 `invalid_request`.
///
/// ```
/// use warp::Filter;
///
/// let greeting = warp::path("hello")
///     .and(denied::warp::optional_bearer_token())
///     .map(|token: Option<denied::BearerToken>| match token {
///         Some(_) => "hello again",
///         None => "hello, stranger",
///     });
/// ```
pub fn optional_bearer_token(
) -> impl Filter<Extract = (Option<BearerToken>,), Error = Rejection> + Clone {
    ::warp::header::headers_cloned().and_then(|headers: HeaderMap| async move {
        let values = headers.get_all(AUTHORIZATION);
        BearerToken::optional_from_values(values.iter().map(|value| value.as_bytes()))
            .map_err(|_| RefusedCredentials::reject(Reading::OptionalBearer, &headers))
    })
}

/// Extracts the request's [`BasicCredentials`], or rejects with the crate's 401 or 400.
///
/// ```
/// use warp::Filter;
///
/// let login = warp::path("login")
///     .and(denied::warp::basic_credentials())
///     .map(|credentials: denied::BasicCredentials| credentials.user_id().to_owned());
/// ```
pub fn basic_credentials() -> impl Filter<Extract = (BasicCredentials,), Error = Rejection> + Clone
{
    ::warp::header::headers_cloned().and_then(|headers: HeaderMap| async move {
        let values = headers.get_all(AUTHORIZATION);
        BasicCredentials::from_values(values.iter().map(|value| value.as_bytes()))
            .map_err(|_| RefusedCredentials::reject(Reading::Basic, &headers))
    })
}

/// Passes a request whose method is one of `methods`, and rejects any other with the crate's
/// 405 and `Allow: methods`. Put it right after a path's filter, once per path with all of the
/// path's methods, so that warp, which cannot tell the methods of a path, answers a wrong one
/// as RFC 9110 §15.5.6 requires. Another route's refusal of the same request wins over it.
///
/// ```
/// use warp::Filter;
/// use denied::http::Method;
///
/// let me = warp::path("me")
///     .and(denied::warp::allow([Method::GET, Method::HEAD]))
///     .map(|| "alice");
/// ```
pub fn allow(
    methods: impl IntoIterator<Item = Method>,
) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    let methods: std::sync::Arc<[Method]> = methods.into_iter().collect();
    ::warp::method()
        .and_then(move |method: ::warp::http::Method| {
            let methods = std::sync::Arc::clone(&methods);
            async move {
                if methods
                    .iter()
                    .any(|allowed| allowed.as_str() == method.as_str())
                {
                    Ok(())
                } else {
                    let refusal = HttpError::method_not_allowed(methods.iter().cloned());
                    Err(::warp::reject::custom(WrongMethod(refusal)))
                }
            }
        })
        .untuple_one()
}

/// The 405 of [`allow`], a rejection of its own so that [`recover`](super::recover) can rank
/// it below the crate's other refusals.
#[derive(Debug)]
pub(super) struct WrongMethod(pub(super) HttpError);

impl ::warp::reject::Reject for WrongMethod {}

/// Extracts a JSON body of at most `limit` bytes, rejecting with the crate's errors in the
/// order a client can fix them: 415 without `Content-Type: application/json` (or `+json`), 413
/// over the limit, 400 for a syntax error, 422 for JSON of the wrong shape.
///
/// ```
/// use warp::Filter;
///
/// #[derive(serde::Deserialize)]
/// struct Order { item: String }
///
/// let orders = warp::path("orders")
///     .and(warp::post())
///     .and(denied::warp::json::<Order>(4096))
///     .map(|order: Order| order.item);
/// ```
pub fn json<T>(limit: usize) -> BoxedFilter<(T,)>
where
    T: DeserializeOwned + Send + 'static,
{
    ::warp::header::headers_cloned()
        .and_then(|headers: HeaderMap| async move {
            let content_type = headers.get(CONTENT_TYPE);
            if content_type.is_some_and(|value| json_body::is_json_content_type(value.as_bytes())) {
                Ok(())
            } else {
                Err(::warp::reject::custom(json_body::not_json()))
            }
        })
        .untuple_one()
        .and(::warp::body::stream())
        .and_then(move |body| read_json(body, limit))
        .boxed()
}

async fn read_json<T, S, B>(body: S, limit: usize) -> Result<T, Rejection>
where
    T: DeserializeOwned,
    S: Stream<Item = Result<B, ::warp::Error>>,
    B: Buf,
{
    use futures_util_lite::next;

    let mut body = std::pin::pin!(body);
    let mut bytes = Vec::new();
    while let Some(chunk) = next(body.as_mut()).await {
        let mut chunk = chunk.map_err(|error| {
            ::warp::reject::custom(HttpError::bad_request().with_note(error.to_string()))
        })?;
        if bytes.len() + chunk.remaining() > limit {
            return Err(::warp::reject::custom(json_body::too_large(limit)));
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            bytes.extend_from_slice(part);
            let read = part.len();
            chunk.advance(read);
        }
    }
    json_body::parse(&bytes).map_err(::warp::reject::custom)
}

/// `StreamExt::next` without a dependency on `futures-util`.
mod futures_util_lite {
    use std::future::poll_fn;
    use std::pin::Pin;

    use ::warp::Stream;

    pub(super) async fn next<S: Stream>(mut stream: Pin<&mut S>) -> Option<S::Item> {
        poll_fn(|cx| stream.as_mut().poll_next(cx)).await
    }
}
