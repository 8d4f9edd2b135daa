//! gRPC through tonic 0.14: every error type converts into a [`tonic::Status`], so a handler
//! returns `Result<Response<T>, Status>` and uses `?`; [`ErrorLayer`] lets every error see the
//! request it answers and answers a panic; [`bearer_token`] and [`optional_bearer_token`] are
//! interceptors that read credentials by the same rules as the HTTP extractors.
//!
//! An error becomes the [`Status`] a gRPC client can act on, from the same decision that
//! renders it for HTTP:
//! - its code is the HTTP status's ([`code_for`]): 401 is `Unauthenticated`, 403
//!   `PermissionDenied`, 404 `NotFound`, 429 `ResourceExhausted`;
//! - its message is the sentence the HTTP body would carry (the error's own message, or the
//!   app's sentence for the status in the request's language); a hidden source or note is
//!   never sent, and a 5xx says only the generic sentence unless the app exposes its own
//!   ([`HttpError::with_exposed_message`]);
//! - its metadata carries what the HTTP response's headers would: `www-authenticate` (every
//!   challenge, quoted by the RFCs), `retry-after` (and, for a delay,
//!   `grpc-retry-pushback-ms`, which gRPC's own retry policies honour), `content-language`
//!   when the app has catalogs, and the request id under the app's request id header;
//! - a concealed 403 becomes the very `NotFound` a genuine 404 becomes: same code, message and
//!   metadata.
//!
//! ```
//! use denied::{Forbidden, HttpError};
//! use tonic::{Code, Status};
//!
//! fn export(may_export: bool) -> Result<&'static str, Status> {
//!     if !may_export {
//!         Err(Forbidden::missing_scope("reports:export").with_realm("example"))?;
//!     }
//!     Ok("started")
//! }
//!
//! let status = export(false).unwrap_err();
//! assert_eq!(status.code(), Code::PermissionDenied);
//! assert_eq!(status.message(), "You do not have permission to access this resource");
//! assert_eq!(
//!     status.metadata().get("www-authenticate").unwrap(),
//!     r#"Bearer realm="example", error="insufficient_scope", scope="reports:export""#
//! );
//!
//! let concealed = Status::from(Forbidden::not_owner().conceal());
//! let genuine = Status::from(HttpError::not_found());
//! assert_eq!(concealed.code(), Code::NotFound);
//! assert_eq!(concealed.message(), genuine.message());
//! assert_eq!(
//!     concealed.metadata().clone().into_headers(),
//!     genuine.metadata().clone().into_headers()
//! );
//! ```

use http::header::{CONTENT_LANGUAGE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use tonic::metadata::MetadataMap;
use tonic::{Code, Status};

use crate::error::{Forbidden, HttpError, Unauthorized};
use crate::{config, context, render};

mod extract;
mod handling;

pub use extract::{bearer_token, optional_bearer_token};
pub use handling::{ErrorLayer, ErrorService, ResponseFuture};

impl From<HttpError> for Status {
    fn from(error: HttpError) -> Self {
        status_of(&error)
    }
}

impl From<Forbidden> for Status {
    fn from(refusal: Forbidden) -> Self {
        status_of(&HttpError::from(refusal))
    }
}

impl From<Unauthorized> for Status {
    fn from(refusal: Unauthorized) -> Self {
        status_of(&HttpError::from(refusal))
    }
}

/// The gRPC code for an HTTP status: the pairs `google.rpc.Code` documents where it has one,
/// and every 5xx but 503 `Internal`:
///
/// | HTTP status | gRPC code |
/// |---|---|
/// | 400, 415, 422, 431 | `InvalidArgument` |
/// | 401 | `Unauthenticated` |
/// | 403 | `PermissionDenied` |
/// | 404, 410 | `NotFound` |
/// | 405 | `Unimplemented` |
/// | 408 | `DeadlineExceeded` |
/// | 409 | `Aborted` (a conflict with the resource's state, worth retrying at a higher level; an HTTP status cannot say `AlreadyExists`) |
/// | 412, 428, other 4xx | `FailedPrecondition` |
/// | 413, 429 | `ResourceExhausted` |
/// | 416 | `OutOfRange` |
/// | 503 | `Unavailable` |
/// | 500, every other 5xx | `Internal` |
/// | anything else | `Unknown` |
///
/// ```
/// use denied::http::StatusCode;
/// use tonic::Code;
///
/// assert_eq!(denied::tonic::code_for(StatusCode::FORBIDDEN), Code::PermissionDenied);
/// assert_eq!(denied::tonic::code_for(StatusCode::TOO_MANY_REQUESTS), Code::ResourceExhausted);
/// ```
#[must_use]
pub fn code_for(status: StatusCode) -> Code {
    match status.as_u16() {
        400 | 415 | 422 | 431 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 | 410 => Code::NotFound,
        405 => Code::Unimplemented,
        408 => Code::DeadlineExceeded,
        409 => Code::Aborted,
        413 | 429 => Code::ResourceExhausted,
        416 => Code::OutOfRange,
        503 => Code::Unavailable,
        400..=499 => Code::FailedPrecondition,
        500..=599 => Code::Internal,
        _ => Code::Unknown,
    }
}

/// The HTTP status a gRPC code stands for, as `google.rpc.Code` pairs them: the other way
/// from [`code_for`], for a status the crate did not make. `Ok` and `Cancelled` (the client
/// gave up) stand for none.
fn status_for(code: Code) -> Option<StatusCode> {
    Some(match code {
        Code::Ok | Code::Cancelled => return None,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    })
}

/// The status for `error`, rendered with the request in scope and the settings of the app
/// serving it. The request is marked as answered by the crate with it.
fn status_of(error: &HttpError) -> Status {
    context::with_current(|request| {
        let settings = match request {
            Some(request) => {
                request.mark_sent(error.status());
                request.settings()
            }
            None => config::settings(),
        };
        let (head, message) = render::render_head(error, settings, request);
        let code = code_for(head.status());
        let metadata = metadata_of(
            head.into_parts().0.headers,
            settings.request_id_header.as_ref(),
        );
        Status::with_metadata(code, message, metadata)
    })
}

/// The lines of an HTTP error response's headers a gRPC client can use.
fn metadata_of(mut headers: HeaderMap, request_id_header: Option<&HeaderName>) -> MetadataMap {
    let mut kept = HeaderMap::new();
    for name in [&WWW_AUTHENTICATE, &RETRY_AFTER, &CONTENT_LANGUAGE]
        .into_iter()
        .chain(request_id_header)
    {
        if let http::header::Entry::Occupied(lines) = headers.entry(name) {
            let (name, values) = lines.remove_entry_mult();
            for value in values {
                kept.append(name.clone(), value);
            }
        }
    }
    if let Some(pushback) = kept.get(RETRY_AFTER).and_then(retry_pushback) {
        kept.insert(RETRY_PUSHBACK_MS, pushback);
    }
    MetadataMap::from_headers(kept)
}

/// gRPC's retry pushback (gRFC A6) for a `Retry-After` delay; a date has none. Clients read
/// it as a 32-bit int, so it stops at `i32::MAX` milliseconds (about 24.8 days).
fn retry_pushback(retry_after: &HeaderValue) -> Option<HeaderValue> {
    let seconds: u64 = retry_after.to_str().ok()?.parse().ok()?;
    let milliseconds = seconds
        .saturating_mul(1000)
        .min(i32::MAX.unsigned_abs().into());
    Some(HeaderValue::from(milliseconds))
}

const RETRY_PUSHBACK_MS: HeaderName = HeaderName::from_static("grpc-retry-pushback-ms");
