//! Client-side guidance: what a caller should do with a refusal, read from the response alone.

mod challenge;

use std::fmt;
use std::time::{Duration, SystemTime};

use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, StatusCode};

pub use challenge::{MalformedChallenge, ReadChallenge};

use crate::body::{BodyError, ErrorBody, ProblemDetails, MAX_BODY_LEN};
use crate::challenge::BearerError;
use crate::error::RetryAfter;

/// What a client should do next.
///
/// | status | advice |
/// |---|---|
/// | 1xx, 2xx, and 3xx other than the redirects below | [`Proceed`](Self::Proceed) |
/// | 301, 302, 303, 307, 308 | [`Redirect`](Self::Redirect), after `Retry-After` if sent (RFC 9110 §10.2.3) |
/// | 401 | [`Reauthenticate`](Self::Reauthenticate) |
/// | 407 | [`ReauthenticateProxy`](Self::ReauthenticateProxy): a proxy's 401 |
/// | 403, 511 | [`Stop`](Self::Stop) |
/// | 404, 410 | [`NotFound`](Self::NotFound) |
/// | 408, 421, 425 | [`Retry`](Self::Retry): the same request may be sent again as it is |
/// | 413 with `Retry-After` | [`RetryAfter`](Self::RetryAfter): the limit is temporary (RFC 9110 §15.5.14) |
/// | 429, 503 | [`RetryAfter`](Self::RetryAfter) with `Retry-After`, else [`RetryLater`](Self::RetryLater) |
/// | 501, 505, 510 | [`FixRequest`](Self::FixRequest): repeating it unchanged gets the same answer |
/// | other 4xx | [`FixRequest`](Self::FixRequest) |
/// | other 5xx, and 600 to 999, which RFC 9110 §15 says to treat as a 5xx | [`RetryLater`](Self::RetryLater) |
///
/// Delays are capped at [`RetryAfter::MAX_DELAY`](crate::RetryAfter::MAX_DELAY) (2^31
/// seconds, as RFC 9111 §1.2.2 caps delta-seconds), so that `Instant::now() + delay` cannot
/// overflow whatever the server sends.
///
/// ```
/// use denied::client::Advice;
/// use http::{HeaderMap, StatusCode};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "30".parse()?);
/// assert_eq!(
///     Advice::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers),
///     Advice::RetryAfter(std::time::Duration::from_secs(30)),
/// );
/// assert_eq!(Advice::from_parts(StatusCode::FORBIDDEN, &headers), Advice::Stop);
/// assert!(!Advice::Stop.may_retry());
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Advice {
    /// Not an error: use the response.
    Proceed,
    /// A redirect: follow `Location` once this much time has passed (zero without
    /// `Retry-After`).
    Redirect(Duration),
    /// 401: authenticate again (refresh the token, ask for credentials) and retry once.
    Reauthenticate,
    /// 407: authenticate to the proxy (see `Proxy-Authenticate`) and retry once; the
    /// origin's credentials are not at fault.
    ReauthenticateProxy,
    /// 403: a final no. Show the message; do not refresh the token and do not retry. 511
    /// likewise: the network wants a login that the user, not the client, must do.
    Stop,
    /// 404 or 410: the resource is not there (or is not for this caller).
    NotFound,
    /// 408, 421 or 425: the same request may be sent again as it is (421 on a new
    /// connection, 425 once the handshake is complete).
    Retry,
    /// 429 or 503 with `Retry-After` (or 413 with one): retry once this much time has passed.
    RetryAfter(Duration),
    /// A server error (or a status of 600 or more, which RFC 9110 §15 says to treat as one),
    /// or 429/503 without a usable `Retry-After`: retry later, with back-off.
    RetryLater,
    /// Any other 4xx, and 501, 505 and 510: the request itself is wrong or unsupported; do
    /// not repeat it unchanged.
    FixRequest,
}

impl Advice {
    /// The advice for a response, judging `Retry-After` dates against the clock.
    #[must_use]
    pub fn from_parts(status: StatusCode, headers: &HeaderMap) -> Self {
        Self::from_parts_at(status, headers, SystemTime::now())
    }

    /// The advice for a response, judging `Retry-After` dates against `now`.
    #[must_use]
    pub fn from_parts_at(status: StatusCode, headers: &HeaderMap, now: SystemTime) -> Self {
        let retry_after = || retry_after(headers, now);
        match status.as_u16() {
            301 | 302 | 303 | 307 | 308 => Self::Redirect(retry_after().unwrap_or(Duration::ZERO)),
            100..=399 => Self::Proceed,
            401 => Self::Reauthenticate,
            407 => Self::ReauthenticateProxy,
            403 | 511 => Self::Stop,
            404 | 410 => Self::NotFound,
            408 | 421 | 425 => Self::Retry,
            413 => retry_after().map_or(Self::FixRequest, Self::RetryAfter),
            429 | 503 => retry_after().map_or(Self::RetryLater, Self::RetryAfter),
            400..=499 | 501 | 505 | 510 => Self::FixRequest,
            // 500 to 599, and 600 to 999, which RFC 9110 §15 says to process as a 5xx.
            _ => Self::RetryLater,
        }
    }

    /// Whether the same request may be sent again (after re-authenticating or waiting).
    #[must_use]
    pub fn may_retry(self) -> bool {
        matches!(
            self,
            Self::Reauthenticate
                | Self::ReauthenticateProxy
                | Self::Retry
                | Self::RetryAfter(_)
                | Self::RetryLater
        )
    }

    /// Whether the client should refresh its credentials for the origin before anything else.
    #[must_use]
    pub fn refresh_credentials(self) -> bool {
        self == Self::Reauthenticate
    }
}

/// `Retry-After = HTTP-date / delay-seconds` (RFC 9110 §10.2.3), capped at
/// [`RetryAfter::MAX_DELAY`]; several values, or one that parses as neither, count as none.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let mut values = headers.get_all(RETRY_AFTER).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let text = value.to_str().ok()?.trim();
    let delay = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: only a value too large for a u64 fails to parse.
        Duration::from_secs(text.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let when = httpdate::parse_http_date(text).ok()?;
        when.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(delay.min(RetryAfter::MAX_DELAY))
}

/// The body of a refusal as the client read it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReadBody {
    /// A default `{"error","message","status"}` body.
    Json(ErrorBody),
    /// An RFC 9457 problem details body.
    Problem(ProblemDetails),
    /// A `text/plain` body, as a framework or a proxy sends its own errors: the text, trimmed
    /// (bytes that are not UTF-8 replaced).
    Text(String),
}

const PROBLEM_JSON: &str = "application/problem+json";

/// Whether a `Content-Type` is `media_type`: type and subtype exactly, in any case, with or
/// without parameters (RFC 9110 §8.3.1).
fn is_media_type(content_type: &str, media_type: &str) -> bool {
    let named = content_type.split(';').next().unwrap_or_default();
    named
        .trim_matches([' ', '\t'])
        .eq_ignore_ascii_case(media_type)
}

fn is_problem_json(content_type: &str) -> bool {
    is_media_type(content_type, PROBLEM_JSON)
}

/// What to do with a response: the [`Advice`], the server's error body when it could be read,
/// and its `WWW-Authenticate` challenges.
///
/// A success or a redirect has no error body: its body is not read. An error body is read by
/// its `Content-Type`: problem details, the default JSON body, or the plain text a framework or
/// a proxy answers with.
///
/// ```
/// use denied::client::{Advice, Guidance};
///
/// let response = denied::Forbidden::missing_role("admin").render();
/// let guidance = Guidance::read(response.status(), response.headers(), Some(response.body()));
/// assert_eq!(guidance.advice(), Advice::Stop);
/// assert_eq!(guidance.message(), Some("You do not have permission to access this resource"));
/// assert_eq!(guidance.reason(), Some("missing_role"));
///
/// let response = denied::Unauthorized::invalid_token("the token expired").render();
/// let guidance = Guidance::read(response.status(), response.headers(), Some(response.body()));
/// assert_eq!(guidance.advice(), Advice::Reauthenticate);
/// assert_eq!(guidance.bearer_error(), Some(denied::BearerError::InvalidToken));
/// assert_eq!(guidance.challenges()[0].error_description(), Some("the token expired"));
/// ```
#[derive(Debug)]
pub struct Guidance {
    status: StatusCode,
    advice: Advice,
    body: Option<Result<ReadBody, BodyError>>,
    challenges: Vec<ReadChallenge>,
}

impl Guidance {
    /// Reads a response's status, headers and, if there is one, body (bounded by
    /// [`MAX_BODY_LEN`]). A body that cannot be read does not change the
    /// advice: see [`body_error`](Self::body_error).
    #[must_use]
    pub fn read(status: StatusCode, headers: &HeaderMap, body: Option<&[u8]>) -> Self {
        let body = body
            .filter(|bytes| !bytes.is_empty() && is_error(status))
            .map(|bytes| read_body(headers, bytes));
        Self::with_body(status, headers, body)
    }

    /// A response whose error body could not be read: too long, or cut off.
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) fn unreadable(status: StatusCode, headers: &HeaderMap, problem: BodyError) -> Self {
        Self::with_body(status, headers, Some(Err(problem)))
    }

    fn with_body(
        status: StatusCode,
        headers: &HeaderMap,
        body: Option<Result<ReadBody, BodyError>>,
    ) -> Self {
        Self {
            status,
            advice: Advice::from_parts(status, headers),
            body,
            challenges: ReadChallenge::all_in(headers),
        }
    }

    /// The response's status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What to do next.
    #[must_use]
    pub fn advice(&self) -> Advice {
        self.advice
    }

    /// The error body, when there was one and it could be read.
    #[must_use]
    pub fn body(&self) -> Option<&ReadBody> {
        self.body.as_ref()?.as_ref().ok()
    }

    /// Why the error body could not be read, when there was one.
    #[must_use]
    pub fn body_error(&self) -> Option<&BodyError> {
        self.body.as_ref()?.as_ref().err()
    }

    /// The human sentence to show: `message`, a problem's `detail`, or the plain text.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        match self.body()? {
            ReadBody::Json(body) => Some(&body.message),
            ReadBody::Problem(problem) => problem.detail.as_deref(),
            ReadBody::Text(text) => Some(text)
                .filter(|text| !text.is_empty())
                .map(|text| &**text),
        }
    }

    /// The machine-readable `reason`, when the server sent one.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        match self.body()? {
            ReadBody::Json(body) => body.reason(),
            ReadBody::Problem(problem) => problem.reason(),
            ReadBody::Text(_) => None,
        }
    }

    /// The challenges of every `WWW-Authenticate` line that could be read, in order.
    #[must_use]
    pub fn challenges(&self) -> &[ReadChallenge] {
        &self.challenges
    }

    /// The RFC 6750 error code of the first Bearer challenge that has one: on a 401,
    /// `invalid_token` (the token sent is not valid) tells apart a request without
    /// credentials, whose challenge has no code.
    #[must_use]
    pub fn bearer_error(&self) -> Option<BearerError> {
        self.challenges.iter().find_map(ReadChallenge::bearer_error)
    }
}

impl fmt::Display for Guidance {
    /// `the server answered 403 Forbidden: <message>`. The message is the server's text: it is
    /// cut after 200 characters and its control characters (line breaks, terminal escapes)
    /// become spaces, so that it cannot forge a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 200;
        write!(f, "the server answered {}", self.status)?;
        if let Some(message) = self.message() {
            f.write_str(": ")?;
            for character in message.chars().take(SHOWN) {
                let shown = if character.is_control() {
                    ' '
                } else {
                    character
                };
                write!(f, "{shown}")?;
            }
            if message.chars().nth(SHOWN).is_some() {
                f.write_str("...")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Guidance {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.body_error().map(|error| error as _)
    }
}

/// Whether a status is an error, whose body is a refusal to read: 4xx, 5xx, and the statuses
/// of 600 and more, which no HTTP server sends.
pub(crate) fn is_error(status: StatusCode) -> bool {
    status.as_u16() >= 400
}

/// Reads an error body by its `Content-Type`.
fn read_body(headers: &HeaderMap, bytes: &[u8]) -> Result<ReadBody, BodyError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if is_problem_json(content_type) {
        ProblemDetails::from_slice(bytes).map(ReadBody::Problem)
    } else if is_media_type(content_type, "text/plain") {
        if bytes.len() > MAX_BODY_LEN {
            return Err(BodyError::TooLong(bytes.len()));
        }
        Ok(ReadBody::Text(
            String::from_utf8_lossy(bytes).trim().to_owned(),
        ))
    } else {
        ErrorBody::from_slice(bytes).map(ReadBody::Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value.parse().unwrap());
        headers
    }

    #[test]
    fn a_date_in_the_past_means_now_and_nonsense_means_later() {
        let now = SystemTime::now();
        let past = with_retry_after("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            Advice::from_parts_at(StatusCode::SERVICE_UNAVAILABLE, &past, now),
            Advice::RetryAfter(Duration::ZERO)
        );
        let nonsense = with_retry_after("soon");
        assert_eq!(
            Advice::from_parts_at(StatusCode::TOO_MANY_REQUESTS, &nonsense, now),
            Advice::RetryLater
        );
    }

    #[test]
    fn a_future_date_is_the_time_left() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_700);
        let headers = with_retry_after("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            Advice::from_parts_at(StatusCode::TOO_MANY_REQUESTS, &headers, now),
            Advice::RetryAfter(Duration::from_secs(77))
        );
    }

    #[test]
    fn the_problem_media_type_is_matched_without_regard_to_case() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "Application/Problem+JSON".parse().unwrap());
        let body = br#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"No"}"#;
        let guidance = Guidance::read(StatusCode::FORBIDDEN, &headers, Some(body));
        assert!(matches!(guidance.body(), Some(ReadBody::Problem(_))));
        assert_eq!(guidance.message(), Some("No"));
    }

    #[test]
    fn a_huge_delay_is_capped_at_2_to_the_31_seconds() {
        let cap = Duration::from_secs(2_147_483_648);
        for value in [
            "99999999999999999999999",
            "2147483649",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            let headers = with_retry_after(value);
            let advice = Advice::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers);
            assert_eq!(advice, Advice::RetryAfter(cap), "{value}");
            // What a naive client does with it must not overflow.
            let _ = std::time::Instant::now() + cap;
        }
    }

    #[test]
    fn only_the_problem_media_type_itself_is_read_as_problem_details() {
        for problem in [
            "application/problem+json",
            "Application/Problem+JSON",
            "application/problem+json; charset=utf-8",
            "application/problem+json ;x=y",
        ] {
            assert!(is_problem_json(problem), "{problem}");
        }
        for other in [
            "application/problem+jsonx",
            "application/problem+json-seq",
            "application/problem+json2",
            "application/json",
            "application/problem",
            "",
        ] {
            assert!(!is_problem_json(other), "{other}");
        }
    }
}
