//! [`ErrorStatus`]: the statuses a general error can be sent with on its own.

use http::StatusCode;

/// A 4xx or 5xx status that an [`HttpError`](super::HttpError) can be sent with on its own: every
/// one but those RFC 9110 gives a header the general constructor cannot supply. A 401 needs a
/// challenge (build it with [`Unauthorized`](super::Unauthorized)), a 405 its `Allow` (build it
/// with [`HttpError::method_not_allowed`](super::HttpError::method_not_allowed)); a 407 needs
/// `Proxy-Authenticate` and a 426 `Upgrade`, which a proxy or the server's connection layer
/// sends, not a handler.
///
/// The constants name the statuses as RFC 9110 §15 does; a status known only at run time
/// converts with `TryFrom`, which refuses the others.
///
/// ```
/// use denied::http::StatusCode;
/// use denied::{ErrorStatus, HttpError};
///
/// let gone = HttpError::new(ErrorStatus::GONE);
/// assert_eq!(gone.status(), StatusCode::GONE);
/// let upstream = ErrorStatus::try_from(StatusCode::BAD_GATEWAY)?;
/// assert_eq!(HttpError::new(upstream).status(), 502);
/// assert!(ErrorStatus::try_from(StatusCode::UNAUTHORIZED).is_err());
/// assert!(ErrorStatus::try_from(StatusCode::OK).is_err());
/// # Ok::<(), denied::UnsupportedStatus>(())
/// ```
///
/// A 401 or a 405 cannot be given to the general constructor:
///
/// ```compile_fail
/// let error = denied::HttpError::new(denied::ErrorStatus::UNAUTHORIZED);
/// ```
///
/// ```compile_fail
/// let error = denied::HttpError::new(denied::ErrorStatus::METHOD_NOT_ALLOWED);
/// ```
///
/// ```compile_fail
/// let error = denied::HttpError::new(denied::http::StatusCode::UNAUTHORIZED);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorStatus(StatusCode);

macro_rules! error_statuses {
    ($($(#[$doc:meta])* $name:ident = $code:ident;)*) => {
        impl ErrorStatus {
            $(
                $(#[$doc])*
                pub const $name: Self = Self(StatusCode::$code);
            )*
        }
    };
}

error_statuses! {
    /// 400 Bad Request.
    BAD_REQUEST = BAD_REQUEST;
    /// 402 Payment Required.
    PAYMENT_REQUIRED = PAYMENT_REQUIRED;
    /// 403 Forbidden (see also [`Forbidden`](super::Forbidden)).
    FORBIDDEN = FORBIDDEN;
    /// 404 Not Found.
    NOT_FOUND = NOT_FOUND;
    /// 406 Not Acceptable.
    NOT_ACCEPTABLE = NOT_ACCEPTABLE;
    /// 408 Request Timeout.
    REQUEST_TIMEOUT = REQUEST_TIMEOUT;
    /// 409 Conflict.
    CONFLICT = CONFLICT;
    /// 410 Gone.
    GONE = GONE;
    /// 411 Length Required.
    LENGTH_REQUIRED = LENGTH_REQUIRED;
    /// 412 Precondition Failed.
    PRECONDITION_FAILED = PRECONDITION_FAILED;
    /// 413 Content Too Large.
    CONTENT_TOO_LARGE = PAYLOAD_TOO_LARGE;
    /// 414 URI Too Long.
    URI_TOO_LONG = URI_TOO_LONG;
    /// 415 Unsupported Media Type.
    UNSUPPORTED_MEDIA_TYPE = UNSUPPORTED_MEDIA_TYPE;
    /// 416 Range Not Satisfiable.
    RANGE_NOT_SATISFIABLE = RANGE_NOT_SATISFIABLE;
    /// 417 Expectation Failed.
    EXPECTATION_FAILED = EXPECTATION_FAILED;
    /// 421 Misdirected Request.
    MISDIRECTED_REQUEST = MISDIRECTED_REQUEST;
    /// 422 Unprocessable Content.
    UNPROCESSABLE_CONTENT = UNPROCESSABLE_ENTITY;
    /// 423 Locked (RFC 4918).
    LOCKED = LOCKED;
    /// 424 Failed Dependency (RFC 4918).
    FAILED_DEPENDENCY = FAILED_DEPENDENCY;
    /// 425 Too Early (RFC 8470).
    TOO_EARLY = TOO_EARLY;
    /// 428 Precondition Required (RFC 6585).
    PRECONDITION_REQUIRED = PRECONDITION_REQUIRED;
    /// 429 Too Many Requests (RFC 6585).
    TOO_MANY_REQUESTS = TOO_MANY_REQUESTS;
    /// 431 Request Header Fields Too Large (RFC 6585).
    REQUEST_HEADER_FIELDS_TOO_LARGE = REQUEST_HEADER_FIELDS_TOO_LARGE;
    /// 451 Unavailable For Legal Reasons (RFC 7725).
    UNAVAILABLE_FOR_LEGAL_REASONS = UNAVAILABLE_FOR_LEGAL_REASONS;
    /// 500 Internal Server Error.
    INTERNAL_SERVER_ERROR = INTERNAL_SERVER_ERROR;
    /// 501 Not Implemented.
    NOT_IMPLEMENTED = NOT_IMPLEMENTED;
    /// 502 Bad Gateway.
    BAD_GATEWAY = BAD_GATEWAY;
    /// 503 Service Unavailable.
    SERVICE_UNAVAILABLE = SERVICE_UNAVAILABLE;
    /// 504 Gateway Timeout.
    GATEWAY_TIMEOUT = GATEWAY_TIMEOUT;
    /// 505 HTTP Version Not Supported.
    HTTP_VERSION_NOT_SUPPORTED = HTTP_VERSION_NOT_SUPPORTED;
    /// 506 Variant Also Negotiates (RFC 2295).
    VARIANT_ALSO_NEGOTIATES = VARIANT_ALSO_NEGOTIATES;
    /// 507 Insufficient Storage (RFC 4918).
    INSUFFICIENT_STORAGE = INSUFFICIENT_STORAGE;
    /// 508 Loop Detected (RFC 5842).
    LOOP_DETECTED = LOOP_DETECTED;
    /// 510 Not Extended (RFC 2774).
    NOT_EXTENDED = NOT_EXTENDED;
    /// 511 Network Authentication Required (RFC 6585).
    NETWORK_AUTHENTICATION_REQUIRED = NETWORK_AUTHENTICATION_REQUIRED;
}

impl ErrorStatus {
    /// The status as `http`'s type.
    ///
    /// ```
    /// assert_eq!(denied::ErrorStatus::GONE.as_status_code(), 410);
    /// ```
    #[must_use]
    pub const fn as_status_code(self) -> StatusCode {
        self.0
    }
}

impl From<ErrorStatus> for StatusCode {
    fn from(status: ErrorStatus) -> Self {
        status.0
    }
}

impl TryFrom<StatusCode> for ErrorStatus {
    type Error = UnsupportedStatus;

    /// The status, if it is a 4xx or 5xx that needs no header of its own.
    fn try_from(status: StatusCode) -> Result<Self, Self::Error> {
        let why = match status.as_u16() {
            401 => "a 401 needs a challenge: build it with Unauthorized",
            405 => "a 405 needs its Allow header: build it with HttpError::method_not_allowed",
            407 | 426 => "it needs a header the crate does not build (RFC 9110 §15.5.8, §15.5.22)",
            400..=599 => return Ok(Self(status)),
            _ => "it is not an error status",
        };
        Err(UnsupportedStatus { status, why })
    }
}

/// A status that [`ErrorStatus`] refuses: not a 4xx or 5xx, or one that needs a header of its
/// own. Its `Display` says which, and what builds it.
///
/// ```
/// use denied::http::StatusCode;
///
/// let refused = denied::ErrorStatus::try_from(StatusCode::UNAUTHORIZED).unwrap_err();
/// assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
/// assert!(refused.to_string().contains("Unauthorized"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{status} cannot be sent by a general error: {why}")]
pub struct UnsupportedStatus {
    status: StatusCode,
    why: &'static str,
}

impl UnsupportedStatus {
    /// The status refused.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        self.status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status converts exactly when it is a 4xx or 5xx that needs no header of its own,
    /// and converts to itself.
    #[test]
    fn exactly_the_error_statuses_without_a_header_of_their_own_convert() {
        for code in 100..=999 {
            let status = StatusCode::from_u16(code).unwrap();
            let needs_a_header = matches!(code, 401 | 405 | 407 | 426);
            let expected = (400..=599).contains(&code) && !needs_a_header;
            match ErrorStatus::try_from(status) {
                Ok(converted) => {
                    assert!(expected, "{code}");
                    assert_eq!(StatusCode::from(converted), status);
                }
                Err(refused) => {
                    assert!(!expected, "{code}");
                    assert_eq!(refused.status(), status);
                }
            }
        }
    }
}
