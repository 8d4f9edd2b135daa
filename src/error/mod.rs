use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use http::{HeaderValue, Method, StatusCode};

use crate::body::Members;
use crate::challenge::{BearerError, Challenge, InternedChallenge, KnownParts};
use crate::log_line::Escaped;
use crate::reason::Reason;
use crate::syntax::{is_member_name, is_uri_reference};

mod check;
mod parts;
mod refusal;
mod retry_after;
mod status;

pub use check::{OrDeny, OrInternal};
pub(crate) use parts::allow_value;
use parts::{Challenges, ConstantRefusal, ExtraHeaders, Hidden, OutOfLine, RESERVED_MEMBERS};
pub use refusal::{Forbidden, Unauthorized};
pub use retry_after::RetryAfter;
pub use status::{ErrorStatus, UnsupportedStatus};

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// An HTTP error response of any 4xx or 5xx status: what a handler returns for every refusal.
///
/// [`Forbidden`] and [`Unauthorized`](crate::Unauthorized) convert into it, so `?` works on
/// all of them in one handler. It renders as JSON by default (see [`Config`](crate::Config)).
/// A hidden cause (a source error or a note) is kept for logs and never sent.
///
/// ```
/// use denied::{Forbidden, HttpError};
///
/// fn delete_repo(user: &str, owner: &str, exists: bool) -> Result<&'static str, HttpError> {
///     if !exists {
///         return Err(HttpError::not_found());
///     }
///     if user != owner {
///         return Err(Forbidden::not_owner().into());
///     }
///     Ok("deleted")
/// }
///
/// let error = delete_repo("mallory", "alice", true).unwrap_err();
/// assert_eq!(error.status(), http::StatusCode::FORBIDDEN);
/// ```
///
/// An application's own error enum converts with one `From` impl:
///
/// ```
/// use denied::HttpError;
///
/// #[derive(Debug, thiserror::Error)]
/// enum AppError {
///     #[error("no such order")]
///     NoSuchOrder,
///     #[error("database failed")]
///     Database(#[source] std::io::Error),
/// }
///
/// impl From<AppError> for HttpError {
///     fn from(error: AppError) -> Self {
///         match error {
///             AppError::NoSuchOrder => HttpError::not_found(),
///             database => HttpError::internal().with_source(database),
///         }
///     }
/// }
///
/// fn handler() -> Result<(), HttpError> {
///     Err(AppError::NoSuchOrder)?
/// }
/// assert_eq!(handler().unwrap_err().status(), 404);
/// ```
///
/// `Debug` shows only what the client is sent (status, message, reason, challenges and
/// `Retry-After`), so an error printed by a framework that forgot to render it reveals nothing
/// hidden, not even that a 404 conceals a refusal. `Display`, [`source`](StdError::source),
/// [`note`](Self::note), [`concealed`](Self::concealed) and the report hook give logs the whole
/// story.
///
/// ```
/// let concealed = denied::Forbidden::not_owner().with_note("repo 42 is bob's").conceal();
/// assert_eq!(format!("{concealed:?}"), format!("{:?}", denied::HttpError::not_found()));
/// let refusal = concealed.concealed().map(ToString::to_string);
/// assert!(refusal.is_some_and(|text| text.contains("repo 42 is bob's")));
/// ```
pub struct HttpError {
    status: StatusCode,
    message: Option<Cow<'static, str>>,
    message_exposed: bool,
    /// A concealed refusal of the crate's constant ones, kept as which one it is rather than
    /// in `hidden`: concealing it allocates nothing.
    concealed_constant: Option<ConstantRefusal>,
    /// The only header of its own, when it is a challenge the process interned: then
    /// `headers` has no box.
    interned_challenge: Option<InternedChallenge>,
    reason: Option<Reason>,
    headers: OutOfLine<ExtraHeaders>,
    members: OutOfLine<Members>,
    hidden: OutOfLine<Hidden>,
}

impl HttpError {
    /// An error of `status`: any 4xx or 5xx that needs no header of its own (see
    /// [`ErrorStatus`]). A 401 is built with [`Unauthorized`], a 405 with
    /// [`method_not_allowed`](Self::method_not_allowed).
    ///
    /// ```
    /// use denied::{ErrorStatus, HttpError};
    ///
    /// let error = HttpError::new(ErrorStatus::GONE);
    /// assert_eq!(error.status(), 410);
    /// ```
    #[must_use]
    pub const fn new(status: ErrorStatus) -> Self {
        Self::with_status(status.as_status_code())
    }

    pub(crate) const fn with_status(status: StatusCode) -> Self {
        Self::with_status_and_reason(status, None)
    }

    /// An error of `status` with `reason` and nothing else: for a `static`.
    pub(crate) const fn with_status_and_reason(status: StatusCode, reason: Option<Reason>) -> Self {
        Self {
            status,
            message: None,
            message_exposed: false,
            concealed_constant: None,
            interned_challenge: None,
            reason,
            headers: OutOfLine::NONE,
            members: OutOfLine::NONE,
            hidden: OutOfLine::NONE,
        }
    }

    /// 400 Bad Request.
    #[must_use]
    pub const fn bad_request() -> Self {
        Self::with_status(StatusCode::BAD_REQUEST)
    }

    /// 401 Unauthorized with `challenge`, the same as
    /// [`Unauthorized::new`](crate::Unauthorized::new), for code that builds every refusal
    /// as an `HttpError`. A Bearer error code in the challenge sets the status it implies.
    ///
    /// ```
    /// let error = denied::HttpError::unauthorized(denied::Challenge::bearer("api"));
    /// assert_eq!(error.status(), 401);
    /// assert_eq!(error.render().headers()["www-authenticate"], r#"Bearer realm="api""#);
    /// ```
    #[must_use]
    pub fn unauthorized(challenge: Challenge) -> Self {
        crate::error::Unauthorized::new(challenge).into_http_error()
    }

    /// 400 Bad Request with `Bearer error="invalid_request"` (RFC 6750 §3.1) in the app's
    /// realm: the request's credentials are malformed (two `Authorization` headers, a token
    /// in the header and in the query, a token with characters RFC 6750 does not allow).
    /// `description` is sent as `error_description`.
    ///
    /// ```
    /// let response = denied::HttpError::malformed_credentials("two tokens were sent").render();
    /// assert_eq!(response.status(), 400);
    /// assert_eq!(
    ///     response.headers()["www-authenticate"],
    ///     r#"Bearer realm="api", error="invalid_request", error_description="two tokens were sent""#,
    /// );
    /// ```
    #[must_use]
    pub fn malformed_credentials(description: impl Into<Cow<'static, str>>) -> Self {
        Self::with_only_challenge(
            StatusCode::BAD_REQUEST,
            KnownParts::bearer_error(BearerError::InvalidRequest, description.into()),
        )
    }

    /// 403 Forbidden, the same as [`Forbidden::new`], for code that builds every refusal as an
    /// `HttpError`.
    ///
    /// ```
    /// assert_eq!(denied::HttpError::forbidden().status(), 403);
    /// ```
    #[must_use]
    pub const fn forbidden() -> Self {
        Self::with_status(StatusCode::FORBIDDEN)
    }

    /// 404 Not Found: the same bytes as every other 404 of the crate, concealed ones included.
    #[must_use]
    pub const fn not_found() -> Self {
        Self::with_status(StatusCode::NOT_FOUND)
    }

    /// 405 Method Not Allowed, with the `Allow` header RFC 9110 §15.5.6 requires. An empty
    /// list sends an empty `Allow`: the resource allows no method now (RFC 9110 §10.2.1).
    ///
    /// ```
    /// use http::Method;
    ///
    /// let error = denied::HttpError::method_not_allowed([Method::GET, Method::HEAD]);
    /// let response = error.render();
    /// assert_eq!(response.headers()["allow"], "GET,HEAD");
    /// ```
    #[must_use]
    pub fn method_not_allowed(allowed: impl IntoIterator<Item = Method>) -> Self {
        let mut error = Self::with_status(StatusCode::METHOD_NOT_ALLOWED);
        error.extra_headers().allow = allow_value(allowed);
        error
    }

    /// The request body could not be read as JSON: 400 for a syntax error or a body cut
    /// short, 422 for JSON of the wrong shape. The parser's text, which may quote the body,
    /// is kept as the hidden note.
    ///
    /// ```
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Order { item: String }
    ///
    /// let syntax = serde_json::from_str::<Order>(r#"{"item":"#).unwrap_err();
    /// assert_eq!(denied::HttpError::invalid_json_body(&syntax).status(), 400);
    /// let shape = serde_json::from_str::<Order>(r#"{"item":1}"#).unwrap_err();
    /// assert_eq!(denied::HttpError::invalid_json_body(&shape).status(), 422);
    /// ```
    #[must_use]
    pub fn invalid_json_body(error: &serde_json::Error) -> Self {
        let status = match error.classify() {
            serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::with_status(status).with_note(format!("the JSON body was refused: {error}"))
    }

    /// 409 Conflict.
    #[must_use]
    pub const fn conflict() -> Self {
        Self::with_status(StatusCode::CONFLICT)
    }

    /// 422 Unprocessable Content.
    #[must_use]
    pub const fn unprocessable() -> Self {
        Self::with_status(StatusCode::UNPROCESSABLE_ENTITY)
    }

    /// 429 Too Many Requests; add [`with_retry_after`](Self::with_retry_after).
    #[must_use]
    pub const fn too_many_requests() -> Self {
        Self::with_status(StatusCode::TOO_MANY_REQUESTS)
    }

    /// 500 Internal Server Error, with a generic message.
    ///
    /// ```
    /// # fn read_config() -> std::io::Result<String> { Err(std::io::Error::other("disk on fire")) }
    /// fn handler() -> Result<String, denied::HttpError> {
    ///     let config = read_config().map_err(|e| denied::HttpError::internal().with_source(e))?;
    ///     Ok(config)
    /// }
    /// let error = handler().unwrap_err();
    /// assert_eq!(error.status(), 500);
    /// // The source is kept for logs; the client gets the generic sentence.
    /// assert_eq!(error.message(), None);
    /// ```
    #[must_use]
    pub const fn internal() -> Self {
        Self::with_status(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 503 Service Unavailable; add [`with_retry_after`](Self::with_retry_after).
    #[must_use]
    pub const fn service_unavailable() -> Self {
        Self::with_status(StatusCode::SERVICE_UNAVAILABLE)
    }

    /// Replaces the client-facing sentence.
    ///
    /// On a 5xx the text is withheld from the client, who gets the generic sentence, and kept
    /// for logs: a server error's text is too often an internal detail. Send it anyway with
    /// [`with_exposed_message`](Self::with_exposed_message).
    ///
    /// A message of `'static` text (a literal) allocates no more than the default sentence:
    /// its body is rendered once and kept by the app's settings, up to 64 such bodies. A
    /// message built per request (a `String`) has its body rendered for each response.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.message = Some(message.into());
        self.message_exposed = !self.status.is_server_error();
        self
    }

    /// Replaces the client-facing sentence and sends it, even on a 5xx.
    ///
    /// ```
    /// let error = denied::HttpError::service_unavailable()
    ///     .with_exposed_message("Down for maintenance until 14:00 UTC");
    /// assert_eq!(error.message(), Some("Down for maintenance until 14:00 UTC"));
    /// ```
    #[must_use]
    pub fn with_exposed_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.message = Some(message.into());
        self.message_exposed = true;
        self
    }

    /// Adds a machine-readable reason, sent as extra body members.
    #[must_use]
    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.reason = Some(reason);
        self
    }

    /// Sets the problem `type`, a URI reference naming the kind of problem (RFC 9457 §3.1.1);
    /// without one, problem details say `about:blank` (or the app's
    /// [`problem_type_base`](crate::Config::problem_type_base) and the reason's code). Sent in
    /// problem details only. A value with whitespace or a control character is left out; the
    /// error's `Display` says so.
    ///
    /// ```
    /// let error = denied::HttpError::conflict().with_type("https://example.com/problems/stale");
    /// # let _ = error;
    /// ```
    #[must_use]
    pub fn with_type(mut self, uri: impl Into<Cow<'static, str>>) -> Self {
        let uri = uri.into();
        if !is_uri_reference(&uri) {
            self.hidden_mut()
                .refused
                .push(format!("type {uri:?} is not a URI reference"));
        } else {
            self.members_mut().problem_type = Some(uri);
        }
        self
    }

    /// Sets the problem `instance`, a URI reference naming this occurrence (RFC 9457 §3.1.5),
    /// such as the request's path. Sent in problem details only. As with
    /// [`with_type`](Self::with_type), text that is no URI reference is left out (the error's
    /// `Display` says so).
    ///
    /// ```
    /// let error = denied::HttpError::conflict().with_instance("not a uri");
    /// assert!(error.to_string().contains("is not a URI reference"));
    /// ```
    #[must_use]
    pub fn with_instance(mut self, uri: impl Into<Cow<'static, str>>) -> Self {
        let uri = uri.into();
        if is_uri_reference(&uri) {
            self.members_mut().instance = Some(uri);
        } else {
            self.hidden_mut()
                .refused
                .push(format!("instance {uri:?} is not a URI reference"));
        }
        self
    }

    /// Adds a member to the body, in either format: an extension member of problem details
    /// (RFC 9457 §3.2). The name must start with a letter, hold only letters, digits and `_`,
    /// be at least three characters long, and not be a member the crate writes (`type`,
    /// `title`, `status`, `detail`, `instance`, `error`, `message`, `reason`, `role`, `scope`,
    /// and `request_id`, which is always the request's, as `X-Request-Id` says); the value is
    /// anything `Serialize`. A member that breaks these rules, or whose value
    /// does not serialize, is left out; the error's `Display` says so. Setting a name twice
    /// keeps the last value.
    ///
    /// ```
    /// let response = denied::HttpError::too_many_requests()
    ///     .with_member("retry_after", 30)
    ///     .with_member("limits", ["60/minute", "1000/day"])
    ///     .render();
    /// let body: serde_json::Value = serde_json::from_slice(response.body())?;
    /// assert_eq!(body["retry_after"], 30);
    /// assert_eq!(body["limits"][1], "1000/day");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_member(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl serde::Serialize,
    ) -> Self {
        let name = name.into();
        if !is_member_name(&name) || RESERVED_MEMBERS.contains(&name.as_ref()) {
            self.hidden_mut()
                .refused
                .push(format!("member {name:?} is not an extension member name"));
            return self;
        }
        match serde_json::to_value(value) {
            Ok(value) => {
                let extensions = &mut self.members_mut().extensions;
                extensions.retain(|(known, _)| *known != name);
                extensions.push((name, value));
            }
            Err(error) => self
                .hidden_mut()
                .refused
                .push(format!("member {name:?} does not serialize: {error}")),
        }
        self
    }

    /// Keeps a source error for logs ([`std::error::Error::source`]); it is never sent.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.hidden_mut().source = Some(source.into());
        self
    }

    /// Keeps a note for logs (shown by `Display`); it is never sent.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<Cow<'static, str>>) -> Self {
        self.hidden_mut().note = Some(note.into());
        self
    }

    /// Sends `Retry-After`: a delay ([`Duration`](std::time::Duration), sent as whole seconds
    /// rounded up so that the client never comes back early, at most
    /// [`RetryAfter::MAX_DELAY`], however it is given) or a date
    /// ([`SystemTime`](std::time::SystemTime), sent as an IMF-fixdate; one before 1970 or
    /// after 9999, which that format cannot write, is left out of the response).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use denied::{HttpError, RetryAfter};
    ///
    /// let error = HttpError::too_many_requests().with_retry_after(Duration::from_millis(1500));
    /// assert_eq!(error.retry_after(), Some(RetryAfter::Delay(2)));
    ///
    /// let back_at = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
    /// let response = HttpError::service_unavailable().with_retry_after(back_at).render();
    /// assert_eq!(response.headers()["retry-after"], "Sun, 06 Nov 1994 08:49:37 GMT");
    /// ```
    #[must_use]
    pub fn with_retry_after(mut self, when: impl Into<RetryAfter>) -> Self {
        self.extra_headers().retry_after = Some(when.into().capped());
        self
    }

    pub(crate) fn with_challenge(mut self, challenge: Challenge) -> Self {
        self.extra_headers().challenges.push(challenge);
        self
    }

    /// The error with the challenge `parts` build as its only header of its own: for the hot
    /// path's refusals (`Unauthorized::bearer`, `basic`, `invalid_token`, `invalid_request`). A
    /// challenge of `'static` text is interned for the process: the error needs no box for it,
    /// and once it is interned, building it again only finds it. Any other is boxed.
    pub(crate) fn with_only_challenge(status: StatusCode, parts: KnownParts) -> Self {
        let mut error = Self::with_status(status);
        let fits = parts
            .bearer_error_code()
            .map_or(true, |code| code.status() == status);
        let interned = match InternedChallenge::find(&parts).filter(|_| fits) {
            Some(found) => Ok(found),
            None if fits => InternedChallenge::intern(parts),
            None => Err(parts.build()),
        };
        match interned {
            Ok(interned) => error.interned_challenge = Some(interned),
            Err(challenge) => {
                error.headers = OutOfLine::new(ExtraHeaders {
                    challenges: Challenges::One(challenge),
                    allow: None,
                    retry_after: None,
                });
            }
        }
        error
    }

    /// Gives every challenge `realm`; an interned challenge is interned again in the new realm
    /// when its texts are `'static`, and moved into the box otherwise.
    pub(crate) fn set_realm_of_challenges(&mut self, realm: Cow<'static, str>) {
        if let Some(interned) = self.interned_challenge {
            match interned.with_realm(realm.clone()) {
                Some(Ok(interned)) => {
                    self.interned_challenge = Some(interned);
                    return;
                }
                Some(Err(challenge)) => {
                    self.interned_challenge = None;
                    self.headers.get_or_default().challenges.push(challenge);
                    return;
                }
                None => {
                    self.extra_headers();
                }
            }
        }
        if let Some(headers) = self.headers.get_mut() {
            for challenge in headers.challenges.as_mut_slice() {
                challenge.set_realm(realm.clone());
            }
        }
    }

    /// The interned challenge that is the error's only header of its own, if it is one.
    #[inline]
    pub(crate) fn interned_challenge(&self) -> Option<InternedChallenge> {
        self.interned_challenge
    }

    pub(crate) fn concealing(forbidden: Forbidden) -> Self {
        match ConstantRefusal::of(forbidden.as_http_error()) {
            Some(constant) => {
                // A constant refusal owns nothing: dropping it would only test its fields.
                std::mem::forget(forbidden);
                // Built in place, not changed after: a 404 built first and then changed is
                // copied out with wide loads of narrow stores, which stalls.
                Self {
                    concealed_constant: Some(constant),
                    ..Self::not_found()
                }
            }
            None => {
                let mut error = Self::not_found();
                error.hidden_mut().concealed = Some(forbidden);
                error
            }
        }
    }

    /// The status the response is sent with: the one the error was built with, except an error
    /// that needs a challenge and has none that can be sent (a 401, or an RFC 6750 400 or 403
    /// built with its challenge), which is answered as a generic 500.
    ///
    /// ```
    /// let broken = denied::Unauthorized::bearer().with_realm("line\nbreak");
    /// assert_eq!(broken.status(), 500);
    /// ```
    #[must_use]
    pub fn status(&self) -> StatusCode {
        if self.lacks_usable_challenge() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            self.status
        }
    }

    /// A 401 without a challenge would break RFC 9110 §15.5.2, and an RFC 6750 400 or 403
    /// without its challenge RFC 6750 §3; the challenge itself is the bug.
    #[inline]
    pub(crate) fn lacks_usable_challenge(&self) -> bool {
        let needs_challenge = self.status == StatusCode::UNAUTHORIZED
            || self
                .headers
                .get()
                .is_some_and(|headers| !headers.challenges.as_slice().is_empty());
        // Only a challenge that can be sent on this status is interned.
        needs_challenge
            && self.interned_challenge.is_none()
            && self.sendable_challenges().next().is_none()
    }

    /// The challenges the response carries: the usable ones whose Bearer error code, if any,
    /// belongs to the response's status.
    pub(crate) fn sendable_challenges(&self) -> impl Iterator<Item = &Challenge> {
        self.challenges()
            .iter()
            .filter(|challenge| challenge.is_sendable() && challenge.fits(self.status))
    }

    /// The error's own sentence, as the client is sent it: `None` when the error has none, or
    /// when it is not sent (a 5xx's own message is withheld unless
    /// [exposed](Self::with_exposed_message); a 401 that goes out as a 500 for want of a usable
    /// challenge sends nothing of its own). Without one, the client gets the default sentence of
    /// the settings that render it: [`Config::sentence_for`](crate::Config::sentence_for) says
    /// which.
    ///
    /// ```
    /// let own = denied::Forbidden::new().with_message("Only the owner may archive it");
    /// assert_eq!(own.message(), Some("Only the owner may archive it"));
    /// assert_eq!(denied::Forbidden::new().message(), None);
    /// assert_eq!(denied::HttpError::internal().with_message("pool exhausted").message(), None);
    /// ```
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.own_message()
    }

    /// No exposed message, reason or member of its own: the body is its status's default one.
    #[inline]
    pub(crate) fn has_default_body(&self) -> bool {
        self.exposed_message().is_none() && self.reason.is_none() && self.members.is_none()
    }

    /// The problem `type`, `instance` and extension members, if any were set.
    pub(crate) fn members(&self) -> Option<&Members> {
        self.members.get()
    }

    /// Challenges, `Allow` or `Retry-After` to send.
    #[inline]
    pub(crate) fn has_extra_headers(&self) -> bool {
        !self.headers.is_none() || self.interned_challenge.is_some()
    }

    /// The error's own sentence, if it is sent: not when withheld on a 5xx, nor when a 401
    /// without a usable challenge goes out as a generic 500.
    #[inline]
    pub(crate) fn own_message(&self) -> Option<&str> {
        self.exposed_message()
            .filter(|_| !self.lacks_usable_challenge())
    }

    /// The error's own sentence unless withheld, for a caller that already knows the error is
    /// sent with its own status.
    #[inline]
    pub(crate) fn exposed_message(&self) -> Option<&str> {
        self.message.as_deref().filter(|_| self.message_exposed)
    }

    /// [`exposed_message`](Self::exposed_message), when it is `'static` text.
    pub(crate) fn exposed_static_message(&self) -> Option<&'static str> {
        match &self.message {
            Some(Cow::Borrowed(message)) if self.message_exposed => Some(message),
            _ => None,
        }
    }

    /// The status the error was built with, for a caller that already knows it is not
    /// answered as 500 for want of a challenge.
    #[inline]
    pub(crate) fn built_status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable reason, if any.
    #[must_use]
    pub fn reason(&self) -> Option<&Reason> {
        self.reason.as_ref()
    }

    /// The `WWW-Authenticate` challenges, in the order they are sent.
    #[must_use]
    pub fn challenges(&self) -> &[Challenge] {
        if let Some(interned) = self
            .interned_challenge
            .and_then(InternedChallenge::challenge)
        {
            return std::slice::from_ref(interned);
        }
        self.headers
            .get()
            .map_or(&[], |headers| headers.challenges.as_slice())
    }

    pub(crate) fn allow(&self) -> Option<&HeaderValue> {
        self.headers.get()?.allow.as_ref()
    }

    /// The `Retry-After` value, if any.
    #[must_use]
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.headers.get()?.retry_after
    }

    pub(crate) fn retry_after_header(&self) -> Option<HeaderValue> {
        self.retry_after().and_then(RetryAfter::header_value)
    }

    /// The refusal this 404 conceals, if it is a concealed [`Forbidden`]: for logs only.
    ///
    /// ```
    /// let concealed = denied::Forbidden::not_owner().conceal();
    /// assert_eq!(concealed.status(), 404);
    /// assert!(concealed.concealed().is_some());
    /// assert!(denied::HttpError::not_found().concealed().is_none());
    /// ```
    #[must_use]
    pub fn concealed(&self) -> Option<&Forbidden> {
        if let Some(constant) = self.concealed_constant {
            return Some(constant.refusal());
        }
        self.hidden.get()?.concealed.as_ref()
    }

    /// The hidden source given with [`with_source`](Self::with_source) (or `or_internal`), if
    /// any: [`std::error::Error::source`] without the refusal a concealed 404 hides.
    pub(crate) fn hidden_source(&self) -> Option<&(dyn StdError + 'static)> {
        let source = self.hidden.get()?.source.as_ref()?;
        Some(&**source as &(dyn StdError + 'static))
    }

    /// The hidden note, if any.
    #[must_use]
    pub fn note(&self) -> Option<&str> {
        self.hidden.get()?.note.as_deref()
    }

    /// The boxed headers, made if need be; an interned challenge becomes the first of them.
    fn extra_headers(&mut self) -> &mut ExtraHeaders {
        let interned = self
            .interned_challenge
            .take()
            .and_then(InternedChallenge::challenge);
        let headers = self.headers.get_or_default();
        if let Some(challenge) = interned {
            headers.challenges.push(challenge.clone());
        }
        headers
    }

    fn members_mut(&mut self) -> &mut Members {
        self.members.get_or_default()
    }

    fn hidden_mut(&mut self) -> &mut Hidden {
        self.hidden.get_or_default()
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A log names the refusal a 404 hides, not the 404 every client sees.
        if let Some(refusal) = self.concealed() {
            write!(f, "{refusal}, concealed as {}", self.status.as_u16())?;
        } else {
            write!(f, "{} ", self.status.as_u16())?;
            for character in crate::body::reason_phrase(self.status).chars() {
                write!(f, "{}", character.to_ascii_lowercase())?;
            }
        }
        if let Some(reason) = &self.reason {
            write!(f, ": {}", Escaped(reason.code()))?;
            if let Some((_, detail)) = reason.detail() {
                write!(f, " {}", Escaped(detail))?;
            }
        }
        if self.lacks_usable_challenge() {
            f.write_str(": no usable challenge, answered as 500")?;
        }
        for challenge in self.challenges() {
            if let Some(code) = challenge
                .bearer_error()
                .filter(|_| !challenge.fits(self.status))
            {
                write!(
                    f,
                    ": a challenge with error={code} cannot go out on a {} and is left out",
                    self.status.as_u16()
                )?;
            }
        }
        if let Some(message) = self.message.as_deref() {
            if self.own_message().is_none() {
                write!(f, ": {}", Escaped(message))?;
            }
        }
        if let Some(hidden) = self.hidden.get() {
            if let Some(note) = &hidden.note {
                write!(f, ": {}", Escaped(note))?;
            }
            for refused in &hidden.refused {
                write!(f, ": {}, left out", Escaped(refused))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("HttpError");
        debug
            .field("status", &self.status())
            .field("message", &self.message());
        // What `render` sends: a 401 answered as 500 sends nothing of its own.
        if self.lacks_usable_challenge() {
            return debug.finish_non_exhaustive();
        }
        if let Some(reason) = &self.reason {
            debug.field("reason", reason);
        }
        let challenges: Vec<HeaderValue> = self
            .sendable_challenges()
            .filter_map(|challenge| challenge.to_header_value().ok())
            .collect();
        if !challenges.is_empty() {
            debug.field("challenges", &challenges);
        }
        if let Some(allow) = self.allow() {
            debug.field("allow", allow);
        }
        if let Some(retry_after) = self.retry_after_header() {
            debug.field("retry_after", &retry_after);
        }
        debug.finish_non_exhaustive()
    }
}

impl StdError for HttpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match (self.hidden_source(), self.concealed()) {
            (Some(source), _) => Some(source),
            (None, Some(concealed)) => Some(concealed as &(dyn StdError + 'static)),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests;
