//! The interceptors that read a Bearer token from a gRPC request's metadata.

use tonic::{Request, Status};

use crate::credentials::BearerToken;

/// An interceptor that requires a bearer token (RFC 6750 §2.1, as
/// [`BearerToken::from_headers`] reads it) and puts it in the request's extensions, where a
/// handler finds it with `request.extensions().get::<BearerToken>()`. A call without one is
/// refused before any handler runs: no `authorization`, or another scheme, is
/// `Unauthenticated` with `www-authenticate: Bearer realm="..."`; a malformed one is
/// `InvalidArgument` with `error="invalid_request"`.
///
/// ```
/// use denied::BearerToken;
/// use tonic::{Code, Request};
///
/// let mut call = Request::new(());
/// call.metadata_mut().insert("authorization", "Bearer good".parse().unwrap());
/// let call = denied::tonic::bearer_token(call).unwrap();
/// assert_eq!(call.extensions().get::<BearerToken>().unwrap().token(), "good");
///
/// let refused = denied::tonic::bearer_token(Request::new(())).unwrap_err();
/// assert_eq!(refused.code(), Code::Unauthenticated);
/// assert_eq!(refused.metadata().get("www-authenticate").unwrap(), r#"Bearer realm="api""#);
/// // `tonic::service::interceptor::InterceptedService::new(service, denied::tonic::bearer_token)`
/// // or a generated server's `with_interceptor(service, denied::tonic::bearer_token)`.
/// ```
///
/// # Errors
///
/// The call has no usable bearer token.
#[allow(clippy::result_large_err)] // tonic's `Interceptor` signature.
pub fn bearer_token(mut request: Request<()>) -> Result<Request<()>, Status> {
    let token = BearerToken::from_headers(request.metadata().as_ref())?;
    request.extensions_mut().insert(token);
    Ok(request)
}

/// An interceptor like [`bearer_token`] for calls that may come without credentials: a call
/// without `authorization` (or with another scheme) passes with no token in its extensions; a
/// malformed one is still refused with `InvalidArgument`.
///
/// ```
/// use denied::BearerToken;
/// use tonic::Request;
///
/// let call = denied::tonic::optional_bearer_token(Request::new(())).unwrap();
/// assert!(call.extensions().get::<BearerToken>().is_none());
/// ```
///
/// # Errors
///
/// The call's `authorization` is malformed.
#[allow(clippy::result_large_err)] // tonic's `Interceptor` signature.
pub fn optional_bearer_token(mut request: Request<()>) -> Result<Request<()>, Status> {
    if let Some(token) = BearerToken::optional_from_headers(request.metadata().as_ref())? {
        request.extensions_mut().insert(token);
    }
    Ok(request)
}
